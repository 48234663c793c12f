"""Starting the Java virtual machine with ImageJ 1.x on its class path.

The JVM is started once per Python process, through scyjava, with the
installed Java (``fetch="never"``: no JDK is ever downloaded unless the user
configures scyjava otherwise before starting the engine).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ij_bgcorr.engine import exit_guard
from ij_bgcorr.engine.locate import max_heap_option
from ij_bgcorr.errors import EngineNotAvailable

#: Options every JVM an engine starts gets. Once a JIT-compiled method has thrown an
#: exception such as ArrayIndexOutOfBoundsException a few times, HotSpot may throw a shared
#: instance of it instead, with neither message nor stack trace; ImageJ then prints the
#: exception's class name alone, which reads as no failure at all (ImageJ's rolling ball on
#: a one-column shrunken image did so after a few larger images had warmed it up, and its
#: half-done pixels came back as a result). With this option every exception keeps both.
#: ``-Xrs``: Java installs no handler of its own for SIGINT, SIGTERM and SIGHUP, so
#: Python's stay in charge from the first instant (with Java's, Ctrl-C during the JVM's
#: start ended the process at once, no ``finally`` block run).
JVM_OPTIONS = ("-XX:-OmitStackTraceInFastThrow", "-Xrs")


def start_jvm(ij_jar: Path, java_home: Path, max_heap: str | None = None,
              options: tuple[str, ...] = ()) -> None:
    """Start the JVM with ``ij_jar``; if it already runs, check ImageJ is on its class path.

    Parameters
    ----------
    ij_jar : pathlib.Path
        ImageJ 1.x's jar, put on the class path.
    java_home : pathlib.Path
        The Java to start, as ``$JAVA_HOME`` when that is unset.
    max_heap : str, optional
        The JVM's ``-Xmx`` value; default ``$IJ_BGCORR_MAX_HEAP``, else Java's own.
    options : tuple of str
        More JVM options.

    Raises
    ------
    EngineNotAvailable
        When the JVM does not start, or a JVM already runs in this process without
        ImageJ 1.x on its class path.
    """
    import scyjava

    started_here = not scyjava.jvm_started()
    if started_here:
        os.environ.setdefault("JAVA_HOME", str(java_home))
        scyjava.config.set_java_constraints(fetch="never")
        # ImageJ 1.x needs nothing from Maven; an endpoint another library (such
        # as PyImageJ, on import) registered would make scyjava try to download.
        scyjava.config.endpoints.clear()
        scyjava.config.add_classpath(str(ij_jar))
        add_jvm_options(f"-Xmx{max_heap}" if max_heap else max_heap_option(), *options)
        exit_guard.prepare(java_home)
        python_handles_ctrl_c()
        try:
            scyjava.start_jvm()
        except Exception as exc:
            raise EngineNotAvailable(f"The JVM did not start with {ij_jar}: {exc}") from exc
    try:
        scyjava.jimport("ij.IJ")
    except Exception as exc:
        raise EngineNotAvailable(
            f"ImageJ 1.x did not load from {ij_jar}" if started_here else
            "A JVM is already running in this process without ImageJ 1.x on its class path; "
            "start ij-bgcorr before anything else starts Java."
        ) from exc


def add_jvm_options(heap: str | None, *more: str) -> None:
    """Have scyjava start the JVM with :data:`JVM_OPTIONS`, ``heap`` and ``more``.

    Parameters
    ----------
    heap : str or None
        The ``-Xmx<size>`` option, or None for Java's default heap.
    *more : str
        Other options (``-Duser.home=...``).
    """
    import scyjava

    for option in (*JVM_OPTIONS, *([heap] if heap else []), *more):
        if option.startswith("-D") and "=" in option:  # a property set once: the new value
            name = option.split("=", 1)[0] + "="
            options = scyjava.config.get_options()
            options[:] = [o for o in options if not o.startswith(name)]
        scyjava.config.add_option(option)


@contextmanager
def ctrl_c_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back while an engine starts; raise KeyboardInterrupt after it.

    An interrupt in the middle of Java's start, of ImageJ's class loading or of
    Fiji's context creation leaves classes half initialised, and Java cannot be
    started again in the process: measured, a later ``start()`` then failed with
    a false cause. The start is therefore finished (the engine is usable and
    ``start()`` returns it) and the interrupt raised once it is. Elsewhere than
    in the main thread nothing is held.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: pressed.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


def python_handles_ctrl_c() -> None:
    """Leave Ctrl-C (SIGINT) and SIGTERM to Python, before the JVM starts.

    JPype lets the JVM install its own handler, which halts the process at once
    (no ``finally`` block runs), unless the JVM is started with ``interrupt=False``:
    then Ctrl-C raises KeyboardInterrupt. JPype's Java handler then forwards
    SIGTERM to Python too, which crashes the process unless Python has a handler
    of its own for it: SIGTERM becomes ``SystemExit(143)`` (finally blocks run, the
    exit status is the one a process ended by SIGTERM gets).
    """
    import scyjava

    scyjava.config.add_kwargs(interrupt=False)
    sigterm_ends_python()


def sigterm_ends_python() -> None:
    """Make SIGTERM raise ``SystemExit(143)``, so that ``finally`` blocks run (main thread only).

    A batch's parent process, which runs no JVM of its own, then still stops its
    workers and removes its lock file when it is asked to end. Nothing is done where
    a handler is already set.
    """
    if threading.current_thread() is threading.main_thread() \
            and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit_on_sigterm)


def take_signals_back() -> None:
    """Once the JVM runs, give Ctrl-C (SIGINT) and SIGTERM back to Python's own handlers.

    The JVM installs native handlers of its own at start: a signal then reaches
    Python only at its next call into Java, so Ctrl-C during ``time.sleep``,
    ``input()`` or pure Python code waited until then (measured: a 10 s sleep
    interrupted after 10 s instead of at once), and the interrupt was also left on
    the Java side, where the next Java ``sleep`` threw ``InterruptedException``.
    Setting Python's handlers again makes the signal interrupt Python at once,
    wherever the main thread is. Only the main thread can (elsewhere: nothing done).
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for number in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(number)
        if handler is not None:  # None: set outside Python, left alone
            signal.signal(number, handler)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def exit_now(code: int) -> None:
    """Flush output and end the process with ``code``, skipping the JVM's teardown.

    Destroying a JVM that ImageJ, AWT and JPype have used can crash or abort the
    process at exit (measured: segmentation faults in DestroyJavaVM, or
    "FATAL: exception not rethrown"), which would replace a program's exit
    code. Command-line entry points end through here once their work is done.

    Parameters
    ----------
    code : int
        The process's exit status. This function does not return.
    """
    import sys

    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


#: Seconds Python's exit waits for Java threads that would keep Java from ending.
EXIT_GRACE_SECONDS = 3.0


def never_wait_at_exit_for_stray_threads(grace: float = EXIT_GRACE_SECONDS) -> None:
    """At Python's exit, keep Java's teardown from waiting for ever on threads left running.

    JPype ends Java at exit with ``DestroyJavaVM``, which waits until every
    non-daemon Java thread has ended: a thread pool a plugin or macro left
    behind, or AWT's event thread while a window is still displayable, would
    keep the process alive for good, deaf to SIGTERM (measured: a script that
    started one idle ``Executors.newFixedThreadPool`` thread never ended). Such
    threads get ``grace`` seconds to end, then they are stopped
    (``Thread.stop``). Where Java refuses to stop threads (Java 20 and later),
    Java is left to end with the process instead of being torn down, which
    can make the process abort at its very end. Main thread only.

    Parameters
    ----------
    grace : float
        Seconds given to non-daemon threads to end, e.g. AWT's once its windows
        are closed.
    """
    import time

    import jpype
    import jpype.config

    if not jpype.isJVMStarted():
        return
    deadline = time.monotonic() + grace
    while _stray_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    stray = _stray_threads()
    if stray:  # a stopped thread's last words are Java stack traces: nobody is to read them
        _quiet_java_stderr()
    stopped = all(_stop(thread) for thread in stray)
    deadline = time.monotonic() + 1.0
    while stopped and _stray_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    if _stray_threads():
        jpype.config.destroy_jvm = False


def _quiet_java_stderr() -> None:
    """Send what Java still prints to its standard error nowhere (Python's own is kept)."""
    from jpype import JClass

    stream = JClass("java.io.PrintStream")(JClass("java.io.OutputStream").nullOutputStream())
    JClass("java.lang.System").setErr(stream)


def _stop(thread: Any) -> bool:
    """Stop a Java thread; False where Java refuses (Java 20 and later)."""
    try:
        thread.stop()
    except Exception:  # UnsupportedOperationException
        return False
    return True


def _stray_threads() -> list[Any]:
    """Return the live non-daemon Java threads other than the calling one."""
    from jpype import JClass

    thread = JClass("java.lang.Thread")
    me = thread.currentThread()
    return [t for t in thread.getAllStackTraces().keySet()
            if t.isAlive() and not t.isDaemon() and not t.equals(me)]
