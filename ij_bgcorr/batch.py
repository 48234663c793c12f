"""Background correction of many files: one call, resumable, in parallel.

:func:`batch` runs one method (median, max projection, rolling ball, top-hat
or any macro) on every input file and writes ``<out>/<stem>/background.tif``
and ``foreground.tif`` (a macro's outputs by their titles). Each output is
written to a hidden temporary file in its folder and renamed into place, so
an interrupted run never leaves a half-written output. ``<out>/manifest.json``
records, per input, its SHA-256, the method and parameters, the ImageJ
version, the macro lines that ran, the outputs and the status; it is
rewritten (atomically) after each file. A rerun skips the inputs whose
outputs are all present and match the manifest for the same input checksum,
method and parameters.

Work runs in this process (``workers=1``), in ``workers`` spawned processes
(each starts its own ImageJ engine once), or on a dask.distributed cluster
(``scheduler="tcp://host:port"``; one engine per worker process). Workers
read the inputs and write the outputs themselves; only small
:class:`FileResult` records travel back.
"""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import multiprocessing
import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import xarray as xr

from .errors import CommandError
from .tiff import file_stem

log = logging.getLogger(__name__)

#: Methods and their parameters with defaults (radii in pixels).
METHODS: dict[str, dict[str, Any]] = {
    "median": {"radius": 15.0},
    "maxproj": {},
    "rolling-ball": {"rolling": 50.0, "light_background": False},
    "tophat": {"radius": 15.0},
    "macro": {},
}

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
TIFF_SUFFIXES = (".tif", ".tiff")
_TMP_SUFFIX = ".tmp"
_CHUNK = 1 << 20  # bytes read at a time when hashing


# -- records ---------------------------------------------------------------------------------
@dataclass
class Job:
    """One input to process: what a worker needs, all plain values (picklable).

    ``params`` are the method's parameters (radii in pixels); for ``macro``
    they are passed to the macro through ``getArgument()``. ``timeout`` is in
    seconds; ``imagej_threads``, when set, is the number of threads ImageJ's
    filters may use in the worker (1 when several worker processes share
    the CPUs, so they do not compete).
    """

    input: str
    out_dir: str
    method: str
    params: dict[str, Any]
    macro: str | None = None
    timeout: float = 600.0
    imagej_threads: int | None = None


@dataclass
class FileResult:
    """What happened to one input; also its manifest entry.

    ``outputs`` maps an output's title to ``{"path", "sha256", "bytes",
    "macro_line"}`` (``path`` relative to the batch's output folder);
    ``seconds`` is the wall time spent on the file in the worker;
    ``worker`` is the ``host:pid`` of the process that did it; ``macro`` is
    the engine's recorded macro for this file (it replays the file's
    commands in Fiji).
    """

    input: str
    status: str  # "ok" or "error"
    method: str
    params: dict[str, Any]
    input_sha256: str | None = None
    message: str = ""
    imagej_version: str | None = None
    macro_lines: list[str] = field(default_factory=list)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0
    worker: str = ""
    macro: str = ""

    @property
    def ok(self) -> bool:
        """True when every output was written."""
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        """The manifest entry (JSON-serializable)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FileResult:
        """A record read back from the manifest (unknown keys are ignored)."""
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class BatchSummary:
    """The outcome of :func:`batch`.

    ``processed``: inputs corrected in this run; ``skipped``: inputs whose
    outputs were already complete and current; ``failed``: inputs that could
    not be processed, each with its ``message``. ``seconds`` is the run's
    wall time; ``throughput`` is processed images per second.
    """

    out_dir: Path
    manifest: Path
    processed: list[FileResult] = field(default_factory=list)
    skipped: list[FileResult] = field(default_factory=list)
    failed: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no input failed."""
        return not self.failed

    @property
    def throughput(self) -> float:
        """Processed images per second of wall time (0 when nothing ran)."""
        return len(self.processed) / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        lines = [f"{len(self.processed)} processed, {len(self.skipped)} skipped "
                 f"(already done), {len(self.failed)} failed in {self.seconds:.1f} s; "
                 f"outputs in {self.out_dir}, manifest {self.manifest}"]
        for result in self.failed:
            lines.append(f"  FAILED {result.input}: {result.message}")
        return "\n".join(lines)


# -- inputs ----------------------------------------------------------------------------------
def _has_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def _is_tiff_name(path: Path) -> bool:
    return path.suffix.lower() in TIFF_SUFFIXES


def collect_inputs(inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
                   ) -> list[Path]:
    """The input files named by ``inputs``, as absolute paths, without duplicates.

    ``inputs`` is a folder (its ``*.tif``/``*.tiff`` files, sorted), a glob
    pattern (sorted matches), a TIFF path, a list file (one path per line;
    blank lines and ``#`` comments ignored; relative paths are relative to
    the list file's folder), or a sequence of paths. Entries that turn out
    unreadable are kept: :func:`batch` reports them as failures. A folder,
    pattern or list file naming no file raises FileNotFoundError.
    """
    if isinstance(inputs, (str, os.PathLike)):
        text = os.fspath(inputs)
        path = Path(text)
        if path.is_dir():
            found = [p for p in path.iterdir() if _is_tiff_name(p)]
            paths = sorted(found, key=lambda p: p.name)
        elif _has_glob(text) and not path.exists():
            paths = [Path(p) for p in sorted(glob.glob(text))]
        elif _is_tiff_name(path) or path.is_symlink():
            paths = [path]
        elif path.is_file():
            paths = _read_list_file(path)
        else:
            raise FileNotFoundError(f"No such input folder, file or pattern: {text}")
        if not paths:
            raise FileNotFoundError(f"No .tif/.tiff files in or matching {text}")
    else:
        paths = [Path(p) for p in inputs]
    unique: dict[str, Path] = {}
    for p in paths:
        unique.setdefault(os.path.abspath(p), Path(os.path.abspath(p)))
    return list(unique.values())


def _read_list_file(path: Path) -> list[Path]:
    paths = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        p = Path(entry).expanduser()
        paths.append(p if p.is_absolute() else path.parent / p)
    return paths


def output_folders(paths: Sequence[Path]) -> dict[str, str]:
    """Output folder name per input: its stem, plus a short path hash if stems collide."""
    stems: dict[str, int] = {}
    for p in paths:
        stems[p.stem] = stems.get(p.stem, 0) + 1
    names = {}
    for p in paths:
        name = p.stem
        if stems[name] > 1:
            name += "-" + hashlib.sha256(str(p).encode()).hexdigest()[:8]
        names[str(p)] = name
    return names


# -- parameters ------------------------------------------------------------------------------
def method_params(method: str, params: Mapping[str, Any] | None = None,
                  macro: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The method's full parameter set: defaults, overridden by ``params``.

    Raises :class:`~ij_bgcorr.errors.CommandError` for an unknown method, an
    unknown parameter, or ``macro`` without a macro file. For ``macro`` the
    parameters are free (they become the macro's arguments) and the macro
    file's SHA-256 is added as ``macro_sha256``, so an edited macro reruns.
    """
    if method not in METHODS:
        raise CommandError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    given = dict(params or {})
    if method == "macro":
        if macro is None:
            raise CommandError("method 'macro' needs macro= (an .ijm file).")
        path = Path(macro)
        if not path.is_file():
            raise FileNotFoundError(f"No such macro file: {path}")
        return {**given, "macro_sha256": file_sha256(path)}
    if macro is not None:
        raise CommandError(f"macro= is only used with method 'macro', not {method!r}.")
    unknown = sorted(set(given) - set(METHODS[method]))
    if unknown:
        raise CommandError(f"Method {method!r} takes {sorted(METHODS[method]) or 'no'} "
                           f"parameters, not {unknown}.")
    full = {**METHODS[method], **given}
    for key, value in full.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if value <= 0:
                raise CommandError(f"{key} must be > 0 pixels, not {value}.")
            full[key] = float(value)
    return full


# -- files -----------------------------------------------------------------------------------
def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}{_TMP_SUFFIX}")


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def atomic_write(path: Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write(temp_path)``, then rename the temporary file to ``path``.

    The temporary file is in the same folder (hidden, ending ``.tmp``), so
    the rename is atomic: ``path`` is either the old file or the complete new
    one. The temporary file is removed if ``write`` fails or is interrupted.
    """
    temp = _temp_name(path)
    try:
        write(temp)
        _fsync(temp)
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
    return path


def remove_stale_temporaries(folder: Path) -> int:
    """Delete temporary files a killed run left in ``folder``; return how many."""
    count = 0
    if folder.is_dir():
        for temp in folder.glob(f".*{_TMP_SUFFIX}"):
            temp.unlink(missing_ok=True)
            count += 1
    return count


# -- the work on one file (runs in a worker) -------------------------------------------------
def _run_method(job: Job, image: xr.DataArray) -> dict[str, xr.DataArray]:
    from . import workflows
    from .startup import start

    engine = start()
    engine.new_session()  # each file's recorded macro replays that file alone
    if job.imagej_threads:
        from jpype import JClass

        JClass("ij.Prefs").setThreads(int(job.imagej_threads))
    p = job.params
    if job.method == "median":
        background, foreground = workflows.median_background(engine, image, p["radius"])
    elif job.method == "maxproj":
        background, foreground = workflows.max_projection_background(engine, image)
    elif job.method == "rolling-ball":
        background, foreground = workflows.rolling_ball_background(
            engine, image, p["rolling"], bool(p["light_background"]))
    elif job.method == "tophat":
        background, foreground = workflows.tophat_background(engine, image, p["radius"],
                                                             timeout=job.timeout)
    elif job.method == "macro":
        args = {k: v for k, v in p.items() if k != "macro_sha256"}
        result = engine.run_macro(job.macro or "", inputs={"input": image}, args=args,
                                  timeout=job.timeout)
        if not result.images:
            raise CommandError("the macro left no image open")
        return dict(result.images)
    else:
        raise CommandError(f"Unknown method {job.method!r}")
    return {"background": background, "foreground": foreground}


def _recorded_macro() -> str:
    from .startup import running_engine

    engine = running_engine()
    return engine.recorded_macro() if engine is not None else ""


def process_file(job: Job) -> FileResult:
    """Correct one input and write its outputs; never raises for a bad file.

    Starts this process's ImageJ engine on first use. Any error (missing or
    unreadable file, not a TIFF, a macro error, ...) becomes a result with
    ``status="error"`` and the message.
    """
    from .tiff import open_image, save_image

    started = time.perf_counter()
    result = FileResult(input=job.input, status="error", method=job.method, params=job.params,
                        worker=f"{socket.gethostname()}:{os.getpid()}")
    try:
        result.input_sha256 = file_sha256(job.input)
        image = open_image(job.input)
        images = _run_method(job, image)
        result.macro = _recorded_macro()
        folder = Path(job.out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        base = folder.parent
        outputs: dict[str, dict[str, Any]] = {}
        for title, out_image in images.items():
            path = folder / f"{file_stem(title)}.tif"
            atomic_write(path, lambda temp, im=out_image: save_image(im, temp))
            line = str(out_image.attrs.get("macro_line", ""))
            outputs[title] = {"path": str(path.relative_to(base)), "sha256": file_sha256(path),
                              "bytes": path.stat().st_size, "macro_line": line}
            result.imagej_version = str(out_image.attrs.get("imagej_version", "")) or None
        result.outputs = outputs
        result.macro_lines = list(dict.fromkeys(o["macro_line"] for o in outputs.values()
                                                if o["macro_line"]))
        result.status = "ok"
    except Exception as exc:  # one bad file must not stop the batch
        result.message = f"{type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - started
    return result


def _start_worker_engine() -> None:
    """Process-pool initializer: start the engine now; errors surface per file later."""
    try:
        from .startup import start

        start()
    except Exception as exc:  # reported by process_file for each file
        log.warning("ImageJ engine did not start in worker %d: %s", os.getpid(), exc)


# -- manifest --------------------------------------------------------------------------------
def read_manifest(out_dir: str | os.PathLike[str]) -> dict[str, FileResult]:
    """Manifest entries by input path (empty when there is no readable manifest)."""
    path = Path(out_dir) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {key: FileResult.from_dict(entry) for key, entry in data["entries"].items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if path.exists():
            log.warning("Ignoring unreadable manifest %s: %s", path, exc)
        return {}


def _entry_json(entry: FileResult) -> str:
    return json.dumps(entry.to_dict(), indent=1, sort_keys=True).replace("\n", "\n  ")


def write_manifest(out_dir: Path, entries: Mapping[str, FileResult],
                   cache: dict[str, tuple[FileResult, str]] | None = None) -> Path:
    """Write ``<out_dir>/manifest.json`` atomically; return its path.

    ``{"format": 1, "entries": {input path: entry}}``, entries sorted by
    input path. ``cache`` (input path -> (entry, its JSON text)) lets a
    caller that rewrites the manifest after every file serialize each entry
    only once.
    """
    cache = {} if cache is None else cache
    parts = []
    for key in sorted(entries):
        entry = entries[key]
        cached = cache.get(key)
        if cached is None or cached[0] is not entry:
            cached = cache[key] = (entry, _entry_json(entry))
        parts.append(f"  {json.dumps(key)}: {cached[1]}")
    body = ",\n".join(parts)
    text = f'{{\n "format": {MANIFEST_FORMAT},\n "entries": {{\n{body}\n }}\n}}\n'
    path = out_dir / MANIFEST_NAME
    atomic_write(path, lambda temp: temp.write_text(text, encoding="utf-8"))
    return path


def is_current(entry: FileResult | None, job: Job, out_dir: Path) -> bool:
    """True when ``entry`` says ``job`` is done and its outputs are intact.

    Same method and parameters, status ok, every output present with its
    recorded size and SHA-256, and the input's SHA-256 unchanged.
    """
    if entry is None or not entry.ok or entry.method != job.method:
        return False
    if entry.params != job.params or not entry.outputs:
        return False
    for output in entry.outputs.values():
        path = out_dir / output["path"]
        try:
            if path.stat().st_size != output["bytes"] or file_sha256(path) != output["sha256"]:
                return False
        except OSError:
            return False
    try:
        return file_sha256(job.input) == entry.input_sha256
    except OSError:
        return False


def _remove_dropped_outputs(old: FileResult | None, new: FileResult, out_dir: Path) -> None:
    """Delete outputs an earlier run wrote for this input that this run did not."""
    if old is None or not new.ok:
        return
    kept = {o["path"] for o in new.outputs.values()}
    for output in old.outputs.values():
        if output["path"] not in kept:
            (out_dir / output["path"]).unlink(missing_ok=True)


# -- runners ---------------------------------------------------------------------------------
def _run_here(jobs: Sequence[Job]) -> Iterator[FileResult]:
    for job in jobs:
        yield process_file(job)


def _run_pool(jobs: Sequence[Job], workers: int) -> Iterator[FileResult]:
    context = multiprocessing.get_context("spawn")  # a JVM does not survive fork
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=_start_worker_engine) as pool:
        futures = {pool.submit(process_file, job): job for job in jobs}
        try:
            for future in as_completed(futures):
                job = futures[future]
                try:
                    yield future.result()
                except BrokenProcessPool as exc:
                    yield FileResult(job.input, "error", job.method, job.params,
                                     message=f"worker process died: {exc}")
        finally:
            for future in futures:
                future.cancel()


def _run_dask(jobs: Sequence[Job], scheduler: Any) -> Iterator[FileResult]:
    from distributed import Client
    from distributed import as_completed as dask_as_completed

    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        futures = client.map(process_file, list(jobs), pure=False)
        by_key = {f.key: job for f, job in zip(futures, jobs, strict=True)}
        for future in dask_as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # a worker died or the computation was lost
                job = by_key[future.key]
                yield FileResult(job.input, "error", job.method, job.params,
                                 message=f"{type(exc).__name__}: {exc}")
    finally:
        if own:
            client.close()


# -- the API ---------------------------------------------------------------------------------
def batch(
    inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    method: str,
    out_dir: str | os.PathLike[str],
    params: Mapping[str, Any] | None = None,
    macro: str | os.PathLike[str] | None = None,
    workers: int = 1,
    scheduler: Any = None,
    progress: bool = True,
    timeout: float = 600.0,
    imagej_threads: int | None = None,
) -> BatchSummary:
    """Background-correct every input file; resumable and parallel.

    Parameters
    ----------
    inputs:
        A folder (its ``*.tif``/``*.tiff``), a glob pattern, a list file (one
        path per line) or a sequence of paths; see :func:`collect_inputs`.
    method:
        ``median`` (``radius``, pixels; default 15), ``maxproj`` (maximum over
        time or z), ``rolling-ball`` (``rolling``, pixels, default 50;
        ``light_background``), ``tophat`` (``radius``, pixels, default 15) or
        ``macro`` (``macro=`` an ``.ijm`` file; the input is open as "input",
        ``params`` reach it through ``getArgument()``, and every image open at
        its end is saved under its title).
    out_dir:
        Output folder: ``<out_dir>/<input stem>/background.tif`` and
        ``foreground.tif`` (or the macro's titles), and ``manifest.json``.
    params:
        The method's parameters (see above); missing ones take the defaults.
    workers:
        Number of worker processes (spawned, one ImageJ engine each, whose
        filters then run single-threaded); 1 runs in this process, with
        ImageJ's own multi-threading.
    scheduler:
        A dask.distributed scheduler address (``"tcp://host:port"``) or
        ``Client``: run on that cluster, one engine per worker process;
        ``workers`` is then ignored.
    progress:
        Show a progress bar (tqdm) on stderr.
    timeout:
        Seconds before a macro (``tophat``, ``macro``) is stopped, per file.
    imagej_threads:
        Threads ImageJ's filters may use per engine (ImageJ's ``Prefs``
        setting, for the rest of the process). Default: 1 with several
        workers or a scheduler, ImageJ's own setting (all CPUs) with one.

    Inputs already done with the same checksum, method and parameters are
    skipped. A file that fails is reported in the summary and the rest go on.
    Raises only for bad arguments (unknown method or parameter, missing
    macro file or input folder).
    """
    from tqdm import tqdm

    started = time.perf_counter()
    full_params = method_params(method, params, macro)
    macro_path = str(Path(macro).resolve()) if macro is not None else None
    out = Path(out_dir).absolute()
    out.mkdir(parents=True, exist_ok=True)
    paths = collect_inputs(inputs)
    folders = output_folders(paths)
    manifest = read_manifest(out)
    texts: dict[str, tuple[FileResult, str]] = {}  # serialized manifest entries
    summary = BatchSummary(out_dir=out, manifest=out / MANIFEST_NAME)

    if imagej_threads is None and (scheduler is not None or workers > 1):
        imagej_threads = 1
    jobs = []
    for path in paths:
        job = Job(str(path), str(out / folders[str(path)]), method, full_params, macro_path,
                  timeout, imagej_threads)
        remove_stale_temporaries(Path(job.out_dir))
        entry = manifest.get(job.input)
        if is_current(entry, job, out):
            summary.skipped.append(manifest[job.input])
        else:
            jobs.append(job)
    remove_stale_temporaries(out)

    if scheduler is not None:
        results = _run_dask(jobs, scheduler)
    elif workers > 1 and len(jobs) > 1:
        results = _run_pool(jobs, min(workers, len(jobs)))
    else:
        results = _run_here(jobs)

    bar = tqdm(total=len(paths), initial=len(summary.skipped), unit="image",
               disable=not progress, desc=f"{method}")
    try:
        for result in results:
            _remove_dropped_outputs(manifest.get(result.input), result, out)
            manifest[result.input] = result
            write_manifest(out, manifest, texts)
            if result.ok:
                summary.processed.append(result)
            else:
                summary.failed.append(result)
                log.warning("%s failed: %s", result.input, result.message)
            bar.update(1)
    finally:
        bar.close()
        close = getattr(results, "close", None)
        if close is not None:
            close()
    if not summary.manifest.exists():
        write_manifest(out, manifest)
    summary.seconds = time.perf_counter() - started
    return summary


__all__ = ["METHODS", "BatchSummary", "FileResult", "Job", "batch", "collect_inputs",
           "file_sha256", "method_params", "process_file", "read_manifest"]
