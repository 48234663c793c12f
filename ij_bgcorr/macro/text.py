"""Macro text: string literals, options strings, numbers, ``run(...)`` lines.

ImageJ's recorder writes ``run("Median...", "radius=15");``; the functions
here write lines the same way, so a line this package runs is the line a user
would paste into Fiji.
"""

from __future__ import annotations

import numbers


def quote(text: str) -> str:
    """Write ``text`` as a macro string literal.

    Parameters
    ----------
    text : str
        Any one-line text.

    Returns
    -------
    str
        ``text`` in double quotes, its backslashes and double quotes escaped.
    """
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def option_value(text: str) -> str:
    """Write a value in an options string; ImageJ needs brackets around spaces.

    Parameters
    ----------
    text : str
        The value.

    Returns
    -------
    str
        ``[text]`` when it holds a space, else ``text``.
    """
    return f"[{text}]" if " " in text else text


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
        every digit of their ``repr``.
    """
    if isinstance(value, numbers.Integral):
        return str(int(value))
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
