"""Fiji against scikit-image, step by step: the same background three ways.

For one lesson method, :func:`cross_validate` computes the background with
Fiji (the engine), with the lesson's own scikit-image code, and with the
ImageJ-matched reference, and compares each reference with Fiji.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from tqdm.auto import tqdm

from ij_bgcorr import reference, workflows
from ij_bgcorr.crossval.compare import Comparison, compare
from ij_bgcorr.engine.base import Engine
from ij_bgcorr.errors import CommandError
from ij_bgcorr.image.arrays import as_image
from ij_bgcorr.methods import METHODS, SWEEP_METHODS

#: Methods and the default radius each uses (pixels).

#: Why each reference kind differs from Fiji, per method, for reports.
WHY: dict[str, dict[str, str]] = {
    "median": {
        "lesson": "skimage's disk(r) holds dx²+dy² <= r²; ImageJ's kernel holds <= int(r²)+1, "
                  "a slightly larger circle. Same nearest-edge border.",
        "imagej": "ImageJ's kernel and nearest-edge border: expected identical.",
    },
    "maxproj": {
        "lesson": "np.max over time is what Z Project's Max Intensity computes.",
        "imagej": "the same maximum: expected identical.",
    },
    "rolling-ball": {
        "lesson": "skimage.restoration.rolling_ball rolls the full ball on the full image; "
                  "ImageJ smooths 3x3 first, shrinks the image for large radii, rolls a "
                  "trimmed ball and interpolates back.",
        "imagej": "ij_bgcorr.reference.subtract_background reimplements ImageJ's algorithm: "
                  "expected identical.",
    },
    "tophat": {
        "lesson": "skimage's opening uses disk(r) and mirrors the image at its border; "
                  "ImageJ's Minimum/Maximum use the int(r²)+1 kernel and repeat edge pixels.",
        "imagej": "ImageJ's kernel and border for Minimum then Maximum: expected identical.",
    },
}


@dataclass
class CrossValidation:
    """The backgrounds of one method, and how each reference compares with Fiji.

    Attributes
    ----------
    method : str
        The method's name (see :data:`ij_bgcorr.methods.METHODS`).
    radius : float
        Its radius in pixels (0 for a method without one).
    image : xarray.DataArray
        The input, in canonical form.
    backgrounds : dict of str to xarray.DataArray or numpy.ndarray
        ``"fiji"``, ``"lesson"`` and, where one exists, ``"imagej"`` (the
        ImageJ-matched reference).
    comparisons : dict of str to Comparison
        Each reference compared with Fiji (``compare(fiji, reference)``).
    """

    method: str
    radius: float
    image: xr.DataArray
    backgrounds: dict[str, Any]
    comparisons: dict[str, Comparison] = field(default_factory=dict)

    def table(self) -> list[dict[str, Any]]:
        """Return one row per reference kind: the comparison's numbers and why they differ.

        Returns
        -------
        list of dict of str to object
            ``reference``, the fields of :meth:`Comparison.as_dict` and ``why``.

        Examples
        --------
        >>> from ij_bgcorr import data
        >>> from ij_bgcorr.crossval import cross_validate
        >>> fiji = ijb.start()
        >>> rows = cross_validate(fiji, data.load(data.POLYP), "maxproj").table()
        >>> [(row["reference"], row["identical"]) for row in rows]
        [('lesson', True), ('imagej', True)]
        >>> rows[1]["why"]
        'the same maximum: expected identical.'
        """
        return [{"reference": kind, **cmp.as_dict(), "why": WHY[self.method][kind]}
                for kind, cmp in self.comparisons.items()]


def _median(engine: Engine, image: xr.DataArray, radius: float) -> dict[str, Any]:
    return {"fiji": engine.median(image, radius),
            "lesson": reference.median(image, radius, kind="lesson"),
            "imagej": reference.median(image, radius, kind="imagej")}


def _maxproj(engine: Engine, image: xr.DataArray, radius: float) -> dict[str, Any]:
    if "t" not in image.dims or "pln" in image.dims:
        raise CommandError(f"maxproj needs a time series without z planes (t, row, col, and "
                           f"optionally ch); got dims {image.dims}.")
    return {"fiji": engine.z_project(image, "max"),
            "lesson": image.max(dim="t"),
            "imagej": reference.z_project(image, "max", axis="t")}


def _rolling_ball(engine: Engine, image: xr.DataArray, radius: float) -> dict[str, Any]:
    lesson = reference.subtract_background(image, rolling=radius, create_background=True,
                                           kind="lesson")
    return {"fiji": engine.subtract_background(image, rolling=radius, create_background=True),
            "lesson": lesson,
            "imagej": reference.subtract_background(image, rolling=radius,
                                                    create_background=True)}


def _tophat(engine: Engine, image: xr.DataArray, radius: float) -> dict[str, Any]:
    background, _ = workflows.tophat_background(engine, image, radius)
    return {"fiji": background,
            "lesson": reference.opening(image, radius, kind="lesson"),
            "imagej": reference.opening(image, radius, kind="imagej")}


_RUNNERS: dict[str, Callable[[Engine, xr.DataArray, float], dict[str, Any]]] = {
    "median": _median, "maxproj": _maxproj, "rolling-ball": _rolling_ball, "tophat": _tophat,
}


def cross_validate(
    engine: Engine, image: Any, method: str, radius: float | None = None
) -> CrossValidation:
    """Compute ``method``'s background with Fiji and the references, and compare them.

    Parameters
    ----------
    engine : Engine
        The engine that stands for Fiji.
    image : numpy.ndarray or xarray.DataArray
        Any image :func:`ij_bgcorr.as_image` takes; for ``maxproj`` a time series
        without z planes (``t, row, col``, and optionally ``ch``).
    method : str
        ``"median"``, ``"maxproj"``, ``"rolling-ball"`` or ``"tophat"``.
    radius : float, optional
        In pixels (the ball radius for rolling-ball; unused for maxproj); it
        defaults to the method's in :data:`ij_bgcorr.methods.METHODS`. The border
        band of the comparisons is ``radius`` wide.

    Returns
    -------
    CrossValidation
        The backgrounds and their comparisons.

    Raises
    ------
    CommandError
        When ``method`` is unknown, the engine or a reference refuses ``radius``, or
        ``maxproj`` gets an image without ``t`` or with ``pln``.
    ImageFormatError, MacroError
        An image ImageJ cannot hold; ImageJ failing.

    Examples
    --------
    >>> from ij_bgcorr import data
    >>> from ij_bgcorr.crossval import cross_validate
    >>> fiji = ijb.start()
    >>> check = cross_validate(fiji, data.load(data.SPOTS), "median", radius=15)
    >>> sorted(check.backgrounds)
    ['fiji', 'imagej', 'lesson']
    >>> {row["reference"]: row["n_different"] for row in check.table()}
    {'lesson': 453, 'imagej': 0}
    """
    if method not in _RUNNERS:
        raise CommandError(f"Unknown method {method!r}; choose one of {', '.join(_RUNNERS)}.")
    image = as_image(image)
    radius = (METHODS[method].radius or 0.0) if radius is None else radius
    backgrounds = _RUNNERS[method](engine, image, radius)
    comparisons = {kind: compare(backgrounds["fiji"], bg, radius=radius or None)
                   for kind, bg in backgrounds.items() if kind != "fiji"}
    return CrossValidation(method, radius, image, backgrounds, comparisons)



#: The pixel types a sweep's random images can have: those ImageJ holds.
_SWEEP_DTYPES = ("uint8", "uint16", "float32")

#: ImageJ options the Subtract Background sweeps cycle through, one set per radius.
_SWEEP_OPTIONS = (
    {},
    {"light_background": True},
    {"disable_smoothing": True},
    {"light_background": True, "disable_smoothing": True},
)


def _sweep_case(
    engine: Engine, method: str, image: np.ndarray, radius: float
) -> tuple[dict[str, Any], dict[str, np.ndarray], np.ndarray]:
    """Options used, the references' results and Fiji's for one sweep case."""
    if method == "median":
        refs = {kind: reference.median(image, radius, kind=kind) for kind in ("lesson", "imagej")}
        return {}, refs, engine.median(image, radius).values
    options = {"sliding": method == "sliding", "create_background": True,
               **_SWEEP_OPTIONS[int(radius) % len(_SWEEP_OPTIONS)]}
    refs = {"imagej": reference.subtract_background(image, rolling=radius, **options)}
    if method == "rolling-ball" and not options.get("disable_smoothing"):
        refs["lesson"] = reference.subtract_background(
            image, rolling=radius, create_background=True,
            light_background=options.get("light_background", False), kind="lesson")
    return options, refs, engine.subtract_background(image, rolling=radius, **options).values


def _check_sweep(method: str, dtypes: Sequence[str],
                 shapes: Sequence[tuple[int, int]]) -> None:
    """Refuse a sweep's method, pixel types or image shapes before anything runs."""
    if method not in SWEEP_METHODS:
        raise CommandError(f"Unknown sweep method {method!r}; choose one of "
                           f"{', '.join(SWEEP_METHODS)}.")
    for dtype in dtypes:
        try:
            name = np.dtype(dtype).name
        except TypeError:
            name = None
        if name not in _SWEEP_DTYPES:
            raise CommandError(f"A sweep's dtypes are among {', '.join(_SWEEP_DTYPES)}; "
                               f"got {dtype!r}.")
    for shape in shapes:
        if not (isinstance(shape, tuple | list) and len(shape) == 2
                and all(isinstance(n, int | np.integer) and not isinstance(n, bool) and n > 0
                        for n in shape)):
            raise CommandError(f"A sweep's shapes are (rows, cols) pairs of whole numbers "
                               f"above 0; got {shape!r}.")


def sweep(
    engine: Engine,
    radii: Sequence[float] = tuple(range(1, 51)),
    dtypes: Sequence[str] = ("uint8", "uint16", "float32"),
    shapes: Sequence[tuple[int, int]] = ((64, 64), (63, 65), (9, 12)),
    seed: int = 0,
    method: str = "median",
) -> pd.DataFrame:
    """Compare Fiji with the references over radii, pixel types and image sizes.

    Random images of each dtype and shape (odd, even, and smaller than the
    larger kernels).

    Parameters
    ----------
    engine : Engine
        The engine that stands for Fiji.
    radii : sequence of float, default 1, 2, ..., 50
        Radii in pixels.
    dtypes : sequence of str, default ("uint8", "uint16", "float32")
        Pixel types of the random images.
    shapes : sequence of (int, int), default ((64, 64), (63, 65), (9, 12))
        ``(rows, cols)`` of the random images.
    seed : int, default 0
        The random generator's seed.
    method : str, default "median"
        ``"median"`` (both kernels), or ``"rolling-ball"`` / ``"sliding"``:
        Subtract Background's background (``create_background``), the options
        cycling with the radius through dark and light background, with and
        without smoothing; the lesson's scikit-image rolling ball joins where
        the options are its own (smoothing on).

    Returns
    -------
    pandas.DataFrame
        One row per (dtype, shape, radius, reference kind) with the options used
        and the :class:`~ij_bgcorr.crossval.compare.Comparison` numbers.

    Raises
    ------
    CommandError
        Before anything runs, when ``method`` is not one of
        :data:`~ij_bgcorr.methods.SWEEP_METHODS`, a dtype is not one ImageJ holds
        (uint8, uint16, float32) or a shape is not ``(rows, cols)`` of whole
        numbers above 0; while it runs, a radius the engine or a reference
        refuses (the lesson's median needs whole pixels).
    MacroError
        ImageJ failing.
    """
    _check_sweep(method, dtypes, shapes)
    rng = np.random.default_rng(seed)
    rows = []
    cases = [(dtype, shape) for dtype in dtypes for shape in shapes]
    with tqdm(total=len(cases) * len(radii), desc=f"{method} sweep", unit="case") as progress:
        for dtype, shape in cases:
            if np.dtype(dtype) == np.float32:
                image = rng.normal(100, 30, shape).astype(np.float32)
            else:
                image = rng.integers(0, np.iinfo(dtype).max, shape, dtype=dtype, endpoint=True)
            for radius in radii:
                options, refs, fiji = _sweep_case(engine, method, image, radius)
                flags = ",".join(name for name, on in options.items() if on) or "-"
                for kind, ref in refs.items():
                    result = compare(fiji, np.asarray(ref), radius=radius)
                    rows.append({"dtype": dtype, "shape": "x".join(map(str, shape)),
                                 "radius": radius, "options": flags, "reference": kind,
                                 **result.as_dict()})
                progress.update()
    return pd.DataFrame(rows)
