"""What a macro run gives back to Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import xarray as xr


@dataclass
class MacroResult:
    r"""What :meth:`Engine.run_macro` returns.

    Attributes
    ----------
    images : dict of str to xarray.DataArray
        The images, by window title.
    log, returned : str, str or None
        The Log window's text (what ``print`` wrote); the string the macro returned, if any.
    results : pandas.DataFrame
        The Results table: every row the macro's measurements added.
    tables : dict of str to pandas.DataFrame
        The other tables the macro made (``Table.create``, ``Array.show``), by title.
    outputs : dict of str to (float, str or None)
        The values of the macro's output parameters (``#@output String result``), by name: a
        str or a float (0 for one the macro never set, as in ImageJ); arrays are not read.
    mode : {"gui", "batch"}
        How the macro ran: as in the Fiji GUI, or in batch mode as headless Fiji runs it.
    messages : list of str
        The messages ImageJ showed in a dialog and that were answered OK
        (``showMessage``, ``exit("...")``), each as ``"title: text"``, or the text
        alone when ImageJ gave no title of its own.

    Examples
    --------
    A macro gets its inputs by title, and leaves images, Log text and measurements:

    >>> from ij_bgcorr import data
    >>> fiji = ijb.start()
    >>> macro = 'run("Median...", "radius=2"); run("Measure"); print(getTitle());'
    >>> result = fiji.run_macro(macro, inputs={"input": data.load(data.SPOTS)})
    >>> result  # doctest: +NORMALIZE_WHITESPACE
    <MacroResult (gui) images={'input': {'row': 256, 'col': 256} uint8}, log: 1 lines,
     results: 1 rows x 4 columns>
    >>> result.log.splitlines()
    ['input']
    >>> result.results.columns.tolist(), float(result.results["Max"][0])
    (['Area', 'Mean', 'Min', 'Max'], 224.0)
    >>> int((result["input"] != ijb.reference.median(data.load(data.SPOTS), 2)).sum())
    0

    Script parameters are filled from ``args``; a returned string is kept:

    >>> result = fiji.run_macro('#@ Integer radius\nreturn "radius " + radius;',
    ...                         args={"radius": 15})
    >>> result.returned
    'radius 15'
    """

    images: dict[str, xr.DataArray] = field(default_factory=dict)
    log: str = ""
    results: pd.DataFrame = field(default_factory=pd.DataFrame)
    returned: str | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    outputs: dict[str, float | str | None] = field(default_factory=dict)
    mode: str = "gui"
    messages: list[str] = field(default_factory=list)

    def __getitem__(self, title: str) -> xr.DataArray:
        """Return the image titled ``title``."""
        return self.images[title]

    def all_tables(self) -> dict[str, pd.DataFrame]:
        """Return every table by title: ``Results`` (when it has rows) first, then the others.

        Returns
        -------
        dict of str to pandas.DataFrame
            Each table by its title.

        Examples
        --------
        >>> fiji = ijb.start()
        >>> result = fiji.run_macro('newImage("a", "8-bit ramp", 64, 64, 1); run("Measure"); '
        ...                         'Table.create("Notes"); Table.set("radius", 0, 15);')
        >>> {title: table.shape for title, table in result.all_tables().items()}
        {'Results': (1, 4), 'Notes': (1, 1)}
        """
        results = {"Results": self.results} if not self.results.empty else {}
        return results | self.tables

    def __repr__(self) -> str:
        """Summarise: each image's title and sizes, the log's lines, the table's size."""
        images = ", ".join(f"{title!r}: {dict(image.sizes)} {image.dtype}"
                           for title, image in self.images.items())
        lines = len(self.log.splitlines())
        rows, columns = self.results.shape
        returned = f", returned={self.returned!r}" if self.returned is not None else ""
        tables = "".join(f", table {title!r}: {t.shape[0]} rows x {t.shape[1]} columns"
                         for title, t in self.tables.items())
        return (f"<MacroResult ({self.mode}) images={{{images}}}, log: {lines} lines, "
                f"results: {rows} rows x {columns} columns{tables}{returned}>")



def provenance(engine: Any, line: str) -> dict[str, Any]:
    """Return the attrs every engine result carries: which ImageJ made it, with which line.

    Parameters
    ----------
    engine : Engine
        The engine that ran it.
    line : str
        The command's own macro line (or the macro that ran).

    Returns
    -------
    dict of str to object
        ``imagej_version``, ``macro_line``, ``engine`` (its kind) and ``fiji_version``
        (``"2.14.0/1.54m"`` as Fiji says it; empty on the embedded engine).
    """
    return {"imagej_version": engine.version, "macro_line": line, "engine": engine.kind,
            "fiji_version": getattr(engine, "fiji_version", None) or ""}
