"""Rolling-ball background subtraction in both kinds: ImageJ's and the lesson's scikit-image."""

from __future__ import annotations

from functools import partial

import numpy as np
from skimage import restoration, util

from ij_bgcorr.errors import CommandError
from ij_bgcorr.image.layout import map_planes, read_image
from ij_bgcorr.options import DEFAULT_ROLLING, BackgroundOptions
from ij_bgcorr.reference.imagej_background import correct_image
from ij_bgcorr.reference.kinds import check_kind
from ij_bgcorr.reference.results import Image, in_layout, tile_by_tile
from ij_bgcorr.tiled import background_reach, is_lazy


def subtract_background(
    image: Image,
    rolling: float = DEFAULT_ROLLING,
    *,
    light_background: bool = False,
    sliding: bool = False,
    disable_smoothing: bool = False,
    create_background: bool = False,
    separate: bool = False,
    kind: str = "imagej",
) -> Image:
    """Rolling-ball background subtraction, as ImageJ computes it or as the lesson's code.

    Parameters
    ----------
    image : numpy.ndarray or xarray.DataArray
        Image under the package's image contract (`ij_bgcorr.image.layout`); uint8,
        uint16 or float32 (RGB, a uint8 DataArray marked ``attrs["rgb"]``: "imagej" only).
    rolling : float, default 50
        Ball radius in pixels, > 0.
    light_background : bool, default False
        Objects darker than the background.
    sliding, disable_smoothing, separate : bool, default False
        ImageJ's options (the sliding paraboloid, no 3x3 pre-smoothing, RGB
        colours corrected apart); only ``kind="imagej"`` takes them.
    create_background : bool, default False
        Return the background instead of the corrected image.
    kind : {"imagej", "lesson"}, default "imagej"
        ``"imagej"`` reproduces ImageJ's ``Subtract Background...`` (shrinking
        for large radii, trimmed ball, interpolation back, 3x3 pre-smoothing,
        the sliding paraboloid with its corner correction): identical to
        ImageJ 1.53t (see `ij_bgcorr.reference.imagej_background`).
        ``"lesson"`` is the lesson's ``img -
        skimage.restoration.rolling_ball(img, radius=rolling)``, plane by
        plane; with ``light_background`` the image is inverted
        (``skimage.util.invert``), corrected, and inverted back, as in
        scikit-image's own example.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        The corrected image (or, with ``create_background``, the background),
        same type, shape and dtype as ``image``. A Dask-backed DataArray gives a
        Dask-backed one, computed tile by tile, identical to the whole image's
        result (`ij_bgcorr.tiled`).

    Raises
    ------
    CommandError
        When ``rolling`` is not a finite number of pixels above 0, ``kind`` is
        unknown, ``separate`` is set for an image that is not RGB,
        ``kind="lesson"`` is asked for ImageJ's own options, or a Dask-backed
        image is asked for the sliding paraboloid (which cannot be tiled).

    Examples
    --------
    A square of 90 on a flat 30: found exactly without the 3x3 mean, softened with it:

    >>> from ij_bgcorr import data, reference
    >>> square = np.pad(np.full((3, 3), 90, dtype=np.uint8), 8, constant_values=30)
    >>> sharp = reference.subtract_background(square, 5, disable_smoothing=True)
    >>> int(sharp[9, 9]), int(reference.subtract_background(square, 5)[9, 9])
    (60, 59)
    >>> spots = data.load(data.SPOTS)
    >>> background = reference.subtract_background(spots, 50, create_background=True)
    >>> foreground = reference.subtract_background(spots, 50)
    >>> background.dtype, int(background.max()), int(foreground.max())
    (dtype('uint8'), 181, 47)
    >>> lesson = reference.subtract_background(spots, 50, kind="lesson")
    >>> lesson.attrs["reference"]
    'img - skimage.restoration.rolling_ball(img, radius=50.0)'
    """
    kind = check_kind(kind)
    options = BackgroundOptions(rolling, light_background, sliding, disable_smoothing,
                                create_background, separate)
    compute = correct_image if kind == "imagej" else _lesson_subtract_background
    if is_lazy(image):
        return tile_by_tile(partial(compute, options=options), image,
                            background_reach(options, kind))
    return compute(image, options)


def _lesson_subtract_background(image: Image, options: BackgroundOptions) -> Image:
    """Compute the lesson's ``img - skimage.restoration.rolling_ball(img, radius)`` by plane."""
    if options.sliding or options.disable_smoothing or options.separate:
        raise CommandError("sliding, disable_smoothing and separate are ImageJ options; "
                           "use kind='imagej' for them")
    canonical, layout = read_image(image)
    light, create = options.light_background, options.create_background

    def correct(plane: np.ndarray) -> np.ndarray:
        plane = util.invert(plane) if light else plane
        ball = restoration.rolling_ball(plane, radius=options.rolling)
        if create:
            return util.invert(ball) if light else ball
        corrected = plane - ball
        return util.invert(corrected) if light else corrected

    out = map_planes(canonical, correct)
    call = f"skimage.restoration.rolling_ball({{}}, radius={options.rolling})"
    text = call.format("img") if create else "img - " + call.format("img")
    if light:
        text = f"invert({'' if create else 'invert(img) - '}{call.format('invert(img)')})"
    return in_layout(out, canonical, layout, text)
