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
value units per pixel².
"""

from __future__ import annotations

import numpy as np

F32 = np.float32
_CURVATURE_FACTOR = F32(1.999)  # not 2: second differences of float data scatter
_FLOAT_MAX = np.finfo(F32).max


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
    # ImageJ's two half-passes over the anti-diagonals share the one through the
    # top-right corner, which is therefore slid twice
    steps = np.arange(min(out.shape))
    _slide_in_place(out, (steps, out.shape[1] - 1 - steps), k_diag)
    out = slide_diagonals(out, k_diag, anti=False)
    return np.ascontiguousarray(out)


def slide_rows(plane: np.ndarray, k: np.float32) -> np.ndarray:
    """Slide the parabola (coefficient ``k`` per pixel²) under every row of ``plane``.

    Returns a new float32 (row, col) array.
    """
    lengths = np.full(plane.shape[0], plane.shape[1])
    return slide_lines(plane, lengths, k)[0]


def slide_diagonals(plane: np.ndarray, k: np.float32, anti: bool) -> np.ndarray:
    """Slide the parabola down-right along every diagonal (``anti``: down-left).

    ``k`` is per pixel² of the image grid (diagonal steps count as one). Returns
    a new float32 (row, col) array.
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


def slide_lines(
    lines: np.ndarray, lengths: np.ndarray, k: np.float32
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Slide a parabola ``y = -k x²`` (``k`` per pixel²) under each line.

    Args:
        lines: float32 (line, position) array; entries beyond a line's length
            are ignored (and left as they are).
        lengths: number of points of each line (integers >= 1).
        k: the parabola's coefficient.

    All lines advance together, one touching point per step.

    Returns:
        The slid lines (float32), and for each line the first touching point
        after its start and the last one before its end (indices; a line that is
        touched only at its ends gives its last index and 0).
    """
    values = lines.astype(F32)
    out = values.copy()
    search = _Search(values, lengths, k)
    touch = np.zeros(values.shape[0], dtype=np.int64)
    first = lengths - 1
    last = np.zeros_like(touch)
    active = np.flatnonzero(lengths > 1)
    while active.size:
        i1 = touch[active]
        i2, slope = search.next_touch(active, i1)
        _fill_arcs(out, active, i1, i2, slope, k)
        starting = i1 == 0
        first[active[starting]] = i2[starting]
        ending = i2 == lengths[active] - 1
        last[active[ending]] = i1[ending]
        touch[active] = i2
        active = active[~ending]
    return out, first, last


class _Search:
    """Finds the next touching point on many lines at once.

    From a touching point ``i`` the next one is the touchable point ahead with
    the smallest slope ``(v[j] - v[i]) / d + k d`` (the first on ties). It is
    searched within growing windows; a window is enough once the parabola
    leaving ``i`` with the best slope found stays below every touchable value
    beyond the window, for no point there can then do better.
    """

    WINDOWS = (16, 64, 256)  # then the whole line

    def __init__(self, values: np.ndarray, lengths: np.ndarray, k: np.float32) -> None:
        n_lines, n = values.shape
        self.windows = tuple(w for w in self.WINDOWS if w < n)
        pad = max(self.windows, default=0) + 1
        self.width = n + pad
        self.values, self.lengths, self.k = values, lengths, k
        # touchable values (others +inf), padded with +inf
        self.candidates = np.full((n_lines, self.width), np.inf, dtype=F32)
        self.candidates[:, :n] = np.where(_touchable(values, lengths, k), values, np.inf)
        self.flat = self.candidates.ravel()
        self.views = {w: np.lib.stride_tricks.sliding_window_view(self.candidates, w, axis=1)
                      for w in self.windows}
        # lowest touchable value at or after each position
        self.beyond = np.minimum.accumulate(self.candidates[:, ::-1], axis=1)[:, ::-1].ravel()

    def next_touch(self, lines: np.ndarray, i1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Next touching point after ``i1`` on each of ``lines``, and the slope to it."""
        n = self.values.shape[1]
        k = self.k
        i2 = np.empty_like(i1)
        slope = np.empty(i1.size, dtype=F32)
        todo = np.arange(i1.size)
        for window in (*self.windows, n):
            rows, start = lines[todo], i1[todo]
            base = rows * self.width
            v1 = self.values[rows, start]
            d = np.arange(1, window + 1, dtype=F32)
            with np.errstate(invalid="ignore", over="ignore"):
                slopes = (self._ahead(rows, start, window) - v1[:, None]) / d + k * d
            np.fmin(slopes, np.inf, out=slopes)  # NaN is never the smallest
            best = np.argmin(slopes, axis=1)
            found = slopes[np.arange(rows.size), best]
            end = np.minimum(start + window + 1, self.width - 1)
            done = self._enough(found, v1, window, self.beyond.take(base + end))
            whole = start + window >= self.lengths[rows] - 1
            # nothing below the float maximum: ImageJ loops forever; end the line here
            best = np.where(whole & ~(found < _FLOAT_MAX), self.lengths[rows] - 2 - start, best)
            done |= whole
            i2[todo[done]] = start[done] + 1 + best[done]
            slope[todo[done]] = found[done]
            todo = todo[~done]
            if not todo.size:
                break
        return i2, slope

    def _ahead(self, rows: np.ndarray, start: np.ndarray, window: int) -> np.ndarray:
        """Touchable values (others +inf) at distances 1 to ``window`` after ``start``."""
        if window in self.views:
            return self.views[window][rows, start + 1]
        at = np.minimum(start[:, None] + np.arange(1, window + 1), self.width - 1)
        return self.flat.take(rows[:, None] * self.width + at)

    def _enough(self, found: np.ndarray, v1: np.ndarray, window: int,
                beyond: np.ndarray) -> np.ndarray:
        """Where the parabola ``v1 + d (found - k d)`` stays below ``beyond`` for d > window."""
        k = float(self.k)
        s = found.astype(np.float64)
        v = v1.astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            top_at = s / (2 * k)
            peak = np.where(top_at > window, v + s * s / (4 * k), v + window * (s - k * window))
            # far above float32 rounding (about 6e-8 relative) of the slopes compared,
            # so a point this bound excludes cannot win by rounding either
            margin = 1e-5 * (np.abs(v) + np.abs(beyond.astype(np.float64)) + 1)
            return peak + margin < beyond


def _fill_arcs(
    out: np.ndarray, lines: np.ndarray, i1: np.ndarray, i2: np.ndarray, slope: np.ndarray,
    k: np.float32,
) -> None:
    """Set the points strictly between ``i1`` and ``i2`` onto ``v[i1] + d (slope - k d)``."""
    gaps = i2 - i1 - 1
    if not gaps.any():
        return
    d_int = np.arange(int(gaps.sum())) - np.repeat(np.cumsum(gaps) - gaps, gaps) + 1
    d = d_int.astype(F32)
    rows = np.repeat(lines, gaps)
    start = np.repeat(i1, gaps)
    v1 = out[rows, start]
    with np.errstate(invalid="ignore", over="ignore"):
        out[rows, start + d_int] = v1 + d * (np.repeat(slope, gaps) - d * k)


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
