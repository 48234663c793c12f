"""Running ImageJ macro code so that it can neither hang nor fail silently.

Every command and every macro runs through :class:`MacroRunner`: the code runs
in ImageJ's interpreter on a worker thread named as ImageJ names its own macro
threads, while the :mod:`~ij_bgcorr.engine.watchdog` closes any dialog ImageJ
opens and :mod:`~ij_bgcorr.engine.capture` records what it prints. When the
run ends, :func:`~ij_bgcorr.macro.failures.macro_error` tells from that
evidence whether and how it failed. A run past its timeout is aborted, and
stopped if it ignores the abort.

A run is in one of two modes:

* **GUI** (``gui=True``): as in the Fiji GUI. The inputs are shown in image
  windows, the macro runs outside batch mode, so that ``selectWindow``,
  ``Restore Selection``, plots, the ROI Manager and tables behave as they do
  for a user; what it prints is read from the Log window; the run ends when
  ImageJ is idle (a filter may still be writing when the macro's thread ends).
  ImageJ's messages (``showMessage``, ``exit("...")``, a command's error) are
  answered OK, as a person would, and ImageJ decides whether the macro goes
  on; any other dialog ends the run with its message.
* **batch** (``gui=False``): the inputs are batch-mode images and no window
  shows, as headless Fiji runs a macro (and as the engine's own commands run).
"""

from __future__ import annotations

import atexit
import logging
import math
import threading
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ij_bgcorr.engine import exit_guard
from ij_bgcorr.engine.capture import Captured, OutputCapture
from ij_bgcorr.engine.fresh import StaticState, close_windows
from ij_bgcorr.engine.hooks import CommandHooks
from ij_bgcorr.engine.idle import live_threads, wait_until_idle
from ij_bgcorr.engine.java import java
from ij_bgcorr.engine.jvm import never_wait_at_exit_for_stray_threads
from ij_bgcorr.engine.open_images import images_by_title, open_images, open_inputs
from ij_bgcorr.engine.tables import (
    close_text_windows,
    log_window_text,
    named_tables,
    reset_results,
    results_frame,
)
from ij_bgcorr.engine.unread import Unread
from ij_bgcorr.engine.watchdog import (
    SWEEP_SECONDS,
    WindowWatch,
    stop_interrupted_macro,
    stop_macro,
)
from ij_bgcorr.errors import MacroError, MacroTimeout, MacroWarning
from ij_bgcorr.macro.failures import RunEvidence, dialog_message, line_text, macro_error
from ij_bgcorr.macro.text import quote
from ij_bgcorr.options import DEFAULT_TIMEOUT

log = logging.getLogger(__name__)

# ImageJ stops a macro at IJ.error (a missing file or window) only on a thread named
# as its own macro threads are ("Run$_<name> Macro$"); on another it would go on.
_MACRO_THREAD = "Run$_ij-bgcorr Macro$"


@dataclass
class MacroOutcome:
    """What a successful macro run left behind.

    Attributes
    ----------
    images : dict of str to ImagePlus
        Each open image by title, in the order they were opened (a title
        several images share gets ``-2``, ``-3`` suffixes, so none is lost).
    active : str or None
        The title of the image active at the end.
    log : str
        What the macro printed.
    returned : str or None
        The string the macro returned, if any.
    results : pandas.DataFrame
        The Results table.
    tables : dict of str to pandas.DataFrame
        The other tables, by title.
    variables : dict of str to (float, str or None)
        The values the macro left in the variables it was asked for.
    messages : list of str
        The messages answered OK, as ``"title: text"``.
    """

    images: dict[str, Any] = field(default_factory=dict)
    active: str | None = None
    log: str = ""
    returned: str | None = None
    results: pd.DataFrame = field(default_factory=pd.DataFrame)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    variables: dict[str, float | str | None] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


@dataclass
class _Run:
    """The state of one macro run: its interpreter, its threads and how it ended."""

    code: str
    argument: str
    interp: Any
    java_thread: Any | None = None
    returned: Any | None = None
    exception: Any | None = None
    dialog_line: int | None = None
    exit_request: tuple[int, int] | None = None

    def work(self) -> None:
        """Run the code in ImageJ's interpreter: the worker thread's body."""
        thread = java.Thread.currentThread()
        thread.setName(_MACRO_THREAD)
        self.java_thread = thread
        try:
            self.returned = self.interp.run(self.code, self.argument)
        except Exception as exc:  # a Java exception ends the macro
            self.exception = exc
        finally:
            java.Thread.detach()

    def evidence(self, captured: Captured, windows: WindowWatch, gui: bool) -> RunEvidence:
        """Everything the run left behind, for :func:`~ij_bgcorr.macro.failures.macro_error`."""
        exc = self.exception
        return RunEvidence(
            code=self.code, last_line=self.line(),
            printed=captured.out.lines, errors=captured.err.lines,
            dialogs=list(windows.dialogs), messages=list(windows.messages),
            aborted=_aborted_by_imagej() if gui else None,
            interpreter_error=_interpreter_error(self.interp), dialog_line=self.dialog_line,
            exit_request=self.exit_request,
            exception=None if exc is None else (type(exc).__name__, _exception_text(exc)),
            log_window=log_window_text())

    def line(self) -> int:
        """Return the macro line the interpreter is at (0 when it cannot say)."""
        try:
            return int(self.interp.getLineNumber())
        except Exception:  # the interpreter's line table is being replaced at its end
            return 0


class MacroRunner:
    """Runs macro code in ImageJ 1.x's interpreter; one instance per engine.

    Not thread-safe by itself: the engine serializes calls.
    """

    def __init__(self, jar: Path) -> None:
        # recorded before anything runs: the state of a freshly started ImageJ
        self._fresh = StaticState(jar)
        self._windows = WindowWatch()
        self._output = OutputCapture()
        self._hooks = CommandHooks()
        # ImageJ keeps the interpreter of the last macro function that ran a command
        # (IJ.macroInterpreter); after one failed, ImageJ hands the next run's errors
        # to it, and they are lost. It is cleared before every run.
        self._last_interpreter = java.IJ.class_.getDeclaredField("macroInterpreter")
        self._last_interpreter.setAccessible(True)
        # the interpreter's own end-of-macro flag: set, the macro stops at its next statement
        self._done = java.Interpreter.class_.getDeclaredField("done")
        self._done.setAccessible(True)
        atexit.register(self.close)

    def close(self) -> None:
        """Let the JVM end with Python: stop AWT callbacks, windows and ImageJ's thread pool.

        ImageJ's shared ``ThreadUtil`` pool has non-daemon threads the JVM
        would wait for forever when Python exits. Nothing to do once Java has ended.
        """
        import jpype

        if not jpype.isJVMStarted():
            return
        self._hooks.close()
        self._windows.close()
        # interrupted too: filter threads left waiting by a stopped command would keep the
        # JVM, and so the process, from ending
        java.ThreadUtil.threadPoolExecutor.shutdownNow()
        never_wait_at_exit_for_stray_threads()

    def close_all_images(self) -> None:
        """Close every image ImageJ holds (batch-mode and window images) and every table window."""
        close_text_windows()
        for imp in open_images().values():
            java.Interpreter.removeBatchModeImage(imp)
            imp.changes = False
            imp.close()
            imp.flush()

    def start_afresh(self) -> None:
        """Close every window and set ImageJ's state back to a freshly started ImageJ's.

        Called before a macro's inputs are made into images (their IDs are counted
        from a fresh ImageJ's), and after the macro, so that the engine's own commands
        never see what a macro changed.
        """
        self.close_all_images()
        close_windows()
        self._fresh.restore()

    def run(self, code: str, argument: str = "", inputs: Mapping[str, Any] | None = None,
            timeout: float | None = DEFAULT_TIMEOUT, variables: Sequence[str] = (),
            gui: bool = False, files: Sequence[str] = ()) -> MacroOutcome:
        """Run macro ``code`` with ``inputs`` open; the first input is active.

        Parameters
        ----------
        code : str
            The macro's text.
        argument : str
            What ``getArgument()`` returns inside the macro.
        inputs : mapping of str to ImagePlus, optional
            Images to open first, by title.
        timeout : float or None
            Seconds the macro may run; None: no limit.
        variables : sequence of str
            Global variables to read at the end (a string, a number, None when unset).
        gui : bool
            Run as in the GUI (windows, not batch mode), else in batch mode.
        files : sequence of str
            Image files ImageJ opens with ``open(path)`` after ``inputs``, before the
            macro, in order (the last one is active).

        Returns
        -------
        MacroOutcome
            The images left open (still open, for the caller to read and close),
            the log and the returned value.

        Raises
        ------
        MacroError
            With ImageJ's message and line, on any error (a file that could not be
            opened is named); every image is closed.
        MacroTimeout
            After ``timeout`` seconds; every image is closed.
        """
        self.close_all_images()
        reset_results()
        self._hooks.batch = not gui
        open_inputs(inputs or {}, gui)
        if files:
            opener = "".join(f"open({quote(str(path))});\n" for path in files)
            try:
                self._execute(opener, "", timeout, gui)
            except MacroError as exc:
                path = files[min(max((exc.line or 1) - 1, 0), len(files) - 1)]
                raise MacroError(f"ImageJ could not open {path}: {exc.message}",
                                 log=exc.log) from None
        return self._execute(code, argument, timeout, gui, variables)

    def _execute(self, code: str, argument: str, timeout: float | None, gui: bool,
                 variables: Sequence[str] = ()) -> MacroOutcome:
        """Run ``code`` in a new interpreter on the images open now; see :meth:`run`."""
        run = _Run(code, argument, java.Interpreter())
        dialog_opened = threading.Event()

        def halt() -> None:  # on AWT's thread, before the dialog lets the macro go on
            if run.dialog_line is None:
                run.dialog_line = run.line()
            self._done.setBoolean(run.interp, True)
            dialog_opened.set()

        def exited(status: int) -> None:  # on the thread asking Java to end, before refused
            if not _started_by(run):  # a thread an earlier macro left running
                log.warning("A thread an earlier macro started asked Java to end "
                            "(System.exit(%d)); refused, and this macro goes on", status)
                return
            run.exit_request = (status, run.line())
            self._done.setBoolean(run.interp, True)

        self._windows.start_run(on_dialog=halt)
        exit_guard.on_exit(exited)
        self._hooks.on_quit = lambda: exited(0)
        self._last_interpreter.set(None, None)
        self._hooks.line_of = run.line
        before = set(live_threads()) if gui else set()
        with self._output.during(run.line) as captured:
            worker = threading.Thread(target=run.work, name="ij-bgcorr-macro", daemon=True)
            worker.start()
            try:
                self._wait(worker, timeout, dialog_opened, run.interp)
            except BaseException:  # e.g. Ctrl-C: the macro is stopped before this returns, so
                # that no thread of it (or its "Exception" window) outlives it into the next run
                stop_interrupted_macro(run.interp, worker, run.java_thread)
                self._windows.settle()
                raise
            timed_out = worker.is_alive()
            still_running = timed_out and not stop_macro(run.interp, worker, run.java_thread)
            if gui and not timed_out:
                wait_until_idle(before, open_images)
            self._windows.settle()
        evidence = run.evidence(captured, self._windows, gui)
        _warn_of_unread_keys(self._hooks.watch.end_run(), code)
        if timed_out:
            self.close_all_images()
            ending = ("could not be stopped: ImageJ's thread goes on in the background"
                      if still_running else "was stopped")
            raise MacroTimeout(
                f"The macro ran longer than its timeout of {timeout:g} s and {ending}",
                line=evidence.last_line, code_line=line_text(code, evidence.last_line),
                log=evidence.log)
        error = macro_error(evidence)
        if error is not None:
            self.close_all_images()
            raise error
        images, active = images_by_title()
        returned = None if run.returned is None else str(run.returned)
        return MacroOutcome(images=images, active=active, log=evidence.log, returned=returned,
                            results=results_frame(), tables=named_tables(),
                            variables={name: _variable(run.interp, name) for name in variables},
                            messages=[dialog_message(*shown)[0] for shown in evidence.messages])

    def _wait(self, worker: threading.Thread, timeout: float | None,
              dialog_opened: threading.Event,
              interp: Any) -> None:
        """Wait up to ``timeout`` seconds for the macro, sweeping windows meanwhile.

        A macro that opened a dialog is stopped: nobody will answer it.
        """
        deadline = time.monotonic() + (math.inf if timeout is None else timeout)
        while worker.is_alive() and time.monotonic() < deadline:
            worker.join(min(SWEEP_SECONDS, max(deadline - time.monotonic(), 0)))
            if worker.is_alive():
                self._windows.sweep()
                if dialog_opened.is_set():
                    dialog_opened.clear()
                    interp.abortMacro()


def _warn_of_unread_keys(found: list[Unread], code: str) -> None:
    """Warn (MacroWarning) of each ``run(...)`` call whose options a command did not read."""
    for unread in found:
        warnings.warn(MacroWarning(unread.command, unread.keys, unread.line, unread.known,
                                   line_text(code, unread.line)), stacklevel=4)


def _variable(interp: Any, name: str) -> float | str | None:
    """Return a macro variable's value after the run: its string, its number, or None."""
    text = interp.getStringVariable(name)
    if text is not None:
        return str(text)
    names = {str(n) for n in interp.getVariableNames() or []}
    return float(interp.getVariable2(name)) if name in names else None


def _interpreter_error(interp: Any) -> str | None:
    """Return the interpreter's own error message, when it says the macro failed (ImageJ 1.54+)."""
    try:
        failed = bool(interp.wasError())
    except AttributeError:  # older ImageJ has no wasError()
        return None
    message = interp.getErrorMessage() if failed else None
    return None if message is None else str(message)


def _started_by(run: _Run) -> bool:
    """Tell whether the current Java thread is the macro's or one started after it.

    Java thread ids only grow: a thread an earlier macro started has a smaller id.
    """
    if run.java_thread is None:
        return False
    return int(java.Thread.currentThread().getId()) >= int(run.java_thread.getId())


def _aborted_by_imagej() -> bool:
    """Tell whether ImageJ aborted the macro (``Macro.abort``: after an error message).

    ``exit()`` ends a macro the same way ("Macro canceled") without this flag.
    The field is package-private: read by reflection.
    """
    flag = java.Macro.class_.getDeclaredField("abort")
    flag.setAccessible(True)
    return bool(flag.getBoolean(None))


def _exception_text(exc: Any) -> str:
    return str(exc.getMessage()) if hasattr(exc, "getMessage") else str(exc)
