"""The comparator (``compare.py``) on made-up outcomes: no Java, no display."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from ij_bgcorr import MacroError
from ij_bgcorr.engine.results import MacroResult
from ij_bgcorr.errors import MacroTimeout

from .compare import as_ours, compare_outcomes, summary


def _truth(tmp_path: Path, images: dict[str, np.ndarray] | None = None, log: str = "",
           results: list[list[Any]] | None = None,
           tables: dict[str, list[list[Any]]] | None = None, **fields: Any) -> dict[str, Any]:
    """A truth outcome as the harness writes it: arrays (t, z, c, h, w[, 3]) in .npy files."""
    entries = []
    for n, (title, array) in enumerate((images or {}).items()):
        path = tmp_path / f"image_{n:02d}.npy"
        np.save(path, array)
        entries.append({"title": title, "file": str(path), "plot": title.startswith("Plot")})

    def csv_file(name: str, rows: list[list[Any]]) -> str:
        path = tmp_path / name
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            for row in rows:
                writer.writerow([repr(v) if isinstance(v, float) else v for v in row])
        return str(path)

    outcome = {"ending": "done", "error": None, "dialog": None, "crashed": False,
               "timeout": False, "images": entries, "log": log,
               "results": csv_file("Results.csv", results) if results else None,
               "tables": {t: csv_file(f"table_{i}.csv", rows)
                          for i, (t, rows) in enumerate((tables or {}).items())}}
    outcome.update(fields)
    return outcome


def _ours(images: dict[str, np.ndarray] | None = None, log: str = "",
          results: pd.DataFrame | None = None,
          tables: dict[str, pd.DataFrame] | None = None) -> MacroResult:
    arrays = {t: xr.DataArray(a) for t, a in (images or {}).items()}
    return MacroResult(arrays, log, pd.DataFrame() if results is None else results,
                       tables=tables or {})


def test_layouts_agree() -> None:
    stack = np.arange(2 * 3 * 4 * 5).reshape(2, 1, 3, 4, 5)  # t=2, z=1, c=3
    assert as_ours(stack, rgb=False).shape == (2, 4, 5, 3)
    np.testing.assert_array_equal(as_ours(stack, rgb=False)[1, 2, 3], stack[1, 0, :, 2, 3])
    rgb = np.zeros((1, 1, 1, 4, 5, 3), np.uint8)
    assert as_ours(rgb, rgb=True).shape == (4, 5, 3)
    assert as_ours(np.zeros((1, 1, 1, 1, 7)), rgb=False).shape == (1, 7)  # row kept


def test_identical_runs_have_no_differences(tmp_path: Path) -> None:
    plane = np.arange(12, dtype=np.uint8).reshape(3, 4)
    truth = _truth(tmp_path, {"a": plane[None, None, None], "a ": plane[None, None, None]},
                   log="hello\n", results=[["Label", "Area", "Mean"], ["a", 12.0, 1 / 3]],
                   tables={"T": [["x", "name"], [0.5, "abc"], [float("nan"), "de"]]})
    ours = _ours({"a": plane, "a ": plane}, log="hello",
                 results=pd.DataFrame({"Label": ["a"], "Area": [12.0], "Mean": [1 / 3]}),
                 tables={"T": pd.DataFrame({"x": [0.5, np.nan], "name": ["abc", "de"]})})
    assert compare_outcomes(truth, ours) == []


def test_pixels_titles_dtypes_are_compared(tmp_path: Path) -> None:
    plane = np.zeros((3, 4), np.float32)
    truth = _truth(tmp_path, {"a": plane[None, None, None], "gone": plane[None, None, None]})
    changed = plane.copy()
    changed[1, 2] = 0.5
    diffs = compare_outcomes(truth, _ours({"a": changed, "new": plane}))
    assert diffs[0].startswith("image titles:") and "only in ours: ['new']" in diffs[0]
    assert "1 of 12 pixels differ" in diffs[1] and "(1, 2)" in diffs[1]
    diffs = compare_outcomes(truth, _ours({"a": plane.astype(np.float64), "gone": plane}))
    assert diffs == ["image 'a': dtype truth float32, ours float64"]


def test_results_log_and_tables_are_compared(tmp_path: Path) -> None:
    truth = _truth(tmp_path, log="a\nb\n", results=[["Area", "Mean"], [1.0, 2.0], [1.0, 3.0]],
                   tables={"T": [["x"], [1.0]]})
    ours = _ours(log="a\nc", results=pd.DataFrame({"Area": [1.0, 1.0], "Mean": [2.0, 3.5]}),
                 tables={"U": pd.DataFrame({"x": [1.0]})})
    diffs = compare_outcomes(truth, ours)
    assert diffs[0] == "Results: 1 cells differ: row 1 'Mean': truth 3.0, ours 3.5"
    assert diffs[1].startswith("log: line 2: truth 'b', ours 'c'")
    assert diffs[2] == "tables: truth ['T'], ours ['U']"
    assert compare_outcomes(_truth(tmp_path, results=[["Area"], [1.0]]), _ours()) == [
        "Results: columns truth ['Area'], ours []"]


def test_an_error_must_match_in_message_and_line(tmp_path: Path) -> None:
    error = {"title": "Macro Error", "message": "Undefined variable", "line": 3,
             "texts": [], "statement": None}
    truth = _truth(tmp_path, ending="dialog", error=error, log="x\n",
                   dialog={"kind": "macro error", "title": "Macro Error", "line": None})
    assert compare_outcomes(truth, MacroError("Undefined  variable", 3, log="x")) == []
    assert compare_outcomes(truth, MacroError("Undefined variable", 4, log="x")) == [
        "error line: truth 3, ours 4"]
    assert "ours ran to its end" in compare_outcomes(truth, _ours())[0]
    assert "ours raised MacroError" in compare_outcomes(_truth(tmp_path), MacroError("m", 1))[0]
    aborted = _truth(tmp_path, ending="aborted", error=dict(error, title="Opener",
                                                            message="File not found: /x"))
    assert compare_outcomes(aborted, MacroError("Opener: File not found: /x", 3)) == []


def test_a_dialog_waiting_for_a_person_needs_only_the_line(tmp_path: Path) -> None:
    truth = _truth(tmp_path, ending="dialog", log="before\n",
                   dialog={"kind": "wait for user", "title": "Action Required", "line": 4})
    ours = MacroError("waitForUser() waits for a person to click OK", 4, log="before")
    assert compare_outcomes(truth, ours) == []
    assert "ours at line 5" in compare_outcomes(truth, MacroError("w", 5, log="before"))[0]


@pytest.mark.parametrize("crashed", [True, False])
def test_harness_failures_and_timeouts(tmp_path: Path, crashed: bool) -> None:
    error = {"title": "timeout", "message": "still running", "line": None}
    truth = _truth(tmp_path, ending="crashed" if crashed else "timeout", crashed=crashed,
                   timeout=not crashed, error=error)
    diffs = compare_outcomes(truth, MacroTimeout("slow", 2))
    assert diffs == (["the truth harness crashed: still running"] if crashed else [])


def test_summary_is_one_line() -> None:
    assert summary(["a", "b", "c"]) == "a; b (+1 more)"
