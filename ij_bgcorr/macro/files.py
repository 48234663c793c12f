"""Macro text from a path or a string, the shipped lesson macros, and macro arguments."""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ij_bgcorr.errors import CommandError
from ij_bgcorr.macro.text import number, option_of, option_value, quote


def _macro_dir() -> Path:
    """Return the folder of the shipped macros: the package ``ij_bgcorr.macros``.

    In the source tree it is the project's ``macros/`` folder (mapped to that package
    name in pyproject.toml), so the macros are kept once.
    """
    spec = importlib.util.find_spec("ij_bgcorr.macros")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("The shipped macros (package ij_bgcorr.macros) are missing; "
                                "reinstall ij-bgcorr")
    return Path(list(spec.submodule_search_locations)[0])


#: The lesson's macros shipped with the package.
MACRO_DIR = _macro_dir()


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

    A string that names an existing file is that file; else one containing a
    newline, ``;`` or ``(`` is macro text, and any other names a file (or a
    shipped macro).

    Parameters
    ----------
    macro : str or os.PathLike
        A macro file, the name of a shipped macro (see :func:`shipped_macros`),
        or macro text.

    Returns
    -------
    tuple of (str, pathlib.Path or None)
        The macro's text (read as UTF-8, without a byte-order mark), and its
        file's absolute path (None for macro text).

    Raises
    ------
    FileNotFoundError
        When the file is missing.
    """
    if isinstance(macro, str) and not os.path.isfile(macro) and any(ch in macro for ch in "\n;("):
        return macro, None
    path = Path(macro)
    if not path.is_file() and str(macro) in shipped_macros():
        path = shipped_macros()[str(macro)]
    if not path.is_file():
        raise FileNotFoundError(f"No such macro file: {path}")
    return path.read_text(encoding="utf-8-sig"), path.resolve()


def argument_string(args: Mapping[str, Any] | None) -> str:
    """Write arguments as an ImageJ options string: ``radius=15 title=[two words]``.

    A macro reads it with ``getArgument()`` and one value with
    ``call("ij.Macro.getValue", getArgument(), "radius", "15")``, as Fiji
    macros read their options; every value is written so that this call
    gives it back exactly (see :func:`~ij_bgcorr.macro.text.option_value`).

    Parameters
    ----------
    args : mapping of str to object, optional
        The arguments. Numbers are written as ImageJ's recorder writes them,
        True as the bare key, and False is left out; any other value is text.

    Returns
    -------
    str
        The options string; empty without arguments.

    Raises
    ------
    CommandError
        When a key is not a lower-case word, a value is None, or a value cannot be read
        back by its key (it holds unbalanced brackets and a single quote, or another key
        followed by ``=``).
    """
    words, expected = [], {}
    for key, value in (args or {}).items():
        if not isinstance(key, str) or key != key.lower() \
                or not re.fullmatch(r"[^\s=:\[\]']+", key):
            raise CommandError(f"Macro argument names are lower-case words without '=', ':', "
                               f"brackets or quotes (ImageJ reads keys in lower case); got {key!r}")
        if value is None:
            raise CommandError(f"Macro argument {key!r} is None: give it a value, or leave it out")
        if isinstance(value, bool):
            if value:
                words.append(key)
            continue
        text = number(value) if isinstance(value, (int, float)) else str(value)
        try:
            words.append(f"{key}={option_value(text)}")
        except CommandError as exc:
            raise CommandError(f"Macro argument {key!r}: {exc}") from None
        expected[key] = text
    argument = " ".join(words)
    for key, text in expected.items():
        if option_of(argument, key) != text:
            raise CommandError(
                f"Macro argument {key!r} = {text!r} would not reach the macro intact: ImageJ "
                f"would read {option_of(argument, key)!r}, as another value holds {key + '='!r}; "
                "pass it as a script parameter (#@ String " + key + ") instead")
    return argument


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
