"""``ij-bgcorr doctor``: what each engine needs, what is here, and how to fix what is not.

Nothing here starts Java in this process: the Java version comes from
``java -version`` in a child process and ImageJ's version from the class
file inside its jar.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import shutil
import struct
import subprocess
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ij_bgcorr.engine.fiji import FIJI_HINT, PYIMAGEJ_HINT, check_fiji_app
from ij_bgcorr.engine.locate import FIJI_ENV, IJ_JAR_ENV, find_ij_jar, find_java_home
from ij_bgcorr.engine.startup import fiji_request
from ij_bgcorr.errors import EngineNotAvailable

Status = Literal["ok", "missing", "not configured"]

#: The checks the embedded engine needs to pass.
EMBEDDED_NEEDS = ("Java", "ij.jar", "display", "scyjava/JPype")
#: The checks the Fiji engine needs to pass.
FIJI_NEEDS = ("Java", "scyjava/JPype", "PyImageJ", "Fiji")


@dataclass(frozen=True)
class Check:
    """One thing an engine needs: whether it is here, what was found, how to fix it.

    Attributes
    ----------
    name : str
        What is checked (``"Java"``, ``"ij.jar"``, ...).
    status : {"ok", "missing", "not configured"}
        ``"not configured"``: optional and not set up.
    detail : str
        What was found.
    fix : str
        The command that fixes it (empty when ok).
    """

    name: str
    status: Status
    detail: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        """True when the status is ``"ok"``."""
        return self.status == "ok"


class Diagnosis(list[Check]):
    """The list of checks (:class:`Check`), with which engines can start."""

    def _passes(self, names: tuple[str, ...]) -> bool:
        by_name = {check.name: check for check in self}
        return all(name in by_name and by_name[name].ok for name in names)

    @property
    def embedded_ready(self) -> bool:
        """True when the embedded engine (ImageJ 1.x, private display) has all it needs."""
        return self._passes(EMBEDDED_NEEDS)

    @property
    def fiji_ready(self) -> bool:
        """True when a Fiji is configured and PyImageJ and Java are there to start it."""
        return self._passes(FIJI_NEEDS)


# -- reading versions without starting Java ----------------------------------------------
def imagej_version_in_jar(jar: str | os.PathLike[str]) -> str:
    """Read ImageJ 1.x's full version (as ``IJ.getFullVersion()``: ``"1.53t99"``) from a jar.

    Reads the ``VERSION`` and ``BUILD`` constants of ``ij/ImageJ.class``.

    Parameters
    ----------
    jar : str or os.PathLike
        An ImageJ 1.x jar.

    Returns
    -------
    str
        ``VERSION`` followed by ``BUILD`` (``"99"`` when there is none).

    Raises
    ------
    ValueError
        When the jar holds no ImageJ 1.x.
    """
    try:
        with zipfile.ZipFile(jar) as archive:
            data = archive.read("ij/ImageJ.class")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{jar} holds no ImageJ 1.x (ij/ImageJ.class): {exc}") from exc
    constants = _string_constants(data)
    if "VERSION" not in constants:
        raise ValueError(f"{jar}: ij/ImageJ.class has no VERSION constant")
    return constants["VERSION"] + (constants.get("BUILD") or "99")


def _string_constants(data: bytes) -> dict[str, str]:
    """Read the ``static final String`` fields of a Java class file and their values."""
    sizes = {3: 4, 4: 4, 5: 8, 6: 8, 7: 2, 8: 2, 9: 4, 10: 4, 11: 4, 12: 4, 15: 3, 16: 2,
             17: 4, 18: 4, 19: 2, 20: 2}
    if data[:4] != b"\xca\xfe\xba\xbe":
        raise ValueError("not a Java class file")
    (count,) = struct.unpack_from(">H", data, 8)
    pos, index = 10, 1
    utf8: dict[int, str] = {}
    strings: dict[int, int] = {}
    while index < count:
        tag = data[pos]
        if tag == 1:
            (length,) = struct.unpack_from(">H", data, pos + 1)
            utf8[index] = data[pos + 3:pos + 3 + length].decode("utf-8", errors="replace")
            pos += 3 + length
        elif tag in sizes:
            if tag == 8:
                strings[index] = struct.unpack_from(">H", data, pos + 1)[0]
            pos += 1 + sizes[tag]
            index += 1 if tag in (5, 6) else 0  # longs and doubles take two slots
        else:
            raise ValueError(f"unknown constant pool tag {tag}")
        index += 1
    pos += 6  # access flags, this class, super class
    (n_interfaces,) = struct.unpack_from(">H", data, pos)
    pos += 2 + 2 * n_interfaces
    (n_fields,) = struct.unpack_from(">H", data, pos)
    pos += 2
    out: dict[str, str] = {}
    for _ in range(n_fields):
        _, name_index, _, n_attributes = struct.unpack_from(">HHHH", data, pos)
        pos += 8
        for _ in range(n_attributes):
            attribute_name, length = struct.unpack_from(">HI", data, pos)
            if utf8.get(attribute_name) == "ConstantValue":
                (value_index,) = struct.unpack_from(">H", data, pos + 6)
                if value_index in strings:
                    out[utf8[name_index]] = utf8.get(strings[value_index], "")
            pos += 6 + length
    return out


def java_version(java_home: Path) -> str:
    """Return the version ``java -version`` reports (e.g. ``"17.0.15"``), run in a child process.

    Parameters
    ----------
    java_home : pathlib.Path
        The Java home whose ``bin/java`` is run.

    Returns
    -------
    str
        The version.

    Raises
    ------
    ValueError
        When ``java -version`` fails or names no version.
    OSError, subprocess.TimeoutExpired
        When ``java`` cannot be run, or runs longer than 30 seconds.
    """
    java = java_home / "bin" / "java"
    result = subprocess.run([str(java), "-version"], capture_output=True, text=True,
                            timeout=30, check=False)
    text = (result.stderr or "") + (result.stdout or "")
    match = re.search(r'version "([^"]+)"', text)
    if result.returncode != 0 or not match:
        raise ValueError(f"{java} -version failed: {text.strip()[:200]}")
    return match.group(1)


def _distribution_version(*names: str) -> str:
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown version"


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


# -- the checks ------------------------------------------------------------------------------
def check_java() -> Check:
    """Check Java: ``$JAVA_HOME`` or ``java`` on PATH, and its version.

    Returns
    -------
    Check
        Its status, what was found, and the fix when it is missing.
    """
    try:
        home = find_java_home()
        version = java_version(home)
    except (EngineNotAvailable, ValueError, OSError, subprocess.TimeoutExpired) as exc:
        return Check("Java", "missing", str(exc).split(" Install")[0],
                     "sudo apt-get install default-jre-headless  "
                     "(or: conda install -c conda-forge openjdk=17)")
    return Check("Java", "ok", f"{version} at {home}")


def check_ij_jar() -> Check:
    """Check ImageJ 1.x's jar, found as the embedded engine finds it, and its version.

    Returns
    -------
    Check
        Its status, what was found, and the fix when it is missing.
    """
    fix = f"sudo apt-get install libij-java  (or: export {IJ_JAR_ENV}=/path/to/ij.jar)"
    try:
        jar = find_ij_jar()
        version = imagej_version_in_jar(jar)
    except (EngineNotAvailable, ValueError) as exc:
        return Check("ij.jar", "missing", str(exc).split(" On Debian")[0], fix)
    return Check("ij.jar", "ok", f"ImageJ {version} at {jar}")


def check_display(env: Mapping[str, str] = os.environ) -> Check:
    """Check for an X display for ImageJ 1.x: Xvfb (with PyVirtualDisplay) or ``$DISPLAY``.

    Parameters
    ----------
    env : mapping of str to str, default os.environ
        The environment to read.

    Returns
    -------
    Check
        Its status, what was found, and the fix when it is missing.
    """
    xvfb = shutil.which("Xvfb")
    if xvfb is not None:
        if not _importable("pyvirtualdisplay"):
            return Check("display", "missing", f"Xvfb at {xvfb}, but PyVirtualDisplay is not "
                         "installed", "pip install PyVirtualDisplay")
        wm = shutil.which("evilwm")
        manager = f"window manager {wm}" if wm else (
            "no window manager: selectWindow waits a second each (sudo apt-get install evilwm)")
        return Check("display", "ok", f"private Xvfb ({xvfb}), {manager}")
    if env.get("DISPLAY"):
        return Check("display", "ok", f"DISPLAY={env['DISPLAY']} (no Xvfb: windows may show)")
    return Check("display", "missing", "no Xvfb on PATH and DISPLAY is unset",
                 "sudo apt-get install xvfb")


def check_scyjava() -> Check:
    """Check for scyjava and JPype, which start Java inside Python.

    Returns
    -------
    Check
        Its status, what was found, and the fix when it is missing.
    """
    missing = [name for name in ("scyjava", "jpype") if not _importable(name)]
    if missing:
        return Check("scyjava/JPype", "missing", f"not importable: {', '.join(missing)}",
                     "pip install scyjava jpype1")
    return Check("scyjava/JPype", "ok", f"scyjava {_distribution_version('scyjava')}, "
                 f"JPype {_distribution_version('jpype1', 'JPype1')}")


def check_pyimagej() -> Check:
    """Check for PyImageJ, which the Fiji engine starts Fiji with.

    Returns
    -------
    Check
        Its status, what was found, and the fix when it is missing.
    """
    if not _importable("imagej"):
        return Check("PyImageJ", "missing", "not importable (only the Fiji engine needs it)",
                     PYIMAGEJ_HINT.removeprefix("Install PyImageJ: ").rstrip("."))
    return Check("PyImageJ", "ok", f"pyimagej {_distribution_version('pyimagej')}")


def check_fiji(env: Mapping[str, str] = os.environ) -> Check:
    """Check the Fiji ``$IJ_BGCORR_FIJI`` names: a valid Fiji.app, an endpoint, or not configured.

    Parameters
    ----------
    env : mapping of str to str, default os.environ
        The environment to read.

    Returns
    -------
    Check
        Its status, what was found, and the fix when it is missing.
    """
    fix = f"export {FIJI_ENV}=/path/to/Fiji.app  (Fiji from https://fiji.sc)"
    request = fiji_request(env=env)
    if request is None:
        return Check("Fiji", "not configured",
                     f"{FIJI_ENV} is unset (optional: only the Fiji engine needs it)", fix)
    how, where = request
    if how == "endpoint":
        return Check("Fiji", "ok", f"{FIJI_ENV}={where}: an endpoint, resolved from the SciJava "
                     "Maven repository when the engine starts (not checked here)")
    try:
        app = check_fiji_app(where)
        version = imagej_version_in_jar(app.ij_jar)
    except (EngineNotAvailable, ValueError) as exc:
        return Check("Fiji", "missing", str(exc).replace(f" {FIJI_HINT}", ""), fix)
    imagej2 = app.imagej_jar.stem.removeprefix("imagej-")
    return Check("Fiji", "ok", f"{app.path}: ImageJ2 {imagej2}, ImageJ {version}")


def diagnose(env: Mapping[str, str] = os.environ) -> Diagnosis:
    """Check everything either engine needs; nothing is started in this process.

    Parameters
    ----------
    env : mapping of str to str, default os.environ
        The environment to read.

    Returns
    -------
    Diagnosis
        The checks of Java, ij.jar, the display, scyjava/JPype, PyImageJ and Fiji.
    """
    return Diagnosis([check_java(), check_ij_jar(), check_display(env), check_scyjava(),
                      check_pyimagej(), check_fiji(env)])


def format_table(diagnosis: Diagnosis) -> str:
    """Format the checks as a text table, the fixes, and which engines are ready.

    Parameters
    ----------
    diagnosis : Diagnosis
        The checks, from :func:`diagnose`.

    Returns
    -------
    str
        The report, several lines.
    """
    rows = [("check", "status", "detail")] + [(c.name, c.status, c.detail) for c in diagnosis]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"{row[0].ljust(widths[0])}  {row[1].ljust(widths[1])}  {row[2]}" for row in rows]
    fixes = [(c.name, c.fix) for c in diagnosis if not c.ok and c.fix]
    if fixes:
        lines += ["", "to fix:"] + [f"  {name}: {fix}" for name, fix in fixes]
    fiji = "ready" if diagnosis.fiji_ready else (
        "not configured" if any(c.name == "Fiji" and c.status == "not configured"
                                for c in diagnosis) else "not ready")
    lines += ["", f"embedded engine: {'ready' if diagnosis.embedded_ready else 'not ready'}",
              f"Fiji engine: {fiji}"]
    return "\n".join(lines)

