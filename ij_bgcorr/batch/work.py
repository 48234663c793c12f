"""The work on one input file, as a worker does it: read, correct, write, report.

:func:`process_file` runs in whichever process the executor chose (this
one, a spawned worker or a dask worker); it reads the input and writes the
outputs itself, so only the small :class:`~ij_bgcorr.batch.manifest.FileResult`
travels back. The macro method lets ImageJ open the input itself, as Fiji's
Process > Batch > Macro does, with the input protected from the macro
(:func:`~ij_bgcorr.batch.files.inputs_protected`).
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from ij_bgcorr.batch.files import atomic_write, file_sha256, inputs_protected
from ij_bgcorr.batch.manifest import FileResult, Job
from ij_bgcorr.errors import CommandError
from ij_bgcorr.image.outputs import save_table, unchanged_inputs, unique_stems
from ij_bgcorr.image.tiff import check_tiff, open_image, save_image

#: The file a macro's Log text is written to, in the input's output folder.
LOG_NAME = "Log.txt"


def _engine(job: Job) -> Any:
    """Return this process's engine, ready for one file (a fresh recorded session)."""
    # imported here: the engine loads Java, which only the workers need
    from ij_bgcorr.engine.startup import start

    engine = start()
    engine.new_session()  # each file's recorded macro replays that file alone
    if job.imagej_threads:
        engine.use_threads(job.imagej_threads)
    return engine


def _run_method(job: Job, image: xr.DataArray
                ) -> tuple[dict[str, xr.DataArray], dict[str, pd.DataFrame]]:
    """Return the job's two output images by title, and no tables."""
    from ij_bgcorr.workflows import run_method

    return run_method(_engine(job), job.method, image, job.params, job.macro, job.timeout)


def _recorded_macro() -> str:
    from ij_bgcorr.engine.startup import running_engine

    engine = running_engine()
    return engine.recorded_macro() if engine is not None else ""


def _macro_text(job: Job) -> str:
    """Return the macro file's text, which must still be the one the batch checked."""
    data = Path(job.macro or "").read_bytes()
    if hashlib.sha256(data).hexdigest() != job.params.get("macro_sha256"):
        raise CommandError(f"The macro {job.macro} changed since the batch started; run the "
                           "batch again to use the new one")
    return data.decode("utf-8-sig")


def write_log(text: str, path: Path) -> Path:
    """Write a macro's Log text to ``path`` atomically (UTF-8, ending with a newline).

    Parameters
    ----------
    text : str
        The Log window's text (not empty).
    path : pathlib.Path
        The file; its folder must exist.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    ending = "" if text.endswith("\n") else "\n"
    return atomic_write(path, lambda temp: temp.write_text(text + ending, encoding="utf-8"))


def _write_outputs(images: dict[str, xr.DataArray], tables: dict[str, pd.DataFrame],
                   folder: Path, result: FileResult, log: str = "") -> None:
    """Save each image as ``<folder>/<title>.tif``, each table as ``.csv``, the Log; record them."""
    folder.mkdir(parents=True, exist_ok=True)
    base = folder.parent  # manifest paths are relative to the batch's output folder

    def written(path: Path) -> dict[str, Any]:
        return {"path": str(path.relative_to(base)), "sha256": file_sha256(path),
                "bytes": path.stat().st_size}

    outputs: dict[str, dict[str, Any]] = {}
    for title, stem in unique_stems(images).items():
        out_image = images[title]
        path = atomic_write(folder / f"{stem}.tif", lambda temp, im=out_image: save_image(im, temp))
        outputs[title] = written(path) | {"macro_line": str(out_image.attrs.get("macro_line", ""))}
        result.imagej_version = str(out_image.attrs.get("imagej_version", "")) or None
    for title, stem in unique_stems(tables).items():
        path = atomic_write(folder / f"{stem}.csv",
                            lambda temp, table=tables[title]: save_table(table, temp))
        result.tables[title] = written(path)
    if log:
        result.log = written(write_log(log, folder / LOG_NAME))
    result.outputs = outputs
    result.macro_lines = list(dict.fromkeys(o["macro_line"] for o in outputs.values()
                                            if o["macro_line"]))


def _process_macro(job: Job, result: FileResult) -> None:
    """Run the job's macro on its input as Fiji's Batch Macro does; write what it leaves.

    The input is checked first (without reading its pixels), then opened by ImageJ;
    an image still open at the end that is the input unchanged is not written again.
    """
    from ij_bgcorr.workflows import run_macro_on_files

    check_tiff(job.input)
    result.macro = _macro_text(job)
    engine = _engine(job)
    # the backup goes to the batch's output folder: a disk with room for outputs
    with inputs_protected([job.input], backup_dir=Path(job.out_dir).parent):
        ran = run_macro_on_files(engine, job.macro or "", [job.input], job.params,
                                 job.timeout)
    result.imagej_version = engine.version
    result.unchanged = unchanged_inputs(ran.images, [job.input])
    images = {t: im for t, im in ran.images.items() if t not in result.unchanged}
    _write_outputs(images, ran.all_tables(), Path(job.out_dir), result, log=ran.log)


def process_file(job: Job) -> FileResult:
    """Correct one input and write its outputs; never raises for a bad file.

    Starts this process's ImageJ engine on first use and reuses it after.

    Parameters
    ----------
    job : Job
        The input, its output folder, the method and its parameters.

    Returns
    -------
    FileResult
        ``status="ok"`` with the outputs written; or, for any error (missing
        or unreadable file, not a TIFF, a macro error or a macro that wrote over
        its input, no engine, ...), ``status="error"`` and the message, so that
        one bad file does not stop the batch. ``seconds`` is the wall time spent,
        in seconds.
    """
    started = time.perf_counter()
    result = FileResult(input=job.input, status="error", method=job.method, params=job.params,
                        worker=f"{socket.gethostname()}:{os.getpid()}")
    try:
        result.input_sha256 = file_sha256(job.input)
        if job.method == "macro":
            _process_macro(job, result)
        else:
            images, tables = _run_method(job, open_image(job.input))
            result.macro = _recorded_macro()
            _write_outputs(images, tables, Path(job.out_dir), result)
        result.status = "ok"
    except Exception as exc:  # one bad file must not stop the batch
        result.message = f"{type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - started
    return result
