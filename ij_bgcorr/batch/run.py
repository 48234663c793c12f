"""Background correction of many files: one call, resumable, in parallel.

:func:`batch` runs one method (median, max projection, rolling ball, top-hat
or any macro) on every input file and writes ``<out>/<stem>/background.tif``
and ``foreground.tif`` (a macro's outputs by their titles), each through an
atomic rename (:mod:`ij_bgcorr.batch.files`). ``<out>/manifest.json``
(:mod:`ij_bgcorr.batch.manifest`) is rewritten after each file; a rerun
skips the inputs whose outputs are all present and match the manifest for
the same input checksum, method and parameters.

Work runs in this process (``workers=1``), in ``workers`` spawned processes
(each starts its own ImageJ engine once), or on a dask.distributed cluster
(``scheduler="tcp://host:port"``; one engine per worker process); see
:mod:`ij_bgcorr.batch.executors`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ij_bgcorr.batch.executors import run_jobs
from ij_bgcorr.batch.files import file_sha256, remove_stale_temporaries
from ij_bgcorr.batch.guards import output_lock, refuse_overwriting_inputs
from ij_bgcorr.batch.inputs import collect_inputs, output_folders
from ij_bgcorr.batch.manifest import (
    MANIFEST_NAME,
    FileResult,
    Job,
    is_current,
    read_manifest,
    remove_dropped_outputs,
    write_manifest,
)
from ij_bgcorr.batch.params import method_params
from ij_bgcorr.errors import BatchInterrupted, CommandError
from ij_bgcorr.options import DEFAULT_TIMEOUT
from ij_bgcorr.validation import timeout_seconds

#: The lock file that keeps two batches out of one output folder.
LOCK_NAME = ".ij-bgcorr.lock"
_BUSY = "Another batch is writing into {out}; wait until it ends, or choose another output folder"

log = logging.getLogger(__name__)


@dataclass
class BatchSummary:
    """The outcome of :func:`batch`.

    Parameters
    ----------
    out_dir : pathlib.Path
        The output folder (absolute).
    manifest : pathlib.Path
        The manifest file, ``<out_dir>/manifest.json``.
    processed : list of FileResult
        Inputs corrected in this run.
    skipped : list of FileResult
        Inputs whose outputs were already complete and current (their
        manifest entries).
    failed : list of FileResult
        Inputs that could not be processed, each with its ``message``.
    seconds : float
        The run's wall time, seconds.
    interrupted : bool
        Whether Ctrl-C stopped the run before every input was done.

    Examples
    --------
    Two of the lesson's images, corrected by :func:`batch` with a median of radius 15;
    run again, the batch finds them done:

    >>> import pathlib, tempfile
    >>> from ij_bgcorr import data
    >>> inputs = [data.path(data.SPOTS), data.path(data.POLYP)]
    >>> with tempfile.TemporaryDirectory() as out:
    ...     first = ijb.batch(inputs, "median", out, {"radius": 15}, progress=False)
    ...     again = ijb.batch(inputs, "median", out, {"radius": 15}, progress=False)
    ...     files = sorted(p.relative_to(out).as_posix() for p in pathlib.Path(out).rglob("*.tif"))
    >>> len(first.processed), len(again.processed), len(again.skipped), first.ok
    (2, 0, 2, True)
    >>> files  # doctest: +NORMALIZE_WHITESPACE
    ['xy_8bit__some_spots_with_uneven_bg/background.tif',
     'xy_8bit__some_spots_with_uneven_bg/foreground.tif',
     'xyt_8bit_polyp/background.tif', 'xyt_8bit_polyp/foreground.tif']
    """

    out_dir: Path
    manifest: Path
    processed: list[FileResult] = field(default_factory=list)
    skipped: list[FileResult] = field(default_factory=list)
    failed: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        """True when no input failed."""
        return not self.failed

    @property
    def throughput(self) -> float:
        """Processed images per second of wall time (0 when nothing ran)."""
        return len(self.processed) / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        """Summarise the run: the counts, the time, the outputs, and each failed file."""
        lines = [f"{len(self.processed)} processed, {len(self.skipped)} skipped "
                 f"(already done), {len(self.failed)} failed in {self.seconds:.1f} s; "
                 f"outputs in {self.out_dir}, manifest {self.manifest}"]
        for result in self.failed:
            lines.append(f"  FAILED {result.input}: {result.message}")
        if self.interrupted:
            lines.append("Interrupted: the files above are done and kept; run the same command "
                         "again to do the rest.")
        return "\n".join(lines)


def batch(inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], method: str,
          out_dir: str | os.PathLike[str], params: Mapping[str, Any] | None = None,
          macro: str | os.PathLike[str] | None = None, workers: int = 1,
          scheduler: Any = None, *, progress: bool = True, timeout: float = DEFAULT_TIMEOUT,
          imagej_threads: int | None = None, replace: bool = False) -> BatchSummary:
    """Background-correct every input file; resumable and parallel.

    Inputs already done with the same checksum, method and parameters are
    skipped. A file that fails is reported in the summary and the rest go on.

    Parameters
    ----------
    inputs : str, os.PathLike or iterable of them
        A folder (its ``*.tif``/``*.tiff``), a glob pattern, a list file (one path per
        line) or a sequence of paths; see :func:`ij_bgcorr.batch.inputs.collect_inputs`.
    method : str
        A name in :data:`ij_bgcorr.methods.METHODS`, run by :func:`~ij_bgcorr.workflows.run_method`
        (``macro`` by :func:`~ij_bgcorr.workflows.run_macro_on_files`, as Fiji's Batch Macro:
        see :mod:`ij_bgcorr.batch.work`).
    out_dir : str or os.PathLike
        Output folder (created if missing): ``<out_dir>/<input stem>/background.tif``
        and ``foreground.tif`` (or the macro's titles), and ``manifest.json``.
    params : mapping of str to object, optional
        The method's parameters (see above; radii in pixels); missing ones take the defaults.
    macro : str or os.PathLike, optional
        The ``.ijm`` file, for method ``macro`` only.
    workers : int
        Number of worker processes (spawned, one ImageJ engine each, whose filters then
        run single-threaded); 1 runs in this process, with ImageJ's own multi-threading.
    scheduler : str or distributed.Client, optional
        A dask.distributed scheduler address (``"tcp://host:port"``) or ``Client``: run on
        that cluster, one engine per worker process; ``workers`` is then ignored.
    progress : bool
        Show a progress bar (tqdm) on stderr.
    timeout : float
        Seconds before a macro (``tophat``, ``macro``) is stopped, per file.
    imagej_threads : int, optional
        Threads ImageJ's filters may use per engine (ImageJ's ``Prefs`` setting, for the
        rest of the process). Default: 1 with several workers or a scheduler, ImageJ's own
        setting (all CPUs) with one.
    replace : bool
        Redo inputs whose results in ``out_dir`` were made with other settings (else refuse).

    Returns
    -------
    BatchSummary
        The processed, skipped and failed inputs, the wall time (s), outputs and manifest.

    Raises
    ------
    CommandError, ParameterError
        Before any file is read: an unknown method or parameter, a radius that is not a
        positive number of pixels, a misplaced or missing ``macro`` or a bad argument for
        it, an input the batch's files could replace (by any name), results of other
        settings in ``out_dir`` (without ``replace``).
    FileNotFoundError, BatchBusy
        A missing macro file, or inputs that name no file; another batch writing into
        ``out_dir``.
    BatchInterrupted
        On Ctrl-C (a KeyboardInterrupt): the files done are kept and in the manifest, no
        temporary file is left, and the exception's ``summary`` says what was done.
    """
    started = time.perf_counter()
    full_params = method_params(method, params, macro)
    macro_path = str(Path(macro).resolve()) if macro is not None else None
    out = Path(out_dir).absolute()
    paths = collect_inputs(inputs)
    if imagej_threads is None and (scheduler is not None or workers > 1):
        imagej_threads = 1  # parallel engines share the CPUs: one thread each
    jobs = _make_jobs(paths, out, method=method, params=full_params, macro=macro_path,
                      timeout=timeout, imagej_threads=imagej_threads)
    out.mkdir(parents=True, exist_ok=True)
    summary = BatchSummary(out_dir=out, manifest=out / MANIFEST_NAME)
    with output_lock(out / LOCK_NAME, busy=_BUSY.format(out=out)):
        _run(jobs, summary, lambda todo: run_jobs(todo, workers, scheduler), method, progress,
             replace)
    summary.seconds = time.perf_counter() - started
    if summary.interrupted:
        raise BatchInterrupted(summary)
    return summary


def _run(jobs: list[Job], summary: BatchSummary,
         execute: Callable[[list[Job]], Iterator[FileResult]], desc: str, progress: bool,
         replace: bool) -> None:
    """Do the jobs not done yet and record them; Ctrl-C marks the summary interrupted."""
    out = summary.out_dir
    manifest = read_manifest(out)
    if not replace:
        _refuse_other_settings(jobs, manifest, out)
    todo = _skip_current(jobs, manifest, out, summary)
    try:
        _record_results(execute(todo), manifest, summary, total=len(jobs), desc=desc,
                        progress=progress)
    except KeyboardInterrupt:
        summary.interrupted = True
    if not summary.manifest.exists():  # nothing ran: still leave a manifest
        write_manifest(out, manifest)


def _make_jobs(paths: Sequence[Path], out: Path, **settings: Any) -> list[Job]:
    """One job per input, in its own output folder; ``settings`` are the other Job fields.

    Raises CommandError when the batch's files could replace an input or its macro: one
    in an output folder, or the manifest or the lock file (by any name, links followed).
    """
    settings["timeout"] = timeout_seconds(settings["timeout"])
    folders = output_folders(paths)
    jobs = [Job(str(path), str(out / folders[str(path)]), **settings) for path in paths]
    read = [*paths, *([settings["macro"]] if settings["macro"] else [])]
    refuse_overwriting_inputs(read, [*(Path(job.out_dir) for job in jobs), out / MANIFEST_NAME,
                                     out / LOCK_NAME])
    return jobs


def _refuse_other_settings(jobs: Sequence[Job], manifest: Mapping[str, FileResult],
                           out: Path) -> None:
    """Raise CommandError when results there would be replaced: other settings, other input.

    An output folder that holds the results of another input still on disk (a batch of
    other files with the same names) is refused too; one whose input is gone (moved) is
    not.
    """
    owners = {Path(o["path"]).parts[0]: e.input for e in manifest.values() if e.ok
              for o in e.written()}
    for job in jobs:
        owner = owners.get(Path(job.out_dir).name, job.input)
        if owner != job.input and Path(owner).exists():
            raise CommandError(
                f"{job.out_dir} holds the results of another input, {owner}: choose another "
                "output folder, or replace them (replace=True, --replace)")
        entry = manifest.get(job.input)
        if entry is not None and entry.ok and (entry.method, entry.params) != (job.method,
                                                                               job.params):
            raise CommandError(
                f"{out} holds results of {job.input} made with {entry.method} "
                f"{_settings(entry.params)}, not {job.method} {_settings(job.params)}: choose "
                "another output folder, or replace them (replace=True, --replace)")


def _settings(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items() if k != "macro_sha256") or \
        "(no parameters)"


def _skip_current(jobs: Sequence[Job], manifest: dict[str, FileResult], out: Path,
                  summary: BatchSummary) -> list[Job]:
    """Return the jobs still to do; the others' entries go to ``summary.skipped``.

    An input found under another folder than the manifest records (the folder was moved
    or renamed) is recognised by its name and checksum, and its entry follows it. Also
    deletes the temporary files a killed run left, in every output folder and in ``out``.
    """
    todo = []
    moved = False
    inputs = {job.input for job in jobs}
    for job in jobs:
        remove_stale_temporaries(Path(job.out_dir))
        entry = manifest.get(job.input) or _moved_entry(job, manifest, inputs)
        if entry is None or not is_current(entry, job, out):
            todo.append(job)
            continue
        if entry.input != job.input:  # the entry follows its moved input
            del manifest[entry.input]
            entry = manifest[job.input] = dataclasses.replace(entry, input=job.input)
            moved = True
        summary.skipped.append(entry)
    remove_stale_temporaries(out)
    if moved:
        write_manifest(out, manifest)
    return todo


def _moved_entry(job: Job, manifest: Mapping[str, FileResult],
                 inputs: set[str]) -> FileResult | None:
    """Return the entry of a file of this name and checksum, recorded at a path not in use."""
    name = Path(job.input).name
    candidates = [e for key, e in manifest.items()
                  if Path(key).name == name and key not in inputs and e.input_sha256]
    if not candidates:
        return None
    try:
        checksum = file_sha256(job.input)
    except OSError:
        return None
    return next((e for e in candidates if e.input_sha256 == checksum), None)


def _record_results(results: Iterator[FileResult], manifest: dict[str, FileResult],
                    summary: BatchSummary, total: int, desc: str, progress: bool) -> None:
    """Record each result in the manifest (rewritten every time) and the summary.

    Closes ``results`` at the end, also on an interrupt, so that the
    executor cancels the files not started yet.
    """
    from tqdm.auto import tqdm

    out = summary.out_dir
    texts: dict[str, tuple[FileResult, str]] = {}  # serialized manifest entries
    bar = tqdm(total=total, initial=len(summary.skipped), unit="image",
               disable=not progress, desc=desc)
    try:
        for result in results:
            remove_dropped_outputs(manifest.get(result.input), result, out)
            manifest[result.input] = result
            write_manifest(out, manifest, texts)  # each time: a kill loses only work in progress
            if result.ok:
                summary.processed.append(result)
            else:
                summary.failed.append(result)
                log.info("%s failed: %s", result.input, result.message)  # the summary lists it
            bar.update(1)
    finally:
        bar.close()
        close = getattr(results, "close", None)
        if close is not None:
            close()


__all__ = ["BatchSummary", "batch"]
