"""What keeps a macro run from hanging: closing windows, and stopping runaway threads.

ImageJ 1.x reports errors in modal dialogs that would block the calling thread
forever, and any dialog it opens would wait for a user. An AWT listener reads
every dialog the moment it opens (its title and texts become the error
message), disposes of it, wakes the thread waiting on it and asks the macro to
stop: a run never waits for a person. A message (ImageJ's
``MessageDialog`` or ``HTMLDialog``, whose one button is OK: ``showMessage``,
``exit("...")``, a command's error) is answered OK as a person would, once the
thread that showed it waits in it; whether ImageJ then aborts is ImageJ's own
decision, as in the GUI. Windows that are not dialogs
(images, plots, tables, the Log, the ROI Manager) are left open for the
engine to read; ImageJ's "Exception" window (a Java error) is read and closed.

The listener can lose a race with AWT: when it closes a modal dialog before the
macro's thread has entered the dialog's event loop, that thread waits forever
on a dialog nobody sees. While a macro runs, open windows are therefore also
swept every :data:`SWEEP_SECONDS`: a window still showing is read and closed,
and the modal dialogs this run has closed are closed again, which ends such a
wait.

A command that ignores a macro's abort (ImageJ 1.53t's sliding paraboloid
looping on NaN) is stopped with ``Thread.stop`` (Java 17; newer Java refuses).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ij_bgcorr.engine.java import java

#: Seconds between two sweeps of the open windows while a macro runs.
SWEEP_SECONDS = 0.25
#: Seconds a run's end waits for AWT to deliver the events of windows opened at its end.
SETTLE_SECONDS = 2.0
#: Seconds a macro, then its stopped threads, are given to end.
GRACE_SECONDS = 5.0
#: Seconds a macro interrupted with Ctrl-C is given to end before its threads are stopped.
INTERRUPT_GRACE_SECONDS = 1.0
_WINDOW_OPENED = 200  # java.awt.event.WindowEvent.WINDOW_OPENED


class WindowWatch:
    """Reads and closes every window ImageJ opens; one per engine.

    Attributes
    ----------
    dialogs : list of (str, list of str)
        For the current run, each dialog that ended it, as its title and texts.
    messages : list of (str, list of str)
        For the current run, each message answered OK, as its title and texts.
    """

    def __init__(self) -> None:
        from jpype import JImplements, JOverride

        watch = self

        @JImplements("java.awt.event.AWTEventListener")
        class _Listener:
            @JOverride
            def eventDispatched(self, event: Any) -> None:
                if int(event.getID()) == _WINDOW_OPENED:
                    watch._read_and_close(event.getWindow())

        @JImplements("java.lang.Runnable")
        class _Sweep:
            def __init__(self, swept: threading.Event | None = None) -> None:
                self.swept = swept

            @JOverride
            def run(self) -> None:
                try:
                    watch._sweep_on_event_thread()
                finally:
                    if self.swept is not None:
                        self.swept.set()

        self.dialogs: list[tuple[str, list[str]]] = []
        self.messages: list[tuple[str, list[str]]] = []
        self._on_dialog: Callable[[], None] = lambda: None
        # windows this run has read and closed (a Java identity set)
        self._closed = java.Collections.newSetFromMap(java.IdentityHashMap())
        # messages read, to be answered once the thread that showed them waits in them
        self._unanswered: list[Any] = []
        self._stale: list[Any] = []
        self._lock = threading.Lock()
        self._sweep_task = _Sweep()
        self._sweep_class = _Sweep
        self._sweep_pending = False
        self._listener = _Listener()
        self._toolkit = java.Toolkit.getDefaultToolkit()
        self._toolkit.addAWTEventListener(self._listener, java.AWTEvent.WINDOW_EVENT_MASK)
        label = java.MultiLineLabel.class_.getDeclaredField("lines")
        label.setAccessible(True)
        self._label_lines = label

    def start_run(self, on_dialog: Callable[[], None] = lambda: None) -> None:
        """Forget the previous run's windows; call ``on_dialog`` when a dialog ends this run.

        Parameters
        ----------
        on_dialog : callable
            Called on AWT's event thread when a dialog was read, before it is closed;
            must return at once (the runner stops the macro from its own thread).
            ImageJ's messages are answered OK instead.
        """
        self.dialogs.clear()
        self.messages.clear()
        self._on_dialog = on_dialog
        with self._lock:
            # messages of earlier runs nobody waited in (shown by a thread of their own,
            # after their macro ended) are closed unread at the next sweep, not reported again
            self._stale.extend(self._unanswered)
            self._unanswered.clear()
            self._closed.clear()
            for window in self._stale:
                self._closed.add(window)

    def close(self) -> None:
        """Stop listening and dispose of every window (the JVM can then end)."""
        self._toolkit.removeAWTEventListener(self._listener)
        for window in java.Window.getWindows():
            window.dispose()

    def settle(self, timeout: float = SETTLE_SECONDS) -> None:
        """Let AWT deliver the window events of a run that just ended, then sweep once.

        A window ImageJ opened at the very end of a run (the "Exception" window
        of a command that failed) is announced on AWT's event thread a moment
        later; the run's evidence is read only after it was seen. Waits at most
        ``timeout`` seconds.

        Parameters
        ----------
        timeout : float
            Seconds to wait for AWT's event thread.
        """
        swept = threading.Event()
        java.EventQueue.invokeLater(self._sweep_class(swept))
        swept.wait(timeout)

    def sweep(self) -> None:
        """Ask AWT's event thread to sweep the windows (once; the caller never waits on it).

        Disposing a window from another thread waits for the event thread, which
        under load can hang for good; on the event thread it cannot.
        """
        with self._lock:
            if self._sweep_pending:
                return
            self._sweep_pending = True
        java.EventQueue.invokeLater(self._sweep_task)

    def _read_and_close(self, window: Any) -> None:
        """Keep a dialog's title and texts for the error report, close it and stop the macro.

        A message is kept in :attr:`messages` and left for
        :meth:`_answer_waiting` to close.
        """
        if _shows_a_result(window):
            return
        with self._lock:
            first_time = bool(self._closed.add(window))
            unanswered = window in self._unanswered
        if unanswered:
            return
        if first_time and _is_a_message(window):
            self.messages.append(self._read(window))
            with self._lock:
                self._unanswered.append(window)
            return
        try:
            if first_time:
                read = self._read(window)
                # the macro is told to stop before the dialog lets it go on
                self._on_dialog()
                self.dialogs.append(read)
        finally:
            _release(window)

    def _read(self, window: Any) -> tuple[str, list[str]]:
        """Return a window's title and texts."""
        title = str(window.getTitle()) if hasattr(window, "getTitle") else ""
        texts: list[str] = []
        self._collect_text(window, texts)
        return title, texts

    def _answer_waiting(self) -> None:
        """Answer OK the messages whose threads wait in them (oldest first).

        Closing a modal dialog while the thread that shows it is still setting it up
        (between the window's "opened" event and its wait) makes that thread fail
        with AWT's "Window must not be zero"; a person's click always comes later.
        """
        with self._lock:
            pending = list(self._unanswered)
            stale, self._stale = self._stale, []
        for window in stale:
            _release(window)
        if not pending:
            return
        waiting = _threads_waiting_in_dialogs()
        for window in pending[:waiting]:
            with self._lock:
                self._unanswered.remove(window)
            _release(window)

    def _sweep_on_event_thread(self) -> None:
        """Close what the listener missed, and wake a thread stuck in a closed modal dialog.

        Only dialogs this run has already closed are closed again: a dialog ImageJ
        fills from a macro's options without showing it is never touched (its
        dispose would reset the fields the command is still reading).
        """
        try:
            self._answer_waiting()
            for window in java.Window.getWindows():
                if window.isShowing():
                    self._read_and_close(window)
            with self._lock:
                closed = [window for window in self._closed.toArray()
                          if window not in self._unanswered]
            for window in closed:
                if isinstance(window, java.Dialog) and window.isModal() \
                        and not window.isShowing():
                    window.dispose()
                _wake(window)  # a thread that began to wait after the dialog was released
        except Exception:  # a window going away mid-sweep; the next sweep retries
            pass
        finally:
            with self._lock:
                self._sweep_pending = False

    def _collect_text(self, container: Any, out: list[str]) -> None:
        for comp in container.getComponents():
            if isinstance(comp, java.MultiLineLabel):
                out.extend(str(s) for s in self._label_lines.get(comp) if s is not None)
            elif hasattr(comp, "getText") and not hasattr(comp, "getState"):
                text = comp.getText()
                if text:
                    out.append(str(text))
            if isinstance(comp, java.Container):
                self._collect_text(comp, out)


def _shows_a_result(window: Any) -> bool:
    """Tell a window that shows something (kept for the engine to read) from a dialog.

    Every window but a dialog shows something, and so do ImageJ's tool windows (B&C,
    Threshold: non-modal, a macro goes on while they are open); ImageJ's "Exception"
    window shows a Java error, which ends the run.
    """
    if isinstance(window, java.TextWindow):
        return str(window.getTitle()) != "Exception"
    # ImageJ's tool windows (Brightness/Contrast, Threshold) are dialogs that wait for nobody
    return not isinstance(window, java.Dialog) or isinstance(window, java.PlugInDialog)


def _is_a_message(window: Any) -> bool:
    """Tell ImageJ's message dialogs (one OK button: ``IJ.showMessage``, ``IJ.error``)."""
    return isinstance(window, (java.MessageDialog, java.HTMLDialog)) and bool(window.isModal())


def _threads_waiting_in_dialogs() -> int:
    """Count the threads that wait in a modal dialog's event loop (shown, set up, waiting)."""
    count = 0
    for frames in java.Thread.getAllStackTraces().values():
        methods = {(str(frame.getClassName()), str(frame.getMethodName())) for frame in frames}
        if ("java.awt.Dialog", "show") in methods and \
                ("java.awt.WaitDispatchSupport", "enter") in methods:
            count += 1
    return count


def _release(window: Any) -> None:
    """Dispose of a dialog and wake a thread waiting on it.

    ``waitForUser`` and non-blocking dialogs wait on the dialog object itself
    (``Object.wait``), which disposing does not end.
    """
    window.dispose()
    _wake(window)


def _wake(window: Any) -> None:
    """Wake every thread waiting on ``window`` (``Object.notifyAll``)."""
    from jpype import synchronized

    with synchronized(window):
        window.notifyAll()


def stop_macro(interp: Any, worker: threading.Thread, java_thread: Any | None,
               grace: float = GRACE_SECONDS) -> bool:
    """Abort a macro; return True once it and its ImageJ threads are gone.

    A command may ignore the abort and may run in helper threads (one per
    plane of a stack): after ``grace`` seconds, the macro's thread and
    every thread started after it (Java thread ids only grow) that is
    executing ImageJ code are stopped with ``Thread.stop``.

    Parameters
    ----------
    interp : ij.macro.Interpreter
        The macro's interpreter.
    worker : threading.Thread
        The Python thread running it.
    java_thread : java.lang.Thread or None
        The macro's Java thread; None when the macro never reached Java.
    grace : float
        Seconds given to the macro, then to its stopped threads, to end.

    Returns
    -------
    bool
        Whether the macro and its ImageJ threads are gone; not when ``Thread.stop`` is
        refused (Java 20+) or they outlive the grace period.
    """
    interp.abortMacro()
    worker.join(grace)
    if java_thread is None:  # the macro never reached Java
        return not worker.is_alive()
    first_id = int(java_thread.getId())
    stuck = [t for t in _imagej_threads() if int(t.getId()) >= first_id]
    if worker.is_alive():
        stuck.append(java_thread)
    if stuck and all(_force_stop(t) for t in stuck):
        worker.join(grace)
        deadline = time.monotonic() + grace
        while any(t.isAlive() for t in stuck) and time.monotonic() < deadline:
            time.sleep(0.05)
    return not worker.is_alive() and not any(t.isAlive() for t in stuck)


def stop_interrupted_macro(interp: Any, worker: threading.Thread,
                           java_thread: Any | None) -> None:
    """Stop a macro after Ctrl-C, within about a second, whatever further Ctrl-C come meanwhile.

    A second Ctrl-C while the first is being handled would otherwise leave the
    macro's threads running into the next run.

    Parameters
    ----------
    interp : ij.macro.Interpreter
    worker : threading.Thread
    java_thread : java.lang.Thread or None
        As for :func:`stop_macro`.
    """
    while True:
        try:
            stop_macro(interp, worker, java_thread, INTERRUPT_GRACE_SECONDS)
            return
        except KeyboardInterrupt:
            continue


def _imagej_threads() -> list[Any]:
    """Live Java threads executing ImageJ code (an ``ij.`` frame), AWT's own excepted."""
    traces = java.Thread.getAllStackTraces()
    return [thread for thread, frames in traces.items() if in_imagej(thread, frames)]


def in_imagej(thread: Any, frames: Any) -> bool:
    """Tell whether a thread, whose stack is ``frames``, runs ImageJ code (AWT's own excepted).

    Parameters
    ----------
    thread : java.lang.Thread
    frames : sequence of java.lang.StackTraceElement

    Returns
    -------
    bool
        True when it is not one of AWT's threads and some frame is in an ``ij.`` class.
    """
    return not str(thread.getName()).startswith("AWT-") and \
        any(str(frame.getClassName()).startswith("ij.") for frame in frames)


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
