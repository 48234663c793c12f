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
               cache: np.ndarray, touchable: np.ndarray) -> tuple[int, int]:
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
    touchable : numpy.ndarray of int64, shape (>= length,)
        Work array (`work_arrays` makes both).

    Returns
    -------
    first, last : int
        The first touching point after the line's start (its last index when
        touched only at its ends) and the last one before its end (0 then).
    """
    min_value = _FLOAT_MAX
    # the points that can be touched, in order, after the start: ImageJ chains them in a
    # linked list; an array of them is read in order, without waiting on each link
    touchable[0] = 0
    count = 1
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
            touchable[count] = i - 1
            count += 1
        previous2 = previous1
        previous1 = v
        p += inc
    if length > 1:
        touchable[count] = length - 1
        count += 1
    i1 = 0
    q1 = 0
    while i1 < length - 1:
        v1 = cache[i1]
        q2, min_slope = _next_touch(cache, touchable, q1, count, length, k, v1, min_value)
        i2 = touchable[q2]
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
        q1 = q2
    return first, last


@jit
def work_arrays(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Work arrays ``cache, touchable`` for `slide_line`, on lines of up to ``size`` points."""
    size = max(size, 1)
    return np.empty(size, dtype=np.float32), np.empty(size, dtype=np.int64)


@jit
def _next_touch(cache: np.ndarray, touchable: np.ndarray, q1: int, count: int, length: int,
                k: np.float32, v1: np.float32, min_value: np.float32) -> tuple[int, np.float32]:
    """Next touching point after ``touchable[q1]`` and the slope to it, searched as ImageJ does.

    The point is returned as its place in ``touchable``.
    """
    i1 = touchable[q1]
    min_slope = _FLOAT_MAX
    q2 = -1
    search_to = length
    recalculate = 0
    q = q1 + 1
    while q < count:
        j = touchable[q]
        if j >= search_to:
            break
        d = F32(j - i1)
        slope = (cache[j] - v1) / d + k * d
        if slope < min_slope:
            min_slope = slope
            q2 = q
            recalculate = -3
        if recalculate == 0:  # the search limit, recomputed 3 points after each improvement
            # float32 quotients, the rest in double (numba's float() of a float32 stays float32)
            b = np.float64(F32(0.5) * min_slope / k)
            reach = java_int(b + np.sqrt(b * b + np.float64((v1 - min_value) / k)) + 1.0)
            max_search = i1 + reach
            if max_search > _INT_MAX:
                max_search -= 2 * (_INT_MAX + 1)  # Java's int overflow
            if max_search < search_to and max_search > 0:
                search_to = max_search
        q += 1
        recalculate += 1
    if q2 < 0:  # ImageJ would search forever: end the line with the smallest slope
        min_slope = F32(np.inf)
        for q in range(q1 + 1, count):
            j = touchable[q]
            d = F32(j - i1)
            slope = (cache[j] - v1) / d + k * d
            if slope < min_slope:
                min_slope = slope
        q2 = count - 1
    return q2, min_slope


@jit
def _slide_rows(lines: np.ndarray, lengths: np.ndarray, k: np.float32, first: np.ndarray,
                last: np.ndarray) -> None:
    """`slide_line` on every row of ``lines`` (in place), over its first ``lengths`` points."""
    rows, cols = lines.shape
    flat = lines.reshape(rows * cols)
    cache, touchable = work_arrays(cols)
    for r in range(rows):
        f, la = slide_line(flat, r * cols, 1, lengths[r], k, cache, touchable)
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
