"""Which engine to start, and starting it once per process.

Java starts once per Python process, so one process holds one engine: the
embedded ImageJ 1.x (the default) or the user's Fiji (a Fiji.app folder or a
Maven endpoint, from an argument or ``$IJ_BGCORR_FIJI``). A request is never
revised: when the requested engine cannot start, starting it raises
:class:`~ij_bgcorr.errors.EngineNotAvailable`.
"""

from __future__ import annotations

import copyreg
import os
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from ij_bgcorr.engine import exit_guard
from ij_bgcorr.engine.base import Engine
from ij_bgcorr.engine.embedded import EmbeddedEngine, launch_embedded
from ij_bgcorr.engine.fiji import FijiEngine, check_fiji_app, launch_fiji
from ij_bgcorr.engine.jvm import ctrl_c_deferred
from ij_bgcorr.engine.locate import FIJI_ENV
from ij_bgcorr.errors import CommandError, EngineNotAvailable
from ij_bgcorr.options import DEFAULT_TIMEOUT

# A Maven endpoint as PyImageJ takes it ("sc.fiji:fiji", "net.imagej:imagej:2.14.0",
# several joined with "+"), or a bare ImageJ2 version ("2.14.0").
_COORDINATE = r"[A-Za-z0-9_.\-]+:[A-Za-z0-9_.\-]+(?::[A-Za-z0-9_.\-]+)*"
_ENDPOINT = re.compile(rf"^(?:{_COORDINATE}(?:\+{_COORDINATE})*|\d+\.\d+\.\d+)$")

_running: Engine | None = None
_lock = threading.Lock()


def looks_like_endpoint(value: str) -> bool:
    """Check for a Maven endpoint (``sc.fiji:fiji``) or an ImageJ2 version (``2.14.0``).

    Parameters
    ----------
    value : str
        A ``--fiji`` or ``$IJ_BGCORR_FIJI`` value; surrounding spaces are ignored.

    Returns
    -------
    bool
        True for an endpoint (several may be joined with ``+``) or a version.
    """
    return bool(_ENDPOINT.match(value.strip()))


def fiji_request(
    fiji: str | os.PathLike[str] | None = None,
    endpoint: str | None = None,
    env: Mapping[str, str] = os.environ,
) -> tuple[Literal["path", "endpoint"], str] | None:
    """Find which Fiji the caller asked for: ``("path", folder)``, ``("endpoint", coords)`` or None.

    ``fiji`` comes first, then ``endpoint``, then ``$IJ_BGCORR_FIJI`` (a
    Fiji.app folder, or an endpoint such as ``sc.fiji:fiji`` when it is not
    an existing path).

    Parameters
    ----------
    fiji : str or os.PathLike, optional
        A Fiji.app folder.
    endpoint : str, optional
        A Maven endpoint, e.g. ``"sc.fiji:fiji"``.
    env : mapping of str to str, default os.environ
        Where ``$IJ_BGCORR_FIJI`` is read.

    Returns
    -------
    tuple of (str, str) or None
        ``("path", folder)`` or ``("endpoint", coords)``; None when no Fiji was asked for.

    Raises
    ------
    CommandError
        When both ``fiji`` and ``endpoint`` are given or the endpoint is malformed.
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
    """Return the engine :func:`start` should start.

    A Fiji folder or endpoint (argument or ``$IJ_BGCORR_FIJI``) selects
    ``"fiji"``; nothing selects ``"embedded"``. An explicit ``ij_jar``
    selects the embedded engine even when ``$IJ_BGCORR_FIJI`` is set.

    Parameters
    ----------
    fiji : str or os.PathLike, optional
        A Fiji.app folder.
    endpoint : str, optional
        A Maven endpoint, e.g. ``"sc.fiji:fiji"``.
    ij_jar : str or os.PathLike, optional
        ImageJ 1.x's jar for the embedded engine.
    env : mapping of str to str, default os.environ
        Where ``$IJ_BGCORR_FIJI`` is read.

    Returns
    -------
    {"embedded", "fiji"}
        The engine's kind.

    Raises
    ------
    CommandError
        When ``ij_jar`` is given together with ``fiji``/``endpoint``, or as
        :func:`fiji_request` raises.
    """
    if ij_jar is not None and (fiji is not None or endpoint is not None):
        raise CommandError("ij_jar selects the embedded engine and fiji/endpoint the Fiji "
                           "engine: give one of them.")
    if ij_jar is not None:
        return "embedded"
    return "fiji" if fiji_request(fiji, endpoint, env) is not None else "embedded"


def running_engine() -> Engine | None:
    """Return the engine started in this process, if any.

    Returns
    -------
    Engine or None
        The engine :func:`start` or :func:`start_fiji` started.
    """
    return _running


def start(
    ij_jar: str | Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    *,
    fiji: str | Path | None = None,
    endpoint: str | None = None,
    prefs: str | Path | None = None,
    headless: bool = False,
) -> Engine:
    """Start the ImageJ engine, or return the one already running.

    By default this is the embedded ImageJ 1.x engine. ``fiji`` or ``endpoint``, or else
    ``$IJ_BGCORR_FIJI``, start the Fiji engine instead (see :func:`start_fiji`); if that
    Fiji cannot start, this raises rather than falling back.

    Parameters
    ----------
    ij_jar : str or pathlib.Path, optional
        Overrides the search for ImageJ's jar (see :func:`ij_bgcorr.engine.locate.find_ij_jar`).
    timeout : float, default 3600.0
        Seconds each command may run.
    fiji : str or pathlib.Path, optional
        A Fiji.app folder (keyword only).
    endpoint : str, optional
        A Maven endpoint, e.g. ``"sc.fiji:fiji"`` (keyword only).
    prefs : str or pathlib.Path, optional
        An ImageJ preferences file (``IJ_Prefs.txt``) both engines start with (keyword
        only). Default: ImageJ's defaults; the user's own ``~/.imagej`` is never read.
    headless : bool, default False
        Fiji only: start it headless, so that macros run as headless Fiji runs them
        (keyword only). By default Fiji runs on a private display, as its GUI does.

    Returns
    -------
    Engine
        An :class:`~ij_bgcorr.engine.embedded.EmbeddedEngine` or a
        :class:`~ij_bgcorr.engine.fiji.FijiEngine`.

    Raises
    ------
    EngineNotAvailable
        Saying what is missing, or that another engine already runs in this process.
    CommandError
        When ``ij_jar`` is given with ``fiji``/``endpoint``, both of those are given, or
        the endpoint is malformed.

    Examples
    --------
    >>> fiji = ijb.start()
    >>> fiji  # doctest: +ELLIPSIS
    <...Engine ...ImageJ 1.5...>
    >>> fiji is ijb.start(), fiji.kind in ("embedded", "fiji")
    (True, True)
    """
    if select_engine(fiji, endpoint, ij_jar) == "fiji":
        return start_fiji(fiji, endpoint, timeout, prefs=prefs, headless=headless)
    if headless:
        raise CommandError("headless=True is for the Fiji engine (headless Fiji); the "
                           "embedded engine always has its private display. Run a macro as "
                           "headless Fiji would with run_macro(..., mode='batch').")
    global _running
    with _lock:
        if _running is not None:
            exit_guard.check_java_alive()
        if _running is None:
            with ctrl_c_deferred():
                _running = launch_embedded(ij_jar, timeout, prefs)
        elif not isinstance(_running, EmbeddedEngine):
            raise EngineNotAvailable(
                f"{_running!r} already runs in this process and Java starts once per "
                "process: start the embedded engine in a separate Python process.")
        return _running


def start_fiji(
    fiji: str | os.PathLike[str] | None = None,
    endpoint: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    *,
    prefs: str | os.PathLike[str] | None = None,
    headless: bool = False,
) -> FijiEngine:
    """Start the Fiji engine, or return the one already running from the same Fiji.

    A local Fiji.app starts offline. It never falls back to the embedded engine.

    Parameters
    ----------
    fiji : str or os.PathLike, optional
        A Fiji.app folder; used first.
    endpoint : str, optional
        Else a Maven endpoint (e.g. ``"sc.fiji:fiji"``, resolved from the SciJava Maven
        repository); else ``$IJ_BGCORR_FIJI``.
    timeout : float, default 3600.0
        Seconds each command may run.
    prefs : str or os.PathLike, optional
        An ImageJ preferences file to start with (keyword only); default ImageJ's defaults.
    headless : bool, default False
        Start Fiji headless (keyword only); by default it runs on a private display.

    Returns
    -------
    FijiEngine
        The engine.

    Raises
    ------
    EngineNotAvailable
        Saying what was tried and what to install, when no Fiji was requested, the folder
        is no Fiji.app, PyImageJ or Java is missing, the endpoint cannot be resolved, or
        Java already runs in this process.
    CommandError
        When both ``fiji`` and ``endpoint`` are given or the endpoint is malformed.

    Examples
    --------
    A folder that is no Fiji.app is refused before Java starts, saying what to do:

    >>> ijb.start_fiji(fiji="/no/such/Fiji.app")
    Traceback (most recent call last):
    ...
    ij_bgcorr.errors.EngineNotAvailable: Fiji was requested at /no/such/Fiji.app, which does
    not exist. Install Fiji from https://fiji.sc and pass its folder ...
    """
    global _running
    request = fiji_request(fiji, endpoint)
    if request is None:
        raise EngineNotAvailable(f"No Fiji was requested: pass fiji='/path/to/Fiji.app' or "
                                 f"endpoint='sc.fiji:fiji', or set {FIJI_ENV}.")
    how, where = request
    with _lock:
        source = str(check_fiji_app(where).path) if how == "path" else where
        if _running is not None:
            exit_guard.check_java_alive()
        if isinstance(_running, FijiEngine) and _running.source == source:
            return _running
        if _running is not None:
            raise EngineNotAvailable(
                f"{_running!r} already runs in this process; Java starts once per process, "
                f"so Fiji from {source} needs a separate Python process.")
        with ctrl_c_deferred():
            _running = launch_fiji(how, where, timeout, prefs, headless)
        return _running


def _restart(kind: str, source: str, timeout: float) -> Engine:
    """Return this process's engine of ``kind`` from ``source``, starting it if need be."""
    if kind == "fiji":
        how = "endpoint" if looks_like_endpoint(source) and not Path(source).is_dir() else "fiji"
        return start_fiji(**{how: source}, timeout=timeout)
    return start(ij_jar=source or None, timeout=timeout)


def _reduce(engine: Engine) -> tuple[object, tuple[str, str, float]]:
    source = engine.source if isinstance(engine, FijiEngine) else str(engine.ij_jar)
    return _restart, (engine.kind, source, engine.timeout)


# An engine sent to another process (a Dask worker computing tiles) arrives as that
# process's own engine of the same kind and source: Java objects cannot travel.
for _kind in (EmbeddedEngine, FijiEngine):
    copyreg.pickle(_kind, _reduce)
