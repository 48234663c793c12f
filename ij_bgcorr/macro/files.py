"""Macro text from a path or a string, the shipped lesson macros, and macro arguments."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ij_bgcorr.macro.text import number, option_value, quote

#: The lesson's macros shipped with the package.
MACRO_DIR = Path(__file__).resolve().parents[1] / "macros"


def shipped_macros() -> dict[str, Path]:
    """Return the shipped lesson macros by name (file name without ``.ijm``).

    Returns
    -------
    dict of str to pathlib.Path
        Each ``.ijm`` file in :data:`MACRO_DIR`, sorted by file name.
    """
    return {p.stem: p for p in sorted(MACRO_DIR.glob("*.ijm"))}


def read_macro(macro: str | os.PathLike[str]) -> tuple[str, Path | None]:
    """Return ``(code, path)`` for a macro given as a path, a shipped macro's name, or text.

    A string containing a newline, ``;`` or ``(`` is macro text; any other
    string names a file (or a shipped macro).

    Parameters
    ----------
    macro : str or os.PathLike
        A macro file, the name of a shipped macro (see :func:`shipped_macros`),
        or macro text.

    Returns
    -------
    tuple of (str, pathlib.Path or None)
        The macro's text (read as UTF-8), and its file's absolute path (None
        for macro text).

    Raises
    ------
    FileNotFoundError
        When the file is missing.
    """
    if isinstance(macro, str) and any(ch in macro for ch in "\n;("):
        return macro, None
    path = Path(macro)
    if not path.is_file() and str(macro) in shipped_macros():
        path = shipped_macros()[str(macro)]
    if not path.is_file():
        raise FileNotFoundError(f"No such macro file: {path}")
    return path.read_text(encoding="utf-8"), path.resolve()


def argument_string(args: Mapping[str, Any] | None) -> str:
    """Write arguments as an ImageJ options string: ``radius=15 title=[two words]``.

    A macro reads it with ``getArgument()`` and one value with
    ``call("ij.Macro.getValue", getArgument(), "radius", "15")``, as Fiji
    macros read their options.

    Parameters
    ----------
    args : mapping of str to object, optional
        The arguments. Numbers are written as ImageJ's recorder writes them,
        True as the bare key, and False is left out; any other value is text.

    Returns
    -------
    str
        The options string; empty without arguments.
    """
    words = []
    for key, value in (args or {}).items():
        if isinstance(value, bool):
            if value:
                words.append(str(key))
            continue
        text = number(value) if isinstance(value, (int, float)) else str(value)
        words.append(f"{key}={option_value(text)}")
    return " ".join(words)


def run_macro_line(path: Path, argument: str) -> str:
    """Return the macro line that runs a macro file with an argument, to paste into Fiji.

    Parameters
    ----------
    path : pathlib.Path
        The macro file.
    argument : str
        What ``getArgument()`` returns in the macro (see :func:`argument_string`).

    Returns
    -------
    str
        ``runMacro("path", "argument");``.
    """
    return f"runMacro({quote(str(path))}, {quote(argument)});"
