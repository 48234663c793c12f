"""The Fiji engine: the user's own Fiji (ImageJ2 with its ImageJ 1.x layer) in this process.

PyImageJ builds an ImageJ2 gateway from a local ``Fiji.app`` folder or from a
Maven endpoint such as ``sc.fiji:fiji``, in headless mode. Fiji's legacy
layer (``imagej-legacy``) rewrites ImageJ 1.x's dialogs at load time so that
its commands run without a display; no Xvfb is started.

Every command then runs exactly as in the embedded engine: one macro line
through the same :class:`~ij_bgcorr.macro_runner.MacroRunner`, images in and
out through :mod:`ij_bgcorr.convert`. :class:`FijiEngine` is the embedded
engine with another way of starting Java and ``kind = "fiji"``, so both give
the same dimensions, attrs and provenance.

Java starts once per Python process. A process that already runs the
embedded engine cannot start Fiji: use a separate process for it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .engine import EmbeddedEngine
from .errors import CommandError, EngineNotAvailable
from .locate import FIJI_ENV

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

# A Maven endpoint as PyImageJ takes it ("sc.fiji:fiji", "net.imagej:imagej:2.14.0",
# several joined with "+"), or a bare ImageJ2 version ("2.14.0").
_COORDINATE = r"[A-Za-z0-9_.\-]+:[A-Za-z0-9_.\-]+(?::[A-Za-z0-9_.\-]+)*"
_ENDPOINT = re.compile(rf"^(?:{_COORDINATE}(?:\+{_COORDINATE})*|\d+\.\d+\.\d+)$")

# Words in the errors PyImageJ, jgo and requests raise when Maven cannot be reached.
_NETWORK_WORDS = ("resolve", "connection", "max retries", "maven", "http", "name or service",
                  "timed out", "unreachable")

_fiji: FijiEngine | None = None
_start_lock = threading.Lock()


class FijiEngine(EmbeddedEngine):
    """Fiji's ImageJ 1.x layer, driven through PyImageJ's ImageJ2 gateway.

    Create it with :func:`start_fiji` (or ``ij_bgcorr.start(fiji=...)``). The
    commands, :meth:`run_macro` and :meth:`recorded_macro` are the embedded
    engine's, unchanged; results carry ``engine="fiji"`` in their attrs.

    Attributes
    ----------
    gateway:
        PyImageJ's ImageJ2 gateway (``ij`` in PyImageJ's documentation), for
        anything beyond the lesson's commands.
    source:
        The Fiji.app folder or endpoint the gateway was built from.
    fiji_version:
        ImageJ2's version as the gateway reports it; ``version`` is the
        ImageJ 1.x version that runs the commands, as for the embedded engine.
    """

    kind = "fiji"

    def __init__(self, gateway: Any | None, source: str, timeout: float = 3600.0) -> None:
        super().__init__(_loaded_ij_jar(), timeout)
        self.gateway = gateway
        self.source = source
        self.fiji_version = str(gateway.getVersion()) if gateway is not None else None


def _loaded_ij_jar() -> Path:
    """The jar (or folder) ImageJ 1.x's ``ij.IJ`` was loaded from in the running JVM."""
    from jpype import JClass

    try:
        location = JClass("ij.IJ").class_.getProtectionDomain().getCodeSource().getLocation()
        return Path(str(JClass("java.io.File")(location.toURI()).getPath()))
    except Exception:  # no code source (e.g. a custom class loader): not worth failing for
        return Path()


# -- which engine ------------------------------------------------------------------------
def looks_like_endpoint(value: str) -> bool:
    """True for a Maven endpoint (``sc.fiji:fiji``) or an ImageJ2 version (``2.14.0``)."""
    return bool(_ENDPOINT.match(value.strip()))


def fiji_request(
    fiji: str | os.PathLike[str] | None = None,
    endpoint: str | None = None,
    env: Mapping[str, str] = os.environ,
) -> tuple[Literal["path", "endpoint"], str] | None:
    """Which Fiji the caller asked for: ``("path", folder)``, ``("endpoint", coords)`` or None.

    ``fiji`` comes first, then ``endpoint``, then ``$IJ_BGCORR_FIJI`` (a
    Fiji.app folder, or an endpoint such as ``sc.fiji:fiji`` when it is not
    an existing path). Raises :class:`~ij_bgcorr.errors.CommandError` when
    both ``fiji`` and ``endpoint`` are given or the endpoint is malformed.
    """
    if fiji is not None and endpoint is not None:
        raise CommandError("Give either fiji (a Fiji.app folder) or endpoint, not both.")
    if fiji is not None and str(fiji).strip():
        return "path", str(fiji)
    if endpoint is not None and endpoint.strip():
        if not looks_like_endpoint(endpoint):
            raise CommandError(
                f"endpoint {endpoint!r} is not a Maven endpoint such as 'sc.fiji:fiji' or "
                "'net.imagej:imagej:2.14.0' (for a Fiji.app folder use fiji=...).")
        return "endpoint", endpoint.strip()
    value = (env.get(FIJI_ENV) or "").strip()
    if not value:
        return None
    if looks_like_endpoint(value) and not Path(value).expanduser().exists():
        return "endpoint", value
    return "path", value


def select_engine(
    fiji: str | os.PathLike[str] | None = None,
    endpoint: str | None = None,
    ij_jar: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] = os.environ,
) -> Literal["embedded", "fiji"]:
    """The engine :func:`ij_bgcorr.start` should start.

    A Fiji folder or endpoint (argument or ``$IJ_BGCORR_FIJI``) selects
    ``"fiji"``; nothing selects ``"embedded"``. An explicit ``ij_jar``
    selects the embedded engine even when ``$IJ_BGCORR_FIJI`` is set, and
    together with ``fiji``/``endpoint`` is a
    :class:`~ij_bgcorr.errors.CommandError`. The choice is never revised:
    if the selected engine cannot start, starting it raises.
    """
    if ij_jar is not None and (fiji is not None or endpoint is not None):
        raise CommandError("ij_jar selects the embedded engine and fiji/endpoint the Fiji "
                           "engine: give one of them.")
    if ij_jar is not None:
        return "embedded"
    return "fiji" if fiji_request(fiji, endpoint, env) is not None else "embedded"


# -- checking a Fiji.app before starting it ----------------------------------------------
@dataclass(frozen=True)
class FijiApp:
    """A Fiji.app folder that has what the Fiji engine needs.

    ``ij_jar`` is ImageJ 1.x (``jars/ij-*.jar``), ``imagej_jar`` ImageJ2
    (``jars/imagej-2*.jar``), ``legacy_jar`` the ImageJ 1.x layer
    (``jars/imagej-legacy-*.jar``).
    """

    path: Path
    ij_jar: Path
    imagej_jar: Path
    legacy_jar: Path


def check_fiji_app(folder: str | os.PathLike[str]) -> FijiApp:
    """Check that ``folder`` is a Fiji.app: a ``jars`` folder with ImageJ 1.x and ImageJ2.

    Raises :class:`~ij_bgcorr.errors.EngineNotAvailable` saying what is
    missing. Nothing is started.
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
        "ImageJ 1.x (jars/ij-*.jar)": sorted(jars.glob("ij-[0-9]*.jar")),
        "ImageJ2 (jars/imagej-2*.jar)": sorted(jars.glob("imagej-[0-9]*.jar")),
        "ImageJ2's ImageJ 1.x layer (jars/imagej-legacy-*.jar)":
            sorted(jars.glob("imagej-legacy-*.jar")),
    }
    missing = [label for label, hits in found.items() if not hits]
    if missing:
        raise EngineNotAvailable(f"{path} is not a complete Fiji.app: missing "
                                 f"{'; '.join(missing)}. {FIJI_HINT}")
    ij_jar, imagej_jar, legacy_jar = (hits[-1] for hits in found.values())
    return FijiApp(path.resolve(), ij_jar, imagej_jar, legacy_jar)


def fiji_java_home(fiji_app: Path | None = None) -> Path:
    """The Java to start Fiji with: ``$JAVA_HOME``, ``java`` on PATH, or the one Fiji bundles.

    Raises :class:`~ij_bgcorr.errors.EngineNotAvailable` when there is none;
    nothing is ever downloaded.
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
    raise EngineNotAvailable(f"Fiji needs Java and none was found ({tried}). {JAVA_HINT}")


# -- starting ------------------------------------------------------------------------------
def running_fiji_engine() -> FijiEngine | None:
    """The Fiji engine started in this process, if any."""
    return _fiji


def start_fiji(
    fiji: str | os.PathLike[str] | None = None,
    endpoint: str | None = None,
    timeout: float = 3600.0,
) -> FijiEngine:
    """Start the Fiji engine, or return the one already running from the same Fiji.

    Uses ``fiji`` (a Fiji.app folder), else ``endpoint`` (e.g.
    ``"sc.fiji:fiji"``, resolved from the SciJava Maven repository), else
    ``$IJ_BGCORR_FIJI``. ``timeout`` (seconds) bounds each command.

    Raises :class:`~ij_bgcorr.errors.EngineNotAvailable`, saying what was
    tried and what to install, when no Fiji was requested, the folder is no
    Fiji.app, PyImageJ or Java is missing, the endpoint cannot be resolved,
    or Java already runs in this process. It never falls back to the
    embedded engine.
    """
    global _fiji
    request = fiji_request(fiji, endpoint)
    if request is None:
        raise EngineNotAvailable(f"No Fiji was requested: pass fiji='/path/to/Fiji.app' or "
                                 f"endpoint='sc.fiji:fiji', or set {FIJI_ENV}.")
    how, where = request
    with _start_lock:
        app = check_fiji_app(where) if how == "path" else None
        source = str(app.path) if app is not None else where
        if _fiji is not None:
            if _fiji.source == source:
                return _fiji
            raise EngineNotAvailable(
                f"Fiji from {_fiji.source} already runs in this process; Java starts once per "
                f"process, so {source} needs a separate Python process.")
        _require_pyimagej()
        java_home = fiji_java_home(app.path if app is not None else None)
        _require_no_jvm(source)
        gateway = _init_gateway(how, source, java_home)
        _fiji = FijiEngine(gateway, source, timeout)
        return _fiji


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


def _init_gateway(how: str, source: str, java_home: Path) -> Any:
    """``imagej.init(source, mode="headless")`` with the installed Java; errors reworded."""
    import scyjava

    # Importing PyImageJ adds a Maven endpoint (imglyb) to scyjava's configuration,
    # and any later JVM start would try to resolve it: a failed start undoes that.
    saved_endpoints = list(scyjava.config.endpoints)
    options = scyjava.config.get_options()
    saved_options = list(options)
    try:
        import imagej
    except ImportError as exc:
        scyjava.config.endpoints[:] = saved_endpoints
        raise EngineNotAvailable(f"PyImageJ could not be imported ({exc}). "
                                 f"{PYIMAGEJ_HINT}") from exc

    saved_fetch = scyjava.config.get_fetch_java()
    saved_java_home = os.environ.get("JAVA_HOME")
    os.environ["JAVA_HOME"] = str(java_home)
    # "auto" prefers the Java found above and would download one only if there were
    # none, which fiji_java_home has excluded. ("never" trips PyImageJ 1.8.0's Java
    # version guess with an UnboundLocalError.)
    scyjava.config.set_java_constraints(fetch="auto")
    heap = os.environ.get("IJ_BGCORR_MAX_HEAP")
    if heap:
        scyjava.config.add_option(f"-Xmx{heap}")
    try:
        gateway = imagej.init(source, mode="headless")
    except Exception as exc:
        if not scyjava.jvm_started():
            scyjava.config.endpoints[:] = saved_endpoints
            options[:] = saved_options
            scyjava.config.set_java_constraints(fetch=saved_fetch)
            if saved_java_home is None:
                os.environ.pop("JAVA_HOME", None)
            else:
                os.environ["JAVA_HOME"] = saved_java_home
        raise EngineNotAvailable(_init_failure(how, source, exc)) from exc
    legacy = getattr(gateway, "legacy", None)
    if legacy is None or not legacy.isActive():
        raise EngineNotAvailable(
            f"Fiji from {source} started without its ImageJ 1.x layer (imagej-legacy is "
            f"missing or inactive), which runs the lesson's commands. {FIJI_HINT}")
    return gateway


def _init_failure(how: str, source: str, exc: BaseException) -> str:
    """A user's explanation of why ``imagej.init`` failed."""
    text = f"{type(exc).__name__}: {exc}"
    if how == "endpoint" and any(word in text.lower() for word in _NETWORK_WORDS):
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
