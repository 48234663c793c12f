"""What the commands write: images and tables into an output folder, the Log, a summary.

Libraries that read and write images load when a command writes, not when the
command line starts (``ij-bgcorr --help`` stays quick).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ij_bgcorr.errors import CommandError, DiskFull

if TYPE_CHECKING:
    import xarray as xr


def summary_table(images: dict[str, xr.DataArray]) -> str:
    """Return a plain-text table of images: title, sizes, pixel type, min, max and mean.

    Parameters
    ----------
    images : dict of str to xarray.DataArray
        The images by title.

    Returns
    -------
    str
        One line per image under a header, columns aligned.
    """
    import numpy as np

    rows = [("title", "shape", "dtype", "min", "max", "mean")]
    for title, image in images.items():
        values = np.asarray(image.values, dtype=np.float64)
        rows.append((title, "x".join(f"{d}={n}" for d, n in image.sizes.items()),
                     str(image.dtype), f"{values.min():.4g}", f"{values.max():.4g}",
                     f"{values.mean():.4g}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True))
                     for r in rows)


@contextmanager
def writing_into(folder: Path) -> Iterator[None]:
    """Turn a refused output, a full disk or a folder that cannot be written into one line.

    Parameters
    ----------
    folder : pathlib.Path
        The folder written into, named in the message.

    Yields
    ------
    None

    Raises
    ------
    click.ClickException
        Instead of the package's refusal, DiskFull or an OSError.
    """
    try:
        yield
    except (CommandError, DiskFull) as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"Cannot write into {folder}: {exc.strerror or exc}") from exc


def save_all(images: dict[str, Any], out: Path, tables: dict[str, Any] | None = None,
             inputs: Iterable[Path] = ()) -> None:
    """Write each image as ``<title>.tif`` and each table as ``<title>.csv`` into ``out``.

    Nothing is written when a file would replace one of ``inputs`` (by any name); each
    file is written whole or not at all. A refused output, a full disk or a folder that
    cannot be written is a one-line error.

    Parameters
    ----------
    images : dict of str to xarray.DataArray
        The images by title.
    out : pathlib.Path
        The output folder (made if missing).
    tables : dict of str to pandas.DataFrame, optional
        The tables by title.
    inputs : iterable of pathlib.Path
        Files that must not be written over.
    """
    import pandas as pd

    from ij_bgcorr.batch.files import atomic_write
    from ij_bgcorr.batch.guards import refuse_overwriting_inputs
    from ij_bgcorr.image.outputs import save_table, unique_stems
    from ij_bgcorr.image.tiff import save_image

    tables = tables or {}
    planned: list[tuple[Path, Any]] = [
        (out / f"{stem}.tif", images[title]) for title, stem in unique_stems(images).items()]
    planned += [(out / f"{stem}.csv", tables[title])
                for title, stem in unique_stems(tables).items()]
    with writing_into(out):
        refuse_overwriting_inputs(inputs, [path for path, _ in planned])
        out.mkdir(parents=True, exist_ok=True)
        for path, value in planned:
            save = save_table if isinstance(value, pd.DataFrame) else save_image
            atomic_write(path, partial(save, value))


def save_log(text: str, path: Path, inputs: Iterable[Path]) -> None:
    """Write the Log to ``path``, unless that is one of ``inputs``; a one-line error else.

    Parameters
    ----------
    text : str
        The Log's text.
    path : pathlib.Path
        Where it goes.
    inputs : iterable of pathlib.Path
        Files that must not be written over.
    """
    from ij_bgcorr.batch.guards import refuse_overwriting_inputs
    from ij_bgcorr.batch.work import write_log

    with writing_into(path.parent):
        refuse_overwriting_inputs(inputs, [path])
        write_log(text, path)
