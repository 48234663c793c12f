"""A command applied to a Dask-backed image tile by tile: the Dask graph.

Each output chunk (the input's chunks along ``row`` and ``col``; its chunks
along ``t``, ``pln`` and ``ch`` are kept, but an RGB image's three colours go
together) is one task: the command runs on the chunk's window (`windows`) and
the chunk is cut out of its result. Dask's own ``map_overlap`` widens every
chunk by the same depth; the rolling ball needs windows that start on its
shrink grid, so the windows are sliced here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import numpy as np
import xarray as xr

from ij_bgcorr.errors import ImageFormatError
from ij_bgcorr.image.arrays import (
    DIM_ORDER,
    NATIVE_DTYPES,
    as_image,
    calibration_in,
    calibration_of,
    labelled,
    with_canonical_names,
)
from ij_bgcorr.image.layout import layout_of
from ij_bgcorr.image.memory import check_known_sizes
from ij_bgcorr.tiled.reach import Reach
from ij_bgcorr.tiled.windows import Window, plan_windows

#: A command on one window: a canonical DataArray in, its result (same dims) out.
Tile = Callable[[xr.DataArray], Any]


def is_lazy(img: Any) -> bool:
    """Whether ``img`` is a DataArray whose pixels are a Dask array (not yet computed).

    Parameters
    ----------
    img : object
        Anything a command was given as its image.

    Returns
    -------
    bool
        True for a Dask-backed DataArray.

    Examples
    --------
    A file read in chunks is filtered chunk by chunk, with the whole image's result:

    >>> from ij_bgcorr import data
    >>> from ij_bgcorr.tiled import is_lazy
    >>> lazy = ijb.open_image(data.path(data.SPOTS), chunks=100)
    >>> is_lazy(lazy), lazy.chunks
    (True, ((100, 100, 56), (100, 100, 56)))
    >>> background = ijb.reference.median(lazy, radius=15)
    >>> is_lazy(background)
    True
    >>> whole = ijb.reference.median(data.load(data.SPOTS), radius=15)
    >>> int((background.compute() != whole).sum())
    0
    """
    return isinstance(img, xr.DataArray) and img.chunks is not None


def check_lazy(img: xr.DataArray) -> xr.DataArray:
    """Check a Dask-backed image without computing it; return it in canonical dim order.

    Parameters
    ----------
    img : xarray.DataArray
        Dask-backed, under the package's image contract (`ij_bgcorr.image.layout`).

    Returns
    -------
    xarray.DataArray
        The same lazy pixels, dims renamed and ordered as :data:`DIM_ORDER`, attrs
        as `ij_bgcorr.as_image` gives them (calibration, ``rgb``).

    Raises
    ------
    ImageFormatError
        When its pixel type is not uint8, uint16 or float32 (a lazy image is not
        converted: that would read it whole), or as `ij_bgcorr.as_image` raises.
    """
    check_known_sizes(img.shape)
    if img.dtype not in NATIVE_DTYPES:
        raise ImageFormatError(
            f"A Dask-backed image must be uint8, uint16 or float32 to be processed tile by "
            f"tile; this one is {img.dtype}. Convert it first, e.g. img.astype('float32').")
    named = with_canonical_names(img)
    # the sample has no coordinates: its calibration is read from the image's own
    attrs = as_image(sample_of(named), calibration=calibration_in(named)).attrs  # checks sizes
    order = [d for d in DIM_ORDER if d in named.dims]
    return named.transpose(*order).assign_attrs(attrs)


def sample_of(img: xr.DataArray) -> xr.DataArray:
    """Return an image like ``img`` (dims, other sizes, dtype, attrs), one zero pixel a plane.

    Parameters
    ----------
    img : xarray.DataArray
        Any image; it is not read.

    Returns
    -------
    xarray.DataArray
        In memory, ``row`` and ``col`` of size 1, no coordinates: what a command
        makes of it tells the result's pixel type and provenance without reading
        ``img``.
    """
    shape = [1 if d in ("row", "col", "x", "y", "X", "Y") else n for d, n in img.sizes.items()]
    return xr.DataArray(np.zeros(shape, img.dtype), dims=img.dims, attrs=img.attrs)


def map_tiles(tile: Tile, img: xr.DataArray, reach: Reach, dtype: np.dtype,
              provenance: Mapping[str, Any], name: str | None = None, *,
              inherit: bool = True) -> xr.DataArray:
    """Apply ``tile`` to a Dask-backed image window by window; nothing is computed yet.

    Parameters
    ----------
    tile : callable
        The command on one window: takes a canonical DataArray (dims in
        :data:`DIM_ORDER`, ``attrs["rgb"]``; no coordinates) and returns the
        result of that shape, as a DataArray or numpy array. It must compute what
        the command gives on the whole image wherever ``reach`` is honoured.
    img : xarray.DataArray
        Dask-backed, under the package's image contract; uint8, uint16 or float32.
    reach : Reach
        The margin and grid the command needs (`ij_bgcorr.tiled.reach`).
    dtype : numpy.dtype
        The result's pixel type.
    provenance : mapping of str to object
        Attrs saying what computed the result; ``tiles`` is added.
    name : str, optional
        The result's name when ``img`` has none.
    inherit : bool, default True
        Start the result's attrs from ``img``'s own (as the numpy functions do);
        else from its calibration and colour only (as an engine's result).

    Returns
    -------
    xarray.DataArray
        Dask-backed, in ``img``'s layout (dims order, coordinates, name, attrs),
        chunked as ``img`` along ``row`` and ``col``.

    Raises
    ------
    ImageFormatError
        As `check_lazy`.
    """
    canonical = check_lazy(img)
    dims = canonical.dims
    rgb = bool(canonical.attrs.get("rgb"))
    data = canonical.data
    if rgb:
        data = data.rechunk({dims.index("ch"): -1})
    at = (dims.index("row"), dims.index("col"))
    data = _moved(data, at, (-2, -1))
    row_windows = plan_windows(data.chunks[-2], reach)
    col_windows = plan_windows(data.chunks[-1], reach)
    run = partial(_run_tile, tile=tile, dims=dims, rgb=rgb, at=at)
    grid = [[_tile_task(data, rows, cols, run, dtype) for cols in col_windows]
            for rows in row_windows]
    import dask.array as da  # a lazy image means Dask is installed

    out = _moved(da.block(grid), (-2, -1), at)
    planes = int(np.prod(data.numblocks[:-2]))  # 1 for a single plane
    text = (f"{len(row_windows) * len(col_windows) * planes} tiles of up to "
            f"{max(data.chunks[-2])}x{max(data.chunks[-1])} pixels, windows widened by "
            f"{reach.margin} pixels on a grid of {reach.grid}: identical to the whole image")
    # labelled as the whole image's result is: calibrated coordinates, the input's attrs
    own = dict(canonical.attrs) if inherit else {"rgb": rgb}
    result = labelled(out, dims, calibration_of(canonical), own)
    result.name = name
    return layout_of(img).restore(result, {**provenance, "tiles": text}, as_numpy=False)


def _moved(data: Any, source: tuple[int, int], target: tuple[int, int]) -> Any:
    import dask.array as da

    return da.moveaxis(data, source, target)


def _tile_task(data: Any, rows: Window, cols: Window, run: Callable[..., np.ndarray],
               dtype: np.dtype) -> Any:
    """Return the Dask array of one output chunk: ``run`` on its window, cut to the chunk."""
    window = data[..., rows.start:rows.stop, cols.start:cols.stop]
    window = window.rechunk({window.ndim - 2: -1, window.ndim - 1: -1})
    size = (rows.keep_stop - rows.keep_start, cols.keep_stop - cols.keep_start)
    return window.map_blocks(run, rows=rows.kept, cols=cols.kept, dtype=dtype,
                             chunks=(*window.chunks[:-2], (size[0],), (size[1],)))


def _run_tile(block: np.ndarray, tile: Tile, dims: tuple[str, ...], rgb: bool,
              at: tuple[int, int], rows: slice, cols: slice) -> np.ndarray:
    """Run ``tile`` on one window (row and col last) and keep ``rows`` x ``cols`` of it."""
    window = xr.DataArray(np.moveaxis(block, (-2, -1), at), dims=dims, attrs={"rgb": rgb})
    out = np.moveaxis(np.asarray(tile(window)), at, (-2, -1))
    return np.ascontiguousarray(out[..., rows, cols])
