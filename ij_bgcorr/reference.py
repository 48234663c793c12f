"""Reference implementations of the steps of the NEUBIAS lesson "Local background
correction", written with numpy, SciPy and scikit-image.

Most steps come in two kinds, chosen by a keyword:

* the lesson's own Python code (scikit-image), as a learner would run it, and
* an ImageJ-matched kind that computes what ImageJ 1.x computes, so that a result
  from Fiji can be checked pixel for pixel.

The two kinds differ for three reasons:

* Kernel shape. ``skimage.morphology.disk(r)`` holds the offsets with
  dx² + dy² <= r². ImageJ's rank filters (``Median...``, ``Minimum...``,
  ``Maximum...``) hold those with dx² + dy² <= int(r²) + 1, so at r = 1 ImageJ
  uses the full 3x3 square where ``disk(1)`` is a 5-pixel cross (see
  `imagej_kernel`).
* Border handling. ImageJ reads pixels outside the image as the nearest edge
  pixel. ``skimage.filters.median`` does the same (its default ``mode`` is
  ``'nearest'``), but the grey morphology behind ``white_tophat`` defaults to
  ``mode='reflect'``.
* Algorithm. ImageJ's ``Subtract Background...`` shrinks the image, rolls a
  trimmed ball and smooths; ``skimage.restoration.rolling_ball`` does none of it.

Conventions shared by every function:

* Radii are in pixels.
* Images follow the package's one image contract (`ij_bgcorr.layout`): a
  DataArray by its dim names in any order, every (row, col) plane of every
  time point, z plane and channel filtered as ImageJ filters a hyperstack; a
  numpy array as ``(row, col)``, ``(pln, row, col)``, ``(t, pln, row, col)``
  or ``(t, pln, row, col, ch)``.
* Pixel types are ImageJ's: uint8, uint16 and float32; others are converted
  with a warning saying what changed, as the engine converts them.
* A numpy array gives a numpy array of its shape. A DataArray gives a
  DataArray with its dims order, coords, name and attrs, plus
  ``attrs["reference"]`` describing the call.
* The input is never modified.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import xarray as xr
from scipy import ndimage as ndi
from skimage import filters, morphology, restoration, util

from .images import DIM_ALIASES
from .layout import Layout, map_planes, read_image

Image = np.ndarray | xr.DataArray


# ImageJ's "projection=[...]" names for the methods of `z_project`.
PROJECTIONS = {
    "avg": "Average Intensity",
    "max": "Max Intensity",
    "min": "Min Intensity",
    "sum": "Sum Slices",
    "sd": "Standard Deviation",
    "median": "Median",
}

# Rank filters cost about one histogram bin per pixel and grey level, ndimage's
# median about one step per pixel and kernel element; measured on this project's
# machines the rank filter wins while levels <= 32 * kernel size.
_RANK_LEVELS_PER_KERNEL_PIXEL = 32
_WORKERS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def imagej_kernel(radius: float) -> np.ndarray:
    """Circular kernel of ImageJ 1.x's rank filters (Median, Minimum, Maximum).

    ImageJ (``RankFilters.makeLineRadii``) first moves radii in [1.5, 1.75) to 1.75
    and radii in [2.5, 2.85) to 2.85, then keeps every integer offset (dx, dy)
    with dx² + dy² <= int(r²) + 1. The kernel's half-width is isqrt(int(r²) + 1).

    Args:
        radius: kernel radius in pixels, > 0.

    Returns:
        A square boolean array of odd side, True on the kernel's pixels. It
        always has an odd number of pixels (it is point-symmetric around its
        centre), so a median over it is one of the pixel values.
    """
    radius = _check_radius(radius)
    if 1.5 <= radius < 1.75:
        radius = 1.75
    elif 2.5 <= radius < 2.85:
        radius = 2.85
    r2 = int(radius * radius) + 1
    half = math.isqrt(r2)
    dy, dx = np.ogrid[-half : half + 1, -half : half + 1]
    return dx * dx + dy * dy <= r2


def median(img: Image, radius: float, kernel: str = "imagej") -> Image:
    """Median filter, as ImageJ's ``Median...`` or as the lesson's scikit-image code.

    Args:
        img: image with (row, col) as last axes; uint8, uint16 or float32.
        radius: in pixels, > 0. For ``kernel="disk"`` a whole number.
        kernel: ``"imagej"`` reproduces ImageJ 1.x ``run("Median...",
            "radius=R")``: the kernel of `imagej_kernel`, pixels outside the image
            read as the nearest edge pixel. Checked equal, pixel for pixel, to
            ImageJ 1.53t on random uint8, uint16 and float32 images for radii
            0.3 to 50, also on images smaller than the kernel.
            ``"disk"`` is the lesson's ``skimage.filters.median(img,
            skimage.morphology.disk(r))``; scikit-image 0.26's default border
            mode there is ``'nearest'`` too, so only the kernel differs.

    Returns:
        The filtered image, same shape and dtype as ``img``.

    Float images holding NaN are outside what the ImageJ kind reproduces: ImageJ
    uses a NaN-aware median there, this function sorts NaN above every number.
    """
    image, layout = read_image(img)
    if kernel == "imagej":
        footprint = imagej_kernel(radius)
        out = map_planes(image, lambda plane: _imagej_median(plane, footprint))
        text = (
            f'ImageJ run("Median...", "radius={radius}"): '
            f"{footprint.sum()}-pixel kernel, nearest-edge border"
        )
    elif kernel == "disk":
        disk = morphology.disk(_whole(radius))
        out = map_planes(image, lambda plane: filters.median(plane, disk))
        text = f"skimage.filters.median(img, skimage.morphology.disk({_whole(radius)}))"
    else:
        raise ValueError(f"unknown kernel {kernel!r}; use 'imagej' or 'disk'")
    return _result(out, image, layout, text)


def subtract(a: Image, b: Image, kind: str = "imagej") -> Image:
    """Difference a - b of two images of the same shape.

    Args:
        a, b: images of equal shape; uint8, uint16 or float32.
        kind: ``"imagej"`` is ImageJ's ``imageCalculator("Subtract create
            32-bit", a, b)``: both converted to float32, then subtracted, so the
            result can be negative and nothing wraps. ``"lesson"`` is the
            lesson's ``a.astype(np.int16) - b.astype(np.int16)``: exact for
            8-bit images, but a uint16 value above 32767 wraps to a negative
            number when cast, and a difference outside -32768..32767 wraps too.

    Returns:
        float32 (``"imagej"``) or int16 (``"lesson"``) array of the common shape;
        a DataArray when ``a`` is one (``b`` may be either).
    """
    image_a, layout = read_image(a)
    image_b, _ = read_image(b)
    if dict(image_a.sizes) != dict(image_b.sizes):
        raise ValueError(f"a and b differ in shape: a {dict(image_a.sizes)}, "
                         f"b {dict(image_b.sizes)}")
    arr_a, arr_b = image_a.values, image_b.values
    if kind == "imagej":
        out = arr_a.astype(np.float32) - arr_b.astype(np.float32)
        text = 'ImageJ imageCalculator("Subtract create 32-bit", a, b): float32(a) - float32(b)'
    elif kind == "lesson":
        out = arr_a.astype(np.int16) - arr_b.astype(np.int16)
        text = "a.astype(np.int16) - b.astype(np.int16)"
    else:
        raise ValueError(f"unknown kind {kind!r}; use 'imagej' or 'lesson'")
    return _result(out, image_a, layout, text)


def z_project(img: Image, method: str = "max", axis: int | str | None = None) -> Image:
    """Projection along a stack axis, computed as ImageJ 1.x's ``Z Project...``.

    Args:
        img: a stack with more than one ``pln`` or ``t`` plane; uint8, uint16
            or float32.
        method: one of ``avg``, ``max``, ``min``, ``sum``, ``sd``, ``median``
            (ImageJ's ``ZProjector.run(imp, method)`` names).
        axis: the dim to project along, ``"pln"`` or ``"t"`` (or an index
            into the input's dims); by default ``pln``, or ``t`` for a time
            series without z planes, as the engine's ``z_project``.

    Returns:
        The projection, with ``axis`` removed. Dtypes and arithmetic follow
        ImageJ 1.53t, checked against it on random stacks:

        * ``max``, ``min``: input dtype. For float32, NaN is skipped (a pixel NaN
          in every slice gives NaN, where ImageJ gives -/+3.4e38).
        * ``avg``: uint8 and uint16 stay integer: the float32 sum divided by the
          slice count, rounded half up (``(short)(v + 0.5f)``). float32: mean in
          float64 of the non-NaN values, as ImageJ 1.54m (Fiji 2.14) computes
          it. (ImageJ 1.53t's float32 average leaves out the last slice, a bug
          not reproduced here.)
        * ``sum``: float32, accumulated slice by slice in float32.
        * ``sd``: float32 sample standard deviation (divisor n - 1) from float64
          sums, ``sqrt((n*S2 - S*S) / n / (n - 1))``; 0 where that is not > 0
          (also where a NaN is involved) and for a single slice.
        * ``median``: the middle value, or the float32 mean of the two middle
          values for an even count (NaN sorts last). uint8 gives uint8 (rounded
          half up), uint16 and float32 give float32.
    """
    image, layout = read_image(img)
    dim = _projection_dim(axis, image, layout)
    if method not in PROJECTIONS:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(PROJECTIONS)}")
    index = image.dims.index(dim)
    out = _PROJECT[method](np.moveaxis(image.values, index, 0))
    text = f'ImageJ run("Z Project...", "projection=[{PROJECTIONS[method]}]") along {dim!r}'
    projected = image.isel({dim: 0}, drop=True).copy(data=out)
    return layout.restore(projected, {"reference": text}, removed=(dim,))


def subtract_background(
    img: Image,
    rolling: float = 50,
    light_background: bool = False,
    sliding: bool = False,
    disable_smoothing: bool = False,
    create_background: bool = False,
    separate: bool = False,
    algorithm: str = "imagej",
) -> Image:
    """Rolling-ball background subtraction, as ImageJ computes it or as the lesson's skimage code.

    Args:
        img: image with (row, col) as last axes; uint8, uint16 or float32 (RGB:
            a DataArray marked ``attrs["rgb"]``, for ``algorithm="imagej"``).
        rolling: ball radius in pixels, > 0.
        light_background: objects darker than the background.
        sliding, disable_smoothing, create_background, separate: ImageJ's
            options (see `ij_bgcorr.rolling_ball.subtract_background`); only
            ``algorithm="imagej"`` takes them.
        algorithm: ``"imagej"`` reproduces ImageJ's ``Subtract Background...``
            (shrinking for large radii, trimmed ball, interpolation back, 3x3
            pre-smoothing, the sliding paraboloid with its corner correction):
            identical to ImageJ 1.53t (see `ij_bgcorr.rolling_ball`).
            ``"skimage"`` is the lesson's ``img -
            skimage.restoration.rolling_ball(img, radius=rolling)``, plane by
            plane; with ``light_background`` the image is inverted
            (``skimage.util.invert``), corrected, and inverted back, as in
            scikit-image's own example.

    Returns:
        The corrected image (or, with ``create_background``, the background),
        same shape and dtype as ``img``.
    """
    if algorithm == "imagej":
        from .rolling_ball import subtract_background as imagej_subtract_background

        return imagej_subtract_background(img, rolling, light_background, sliding,
                                          disable_smoothing, create_background, separate)
    if algorithm != "skimage":
        raise ValueError(f"unknown algorithm {algorithm!r}; use 'skimage' or 'imagej'")
    if sliding or disable_smoothing or separate:
        raise ValueError("sliding, disable_smoothing and separate are ImageJ options; "
                         "use algorithm='imagej' for them")
    image, layout = read_image(img)
    rolling = _check_radius(rolling, "rolling")

    def correct(plane: np.ndarray) -> np.ndarray:
        plane = util.invert(plane) if light_background else plane
        ball = restoration.rolling_ball(plane, radius=rolling)
        if create_background:
            return util.invert(ball) if light_background else ball
        corrected = plane - ball
        return util.invert(corrected) if light_background else corrected

    out = map_planes(image, correct)
    call = f"skimage.restoration.rolling_ball({{}}, radius={rolling})"
    text = call.format("img") if create_background else "img - " + call.format("img")
    if light_background:
        text = f"invert({'' if create_background else 'invert(img) - '}" \
               f"{call.format('invert(img)')})"
    return _result(out, image, layout, text)


def opening(img: Image, radius: float, kind: str = "lesson") -> Image:
    """Grey opening (minimum then maximum filter): the background of `tophat`.

    Args:
        img: image with (row, col) as last axes; uint8, uint16 or float32.
        radius: in pixels, > 0; a whole number for ``kind="lesson"``.
        kind: ``"lesson"`` is ``skimage.morphology.opening(img,
            skimage.morphology.disk(radius))`` (border mode ``'reflect'``).
            ``"imagej"`` is ImageJ's ``Minimum...`` then ``Maximum...`` with the
            same radius: the kernel of `imagej_kernel`, nearest-edge border
            (each filter checked equal to ImageJ 1.53t on random images).

    Returns:
        The opened image, same shape and dtype as ``img``.
    """
    image, layout = read_image(img)
    if kind == "lesson":
        disk = morphology.disk(_whole(radius))
        out = map_planes(image, lambda plane: morphology.opening(plane, disk))
        text = f"skimage.morphology.opening(img, skimage.morphology.disk({_whole(radius)}))"
    elif kind == "imagej":
        footprint = imagej_kernel(radius)
        out = map_planes(image, lambda plane: _imagej_opening(plane, footprint))
        text = (
            f'ImageJ run("Minimum...", "radius={radius}") then run("Maximum...", "radius={radius}")'
        )
    else:
        raise ValueError(f"unknown kind {kind!r}; use 'lesson' or 'imagej'")
    return _result(out, image, layout, text)


def tophat(img: Image, radius: float, kind: str = "lesson") -> Image:
    """White top-hat: the image minus its grey `opening` (the background).

    Args:
        img: image with (row, col) as last axes; uint8, uint16 or float32.
        radius: in pixels, > 0; a whole number for ``kind="lesson"``.
        kind: ``"lesson"`` is ``skimage.morphology.white_tophat(img,
            skimage.morphology.disk(radius))``, border mode ``'reflect'``.
            ``"imagej"`` is img minus ImageJ's ``Minimum...`` then ``Maximum...``
            (see `opening`), subtracted as ``Subtract create 32-bit``.

    Returns:
        Same dtype as ``img`` for ``"lesson"`` (the opening never exceeds the
        image, so nothing wraps); float32 for ``"imagej"``. Same shape.
    """
    image, layout = read_image(img)
    arr = image.values
    background = opening(image, radius, kind).values
    if kind == "lesson":  # white_tophat is exactly this difference
        out = arr - background
        text = f"skimage.morphology.white_tophat(img, skimage.morphology.disk({_whole(radius)}))"
    else:
        out = arr.astype(np.float32) - background.astype(np.float32)
        text = (
            f'float32(img) - float32(ImageJ run("Minimum...", "radius={radius}") '
            f'then run("Maximum...", "radius={radius}"))'
        )
    return _result(out, image, layout, text)


# --- ImageJ-matched filters ---------------------------------------------------


def _nearest_edge(
    filter_2d: Callable[[np.ndarray], np.ndarray], plane: np.ndarray, half: int
) -> np.ndarray:
    """Apply filter_2d with pixels outside ``plane`` read as the nearest edge pixel.

    The plane is padded by the kernel half-width with its edge values; the
    padded image is cut into overlapping horizontal stripes filtered in threads
    (the filters used here release the GIL), and the padding is cropped away.
    Inside the crop every kernel lies within its stripe, so how filter_2d treats
    its own borders does not matter.
    """
    padded = np.pad(plane, half, mode="edge")
    rows = plane.shape[0]
    bounds = np.linspace(0, rows, min(_WORKERS, rows) + 1).astype(int)

    def stripe(start: int, stop: int) -> np.ndarray:
        return filter_2d(padded[start : stop + 2 * half])[half:-half, half:-half]

    with ThreadPoolExecutor(len(bounds) - 1) as pool:
        return np.concatenate(list(pool.map(stripe, bounds[:-1], bounds[1:])))


def _imagej_median(plane: np.ndarray, footprint: np.ndarray) -> np.ndarray:
    """ImageJ's Median of one plane.

    A median is an order statistic, so it commutes with any increasing map of
    the grey levels. Each pixel is replaced by the rank of its value among the
    plane's distinct values; skimage's fast histogram (rank) filter runs on
    those ranks, and the ranks are mapped back. Planes with many distinct
    values for the kernel size go to ndimage's median instead. Both are exact.
    """
    half = footprint.shape[0] // 2
    values, ranks = _distinct_values(plane)
    if len(values) > _RANK_LEVELS_PER_KERNEL_PIXEL * footprint.sum():
        return _nearest_edge(lambda p: ndi.median_filter(p, footprint=footprint), plane, half)
    ranks = ranks.astype(np.uint8 if len(values) <= 256 else np.uint16)
    with warnings.catch_warnings():  # skimage warns about slowness above 1024 levels
        warnings.filterwarnings("ignore", message="Bad rank filter performance")
        return values[_nearest_edge(lambda p: filters.rank.median(p, footprint), ranks, half)]


def _distinct_values(plane: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values of ``plane`` and, per pixel, the index of its value."""
    if plane.dtype.kind == "u":  # a histogram is faster than sorting
        present = np.bincount(plane.ravel()) > 0
        return np.flatnonzero(present).astype(plane.dtype), (np.cumsum(present) - 1)[plane]
    values, ranks = np.unique(plane, return_inverse=True)
    return values, ranks.reshape(plane.shape)


def _imagej_opening(plane: np.ndarray, footprint: np.ndarray) -> np.ndarray:
    half = footprint.shape[0] // 2
    eroded = _nearest_edge(lambda p: ndi.minimum_filter(p, footprint=footprint), plane, half)
    return _nearest_edge(lambda p: ndi.maximum_filter(p, footprint=footprint), eroded, half)


# --- Z projections (stack axis first) -------------------------------------------


def _float32_sum(stack: np.ndarray) -> np.ndarray:
    total = np.zeros(stack.shape[1:], np.float32)
    for plane in stack:  # slice by slice, in float32, as ImageJ adds
        total += plane
    return total


def _avg(stack: np.ndarray) -> np.ndarray:
    if stack.dtype == np.float32:
        valid = ~np.isnan(stack)
        total = np.where(valid, stack, 0).sum(axis=0, dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (total / valid.sum(axis=0)).astype(np.float32)
    mean = _float32_sum(stack) / np.float32(len(stack))
    return np.floor(mean + np.float32(0.5)).astype(stack.dtype)


def _sd(stack: np.ndarray) -> np.ndarray:
    n = len(stack)
    total = np.zeros(stack.shape[1:])
    squares = np.zeros(stack.shape[1:])
    for plane in stack.astype(np.float64):
        total += plane
        squares += plane * plane
    if n < 2:
        return np.zeros(stack.shape[1:], np.float32)
    variance = (n * squares - total * total) / n
    with np.errstate(invalid="ignore"):
        return np.where(variance > 0, np.sqrt(np.abs(variance) / (n - 1)), 0).astype(np.float32)


def _median_projection(stack: np.ndarray) -> np.ndarray:
    ordered = np.sort(stack.astype(np.float32), axis=0)
    middle = len(stack) // 2
    if len(stack) % 2:
        out = ordered[middle]
    else:
        out = (ordered[middle - 1] + ordered[middle]) / np.float32(2)
    if stack.dtype == np.uint8:
        return np.floor(out + np.float32(0.5)).astype(np.uint8)
    return out


def _extreme(
    integer_reduce: np.ufunc, nan_skipping: np.ufunc
) -> Callable[[np.ndarray], np.ndarray]:
    def project(stack: np.ndarray) -> np.ndarray:
        reduce = nan_skipping if stack.dtype == np.float32 else integer_reduce
        return reduce.reduce(stack, axis=0)

    return project


_PROJECT: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "avg": _avg,
    "max": _extreme(np.maximum, np.fmax),
    "min": _extreme(np.minimum, np.fmin),
    "sum": _float32_sum,
    "sd": _sd,
    "median": _median_projection,
}


# --- input checks and output wrapping ---------------------------------------------


def _check_radius(radius: float, name: str = "radius") -> float:
    if isinstance(radius, bool) or not isinstance(radius, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number of pixels; got {radius!r}")
    if not math.isfinite(radius) or radius <= 0:
        raise ValueError(f"{name} must be > 0 pixels; got {radius}")
    return float(radius)


def _whole(radius: float) -> int:
    """``radius`` as an int, for ``skimage.morphology.disk``."""
    value = _check_radius(radius)
    if not value.is_integer():
        raise ValueError(
            f"radius must be a whole number of pixels for skimage's disk; got {radius}"
        )
    return int(value)


def _projection_dim(axis: int | str | None, image: xr.DataArray, layout: Layout) -> str:
    """The dim a projection runs along: ``pln`` or ``t``, named, indexed or by default."""
    if axis is None:
        name = "pln" if image.sizes.get("pln", 1) > 1 or "t" not in image.dims else "t"
    elif isinstance(axis, str):
        name = DIM_ALIASES.get(axis, axis)
    elif isinstance(axis, int | np.integer) and -len(layout.dims) <= axis < len(layout.dims):
        name = layout.dims[int(axis)]
    else:
        raise ValueError(f"axis {axis!r} is out of range for an image with dims {layout.dims}")
    if name not in ("pln", "t"):
        raise ValueError(f"a projection runs along 'pln' or 't', not {name!r} "
                         f"(the image's dims are {layout.dims})")
    if image.sizes.get(name, 1) < 2:
        raise ValueError(f"a projection along {name!r} needs more than one plane; the image has "
                         f"{image.sizes.get(name, 1)} (dims {layout.dims})")
    return name


def _result(out: np.ndarray, image: xr.DataArray, layout: Layout, text: str) -> Image:
    """``out`` (computed in ``image``'s canonical layout) in the input's layout."""
    return layout.restore(image.copy(data=out), {"reference": text})
