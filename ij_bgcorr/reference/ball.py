"""The rolling ball of ImageJ 1.x's ``Subtract Background...`` on one float32 plane.

For radii above 10 pixels the image is first shrunk by a factor 2 (radius <= 30),
4 (<= 100) or 8, every shrunken pixel being the minimum of its block; a ball of
radius ``radius / factor`` whose rim is trimmed (by 24 %, 32 % or 40 % of that
radius) is rolled under the shrunken image, and the result is interpolated back
to full size with bilinear interpolation between shrunken pixel centres (linear
extrapolation at the borders). Rolling the ball is a grey-level opening whose
structuring element is the square grid of ball heights; the ball centre also
visits positions up to its half-width outside the image, the image being
ignored outside its bounds. All arithmetic is float32, as in ImageJ 1.53t.
"""

from __future__ import annotations

import numpy as np

from ij_bgcorr.options import ball_geometry
from ij_bgcorr.reference.parabola import jit
from ij_bgcorr.reference.workers import run_dealt

F32 = np.float32


def ball_parameters(radius: float) -> tuple[int, np.ndarray]:
    """Shrink factor and ball heights for a ball of ``radius`` pixels.

    The ball lives on the shrunken grid: its radius there is ``radius / factor``
    (at least 1). Its rim is trimmed so that its half-width is
    ``round(r - trim)``; grid points outside the sphere have height 0.

    Parameters
    ----------
    radius : float
        Ball radius in pixels of the full-size image, > 0.

    Returns
    -------
    factor : int
        The shrink factor: 1, 2, 4 or 8.
    heights : numpy.ndarray of float32, shape (w, w), w odd
        The ball's height above each grid point of the shrunken image, in
        shrunken pixels.
    """
    factor, r, half = ball_geometry(radius)
    d = np.arange(-half, half + 1, dtype=np.float64)
    rest = r * r - d[:, None] ** 2 - d[None, :] ** 2
    heights = np.where(rest > 0, np.sqrt(np.maximum(rest, 0)), 0.0).astype(F32)
    return factor, heights


def shrink(plane: np.ndarray, factor: int) -> np.ndarray:
    """Minimum over ``factor`` x ``factor`` blocks (partial blocks at the far edges).

    Parameters
    ----------
    plane : numpy.ndarray of float32, shape (row, col)
        The image; NaN is ignored, as in ImageJ.
    factor : int
        Block side, in pixels.

    Returns
    -------
    numpy.ndarray of float32, shape (ceil(row / factor), ceil(col / factor))
        The shrunken image.
    """
    rows, cols = plane.shape
    small = np.empty((-(-rows // factor), -(-cols // factor)), dtype=F32)
    run_dealt(_shrink, np.ascontiguousarray(plane, dtype=F32), factor, small,
              items=small.shape[0], min_items=8)
    return small


@jit
def _shrink(plane: np.ndarray, factor: int, small: np.ndarray, worker: int,
            workers: int) -> None:
    """`shrink` of the shrunken rows ``worker``, ``worker + workers``, ...

    As numpy's ``fmin`` over the block padded with +inf: NaN is ignored, an
    all-NaN block gives NaN (+inf when it is a partial block).
    """
    rows, cols = plane.shape
    for sy in range(worker, small.shape[0], workers):
        for sx in range(small.shape[1]):
            low = np.float32(np.nan)
            y0, x0 = sy * factor, sx * factor
            if y0 + factor > rows or x0 + factor > cols:
                low = np.float32(np.inf)
            for y in range(y0, min(y0 + factor, rows)):
                for x in range(x0, min(x0 + factor, cols)):
                    v = plane[y, x]
                    if v < low or low != low:
                        low = v if v == v else low
            small[sy, sx] = low


def enlarge(small: np.ndarray, shape: tuple[int, int], factor: int) -> np.ndarray:
    """Bilinear interpolation of the shrunken background back to ``shape``.

    A shrunken image of a single row is interpolated as ImageJ 1.53t does: between
    a row of zeros (index -1) and that row, with the weights extrapolated.

    Parameters
    ----------
    small : numpy.ndarray of float32, shape (srow, scol), scol >= 2
        The shrunken background (`shrink`'s grid).
    shape : tuple of int
        The full-size (row, col) shape.
    factor : int
        The shrink factor `small` was made with.

    Returns
    -------
    numpy.ndarray of float32, shape ``shape``
        The background at full size.
    """
    xi, xw = _interpolation(shape[1], small.shape[1], factor)
    yi, yw = _interpolation(shape[0], small.shape[0], factor)
    rows = small[:, xi] * xw + small[:, xi + 1] * (F32(1) - xw)
    if small.shape[0] == 1:
        rows = np.vstack([np.zeros_like(rows), rows])
        yi = yi + 1
    out = np.empty(shape, dtype=F32)
    run_dealt(_blend_rows, np.ascontiguousarray(rows, dtype=F32), yi, yw, out,
              items=shape[0], min_items=64)
    return out


@jit
def _blend_rows(rows: np.ndarray, index: np.ndarray, weight: np.ndarray, out: np.ndarray,
                worker: int, workers: int) -> None:
    """Row y of ``out``: rows ``index[y]`` and the next, weighted ``weight[y]`` and the rest."""
    for y in range(worker, out.shape[0], workers):
        w = weight[y]
        rest = np.float32(1) - w
        upper, lower = rows[index[y]], rows[index[y] + 1]
        for x in range(out.shape[1]):
            out[y, x] = upper[x] * w + lower[x] * rest


def _interpolation(length: int, small_length: int, factor: int) -> tuple[np.ndarray, np.ndarray]:
    """Left shrunken index and its weight (float32) for every full-size index."""
    i = np.arange(length)
    centred = i - factor // 2
    index = np.where(centred >= 0, centred // factor, 0)  # division truncating towards 0
    index = np.minimum(index, small_length - 2)
    distance = (i.astype(F32) + F32(0.5)) / F32(factor) - (index.astype(F32) + F32(0.5))
    return index, (F32(1) - distance).astype(F32)


def roll_ball(plane: np.ndarray, heights: np.ndarray) -> np.ndarray:
    """Top surface of the ball rolled under ``plane`` (a grey opening).

    Erosion (highest ball position at each centre) over centres up to the ball's
    half-width outside the image, then dilation (upper envelope of the balls).

    Parameters
    ----------
    plane : numpy.ndarray of float32, shape (row, col)
        The (possibly shrunken) image; NaN is ignored, as in ImageJ.
    heights : numpy.ndarray of float32, shape (w, w), w odd
        The ball, from `ball_parameters`.

    Returns
    -------
    numpy.ndarray of float32, shape (row, col)
        The background. As in ImageJ 1.53t (``rollBall``), each ball height
        starts at the float maximum, 3.4e38, and each background pixel at its
        negative: where only NaN is in reach the background is 3.4e38, where
        the ball sinks to -inf everywhere in reach it is -3.4e38, not -inf.
    """
    half = heights.shape[0] // 2
    rows, cols = plane.shape
    # Image padded by 2 half-widths of +inf: erosion for every extended centre.
    padded = np.full((rows + 4 * half, cols + 4 * half), np.inf, dtype=F32)
    padded[2 * half:2 * half + rows, 2 * half:2 * half + cols] = plane
    eroded = np.full((rows + 2 * half, cols + 2 * half), np.finfo(F32).max, dtype=F32)
    surface = np.full((rows, cols), -np.finfo(F32).max, dtype=F32)
    for source, target, lowest in ((padded, eroded, True), (eroded, surface, False)):
        run_dealt(_envelope, source, heights, target, lowest,
                  items=-(-target.shape[0] // _BAND), min_items=2)
    return surface


_BAND = 32  # rows of a work item: a band and the ball's rows below it stay in cache


@jit
def _envelope(source: np.ndarray, heights: np.ndarray, target: np.ndarray, lowest: bool,
              worker: int, workers: int) -> None:
    """Lower (``lowest``: min of source - ball) or upper (max of source + ball) envelope.

    ``target[r, c]`` is lowered (raised) to every ``source[r + dy, c + dx] ∓
    heights[dy, dx]``, NaN ignored, for the bands of `_BAND` rows of this worker.
    """
    width = heights.shape[0]
    rows, cols = target.shape
    for band in range(worker, -(-rows // _BAND), workers):
        for dy in range(width):
            for dx in range(width):
                h = heights[dy, dx]
                for r in range(band * _BAND, min((band + 1) * _BAND, rows)):
                    src, dst = source[r + dy], target[r]
                    if lowest:
                        for c in range(cols):
                            t = src[c + dx] - h
                            dst[c] = t if t < dst[c] else dst[c]
                    else:
                        for c in range(cols):
                            t = src[c + dx] + h
                            dst[c] = t if t > dst[c] else dst[c]


def ball_background(plane: np.ndarray, radius: float) -> np.ndarray:
    """Rolling-ball background of a plane with a dark background.

    Parameters
    ----------
    plane : numpy.ndarray of float32, shape (row, col)
        The image the background is estimated from (already smoothed, if it is to be).
    radius : float
        Ball radius in pixels, > 0.

    Returns
    -------
    numpy.ndarray of float32, shape (row, col)
        The background: shrunk, rolled and enlarged again for radii above 10.
    """
    factor, heights = ball_parameters(radius)
    if factor == 1:
        return roll_ball(plane, heights)
    small = roll_ball(shrink(plane, factor), heights)
    return enlarge(small, plane.shape, factor)
