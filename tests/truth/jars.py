"""Which plain ImageJ 1.x jar is the truth for which engine, and whether the GUI can run here.

* ``--engine embedded``: Debian's ImageJ, ``/usr/share/java/ij.jar`` (1.53t inside);
* ``--engine fiji``: the Fiji's own plain ImageJ jar, ``<Fiji.app>/jars/ij-1.*.jar``
  (``ij-1.54f.jar`` holding 1.54m in Fiji 2.14.0), the Fiji being ``$IJ_BGCORR_FIJI``, else
  the one beside the project (``../shared/fiji/Fiji.app``).

Nothing here imports ``ij_bgcorr``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEBIAN_JAR = Path("/usr/share/java/ij.jar")
SHARED_FIJI = REPO.parent / "shared" / "fiji" / "Fiji.app"
FIJI_ENV = "IJ_BGCORR_FIJI"  # the package's variable, spelled out: nothing is imported


def fiji_app() -> Path:
    """The Fiji.app the Fiji engine uses: ``$IJ_BGCORR_FIJI``, else ``../shared/fiji/Fiji.app``."""
    return Path(os.environ.get(FIJI_ENV) or SHARED_FIJI)


def fiji_jar(app: Path | None = None) -> Path:
    """Fiji's plain ImageJ 1.x jar (its file name need not match the version inside)."""
    jars = (app or fiji_app()) / "jars"
    found = sorted(jars.glob("ij-1.*.jar")) if jars.is_dir() else []
    return found[-1] if found else jars / "ij-1.54f.jar"


def truth_jar(engine: str) -> Path:
    """The jar whose ImageJ is the truth for ``engine`` ("embedded" or "fiji")."""
    if engine == "fiji":
        return fiji_jar()
    if engine == "embedded":
        return DEBIAN_JAR
    raise ValueError(f"engine must be 'embedded' or 'fiji', not {engine!r}")


def gui_missing() -> str:
    """Why ImageJ's GUI cannot run here (no Xvfb, no Java with AWT for X11), or ``""``."""
    if shutil.which("Xvfb") is None:
        return "no Xvfb for the virtual display (apt-get install xvfb)"
    try:
        import jpype

        libjvm = Path(jpype.getDefaultJVMPath())
    except Exception as exc:  # noqa: BLE001 - JVMNotFoundException and kin
        return f"no Java for JPype: {exc}"
    if not (libjvm.parent.parent / "libawt_xawt.so").exists():
        return (f"the Java at {libjvm.parent.parent.parent} has no AWT for X11 "
                "(libawt_xawt.so; a headless JRE): apt-get install default-jre")
    return ""


def truth_missing(engine: str) -> str:
    """Why the truth for ``engine`` cannot run here, or ``""``."""
    jar = truth_jar(engine)
    if not jar.is_file():
        where = f" (set {FIJI_ENV} or put a Fiji.app at {SHARED_FIJI})" if engine == "fiji" else ""
        return f"no ImageJ jar at {jar} for the {engine} engine's truth{where}"
    return gui_missing()


__all__ = ["DEBIAN_JAR", "fiji_app", "fiji_jar", "gui_missing", "truth_jar", "truth_missing"]
