"""Running ImageJ macro code so that it can neither hang nor fail silently.

ImageJ 1.x reports trouble in three ways, and each one is caught here:

* the macro interpreter's own errors (syntax, unknown command, missing image)
  open a modal "Macro Error" dialog: an AWT listener reads its text and
  closes it at once, so the calling thread never waits on it;
* ``IJ.error`` messages (e.g. "No window with the title ... found") go to
  standard output when ImageJ has no main window: standard output is
  captured line by line, each line tagged with the macro line running when it
  was printed, and ``IJ.getErrorMessage()`` tells which line was the error;
* ``exit("message")`` ends the macro with "Macro canceled" after printing
  its message.

Any other window ImageJ opens (a dialog asking for input) is closed too and
reported as an error. A macro that runs past its timeout is aborted; if a
command inside it ignores the abort (e.g. ImageJ's sliding paraboloid looping
on NaN), its thread is stopped with ``Thread.stop`` (Java 17; newer Java
refuses, and the error then says the thread goes on).

The listener can lose a race with AWT: when it closes a modal dialog before the
macro's thread has entered the dialog's event loop, that thread waits forever
on a dialog nobody sees. While a macro runs, open windows are therefore also
swept every ``_SWEEP_SECONDS``: a window still showing is read and closed, and
the modal dialogs this run has closed are closed again, which ends such a wait.
"""

from __future__ import annotations

import atexit
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import MacroTimeout
from .macro_errors import RunEvidence, line_text, macro_error

_GRACE_SECONDS = 5.0
# ImageJ's own macro threads are named "Run$_<name> Macro$" (see work() in MacroRunner.run).
_MACRO_THREAD = "Run$_ij-bgcorr Macro$"
_SWEEP_SECONDS = 0.25


@dataclass
class MacroOutcome:
    """What a successful macro run left behind.

    ``images`` maps each open image's title to its ``ij.ImagePlus``, in the
    order they were opened (a title several images share gets ``-2``, ``-3``
    suffixes, so none is lost); ``active`` is the title of the image that was
    active at the end (or None); ``log`` is what the macro printed;
    ``returned`` is the string it returned, if any.
    """

    images: dict[str, Any] = field(default_factory=dict)
    active: str | None = None
    log: str = ""
    returned: str | None = None


@dataclass
class _Stream:
    """Lines one Java output stream printed during a run, with the macro line running."""

    line_of: Callable[[], int]
    lines: list[tuple[int, str]] = field(default_factory=list)
    partial: str = ""
    partial_line: int = 0

    def write(self, text: str) -> None:
        if not self.partial:
            self.partial_line = self.line_of()
        self.partial += text
        while "\n" in self.partial:
            head, self.partial = self.partial.split("\n", 1)
            self.lines.append((self.partial_line, head))
            self.partial_line = self.line_of()

    def finish(self) -> None:
        if self.partial:
            self.lines.append((self.partial_line, self.partial))
            self.partial = ""


@dataclass
class _Capture:
    """Java's standard output and standard error during one run."""

    out: _Stream
    err: _Stream

    @classmethod
    def following(cls, line_of: Callable[[], int]) -> _Capture:
        return cls(_Stream(line_of), _Stream(line_of))

    def finish(self) -> None:
        self.out.finish()
        self.err.finish()


class MacroRunner:
    """Runs macro code in ImageJ 1.x's interpreter; one instance per engine.

    Not thread-safe by itself: the engine serializes calls.
    """

    def __init__(self) -> None:
        from jpype import JClass, JImplements, JOverride

        self._IJ = JClass("ij.IJ")
        self._Interpreter = JClass("ij.macro.Interpreter")
        self._WindowManager = JClass("ij.WindowManager")
        self._System = JClass("java.lang.System")
        self._Thread = JClass("java.lang.Thread")
        self._dialogs: list[tuple[str, list[str]]] = []
        # windows this run has read and closed (a Java identity set)
        self._closed = JClass("java.util.Collections").newSetFromMap(
            JClass("java.util.IdentityHashMap")())
        self._windows_lock = threading.Lock()
        self._capture: _Capture | None = None
        runner = self

        @JImplements("java.awt.event.AWTEventListener")
        class _CloseWindows:
            @JOverride
            def eventDispatched(self, event: Any) -> None:
                runner._on_window_event(event)

        @JImplements("java.lang.Runnable")
        class _Sweep:
            @JOverride
            def run(self) -> None:
                runner._sweep_on_event_thread()

        @JImplements("java.nio.channels.WritableByteChannel")
        class _OutputChannel:
            def __init__(self, name: str) -> None:
                self.name = name

            @JOverride
            def write(self, buffer: Any) -> int:
                return runner._on_output(self.name, buffer)

            @JOverride
            def isOpen(self) -> bool:
                return True

            @JOverride
            def close(self) -> None:
                pass

        self._listener = _CloseWindows()
        self._sweep_task = _Sweep()
        self._sweep_pending = False
        self._EventQueue = JClass("java.awt.EventQueue")
        self._toolkit = JClass("java.awt.Toolkit").getDefaultToolkit()
        self._toolkit.addAWTEventListener(self._listener,
                                          JClass("java.awt.AWTEvent").WINDOW_EVENT_MASK)
        atexit.register(self.close)
        channels, print_stream = JClass("java.nio.channels.Channels"), JClass("java.io.PrintStream")
        self._stdout, self._stderr = (
            print_stream(channels.newOutputStream(_OutputChannel(name)), True, "UTF-8")
            for name in ("out", "err"))
        # ImageJ keeps the interpreter of the last macro function that ran a command
        # (IJ.macroInterpreter); after one failed, ImageJ hands the next run's errors
        # to it, and they are lost. It is cleared before every run.
        self._last_interpreter = JClass("ij.IJ").class_.getDeclaredField("macroInterpreter")
        self._last_interpreter.setAccessible(True)
        label = JClass("ij.gui.MultiLineLabel").class_.getDeclaredField("lines")
        label.setAccessible(True)
        self._label_lines = label
        self._MultiLineLabel = JClass("ij.gui.MultiLineLabel")
        self._Container = JClass("java.awt.Container")
        self._Window = JClass("java.awt.Window")
        self._Dialog = JClass("java.awt.Dialog")

    def close(self) -> None:
        """Let the JVM end with Python: stop AWT callbacks, windows and ImageJ's thread pool.

        ImageJ's shared ``ThreadUtil`` pool has non-daemon threads the JVM
        would wait for forever when Python exits.
        """
        from jpype import JClass

        self._toolkit.removeAWTEventListener(self._listener)
        for window in JClass("java.awt.Window").getWindows():
            window.dispose()
        JClass("ij.util.ThreadUtil").threadPoolExecutor.shutdown()

    # -- callbacks from Java threads -------------------------------------------------
    def _on_window_event(self, event: Any) -> None:
        if int(event.getID()) == 200:  # WindowEvent.WINDOW_OPENED
            self._read_and_close(event.getWindow())

    def _read_and_close(self, window: Any) -> None:
        """Keep a window's title and texts for the error report, then dispose of it."""
        with self._windows_lock:
            first_time = bool(self._closed.add(window))
        try:
            if first_time:
                title = str(window.getTitle()) if hasattr(window, "getTitle") else ""
                texts: list[str] = []
                self._collect_text(window, texts)
                self._dialogs.append((title, texts))
        finally:
            window.dispose()

    def _sweep_windows(self) -> None:
        """Ask AWT's event thread to sweep the windows (once; the caller never waits on it).

        Disposing a window from another thread waits for the event thread, which
        under load can hang for good; on the event thread it cannot.
        """
        with self._windows_lock:
            if self._sweep_pending:
                return
            self._sweep_pending = True
        self._EventQueue.invokeLater(self._sweep_task)

    def _sweep_on_event_thread(self) -> None:
        """Close what the listener missed, and wake a thread stuck in a closed modal dialog.

        Only dialogs this run has already closed are closed again: a dialog ImageJ
        fills from a macro's options without showing it is never touched (its
        dispose would reset the fields the command is still reading).
        """
        try:
            for window in self._Window.getWindows():
                if window.isShowing():
                    self._read_and_close(window)
            with self._windows_lock:
                closed = list(self._closed.toArray())
            for window in closed:
                if isinstance(window, self._Dialog) and window.isModal() \
                        and not window.isShowing():
                    window.dispose()
        except Exception:  # a window going away mid-sweep; the next sweep retries
            pass
        finally:
            with self._windows_lock:
                self._sweep_pending = False

    def _collect_text(self, container: Any, out: list[str]) -> None:
        for comp in container.getComponents():
            if isinstance(comp, self._MultiLineLabel):
                out.extend(str(s) for s in self._label_lines.get(comp) if s is not None)
            elif hasattr(comp, "getText") and not hasattr(comp, "getState"):
                text = comp.getText()
                if text:
                    out.append(str(text))
            if isinstance(comp, self._Container):
                self._collect_text(comp, out)

    def _on_output(self, name: str, buffer: Any) -> int:
        from jpype import JArray, JByte

        n = int(buffer.remaining())
        data = JArray(JByte)(n)
        buffer.get(data)
        text = bytes(data).decode("utf-8", errors="replace")
        if self._capture is not None:
            getattr(self._capture, name).write(text)
        else:
            print(text, end="", file=sys.stdout if name == "out" else sys.stderr)
        return n

    # -- running -----------------------------------------------------------------------
    def _wait(self, worker: threading.Thread, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the macro, sweeping windows meanwhile."""
        deadline = time.monotonic() + timeout
        while worker.is_alive() and time.monotonic() < deadline:
            worker.join(min(_SWEEP_SECONDS, max(deadline - time.monotonic(), 0)))
            if worker.is_alive():
                self._sweep_windows()

    def _stop(self, interp: Any, worker: threading.Thread, java_thread: list[Any]) -> bool:
        """Abort a macro past its timeout; True once it and its ImageJ threads are gone.

        A command may ignore the abort (ImageJ's sliding paraboloid looping on
        NaN) and may run in helper threads (one per plane of a stack): after
        ``_GRACE_SECONDS``, the macro's thread and every thread started after it
        (Java thread ids only grow) that is executing ImageJ code are stopped
        with ``Thread.stop``.
        """
        interp.abortMacro()
        worker.join(_GRACE_SECONDS)
        if not java_thread:  # the macro never reached Java
            return not worker.is_alive()
        first_id = int(java_thread[0].getId())
        stuck = [t for t in self._imagej_threads() if int(t.getId()) >= first_id]
        if worker.is_alive():
            stuck.append(java_thread[0])
        if stuck and all(_force_stop(t) for t in stuck):
            worker.join(_GRACE_SECONDS)
            deadline = time.monotonic() + _GRACE_SECONDS
            while any(t.isAlive() for t in stuck) and time.monotonic() < deadline:
                time.sleep(0.05)
        return not worker.is_alive() and not any(t.isAlive() for t in stuck)

    def _imagej_threads(self) -> list[Any]:
        """Live Java threads executing ImageJ code (an ``ij.`` frame), AWT's own excepted."""
        traces = self._Thread.getAllStackTraces()
        return [thread for thread, frames in traces.items()
                if not str(thread.getName()).startswith("AWT-")
                and any(str(frame.getClassName()).startswith("ij.") for frame in frames)]

    def close_all_images(self) -> None:
        """Close every image ImageJ holds (batch-mode and window images)."""
        for imp in self._open_images().values():
            self._Interpreter.removeBatchModeImage(imp)
            imp.changes = False
            imp.close()
            imp.flush()

    def _open_images(self) -> dict[int, Any]:
        images: dict[int, Any] = {}
        for image_id in list(self._Interpreter.getBatchModeImageIDs() or []):
            imp = self._Interpreter.getBatchModeImage(int(image_id))
            if imp is not None:
                images[int(imp.getID())] = imp
        for image_id in list(self._WindowManager.getIDList() or []):
            imp = self._WindowManager.getImage(int(image_id))
            if imp is not None:
                images.setdefault(int(imp.getID()), imp)
        return images

    def run(
        self,
        code: str,
        argument: str = "",
        inputs: Mapping[str, Any] | None = None,
        timeout: float = 60.0,
    ) -> MacroOutcome:
        """Run ``code`` with ``inputs`` (title → ImagePlus) open; the first is active.

        Raises :class:`MacroError` (with ImageJ's message and line) on any
        error, :class:`MacroTimeout` after ``timeout`` seconds. On error every
        image is closed; on success the images stay open for the caller to
        read and close.
        """
        self.close_all_images()
        self._Interpreter.batchMode = True
        for title, imp in reversed(list((inputs or {}).items())):
            imp.setTitle(title)
            self._Interpreter.addBatchModeImage(imp)
            self._Interpreter.activateImage(imp)
        interp = self._Interpreter()
        self._dialogs.clear()
        with self._windows_lock:
            self._closed.clear()
        self._capture = _Capture.following(lambda: int(interp.getLineNumber()))
        self._last_interpreter.set(None, None)
        result: dict[str, Any] = {}
        java_thread: list[Any] = []

        def work() -> None:
            thread = self._Thread.currentThread()
            # ImageJ stops a macro at IJ.error (a missing file or window) only on a
            # thread named as its own macro threads are; it would go on otherwise.
            thread.setName(_MACRO_THREAD)
            java_thread.append(thread)
            try:
                result["returned"] = interp.run(code, argument)
            except Exception as exc:  # a Java exception ends the macro
                result["exception"] = exc
            finally:
                self._Thread.detach()

        original_out, original_err = self._System.out, self._System.err
        self._System.setOut(self._stdout)
        self._System.setErr(self._stderr)
        try:
            worker = threading.Thread(target=work, name="ij-bgcorr-macro", daemon=True)
            worker.start()
            try:
                self._wait(worker, timeout)
            except BaseException:  # e.g. Ctrl-C: do not leave the macro running
                interp.abortMacro()
                raise
            timed_out = worker.is_alive()
            still_running = timed_out and not self._stop(interp, worker, java_thread)
        finally:
            self._System.setOut(original_out)
            self._System.setErr(original_err)
            self._capture.finish()
        capture, self._capture = self._capture, None
        exc = result.get("exception")
        evidence = RunEvidence(
            code=code, last_line=int(interp.getLineNumber()), printed=capture.out.lines,
            errors=capture.err.lines, dialogs=list(self._dialogs),
            interpreter_error=_interpreter_error(interp),
            exception=None if exc is None else (type(exc).__name__, _exception_text(exc)))
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
        log = evidence.log
        current = self._WindowManager.getCurrentImage()
        current_id = int(current.getID()) if current is not None else None
        images: dict[str, Any] = {}
        active = None
        for image_id, imp in self._open_images().items():
            title = str(imp.getTitle())
            key, n = title, 2
            while key in images:
                key, n = f"{title}-{n}", n + 1
            images[key] = imp
            if image_id == current_id:
                active = key
        return MacroOutcome(
            images=images,
            active=active,
            log=log,
            returned=None if result.get("returned") is None else str(result["returned"]),
        )


def _interpreter_error(interp: Any) -> str | None:
    """The interpreter's own error message, when it says the macro failed (ImageJ 1.54+)."""
    try:
        failed = bool(interp.wasError())
    except AttributeError:  # older ImageJ has no wasError()
        return None
    message = interp.getErrorMessage() if failed else None
    return None if message is None else str(message)


def _exception_text(exc: Any) -> str:
    return str(exc.getMessage()) if hasattr(exc, "getMessage") else str(exc)


def _force_stop(thread: Any) -> bool:
    """Stop a Java thread that ignored the macro abort (a command looping forever).

    ``Thread.stop`` still works on Java 17 (deprecated) and throws on Java 20+,
    where the thread is left running: returns whether the stop was accepted.
    """
    try:
        thread.stop()
    except Exception:  # UnsupportedOperationException on newer Java
        return False
    return True
