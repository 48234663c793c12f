"""The work on one input file, as a worker does it: read, correct, write, report.

:func:`process_file` runs in whichever process the executor chose (this
one, a spawned worker or a dask worker); it reads the input and writes the
outputs itself, so only the small :class:`~ij_bgcorr.batch.manifest.FileResult`
travels back.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from ij_bgcorr.batch.files import atomic_write, file_sha256
from ij_bgcorr.batch.manifest import FileResult, Job
from ij_bgcorr.image.outputs import save_table, unique_stems
from ij_bgcorr.image.tiff import open_image, save_image


def _run_method(job: Job, image: xr.DataArray
                ) -> tuple[dict[str, xr.DataArray], dict[str, pd.DataFrame]]:
    """Return the job's output images and tables by title (a macro's, or the two images)."""
    # imported here: the engine loads Java, which only the workers need
    from ij_bgcorr.engine.startup import start
    from ij_bgcorr.workflows import run_method

    engine = start()
    engine.new_session()  # each file's recorded macro replays that file alone
    if job.imagej_threads:
        engine.use_threads(job.imagej_threads)
    return run_method(engine, job.method, image, job.params, job.macro, job.timeout)


def _recorded_macro() -> str:
    from ij_bgcorr.engine.startup import running_engine

    engine = running_engine()
    return engine.recorded_macro() if engine is not None else ""


def _write_outputs(images: dict[str, xr.DataArray], tables: dict[str, pd.DataFrame],
                   folder: Path, result: FileResult) -> None:
    """Save each image as ``<folder>/<title>.tif``, each table as ``.csv``; record them."""
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
    result.outputs = outputs
    result.macro_lines = list(dict.fromkeys(o["macro_line"] for o in outputs.values()
                                            if o["macro_line"]))


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
        or unreadable file, not a TIFF, a macro error, no engine, ...),
        ``status="error"`` and the message, so that one bad file does not
        stop the batch. ``seconds`` is the wall time spent, in seconds.
    """
    started = time.perf_counter()
    result = FileResult(input=job.input, status="error", method=job.method, params=job.params,
                        worker=f"{socket.gethostname()}:{os.getpid()}")
    try:
        result.input_sha256 = file_sha256(job.input)
        images, tables = _run_method(job, open_image(job.input))
        result.macro = _recorded_macro()
        _write_outputs(images, tables, Path(job.out_dir), result)
        result.status = "ok"
    except Exception as exc:  # one bad file must not stop the batch
        result.message = f"{type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - started
    return result
