"""Leaving batch mode headless: every image ``"exit and display"`` shows is kept.

In the Fiji GUI, ``setBatchMode("exit and display")`` (or any string other
than ``"show"`` and ``"hide"``) shows every batch-mode image in a window, and
headless Fiji keeps them all. ImageJ without its main window (the embedded
engine) has nowhere to show them and drops all but the last. Staying in batch
mode keeps them all, with the same image active, which is what a headless run
can give back; so such calls are rewritten to ``setBatchMode(true)`` (a no-op
in batch mode, where every run starts), on both engines alike.
"""

from __future__ import annotations

import re

# setBatchMode("...") with a literal string; strings and // comments are skipped
_TOKENS = re.compile(r'(?P<call>\bsetBatchMode\s*\(\s*"(?P<arg>(?:\\.|[^"\\])*)"\s*\))'
                     r'|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|//[^\n]*')


def keep_displayed_images(code: str) -> str:
    """Rewrite ``setBatchMode("exit and display")`` calls so that every image stays open.

    Parameters
    ----------
    code : str
        Macro code.

    Returns
    -------
    str
        The code, each such call replaced by ``setBatchMode(true)``; ``"show"`` and
        ``"hide"`` calls, strings and comments untouched. Line numbers do not change.
    """
    def replace(match: re.Match[str]) -> str:
        arg = match["arg"]
        if match["call"] is None or arg.lower() in ("show", "hide"):
            return match[0]
        return "setBatchMode(true)"

    return _TOKENS.sub(replace, code)
