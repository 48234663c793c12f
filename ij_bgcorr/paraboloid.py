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
   the end, plus the parabola's drop over the gap, estimates the end value
   without a particle there. Each corner is lowered to the mean of its three
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

Arrays are float32 planes (row, col); distances are in pixels.
"""

from __future__ import annotations

import numpy as np

F32 = np.float32
_CURVATURE_FACTOR = F32(1.999)  # not 2: second differences of float data scatter


def sliding_paraboloid_background(plane: np.ndarray, radius: float) -> np.ndarray:
    """Sliding-paraboloid background (dark background) of a float32 plane, float32.

    Args:
        plane: float32 (row, col) image the background is estimated from.
        radius: radius of curvature of the paraboloid, in pixels (> 0).
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
    if min(out.shape) >= 3:
        steps = np.arange(min(out.shape))
        _slide_in_place(out, (steps, out.shape[1] - 1 - steps), k_diag)
    out = slide_diagonals(out, k_diag, anti=False)
    return np.ascontiguousarray(out)


def slide_rows(plane: np.ndarray, k: np.float32) -> np.ndarray:
    """Slide the parabola under every row of ``plane`` (a new array)."""
    lengths = np.full(plane.shape[0], plane.shape[1])
    return slide_lines(plane, lengths, k)[0]


def slide_diagonals(plane: np.ndarray, k: np.float32, anti: bool) -> np.ndarray:
    """Slide the parabola down-right along every diagonal (``anti``: down-left), a new array."""
    work = plane[:, ::-1] if anti else plane
    rows, cols = work.shape
    offsets = np.arange(-rows + 1, cols)
    starts_r = np.maximum(-offsets, 0)
    lengths = np.minimum(rows - starts_r, cols - (starts_r + offsets))
    steps = np.arange(lengths.max())
    r = starts_r[:, None] + steps[None, :]
    c = r + offsets[:, None]
    inside = steps[None, :] < lengths[:, None]
    r, c = np.where(inside, r, 0), np.where(inside, c, 0)
    lines = np.where(inside, work[r, c], np.inf).astype(F32)
    slid = slide_lines(lines, lengths, k)[0]
    out = work.copy()
    out[r[inside], c[inside]] = slid[inside]
    return out[:, ::-1] if anti else out


def slide_lines(
    lines: np.ndarray, lengths: np.ndarray, k: np.float32
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Slide a parabola ``y = -k x²`` under each line (row of ``lines``).

    Entries beyond a line's length are ignored (and left as they are).

    Returns:
        The slid lines (float32), and for each line the first touching point
        after its start and the last one before its end (indices; a line that is
        touched only at its ends gives its last index and 0).
    """
    values = lines.astype(F32)
    out = values.copy()
    n_lines, n = values.shape
    cols = np.arange(n)
    touchable = _touchable(values, lengths, k)
    touch = np.zeros(n_lines, dtype=np.int64)
    first = lengths - 1
    last = np.zeros(n_lines, dtype=np.int64)
    active = np.flatnonzero(touch < lengths - 1)
    while active.size:
        i1 = touch[active]
        v = values[active]
        v1 = v[np.arange(active.size), i1][:, None]
        d_int = cols[None, :] - i1[:, None]
        d = d_int.astype(F32)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            slopes = (v - v1) / d + k * d
        slopes[(d_int <= 0) | ~touchable[active]] = np.inf
        i2 = np.argmin(slopes, axis=1)
        best = slopes[np.arange(active.size), i2][:, None]
        between = (d_int > 0) & (cols[None, :] < i2[:, None])
        with np.errstate(invalid="ignore", over="ignore"):
            arc = v1 + d * (best - d * k)
        sub = out[active]
        sub[between] = arc[between]
        out[active] = sub
        starting = i1 == 0
        first[active[starting]] = i2[starting]
        ending = i2 == lengths[active] - 1
        last[active[ending]] = i1[ending]
        touch[active] = i2
        active = active[i2 < lengths[active] - 1]
    return out, first, last


def _touchable(values: np.ndarray, lengths: np.ndarray, k: np.float32) -> np.ndarray:
    """Points the parabola can touch: curvature below ``1.999 k``, and each line's last point."""
    n_lines, n = values.shape
    touchable = np.zeros((n_lines, n), dtype=bool)
    if n >= 3:
        centre = values[:, 1:-1]
        with np.errstate(invalid="ignore", over="ignore"):
            curvature = centre + centre - values[:, :-2] - values[:, 2:]
        touchable[:, 1:-1] = curvature < _CURVATURE_FACTOR * k
    touchable &= np.arange(n)[None, :] < (lengths - 1)[:, None]
    touchable[np.arange(n_lines), lengths - 1] = True
    return touchable


def _slide_in_place(
    plane: np.ndarray, where: tuple[np.ndarray, np.ndarray], k: np.float32
) -> tuple[int, int, np.ndarray]:
    """Slide one line of ``plane`` (pixels ``where``, in order) in place.

    Returns the first and last touching points inside the line and its values
    before sliding.
    """
    before = plane[where]
    slid, first, last = slide_lines(before[None, :], np.array([before.size]), k)
    plane[where] = slid[0]
    return int(first[0]), int(last[0]), before


# ------------------------------------------------------------- corner correction


def correct_corners(plane: np.ndarray, k: np.float32) -> None:
    """Slide the edges and corner diagonals of ``plane`` and lower its corners, in place.

    ``k`` is the parabola's coefficient along rows and columns; the diagonals
    use ``2 k``. See the module docstring for what the estimates are.
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
            first, last, before = _slide_in_place(plane, where, coefficient)
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
    """Values expected at both ends of a line without particles there (float32).

    Args:
        values: the line (float32) before sliding.
        first, last: its first and last touching points inside the line.
        k: the parabola's coefficient along the line.
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
