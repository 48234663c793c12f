"""Finding the pieces the embedded engine needs: ij.jar and a Java runtime.

Nothing here starts anything; each function returns a path or raises
:class:`~ij_bgcorr.errors.EngineNotAvailable` saying what was tried.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ij_bgcorr.errors import EngineNotAvailable

#: Environment variable naming an ij.jar to use.
IJ_JAR_ENV = "IJ_BGCORR_IJ_JAR"
#: Environment variable naming a Fiji.app folder.
FIJI_ENV = "IJ_BGCORR_FIJI"
#: Where Debian's ``libij-java`` package puts ImageJ 1.x.
DEBIAN_IJ_JAR = Path("/usr/share/java/ij.jar")

INSTALL_HINT = (
    "On Debian/Ubuntu: sudo apt-get install default-jre-headless libij-java xvfb; "
    "or point IJ_BGCORR_IJ_JAR at an ij.jar, or IJ_BGCORR_FIJI at a Fiji.app."
)


def fiji_ij_jar(fiji_app: str | os.PathLike[str]) -> Path | None:
    """Return the newest ``jars/ij-*.jar`` inside a Fiji.app folder, or None.

    Parameters
    ----------
    fiji_app : str or os.PathLike
        The Fiji.app folder.

    Returns
    -------
    pathlib.Path or None
        The last such jar by name; None when there is none.
    """
    jars = sorted(Path(fiji_app).glob("jars/ij-*.jar"))
    return jars[-1] if jars else None


def find_ij_jar(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Locate ImageJ 1.x's jar.

    Order: ``explicit``, then ``$IJ_BGCORR_IJ_JAR``, then ``$IJ_BGCORR_FIJI``'s
    ``jars/ij-*.jar``, then Debian's ``/usr/share/java/ij.jar``.

    Parameters
    ----------
    explicit : str or os.PathLike, optional
        A jar the caller names.

    Returns
    -------
    pathlib.Path
        The jar.

    Raises
    ------
    EngineNotAvailable
        When an explicit or environment path does not exist (an error, not skipped), or
        no jar is found; the message says what was tried and what to install.
    """
    tried: list[str] = []
    for label, value in (("ij_jar argument", explicit), (IJ_JAR_ENV, os.environ.get(IJ_JAR_ENV))):
        if value:
            path = Path(value)
            if path.is_file():
                return path
            raise EngineNotAvailable(f"{label} names {path}, which is not a file.")
    fiji = os.environ.get(FIJI_ENV)
    if fiji:
        jar = fiji_ij_jar(fiji)
        if jar is not None:
            return jar
        tried.append(f"{FIJI_ENV}={fiji} (no jars/ij-*.jar inside)")
    if DEBIAN_IJ_JAR.is_file():
        return DEBIAN_IJ_JAR
    tried.append(str(DEBIAN_IJ_JAR))
    raise EngineNotAvailable(f"No ij.jar found (tried {', '.join(tried)}). {INSTALL_HINT}")


def find_java_home() -> Path:
    """Return the installed Java runtime's home: ``$JAVA_HOME``, else the ``java`` on PATH.

    ij-bgcorr never downloads a JDK by itself.

    Returns
    -------
    pathlib.Path
        The folder holding ``bin/java``.

    Raises
    ------
    EngineNotAvailable
        When there is no Java runtime.
    """
    home = os.environ.get("JAVA_HOME")
    if home and Path(home, "bin", "java").exists():
        return Path(home)
    java = shutil.which("java")
    if java is None:
        raise EngineNotAvailable(f"No Java runtime found (JAVA_HOME unset, no java on PATH). "
                                 f"{INSTALL_HINT}")
    return Path(java).resolve().parent.parent
