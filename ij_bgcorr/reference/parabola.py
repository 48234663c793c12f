"""A parabola slid from below along lines of values: the step the sliding paraboloid repeats.

Along a line only points whose second difference ``2 v[j] - v[j-1] - v[j+1]``
is below ``1.999 k`` (and the line's last point) can be touched; from each
touching point the next is the one ahead with the smallest slope
``(v[j] - v[i]) / d + k d`` (``d = j - i``, the first on ties), and the points
in between are set onto the parabola ``v[i] + d (slope - k d)``, in float32 as
ImageJ 1.53t computes them.

`slide_line` is a compiled (numba) transcription of ImageJ 1.53t's
``BackgroundSubtracter.lineSlideParabola``, with its search limit (a point
further than the parabola from the touching point down to the line's minimum
cannot be touched) and its Java arithmetic: float32 throughout, the limit in
double, Java's saturating double-to-int conversion and 32-bit wrap-around.
Lines with NaN or infinite values: ImageJ 1.53t never returns when no point
ahead gives a slope below the float maximum; here the rest of such a line
takes the parabola's value for the smallest slope (infinite or NaN).
"""

from __future__ import annotations

import numba
import numpy as np

F32 = np.float32
_CURVATURE_FACTOR = F32(1.999)  # not 2: second differences of float data scatter
_FLOAT_MAX = F32(np.finfo(F32).max)
_INT_MAX = 2147483647
_NO_POINT = np.int64(_INT_MAX)  # ImageJ's end of the chain of touchable points

jit = numba.njit(nogil=True, cache=True, error_model="numpy")


@numba.njit(inline="always")
def java_int(x: float) -> int:
    """Java's ``(int)`` of a double: truncation, NaN to 0, saturating at the int range."""
    if x != x:
        return 0
    if x >= 2147483647.0:
        return _INT_MAX
    if x <= -2147483648.0:
        return -_INT_MAX - 1
    return int(x)


@jit
def slide_line(pixels: np.ndarray, start: int, inc: int, length: int, k: np.float32,
               cache: np.ndarray, next_point: np.ndarray) -> tuple[int, int]:
    """Slide the parabola ``y = -k x²`` under one line of ``pixels``, in place.

    Parameters
    ----------
    pixels : numpy.ndarray of float32, shape (n,)
        The image's pixels, flat; the line's points are modified.
    start, inc, length : int
        The line: ``pixels[start + i * inc]`` for ``0 <= i < length``.
    k : numpy.float32
        The parabola's coefficient per step along the line, in value units per pixel².
    cache : numpy.ndarray of float32, shape (>= length,)
        Work array; holds the line's values before sliding afterwards.
    next_point : numpy.ndarray of int64, shape (>= length,)
        Work array.

    Returns
    -------
    first, last : int
        The first touching point after the line's start (its last index when
        touched only at its ends) and the last one before its end (0 then).
    """
    min_value = _FLOAT_MAX
    last_point = 0
    first = length - 1
    last = 0
    previous1 = F32(0)
    previous2 = F32(0)
    curvature_test = _CURVATURE_FACTOR * k
    p = start
    for i in range(length):
        v = pixels[p]
        cache[i] = v
        if v < min_value:
            min_value = v
        if i >= 2 and previous1 + previous1 - previous2 - v < curvature_test:
            next_point[last_point] = i - 1
            last_point = i - 1
        previous2 = previous1
        previous1 = v
        p += inc
    next_point[last_point] = length - 1
    next_point[length - 1] = _NO_POINT
    i1 = 0
    while i1 < length - 1:
        v1 = cache[i1]
        i2, min_slope = _next_touch(cache, next_point, i1, length, k, v1, min_value)
        if i1 == 0:
            first = i2
        if i2 == length - 1:
            last = i1
        p = start + (i1 + 1) * inc
        for j in range(i1 + 1, i2):
            d = F32(j - i1)
            pixels[p] = v1 + d * (min_slope - d * k)
            p += inc
        i1 = i2
    return first, last


@jit
def _next_touch(cache: np.ndarray, next_point: np.ndarray, i1: int, length: int,
                k: np.float32, v1: np.float32, min_value: np.float32) -> tuple[int, np.float32]:
    """Next touching point after ``i1`` and the slope to it, searched as ImageJ searches."""
    min_slope = _FLOAT_MAX
    i2 = 0
    search_to = length
    recalculate = 0
    j = next_point[i1]
    while j < search_to:
        d = F32(j - i1)
        slope = (cache[j] - v1) / d + k * d
        if slope < min_slope:
            min_slope = slope
            i2 = j
            recalculate = -3
        if recalculate == 0:  # the search limit, recomputed 3 points after each improvement
            b = float(F32(0.5) * min_slope / k)
            reach = java_int(b + np.sqrt(b * b + float((v1 - min_value) / k)) + 1.0)
            max_search = i1 + reach
            if max_search > _INT_MAX:
                max_search -= 2 * (_INT_MAX + 1)  # Java's int overflow
            if max_search < search_to and max_search > 0:
                search_to = max_search
        j = next_point[j]
        recalculate += 1
    if i2 == 0:  # ImageJ would search forever: end the line with the smallest slope
        min_slope = F32(np.inf)
        j = next_point[i1]
        while j < length:
            d = F32(j - i1)
            slope = (cache[j] - v1) / d + k * d
            if slope < min_slope:
                min_slope = slope
            j = next_point[j]
        i2 = length - 1
    return i2, min_slope


@jit
def _slide_rows(lines: np.ndarray, lengths: np.ndarray, k: np.float32, first: np.ndarray,
                last: np.ndarray) -> None:
    """`slide_line` on every row of ``lines`` (in place), over its first ``lengths`` points."""
    rows, cols = lines.shape
    flat = lines.reshape(rows * cols)
    cache = np.empty(max(cols, 1), dtype=np.float32)
    next_point = np.empty(max(cols, 1), dtype=np.int64)
    for r in range(rows):
        f, la = slide_line(flat, r * cols, 1, lengths[r], k, cache, next_point)
        first[r] = f
        last[r] = la


def slide_lines(
    lines: np.ndarray, lengths: np.ndarray, k: np.float32
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Slide a parabola ``y = -k x²`` under each line.

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
    out = np.array(lines, dtype=F32, order="C")
    first = np.empty(out.shape[0], dtype=np.int64)
    last = np.empty(out.shape[0], dtype=np.int64)
    _slide_rows(out, np.asarray(lengths, dtype=np.int64), F32(k), first, last)
    return out, first, last
