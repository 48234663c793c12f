"""Finding the pieces the embedded engine needs: ij.jar and a Java runtime.

Nothing here starts anything; each function returns a path or raises
:class:`~ij_bgcorr.errors.EngineNotAvailable` saying what was tried.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

from ij_bgcorr.errors import EngineNotAvailable

#: Environment variable naming an ij.jar to use.
IJ_JAR_ENV = "IJ_BGCORR_IJ_JAR"
#: Environment variable with the JVM's maximum heap size (e.g. ``8g``).
MAX_HEAP_ENV = "IJ_BGCORR_MAX_HEAP"
#: ImageJ 1.x's jar in a Fiji.app's ``jars/`` folder (``ij-1.54f.jar``).
IJ_JAR_GLOB = "ij-[0-9]*.jar"
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
    jars = sorted(Path(fiji_app).glob(f"jars/{IJ_JAR_GLOB}"))
    return jars[-1] if jars else None


def _holds_imagej(path: Path) -> bool:
    """Tell whether ``path`` is a jar (zip) holding ImageJ 1.x's ``ij/IJ.class``."""
    try:
        with zipfile.ZipFile(path) as jar:
            return "ij/IJ.class" in jar.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


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
        When an explicit or environment path does not exist or is not ImageJ's jar (an
        error, not skipped), or no jar is found; the message says what was tried and what
        to install.
    """
    tried: list[str] = []
    for label, value in (("ij_jar argument", explicit), (IJ_JAR_ENV, os.environ.get(IJ_JAR_ENV))):
        if value:
            path = Path(value)
            if not path.is_file():
                raise EngineNotAvailable(f"{label} names {path}, which is not a file.")
            if not _holds_imagej(path):
                raise EngineNotAvailable(f"{label} names {path}, which is not ImageJ 1.x's jar "
                                         "(a zip file holding ij/IJ.class).")
            return path
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


def find_java_home(fiji_app: Path | None = None, needed_by: str = "ImageJ",
                   hint: str = INSTALL_HINT) -> Path:
    """Return the Java to start: ``$JAVA_HOME``, else ``java`` on PATH, else the one Fiji ships.

    ij-bgcorr never downloads a JDK by itself.

    Parameters
    ----------
    fiji_app : pathlib.Path, optional
        A Fiji.app folder whose bundled ``java/`` is tried last.
    needed_by : str
        Who needs Java, for the message (``"ImageJ"``, ``"Fiji"``).
    hint : str
        What to install, for the message.

    Returns
    -------
    pathlib.Path
        The Java home (the folder holding ``bin/java``).

    Raises
    ------
    EngineNotAvailable
        When there is none.
    """
    home = os.environ.get("JAVA_HOME")
    if home and Path(home, "bin", "java").exists():
        return Path(home)
    java = shutil.which("java")
    if java is not None:
        return Path(java).resolve().parent.parent
    tried = "JAVA_HOME is unset and there is no java on PATH"
    if fiji_app is not None:
        for pattern in ("java/*/*/bin/java", "java/*/*/jre/bin/java",
                        "java/*/*/Contents/Home/bin/java"):
            for candidate in sorted(fiji_app.glob(pattern)):
                if os.access(candidate, os.X_OK):
                    return candidate.parent.parent
        tried += f", and {fiji_app / 'java'} holds no Java Fiji ships with"
    raise EngineNotAvailable(f"{needed_by} needs Java and none was found ({tried}). {hint}")


def max_heap_option() -> str | None:
    """Return the JVM option ``-Xmx<size>`` that ``$IJ_BGCORR_MAX_HEAP`` asks for, or None."""
    heap = os.environ.get(MAX_HEAP_ENV, "").strip()
    return f"-Xmx{heap}" if heap else None
