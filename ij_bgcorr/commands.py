"""The lesson's ImageJ commands as data: each is a macro line plus its images.

A builder here checks the Python arguments, then writes the macro line the
way ImageJ's recorder writes it (e.g. ``run("Median...", "radius=15");``).
The engine runs every :class:`Call` the same way, so the numbers are the
ones the same line gives in Fiji.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from .errors import CommandError
from .images import as_image, plane_sizes

#: Image Calculator operations: Python name → ImageJ name.
CALCULATOR_OPERATIONS: dict[str, str] = {
    "add": "Add", "subtract": "Subtract", "multiply": "Multiply", "divide": "Divide",
    "and": "AND", "or": "OR", "xor": "XOR", "min": "Min", "max": "Max",
    "average": "Average", "difference": "Difference", "copy": "Copy",
    "transparent-zero": "Transparent-zero",
}

#: Z Project methods: Python name → ImageJ's ``projection=`` value.
PROJECTION_METHODS: dict[str, str] = {
    "avg": "[Average Intensity]", "max": "[Max Intensity]", "min": "[Min Intensity]",
    "sum": "[Sum Slices]", "sd": "[Standard Deviation]", "median": "Median",
}


@dataclass(frozen=True)
class Call:
    """One command: its macro line and the images it runs on.

    ``inputs`` maps ImageJ window titles to images; the first is the active
    image when the line runs. The result is the image active afterwards.
    """

    line: str
    inputs: dict[str, xr.DataArray]


def quote(text: str) -> str:
    """A macro string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def option_value(text: str) -> str:
    """A value in an options string; ImageJ needs brackets around spaces."""
    return f"[{text}]" if " " in text else text


def number(value: float) -> str:
    """A number as ImageJ's recorder writes it, without losing digits: 15, 12.3456789."""
    if isinstance(value, numbers.Integral):
        return str(int(value))
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def run_line(command: str, options: list[str]) -> str:
    """``run("Command...", "options");``, or without options when there are none."""
    if not options:
        return f"run({quote(command)});"
    return f"run({quote(command)}, {quote(' '.join(options))});"


def _titled(images: list[Any]) -> dict[str, xr.DataArray]:
    """Give each image a distinct window title, keeping titles it already has."""
    out: dict[str, xr.DataArray] = {}
    for i, image in enumerate(images, start=1):
        arr = as_image(image)
        title = str(arr.attrs.get("title") or f"image{i}")
        base, n = title, 2
        while title in out:
            title, n = f"{base}-{n}", n + 1
        out[title] = arr
    return out


def _n_planes(image: xr.DataArray) -> int:
    nc, nz, nt = plane_sizes(image)
    return nc * nz * nt


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise CommandError(f"{name} must be a finite number of pixels, got {value!r}.")
    if value <= 0:
        raise CommandError(f"{name} must be > 0 pixels, got {value!r}.")
    return float(value)


def _choice(kind: str, value: str, choices: dict[str, str]) -> str:
    key = str(value).lower()
    if key not in choices:
        raise CommandError(f"Unknown {kind} {value!r}; choose one of {', '.join(choices)}.")
    return choices[key]


def median(image: Any, radius: float) -> Call:
    """``Process > Filters > Median...`` on every plane."""
    inputs = _titled([image])
    options = [f"radius={number(_positive('radius', radius))}"]
    if _n_planes(next(iter(inputs.values()))) > 1:
        options.append("stack")
    return Call(run_line("Median...", options), inputs)


def duplicate(image: Any, title: str = "duplicate") -> Call:
    """``Image > Duplicate...`` of the whole image (all planes)."""
    if not isinstance(title, str) or not title.strip() or "]" in title:
        raise CommandError(f"A window title must be non-empty text without ']', got {title!r}.")
    inputs = _titled([image])
    options = [f"title={option_value(title)}"]
    if _n_planes(next(iter(inputs.values()))) > 1:
        options.append("duplicate")
    return Call(run_line("Duplicate...", options), inputs)


def image_calculator(
    operation: str, image1: Any, image2: Any, create: bool = True, float32: bool = False
) -> Call:
    """``Process > Image Calculator...``: ``image1 <operation> image2``, all planes."""
    name = _choice("Image Calculator operation", operation, CALCULATOR_OPERATIONS)
    inputs = _titled([image1, image2])
    first, second = inputs.values()
    if (first.sizes["row"], first.sizes["col"]) != (second.sizes["row"], second.sizes["col"]):
        raise CommandError(
            f"image_calculator needs images of the same width and height; got "
            f"{dict(first.sizes)} and {dict(second.sizes)}."
        )
    n1, n2 = _n_planes(first), _n_planes(second)
    if n2 not in (1, n1):
        needs = "1 (the first image is one plane)" if n1 == 1 else f"1 or {n1} (as the first)"
        raise CommandError(f"image_calculator: the second image has {n2} planes; it needs "
                           f"{needs}.")
    words = [name] + (["create"] if create else []) + (["32-bit"] if float32 else [])
    if n1 > 1:
        words.append("stack")
    t1, t2 = (quote(t) for t in inputs)
    return Call(f"imageCalculator({quote(' '.join(words))}, {t1},{t2});", inputs)


def z_project(
    image: Any, method: str = "max", axis: str | None = None,
    start: int | None = None, stop: int | None = None,
) -> Call:
    """``Image > Stacks > Z Project...`` along ``pln`` (a z-stack) or ``t`` (a time series).

    ``start`` and ``stop`` are 1-based and inclusive, as in ImageJ.
    """
    projection = _choice("projection method", method, PROJECTION_METHODS)
    inputs = _titled([image])
    arr = next(iter(inputs.values()))
    nz, nt = arr.sizes.get("pln", 1), arr.sizes.get("t", 1)
    if axis is None:
        axis = "pln" if nz > 1 or nt == 1 else "t"
    if axis not in ("pln", "t"):
        raise CommandError(f"z_project projects along 'pln' or 't', not {axis!r}.")
    if axis == "t" and nz > 1:
        raise CommandError(
            "ImageJ's Z Project cannot project along 't' when the image also has z planes; "
            "select one plane first (image.isel(pln=k))."
        )
    n = nz if axis == "pln" else nt
    if n < 2:
        raise CommandError(f"z_project needs more than one {axis!r} plane; the image has {n}.")
    first, last = start or 1, stop or n
    whole = all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in (first, last))
    if not (whole and 1 <= first <= last <= n):
        raise CommandError(f"start/stop must satisfy 1 <= start <= stop <= {n}; "
                           f"got start={start!r}, stop={stop!r}.")
    options = []
    if first != 1:
        options.append(f"start={int(first)}")
    if last != n:
        options.append(f"stop={int(last)}")
    options.append(f"projection={projection}")
    if axis == "pln" and nt > 1:
        options.append("all")
    return Call(run_line("Z Project...", options), inputs)


#: Largest 32-bit magnitude ImageJ's sliding paraboloid is safe with (slopes must not overflow).
_SLIDING_SAFE = 1e38


def subtract_background(
    image: Any,
    rolling: float = 50,
    light_background: bool = False,
    sliding: bool = False,
    disable_smoothing: bool = False,
    create_background: bool = False,
    separate: bool = False,
) -> Call:
    """``Process > Subtract Background...`` on every plane."""
    inputs = _titled([image])
    arr = next(iter(inputs.values()))
    if separate and not arr.attrs.get("rgb"):
        raise CommandError("separate=True (Separate colors) applies to RGB images only.")
    if sliding and arr.dtype == np.float32 and not np.all(np.abs(arr.values) < _SLIDING_SAFE):
        raise CommandError(
            "ImageJ 1.53t's sliding paraboloid can loop forever on 32-bit images with NaN, "
            f"infinite or near-maximum (|value| >= {_SLIDING_SAFE:g}) values; replace them, or "
            "use ij_bgcorr.rolling_ball.subtract_background, which returns.")
    flags = [("light", light_background), ("separate", separate),
             ("create", create_background), ("sliding", sliding),
             ("disable", disable_smoothing), ("stack", _n_planes(arr) > 1)]
    options = [f"rolling={number(_positive('rolling', rolling))}"]
    options += [word for word, on in flags if on]
    return Call(run_line("Subtract Background...", options), inputs)
