"""ImageJ 1.x's rank filters (``Median...``, ``Minimum...``, ``Maximum...``) on one plane.

ImageJ's kernel (`imagej_kernel`) and its border rule: pixels outside the image
read as the nearest edge pixel. `opening_plane` is the single-plane filter
behind `ij_bgcorr.reference.opening` (``kind="imagej"``), made of
`extreme_plane` (``Minimum...``, ``Maximum...``); the median's is in
`ij_bgcorr.reference.median_kernel`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import ndimage as ndi

from ij_bgcorr.reference.workers import WORKERS
from ij_bgcorr.validation import positive_pixels


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

    Examples
    --------
    >>> from ij_bgcorr import reference
    >>> print(reference.imagej_kernel(1).astype(int))
    [[1 1 1]
     [1 1 1]
     [1 1 1]]
    >>> print(reference.imagej_kernel(2).astype(int))
    [[0 1 1 1 0]
     [1 1 1 1 1]
     [1 1 1 1 1]
     [1 1 1 1 1]
     [0 1 1 1 0]]

    At the lesson's radius 15 the kernel holds 8 pixels more than
    ``skimage.morphology.disk(15)``:

    >>> from skimage.morphology import disk
    >>> kernel = reference.imagej_kernel(15)
    >>> kernel.shape, int(kernel.sum()), int(disk(15).sum())
    ((31, 31), 717, 709)
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
        The grey opening, dtype of ``plane``; float32 NaN and infinities as
        `extreme_plane` handles them.
    """
    return extreme_plane(extreme_plane(plane, footprint, maximum=False), footprint,
                         maximum=True)


def extreme_plane(plane: np.ndarray, footprint: np.ndarray, maximum: bool) -> np.ndarray:
    """ImageJ's ``Maximum...`` (or ``Minimum...``) of one plane, nearest-edge border.

    ImageJ 1.53t (``RankFilters.getAreaMax``) starts every kernel's maximum at
    -Float.MAX_VALUE and lets a pixel replace it only when the pixel is larger
    (the minimum: the same on negated pixels). So NaN pixels are ignored, the
    result is never NaN, and a kernel holding only NaN or -inf pixels gives
    -3.4028235e38 (the minimum: only NaN or +inf gives +3.4028235e38).

    Parameters
    ----------
    plane : numpy.ndarray, shape (row, col)
        uint8, uint16 or float32 pixels.
    footprint : numpy.ndarray of bool, shape (k, k), k odd
        The kernel, as `imagej_kernel` gives it.
    maximum : bool
        True for the maximum, False for the minimum.

    Returns
    -------
    numpy.ndarray, shape (row, col)
        The filtered plane, dtype of ``plane``.
    """
    half = footprint.shape[0] // 2
    rank_filter = ndi.maximum_filter if maximum else ndi.minimum_filter
    if plane.dtype.kind != "f":
        return _nearest_edge(lambda p: rank_filter(p, footprint=footprint), plane, half)
    limit = np.finfo(plane.dtype).max
    if np.isnan(plane).any():
        plane = np.where(np.isnan(plane), -np.inf if maximum else np.inf, plane)
    out = _nearest_edge(lambda p: rank_filter(p, footprint=footprint), plane, half)
    if maximum:
        return np.maximum(out, -limit, out=out)
    return np.minimum(out, limit, out=out)


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
    bounds = np.linspace(0, rows, min(WORKERS, rows) + 1).astype(int)

    def stripe(start: int, stop: int) -> np.ndarray:
        return filter_2d(padded[start : stop + 2 * half])[half:-half, half:-half]

    with ThreadPoolExecutor(len(bounds) - 1) as pool:
        return np.concatenate(list(pool.map(stripe, bounds[:-1], bounds[1:])))
