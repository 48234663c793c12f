"""Leaving batch mode headless, as headless Fiji does, on both engines.

Headless Fiji never really leaves batch mode: ``setBatchMode(false)`` keeps
the active image and discards the other batch-mode images (as the Fiji GUI
does, which shows the active one), ``setBatchMode("exit and display")`` (any
string but ``"show"`` and ``"hide"``) keeps them all, images made afterwards
are kept, and ``is("Batch Mode")`` stays true. ImageJ without its main window
(the embedded engine) has nowhere to show images and would drop them.

So every ``setBatchMode(...)`` call is routed through one macro function,
added at the start of line 1 (line numbers do not change), that does what
headless Fiji does; on Fiji it gives what Fiji gives anyway, so both engines
run the same code.
"""

from __future__ import annotations

import re

from ij_bgcorr.macro.text import SKIPPED_TEXT

#: The macro function every setBatchMode call is routed through.
FUNCTION = "ijBgcorrSetBatchMode"

# Its definition, on one line. Its variables have names no macro uses, because an
# assignment inside a macro function changes a global variable of the same name.
_DEFINITION = (
    f"function {FUNCTION}(ijBgcorrMode) {{ ijBgcorrText = toLowerCase(\"\" + ijBgcorrMode); "
    "if (ijBgcorrText == \"0\") { if (nImages > 0) { ijBgcorrKeep = getImageID(); "
    "for (ijBgcorrI = nImages; ijBgcorrI >= 1; ijBgcorrI--) { selectImage(ijBgcorrI); "
    "if (getImageID() != ijBgcorrKeep) close(); } selectImage(ijBgcorrKeep); } } "
    "else if (ijBgcorrText == \"show\" || ijBgcorrText == \"hide\" || "
    "!isNaN(parseFloat(ijBgcorrText))) setBatchMode(ijBgcorrMode); "
    "else setBatchMode(true); } ")

# a setBatchMode call's name; strings and comments are matched to be skipped
_TOKENS = re.compile(r"(?P<call>\bsetBatchMode(?=\s*\())|" + SKIPPED_TEXT, re.S)


def keep_displayed_images(code: str) -> str:
    """Route every ``setBatchMode(...)`` call through a function that does what headless Fiji does.

    Parameters
    ----------
    code : str
        Macro code.

    Returns
    -------
    str
        The code unchanged when it never calls ``setBatchMode``; else with each call
        renamed to :data:`FUNCTION` and the function defined at the start of line 1.
        Strings and comments are untouched; line numbers do not change.
    """
    calls = 0

    def rename(match: re.Match[str]) -> str:
        nonlocal calls
        if match["call"] is None:
            return match[0]
        calls += 1
        return FUNCTION

    renamed = _TOKENS.sub(rename, code)
    return _DEFINITION + renamed if calls else code
