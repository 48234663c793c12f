"""Keeping Java alive: code an engine runs may not end the JVM, and a JVM that ended is named.

The JVM of an engine is the Python process's own, and Java cannot start twice
in one process: a macro calling ``System.exit`` (``call("java.lang.System.exit",
"0")``, ``eval("script", "System.exit(0);")``, a plugin quitting) would leave
every later call failing. A security manager of the package's own
(``ijbgcorr.ExitGuard``, Java source next to its class in ``classes/``; Python
cannot subclass a Java class, hence the compiled class) refuses such a call with
a ``SecurityException`` naming the status, and grants everything else. Before
refusing it calls the listener set with :func:`on_exit` on the thread that asked,
so that the runner stops the macro there, as quitting ImageJ would (see
:func:`~ij_bgcorr.macro.failures.macro_error` for what the run then gives).

Java 18 to 23 allow a security manager only when started with
``-Djava.security.manager=allow``; Java 24 and later have none at all. There,
and wherever the guard could not be installed, :func:`check_java_alive` turns the
JVM's end into :class:`~ij_bgcorr.errors.EngineNotAvailable` with the cause.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ij_bgcorr.errors import EngineNotAvailable

log = logging.getLogger(__name__)

#: The folder holding the guard's Java class (``ijbgcorr/ExitGuard.class``) and source.
CLASSES = Path(__file__).with_name("classes")
#: Where the guard cannot work, why (set when :func:`install` fails).
_unguarded: list[str] = []
#: The one Java listener given to the guard (made once the JVM runs), in a list.
_listener: list[Any] = []
#: Whether an engine has run Java in this process (set by :func:`install`).
_java_ran: list[bool] = []


def java_feature_version(java_home: Path) -> int | None:
    """Return the Java release (17, 21, ...) of a Java home, from its ``release`` file.

    Parameters
    ----------
    java_home : pathlib.Path
        A JDK or JRE folder.

    Returns
    -------
    int or None
        The feature version; None when the file does not say.
    """
    try:
        text = (java_home / "release").read_text(errors="replace")
    except OSError:
        return None
    match = re.search(r'^JAVA_VERSION="(?:1\.)?(\d+)', text, re.M)
    return int(match[1]) if match else None


def prepare(java_home: Path) -> None:
    """Before the JVM starts: put the guard on the class path and allow installing it.

    Parameters
    ----------
    java_home : pathlib.Path
        The Java that will start.
    """
    import scyjava

    scyjava.config.add_classpath(str(CLASSES))
    version = java_feature_version(java_home)
    allow = "-Djava.security.manager=allow"
    if version is not None and 18 <= version < 24 and allow not in scyjava.config.get_options():
        scyjava.config.add_option(allow)


def install() -> None:
    """Install the guard in the running JVM (once; later calls do nothing).

    Where Java refuses a security manager (Java 24+, or 18-23 started without
    ``-Djava.security.manager=allow``) the engine runs unguarded: a warning
    says so once.
    """
    from ij_bgcorr.engine.java import java
    from ij_bgcorr.engine.quiet import printed_to_log

    _java_ran[:] = [True]
    current = java.System.getSecurityManager()
    if current is not None and str(current.getClass().getName()) == "ijbgcorr.ExitGuard":
        return
    try:
        guard = java.ExitGuard()
        # Java 17 prints a deprecation warning to standard error: sent to the logger
        with printed_to_log(log, "Java"):
            java.System.setSecurityManager(guard)
    except Exception as exc:  # UnsupportedOperationException, SecurityException
        _unguarded[:] = [f"{type(exc).__name__}: {exc}"]
        log.warning("A macro calling System.exit will end Java in this process, for good "
                    "(Java refused the package's guard: %s)", _unguarded[0])


def on_exit(action: Callable[[int], None] | None) -> None:
    """Have ``action(status)`` called for each ``System.exit`` the guard refuses.

    Parameters
    ----------
    action : callable or None
        Called on the thread that asked Java to end, with the status it gave, before
        the refusal is thrown; must return at once. None: nobody is told.
    """
    if not _listener:
        from jpype import JImplements, JOverride

        from ij_bgcorr.engine.java import java

        @JImplements("java.util.function.IntConsumer")
        class _Listener:
            def __init__(self) -> None:
                self.action: Callable[[int], None] | None = None

            @JOverride
            def accept(self, status: int) -> None:
                if self.action is not None:
                    self.action(int(status))

        _listener.append(_Listener())
        java.ExitGuard.onExit(_listener[0])
    _listener[0].action = action


@contextmanager
def named_if_java_ended() -> Iterator[None]:
    """Around engine work: a JVM that has ended raises :class:`EngineNotAvailable`.

    Before the block, and for any error in it (JPype's own ``JVMNotRunning``
    among them), :func:`check_java_alive` is asked first.

    Raises
    ------
    EngineNotAvailable
        When Java has ended in this process.
    """
    check_java_alive()
    try:
        yield
    except Exception:
        try:
            check_java_alive()
        except EngineNotAvailable as ended:
            raise ended from None  # JPype's errors about it say nothing more
        raise


def check_java_alive() -> None:
    """Raise when the JVM an engine ran in, in this process, has ended.

    Raises
    ------
    EngineNotAvailable
        Saying that Java ended (a macro or plugin called ``System.exit`` where
        the guard could not be installed) and that a new engine needs a new
        Python process.
    """
    import jpype

    if not _java_ran or jpype.isJVMStarted():
        return
    why = f" (the package could not guard it: {_unguarded[0]})" if _unguarded else ""
    raise EngineNotAvailable(
        "Java has ended in this Python process: code run by the engine called System.exit"
        f"{why}. Java cannot start twice in one process: start a new Python process for a "
        "new engine.")
