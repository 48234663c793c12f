"""The sliding paraboloid's corner correction (step 1 in ``ij_bgcorr.reference.paraboloid``).

Before sliding, ImageJ 1.53t lowers each corner of the image to an estimate
from the two edges and the diagonal through it, so that a particle in a corner
does not lift the background there. Compiled (numba) transcriptions of
``BackgroundSubtracter.correctCorners`` and of the edge estimate at the end of
its ``lineSlideParabola``, float32 arithmetic in Java's order.
"""

from __future__ import annotations

import numpy as np

from ij_bgcorr.reference.parabola import jit, slide_line, work_arrays

F32 = np.float32


@jit
def correct_corners(pixels: np.ndarray, width: int, height: int, k: np.float32) -> None:
    """Slide the edges and corner diagonals of an image and lower its corners, in place.

    See ``ij_bgcorr.reference.paraboloid``'s docstring for what the estimates are.

    Parameters
    ----------
    pixels : numpy.ndarray of float32, shape (height * width,)
        The image, flat (rows one after the other), modified in place.
    width, height : int
        The image's size.
    k : numpy.float32
        The parabola's coefficient along rows and columns, in value units per
        pixel²; the diagonals use ``2 k``.

    Returns
    -------
    None
    """
    cache, touchable = work_arrays(max(width, height))
    diagonal = min(width, height)
    k_diag = F32(2) * k
    last_row = (height - 1) * width
    # (start, increment, length, coefficient) of the edges, then of the corner diagonals
    starts = (0, last_row, 0, width - 1, 0, width - 1, last_row, width * height - 1)
    incs = (1, 1, width, width, 1 + width, width - 1, 1 - width, -1 - width)
    lengths = (width, width, height, height, diagonal, diagonal, diagonal, diagonal)
    # corners 0..3 are (0,0), (width-1,0), (0,height-1), (width-1,height-1);
    # each line's start estimate goes to corner at_start, its end estimate to at_end (-1: none)
    at_start = (0, 2, 0, 1, 0, 1, 2, 3)
    at_end = (1, 3, 2, 3, -1, -1, -1, -1)
    corners = np.zeros(4, dtype=np.float32)
    seen = np.zeros(4, dtype=np.bool_)
    for n in range(8):
        coefficient = k if n < 4 else k_diag
        length = lengths[n]
        first, last = slide_line(pixels, starts[n], incs[n], length, coefficient, cache,
                                 touchable)
        at_0, at_1 = edge_estimates(cache, length, first, last, coefficient)
        for corner, value in ((at_start[n], at_0), (at_end[n], at_1)):
            if corner >= 0:
                corners[corner] = corners[corner] + value if seen[corner] else value
                seen[corner] = True
    where = (0, width - 1, last_row, width * height - 1)
    for corner in range(4):
        estimate = corners[corner] / F32(3)
        if pixels[where[corner]] > estimate:
            pixels[where[corner]] = estimate


@jit
def edge_estimates(values: np.ndarray, length: int, first: int, last: int,
                   k: np.float32) -> tuple[np.float32, np.float32]:
    """Values expected at both ends of a line without particles there.

    Parameters
    ----------
    values : numpy.ndarray of float32, shape (>= length,)
        The line before sliding.
    length : int
        Its number of points.
    first, last : int
        Its first and last touching points inside the line (indices).
    k : numpy.float32
        The parabola's coefficient along the line, in value units per pixel².

    Returns
    -------
    at_start, at_end : numpy.float32
        The estimates at index 0 and at index length - 1 (NaN where ImageJ's
        vignetting term makes them so, in lines of at most 12 pixels).
    """
    if 4 * first >= length:  # a particle at an edge must be shorter than a quarter of the line
        first = 0
    if 4 * (length - 1 - last) >= length:
        last = length - 1
    span = F32(last - first)
    slope = (values[last] - values[first]) / span
    offset = values[first] - slope * F32(first)
    coeff6 = F32(0)
    mid = F32(0.5) * F32(last + first)
    for i in range((length + 2) // 3, (2 * length) // 3 + 1):  # the middle third
        dx = (F32(i) - mid) * F32(2) / span
        poly6 = dx * dx * dx * dx * dx * dx - F32(1)
        if values[i] < offset + slope * F32(i) + coeff6 * poly6:  # bend the line below it
            coeff6 = -(offset + slope * F32(i) - values[i]) / poly6
    dx = (F32(first) - mid) * F32(2) / span
    at_start = offset + coeff6 * (dx * dx * dx * dx * dx * dx - F32(1)) \
        + k * F32(first) * F32(first)
    dx = (F32(last) - mid) * F32(2) / span
    tail = F32(length - 1 - last)
    at_end = offset + F32(length - 1) * slope + coeff6 * (dx * dx * dx * dx * dx * dx - F32(1)) \
        + k * tail * tail
    return at_start, at_end
