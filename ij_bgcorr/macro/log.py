r"""The Log window's text, from the lines a macro printed.

Without a Log window ImageJ prints every line as it is, its Log commands too.
The Log window obeys them: a line ``\Clear`` empties it, ``\Update:text``
replaces its last line, ``\Update3:text`` its line 3 (0 to 25), and
``\Close`` and ``\Heading:`` change the window, not its text.
:func:`log_text` gives what the window would show.
"""

from __future__ import annotations

import re

_UPDATE_LINE = re.compile(r"\\Update(\d+):(.*)", re.S)
_LAST_LINE = 25  # the highest line \UpdateN: may name


def log_text(printed: list[str]) -> str:
    """Return what the Fiji GUI's Log window would show after these printed lines.

    Parameters
    ----------
    printed : list of str
        The lines, in order.

    Returns
    -------
    str
        The Log's lines, joined by newlines.
    """
    lines: list[str] = []
    for text in printed:
        numbered = _UPDATE_LINE.fullmatch(text)
        if text == "\\Clear":
            lines.clear()
        elif text.startswith("\\Update:"):
            if lines:
                lines[-1] = text.removeprefix("\\Update:")
            else:
                lines.append(text.removeprefix("\\Update:"))
        elif numbered and int(numbered[1]) <= _LAST_LINE:
            index = int(numbered[1])
            lines.extend([""] * (index + 1 - len(lines)))
            lines[index] = numbered[2]
        elif text in ("\\Close", "\\Closed") or text.startswith("\\Heading:"):
            continue
        else:
            lines.append(text)
    return "\n".join(lines)
