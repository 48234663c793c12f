"""A parabola slid from below along lines of values: the step the sliding paraboloid repeats.

Along a line only points whose second difference ``2 v[j] - v[j-1] - v[j+1]``
is below ``1.999 k`` (and the line's last point) can be touched; from each
touching point the next is the one ahead with the smallest slope
``(v[j] - v[i]) / d + k d`` (``d = j - i``, the first on ties), and the points
in between are set onto the parabola ``v[i] + d (slope - k d)``, in float32 as
ImageJ 1.53t computes them. Lines with NaN or infinite values: ImageJ 1.53t
never returns when no point ahead gives a slope below the float maximum; here
the rest of such a line takes the parabola's value for that slope (infinite or
NaN).
"""

from __future__ import annotations

import numpy as np

F32 = np.float32
_CURVATURE_FACTOR = F32(1.999)  # not 2: second differences of float data scatter
_FLOAT_MAX = np.finfo(F32).max


def slide_lines(
    lines: np.ndarray, lengths: np.ndarray, k: np.float32
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Slide a parabola ``y = -k x²`` under each line.

    All lines advance together, one touching point per step.

    Parameters
    ----------
    lines : numpy.ndarray of float32, shape (line, position)
        The lines; entries beyond a line's length are ignored (and left as they are).
    lengths : numpy.ndarray of int, shape (line,)
        Number of points of each line, >= 1.
    k : numpy.float32
        The parabola's coefficient, in value units per pixel².

    Returns
    -------
    slid : numpy.ndarray of float32, shape (line, position)
        The slid lines.
    first : numpy.ndarray of int, shape (line,)
        For each line, the first touching point after its start (index; a line
        touched only at its ends gives its last index).
    last : numpy.ndarray of int, shape (line,)
        The last touching point before its end (0 for a line touched only at
        its ends).
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


def slide_in_place(
    plane: np.ndarray, where: tuple[np.ndarray, np.ndarray], k: np.float32
) -> tuple[int, int, np.ndarray]:
    """Slide one line of ``plane`` in place.

    Parameters
    ----------
    plane : numpy.ndarray of float32, shape (row, col)
        The image, modified in place.
    where : tuple of two numpy.ndarray of int
        The line's pixels, in order, as (rows, cols) indices.
    k : numpy.float32
        The parabola's coefficient per step along the line, in value units per pixel².

    Returns
    -------
    first, last : int
        The first and last touching points inside the line (as `slide_lines`).
    before : numpy.ndarray of float32
        The line's values before sliding.
    """
    before = plane[where]
    slid, first, last = slide_lines(before[None, :], np.array([before.size]), k)
    plane[where] = slid[0]
    return int(first[0]), int(last[0]), before
