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
``ij_bgcorr.reference.parabola``; both are compiled (numba) transcriptions of
ImageJ's code. The lines of each pass are independent and are slid on every
core (`ij_bgcorr.reference.workers`), in blocks of 16 neighbouring lines.
"""

from __future__ import annotations

import numpy as np

from ij_bgcorr.reference.corners import correct_corners
from ij_bgcorr.reference.parabola import jit, slide_line, work_arrays
from ij_bgcorr.reference.workers import run_dealt

F32 = np.float32
_BLOCK = 16  # lines per work item: neighbouring lines of one thread share cache lines
# ImageJ's passes: rows, columns, rows, diagonals from the top row and from the left
# column, anti-diagonals from the top row and from the right column, diagonals again
_ROWS, _COLUMNS, _DIAGONALS_TOP, _DIAGONALS_LEFT, _ANTI_TOP, _ANTI_RIGHT = range(6)
_PASSES = (_ROWS, _COLUMNS, _ROWS, _DIAGONALS_TOP, _DIAGONALS_LEFT, _ANTI_TOP, _ANTI_RIGHT,
           _DIAGONALS_TOP, _DIAGONALS_LEFT)


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
    height, width = out.shape
    pixels = out.reshape(-1)
    correct_corners(pixels, width, height, k_axis)
    for direction in _PASSES:
        k = k_axis if direction in (_ROWS, _COLUMNS) else k_diag
        lines = _line_range(direction, width, height)
        blocks = -(-max(lines[1] - lines[0], 0) // _BLOCK)
        run_dealt(_slide_pass, pixels, width, height, direction, k, items=blocks,
                  min_items=max(1, 2**16 // (_BLOCK * max(width, height))))
    return out


@jit
def _line_range(direction: int, width: int, height: int) -> tuple[int, int]:
    """First line and line after the last of a pass, as ImageJ's ``filter1D`` numbers them."""
    if direction == _ROWS:
        return 0, height
    if direction == _COLUMNS:
        return 0, width
    if direction == _DIAGONALS_TOP:
        return 0, width - 2  # shorter lines cannot change
    if direction == _DIAGONALS_LEFT:
        return 1, height - 2
    if direction == _ANTI_TOP:
        return 2, width
    return 0, height - 2


@jit
def _slide_pass(pixels: np.ndarray, width: int, height: int, direction: int, k: np.float32,
                worker: int, workers: int) -> None:
    """Slide the lines of one pass that fall to ``worker`` (blocks of `_BLOCK` lines)."""
    cache, touchable = work_arrays(max(width, height))
    begin, end = _line_range(direction, width, height)
    columns = np.empty(_BLOCK * height, dtype=np.float32)
    for block in range(worker, -(-max(end - begin, 0) // _BLOCK), workers):
        if direction == _COLUMNS:
            _slide_columns(pixels, width, height, block * _BLOCK, k, columns, cache, touchable)
            continue
        for i in range(begin + block * _BLOCK, min(begin + (block + 1) * _BLOCK, end)):
            if direction == _ROWS:
                start, inc, length = i * width, 1, width
            elif direction == _DIAGONALS_TOP:
                start, inc, length = i, width + 1, min(height, width - i)
            elif direction == _DIAGONALS_LEFT:
                start, inc, length = i * width, width + 1, min(width, height - i)
            elif direction == _ANTI_TOP:
                start, inc, length = i, width - 1, min(height, i + 1)
            else:
                start, inc, length = i * width + width - 1, width - 1, min(width, height - i)
            slide_line(pixels, start, inc, length, k, cache, touchable)


@jit
def _slide_columns(pixels: np.ndarray, width: int, height: int, first: int, k: np.float32,
                   columns: np.ndarray, cache: np.ndarray, touchable: np.ndarray) -> None:
    """Slide up to `_BLOCK` columns from ``first``, copied out row by row and back.

    Read in place, a column's pixels are one image row apart; for widths that
    are multiples of a large power of two they all fall into the same few
    cache sets, and reading a block of columns row by row is far faster.
    """
    count = min(_BLOCK, width - first)
    for y in range(height):
        for c in range(count):
            columns[c * height + y] = pixels[y * width + first + c]
    for c in range(count):
        slide_line(columns, c * height, 1, height, k, cache, touchable)
    for y in range(height):
        for c in range(count):
            pixels[y * width + first + c] = columns[c * height + y]
