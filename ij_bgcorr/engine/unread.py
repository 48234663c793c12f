"""Noticing option keys a command did not read, so that a misspelt key is not silent.

ImageJ fills a command's dialog from the macro's options without showing it.
An AWT listener for components added to containers is called on the thread
that builds each dialog, at its first field: the dialog is kept, attributed to
the command that thread is running (the command listener of
:mod:`~ij_bgcorr.engine.hooks` marks where each command starts). When the
macro has moved on (its next command, or its end), the keys the macro gave
are matched against the keys each dialog has, the way ImageJ looks them up
(:mod:`~ij_bgcorr.macro.keys`). Only the macro's own ``run(...)`` calls are
checked (not commands other commands run), and only commands that fill a
``GenericDialog``; headless Fiji's dialogs are not seen at all.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ij_bgcorr.engine.java import java
from ij_bgcorr.macro.keys import unread_keys

_COMPONENT_ADDED = 300  # java.awt.event.ContainerEvent.COMPONENT_ADDED


@dataclass
class Unread:
    """One ``run(...)`` call with keys nothing read.

    Attributes
    ----------
    command : str
    keys : list of str
        The keys not read.
    line : int or None
        The macro line of the call.
    known : list of str
        The keys the command's dialogs have.
    """

    command: str
    keys: list[str]
    line: int | None
    known: list[str]


@dataclass
class _Call:
    thread: Any
    command: str
    options: str | None  # None: run without options, not checked
    line: int | None
    by_macro: bool  # the macro's own run(), not a command another command runs
    dialogs: list[Any] = field(default_factory=list)


class OptionWatch:
    """Keeps each command's dialogs and tells which given keys none of them read."""

    def __init__(self) -> None:
        from jpype import JImplements, JOverride

        dialog_class = java.GenericDialog.class_
        self._labels = dialog_class.getDeclaredField("labels")
        self._read_options = dialog_class.getDeclaredField("macroOptions")
        for private in (self._labels, self._read_options):
            private.setAccessible(True)
        self._calls: list[_Call] = []
        self._found: list[Unread] = []
        self._seen = java.Collections.newSetFromMap(java.IdentityHashMap())
        self._lock = threading.Lock()
        watch = self

        @JImplements("java.awt.event.AWTEventListener")
        class _Added:
            @JOverride
            def eventDispatched(self, event: Any) -> None:
                source = event.getSource()
                if int(event.getID()) == _COMPONENT_ADDED and dialog_class.isInstance(source) \
                        and watch._seen.add(source):
                    watch._dialog_made(source)

        self._listener = _Added()
        self._toolkit = java.Toolkit.getDefaultToolkit()
        self._toolkit.addAWTEventListener(self._listener, java.AWTEvent.CONTAINER_EVENT_MASK)

    def close(self) -> None:
        """Stop listening."""
        self._toolkit.removeAWTEventListener(self._listener)

    def command_starts(self, command: str, line: int | None) -> None:
        """Note a command starting on this thread (from the command listener, before it runs).

        Parameters
        ----------
        command : str
        line : int or None
            The macro line running.
        """
        options = java.Macro.getOptions()
        given = None if options is None or not str(options).strip() else str(options)
        thread = java.Thread.currentThread()
        call = _Call(thread, command, given, line, given is not None and _called_by_macro())
        with self._lock:
            if call.by_macro:  # the macro moved on: this thread's earlier commands ended
                ended = [c for c in self._calls if c.thread.equals(thread)]
                self._calls = [c for c in self._calls if not c.thread.equals(thread)]
                self._judge(ended)
            self._calls.append(call)

    def end_run(self) -> list[Unread]:
        """Return, once a macro has ended, every call of it that gave keys nothing read."""
        with self._lock:
            calls, self._calls = self._calls, []
            self._judge(calls)
            found, self._found = self._found, []
            self._seen.clear()
        return found

    def _dialog_made(self, dialog: Any) -> None:
        thread = java.Thread.currentThread()
        with self._lock:
            for call in reversed(self._calls):
                if call.thread.equals(thread):
                    call.dialogs.append(dialog)
                    return

    def _judge(self, calls: list[_Call]) -> None:
        for call in calls:
            filled = [self._fields(d) for d in call.dialogs]
            for dialog in call.dialogs:
                self._seen.remove(dialog)
            if call.options is None or not call.by_macro:
                continue
            dialogs = [(read, keys) for read, keys in filled if read is not None]
            unread = unread_keys(call.command, call.options, dialogs)
            known = sorted({key for _, keys in dialogs for key, _ in keys} - {""})
            found = Unread(call.command, unread, call.line, known)
            if unread and found not in self._found:  # a call in a loop: once
                self._found.append(found)

    def _fields(self, dialog: Any) -> tuple[str | None, list[tuple[str, bool]]]:
        """Return the options a dialog read (None: shown to a person) and its fields' keys."""
        read = self._read_options.get(dialog)
        labels = self._labels.get(dialog)
        boxes = dialog.getCheckboxes()
        fields = [(str(labels.get(c)), bool(boxes is not None and boxes.contains(c)))
                  for c in (labels.keySet() if labels is not None else [])]
        fields += [(name, False) for name, area in (("text1", dialog.getTextArea1()),
                                                    ("text2", dialog.getTextArea2()))
                   if area is not None]
        return (None if read is None else str(read)), fields


def _called_by_macro() -> bool:
    """Tell whether the command starting on this thread is a macro's ``run(...)`` call."""
    trace = str(java.Arrays.toString(java.Thread.currentThread().getStackTrace()))
    start = trace.find("ij.Executer.run(")
    for frame in trace[start:].split(", ")[1:] if start >= 0 else ():
        if not frame.startswith(("ij.IJ.run(", "ij.Executer.")):
            return frame.startswith("ij.macro.Functions.")
    return False
