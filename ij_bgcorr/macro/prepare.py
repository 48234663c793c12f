"""A user's macro made ready for a headless run: parameters filled, arguments written.

The same preparation serves both engines, so a macro gives the same outcome
on either: script parameters (``#@``) are filled from ``args`` as Fiji fills
them (:mod:`~ij_bgcorr.macro.parameters`), the other arguments reach
``getArgument()`` (:func:`~ij_bgcorr.macro.files.argument_string`), and
in batch mode ``setBatchMode("exit and display")`` keeps every image
(:mod:`~ij_bgcorr.macro.batchmode`). Line numbers never change, so ImageJ's
errors name the user's lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ij_bgcorr.errors import MacroError, ParameterError
from ij_bgcorr.macro.batchmode import keep_displayed_images
from ij_bgcorr.macro.failures import line_text
from ij_bgcorr.macro.files import argument_string
from ij_bgcorr.macro.parameters import declared_outputs, fill_parameters, parse_parameters
from ij_bgcorr.macro.text import SKIPPED_TEXT, quote

# Calls that make a table other than Results: Table.create("name"), Array.show(...), ...;
# strings and comments are matched too, to be skipped
_NAMED_TABLE = re.compile(
    r'(?P<call>\b(?:Table\.create|Array\.show|Table\.showArrays|Table\.rename|IJ\.renameResults))'
    r'\s*\(\s*(?P<first>"[^"\n]*")?|' + SKIPPED_TEXT, re.S)


# "sigma=&s": an option whose value is a macro variable
_VARIABLE_OPTION = re.compile(r"\b\w+=&\w+")
# text1=[...\n...]: a multi-line text field (an escaped line break inside the brackets)
_MULTILINE_FIELD = re.compile(r"text[12]=(?=\[[^\]]*\\n)")


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


def prepare_macro(code: str, args: Mapping[str, Any] | None, headless: bool,
                  gui: bool = False,
                  local_copies: Mapping[str, Path] | None = None) -> PreparedMacro:
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
    gui : bool, default False
        Whether the macro runs as in the GUI, where ``setBatchMode`` is ImageJ's own;
        else its calls do what headless Fiji does (:mod:`~ij_bgcorr.macro.batchmode`).
    local_copies : mapping of str to pathlib.Path, optional
        Files to open instead of the URLs the macro names (string literals equal to a
        URL are replaced by the file's path; lines keep their numbers).

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
    code = _local_files(code.removeprefix("\ufeff"), local_copies or {})  # a BOM is no text
    if headless:
        _refuse_named_tables(code)
        _refuse_what_headless_fiji_misreads(code)
    params = parse_parameters(code)[0]
    for p in params:
        if re.search(rf"\bfunction\s+{re.escape(p.name)}\s*\(", code):
            raise ParameterError(f"The macro's parameter {p.name!r} (line {p.line}) has the "
                                 "name of a function the macro defines: rename one of them")
    filled, rest = fill_parameters(code, args)
    outputs = tuple(declared_outputs(params))
    runnable = filled if gui else keep_displayed_images(filled)
    return PreparedMacro(runnable, argument_string(rest), outputs)


def _local_files(code: str, local_copies: Mapping[str, Path]) -> str:
    """Point string literals that hold one of ``local_copies``' URLs at its file instead.

    Only whole literals equal to a URL are replaced.
    """
    if not local_copies:
        return code
    copies = {quote(url): quote(str(local)) for url, local in local_copies.items()}

    def local(match: re.Match[str]) -> str:
        return copies.get(match[0], match[0])

    return re.sub(SKIPPED_TEXT, local, code, flags=re.S)


def _refuse_what_headless_fiji_misreads(code: str) -> None:
    """Raise MacroError at the first option headless Fiji would read otherwise than the GUI.

    Headless Fiji's replacement of ImageJ's dialog ignores ``&variable`` values
    (``"sigma=&s"`` ran with another sigma) and multi-line text fields
    (``text1=[...]`` with line breaks, Convolve's kernel): it would compute other numbers.
    Only string literals are read; options built at run time are not seen.
    """
    for match in re.finditer(SKIPPED_TEXT, code, flags=re.S):
        literal = match[0]
        if literal[0] not in "\"'":
            continue
        found = _VARIABLE_OPTION.search(literal) or _MULTILINE_FIELD.search(literal)
        if found is None:
            continue
        what = ("an &variable value" if found.re is _VARIABLE_OPTION else
                "a multi-line text field")
        shown = found[0] if found.re is _VARIABLE_OPTION else f"{found[0]}[...]"
        number = code.count("\n", 0, match.start()) + 1
        raise MacroError(
            f"{shown!r} gives {what}, which headless Fiji's dialog does not read as "
            "Fiji's GUI does (it would compute other numbers): run the macro on an engine "
            "with a display (the default), or write the value into the options string",
            line=number, code_line=line_text(code, number))


def _refuse_named_tables(code: str) -> None:
    """Raise MacroError at the first call that makes a table other than Results.

    Calls in strings and comments do not count; a call in code that never runs does
    (the check reads the text), and tables made by code the macro runs through
    ``runMacro`` or ``eval`` are not seen.
    """
    for match in _NAMED_TABLE.finditer(code):
        call = match["call"]
        if call is None or (call == "Table.create" and match["first"] == '"Results"'):
            continue
        number = code.count("\n", 0, match.start()) + 1
        raise MacroError(
            f"{call}() makes a table other than Results, which headless Fiji cannot hold (it "
            "puts the values in Results, or drops them): run the macro on the embedded "
            "engine, which returns every table by name, or write the values into the Results "
            "table", line=number, code_line=line_text(code, number))


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
