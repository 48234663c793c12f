"""Sliding-paraboloid background of ImageJ 1.x's ``Subtract Background...``, in numpy.

The background is what a parabola ``y = -k x²`` reaches when slid from below
along straight lines of the image: ``k = 0.5 / radius`` per pixel² along rows
and columns, ``1 / radius`` along diagonals (whose steps are √2 long). ImageJ
1.53t's sequence, reproduced here value for value in single precision:

1. Corner correction. The two edges and the diagonal through each corner are
   slid (in this order: top row, bottom row, left column, right column, then the
   diagonals from the four corners inwards, each seeing the previous ones'
   results). Along each of them, the touching points nearest to its ends are
   found (a touching point further than a quarter of the line from its end is
   replaced by the end itself); the straight line through them, extrapolated to
   the end, plus ``k gap²`` (gap: from that touching point to the end),
   estimates the end value without a particle there. Each corner is lowered to the mean of its three
   estimates if that is lower. ImageJ also fits a 6th-order "vignetting" term
   to the middle third of the line, but evaluates it where it is zero; it only
   matters in lines of at most 12 pixels, where the middle third can contain a
   touching point, float rounding can make the term infinite and the estimate
   NaN, and that corner is then left as it is. This is reproduced too.
2. The parabola is slid along all rows, all columns, all rows again, all
   diagonals (down-right), all anti-diagonals (down-left; ImageJ slides the one
   through the top-right corner twice) and all diagonals again.

Along a line only points whose second difference ``2 v[j] - v[j-1] - v[j+1]``
is below ``1.999 k`` (and the line's last point) can be touched; from each
touching point the next is the one ahead with the smallest slope
``(v[j] - v[i]) / d + k d`` (``d = j - i``, the first on ties), and the points
in between are set onto the parabola ``v[i] + d (slope - k d)``.

Lines with NaN or infinite values: ImageJ 1.53t never returns when no point
ahead gives a slope below the float maximum; here the rest of such a line
takes the parabola's value for that slope (infinite or NaN).

Arrays are float32 planes (row, col); distances are in pixels and ``k`` in
value units per pixel². The corner correction is in
``ij_bgcorr.reference.corners``, the sliding along lines in
``ij_bgcorr.reference.parabola``.
"""

from __future__ import annotations

import numpy as np

from ij_bgcorr.reference.corners import correct_corners
from ij_bgcorr.reference.parabola import slide_in_place, slide_lines

F32 = np.float32


def sliding_paraboloid_background(plane: np.ndarray, radius: float) -> np.ndarray:
    """Sliding-paraboloid background of a plane with a dark background.

    Parameters
    ----------
    plane : numpy.ndarray of float32, shape (row, col)
        The image the background is estimated from; not modified.
    radius : float
        Radius of curvature of the paraboloid, in pixels, > 0.

    Returns
    -------
    numpy.ndarray of float32, shape (row, col)
        The background, C-contiguous: corners corrected, then slid along rows,
        columns, rows, diagonals, anti-diagonals and diagonals (module docstring).
    """
    k_axis = F32(0.5) / F32(radius)
    k_diag = F32(1) / F32(radius)
    out = np.array(plane, dtype=F32, order="C")  # a copy: the input is not touched
    correct_corners(out, k_axis)
    out = slide_rows(out, k_axis)
    out = slide_rows(out.T, k_axis).T
    out = slide_rows(out, k_axis)
    out = slide_diagonals(out, k_diag, anti=False)
    out = slide_diagonals(out, k_diag, anti=True)
    # ImageJ's two half-passes over the anti-diagonals share the one through the
    # top-right corner, which is therefore slid twice
    steps = np.arange(min(out.shape))
    slide_in_place(out, (steps, out.shape[1] - 1 - steps), k_diag)
    out = slide_diagonals(out, k_diag, anti=False)
    return np.ascontiguousarray(out)


def slide_rows(plane: np.ndarray, k: np.float32) -> np.ndarray:
    """Slide the parabola under every row of ``plane``.

    Parameters
    ----------
    plane : numpy.ndarray of float32, shape (row, col)
        The image.
    k : numpy.float32
        The parabola's coefficient, in value units per pixel².

    Returns
    -------
    numpy.ndarray of float32, shape (row, col)
        A new array; ``plane`` is not modified.
    """
    lengths = np.full(plane.shape[0], plane.shape[1])
    return slide_lines(plane, lengths, k)[0]


def slide_diagonals(plane: np.ndarray, k: np.float32, anti: bool) -> np.ndarray:
    """Slide the parabola down-right along every diagonal (``anti``: down-left).

    Parameters
    ----------
    plane : numpy.ndarray of float32, shape (row, col)
        The image.
    k : numpy.float32
        The parabola's coefficient per pixel² of the image grid (diagonal steps
        count as one).
    anti : bool
        Slide along the anti-diagonals (down-left) instead.

    Returns
    -------
    numpy.ndarray of float32, shape (row, col)
        A new array; ``plane`` is not modified.
    """
    work = np.ascontiguousarray(plane[:, ::-1] if anti else plane, dtype=F32)
    rows, cols = work.shape
    # diagonals start on the left column (bottom to top), then on the top row
    start_row = np.concatenate([np.arange(rows - 1, 0, -1), np.zeros(cols, dtype=np.intp)])
    start_col = np.concatenate([np.zeros(rows - 1, dtype=np.intp), np.arange(cols)])
    lengths = np.minimum(rows - start_row, cols - start_col)
    steps = np.arange(min(rows, cols))
    inside = steps[None, :] < lengths[:, None]
    flat = np.where(inside, (start_row * cols + start_col)[:, None] + steps * (cols + 1), 0)
    values = work.ravel()
    lines = np.where(inside, values.take(flat), F32(np.inf))
    slid = slide_lines(lines, lengths, k)[0]
    out = values.copy()
    out[flat[inside]] = slid[inside]
    out = out.reshape(rows, cols)
    return out[:, ::-1] if anti else out
