"""Files for what a run leaves: one safe, distinct name per title; tables as CSV.

Also which images left open are input files as ImageJ opened them, unchanged
(:func:`unchanged_inputs`): there is nothing to write again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ij_bgcorr.errors import ImageFormatError
from ij_bgcorr.image.arrays import calibration_of
from ij_bgcorr.image.calibration import Calibration
from ij_bgcorr.image.tiff import open_image

#: Rows and columns per chunk when an input is read again to compare it: whole planes.
_WHOLE_PLANES = 2**31 - 1


def file_stem(title: str) -> str:
    """Return a safe file name (without .tif) for an image's window title.

    Parameters
    ----------
    title : str
        A window title, with or without ``.tif``/``.tiff``.

    Returns
    -------
    str
        Letters, digits, ``.``, ``_`` and ``-`` only; ``"image"`` when nothing
        is left.
    """
    stem = Path(title).stem if title.lower().endswith((".tif", ".tiff")) else title
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._")
    return name or "image"


def unique_stems(titles: Iterable[str]) -> dict[str, str]:
    """Return a distinct, safe file stem for each title, in order.

    Parameters
    ----------
    titles : iterable of str
        Window titles (images or tables), e.g. ``["x y", "x_y", "a/b.tif"]``.

    Returns
    -------
    dict of str to str
        Title to stem (:func:`file_stem`); titles that would share a
        stem get ``-2``, ``-3``, ... in the order given, e.g. ``{"x y": "x_y", "x_y":
        "x_y-2", "a/b.tif": "a_b"}``. Stems are compared without regard to case, so that
        they stay distinct on case-insensitive file systems.
    """
    stems: dict[str, str] = {}
    used: set[str] = set()
    for title in titles:
        base = file_stem(title)
        stem, n = base, 2
        while stem.lower() in used:
            stem, n = f"{base}-{n}", n + 1
        used.add(stem.lower())
        stems[title] = stem
    return stems


def save_table(table: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a table as CSV: a header row, then one line per row, no index column.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from a macro run (:attr:`MacroResult.results <ij_bgcorr.MacroResult>` or a
        named table).
    path : str or os.PathLike
        The CSV file to write.
    """
    table.to_csv(path, index=False)


def unchanged_inputs(images: Mapping[str, xr.DataArray],
                     inputs: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Return the titles of the images that are an input file, unchanged.

    An image is one when its title is an input's file name and it equals that
    file: :func:`same_as_file`.

    Parameters
    ----------
    images : mapping of str to xarray.DataArray
        The images open at a macro's end, by title.
    inputs : iterable of str or os.PathLike
        The files ImageJ opened before the macro.

    Returns
    -------
    list of str
        Those titles, in the order of ``images``.
    """
    by_name: dict[str, list[Path]] = {}
    for path in inputs:
        by_name.setdefault(Path(path).name, []).append(Path(path))
    return [title for title, image in images.items()
            if any(same_as_file(image, path) for path in by_name.get(title, []))]


def same_as_file(image: xr.DataArray, path: str | os.PathLike[str]) -> bool:
    """Tell whether an image holds exactly what a TIFF file holds.

    The file is read again plane by plane (it need not fit in memory twice). Its
    dims, sizes, pixel type, RGB-ness and calibration must be the image's, and every
    pixel bit for bit the same (a NaN equals a NaN of the same bits). A length unit of
    ``" "`` (ImageJ's for a TIFF whose resolution has no unit) is ``"pixel"``.

    Parameters
    ----------
    image : xarray.DataArray
        An image, e.g. one a macro left open.
    path : str or os.PathLike
        A TIFF file.

    Returns
    -------
    bool
        False also when the file cannot be read lazily (gone, damaged, a pixel type
        ImageJ does not hold: ImageJ's image of it is then a converted one).
    """
    try:
        source = open_image(path, chunks=_WHOLE_PLANES)
    except (OSError, ImageFormatError):
        return False
    if (source.dims, source.shape, source.dtype) != (image.dims, image.shape, image.dtype):
        return False
    if bool(source.attrs.get("rgb")) != bool(image.attrs.get("rgb")) \
            or _calibration(source) != _calibration(image):
        return False
    bits = np.dtype(f"u{image.dtype.itemsize}")  # compare bit patterns: NaN, -0.0 alike
    pixels = np.ascontiguousarray(image.values).view(bits)
    try:
        same = (source.data.view(bits) == pixels).all()
        # in this thread: a batch worker may run inside a dask cluster's task
        return bool(same.compute(scheduler="synchronous"))
    except (OSError, ImageFormatError):
        return False


def _calibration(image: xr.DataArray) -> Calibration:
    """Return an image's calibration, its no-unit spellings (``" "``, ``""``) as ``pixel``."""
    cal = calibration_of(image)
    return replace(cal, unit="pixel") if cal.unit.strip() in ("", "pixels") else cal
