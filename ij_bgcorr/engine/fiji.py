"""The Fiji engine: the user's own Fiji (ImageJ2 with its ImageJ 1.x layer) in this process.

PyImageJ builds an ImageJ2 gateway from a local ``Fiji.app`` folder or from a
Maven endpoint such as ``sc.fiji:fiji``. Fiji starts non-headless (PyImageJ's
interactive mode) on the private display (:mod:`~ij_bgcorr.engine.display`),
so that ImageJ's own dialogs read a macro's options and macros run as in the
Fiji GUI: headless Fiji's legacy layer replaces ImageJ's dialog with one that
ignores ``&variable`` options and multi-line text fields, and fails at
Analyze Particles, Histogram and the ROI Manager. Where no display can be had
(no Xvfb and no ``$DISPLAY``), or when asked (``headless=True``), Fiji starts
headless and macros run as headless Fiji runs them (``Engine.gui`` is False).

What Fiji prints while it starts (about 150 lines of plugin warnings) goes to
the ``ij_bgcorr`` logger at INFO level (``ij-bgcorr --verbose`` shows them); a failed
start quotes its last lines.

A local Fiji.app starts offline: nothing is resolved from a Maven repository.
PyImageJ, when imported, asks for its ``imglib2-imglyb`` bridge from Maven
and registers start-up hooks that load it; ij-bgcorr converts through
ImageJ 1.x's ``ImagePlus`` and needs neither, so they are left out unless the
Fiji.app ships that jar.

Java starts once per Python process. A process that already runs the
embedded engine cannot start Fiji: use a separate process for it.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ij_bgcorr.engine import exit_guard
from ij_bgcorr.engine.base import Engine
from ij_bgcorr.engine.display import ensure_display
from ij_bgcorr.engine.java import imagej_jar
from ij_bgcorr.engine.jvm import add_jvm_options, python_handles_ctrl_c
from ij_bgcorr.engine.locate import FIJI_ENV, IJ_JAR_GLOB, find_java_home, max_heap_option
from ij_bgcorr.engine.mainwindow import (
    give_back_home,
    home_option,
    open_main_window,
    private_home,
    set_imagej_folder,
)
from ij_bgcorr.engine.quiet import printed_to_log
from ij_bgcorr.errors import EngineNotAvailable
from ij_bgcorr.options import DEFAULT_TIMEOUT

log = logging.getLogger(__name__)

#: What to install when no Fiji can be used.
FIJI_HINT = (
    "Install Fiji from https://fiji.sc and pass its folder (fiji='/path/to/Fiji.app', "
    f"--fiji /path/to/Fiji.app, or {FIJI_ENV}=/path/to/Fiji.app)."
)
JAVA_HINT = (
    "Install Java 11 or newer: sudo apt-get install default-jre-headless, or "
    "conda install -c conda-forge openjdk=17 (ij-bgcorr never downloads a JDK by itself)."
)
PYIMAGEJ_HINT = "Install PyImageJ: pip install pyimagej, or conda install -c conda-forge pyimagej."

# The Maven endpoint of PyImageJ's bridge to ImgLib2 (registered when imglyb is imported).
_IMGLYB_ENDPOINT = "net.imglib2:imglib2-imglyb"

# Words in the errors PyImageJ, jgo and requests raise when Maven cannot be reached.
_NETWORK_WORDS = ("resolve", "connection", "max retries", "maven", "http", "name or service",
                  "timed out", "unreachable")

class FijiEngine(Engine):
    """Fiji's ImageJ 1.x layer, driven through PyImageJ's ImageJ2 gateway.

    Create it with :func:`ij_bgcorr.start_fiji` (or ``ij_bgcorr.start(fiji=...)``).
    The commands, :meth:`run_macro` and :meth:`recorded_macro` are the ones
    every engine has; results carry ``engine="fiji"`` in their attrs.

    Parameters
    ----------
    gateway : object or None
        PyImageJ's gateway (``imagej.init``'s result).
    source : str
        The Fiji.app folder or endpoint the gateway was built from.
    timeout : float, default 3600.0
        Seconds a command may run before it is stopped.
    gui : bool, default True
        Whether Fiji runs non-headless on a display (macros run as in the Fiji GUI).

    Attributes
    ----------
    gateway : object or None
        PyImageJ's ImageJ2 gateway (``ij`` in PyImageJ's documentation), for
        anything beyond the lesson's commands.
    source : str
        The Fiji.app folder or endpoint the gateway was built from.
    fiji_version : str or None
        ImageJ2's version as the gateway reports it (None without a gateway);
        ``version`` is the ImageJ 1.x version that runs the commands, as for the
        embedded engine.
    ij_jar : pathlib.Path
        The jar ImageJ 1.x was loaded from.
    """

    kind = "fiji"

    def __init__(self, gateway: Any | None, source: str, timeout: float = DEFAULT_TIMEOUT,
                 gui: bool = True) -> None:
        super().__init__(timeout, gui=gui)
        self.ij_jar = imagej_jar()
        self.gateway = gateway
        self.source = source
        self.fiji_version = str(gateway.getVersion()) if gateway is not None else None

    def __repr__(self) -> str:
        """Name ImageJ2's and ImageJ 1.x's versions and the source."""
        return f"<FijiEngine {self.fiji_version} (ImageJ {self.version}) from {self.source}>"


# -- checking a Fiji.app before starting it ----------------------------------------------
@dataclass(frozen=True)
class FijiApp:
    """A Fiji.app folder that has what the Fiji engine needs.

    Attributes
    ----------
    path : pathlib.Path
        The Fiji.app folder.
    ij_jar : pathlib.Path
        ImageJ 1.x (``jars/ij-*.jar``).
    imagej_jar : pathlib.Path
        ImageJ2 (``jars/imagej-2*.jar``).
    legacy_jar : pathlib.Path
        The ImageJ 1.x layer (``jars/imagej-legacy-*.jar``).
    imglyb_jar : pathlib.Path or None
        PyImageJ's imglyb bridge (``jars/imglib2-imglyb-*.jar``), when the Fiji.app ships it.
    """

    path: Path
    ij_jar: Path
    imagej_jar: Path
    legacy_jar: Path
    imglyb_jar: Path | None = None


def check_fiji_app(folder: str | os.PathLike[str]) -> FijiApp:
    """Check that ``folder`` is a Fiji.app: a ``jars`` folder with ImageJ 1.x and ImageJ2.

    Nothing is started.

    Parameters
    ----------
    folder : str or os.PathLike
        The Fiji.app folder (``~`` is expanded).

    Returns
    -------
    FijiApp
        Its absolute path and, of each jar, the last by name.

    Raises
    ------
    EngineNotAvailable
        Saying what is missing.
    """
    path = Path(folder).expanduser()
    if not path.exists():
        raise EngineNotAvailable(f"Fiji was requested at {path}, which does not exist. "
                                 f"{FIJI_HINT}")
    if not path.is_dir():
        raise EngineNotAvailable(f"Fiji was requested at {path}, which is not a folder; give "
                                 f"the Fiji.app folder itself. {FIJI_HINT}")
    jars = path / "jars"
    if not jars.is_dir():
        raise EngineNotAvailable(f"{path} has no Fiji.app layout: there is no jars/ folder in it. "
                                 f"{FIJI_HINT}")
    found = {
        "ImageJ 1.x (jars/ij-*.jar)": sorted(jars.glob(IJ_JAR_GLOB)),
        "ImageJ2 (jars/imagej-2*.jar)": sorted(jars.glob("imagej-[0-9]*.jar")),
        "ImageJ2's ImageJ 1.x layer (jars/imagej-legacy-*.jar)":
            sorted(jars.glob("imagej-legacy-*.jar")),
    }
    missing = [label for label, hits in found.items() if not hits]
    if missing:
        raise EngineNotAvailable(f"{path} is not a complete Fiji.app: missing "
                                 f"{'; '.join(missing)}. {FIJI_HINT}")
    ij_jar, imagej_jar, legacy_jar = (hits[-1] for hits in found.values())
    imglyb = sorted(jars.glob("imglib2-imglyb-*.jar"))
    return FijiApp(path.resolve(), ij_jar, imagej_jar, legacy_jar,
                   imglyb[-1] if imglyb else None)


# -- starting ------------------------------------------------------------------------------
def launch_fiji(how: str, where: str, timeout: float,
                prefs: str | os.PathLike[str] | None = None,
                headless: bool = False) -> FijiEngine:
    """Start Java with the requested Fiji and build the engine.

    Parameters
    ----------
    how : {"path", "endpoint"}
        What ``where`` is.
    where : str
        A Fiji.app folder (``how="path"``) or a Maven endpoint.
    timeout : float
        Seconds a command may run before it is stopped.
    prefs : str or os.PathLike, optional
        An ImageJ preferences file to start with; default: ImageJ's defaults.
    headless : bool, default False
        Start Fiji headless even where a display can be had.

    Returns
    -------
    FijiEngine
        The engine, Fiji running in this process.

    Raises
    ------
    EngineNotAvailable
        Saying what was tried and what to install, when the folder is no Fiji.app,
        PyImageJ or Java is missing, the endpoint cannot be resolved, or Java already
        runs in this process.
    """
    app = check_fiji_app(where) if how == "path" else None
    source = str(app.path) if app is not None else where
    _require_pyimagej()
    java_home = find_java_home(app.path if app is not None else None, "Fiji", JAVA_HINT)
    _require_no_jvm(source)
    home = private_home(prefs)
    gui = not headless and _display_for_fiji()
    gateway = _init_gateway(app, source, java_home, home, gui)
    give_back_home()
    if app is not None:
        set_imagej_folder(app.path)
    if gui:
        open_main_window()
    return FijiEngine(gateway, source, timeout, gui=gui)


def _display_for_fiji() -> bool:
    """Start the private display for Fiji; False (headless Fiji) where none can be had."""
    try:
        ensure_display()
    except EngineNotAvailable as exc:
        log.warning("Fiji starts headless, so macros run as headless Fiji runs them, not as "
                    "in the Fiji GUI: %s", exc)
        return False
    return True


def _require_pyimagej() -> None:
    try:
        found = importlib.util.find_spec("imagej") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise EngineNotAvailable(f"The Fiji engine needs PyImageJ, which is not installed. "
                                 f"{PYIMAGEJ_HINT}")


def _require_no_jvm(source: str) -> None:
    import scyjava

    if scyjava.jvm_started():
        raise EngineNotAvailable(
            f"Cannot start Fiji from {source}: Java already runs in this process (the embedded "
            "engine, or other code, started it) and Java starts only once per process. Start "
            "Fiji in a separate Python process, before anything else uses Java.")


@contextmanager
def _scyjava_state_restored_on_failure() -> Iterator[None]:
    """Undo what importing and starting PyImageJ changed in scyjava, if Java did not start.

    Saved: scyjava's endpoints, start-up hooks, JVM options and fetch mode,
    JPype's class path, and ``$JAVA_HOME``, so that a failed Fiji start leaves
    the process as it found it (the embedded engine can still start).
    """
    import jpype._classpath
    import scyjava
    from scyjava import _jvm

    endpoints = list(scyjava.config.endpoints)
    hooks = list(_jvm._startup_callbacks)
    options = list(scyjava.config.get_options())
    fetch = scyjava.config.get_fetch_java()
    classpath = list(jpype._classpath._CLASSPATHS)
    java_home = os.environ.get("JAVA_HOME")
    try:
        yield
    except BaseException:
        if not scyjava.jvm_started():
            scyjava.config.endpoints[:] = endpoints
            _jvm._startup_callbacks[:] = hooks
            scyjava.config.get_options()[:] = options
            scyjava.config.set_java_constraints(fetch=fetch)
            jpype._classpath._CLASSPATHS[:] = classpath
            if java_home is None:
                os.environ.pop("JAVA_HOME", None)
            else:
                os.environ["JAVA_HOME"] = java_home
        raise


def _leave_out_imglyb(app: FijiApp) -> None:
    """Start a local Fiji without resolving PyImageJ's imglyb bridge from Maven.

    The bridge's jar comes from the Fiji.app when it ships one; otherwise the
    start-up hooks that would load its classes are left out too (ij-bgcorr
    converts images through ImagePlus and never uses them).
    """
    import scyjava
    from scyjava import _jvm

    scyjava.config.endpoints[:] = [e for e in scyjava.config.endpoints
                                   if not e.startswith(_IMGLYB_ENDPOINT)]
    if app.imglyb_jar is None:
        _jvm._startup_callbacks[:] = [
            hook for hook in _jvm._startup_callbacks
            if not str(getattr(hook, "__module__", "")).startswith("imglyb")]


def _init_gateway(app: FijiApp | None, source: str, java_home: Path, home: Path,
                  gui: bool) -> Any:
    """``imagej.init`` (interactive on the display, else headless) with the installed Java.

    Errors are reworded; what Fiji prints meanwhile goes to the logger.
    """
    import scyjava

    how = "path" if app is not None else "endpoint"
    with _scyjava_state_restored_on_failure():
        try:
            import imagej
        except ImportError as exc:
            raise EngineNotAvailable(f"PyImageJ could not be imported ({exc}). "
                                     f"{PYIMAGEJ_HINT}") from exc
        if app is not None:
            _leave_out_imglyb(app)
        os.environ["JAVA_HOME"] = str(java_home)
        # "auto" prefers the Java found above and would download one only if there were
        # none, which find_java_home has excluded. ("never" trips PyImageJ 1.8.0's Java
        # version guess with an UnboundLocalError.)
        scyjava.config.set_java_constraints(fetch="auto")
        add_jvm_options(max_heap_option(), home_option(home),
                        f"-Djava.awt.headless={'false' if gui else 'true'}")
        exit_guard.prepare(java_home)
        python_handles_ctrl_c()
        with printed_to_log(log, "Fiji") as printed:
            try:
                gateway = imagej.init(source, mode="interactive" if gui else "headless")
            except Exception as exc:
                raise EngineNotAvailable(_init_failure(how, source, exc, printed())) from exc
    legacy = getattr(gateway, "legacy", None)
    if legacy is None or not legacy.isActive():
        raise EngineNotAvailable(
            f"Fiji from {source} started without its ImageJ 1.x layer (imagej-legacy is "
            f"missing or inactive), which runs the lesson's commands. {FIJI_HINT}")
    return gateway


def _init_failure(how: str, source: str, exc: BaseException, printed: list[str]) -> str:
    """Explain to a user why ``imagej.init`` failed, quoting Fiji's last printed lines."""
    network = any(word in f"{exc}".lower() for word in _NETWORK_WORDS)
    text = f"{type(exc).__name__}: {exc}"
    if printed:
        text += "; Fiji printed last: " + " | ".join(printed)
    if how == "endpoint" and network:
        return (f"Fiji endpoint {source!r} could not be resolved ({text}). Resolving an "
                "endpoint downloads ImageJ2/Fiji from the SciJava Maven repository "
                "(https://maven.scijava.org), which this machine did not reach (no network, "
                f"or a proxy). Run where it is reachable, or use a local Fiji. {FIJI_HINT}")
    if isinstance(exc, UnboundLocalError) and "major_version" in str(exc):
        return (f"PyImageJ could not tell which Java to use ({text}): scyjava's fetch mode is "
                "'never'. Use scyjava.config.set_java_constraints(fetch='auto') with Java "
                "installed, or upgrade PyImageJ.")
    what = f"endpoint {source!r}" if how == "endpoint" else source
    return f"Fiji did not start from {what} ({text}). {FIJI_HINT}"
