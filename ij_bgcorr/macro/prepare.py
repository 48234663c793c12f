"""A user's macro made ready for a headless run: parameters filled, arguments written.

The same preparation serves both engines, so a macro gives the same outcome
on either: script parameters (``#@``) are filled from ``args`` as Fiji fills
them (:mod:`~ij_bgcorr.macro.parameters`), the other arguments reach
``getArgument()`` (:func:`~ij_bgcorr.macro.files.argument_string`), and
``setBatchMode("exit and display")`` keeps every image
(:mod:`~ij_bgcorr.macro.batchmode`). Line numbers never change, so ImageJ's
errors name the user's lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ij_bgcorr.errors import MacroError
from ij_bgcorr.macro.batchmode import keep_displayed_images
from ij_bgcorr.macro.failures import line_text
from ij_bgcorr.macro.files import argument_string
from ij_bgcorr.macro.parameters import declared_outputs, fill_parameters, parse_parameters

# Calls that make a table other than Results: Table.create("name"), Array.show(...), ...
_NAMED_TABLE = re.compile(
    r'\b(?P<call>Table\.create|Array\.show|Table\.showArrays|Table\.rename|IJ\.renameResults)'
    r'\s*\(\s*(?P<first>"[^"]*")?')
_STRING_OR_COMMENT = re.compile(r'"(?:\\.|[^"\\])*"|//.*$')


@dataclass(frozen=True)
class PreparedMacro:
    """A macro ready for ImageJ's interpreter.

    Attributes
    ----------
    code : str
        What the interpreter runs; line N is the user's line N.
    argument : str
        What ``getArgument()`` returns.
    outputs : tuple of str
        The variables declared as outputs (``#@output String result``), to read after the run.
    """

    code: str
    argument: str
    outputs: tuple[str, ...] = ()


def prepare_macro(code: str, args: Mapping[str, Any] | None, headless: bool) -> PreparedMacro:
    """Fill a macro's script parameters and write its other arguments.

    Parameters
    ----------
    code : str
        The user's macro.
    args : mapping of str to object, optional
        Values for its ``#@`` parameters, by name; the others reach ``getArgument()``.
    headless : bool
        Whether ImageJ runs without any display (headless Fiji), where tables other than
        Results cannot exist.

    Returns
    -------
    PreparedMacro

    Raises
    ------
    ParameterError
        A parameter is missing or its value does not fit (see
        :func:`~ij_bgcorr.macro.parameters.fill_parameters`).
    CommandError
        An argument cannot reach ``getArgument()`` intact.
    MacroError
        ``headless`` and the macro makes a named table, which headless Fiji cannot hold
        (it would put the values in Results, or drop them).
    """
    if headless:
        _refuse_named_tables(code)
    filled, rest = fill_parameters(code, args)
    outputs = tuple(declared_outputs(parse_parameters(code)[0]))
    return PreparedMacro(keep_displayed_images(filled), argument_string(rest), outputs)


def _refuse_named_tables(code: str) -> None:
    """Raise MacroError at the first call that makes a table other than Results."""
    for number, text in enumerate(code.splitlines(), start=1):
        # blank out strings after the call's first argument, and comments
        for match in _NAMED_TABLE.finditer(_without_comment(text)):
            if match["first"] == '"Results"' and match["call"] == "Table.create":
                continue
            raise MacroError(
                f"{match['call']}() makes a table other than Results, which headless Fiji "
                "cannot hold (it puts the values in Results, or drops them): run the macro "
                "on the embedded engine, which returns every table by name, or write the "
                "values into the Results table", line=number, code_line=line_text(code, number))


def _without_comment(text: str) -> str:
    """Return a line without its ``//`` comment (strings kept)."""
    return _STRING_OR_COMMENT.sub(lambda m: "" if m[0].startswith("//") else m[0], text)


@contextmanager
def errors_name_lines_of(code: str) -> Iterator[None]:
    """Re-raise a MacroError from a prepared macro showing the user's own line.

    Parameters
    ----------
    code : str
        The user's macro (the prepared one has the same lines, the first one prefixed).

    Yields
    ------
    None
    """
    try:
        yield
    except MacroError as exc:
        shown = line_text(code, exc.line)
        if shown is None or shown == exc.code_line:
            raise
        raise type(exc)(exc.message, exc.line, shown, exc.log) from None
