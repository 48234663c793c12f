"""The embedded engine: ImageJ 1.x from an ``ij.jar``, inside this Python process.

ImageJ 1.x builds AWT dialogs even in batch mode, so this engine runs on a
private virtual X display (:mod:`ij_bgcorr.engine.display`), with ImageJ's main
window made and never shown (:mod:`ij_bgcorr.engine.mainwindow`), so that macros
run as in the GUI. No Fiji.app and no network are needed.
"""

from __future__ import annotations

import os
from pathlib import Path

from ij_bgcorr.engine.base import Engine
from ij_bgcorr.engine.display import connect_display, ensure_display, stop_unused_display
from ij_bgcorr.engine.jvm import start_jvm
from ij_bgcorr.engine.locate import find_ij_jar, find_java_home
from ij_bgcorr.engine.mainwindow import (
    give_back_home,
    home_option,
    open_main_window,
    private_home,
)
from ij_bgcorr.options import DEFAULT_TIMEOUT


class EmbeddedEngine(Engine):
    """ImageJ 1.x from ``ij_jar``, in this process. Create it with :func:`ij_bgcorr.start`.

    Parameters
    ----------
    ij_jar : pathlib.Path
        The ImageJ 1.x jar the JVM was started with.
    timeout : float, default 3600.0
        Seconds a command may run before it is stopped.

    Attributes
    ----------
    ij_jar : pathlib.Path
        The ImageJ 1.x jar on the class path.
    """

    kind = "embedded"

    def __init__(self, ij_jar: Path, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__(timeout, gui=True)
        self.ij_jar = ij_jar


def launch_embedded(ij_jar: str | Path | None, timeout: float,
                    prefs: str | os.PathLike[str] | None = None) -> EmbeddedEngine:
    """Find ImageJ and Java, start the display and the JVM, and build the engine.

    Parameters
    ----------
    ij_jar : str or pathlib.Path or None
        ImageJ 1.x's jar; None to search for it (see
        :func:`~ij_bgcorr.engine.locate.find_ij_jar`).
    timeout : float
        Seconds a command may run before it is stopped.
    prefs : str or os.PathLike, optional
        An ImageJ preferences file to start with; default: ImageJ's defaults.

    Returns
    -------
    EmbeddedEngine
        The engine, its JVM running.

    Raises
    ------
    EngineNotAvailable
        Saying what is missing.
    """
    jar = find_ij_jar(ij_jar)
    java_home = find_java_home()
    home = private_home(prefs)
    ensure_display()
    try:
        start_jvm(jar, java_home, options=(home_option(home),))
        if os.environ.get("DISPLAY"):
            connect_display()
    finally:
        stop_unused_display()
    open_main_window()
    give_back_home()
    return EmbeddedEngine(jar, timeout)
