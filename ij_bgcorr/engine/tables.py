"""The tables a macro leaves behind (Results and named tables), as pandas DataFrames.

Two things differ from the Fiji GUI when ImageJ runs without its main window,
and are made to behave as in the GUI here:

* ``run("Measure")`` keeps only the last row of the Results table: ImageJ
  deletes the rows its (absent) Results window does not show; see
  :mod:`~ij_bgcorr.engine.hooks` for how the rows are kept, on both engines;
* named tables (``Table.create``, ``Array.show``) live in table windows. The
  embedded engine has a display, keeps those windows open while the macro
  runs (see :mod:`~ij_bgcorr.engine.watchdog`) and reads them at the end.
  Headless Fiji cannot hold them at all (see :func:`named_table_calls`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ij_bgcorr.engine.java import java


def reset_results() -> None:
    """Empty the Results table, as at the start of each macro run."""
    java.ResultsTable.getResultsTable().reset()


def results_frame() -> pd.DataFrame:
    """Return the Results table.

    Returns
    -------
    pandas.DataFrame
        See :func:`table_frame`.
    """
    return table_frame(java.ResultsTable.getResultsTable())


def table_frame(table: Any) -> pd.DataFrame:
    """Return an ImageJ ResultsTable as a DataFrame, numbers at full double precision.

    Parameters
    ----------
    table : ij.measure.ResultsTable
        The table.

    Returns
    -------
    pandas.DataFrame
        One column per heading, in ImageJ's order, one row per table row: float64 for
        numeric columns (the doubles ImageJ holds, not the rounded text it shows; a
        number given as text read from it), object columns of str and float where some
        cells hold text, str for row labels (``Label``).
    """
    rows = int(table.size())
    columns: dict[str, Any] = {}
    for heading in table.getHeadings() or []:
        name = str(heading)
        if name in (" ", ""):
            continue
        if name == "Label":
            columns[name] = [str(table.getLabel(row) or "") for row in range(rows)]
            continue
        columns[name] = _column(table, int(table.getColumnIndex(name)), rows)
    return pd.DataFrame(columns)


def _column(table: Any, index: int, rows: int) -> Any:
    """One column: its doubles, with the cells ImageJ holds as text read from that text.

    A text cell that is a number (``setResult("m", 0, "1.5")``) becomes that number; a
    column with other text cells holds str for those and float for the others.
    """
    values = np.array(table.getColumnAsDoubles(index), dtype=np.float64) if rows else \
        np.empty(0)
    cells: list[Any] = list(values)
    texts = False
    for row in np.flatnonzero(np.isnan(values)):
        text = str(table.getStringValue(index, int(row)))
        try:
            cells[row] = float(text) if text not in ("", "NaN") else np.nan
        except ValueError:
            cells[row], texts = text, True
    if not texts:
        return np.array(cells, dtype=np.float64)
    return pd.Series(cells, dtype=object)


def named_tables() -> dict[str, pd.DataFrame]:
    """Return every table shown in a window other than Results, by window title.

    Returns
    -------
    dict of str to pandas.DataFrame
        In the order the windows were opened; see :func:`table_frame`.
    """
    tables = {}
    for window in _table_windows():
        title = str(window.getTitle())
        if title != "Results":
            tables[title] = table_frame(window.getResultsTable())
    return tables


def close_text_windows() -> None:
    """Close every table (and other text) window without asking to save it.

    The Results and Log windows are closed as ImageJ closes them, so that ImageJ
    lets their text panels go (a later ``print`` opens a new Log).
    """
    for window in java.WindowManager.getNonImageWindows() or []:
        if not isinstance(window, java.TextWindow):
            continue
        if str(window.getTitle()) in ("Log", "Results"):
            window.close(False)
        else:
            java.WindowManager.removeWindow(window)
            window.dispose()


def _table_windows() -> list[Any]:
    """Return the open windows that show a ResultsTable."""
    frames = java.WindowManager.getNonImageWindows() or []
    return [f for f in frames
            if isinstance(f, java.TextWindow) and f.getResultsTable() is not None]


def log_window_text() -> str | None:
    """Return the Log window's text when ImageJ has its main window (else it prints)."""
    if java.IJ.getInstance() is None:
        return None
    text = java.IJ.getLog()
    return "" if text is None else str(text).rstrip("\n")
