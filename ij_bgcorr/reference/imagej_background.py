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
* Sliding paraboloid (see ``ij_bgcorr.reference.paraboloid``): a parabola of curvature
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
  is ImageJ's float maximum, 3.4e38; where only -inf is, -3.4e38, the
  background's starting value in ImageJ's ``rollBall``, which the bilinear
  enlargement can then spread as huge finite values). In ImageJ 1.53t's
  sliding paraboloid, smoothing's 3x3 maximum spreads NaN over the whole
  image, and so it does here; without smoothing, lines with NaN or infinite
  values can make ImageJ loop forever, while this one returns (see
  ``ij_bgcorr.reference.paraboloid``).

All arithmetic is single precision, as in ImageJ, so that 8- and 16-bit results
round the same way.

The pieces live in their own modules: the ball in ``ij_bgcorr.reference.ball``,
the 3x3 filters in ``ij_bgcorr.reference.smoothing``, the colour conversions in
``ij_bgcorr.reference.hsb``; this module corrects planes and images with them,
the options travelling as one `ij_bgcorr.options.BackgroundOptions`. The public
function is `ij_bgcorr.reference.subtract_background` (``kind="imagej"``, the
default).

Conventions: radii in pixels; the last two axes are (row, col), leading axes are
independent planes; RGB images are uint8 with a trailing axis of 3 colours.
"""

from __future__ import annotations

import numpy as np

from ij_bgcorr.errors import CommandError
from ij_bgcorr.image.layout import map_planes, read_image
from ij_bgcorr.options import BackgroundOptions, imagej_fails
from ij_bgcorr.reference.ball import ball_background
from ij_bgcorr.reference.hsb import hsb_to_rgb, rgb_to_hsb
from ij_bgcorr.reference.paraboloid import sliding_paraboloid_background
from ij_bgcorr.reference.results import Image
from ij_bgcorr.reference.smoothing import max3x3, mean3x3

F32 = np.float32
_INTEGER_MAX = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}


def correct_image(image: Image, options: BackgroundOptions) -> Image:
    """``Subtract Background...`` with ``options`` on every plane of ``image``.

    Parameters
    ----------
    image : numpy.ndarray or xarray.DataArray
        As for `ij_bgcorr.reference.subtract_background`.
    options : BackgroundOptions
        The command's options, checked on construction.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        As for `ij_bgcorr.reference.subtract_background`.

    Raises
    ------
    CommandError
        When ``options.separate`` is set for an image that is not RGB.
    """
    canonical, layout = read_image(image)
    rgb = bool(canonical.attrs.get("rgb"))
    if options.separate and not rgb:
        raise CommandError("separate=True (separate colours) applies to RGB images only")
    # Infinite, NaN or huge 32-bit values give infinite or NaN results, silently, as in ImageJ
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if rgb:
            out = map_planes(canonical, lambda p: correct_rgb_plane(p, options), rgb_planes=True)
        else:
            out = map_planes(canonical, lambda p: correct_plane(p, options))
    text = f"ij_bgcorr.reference.subtract_background({options.describe()}, kind='imagej')"
    return layout.restore(canonical.copy(data=out), {"reference": text})


def correct_plane(plane: np.ndarray, options: BackgroundOptions) -> np.ndarray:
    """Subtract Background on one grey plane.

    8- and 16-bit results are truncated after adding 0.5 and clipped to the
    type's range; with a light background the subtraction adds the type's
    maximum so that the background becomes white. 32-bit results are
    ``image - background``. When ImageJ 1.53t's rolling ball fails (see
    `ij_bgcorr.options.imagej_fails`) the plane comes back unchanged.

    Parameters
    ----------
    plane : numpy.ndarray, shape (row, col)
        uint8, uint16 or float32 pixels.
    options : BackgroundOptions
        The command's options (``separate`` is not used).

    Returns
    -------
    numpy.ndarray, shape (row, col)
        The corrected plane, or its background with ``create_background``;
        dtype of ``plane``.
    """
    if not options.sliding and imagej_fails(plane.shape, options.rolling):
        return plane.copy()
    values = plane.astype(F32)
    bg = background(values, options)
    if plane.dtype == np.float32:
        return bg if options.create_background else (values - bg).astype(F32)
    top = F32(_INTEGER_MAX[plane.dtype])
    if options.create_background:
        result = bg + F32(0.5)
    else:
        result = values - bg + (top + F32(0.5) if options.light_background else F32(0.5))
    return np.clip(result, 0, top).astype(plane.dtype)


def correct_rgb_plane(rgb: np.ndarray, options: BackgroundOptions) -> np.ndarray:
    """Subtract Background on one colour plane.

    With ``separate`` each channel is corrected as an 8-bit image; otherwise the
    plane is converted to hue, saturation and brightness (each quantised to 8
    bits), the brightness corrected, and converted back.

    Parameters
    ----------
    rgb : numpy.ndarray of uint8, shape (row, col, 3)
        Red, green, blue.
    options : BackgroundOptions
        The command's options.

    Returns
    -------
    numpy.ndarray of uint8, shape (row, col, 3)
        The corrected colours (or the background's, with ``create_background``).
    """
    if not options.sliding and imagej_fails(rgb.shape[:2], options.rolling):
        return rgb.copy()
    if options.separate:
        return np.stack([correct_plane(rgb[..., ch], options) for ch in range(3)], axis=-1)
    hsb = rgb_to_hsb(rgb)
    quantised = (hsb.astype(np.float64) * 255.0).astype(np.int32).astype(np.uint8)
    quantised[..., 2] = correct_plane(quantised[..., 2], options)
    return hsb_to_rgb((quantised.astype(np.float64) / 255.0).astype(F32))


def background(plane: np.ndarray, options: BackgroundOptions) -> np.ndarray:
    """Estimate the background of one plane, as ``Subtract Background...`` does.

    A light background is negated, estimated as a dark one, and negated back.
    Unless ``disable_smoothing``, the image is first smoothed with a 3x3 mean;
    for the sliding paraboloid a 3x3 maximum precedes the mean and the
    background is lowered by the mean rise the maximum caused.

    Parameters
    ----------
    plane : numpy.ndarray of float32, shape (row, col)
        The image, in its own value units.
    options : BackgroundOptions
        The command's options (``rolling``, ``light_background``, ``sliding``
        and ``disable_smoothing`` are used).

    Returns
    -------
    numpy.ndarray of float32, shape (row, col)
        The background.
    """
    data = -plane if options.light_background else plane
    smooth = not options.disable_smoothing
    if options.sliding and smooth:
        data, shift = max3x3(data)
        bg = sliding_paraboloid_background(mean3x3(data), options.rolling) - F32(shift)
    elif options.sliding:
        bg = sliding_paraboloid_background(data, options.rolling)
    else:
        work = mean3x3(data) if smooth else data
        bg = ball_background(work, options.rolling)
    return -bg if options.light_background else bg
