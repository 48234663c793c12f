"""ImageJ's main window, and the preferences both engines start with.

A macro written in the Fiji GUI runs with ImageJ's main window present: the
Log, Results, ROI Manager and image windows exist, ``selectWindow`` and
``Restore Selection`` work on windows, and errors come as dialogs. Both
engines therefore run macros with that window made (never shown) on their
private display (:mod:`~ij_bgcorr.engine.display`); the embedded engine makes
it itself, Fiji makes it when it starts non-headless.

ImageJ reads its preferences (``IJ_Prefs.txt``) once, as its main window is
made, from ``~/.imagej``. A choice someone once clicked in their own Fiji
(Set Measurements, Binary options) would change a macro's results behind the
caller's back, so both engines start ImageJ with a private home holding no
preferences file (ImageJ's defaults), or the file the caller names, and give
Java the real home back afterwards (a macro's ``getDirectory("home")``).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ij_bgcorr.errors import EngineNotAvailable

#: ImageJ's preferences file, as ImageJ names it.
PREFS_NAME = "IJ_Prefs.txt"


def private_home(prefs: str | os.PathLike[str] | None) -> Path:
    """Make the private home ImageJ reads its preferences from: ``HOME/.imagej/IJ_Prefs.txt``.

    Parameters
    ----------
    prefs : str or os.PathLike or None
        A preferences file saved by ImageJ or Fiji (``~/.imagej/IJ_Prefs.txt``) to start
        with; None for ImageJ's defaults.

    Returns
    -------
    pathlib.Path
        A new folder, removed when the process ends.

    Raises
    ------
    EngineNotAvailable
        ``prefs`` names no readable file.
    """
    source = None if prefs is None else Path(prefs).expanduser()
    if source is not None and not source.is_file():
        raise EngineNotAvailable(f"The preferences file {source} does not exist (give the "
                                 f"path of an ImageJ {PREFS_NAME}, or None for ImageJ's "
                                 "defaults)")
    home = Path(tempfile.mkdtemp(prefix="ij-bgcorr-home-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    (home / ".imagej").mkdir()
    if source is not None:
        shutil.copyfile(source, home / ".imagej" / PREFS_NAME)
    return home


def home_option(home: Path) -> str:
    """Return the JVM option that makes ImageJ read its preferences from ``home``.

    Parameters
    ----------
    home : pathlib.Path
        From :func:`private_home`.

    Returns
    -------
    str
        ``-Duser.home=HOME``; :func:`give_back_home` undoes it once ImageJ has started.
    """
    return f"-Duser.home={home}"


def give_back_home() -> None:
    """Give Java the user's real home again, once ImageJ has read its preferences.

    ImageJ keeps the folder it read them from; ``getDirectory("home")`` reads
    ``user.home`` at each call and so gets the real home.
    """
    from ij_bgcorr.engine.java import java

    java.System.setProperty("user.home", str(Path.home()))


def set_imagej_folder(folder: Path) -> None:
    """Make ``folder`` ImageJ's own folder, as Fiji's launcher does for Fiji.app.

    ``getDirectory("imagej")``, ``getDirectory("luts")`` and the LUT commands
    (``run("HiLo")`` reads ``luts/HiLo.lut``) use it. Without the launcher,
    ImageJ takes the working folder (its ``Prefs.ImageJDir``, private: set by
    reflection). Done before the engine records ImageJ's fresh state.

    Parameters
    ----------
    folder : pathlib.Path
        The Fiji.app folder.
    """
    from ij_bgcorr.engine.java import java

    field = java.Prefs.class_.getDeclaredField("ImageJDir")
    field.setAccessible(True)
    field.set(None, str(folder))


def open_main_window() -> Any:
    """Return ImageJ's main window, making it (not shown) when there is none.

    Returns
    -------
    ij.ImageJ
        The window ``IJ.getInstance()`` returns from now on.

    Raises
    ------
    EngineNotAvailable
        Java has no display to make a window on.
    """
    from ij_bgcorr.engine.java import java

    window = java.IJ.getInstance()
    if window is not None:
        return window
    if java.GraphicsEnvironment.isHeadless():
        raise EngineNotAvailable("ImageJ's main window needs a display, and Java runs headless")
    return java.ImageJ(java.ImageJ.NO_SHOW)
