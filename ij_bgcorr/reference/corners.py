"""The sliding paraboloid's corner correction (step 1 in ``ij_bgcorr.reference.paraboloid``).

Before sliding, ImageJ 1.53t lowers each corner of the image to an estimate
from the two edges and the diagonal through it, so that a particle in a corner
does not lift the background there.
"""

from __future__ import annotations

import numpy as np

from ij_bgcorr.reference.parabola import slide_in_place

F32 = np.float32


def correct_corners(plane: np.ndarray, k: np.float32) -> None:
    """Slide the edges and corner diagonals of ``plane`` and lower its corners, in place.

    See ``ij_bgcorr.reference.paraboloid``'s docstring for what the estimates are.

    Parameters
    ----------
    plane : numpy.ndarray of float32, shape (row, col)
        The image, modified in place.
    k : numpy.float32
        The parabola's coefficient along rows and columns, in value units per
        pixel²; the diagonals use ``2 k``.

    Returns
    -------
    None
    """
    rows, cols = plane.shape
    n = min(rows, cols)
    steps = np.arange(n)
    along_row, along_col = np.arange(cols), np.arange(rows)
    top, bottom, left, right = 0, rows - 1, 0, cols - 1
    k_diag = F32(2) * k
    # (pixels in order, coefficient, corner at the line's start, corner at its end);
    # corners are numbered top-left, top-right, bottom-left, bottom-right
    lines = [
        ((np.full(cols, top), along_row), k, 0, 1),
        ((np.full(cols, bottom), along_row), k, 2, 3),
        ((along_col, np.full(rows, left)), k, 0, 2),
        ((along_col, np.full(rows, right)), k, 1, 3),
        ((steps, steps), k_diag, 0, None),
        ((steps, right - steps), k_diag, 1, None),
        ((bottom - steps, steps), k_diag, 2, None),
        ((bottom - steps, right - steps), k_diag, 3, None),
    ]
    sums = [F32(0)] * 4
    with np.errstate(all="ignore"):  # lines of one pixel give NaN: no correction
        for where, coefficient, at_start, at_end in lines:
            first, last, before = slide_in_place(plane, where, coefficient)
            start_value, end_value = edge_estimates(before, first, last, coefficient)
            sums[at_start] = sums[at_start] + start_value
            if at_end is not None:
                sums[at_end] = sums[at_end] + end_value
        for (r, c), total in zip(((top, left), (top, right), (bottom, left), (bottom, right)),
                                 sums, strict=True):
            estimate = total / F32(3)
            if plane[r, c] > estimate:
                plane[r, c] = estimate


def edge_estimates(
    values: np.ndarray, first: int, last: int, k: np.float32
) -> tuple[np.float32, np.float32]:
    """Values expected at both ends of a line without particles there.

    Parameters
    ----------
    values : numpy.ndarray of float32, shape (n,)
        The line before sliding.
    first, last : int
        Its first and last touching points inside the line (indices).
    k : numpy.float32
        The parabola's coefficient along the line, in value units per pixel².

    Returns
    -------
    at_start, at_end : numpy.float32
        The estimates at index 0 and at index n - 1 (NaN where ImageJ's
        vignetting term makes them so, in lines of at most 12 pixels).
    """
    n = values.size
    if 4 * first >= n:  # a particle at an edge must be shorter than a quarter of the line
        first = 0
    if 4 * (n - 1 - last) >= n:
        last = n - 1
    span = F32(last - first)
    slope = (values[last] - values[first]) / span
    offset = values[first] - slope * F32(first)
    mid = F32(0.5) * F32(last + first)

    def bend(x: np.ndarray | np.float32) -> np.ndarray:
        """6th-order polynomial, -1 at ``mid`` and 0 at ``first`` and ``last``."""
        dx = (x - mid) * F32(2) / span
        return dx * dx * dx * dx * dx * dx - F32(1)

    middle = np.arange((n + 2) // 3, (2 * n) // 3 + 1)
    at = middle.astype(F32)
    line = offset + slope * at
    poly = bend(at)
    data = values[middle]
    coeff6 = F32(0)
    start = 0
    while True:  # scan the middle third, bending the line below each point in turn
        below = np.flatnonzero(data[start:] < line[start:] + coeff6 * poly[start:])
        if not below.size:
            break
        hit = start + int(below[0])
        coeff6 = -(line[hit] - data[hit]) / poly[hit]
        start = hit + 1
    tail = F32(n - 1 - last)
    at_start = offset + coeff6 * bend(F32(first)) + k * F32(first) * F32(first)
    at_end = offset + F32(n - 1) * slope + coeff6 * bend(F32(last)) + k * tail * tail
    return F32(at_start), F32(at_end)
