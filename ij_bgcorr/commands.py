"""The lesson's ImageJ commands as data: each is a macro line plus its images.

A builder here checks the Python arguments, then writes the macro line the
way ImageJ's recorder writes it (e.g. ``run("Median...", "radius=15");``).
The engine runs every :class:`Call` the same way, so the numbers are the
ones the same line gives in Fiji.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from .errors import CommandError
from .images import plane_sizes
from .layout import Layout, read_image

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


#: The title prefix ImageJ's Z Project gives its result, by projection method.
PROJECTION_PREFIXES: dict[str, str] = {
    "avg": "AVG_", "max": "MAX_", "min": "MIN_", "sum": "SUM_", "sd": "STD_", "median": "MED_",
}


@dataclass(frozen=True)
class Call:
    """One command: the images it reads, its macro line, and how its result is made.

    ``command`` is ImageJ's command name (``"Median..."``), ``"imageCalculator"``
    for the Image Calculator's macro function, or None for a plain copy
    (``Duplicate...``). ``creates`` is the prefix of the title ImageJ gives
    the new image the command opens (``"MAX_"``), or None when the command
    changes the active image in place: then the engine runs it on a
    ``Duplicate...`` of its first input, as the lesson's macros do, so the
    input is left unchanged. ``title`` is the result's title the caller
    asked for, if any. ``layout`` is how the first input was laid out (the
    result gets it back); ``removes`` the dims the command projects away.
    """

    images: tuple[xr.DataArray, ...]
    command: str | None = None
    options: str = ""
    creates: str | None = None
    title: str | None = None
    layout: Layout | None = None
    removes: tuple[str, ...] = ()

    def line(self, titles: Sequence[str]) -> str:
        """The command's macro line with its images under ``titles`` (first: the target)."""
        if self.command == "imageCalculator":
            first, second = (quote(t) for t in titles)
            return f"imageCalculator({quote(self.options)}, {first},{second});"
        return run_line(str(self.command), self.options.split())

    def default_title(self, titles: Sequence[str]) -> str:
        """The title ImageJ would give the result (before making it unique)."""
        return (self.creates or "") + titles[0]

    def command_line(self, titles: Sequence[str], result: str) -> str:
        """The command's own line as it runs: on a duplicate titled ``result`` when in place."""
        if self.command is None:
            return duplicate_line(result, _n_planes(self.images[0]) > 1)
        if self.creates is None:
            return self.line([result, *titles[1:]])
        return self.line(titles)

    def lines(self, titles: Sequence[str], result: str) -> list[str]:
        """The macro lines that make ``result`` from the images under ``titles``.

        The first input must be active when they run.
        """
        line = self.command_line(titles, result)
        if self.creates is None:
            copy = duplicate_line(result, _n_planes(self.images[0]) > 1)
            return [copy] if self.command is None else [copy, line]
        if result == self.default_title(titles):
            return [line]
        return [line, f"rename({quote(result)});"]


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


def check_title(title: str | None) -> str | None:
    """A result's window title as given by the caller: None, or one line of text.

    ImageJ's options strings cannot quote ``[`` or ``]``, and a macro string
    cannot hold a line break, so those are refused.
    """
    if title is not None and (not isinstance(title, str) or not title.strip()
                              or any(c in title for c in "[]\n\r")
                              or title != title.strip()):
        raise CommandError(f"A window title must be one line of text without '[' or ']' and "
                           f"without leading or trailing spaces, got {title!r}.")
    return title


def duplicate_line(title: str, stack: bool) -> str:
    """``run("Duplicate...", "title=... duplicate");`` (``duplicate``: all planes of a stack)."""
    return run_line("Duplicate...", [f"title={option_value(title)}"] + (["duplicate"] * stack))


def median(image: Any, radius: float, title: str | None = None) -> Call:
    """``Process > Filters > Median...`` on every plane."""
    arr, layout = read_image(image)
    options = [f"radius={number(_positive('radius', radius))}"] + ["stack"] * (_n_planes(arr) > 1)
    return Call((arr,), "Median...", " ".join(options), title=check_title(title), layout=layout)


def duplicate(image: Any, title: str | None = None) -> Call:
    """``Image > Duplicate...`` of the whole image (all planes)."""
    arr, layout = read_image(image)
    return Call((arr,), title=check_title(title), layout=layout)


def image_calculator(
    operation: str, image1: Any, image2: Any, create: bool = True, float32: bool = False,
    title: str | None = None,
) -> Call:
    """``Process > Image Calculator...``: ``image1 <operation> image2``, all planes."""
    name = _choice("Image Calculator operation", operation, CALCULATOR_OPERATIONS)
    (first, layout), (second, _) = read_image(image1), read_image(image2)
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
    words += ["stack"] * (n1 > 1)
    return Call((first, second), "imageCalculator", " ".join(words),
                creates="Result of " if create else None, title=check_title(title),
                layout=layout)


def z_project(
    image: Any, method: str = "max", axis: str | None = None,
    start: int | None = None, stop: int | None = None, title: str | None = None,
) -> Call:
    """``Image > Stacks > Z Project...`` along ``pln`` (a z-stack) or ``t`` (a time series).

    ``start`` and ``stop`` are 1-based and inclusive, as in ImageJ.
    """
    projection = _choice("projection method", method, PROJECTION_METHODS)
    arr, layout = read_image(image)
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
    options.append(f"projection={projection}")
    if axis == "pln" and nt > 1:
        options.append("all")
    removes = ("pln",) if axis == "pln" else ("t",)
    return Call((arr,), "Z Project...", " ".join(options),
                creates=PROJECTION_PREFIXES[str(method).lower()], title=check_title(title),
                layout=layout, removes=removes)


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
    title: str | None = None,
) -> Call:
    """``Process > Subtract Background...`` on every plane."""
    arr, layout = read_image(image)
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
    return Call((arr,), "Subtract Background...", " ".join(options), title=check_title(title),
                layout=layout)
