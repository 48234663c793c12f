"""One image larger than memory: corrected tile by tile into OME-Zarr, resumably.

The input (a TIFF/BigTIFF or an OME-Zarr image) is read lazily in chunks; the
method's background and foreground are computed tile by tile, exactly
(`ij_bgcorr.tiled`), by ImageJ (the engine) or by the ImageJ-matched numpy
code, and written chunk by chunk to ``OUT/<stem>/background.ome.zarr`` and
``foreground.ome.zarr``. Peak memory is a few windows per thread, whatever the
image's size.

As for a batch: the results appear under their names only when complete (they
are written into ``OUT/.<stem>.partial`` and renamed), one run at a time writes
an output (a lock), and an interrupted run resumes where it stopped when run
again with the same settings: the chunks written are listed as they are written.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ij_bgcorr import reference
from ij_bgcorr.batch.files import atomic_write, file_sha256
from ij_bgcorr.batch.guards import output_lock, refuse_overwriting_inputs
from ij_bgcorr.batch.params import method_params
from ij_bgcorr.errors import CommandError
from ij_bgcorr.image.ome_zarr import create_ome_zarr, ngff_order
from ij_bgcorr.image.outputs import file_stem
from ij_bgcorr.image.tiff import open_image
from ij_bgcorr.methods import LARGE_METHODS
from ij_bgcorr.options import imagej_fails

_PROGRESS = "progress.json"  # the run's settings, written once
_DONE = "done.txt"  # the chunks written, a line each, appended batch by batch


def lazy_results(image: xr.DataArray, method: str, params: dict[str, Any],
                 engine: Any = None) -> dict[str, xr.DataArray]:
    """Return a method's background and foreground of a Dask-backed image, lazily.

    They are those of `ij_bgcorr.workflows.run_method` (the lesson's macros):
    median: the median, and the input minus it as 32-bit; rolling-ball:
    ``Subtract Background...`` with ``create`` and without; tophat: the grey
    opening and the input minus it as 32-bit.

    Parameters
    ----------
    image : xarray.DataArray
        Dask-backed (`ij_bgcorr.image.tiff.open_image` with ``chunks``); an image in
        memory gives results in memory.
    method : {"median", "rolling-ball", "tophat"}
        The method.
    params : dict of str to object
        Its parameters (radii in pixels); missing ones take the method's defaults
        (`large_params`).
    engine : Engine, optional
        Compute with ImageJ in this engine; None: with the ImageJ-matched numpy
        code of `ij_bgcorr.reference` (identical results).

    Returns
    -------
    dict of str to xarray.DataArray
        ``background`` and ``foreground``, Dask-backed.

    Raises
    ------
    CommandError
        For another method, an unknown parameter, tophat with an engine (ImageJ
        runs it as a macro, which cannot be cut into tiles), median or tophat on an
        RGB image (ImageJ subtracts colours into one 32-bit plane), or, with the numpy
        code, a rolling ball on an image ImageJ's Subtract Background fails on.
    """
    options = large_params(method, params)
    if image.attrs.get("rgb") and method != "rolling-ball":
        raise CommandError(f"{method} on an RGB image: ImageJ subtracts colour images into one "
                           "32-bit plane, which is not computed tile by tile; use rolling-ball, "
                           "or treat the colours as channels (rgb=False).")
    if method == "rolling-ball":
        if engine is None and imagej_fails(tuple(image.shape[-3:-1] if image.attrs.get("rgb")
                                                 else image.shape[-2:]), options["rolling"]):
            raise CommandError(
                f"ImageJ's Subtract Background fails on this image: shrunk for a ball of "
                f"{options['rolling']:g} pixels it is one column wide (ImageJ leaves it "
                "uncorrected with an ArrayIndexOutOfBoundsException); use a smaller --rolling.")
        subtract = engine.subtract_background if engine else reference.subtract_background
        return {"background": subtract(image, create_background=True, **options)
                .assign_attrs(title="background"),
                "foreground": subtract(image, **options).assign_attrs(title="foreground")}
    if method == "tophat" and engine is not None:
        raise CommandError("tophat runs in ImageJ as a macro, which cannot be cut into tiles: "
                           "use the ImageJ-matched numpy code (--numpy), identical to it.")
    filtered = (engine.median if engine else reference.median) if method == "median" \
        else reference.opening
    background = filtered(image, options["radius"])
    foreground = image.astype(np.float32) - background.astype(np.float32)
    foreground.attrs = {**image.attrs, "title": "foreground", "computed": "input - background, "
                        'as imageCalculator("Subtract create 32-bit", input, background)'}
    return {"background": background.assign_attrs(title="background"), "foreground": foreground}


def large_params(method: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """Return a method's full parameter set, as a batch records it, for a method that tiles.

    Parameters
    ----------
    method : str
        One of :data:`~ij_bgcorr.methods.LARGE_METHODS`.
    params : dict of str to object, optional
        The caller's parameters (radii in pixels).

    Returns
    -------
    dict of str to object
        `ij_bgcorr.batch.params.method_params`'s set: defaults overridden, radii checked.

    Raises
    ------
    CommandError
        For a method that does not tile, an unknown parameter, or a bad radius.
    """
    if method not in LARGE_METHODS:
        raise CommandError(f"--method {method} cannot run tile by tile; choose one of "
                           f"{', '.join(LARGE_METHODS)}.")
    return method_params(method, params)


def process_large(path: str | os.PathLike[str], out: str | os.PathLike[str], method: str,
                  params: dict[str, Any] | None = None, chunk: int = 2048, engine: Any = None, *,
                  progress: bool = True, replace: bool = False) -> Path:
    """Correct one large image into ``out/<stem>/{background,foreground}.ome.zarr``.

    Parameters
    ----------
    path : str or os.PathLike
        A TIFF/BigTIFF file or an OME-Zarr folder; only read.
    out : str or os.PathLike
        The output folder.
    method : {"median", "rolling-ball", "tophat"}
        See `lazy_results`.
    params : dict of str to object, optional
        The method's parameters (radii in pixels).
    chunk : int, default 2048
        Tile side in pixels (rows and columns); each plane, channel and time point apart.
    engine : Engine, optional
        ImageJ to compute with; None: the ImageJ-matched numpy code. The Dask
        scheduler in effect (threads by default, or a ``distributed.Client``)
        computes the tiles.
    progress : bool, default True
        Show a progress bar (tiles written).
    replace : bool, default False
        Redo a result already in ``out`` that was made with other settings (else refused);
        only a result this function wrote (it holds its ``progress.json``) is replaced.

    Returns
    -------
    pathlib.Path
        The folder holding the two OME-Zarr images.

    Raises
    ------
    BatchBusy
        When another run is writing the same result.
    CommandError
        Bad method or parameters; outputs that could replace the input (by any name:
        links are followed); a result of other settings in the way (without ``replace``),
        or a file or folder in the way that is not such a result (never replaced).
    ImageFormatError, FileNotFoundError
        An input that cannot be read lazily.
    """
    source = Path(path).resolve()  # Dask workers may run in other folders
    if not source.exists():
        raise FileNotFoundError(f"No such image: {source} (give a local file or folder)")
    full = large_params(method, params)
    image = open_image(source, chunks=chunk)
    results = lazy_results(image, method, full, engine)
    settings = {"source": str(source), "sha256": _checksum(source), "method": method,
                "params": full, "chunk": chunk, "computed_by": _computed_by(engine)}
    out = Path(out).resolve()
    final = out / file_stem(re.sub(r"(\.ome)?\.(zarr|tiff?)$", "", str(image.attrs["title"]),
                                   flags=re.IGNORECASE))
    partial, old, lock = (out / f".{final.name}.{end}" for end in ("partial", "old", "lock"))
    refuse_overwriting_inputs([source], [final, partial, old, lock])
    out.mkdir(parents=True, exist_ok=True)
    with output_lock(lock, busy=f"Another run is writing {final}; wait for it to end."):
        if _settings_of(final) == settings:
            return final  # already done
        if _ours(final) and not replace:
            raise CommandError(f"{final} holds results of other settings; pass --replace "
                               "to redo it, or choose another --out.")
        _remove(old)  # a crash's leftover: gone before the work, or refused if not ours
        _write(results, partial, settings, progress)
        if final.exists():  # moved aside first: a crash never leaves half of it
            os.replace(final, old)
        os.replace(partial, final)
        _remove(old)
        return final


def _write(results: dict[str, xr.DataArray], partial: Path, settings: dict[str, Any],
           progress: bool) -> None:
    """Write every chunk not yet listed in ``partial``'s progress file, listing each batch."""
    from tqdm.auto import tqdm

    done = _resumed(partial, settings)
    ordered = {name: ngff_order(result) for name, result in results.items()}
    first = next(iter(ordered.values()))
    chunks = dict(zip(first.dims, (max(c) for c in first.data.chunks), strict=True))
    arrays = {name: _target(partial / f"{name}.ome.zarr", result, chunks, bool(done))
              for name, result in ordered.items()}
    regions = [r for r in _regions(first.data.chunks) if _key(r) not in done]
    total = int(np.prod(first.data.numblocks))
    bar = tqdm(total=total, initial=total - len(regions), unit="tile", disable=not progress)
    step = max(2, 2 * (os.cpu_count() or 1))  # tiles computed together: a few per thread
    import dask.array as da  # the results are Dask-backed, so Dask is installed

    with bar:
        for start in range(0, len(regions), step):
            batch = regions[start:start + step]
            da.store([ordered[n].data[r] for r in batch for n in ordered],
                     [arrays[n] for _ in batch for n in ordered],
                     regions=[r for r in batch for _ in ordered], lock=False)
            _save_progress(partial / _DONE, [_key(r) for r in batch])
            bar.update(len(batch))


def _regions(chunks: tuple[tuple[int, ...], ...]) -> Iterator[tuple[slice, ...]]:
    bounds = [np.cumsum((0, *c)) for c in chunks]
    for index in itertools.product(*(range(len(c)) for c in chunks)):
        yield tuple(slice(int(b[i]), int(b[i + 1])) for b, i in zip(bounds, index, strict=True))


def _key(region: tuple[slice, ...]) -> str:
    return ",".join(str(s.start) for s in region)


def _target(path: Path, result: xr.DataArray, chunks: dict[str, int], resume: bool) -> Any:
    """Return the level-0 array to write ``result`` into: created, or opened to resume."""
    import zarr

    if resume and path.exists():
        return zarr.open_group(str(path), mode="r+")["0"]
    attrs = {k: v for k, v in result.attrs.items() if isinstance(v, str | int | float | bool)}
    return create_ome_zarr(path, result, chunks, attrs)


def _resumed(partial: Path, settings: dict[str, Any]) -> set[str]:
    """Return the chunks an interrupted run of the same settings wrote; else start clean."""
    try:
        state = json.loads((partial / _PROGRESS).read_text())
        if state["settings"] == settings:
            return _done_keys(partial / _DONE)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    _remove(partial)
    partial.mkdir(parents=True)
    text = json.dumps({"settings": settings})
    atomic_write(partial / _PROGRESS, lambda temp: temp.write_text(text))
    return set()


def _done_keys(log: Path) -> set[str]:
    """Return the chunks the log lists; a line a crash cut short (no line end) is none."""
    try:
        return set(log.read_text().split("\n")[:-1])
    except FileNotFoundError:
        return set()


def _save_progress(log: Path, batch: list[str]) -> None:
    """List a batch of chunks just written: appended, so each save costs its own lines only."""
    with log.open("a") as file:
        file.write("".join(f"{key}\n" for key in batch))
        file.flush()
        os.fsync(file.fileno())


def _settings_of(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / _PROGRESS).read_text())["settings"]
    except (OSError, ValueError, KeyError):
        return None


def _ours(folder: Path) -> bool:
    """Return whether ``folder`` is there; refuse anything else than this module's own.

    Its own: a folder holding the progress file (a result, or one being written), or an
    empty folder (a crash came before that file: nothing to lose). Anything else (a
    file, a link, the user's folder) raises CommandError naming it: it is never replaced
    or deleted.
    """
    if not os.path.lexists(folder):
        return False
    if folder.is_dir() and not folder.is_symlink() and (
            (folder / _PROGRESS).is_file() or not any(folder.iterdir())):
        return True
    raise CommandError(f"{folder} is not a result of ij-bgcorr large (it holds no "
                       f"{_PROGRESS}), so it is left alone: move it away, or choose another "
                       "--out.")


def _remove(folder: Path) -> None:
    """Delete a folder of this module's own (see `_ours`); a missing one is left alone."""
    if _ours(folder):
        shutil.rmtree(folder)


def _checksum(path: Path) -> str:
    """Return the sha256 of a file, or of a folder's file names and contents: its identity.

    Reading a large input once more costs seconds; recognising it by size or date would
    resume or skip over an input rewritten since, silently.
    """
    if path.is_file():
        return file_sha256(path)
    digest = hashlib.sha256()
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{item.relative_to(path).as_posix()}\0{file_sha256(item)}\0".encode())
    return digest.hexdigest()


def _computed_by(engine: Any) -> str:
    if engine is None:
        return "ij_bgcorr.reference (ImageJ-matched numpy)"
    return f"ImageJ {engine.version} ({engine.kind} engine)"

