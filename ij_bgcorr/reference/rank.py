"""ImageJ 1.x's rank filters (``Median...``, ``Minimum...``, ``Maximum...``) on one plane.

ImageJ's kernel (`imagej_kernel`) and its border rule: pixels outside the image
read as the nearest edge pixel. `median_plane` and `opening_plane` are the
single-plane filters behind `ij_bgcorr.reference.median` and
`ij_bgcorr.reference.opening` (``kind="imagej"``).
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import ndimage as ndi
from skimage import filters

from ij_bgcorr.validation import positive_pixels

# Rank filters cost about one histogram bin per pixel and grey level, ndimage's
# median about one step per pixel and kernel element; measured on this project's
# machines the rank filter wins while levels <= 32 * kernel size.
_RANK_LEVELS_PER_KERNEL_PIXEL = 32
_WORKERS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def imagej_kernel(radius: float) -> np.ndarray:
    """Circular kernel of ImageJ 1.x's rank filters (Median, Minimum, Maximum).

    ImageJ (``RankFilters.makeLineRadii``) first moves radii in [1.5, 1.75) to 1.75
    and radii in [2.5, 2.85) to 2.85, then keeps every integer offset (dx, dy)
    with dx² + dy² <= int(r²) + 1. The kernel's half-width is isqrt(int(r²) + 1).
    At r = 1 that is the full 3x3 square, where ``skimage.morphology.disk(1)``
    is a 5-pixel cross.

    Parameters
    ----------
    radius : float
        Kernel radius in pixels, > 0.

    Returns
    -------
    numpy.ndarray of bool, shape (2h + 1, 2h + 1)
        True on the kernel's pixels; h is the half-width. It always has an odd
        number of True pixels (it is point-symmetric around its centre), so a
        median over it is one of the pixel values.

    Raises
    ------
    CommandError
        When ``radius`` is not a finite number of pixels above 0.
    """
    radius = positive_pixels("radius", radius)
    if 1.5 <= radius < 1.75:
        radius = 1.75
    elif 2.5 <= radius < 2.85:
        radius = 2.85
    r2 = int(radius * radius) + 1
    half = math.isqrt(r2)
    dy, dx = np.ogrid[-half : half + 1, -half : half + 1]
    return dx * dx + dy * dy <= r2


def median_plane(plane: np.ndarray, footprint: np.ndarray) -> np.ndarray:
    """ImageJ's ``Median...`` of one plane: the median over ``footprint``, nearest-edge border.

    A median is an order statistic, so it commutes with any increasing map of
    the grey levels. Each pixel is replaced by the rank of its value among the
    plane's distinct values; skimage's fast histogram (rank) filter runs on
    those ranks, and the ranks are mapped back. Planes with many distinct
    values for the kernel size go to ndimage's median instead. Both are exact.

    Parameters
    ----------
    plane : numpy.ndarray, shape (row, col)
        uint8, uint16 or float32 pixels.
    footprint : numpy.ndarray of bool, shape (k, k), k odd
        The kernel, as `imagej_kernel` gives it.

    Returns
    -------
    numpy.ndarray, shape (row, col)
        The filtered plane, dtype of ``plane``. NaN sorts above every number
        (ImageJ's own median is NaN-aware there).
    """
    half = footprint.shape[0] // 2
    values, ranks = _distinct_values(plane)
    if len(values) > _RANK_LEVELS_PER_KERNEL_PIXEL * footprint.sum():
        return _nearest_edge(lambda p: ndi.median_filter(p, footprint=footprint), plane, half)
    ranks = ranks.astype(np.uint8 if len(values) <= 256 else np.uint16)
    with warnings.catch_warnings():  # skimage warns about slowness above 1024 levels
        warnings.filterwarnings("ignore", message="Bad rank filter performance")
        return values[_nearest_edge(lambda p: filters.rank.median(p, footprint), ranks, half)]


def opening_plane(plane: np.ndarray, footprint: np.ndarray) -> np.ndarray:
    """ImageJ's ``Minimum...`` then ``Maximum...`` of one plane, nearest-edge border.

    Parameters
    ----------
    plane : numpy.ndarray, shape (row, col)
        uint8, uint16 or float32 pixels.
    footprint : numpy.ndarray of bool, shape (k, k), k odd
        The kernel, as `imagej_kernel` gives it.

    Returns
    -------
    numpy.ndarray, shape (row, col)
        The grey opening, dtype of ``plane``.
    """
    half = footprint.shape[0] // 2
    eroded = _nearest_edge(lambda p: ndi.minimum_filter(p, footprint=footprint), plane, half)
    return _nearest_edge(lambda p: ndi.maximum_filter(p, footprint=footprint), eroded, half)


def _nearest_edge(
    filter_2d: Callable[[np.ndarray], np.ndarray], plane: np.ndarray, half: int
) -> np.ndarray:
    """Apply filter_2d with pixels outside ``plane`` read as the nearest edge pixel.

    The plane is padded by the kernel half-width with its edge values; the
    padded image is cut into overlapping horizontal stripes filtered in threads
    (the filters used here release the GIL), and the padding is cropped away.
    Inside the crop every kernel lies within its stripe, so how filter_2d treats
    its own borders does not matter.
    """
    padded = np.pad(plane, half, mode="edge")
    rows = plane.shape[0]
    bounds = np.linspace(0, rows, min(_WORKERS, rows) + 1).astype(int)

    def stripe(start: int, stop: int) -> np.ndarray:
        return filter_2d(padded[start : stop + 2 * half])[half:-half, half:-half]

    with ThreadPoolExecutor(len(bounds) - 1) as pool:
        return np.concatenate(list(pool.map(stripe, bounds[:-1], bounds[1:])))


def _distinct_values(plane: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values of ``plane`` and, per pixel, the index of its value."""
    if plane.dtype.kind == "u":  # a histogram is faster than sorting
        present = np.bincount(plane.ravel()) > 0
        return np.flatnonzero(present).astype(plane.dtype), (np.cumsum(present) - 1)[plane]
    values, ranks = np.unique(plane, return_inverse=True)
    return values, ranks.reshape(plane.shape)
