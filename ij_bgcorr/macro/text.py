"""Macro text: string literals, options strings, numbers, ``run(...)`` lines.

ImageJ's recorder writes ``run("Median...", "radius=15");``; the functions
here write lines the same way, so a line this package runs is the line a user
would paste into Fiji.
"""

from __future__ import annotations

import math
import numbers
import re

from ij_bgcorr.errors import CommandError

#: A regular expression for the macro text a scan for calls must skip: string
#: literals ("..." and '...', on one line), // comments and /* ... */ comments
#: (to the end of the text when unclosed). Compile with ``re.S``.
SKIPPED_TEXT = (r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|//[^\n]*'
                r"|/\*.*?(?:\*/|$)")


# ImageJ's tokenizer (java.io.StreamTokenizer) ends a string literal at a line end and
# reads these escapes back: \n \r \t \f \b, and three octal digits for any other code
_ESCAPES = {code: f"\\{code:03o}" for code in (*range(32), 127)} | {
    ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", ord("\f"): "\\f",
    ord("\b"): "\\b", ord("\\"): "\\\\", ord('"'): '\\"'}


def quote(text: str) -> str:
    r"""Write ``text`` as a macro string literal that ImageJ reads back as ``text``.

    Parameters
    ----------
    text : str
        Any text, line ends and other control characters included.

    Returns
    -------
    str
        ``text`` in double quotes, on one line: backslashes and double quotes
        escaped, newline, carriage return, tab, form feed and backspace written
        ``\n``, ``\r``, ``\t``, ``\f``, ``\b``, other control characters
        as three octal digits (``\001``).

    Examples
    --------
    >>> print(quote('/data/a "b"\\c.tif'))
    "/data/a \"b\"\\c.tif"
    >>> print(quote("/data/new\nline\t1.tif"))
    "/data/new\nline\t1.tif"
    """
    return '"' + text.translate(_ESCAPES) + '"'


def option_value(text: str) -> str:
    """Write a value in an options string so that ImageJ's ``Macro.getValue`` reads it back.

    ImageJ ends a bare value at the first space, a ``[...]`` value at the
    bracket that balances the opening one, and a ``'...'`` value at the next
    single quote; the shortest of these forms that gives ``text`` back is used.

    Parameters
    ----------
    text : str
        The value.

    Returns
    -------
    str
        ``text`` as it is, in brackets, or in single quotes.

    Raises
    ------
    CommandError
        When no form gives ``text`` back: it holds unbalanced brackets and a single quote.
    """
    if text and " " not in text and text[0] not in "['":
        return text
    if _balanced(text):
        return f"[{text}]"
    if "'" not in text:
        return f"'{text}'"
    raise CommandError(f"ImageJ's options cannot hold the value {text!r}: it has unbalanced "
                       "brackets and a single quote")


def _balanced(text: str) -> bool:
    """Tell whether ``[text]`` closes at its last bracket, as ImageJ counts brackets."""
    depth = 1
    for ch in text:
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if depth == 0:
            return False
    return depth == 1


def option_of(options: str, key: str) -> str | None:
    """Return the value ``key`` has in an options string, read the way ImageJ reads it.

    Written here (ImageJ's ``Macro.getValue`` is in Java) so that an options
    string can be checked before ImageJ sees it.

    Parameters
    ----------
    options : str
        An options string, e.g. ``"radius=15 title=[a b]"``.
    key : str
        The key, e.g. ``"title"``.

    Returns
    -------
    str or None
        The value; None when ImageJ would find none.
    """
    options += " "
    key = key.split(" ")[0].split(":")[0].lower()  # ImageJ's Macro.trimKey
    found = re.search(rf"(?<![^\W\d_]){re.escape(key)}=", options)
    if found is None:
        return None
    rest = options[found.end():]
    if rest[0] == "'":
        end = rest.find("'", 1)
        return rest[1:end] if end > 0 else None
    if rest[0] == "[":
        depth = 0
        for i, ch in enumerate(rest):
            depth += {"[": 1, "]": -1}.get(ch, 0)
            if depth == 0:
                return rest[1:i]
        return None
    return rest[:rest.index(" ")]


def number(value: float) -> str:
    """Write a number as ImageJ's recorder writes it, without losing digits: 15, 12.3456789.

    Parameters
    ----------
    value : float
        Any real number (integers too).

    Returns
    -------
    str
        Integers and whole floats without a decimal point; other floats with
        every digit of their ``repr``; ``NaN``, ``Infinity``, ``-Infinity``.
    """
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if not math.isfinite(value):  # as Java writes them, and reads them back
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def run_line(command: str, options: list[str]) -> str:
    """Write ``run("Command...", "options");``, or without options when there are none.

    Parameters
    ----------
    command : str
        ImageJ's command name, e.g. ``"Median..."``.
    options : list of str
        The option words, e.g. ``["radius=15", "stack"]``.

    Returns
    -------
    str
        One macro line.
    """
    if not options:
        return f"run({quote(command)});"
    return f"run({quote(command)}, {quote(' '.join(options))});"
