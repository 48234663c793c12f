"""Fiji's script parameters (``#@ Integer radius``) in ImageJ macros, filled from Python.

As Fiji does, :func:`fill_parameters` empties each parameter line, declares the
variables at the start of line 1 and sets them in a function after the last
line, so that a macro written for Fiji runs unchanged, with its line numbers.
"""

from __future__ import annotations

import math
import numbers
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ij_bgcorr.errors import ParameterError
from ij_bgcorr.macro.text import quote

#: The input types a parameter may have, spelled as SciJava looks them up, and their kind.
KINDS: dict[str, str] = {name: kind for kind, names in (
    ("integer", "byte Byte short Short int Integer long Long"), ("boolean", "boolean Boolean"),
    ("real", "float Float double Double"), ("text", "char Character String"), ("file", "File"),
) for name in names.split()}
# Java's ranges; a macro number is a double, which holds whole numbers exactly up to 2**53
_RANGES = {name: (max(-(2 ** (bits - 1)), -(2**53)), min(2 ** (bits - 1) - 1, 2**53)) for name, bits
           in (("byte", 8), ("short", 16), ("int", 32), ("integer", 32), ("long", 64))}
_IO = {"INPUT": "input", "OUTPUT": "output", "BOTH": "both"}
# No macro variable: Fiji's list of names it skips, ImageJ's keywords, newer built-ins
_RESERVED = frozenset("""
    Array Dialog Ext File Fit IJ List Overlay PI Plot Roi Stack String abs acos asin atan atan2
    autoUpdate beep bitDepth calibrate call changeValues charCodeAt close cos d2s doCommand
    doWand drawLine drawOval drawRect drawString dump endsWith eval exec exit exp fill fillOval
    fillRect floodFill floor fromCharCode getArgument getBoolean getBoundingRect getCursorLoc
    getDateAndTime getDimensions getDirectory getDisplayedArea getFileList getFontList getHeight
    getHistogram getImageID getImageInfo getInfo getLine getList getLocationAndSize getLut
    getMetadata getMinAndMax getNumber getPixel getPixelSize getProfile getRawStatistics
    getResult getResultLabel getResultString getSelectionBounds getSelectionCoordinates
    getSliceNumber getStatistics getString getStringWidth getThreshold getTime getTitle getValue
    getVersion getVoxelSize getWidth getZoom imageCalculator indexOf is isActive isKeyDown isNaN
    isOpen lastIndexOf lengthOf lineTo log makeArrow makeEllipse makeLine makeOval makePoint
    makePolygon makeRectangle makeSelection makeText matches maxOf minOf moveTo nImages nResults
    nSlices newArray newImage newMenu open parseFloat parseInt pow print random rename replace
    requires reset resetMinAndMax resetThreshold restoreSettings roiManager round run runMacro
    save saveAs saveSettings screenHeight screenWidth selectImage selectWindow selectionContains
    selectionName selectionType setAutoThreshold setBackgroundColor setBatchMode setColor
    setFont setForegroundColor setJustification setKeyDown setLineWidth setLocation setLut
    setMetadata setMinAndMax setOption setPasteMode setPixel setRGBWeights setResult
    setSelectionLocation setSelectionName setSlice setThreshold setTool setVoxelSize
    setZCoordinate setupUndo showMessage showMessageWithCancel showProgress showStatus showText
    sin snapshot split sqrt startsWith substring tan toBinary toHex toLowerCase toScaled
    toString toUnscaled toUpperCase toolID updateDisplay updateResults wait waitForUser
    macro var if else while do for function return true false NaN break continue Color Image
    Math Property RoiManager Table charAt debug getDir getResultsCount invert
    makeRotatedRectangle putPixel restorePreviousTool trim write
""".split())
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")  # the line ends of Java's readLine and of ImageJ
_OLD_STYLE = re.compile(r"[^\w]*[^\w#]@", re.ASCII)
_WORD = re.compile(r"\w", re.ASCII)
_INTEGER_TEXT = re.compile(r"\s*[-+]?\d+\s*", re.ASCII)
_REAL_TEXT = re.compile(r"\s*[-+]?((\d+\.?\d*|\.\d+)(e[-+]?\d+)?|inf|infinity|nan)\s*",
                        re.ASCII | re.IGNORECASE)
_TAKES = {"integer": "a whole number (an int, or a str such as '3')", "file": "a str or PathLike",
          "real": "a number (an int or float, or a str such as '2.5')", "text": "a str or number",
          "boolean": "True or False (or the str 'true' or 'false')"}


@dataclass(frozen=True)
class Parameter:
    """One parameter a macro declares, e.g. ``#@ Integer (min=0) radius``.

    Attributes
    ----------
    name, type_name, io : str
        The macro variable; its type as written (``Integer``); ``"input"``,
        ``"output"`` or ``"both"``.
    kind : str
        ``"integer"``, ``"real"``, ``"boolean"``, ``"text"``, ``"file"``, or
        ``"object"`` for an output of another type.
    line : int
        The 1-based macro line it is declared on.
    attrs : dict of str to object
        The attributes as read, keys in lower case; ``label``, ``style``,
        ``persist`` and the like are only kept here.
    default, minimum, maximum, choices : object or None
        ``value=``, ``min=``/``max=`` (of a number) and ``choices={...}`` (a
        tuple), converted to the kind; None when not given.
    required : bool
        False with ``required=false`` and for a ``visibility=MESSAGE`` item.
    """

    name: str
    kind: str
    type_name: str
    io: str
    line: int
    attrs: dict[str, Any] = field(default_factory=dict, hash=False)
    default: Any = None
    minimum: Any = None
    maximum: Any = None
    choices: tuple[Any, ...] | None = None
    required: bool = True


def _where(p: Parameter) -> str:
    return f"the macro's parameter '{p.name}' (#@ {p.type_name}, line {p.line})"


# SciJava reads the attributes with its expression parser (parsington); no Python
# library reads that syntax, so the part parameters use is read here by hand:
# key=value pairs between commas, each value a "string" (backslash escapes), a
# 'string' (verbatim), a number, true/false, a bare word (MESSAGE) or a {list}.
_ATTR_TOKEN = re.compile(r"""\s*(?:(?P<string>"(?:[^"\\]|\\.)*"|'[^']*')
    |(?P<number>[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?[dDfFlL]?(?![\w.]))
    |(?P<word>[A-Za-z_$][\w$.]*)|(?P<mark>[={},])|(?P<bad>\S))""", re.VERBOSE | re.DOTALL)
_ESCAPE = re.compile(r'\\([btnfr"\\])')
_ESCAPED = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def _attr_value(tokens: list[tuple[str, str]], at: int) -> tuple[Any, int]:
    """Read the value at ``tokens[at]``; return it and the index after it."""
    kind, raw = tokens[at]
    if raw == "{":
        items, at = [], at + 1
        while tokens[at][1] != "}":
            item, at = _attr_value(tokens, at)
            items.append(item)
            if tokens[at][1] not in (",", "}"):
                raise ValueError(f"',' or '}}' expected, not {tokens[at][1]!r}")
            at += tokens[at][1] == ","
        return tuple(items), at + 1
    if kind == "string" and raw[0] == '"':
        return _ESCAPE.sub(lambda match: _ESCAPED[match.group(1)], raw[1:-1]), at + 1
    if kind in ("string", "word"):
        return {"true": True, "false": False}.get(raw, raw.strip("'")), at + 1
    if kind != "number":
        raise ValueError(f"cannot read {raw!r}" if kind == "bad" else f"no value at {raw!r}")
    if re.fullmatch(r"[-+]?\d+[lL]?", raw):  # a leading 0 means octal, as in Java
        return int(raw.rstrip("lL"), 8 if re.fullmatch(r"[-+]?0[0-7]+[lL]?", raw) else 10), at + 1
    return float(raw.rstrip("dDfF")), at + 1


def _read_attrs(text: str) -> dict[str, Any]:
    """Read ``key=value, ...`` (keys in lower case: SciJava ignores their case)."""
    tokens = [(match.lastgroup or "", match[match.lastgroup or 0])
              for match in _ATTR_TOKEN.finditer(text)] + [("end", "the end")]
    at, attrs = 0, {}
    while tokens[at][0] != "end":
        if tokens[at][0] != "word" or tokens[at + 1][1] != "=":
            raise ValueError(f"key=value expected, not {tokens[at][1]!r}")
        attrs[tokens[at][1].lower()], at = _attr_value(tokens, at + 2)
        if tokens[at][1] not in (",", "the end"):
            raise ValueError(f"',' expected, not {tokens[at][1]!r}")
        at += tokens[at][1] == ","
    return attrs


def _coerce(kind: str, value: object) -> Any:
    """Convert ``value`` by :func:`fill_parameters`' rules; None when it does not fit."""
    boolean = isinstance(value, bool | np.bool_)
    number = isinstance(value, numbers.Real) and not boolean
    text = value if isinstance(value, str) else None
    if kind == "object":
        return value
    if kind == "boolean":
        word = text.lower() if text else None
        return bool(value) if boolean else (word == "true" if word in ("true", "false") else None)
    if kind == "file":
        path = os.fspath(value) if isinstance(value, str | os.PathLike) else None
        return os.path.abspath(path) if isinstance(path, str) and path else None
    if kind == "text":
        return str(value) if text is not None or number else None
    if kind == "integer" and number:
        whole = isinstance(value, numbers.Integral) or float(value).is_integer()
        return int(value) if whole else None
    if kind == "integer":
        return int(text) if text and _INTEGER_TEXT.fullmatch(text) else None
    try:
        return float(value) if number or _REAL_TEXT.fullmatch(text or "") else None
    except OverflowError:
        return None


def _convert(p: Parameter, value: object, what: str, check: bool = True) -> Any:
    """Convert ``value`` for ``p``, and check its bounds and choices; ``what`` names it."""
    result = _coerce(p.kind, value)
    if result is None:
        raise ParameterError(f"{_where(p)} takes {_TAKES[p.kind]}, not {what}")
    if p.type_name in ("char", "Character") and len(result) != 1:
        raise ParameterError(f"{_where(p)} takes a single character, not {what}")
    low, high = _RANGES.get(p.type_name.lower(), (None, None))
    if p.kind == "integer" and not low <= result <= high:
        exact = " (a macro number holds whole numbers exactly up to 2**53)" * (high == 2**53)
        raise ParameterError(f"{_where(p)} holds {low}..{high}{exact}, not {what}")
    bounds = [(key, bound) for key, bound in (("min", p.minimum), ("max", p.maximum))
              if check and bound is not None]
    if not all(result >= bound if key == "min" else result <= bound for key, bound in bounds):
        within = ", ".join(f"{key}={bound!r}" for key, bound in bounds)
        raise ParameterError(f"{_where(p)} must be within {within}, not {what}")
    if check and p.choices is not None and result not in p.choices:
        raise ParameterError(f"{_where(p)} must be one of {list(p.choices)!r}, not {what}")
    return result


def _parse_line(text: str, line: int, old_style: bool) -> Parameter | None:
    """Read a parameter line as SciJava does; None for an old-style line SciJava ignores."""
    body = text[text.index("@") + 1:]
    left, right = body.find("("), body.rfind(")")
    try:
        attrs = _read_attrs(body[left + 1:right]) if 0 <= left < right else {}
        if right < left:
            raise ValueError("its '(' has no ')'")
        rest = body[:left] + body[right + 1:] if left >= 0 else body
        words = re.split(r"[ \t\n]+", rest.strip())
        io = _IO.get(words[0].upper())
        if io is not None and len(words) in (2, 3):
            type_name, name = words[1:] if len(words) == 3 else ("Object", words[1])
        elif io is None and len(words) >= 2:
            type_name, name = words[:2]
            io = _IO.get(str(attrs.get("type", "INPUT")).upper())
            if io is None:
                raise ValueError(f"type={attrs['type']!r} is not INPUT, OUTPUT or BOTH")
        else:
            raise ValueError("write '#@ Type name' or '#@output Type name'")
    except ValueError as exc:
        if old_style:
            return None
        raise ParameterError(f"the macro's parameter line {line} ({text.strip()!r}) cannot be "
                             f"read: {exc}") from None
    kind = KINDS.get(type_name)
    if old_style and kind is None and not type_name[:1].isupper():  # "// @author Jane"
        return None
    p = Parameter(name, kind or "object", type_name, io, line, attrs)
    if kind is None and io != "output":
        raise ParameterError(f"{_where(p)} has a type that cannot be filled from Python; "
                             f"the types are {', '.join(KINDS)}")
    if not _VARIABLE.fullmatch(name) or name in _RESERVED:
        raise ParameterError(f"{_where(p)}: {name!r} cannot be a macro variable (a name of "
                             "letters, digits and _ that is no ImageJ keyword or built-in)")
    required = _coerce("boolean", attrs.get("required", True))
    if required is None:
        raise ParameterError(f"{_where(p)}: required={attrs['required']!r} is not true or false")
    bounds = {key: _convert(p, attrs[key], f"its {key}={attrs[key]!r}", False)
              for key in ("min", "max") if kind in ("integer", "real") and key in attrs}
    choices = attrs.get("choices")
    if choices is not None:
        choices = tuple(_convert(p, choice, f"its choice {choice!r}", False) for choice in
                        (choices if isinstance(choices, tuple) else (choices,)))
    message = str(attrs.get("visibility", "")).upper() == "MESSAGE"
    p = replace(p, minimum=bounds.get("min"), maximum=bounds.get("max"), choices=choices,
                required=required and not message)
    if "value" in attrs:
        p = replace(p, default=_convert(p, attrs["value"], f"its value={attrs['value']!r}"))
    return p


def parse_parameters(code: str) -> tuple[list[Parameter], str]:
    """Return the declared parameters and the code with each parameter line emptied.

    As SciJava, line by line (in a comment or a string too): a line starting
    with ``#@`` is a parameter anywhere, a line such as ``// @Integer radius``
    only in the header, which ends at the first other line holding a letter,
    digit or ``_``. A parameter reads ``[IOType] [Type] name``, with optional
    attributes: ``#@ Double (value=1.5, min=0) sigma``, ``#@output String result``.

    Parameters
    ----------
    code : str
        The macro's text.

    Returns
    -------
    tuple of (list of Parameter, str)
        The parameters in order, and the code with their lines' text removed.

    Raises
    ------
    ParameterError
        For an unreadable line, a name declared twice or no macro variable, an
        input type not in :data:`KINDS`, or an attribute that does not fit the type.
    """
    pieces = _LINE_BREAK.split(code)
    params: list[Parameter] = []
    header = True
    for index in range(0, len(pieces), 2):
        text = pieces[index]
        old_style = header and not text.startswith("#@") and bool(_OLD_STYLE.match(text))
        p = _parse_line(text, index // 2 + 1, old_style) if old_style or text[:2] == "#@" else None
        if p is not None:
            twice = [q.line for q in params if q.name == p.name]
            if twice:
                raise ParameterError(f"{_where(p)} is declared twice (also line {twice[0]})")
            params.append(p)
            pieces[index] = ""
        elif header and not old_style and _WORD.search(text):
            header = False
    return params, "".join(pieces)


def declared_outputs(params: list[Parameter]) -> list[str]:
    """Return the names of the ``output`` and ``both`` parameters, to read after the run."""
    return [p.name for p in params if p.io != "input"]


def _tokenizer_number(text: str) -> float:
    """Read a plain decimal (``2.5``) as ImageJ's tokenizer, java.io.StreamTokenizer, does."""
    whole, _, fraction = text.partition(".")  # it sums the digits and divides once by 10**n
    value = 0.0
    for digit in whole + fraction:
        value = value * 10 + int(digit)
    return value / 10.0 ** len(fraction)  # exact powers: repr has at most 21 decimals here


# StreamTokenizer ends a string literal at a line end; it reads these escapes back
_CONTROL = {code: f"\\{code:03o}" for code in (*range(32), 127)} | {
    ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", ord("\f"): "\\f", ord("\b"): "\\b"}


def _value_code(kind: str, value: Any) -> str:
    """Write a converted value as macro code that ImageJ reads back as the very same value."""
    if kind in ("boolean", "integer"):
        return str(value).lower()
    if kind != "real":
        return quote(str(value)).translate(_CONTROL)
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("1/0" if value > 0 else "-1/0")
    text = repr(abs(value)).removesuffix(".0")
    negative_zero = value == 0 and math.copysign(1.0, value) < 0
    if "e" in text or negative_zero or _tokenizer_number(text) != abs(value):
        return f'parseFloat("{value!r}")'  # Java's Double.parseDouble reads repr exactly
    return "-" + text if value < 0 else text


def fill_parameters(code: str, args: Mapping[str, object] | None) -> tuple[str, dict[str, object]]:
    """Return the code ready for ImageJ's interpreter, and the args that name no parameter.

    An input (``input`` or ``both``) takes its value from ``args``, else from
    ``value=``; with neither, a required one is an error and an optional one
    (``required=false``, ``visibility=MESSAGE``) is left unset. Values, defaults
    too, are converted strictly, then checked against ``min=``, ``max=`` and
    ``choices=``:

    * byte, short, int, long: an int (numpy too), a float with no fraction or a
      str of digits ("3"); not a bool, 2.7 or "abc"; within the Java type's
      range and +-2**53 (which a macro number holds exactly);
    * float, double: an int or float, or a str such as "2.5", "1e-3", "nan" or
      "inf"; not a bool;
    * boolean: a bool (numpy too), or "true"/"false" in any case;
    * String: a str, or a number written with ``str()``; char: one character;
    * File: a str or os.PathLike, made absolute with ``os.path.abspath``.

    Parameters
    ----------
    code : str
        The macro's text.
    args : mapping of str to object, optional
        Values by parameter name, and any other arguments.

    Returns
    -------
    tuple of (str, dict of str to object)
        The code with ``var a = 3, b, c = "x"; `` (every parameter declared as a
        global, with its value when it has one; values never span lines) at
        the start of line 1 and the parameter lines emptied, so that every
        line keeps its number and nothing follows the user's last line; a macro
        without parameters unchanged. Then the args that name no parameter,
        for ``getArgument()``.

    Raises
    ------
    ParameterError
        For a missing or bad value, a value given to an output, or a bad
        parameter line (see :func:`parse_parameters`); it names the parameter,
        its type as written and its line.
    """
    params, emptied = parse_parameters(code)
    remaining = dict(args or {})
    if not params:
        return code, remaining
    declarations = []
    for p in params:
        value = p.default if p.io != "output" else None
        if p.name in remaining:
            if p.io == "output":
                raise ParameterError(f"{_where(p)} is an output of the macro: it takes no value")
            given = remaining.pop(p.name)
            value = _convert(p, given, repr(given))
        elif value is None and p.io != "output" and p.required:
            raise ParameterError(f"{_where(p)} has no value: pass args={{{p.name!r}: ...}}")
        declarations.append(p.name if value is None else
                            f"{p.name} = {_value_code(p.kind, value)}")
    return f"var {', '.join(declarations)}; " + emptied, remaining
