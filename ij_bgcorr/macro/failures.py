"""Telling from what a macro run left behind whether it failed, and how.

A pure function of recorded evidence, so that it can be tested without Java.
ImageJ reports a macro's failure in different ways depending on where it runs:

* ImageJ 1.x with a display (the embedded engine) opens a modal "Macro Error"
  dialog whose text ends in ``in line N``;
* Fiji's headless legacy layer prints ``Macro Error: <message> in line N`` and
  the offending statement to standard error, and for an unknown command lets
  the macro call return normally;
* ``IJ.error`` (a missing window or file) prints its message and, on a macro
  thread, cancels the macro ("Macro canceled");
* a Java exception inside a macro function prints its stack trace (one
  without a trace: its class name and an empty line);
* ``exit("message")`` ends the macro with "Macro canceled" after printing its
  message, while a plain ``exit()`` is a clean end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ij_bgcorr.errors import MacroError
from ij_bgcorr.macro.log import log_text
from ij_bgcorr.macro.text import SKIPPED_TEXT

_LINE_SUFFIX = re.compile(r"^(?P<msg>.*?) in line (?P<line>\d+)\s*$", re.S)
_IN_LINE = re.compile(r"^(?P<msg>.*?) in line (?P<line>\d+)\b", re.S)
# Thread.dumpStack() prints a trace that is no error
_DUMPED_STACK = "java.lang.Exception: Stack trace"
# A Java stack trace's first line, e.g. "java.lang.NumberFormatException: For input ..."
_JAVA_EXCEPTION = re.compile(r"^(?:[a-zA-Z_$][\w$]*\.)+[\w$]*(?:Exception|Error)\b")
# The same, alone on its line: an exception without message or stack trace (a JVM started
# without -XX:-OmitStackTraceInFastThrow throws such in hot code), printed with an empty line
_BARE_EXCEPTION = re.compile(r"(?:[a-zA-Z_$][\w$]*\.)+[\w$]*(?:Exception|Error)")
# exit, exit(), exit("message"): the argument, if any, is captured
_EXIT_CALL = re.compile(r"\bexit\b\s*(?:\(\s*(?P<arg>[^)]*?)\s*\))?")
_STRING_OR_COMMENT = re.compile(SKIPPED_TEXT, re.S)
_DIALOG_BUTTONS = ("OK", 'Show "Debug" Window')
# The macro functions that wait for a person to answer a dialog
_PERSON_CALL = re.compile(
    r"\b(?:(waitForUser)\b|(open)\s*\(\s*\)|(getBoolean|getNumber|getString|getDirectory|getDir"
    r"|showMessageWithCancel|File\.openDialog|Dialog\.show|Dialog\.create(?:NonBlocking)?)\s*\()")
# How headless Fiji refuses a dialog; a file chooser cancels the macro
_HEADLESS_REFUSALS = ("HeadlessException", "headless dialog", "The macro was canceled",
                      "NonBlockingGenericDialog")
_CANCELED = "Macro canceled"
# run("Command") with no options: its dialog shows
_RUN_WITHOUT_OPTIONS = re.compile(r'\brun\s*\(\s*"(?P<command>[^"\n]*)"\s*\)')


@dataclass
class RunEvidence:
    """What one macro run left behind, as plain Python values.

    Attributes
    ----------
    code : str
        The macro's text.
    last_line : int
        The 1-based macro line the interpreter was at when the run ended.
    printed, errors : list of (int, str)
        Each line written to standard output and standard error during the
        run, with the macro line that was running.
    dialogs : list of (str, list of str)
        Each dialog that ended the run, as its title and texts.
    messages : list of (str, list of str)
        Each message ImageJ showed and that was answered OK, as its title and texts.
    aborted : bool or None
        Whether ImageJ aborted the macro after an error (its ``Macro.abort``), as
        opposed to the macro's own ``exit``; None when not known (a batch run).
    interpreter_error : str or None
        The interpreter's own error message when it says it failed.
    exception : (str, str) or None
        The Java exception's class name and message, when the run ended with one.
    exit_request : (int, int) or None
        The status and 1-based line of a ``System.exit`` the engine refused.
    dialog_line : int or None
        The macro line running when the first dialog opened.
    log_window : str or None
        The Log window's text, when ImageJ has one (its main window exists); else
        ImageJ printed the log to standard output.
    """

    code: str
    last_line: int
    printed: list[tuple[int, str]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    dialogs: list[tuple[str, list[str]]] = field(default_factory=list)
    messages: list[tuple[str, list[str]]] = field(default_factory=list)
    aborted: bool | None = None
    interpreter_error: str | None = None
    exception: tuple[str, str] | None = None
    exit_request: tuple[int, int] | None = None
    dialog_line: int | None = None
    log_window: str | None = None

    @property
    def log(self) -> str:
        """The Log window's text: as ImageJ shows it, or as it would show what was printed."""
        if self.log_window is not None:
            return self.log_window
        return log_text([text for _, text in self.printed])

    def error(self, message: str, line: int | None) -> MacroError:
        """Make the :class:`~ij_bgcorr.errors.MacroError` for ``message``, with code line and log.

        Parameters
        ----------
        message : str
            ImageJ's message.
        line : int or None
            The 1-based macro line it names; when None (or 0), :attr:`last_line`.

        Returns
        -------
        MacroError
            The error, not raised.
        """
        line = line or self.last_line
        return MacroError(message, line=line, code_line=line_text(self.code, line), log=self.log)


def macro_error(run: RunEvidence) -> MacroError | None:
    """Return the error the run ended with, or None when it succeeded (or ended with ``exit()``).

    ``System.exit(0)`` (refused by the engine, which keeps Java running) ends the
    macro as ``exit()`` does, on the line that called it; another status is an
    error naming it.

    A call that waits for a person (``waitForUser``, ``getBoolean``,
    ``Dialog.show``, a file chooser, ...) fails on both engines: the error
    names the call, whether ImageJ showed a dialog (the embedded engine) or
    refused to (headless Fiji: a HeadlessException, or a canceled macro).

    Parameters
    ----------
    run : RunEvidence
        What the run left behind.

    Returns
    -------
    MacroError or None
        The error, with ImageJ's message, line and the log; not raised.
    """
    if run.exit_request is not None:
        status, line = run.exit_request
        return None if status == 0 else run.error(
            f"The macro called System.exit({status}): ImageJ would quit here with status "
            f"{status}. Java, which runs this engine in the Python process, was kept running "
            "and the engine stays usable.", line)
    error = _imagej_error(run)
    if error is None or not error.line:
        return error
    call = asks_a_person(line_text(run.code, error.line) or "")
    headless = any(mark in error.message for mark in _HEADLESS_REFUSALS)
    # a dialog that asks (not ImageJ's own error message, which names a line)
    asked = any(title != "Macro Error" and dialog_message(title, texts)[1] is None
                for title, texts in run.dialogs[:1])
    if call and (asked or headless):
        return run.error(
            f"{call}() waits for a person to answer a dialog, and nobody can in a script "
            "run (headless Fiji stops here too): give the macro the value as an argument "
            "or a script parameter (#@) instead", error.line)
    command = _command_without_options(line_text(run.code, error.line) or "",
                                       [title for title, _ in run.dialogs[:1]])
    if command:
        return run.error(
            f'run("{command}") gives no options, so ImageJ shows the command\'s dialog and '
            "waits for a person to fill it in, as in the Fiji GUI: give its options, as "
            "Plugins > Macros > Record... writes them", error.line)
    return error


def _command_without_options(statement: str, dialog_titles: list[str]) -> str | None:
    """Return the command a statement runs without options whose dialog opened, if any."""
    code = _STRING_OR_COMMENT.sub(lambda m: "" if m[0][0] == "/" else m[0], statement)
    for match in _RUN_WITHOUT_OPTIONS.finditer(code):
        command = match["command"]
        if any(title.rstrip(".") == command.rstrip(".") for title in dialog_titles):
            return command
    return None


def asks_a_person(statement: str) -> str | None:
    """Return the first call in a statement that waits for a person, e.g. ``"waitForUser"``.

    Parameters
    ----------
    statement : str
        Macro code; calls in its strings and comments do not count.

    Returns
    -------
    str or None
        The function's name, None when there is none.
    """
    code = _code_only(statement)
    calls = [next(name for name in match.groups() if name)
             for match in _PERSON_CALL.finditer(code)]
    # a dialog created and shown on one line waits at its show
    shown = [call for call in calls if call != "Dialog.create"]
    return (shown or calls or [None])[0]


def _imagej_error(run: RunEvidence) -> MacroError | None:
    """Return the error as ImageJ reported it (dialog, printed error, exception or cancel)."""
    for title, texts in run.dialogs:
        message, line = dialog_message(title, texts)
        return run.error(message, line or run.dialog_line)
    printed_error = _printed_macro_error([text for _, text in run.errors])
    if printed_error is not None:
        return run.error(*printed_error)
    for stream in (run.printed, run.errors):
        for k, (line, text) in enumerate(stream[:-1]):
            after = stream[k + 1][1]
            traced = after.startswith("\tat ") or (
                not after.strip() and _BARE_EXCEPTION.fullmatch(text) is not None)
            if _JAVA_EXCEPTION.match(text) and traced and not text.startswith(_DUMPED_STACK):
                return run.error(_root_cause(text, [t for _, t in stream[k + 1:]]), line)
    if run.exception is None:
        return run.error(run.interpreter_error, None) if run.interpreter_error else None
    name, text = run.exception
    if text == _CANCELED:
        return _canceled(run)
    if run.interpreter_error:
        return run.error(run.interpreter_error, None)
    return run.error(f"{name}: {text}", None)


def _printed_macro_error(lines: list[str]) -> tuple[str, int] | None:
    """Fiji's ``Macro Error: <message> in line N`` (the message may span lines)."""
    for k, text in enumerate(lines):
        if not text.startswith("Macro Error: "):
            continue
        message = text.removeprefix("Macro Error: ")
        for more in [""] + lines[k + 1:k + 6]:
            message = f"{message} {more}".strip() if more else message
            match = _LINE_SUFFIX.match(message)
            if match:
                return " ".join(match["msg"].split()), int(match["line"])
    return None


def _root_cause(first: str, trace: list[str]) -> str:
    """Return a printed stack trace's innermost exception (``Caused by: ...``), else the first."""
    cause = first.strip()
    for text in trace:
        if text.startswith("Caused by: "):
            cause = text.removeprefix("Caused by: ").strip()
        elif not text.startswith("\t"):
            break
    return cause


def _canceled(run: RunEvidence) -> MacroError | None:
    """Tell an abort after an error from the macro's own ``exit``.

    In a GUI run ImageJ says which it was: an abort is an error whose message is
    the last one it showed; ``exit()`` and ``exit("message")`` are clean ends
    (the message was answered OK). Elsewhere ``exit()`` is a clean end and
    ``exit("message")``, ``IJ.error`` and an abort are errors: ImageJ prints an
    ``exit`` message or an ``IJ.error`` message just before it cancels, on the
    line that was running, and those lines are the message.
    """
    if run.aborted is False:
        return None
    statement = line_text(run.code, run.last_line) or ""
    printed = [text for line, text in run.printed + run.errors if line == run.last_line]
    shown = [dialog_message(*message)[0] for message in run.messages[-1:]]
    if run.aborted is None:
        bare, with_message = exit_calls(statement)
        if bare and not (with_message and (printed or shown)):
            return None
    message = " ".join(" ".join(shown or printed).split())
    return run.error(message or "The macro was canceled", None)


def exit_calls(statement: str) -> tuple[int, int]:
    """Count the ``exit`` calls in a statement that have no message, and those that have one.

    Parameters
    ----------
    statement : str
        Macro code; ``exit`` in its strings and comments does not count.

    Returns
    -------
    tuple of int
        ``(calls without a message, calls with one)``.
    """
    code = _code_only(statement)
    args = [call["arg"] for call in _EXIT_CALL.finditer(code)]
    return sum(not arg for arg in args), sum(bool(arg) for arg in args)


def _code_only(statement: str) -> str:
    """Return macro code with its comments removed and its strings emptied (``""``)."""
    return _STRING_OR_COMMENT.sub(lambda m: "" if m[0][0] == "/" else '""', statement)


def dialog_message(title: str, texts: list[str]) -> tuple[str, int | None]:
    """Return ImageJ's message and line number from a dialog's texts.

    A "Macro Error" dialog shows the message, ``in line N``, then the
    statement around the error; only the message is kept.

    Parameters
    ----------
    title : str
        The dialog's title.
    texts : list of str
        Its texts, buttons included.

    Returns
    -------
    tuple of (str, int or None)
        The message, and the 1-based line when the dialog names one. A dialog
        with no text but its buttons is taken as one asking for input.
    """
    body = [t for t in texts if t.strip() and t.strip() not in _DIALOG_BUTTONS]
    if not body:
        return f"ImageJ opened a dialog titled {title!r} asking for input", None
    match = _IN_LINE.search("\n".join(body))
    if match:
        return " ".join(match["msg"].split()), int(match["line"])
    prefix = "" if title in ("Macro Error", "Macro", "") else f"{title}: "
    return prefix + " ".join(" ".join(body).split()), None


def line_text(code: str, line: int | None) -> str | None:
    """Return the text of 1-based ``line`` of ``code``, or None when out of range.

    Parameters
    ----------
    code : str
        Macro code.
    line : int or None
        A 1-based line number.

    Returns
    -------
    str or None
        The line, without its line break.
    """
    lines = code.splitlines()
    if line is None or not 1 <= line <= len(lines):
        return None
    return lines[line - 1]
