"""What the reference functions take and give back: images in the package's one contract."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

from ij_bgcorr.errors import CommandError
from ij_bgcorr.image.layout import Layout
from ij_bgcorr.tiled import Reach, map_tiles
from ij_bgcorr.tiled.lazy import check_lazy, sample_of

#: An image as the reference functions take and return it (see `ij_bgcorr.image.layout`).
Image = np.ndarray | xr.DataArray


def in_layout(out: np.ndarray, image: xr.DataArray, layout: Layout, text: str) -> Image:
    """Give a result computed in ``image``'s canonical layout the input's layout.

    Parameters
    ----------
    out : numpy.ndarray
        The result's pixels, of ``image``'s shape (canonical dims order); any dtype.
    image : xarray.DataArray
        The input in canonical form, as `ij_bgcorr.image.layout.read_image` gave it.
    layout : Layout
        The input's layout, from the same call.
    text : str
        What was computed, stored as ``attrs["reference"]``.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        A numpy array of the input's shape for a numpy input; otherwise a
        DataArray with the input's dims order, coords, name and attrs, plus
        ``attrs["reference"] = text``.
    """
    return layout.restore(image.copy(data=out), {"reference": text})


def refuse_rgb(image: xr.DataArray, what: str) -> None:
    """Refuse an RGB image for a step whose colour version ImageJ computes otherwise.

    Parameters
    ----------
    image : xarray.DataArray
        The input in canonical form.
    what : str
        The step and how ImageJ treats colour there, for the message.

    Raises
    ------
    CommandError
        When ``image`` is RGB (``attrs["rgb"]``).
    """
    if image.attrs.get("rgb"):
        raise CommandError(
            f"{what}; this reference does not reproduce it. Mark the image as three grey "
            "channels (image.assign_attrs(rgb=False)) to compute it channel by channel.")


def tile_by_tile(compute: Callable[[xr.DataArray], Image], image: xr.DataArray,
                 reach: Reach) -> xr.DataArray:
    """Run a reference function on a Dask-backed image, lazily, tile by tile.

    Parameters
    ----------
    compute : callable
        The function with its options bound: an image in, its result out.
    image : xarray.DataArray
        Dask-backed, under the package's image contract; uint8, uint16 or float32.
    reach : Reach
        What ``compute`` needs around each tile to be exact.

    Returns
    -------
    xarray.DataArray
        Dask-backed, ``image``'s layout and chunks, ``attrs["reference"]`` as
        ``compute`` gives it and ``attrs["tiles"]`` saying how it is tiled.

    Raises
    ------
    ImageFormatError
        When ``image`` is not an image the reference functions take lazily
        (`ij_bgcorr.tiled.lazy.check_lazy`).
    """
    probe = compute(sample_of(check_lazy(image)))  # options checked, pixel type and text told
    return map_tiles(compute, image, reach, probe.dtype, {"reference": probe.attrs["reference"]})
