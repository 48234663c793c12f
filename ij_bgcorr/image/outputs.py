"""Files for what a run leaves: one safe, distinct name per title; tables as CSV."""

from __future__ import annotations

import os
from collections.abc import Iterable

import pandas as pd

from ij_bgcorr.image.tiff import file_stem


def unique_stems(titles: Iterable[str]) -> dict[str, str]:
    """Return a distinct, safe file stem for each title, in order.

    Parameters
    ----------
    titles : iterable of str
        Window titles (images or tables), e.g. ``["x y", "x_y", "a/b.tif"]``.

    Returns
    -------
    dict of str to str
        Title to stem (:func:`~ij_bgcorr.image.tiff.file_stem`); titles that would share a
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
