"""Compare what plain ImageJ's GUI left (the truth harness's outcome) with an engine's run.

``compare_outcomes(truth, ours) -> list[str]``: ``truth`` is the dict
:func:`tests.truth.imagej_gui.run_truth` returns, ``ours`` the
:class:`~ij_bgcorr.engine.results.MacroResult` of ``engine.run_macro(...)`` or the
:class:`~ij_bgcorr.MacroError` it raised. The answer is a list of human-readable
differences, empty when the two agree on everything compared:

* **how it ended**: the truth ran to its end (``ending`` "done", possibly after messages
  answered OK) and ours returned, or both stopped:

  - an error the truth names (the interpreter's "Macro Error" dialog, a command's error
    dialog, an ``IJ.error`` message followed by ImageJ's abort, a Java exception, a
    timeout): the same message (whitespace normalised; ours may start with the dialog's
    title, "Opener: ...", as a MacroError has no title of its own) and the same line;
  - a dialog that waits for a person (``waitForUser``, ``getNumber``, ``Dialog.show``, a
    command run without its options): the package words its own message (e.g.
    "waitForUser() waits for a person..."), so only the line is compared (the truth's is
    the interpreter's line while the dialog showed);
  - and, for both kinds, what the macro had printed before (``MacroError.log``).

* **after a normal end**: the set of image titles (a title several images share gets
  ``-2``, ``-3``, ... in opening order on both sides, as the package names them), then
  per image its dtype, shape and pixels, exactly (plots, e.g. "Plot of input", are
  images and are compared too); the Results table (same columns, same number of rows,
  every value: floats exactly with NaN equal to NaN, text as text); the Log text; the
  other tables by title, the same way as Results.

How the two sides lay out the same things (not differences):

* truth pixels are ``(nframes, nslices, nchannels, height, width)`` (RGB: a last axis of
  3); ours are ``(t, pln, row, col, ch)`` with size-1 ``t``/``pln``/``ch`` dropped (RGB:
  ``ch`` of 3 kept). The truth is transposed to ours before comparing;
* the package returns the Log window's text without its trailing newline (``print("a")``
  leaves "a\\n" in ImageJ's Log, ``.log`` is "a"): trailing newlines are not compared;
* the truth writes tables to CSV (numbers as Python ``repr`` of the doubles, so exact);
  a cell that reads as a number is a number on both sides (the package turns a number
  given as text into that number too); ``Label`` is text; blank headings are row numbers.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: differences listed per image / table before "... and N more"
MAX_CELLS = 3


def compare_outcomes(truth: Mapping[str, Any], ours: Any, *,
                     exact_values: bool = True) -> list[str]:
    """Return the differences between the truth's outcome and ours (empty: identical).

    Parameters
    ----------
    truth : mapping
        An outcome of the truth harness (``run_truth``).
    ours : MacroResult or MacroError
        What the engine under test gave for the same macro and inputs.
    exact_values : bool, default True
        False for a macro that draws random numbers (each run its own): then only how it
        ended, the image titles, dtypes and shapes, the tables' columns and row counts and
        the number of Log lines are compared, not pixels, cells or Log text.

    Returns
    -------
    list of str
        One human-readable line per difference, most important first.
    """
    problem = _harness_problem(truth)
    if problem:
        return [problem]
    stopped = _truth_stopped(truth)
    is_error = _is_macro_error(ours)
    if stopped and not is_error:
        return [f"the truth stopped ({_describe_stop(truth)}) but ours ran to its end"]
    if not stopped and is_error:
        return [f"the truth ran to its end but ours raised {type(ours).__name__}: "
                f"{_one_line(ours.message)} (line {ours.line})"]
    if stopped:
        return _compare_errors(truth, ours)
    diffs = _compare_images(truth, ours.images, exact_values)
    diffs += _compare_table("Results", _truth_results(truth), ours.results, exact_values)
    diffs += _compare_log(truth.get("log") or "", ours.log, exact=exact_values)
    diffs += _compare_tables(truth, ours.tables, exact_values)
    return diffs


# --- how it ended --------------------------------------------------------------------------

def _harness_problem(truth: Mapping[str, Any]) -> str:
    if truth.get("crashed"):
        error = truth.get("error") or {}
        return f"the truth harness crashed: {error.get('message')}"
    return ""


def _truth_stopped(truth: Mapping[str, Any]) -> bool:
    return truth.get("ending") != "done" or truth.get("error") is not None \
        or truth.get("dialog") is not None


def _describe_stop(truth: Mapping[str, Any]) -> str:
    error, dialog = truth.get("error"), truth.get("dialog")
    if error is not None:
        return (f"{truth.get('ending')}: {_one_line(error.get('message'))} "
                f"(line {error.get('line')})")
    if dialog is not None:
        return (f"a {dialog.get('kind')} dialog {dialog.get('title')!r} "
                f"(line {dialog.get('line')})")
    return str(truth.get("ending"))


def _is_macro_error(ours: Any) -> bool:
    return isinstance(ours, BaseException) and hasattr(ours, "message") and hasattr(ours, "line")


def _compare_errors(truth: Mapping[str, Any], ours: Any) -> list[str]:
    diffs: list[str] = []
    error, dialog = truth.get("error"), truth.get("dialog")
    ours_text = f"{_one_line(ours.message)!r} (line {ours.line})"
    if truth.get("timeout") or truth.get("ending") in ("timeout", "killed"):
        if type(ours).__name__ != "MacroTimeout":
            diffs.append(f"the truth timed out, ours raised {type(ours).__name__}: {ours_text}")
        return diffs
    if error is not None:
        if not _same_message(error, ours.message):
            diffs.append(f"error message: truth {_one_line(error.get('message'))!r} "
                         f"({truth.get('ending')}), ours {_one_line(ours.message)!r}")
        if error.get("line") != ours.line:
            diffs.append(f"error line: truth {error.get('line')}, ours {ours.line}")
    elif dialog is not None:  # waits for a person: the package words it its own way
        if dialog.get("line") != ours.line:
            diffs.append(f"stopped at a {dialog.get('kind')} dialog {dialog.get('title')!r} at "
                         f"line {dialog.get('line')} in the truth; ours at line {ours.line}: "
                         f"{_one_line(ours.message)!r}")
    diffs += _compare_log(truth.get("log") or "", getattr(ours, "log", "") or "",
                          what="log before the error")
    return diffs


def _same_message(error: Mapping[str, Any], message: str) -> bool:
    """The same message, whitespace normalised; ours may begin with the dialog's title.

    (A MacroError has no title: the package puts an ``IJ.error`` message's title, e.g.
    "Opener", in front of its message.)
    """
    want, got = _normalise(error.get("message")), _normalise(message)
    title = _normalise(error.get("title"))
    return got == want or bool(title) and got == f"{title}: {want}"


def _normalise(text: Any) -> str:
    return " ".join(str(text or "").split())


def _one_line(text: Any, limit: int = 160) -> str:
    flat = _normalise(text)
    return flat if len(flat) <= limit else flat[:limit - 3] + "..."


# --- images --------------------------------------------------------------------------------

def truth_images(truth: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The truth's images by title, made unique as the package makes them (``-2``, ...)."""
    found: dict[str, dict[str, Any]] = {}
    for entry in truth.get("images") or []:
        key, n = entry["title"], 2
        while key in found:
            key, n = f"{entry['title']}-{n}", n + 1
        found[key] = entry
    return found


def as_ours(array: np.ndarray, rgb: bool) -> np.ndarray:
    """A truth array ``(t, z, c, h, w[, 3])`` in the package's layout (size-1 t, z, c dropped)."""
    if rgb:
        t, z, _c, h, w, _ = array.shape
        out = array.reshape(t, z, h, w, 3)
        keep = [n > 1 for n in (t, z)] + [True, True, True]
    else:
        out = np.moveaxis(array, 2, -1)  # (t, z, h, w, c)
        t, z, h, w, c = out.shape
        keep = [t > 1, z > 1, True, True, c > 1]
    return out.reshape([n for n, k in zip(out.shape, keep, strict=True) if k])


def _compare_images(truth: Mapping[str, Any], ours: Mapping[str, Any],
                    exact: bool = True) -> list[str]:
    expected = truth_images(truth)
    diffs = []
    missing = [t for t in expected if t not in ours]
    extra = [t for t in ours if t not in expected]
    if missing or extra:
        diffs.append(f"image titles: truth {list(expected)}, ours {list(ours)}"
                     + (f" (only in the truth: {missing})" if missing else "")
                     + (f" (only in ours: {extra})" if extra else ""))
    for title, entry in expected.items():
        if title in ours:
            diffs += _compare_pixels(title, entry, ours[title], exact)
    return diffs


def _compare_pixels(title: str, entry: Mapping[str, Any], image: Any,
                    exact: bool = True) -> list[str]:
    raw = np.load(entry["file"])
    rgb = raw.ndim == 6
    want = as_ours(raw, rgb)
    got = np.asarray(getattr(image, "values", image))
    what = "plot " if entry.get("plot") else ""
    if want.dtype != got.dtype:
        return [f"{what}image {title!r}: dtype truth {want.dtype}, ours {got.dtype}"]
    if want.shape != got.shape:
        return [f"{what}image {title!r}: shape truth {want.shape}, ours {got.shape}"]
    if not exact:
        return []
    if want.dtype.kind == "f":
        same = (want == got) | (np.isnan(want) & np.isnan(got))
    else:
        same = want == got
    if same.all():
        return []
    bad = np.argwhere(~same)
    first = tuple(int(i) for i in bad[0])
    wide = np.float64 if want.dtype.kind == "f" else np.int64
    delta = np.abs(want.astype(wide) - got.astype(wide))
    delta = delta[~same & ~np.isnan(delta)] if want.dtype.kind == "f" else delta[~same]
    biggest = f", largest difference {float(delta.max()):g}" if delta.size else ""
    return [f"{what}image {title!r}: {len(bad)} of {want.size} pixels differ{biggest}; first "
            f"at {first}: truth {want[first]!r}, ours {got[first]!r}"]


# --- tables and log ------------------------------------------------------------------------

def read_truth_table(path: str | Path) -> tuple[list[str], list[list[Any]]]:
    """Headings and rows of a table the truth wrote (numbers as floats, others as text)."""
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        return [], []
    headings = rows[0]
    body = [[cell if heading == "Label" else _number_or_text(cell)
             for heading, cell in zip(headings, row, strict=False)] for row in rows[1:]]
    return headings, body


def _number_or_text(cell: str) -> Any:
    try:
        return float(cell)
    except ValueError:
        return cell


def _truth_results(truth: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    path = truth.get("results")
    return read_truth_table(path) if path else ([], [])


def _frame_rows(frame: Any) -> tuple[list[str], list[list[Any]]]:
    headings = [str(c) for c in frame.columns]
    return headings, [list(row) for row in frame.itertuples(index=False, name=None)]


def _same_cell(a: Any, b: Any) -> bool:
    a, b = _cell(a), _cell(b)
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def _cell(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if value is None:
        return math.nan
    return str(value)


def _compare_table(title: str, truth: tuple[list[str], list[list[Any]]], frame: Any,
                   exact: bool = True) -> list[str]:
    want_headings, want_rows = truth
    got_headings, got_rows = _frame_rows(frame)
    keep_want = [i for i, h in enumerate(want_headings) if h.strip()]
    keep_got = [i for i, h in enumerate(got_headings) if h.strip()]
    want_headings = [want_headings[i] for i in keep_want]
    got_headings = [got_headings[i] for i in keep_got]
    if want_headings != got_headings:
        return [f"{title}: columns truth {want_headings}, ours {got_headings}"]
    if len(want_rows) != len(got_rows):
        return [f"{title}: {len(want_rows)} rows in the truth, {len(got_rows)} in ours"]
    if not exact:
        return []
    cells = []
    for row, (want, got) in enumerate(zip(want_rows, got_rows, strict=True)):
        want = [want[i] if i < len(want) else "" for i in keep_want]
        got = [got[i] for i in keep_got]
        for heading, a, b in zip(want_headings, want, got, strict=True):
            if not _same_cell(a, b):
                cells.append((row, heading, a, b))
    if not cells:
        return []
    shown = "; ".join(f"row {r} {h!r}: truth {_cell(a)!r}, ours {_cell(b)!r}"
                      for r, h, a, b in cells[:MAX_CELLS])
    more = f" ... and {len(cells) - MAX_CELLS} more" if len(cells) > MAX_CELLS else ""
    return [f"{title}: {len(cells)} cells differ: {shown}{more}"]


def _compare_tables(truth: Mapping[str, Any], ours: Mapping[str, Any],
                    exact: bool = True) -> list[str]:
    expected = dict(truth.get("tables") or {})
    diffs = []
    if set(expected) != set(ours):
        diffs.append(f"tables: truth {sorted(expected)}, ours {sorted(ours)}")
    for title, path in expected.items():
        if title in ours:
            diffs += _compare_table(f"table {title!r}", read_truth_table(path), ours[title],
                                    exact)
    return diffs


def _compare_log(truth: str, ours: str, what: str = "log", exact: bool = True) -> list[str]:
    want, got = truth.rstrip("\n"), (ours or "").rstrip("\n")
    a, b = want.splitlines(), got.splitlines()
    if want == got or not exact and len(a) == len(b):
        return []
    for n, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return [f"{what}: line {n + 1}: truth {x!r}, ours {y!r} "
                    f"({len(a)} and {len(b)} lines)"]
    return [f"{what}: truth has {len(a)} lines, ours {len(b)}; first extra line: "
            f"{(a[len(b)] if len(a) > len(b) else b[len(a)])!r}"]


def summary(diffs: Sequence[str], limit: int = 2) -> str:
    """The first differences on one line, for a report."""
    shown = "; ".join(diffs[:limit])
    return shown + (f" (+{len(diffs) - limit} more)" if len(diffs) > limit else "")


__all__ = ["as_ours", "compare_outcomes", "read_truth_table", "summary", "truth_images"]
