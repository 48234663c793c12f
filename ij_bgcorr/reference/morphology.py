"""Grey opening and white top-hat, as ImageJ's Minimum/Maximum or as the lesson's skimage code."""

from __future__ import annotations

from functools import partial

import numpy as np
from skimage import morphology

from ij_bgcorr.image.layout import map_planes, read_image
from ij_bgcorr.reference.kinds import check_kind
from ij_bgcorr.reference.rank import imagej_kernel, opening_plane
from ij_bgcorr.reference.results import Image, in_layout, refuse_rgb, tile_by_tile
from ij_bgcorr.tiled import is_lazy, rank_reach
from ij_bgcorr.validation import whole_pixels


def opening(image: Image, radius: float, kind: str = "imagej") -> Image:
    """Grey opening (minimum then maximum filter) of every (row, col) plane.

    The opening is the background the lesson's top-hat (`tophat`) removes.

    Parameters
    ----------
    image : numpy.ndarray or xarray.DataArray
        Image under the package's image contract (`ij_bgcorr.image.layout`);
        uint8, uint16 or float32.
    radius : float
        Kernel radius in pixels, > 0; a whole number for ``kind="lesson"``.
    kind : {"imagej", "lesson"}, default "imagej"
        ``"imagej"`` is ImageJ's ``Minimum...`` then ``Maximum...`` with the
        same radius: the kernel of `imagej_kernel`, nearest-edge border, float32
        NaN ignored as ImageJ ignores it (`ij_bgcorr.reference.rank.extreme_plane`);
        each filter checked equal to ImageJ 1.53t.
        ``"lesson"`` is ``skimage.morphology.opening(img,
        skimage.morphology.disk(radius))`` (border mode ``'reflect'``).

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        The opened image, same type, shape and dtype as ``image``; Dask-backed, computed
        tile by tile, for a Dask-backed ``image`` (`ij_bgcorr.tiled`).

    Raises
    ------
    CommandError
        When ``radius`` is not a number of pixels above 0 (a whole one for
        ``"lesson"``), or ``kind`` is unknown.

    Examples
    --------
    The opening removes what the kernel cannot fit in, here a one-pixel spot:

    >>> from ij_bgcorr import reference
    >>> spot = np.full((5, 5), 10, dtype=np.uint8)
    >>> spot[2, 2] = 200
    >>> int(reference.opening(spot, radius=1).max())
    10
    >>> from ij_bgcorr import data
    >>> background = reference.opening(data.load(data.SPOTS), radius=5)
    >>> background.dtype, background.attrs["reference"]
    (dtype('uint8'), 'ImageJ run("Minimum...", "radius=5") then run("Maximum...", "radius=5")')
    """
    kind = check_kind(kind)
    if is_lazy(image):
        return tile_by_tile(partial(opening, radius=radius, kind=kind), image,
                            rank_reach(radius, passes=2))
    canonical, layout = read_image(image)
    if kind == "lesson":
        disk_radius = whole_pixels("radius", radius)
        disk = morphology.disk(disk_radius)
        out = map_planes(canonical, lambda plane: morphology.opening(plane, disk))
        text = f"skimage.morphology.opening(img, skimage.morphology.disk({disk_radius}))"
    else:
        footprint = imagej_kernel(radius)
        out = map_planes(canonical, lambda plane: opening_plane(plane, footprint))
        text = (
            f'ImageJ run("Minimum...", "radius={radius}") then run("Maximum...", "radius={radius}")'
        )
    return in_layout(out, canonical, layout, text)


def tophat(image: Image, radius: float, kind: str = "imagej") -> Image:
    """White top-hat: the image minus its grey `opening` (the background).

    Parameters
    ----------
    image : numpy.ndarray or xarray.DataArray
        Image under the package's image contract (`ij_bgcorr.image.layout`);
        uint8, uint16 or float32.
    radius : float
        Kernel radius in pixels, > 0; a whole number for ``kind="lesson"``.
    kind : {"imagej", "lesson"}, default "imagej"
        ``"imagej"`` is the image minus ImageJ's ``Minimum...`` then ``Maximum...``
        (see `opening`), subtracted as ``Subtract create 32-bit``.
        ``"lesson"`` is ``skimage.morphology.white_tophat(img,
        skimage.morphology.disk(radius))``, border mode ``'reflect'``.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        Same shape as ``image``; float32 for ``"imagej"``, the dtype of ``image``
        for ``"lesson"`` (the opening never exceeds the image, so nothing wraps).
        Dask-backed, computed tile by tile, for a Dask-backed ``image`` (`ij_bgcorr.tiled`).

    Raises
    ------
    CommandError
        When ``radius`` is not a number of pixels above 0 (a whole one for
        ``"lesson"``), or ``kind`` is unknown.

    Examples
    --------
    A bright spot smaller than the kernel is the foreground, all of it:

    >>> from ij_bgcorr import reference
    >>> spot = np.zeros((5, 5), dtype=np.uint8)
    >>> spot[2, 2] = 9
    >>> print(reference.tophat(spot, radius=1))
    [[0. 0. 0. 0. 0.]
     [0. 0. 0. 0. 0.]
     [0. 0. 9. 0. 0.]
     [0. 0. 0. 0. 0.]
     [0. 0. 0. 0. 0.]]

    On the lesson's spots image, the foreground is 32-bit and never negative:

    >>> from ij_bgcorr import data
    >>> foreground = reference.tophat(data.load(data.SPOTS), radius=5)
    >>> foreground.dtype, float(foreground.min()), float(foreground.max())
    (dtype('float32'), 0.0, 19.0)
    """
    kind = check_kind(kind)
    if is_lazy(image):
        return tile_by_tile(partial(tophat, radius=radius, kind=kind), image,
                            rank_reach(radius, passes=2))
    canonical, layout = read_image(image)
    if kind == "imagej":
        refuse_rgb(canonical, "ImageJ's 32-bit subtraction of the top-hat turns RGB into grey")
    arr = canonical.values
    background = opening(canonical, radius, kind).values
    if kind == "lesson":  # white_tophat is exactly this difference
        out = arr - background
        text = (f"skimage.morphology.white_tophat(img, "
                f"skimage.morphology.disk({whole_pixels('radius', radius)}))")
    else:
        out = arr.astype(np.float32) - background.astype(np.float32)
        text = (
            f'float32(img) - float32(ImageJ run("Minimum...", "radius={radius}") '
            f'then run("Maximum...", "radius={radius}"))'
        )
    return in_layout(out, canonical, layout, text)
