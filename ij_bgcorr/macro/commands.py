"""The lesson's ImageJ commands as data: each is a macro line plus its images.

A builder here checks the Python arguments, then writes the macro line the way ImageJ's
recorder writes it (e.g. ``run("Median...", "radius=15");``). The engine runs every
:class:`Call` the same way, so the numbers are the ones the same line gives in Fiji.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ij_bgcorr.errors import CommandError
from ij_bgcorr.image.arrays import DIM_ALIASES
from ij_bgcorr.image.layout import read_image
from ij_bgcorr.macro.call import Call, n_planes
from ij_bgcorr.macro.text import number
from ij_bgcorr.options import PROJECTIONS, BackgroundOptions
from ij_bgcorr.validation import choice, positive_pixels

#: Image Calculator operations: Python name → ImageJ name.
CALCULATOR_OPERATIONS: dict[str, str] = {
    "add": "Add", "subtract": "Subtract", "multiply": "Multiply", "divide": "Divide",
    "and": "AND", "or": "OR", "xor": "XOR", "min": "Min", "max": "Max",
    "average": "Average", "difference": "Difference", "copy": "Copy",
    "transparent-zero": "Transparent-zero",
}

def check_title(title: str | None) -> str | None:
    """Check a result's window title as given by the caller: None, or one line of text.

    Parameters
    ----------
    title : str or None
        The title the caller asked for.

    Returns
    -------
    str or None
        ``title``, unchanged.

    Raises
    ------
    CommandError
        When ``title`` is no string, is blank, has outer spaces, or holds ``[`` or ``]`` (ImageJ's
        options strings cannot quote them) or a line break (a macro string cannot hold one).
    """
    if title is not None and (not isinstance(title, str) or not title.strip()
                              or any(c in title for c in "[]\n\r")
                              or title != title.strip()):
        raise CommandError(f"A window title must be one line of text without '[' or ']' and "
                           f"without leading or trailing spaces, got {title!r}.")
    return title


def median(image: Any, radius: float, title: str | None = None) -> Call:
    """Build ``Process > Filters > Median...`` on every plane.

    Parameters
    ----------
    image : numpy.ndarray or xarray.DataArray
        Any dims (:mod:`ij_bgcorr.image.layout`); uint8, uint16 or float32 (others converted).
    radius : float
        The filter's radius in pixels, > 0.
    title : str, optional
        The result's window title.

    Returns
    -------
    Call
        The command, for the engine's ``Engine._run_call``.

    Raises
    ------
    CommandError
        When ``radius`` is not a finite number above 0 or ``title`` is bad (:func:`check_title`).
    ImageFormatError
        When an image is not one ImageJ can hold (see :func:`ij_bgcorr.as_image`).
    """
    arr, layout = read_image(image)
    options = [f"radius={number(positive_pixels('radius', radius))}"]
    options += ["stack"] * (n_planes(arr) > 1)
    return Call((arr,), "Median...", " ".join(options), title=check_title(title), layout=layout)


def duplicate(image: Any, title: str | None = None) -> Call:
    """Build ``Image > Duplicate...`` of the whole image (all planes).

    Parameters
    ----------
    image : numpy.ndarray or xarray.DataArray
        Any dims (:mod:`ij_bgcorr.image.layout`); uint8, uint16 or float32 (others converted).
    title : str, optional
        The result's window title.

    Returns
    -------
    Call
        The command, for the engine's ``Engine._run_call``.

    Raises
    ------
    CommandError
        When ``title`` is bad (see :func:`check_title`).
    ImageFormatError
        When an image is not one ImageJ can hold (see :func:`ij_bgcorr.as_image`).
    """
    arr, layout = read_image(image)
    return Call((arr,), title=check_title(title), layout=layout)


def image_calculator(
    operation: str, image1: Any, image2: Any, create: bool = True, float32: bool = False,
    title: str | None = None,
) -> Call:
    """Build ``Process > Image Calculator...``: ``image1 <operation> image2``, all planes.

    Parameters
    ----------
    operation : str
        A key of :data:`CALCULATOR_OPERATIONS` (case-insensitive).
    image1, image2 : numpy.ndarray or xarray.DataArray
        Any dims (:mod:`ij_bgcorr.image.layout`), the same width and height; ``image2`` has one
        plane or as many as ``image1``. uint8, uint16 or float32 (others converted).
    create : bool, default True
        Make a new image (``Result of ...``); otherwise run on a duplicate of ``image1``.
    float32 : bool, default False
        A 32-bit (float) result.
    title : str, optional
        The result's window title.

    Returns
    -------
    Call
        The command, for the engine's ``Engine._run_call``.

    Raises
    ------
    CommandError
        When ``operation`` is unknown, the widths or heights differ, ``image2``'s number of
        planes does not fit, or ``title`` is bad (see :func:`check_title`).
    ImageFormatError
        When an image is not one ImageJ can hold (see :func:`ij_bgcorr.as_image`).
    """
    name = choice("Image Calculator operation", operation, CALCULATOR_OPERATIONS)
    (first, layout), (second, _) = read_image(image1), read_image(image2)
    if (first.sizes["row"], first.sizes["col"]) != (second.sizes["row"], second.sizes["col"]):
        raise CommandError(
            f"image_calculator needs images of the same width and height; got "
            f"{dict(first.sizes)} and {dict(second.sizes)}."
        )
    n1, n2 = n_planes(first), n_planes(second)
    if n2 not in (1, n1):
        needs = "1 (the first image is one plane)" if n1 == 1 else f"1 or {n1} (as the first)"
        raise CommandError(f"image_calculator: the second image has {n2} planes; it needs "
                           f"{needs}.")
    words = [name] + (["create"] if create else []) + (["32-bit"] if float32 else [])
    words += ["stack"] * (n1 > 1)
    return Call((first, second), "imageCalculator", " ".join(words),
                creates="Result of " if create else None, title=check_title(title),
                layout=layout)


def z_project(
    image: Any, method: str = "max", axis: str | None = None,
    start: int | None = None, stop: int | None = None, title: str | None = None,
    all_frames: bool = True,
) -> Call:
    """Build ``Image > Stacks > Z Project...`` along ``pln`` (a z-stack) or ``t`` (a time series).

    Parameters
    ----------
    image : numpy.ndarray or xarray.DataArray
        Any dims (:mod:`ij_bgcorr.image.layout`); uint8, uint16 or float32 (others converted).
    method : str, default "max"
        A key of :data:`~ij_bgcorr.options.PROJECTIONS` (case-insensitive).
    axis : {"pln", "t"}, optional
        Default: ``pln`` when the image has z planes or no time frames, else ``t``.
    start, stop : int, optional
        The first and last plane, 1-based and inclusive, as in ImageJ; default: all.
    title : str, optional
        The result's window title.
    all_frames : bool, default True
        With z planes and time frames: project every frame (ImageJ's "all time
        frames") or, False, the first frame only, as the line without ``all`` does
        in ImageJ (the lesson's macro).

    Returns
    -------
    Call
        The command, for the engine's ``Engine._run_call``.

    Raises
    ------
    CommandError
        When ``method`` or ``axis`` is unknown, ``axis`` is ``t`` with z planes, the axis has < 2
        planes, not 1 <= ``start`` <= ``stop`` <= planes (whole numbers), or ``title`` is bad.
    ImageFormatError
        When an image is not one ImageJ can hold (see :func:`ij_bgcorr.as_image`).
    """
    projection = PROJECTIONS[choice("projection method", method, {k: k for k in PROJECTIONS})]
    arr, layout = read_image(image)
    nz, nt = arr.sizes.get("pln", 1), arr.sizes.get("t", 1)
    axis = DIM_ALIASES.get(axis, axis) if isinstance(axis, str) else axis
    if axis is None:
        axis = "pln" if nz > 1 or nt == 1 else "t"
    if axis not in ("pln", "t"):
        raise CommandError(f"z_project projects along 'pln' or 't', not {axis!r}.")
    if axis == "t" and nz > 1:
        raise CommandError("ImageJ's Z Project cannot project along 't' when the image also "
                           "has z planes; select one plane first (image.isel(pln=k)).")
    n = nz if axis == "pln" else nt
    if n < 2:
        raise CommandError(f"z_project needs more than one {axis!r} plane; the image has {n}.")
    first = 1 if start is None else start
    last = n if stop is None else stop
    whole = all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in (first, last))
    if not (whole and 1 <= first <= last <= n):
        raise CommandError(f"start/stop must satisfy 1 <= start <= stop <= {n}; "
                           f"got start={start!r}, stop={stop!r}.")
    options = []
    if first != 1:
        options.append(f"start={int(first)}")
    if last != n:
        options.append(f"stop={int(last)}")
    options.append(f"projection={projection.option}")
    if axis == "pln" and nt > 1 and all_frames:
        options.append("all")
    return Call((arr,), "Z Project...", " ".join(options),
                creates=projection.prefix, title=check_title(title),
                layout=layout)


#: Largest 32-bit magnitude ImageJ's sliding paraboloid is safe with (slopes must not overflow).
_SLIDING_SAFE = 1e38


def subtract_background(image: Any, options: BackgroundOptions, title: str | None = None) -> Call:
    """Build ``Process > Subtract Background...`` on every plane, with ``options``.

    Parameters
    ----------
    image : numpy.ndarray or xarray.DataArray
        Any dims (:mod:`ij_bgcorr.image.layout`); uint8, uint16 or float32 (others converted).
    options : BackgroundOptions
        The dialog's options (radius in pixels), checked.
    title : str, optional
        The result's window title.

    Returns
    -------
    Call
        The command, for the engine's ``Engine._run_call``.

    Raises
    ------
    CommandError
        When ``options.separate`` is set for an image that is not RGB, ``options.sliding`` for
        a float32 image with NaN, infinite or near-maximum (abs(value) >= 1e38) values (ImageJ
        1.53t's sliding paraboloid can loop forever on them), or ``title`` is bad.
    ImageFormatError
        When an image is not one ImageJ can hold (see :func:`ij_bgcorr.as_image`).
    """
    arr, layout = read_image(image)
    if options.separate and not arr.attrs.get("rgb"):
        raise CommandError("separate=True (Separate colors) applies to RGB images only.")
    if (options.sliding and arr.dtype == np.float32
            and not np.all(np.abs(arr.values) < _SLIDING_SAFE)):
        raise CommandError(
            "ImageJ 1.53t's sliding paraboloid can loop forever on 32-bit images with NaN, "
            f"infinite or near-maximum (|value| >= {_SLIDING_SAFE:g}) values; replace them, or "
            "use ij_bgcorr.reference.subtract_background (kind='imagej'), which returns.")
    words = [f"rolling={number(options.rolling)}", *options.macro_words()]
    words += ["stack"] * (n_planes(arr) > 1)
    return Call((arr,), "Subtract Background...", " ".join(words), title=check_title(title),
                layout=layout)
