"""A private X display for ImageJ 1.x.

ImageJ 1.x builds AWT dialogs even in batch mode, so it needs an X server.
A private Xvfb (through PyVirtualDisplay) is started once per process, so no
window ever reaches the user's screen; without Xvfb an existing ``$DISPLAY``
is used.

On the private display a minimal window manager (``evilwm``) runs too, when
installed: ImageJ's ``selectWindow`` and ``selectImage`` wait until the window
they raised is activated, which only a window manager does; without one each
call waits out ImageJ's one-second timeout (same outcome, slower).
"""

from __future__ import annotations

import os
import shutil
import subprocess

from ij_bgcorr.engine.locate import INSTALL_HINT
from ij_bgcorr.errors import EngineNotAvailable

_display = None
_connected = False  # whether the JVM connected to the private Xvfb


def ensure_display() -> str:
    """Start (once) a private Xvfb and return the ``DISPLAY`` value in use.

    Returns
    -------
    str
        The private Xvfb's display, or the existing ``$DISPLAY`` when there is no Xvfb.

    Raises
    ------
    EngineNotAvailable
        When Xvfb is not installed and ``$DISPLAY`` is unset, or Xvfb did not start.
    """
    global _display
    if _display is not None:
        return os.environ["DISPLAY"]
    if shutil.which("Xvfb") is None:
        existing = os.environ.get("DISPLAY")
        if existing:
            return existing
        raise EngineNotAvailable(f"ImageJ 1.x needs an X display and Xvfb is not installed. "
                                 f"{INSTALL_HINT}")
    # -terminate: Xvfb ends when its last client (this process's JVM) goes away.
    # Stopping it from Python instead would cut the JVM's X connection while it
    # still runs, and AWT then ends the process with exit code 1.
    display = _own_session_xvfb()(size=(1280, 1024), extra_args=["-terminate"])
    try:
        display.start()
    except Exception as exc:  # the wrapper raises several kinds
        raise EngineNotAvailable(f"Xvfb did not start: {exc}") from exc
    _display = display
    _start_window_manager()
    return os.environ["DISPLAY"]


def _start_window_manager() -> None:
    """Start ``evilwm`` on the private display, ending when this process ends.

    A shell watches this process and ends the window manager after it, whatever
    thread started it; Xvfb's ``-terminate`` then ends Xvfb once the JVM is gone
    too. evilwm needs a font: the cursor font, which every X server has.
    """
    wm = shutil.which("evilwm")
    if wm is None:
        return
    watch = (f'"{wm}" -fn cursor & wm=$!; '
             f"while kill -0 {os.getpid()} 2>/dev/null && kill -0 $wm 2>/dev/null; "
             "do sleep 1; done; kill $wm 2>/dev/null")
    subprocess.Popen(["sh", "-c", watch], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)


def connect_display() -> None:
    """Make the JVM connect to the display now, rather than at its first window.

    From then on the private Xvfb ends with the JVM (``-terminate``); before,
    only :func:`stop_unused_display` can end it.
    """
    global _connected
    from ij_bgcorr.engine.java import java

    java.GraphicsEnvironment.getLocalGraphicsEnvironment().getScreenDevices()
    _connected = True


def stop_unused_display() -> None:
    """Stop the private Xvfb when no JVM connected to it (a start that failed or was interrupted).

    Xvfb's ``-terminate`` fires only when its last client leaves; one that
    never had a client would run on after this process.
    """
    global _display
    if _display is not None and not _connected:
        _display.stop()
        _display = None


def _own_session_xvfb() -> type:
    """PyVirtualDisplay's Xvfb, started in a session of its own when ``setsid`` exists.

    Ctrl-C in a terminal signals the whole process group: an Xvfb in it would
    end at once, and the JVM drawing on it would take the process down (exit
    code 1) before Python could raise KeyboardInterrupt. PyVirtualDisplay has
    no option for a new session, so its command is prefixed with ``setsid``.
    """
    from pyvirtualdisplay.xvfb import XvfbDisplay

    setsid = shutil.which("setsid")
    if setsid is None:
        return XvfbDisplay

    class _Detached(XvfbDisplay):  # type: ignore[misc, valid-type]
        def _cmd(self) -> list[str]:
            return [setsid, *super()._cmd()]

    return _Detached
