"""ImageJ 1.x ``Process > Subtract Background...`` in numpy.

Rolling ball (Sternberg 1983) and sliding paraboloid background subtraction,
reproducing the numbers of ImageJ 1.53t's command:

* Rolling ball. For radii above 10 pixels the image is first shrunk by a factor
  2 (radius <= 30), 4 (<= 100) or 8, every shrunken pixel being the minimum of
  its block; a ball of radius ``radius / factor`` whose rim is trimmed (by 24 %,
  32 % or 40 % of that radius) is rolled under the shrunken image, and the
  result is interpolated back to full size with bilinear interpolation between
  shrunken pixel centres (linear extrapolation at the borders). Rolling the
  ball is a grey-level opening whose structuring element is the square grid
  of ball heights; the ball centre also visits positions up to its half-width
  outside the image, the image being ignored outside its bounds.
* Sliding paraboloid (see ``ij_bgcorr.paraboloid``): a parabola of curvature
  ``1 / radius`` is slid from below along rows, columns and diagonals, after
  the corners have been lowered to estimates from the edges and diagonals
  through them. With smoothing, a 3x3 maximum precedes the 3x3 mean and the
  background is lowered by the mean rise the maximum caused.
* Pre-smoothing (unless ``disable_smoothing``): a 3x3 mean (edge pixels
  repeated) of the image the background is estimated from; the background is
  subtracted from the original, unsmoothed image.
* Light background: the image is negated, processed, and negated back.
* 8- and 16-bit results are truncated after adding 0.5 and clipped to the type's
  range; with light background the subtraction adds the type's maximum so the
  background becomes white. 32-bit results are ``image - background``.
* RGB: with ``separate`` each channel is corrected as an 8-bit image;
  otherwise the image is converted to hue, saturation and brightness (each
  quantised to 8 bits), the brightness corrected, and converted back.

* NaN (32-bit): the rolling ball passes over NaN pixels as ImageJ does (they
  stay NaN in the corrected image; where only NaN is in reach, the background
  is ImageJ's float maximum, 3.4e38). In ImageJ 1.53t's sliding paraboloid,
  smoothing's 3x3 maximum spreads NaN over the whole image, and so it does
  here; without smoothing, lines with NaN or infinite values can make ImageJ
  loop forever, while this one returns (see ``ij_bgcorr.paraboloid``).

All arithmetic is single precision, as in ImageJ, so that 8- and 16-bit results
round the same way.

Conventions: radii in pixels; the last two axes are (row, col), leading axes are
independent planes; RGB images are uint8 with a trailing axis of 3 colours.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from .layout import map_planes, read_image
from .paraboloid import sliding_paraboloid_background

Image = np.ndarray | xr.DataArray

F32 = np.float32
_THIRD = F32(0.33333333)
_INTEGER_MAX = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}


# --------------------------------------------------------------------------- ball


def ball_parameters(radius: float) -> tuple[int, np.ndarray]:
    """Shrink factor and ball heights (float32, square, odd width) for ``radius`` pixels.

    The ball lives on the shrunken grid: its radius there is ``radius / factor``
    (at least 1). Its rim is trimmed so that its half-width is
    ``round(r - trim)``; grid points outside the sphere have height 0.
    """
    if radius <= 10:
        factor, trim_percent = 1, 24
    elif radius <= 30:
        factor, trim_percent = 2, 24
    elif radius <= 100:
        factor, trim_percent = 4, 32
    else:
        factor, trim_percent = 8, 40
    r = max(radius / factor, 1.0)
    trim = int(trim_percent * r) // 100
    half = int(math.floor(r - trim + 0.5))
    d = np.arange(-half, half + 1, dtype=np.float64)
    rest = r * r - d[:, None] ** 2 - d[None, :] ** 2
    heights = np.where(rest > 0, np.sqrt(np.maximum(rest, 0)), 0.0).astype(F32)
    return factor, heights


def shrink(plane: np.ndarray, factor: int) -> np.ndarray:
    """Minimum over ``factor`` x ``factor`` blocks (partial blocks at the far edges)."""
    rows, cols = plane.shape
    srows, scols = -(-rows // factor), -(-cols // factor)
    padded = np.full((srows * factor, scols * factor), np.inf, dtype=F32)
    padded[:rows, :cols] = plane
    blocks = padded.reshape(srows, factor, scols, factor)
    return np.fmin.reduce(blocks, axis=(1, 3))  # NaN ignored, as in ImageJ


def _interpolation(length: int, small_length: int, factor: int) -> tuple[np.ndarray, np.ndarray]:
    """Left shrunken index and its weight (float32) for every full-size index."""
    i = np.arange(length)
    centred = i - factor // 2
    index = np.where(centred >= 0, centred // factor, 0)  # division truncating towards 0
    index = np.minimum(index, small_length - 2)
    distance = (i.astype(F32) + F32(0.5)) / F32(factor) - (index.astype(F32) + F32(0.5))
    return index, (F32(1) - distance).astype(F32)


def enlarge(small: np.ndarray, shape: tuple[int, int], factor: int) -> np.ndarray:
    """Bilinear interpolation of the shrunken background back to ``shape`` (float32).

    A shrunken image of a single row is interpolated as ImageJ 1.53t does: between
    a row of zeros (index -1) and that row, with the weights extrapolated.
    """
    xi, xw = _interpolation(shape[1], small.shape[1], factor)
    yi, yw = _interpolation(shape[0], small.shape[0], factor)
    rows = small[:, xi] * xw + small[:, xi + 1] * (F32(1) - xw)
    if small.shape[0] == 1:
        rows = np.vstack([np.zeros_like(rows), rows])
        yi = yi + 1
    wy = yw[:, None]
    return rows[yi] * wy + rows[yi + 1] * (F32(1) - wy)


def roll_ball(plane: np.ndarray, heights: np.ndarray) -> np.ndarray:
    """Top surface of the ball rolled under ``plane`` (a grey opening), float32.

    Erosion (highest ball position at each centre) over centres up to the ball's
    half-width outside the image, then dilation (upper envelope of the balls).
    """
    half = heights.shape[0] // 2
    width = heights.shape[0]
    rows, cols = plane.shape
    # Image padded by 2 half-widths of +inf: erosion for every extended centre.
    padded = np.full((rows + 4 * half, cols + 4 * half), np.inf, dtype=F32)
    padded[2 * half:2 * half + rows, 2 * half:2 * half + cols] = plane
    erows, ecols = rows + 2 * half, cols + 2 * half
    eroded = np.full((erows, ecols), np.finfo(F32).max, dtype=F32)  # NaN ignored, as in ImageJ
    tmp = np.empty_like(eroded)
    for dy in range(width):
        for dx in range(width):
            np.subtract(padded[dy:dy + erows, dx:dx + ecols], heights[dy, dx], out=tmp)
            np.fmin(eroded, tmp, out=eroded)
    surface = np.full((rows, cols), -np.inf, dtype=F32)
    tmp = np.empty_like(surface)
    for dy in range(width):
        for dx in range(width):
            np.add(eroded[dy:dy + rows, dx:dx + cols], heights[dy, dx], out=tmp)
            np.fmax(surface, tmp, out=surface)
    return surface


def mean3x3(plane: np.ndarray) -> np.ndarray:
    """3x3 mean (rows first, then columns), edge pixels repeated, float32."""
    out = _mean3(plane, axis=1)
    return _mean3(out, axis=0)


def max3x3(plane: np.ndarray) -> tuple[np.ndarray, float]:
    """3x3 maximum (rows, then columns; edges repeated) and the mean rise it caused.

    The rise is the mean over pixels of (maximum - value) of the row pass plus
    that of the column pass.
    """
    rows = _max3(plane, axis=1)
    both = _max3(rows, axis=0)
    rise = np.mean(rows - plane, dtype=np.float64) + np.mean(both - rows, dtype=np.float64)
    return both, float(rise)


def _max3(plane: np.ndarray, axis: int) -> np.ndarray:
    """Maximum of 3 neighbours along ``axis``, edge pixels repeated."""
    p = np.moveaxis(plane, axis, 0)
    prev = np.concatenate([p[:1], p[:-1]])
    nxt = np.concatenate([p[1:], p[-1:]])
    return np.moveaxis(np.maximum(np.maximum(prev, p), nxt), 0, axis)


def _mean3(plane: np.ndarray, axis: int) -> np.ndarray:
    """Mean of 3 neighbours along ``axis``: (previous + this + next) * 0.33333333."""
    p = np.moveaxis(plane, axis, 0)
    if p.shape[0] == 1:
        out = (p + p + p) * _THIRD
    else:
        prev = np.concatenate([p[:1], p[:-1]])
        nxt = np.concatenate([p[1:], p[-1:]])
        out = (prev + p + nxt) * _THIRD
    return np.moveaxis(out.astype(F32), 0, axis)


def rolling_ball_background(plane: np.ndarray, radius: float) -> np.ndarray:
    """Rolling-ball background of a float32 plane (dark background), float32."""
    factor, heights = ball_parameters(radius)
    if factor == 1:
        return roll_ball(plane, heights)
    small = roll_ball(shrink(plane, factor), heights)
    return enlarge(small, plane.shape, factor)


# ---------------------------------------------------------------------- one plane


def imagej_fails(shape: tuple[int, ...], radius: float) -> bool:
    """True when ImageJ 1.53t's rolling ball fails and leaves the image unchanged.

    That happens when the image, shrunken for the ball, is a single column wide
    (``ceil(cols / factor) == 1`` with a shrink factor above 1).
    """
    factor, _ = ball_parameters(radius)
    return factor > 1 and -(-shape[-1] // factor) < 2


def background(
    plane: np.ndarray, radius: float, light: bool, sliding: bool, smooth: bool
) -> np.ndarray:
    """Background of one float32 plane (float32)."""
    data = -plane if light else plane
    if sliding and smooth:
        data, shift = max3x3(data)
        bg = sliding_paraboloid_background(mean3x3(data), radius) - F32(shift)
    elif sliding:
        bg = sliding_paraboloid_background(data, radius)
    else:
        work = mean3x3(data) if smooth else data
        bg = rolling_ball_background(work, radius)
    return -bg if light else bg


def correct_plane(
    plane: np.ndarray, radius: float, light: bool, sliding: bool, smooth: bool, create: bool
) -> np.ndarray:
    """Subtract Background on one 2-D plane of dtype uint8, uint16 or float32."""
    if not sliding and imagej_fails(plane.shape, radius):
        return plane.copy()
    values = plane.astype(F32)
    bg = background(values, radius, light, sliding, smooth)
    if plane.dtype == np.float32:
        return bg if create else (values - bg).astype(F32)
    top = F32(_INTEGER_MAX[plane.dtype])
    if create:
        result = bg + F32(0.5)
    else:
        result = values - bg + (top + F32(0.5) if light else F32(0.5))
    return np.clip(result, 0, top).astype(plane.dtype)


# --------------------------------------------------------------------------- RGB


def rgb_to_hsb(rgb: np.ndarray) -> np.ndarray:
    """uint8 (..., 3) RGB to hue, saturation, brightness (float32 in [0, 1], java.awt.Color's)."""
    c = rgb.astype(np.int32)
    r, g, b = c[..., 0], c[..., 1], c[..., 2]
    cmax, cmin = c.max(axis=-1), c.min(axis=-1)
    span = (cmax - cmin).astype(F32)
    bri = cmax.astype(F32) / F32(255)
    sat = np.where(cmax > 0, span / np.maximum(cmax, 1).astype(F32), F32(0)).astype(F32)
    safe = np.where(span > 0, span, F32(1))
    rc, gc, bc = ((cmax - x).astype(F32) / safe for x in (r, g, b))
    hue = np.where(r == cmax, bc - gc, np.where(g == cmax, F32(2) + rc - bc, F32(4) + gc - rc))
    hue = (hue.astype(F32) / F32(6)).astype(F32)
    hue = np.where(hue < 0, hue + F32(1), hue)
    hue = np.where(sat == 0, F32(0), hue)
    return np.stack([hue, sat, bri], axis=-1).astype(F32)


def hsb_to_rgb(hsb: np.ndarray) -> np.ndarray:
    """Hue, saturation, brightness (float32 in [0, 1]) to uint8 RGB, as java.awt.Color does."""
    hue, sat, bri = (hsb[..., i].astype(F32) for i in range(3))
    h = (hue - np.floor(hue)).astype(F32) * F32(6)
    f = (h - np.floor(h)).astype(F32)
    one = F32(1)
    p = bri * (one - sat)
    q = bri * (one - sat * f)
    t = bri * (one - sat * (one - f))
    sector = h.astype(np.int32)
    choices = [(bri, t, p), (q, bri, p), (p, bri, t), (p, q, bri), (t, p, bri), (bri, p, q)]
    out = np.empty(hue.shape + (3,), dtype=np.uint8)
    for ch in range(3):
        value = np.select([sector == k for k in range(6)], [c[ch] for c in choices], bri)
        value = np.where(sat == 0, bri, value)
        out[..., ch] = (value.astype(F32) * F32(255) + F32(0.5)).astype(np.int32)
    return out


def correct_rgb_plane(
    rgb: np.ndarray, radius: float, light: bool, sliding: bool, smooth: bool, create: bool,
    separate: bool,
) -> np.ndarray:
    """Subtract Background on one uint8 (row, col, 3) RGB plane."""
    if not sliding and imagej_fails(rgb.shape[:2], radius):
        return rgb.copy()
    if separate:
        channels = [correct_plane(rgb[..., ch], radius, light=light, sliding=sliding,
                                  smooth=smooth, create=create)
                    for ch in range(3)]
        return np.stack(channels, axis=-1)
    hsb = rgb_to_hsb(rgb)
    quantised = (hsb.astype(np.float64) * 255.0).astype(np.int32).astype(np.uint8)
    quantised[..., 2] = correct_plane(quantised[..., 2], radius, light=light, sliding=sliding,
                                      smooth=smooth, create=create)
    return hsb_to_rgb((quantised.astype(np.float64) / 255.0).astype(F32))


# ------------------------------------------------------------------------ public


def subtract_background(
    img: Image,
    rolling: float = 50,
    light_background: bool = False,
    sliding: bool = False,
    disable_smoothing: bool = False,
    create_background: bool = False,
    separate: bool = False,
) -> Image:
    """ImageJ's ``Process > Subtract Background...`` on every plane of ``img``.

    Args:
        img: an image under the package's image contract (`ij_bgcorr.layout`):
            a DataArray by its dim names, every (row, col) plane of every time
            point, z plane and channel corrected on its own, as ImageJ's
            ``stack`` option does; a numpy array as ``(row, col)``,
            ``(pln, row, col)``, ... RGB is a DataArray marked
            ``attrs["rgb"]`` (see ``ij_bgcorr.as_image(..., rgb=True)``),
            corrected as ImageJ corrects colour images.
        rolling: radius of the rolling ball (or of the paraboloid's curvature),
            in pixels, > 0.
        light_background: the background is brighter than the objects.
        sliding: use a sliding paraboloid instead of the rolling ball.
        disable_smoothing: skip the 3x3 mean of the image before estimating the
            background.
        create_background: return the background instead of the corrected image.
        separate: for RGB images, correct each colour separately instead of
            the brightness only.

    Returns:
        Same type, shape and dtype as ``img`` (a new array; ``img`` is not modified).
        A DataArray keeps its dims order, coords, name and attrs, plus
        ``attrs["reference"]``.
    """
    image, layout = read_image(img)
    rgb = bool(image.attrs.get("rgb"))
    _check(image, rolling, separate, rgb)
    options = {"radius": float(rolling), "light": light_background, "sliding": sliding,
               "smooth": not disable_smoothing, "create": create_background}
    # Infinite, NaN or huge 32-bit values give infinite or NaN results, silently, as in ImageJ
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if rgb:
            out = map_planes(image, lambda p: correct_rgb_plane(p, separate=separate, **options),
                             rgb_planes=True)
        else:
            out = map_planes(image, lambda p: correct_plane(p, **options))
    text = (f"ij_bgcorr.rolling_ball.subtract_background(rolling={rolling}, "
            f"light_background={light_background}, sliding={sliding}, "
            f"disable_smoothing={disable_smoothing}, create_background={create_background}, "
            f"separate={separate})")
    return layout.restore(image.copy(data=out), {"reference": text})


def _check(image: xr.DataArray, rolling: float, separate: bool, rgb: bool) -> None:
    """Raise ValueError for unsupported options."""
    if not np.isfinite(rolling) or rolling <= 0:
        raise ValueError(f"rolling (the ball radius in pixels) must be > 0, got {rolling}")
    if separate and not rgb:
        raise ValueError("separate=True (separate colours) applies to RGB images only")
