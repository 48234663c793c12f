"""The embedded engine: ImageJ 1.x inside this Python process.

:func:`start` starts it once per process (JVM, private X display, batch
mode); every command then runs as one macro line through the same
:class:`~ij_bgcorr.macro_runner.MacroRunner`, under one lock, so calls from
several Python threads are serialized.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from . import commands
from .commands import Call
from .convert import from_imageplus, to_imageplus
from .display import ensure_display
from .errors import CommandError, EngineNotAvailable, MacroError
from .jvm import start_jvm
from .locate import find_ij_jar, find_java_home
from .macro_files import argument_string, read_macro, run_macro_line
from .macro_runner import MacroRunner

_engine: EmbeddedEngine | None = None


@dataclass
class MacroResult:
    """What :meth:`EmbeddedEngine.run_macro` returns.

    ``images`` maps window titles to DataArrays; ``log`` is the Log window's
    text (what ``print`` wrote); ``results`` is the Results table;
    ``returned`` is the string the macro returned, if any.
    """

    images: dict[str, xr.DataArray] = field(default_factory=dict)
    log: str = ""
    results: pd.DataFrame = field(default_factory=pd.DataFrame)
    returned: str | None = None

    def __getitem__(self, title: str) -> xr.DataArray:
        return self.images[title]
_start_lock = threading.Lock()


class EmbeddedEngine:
    """ImageJ 1.x running in this process. Create it with :func:`start`.

    Every command takes a DataArray or numpy array (see
    :func:`ij_bgcorr.as_image` for dimension names) and returns a new
    DataArray in ``(t, pln, row, col, ch)`` order with
    calibration coordinates, and provenance in ``attrs``:
    ``imagej_version`` and ``macro_line`` (the exact line that ran). Inputs
    are never changed: ImageJ works on copies.
    """

    kind = "embedded"

    def __init__(self, ij_jar: Path, timeout: float = 3600.0) -> None:
        self.ij_jar = ij_jar
        self.timeout = timeout
        self._lock = threading.RLock()
        self._runner = MacroRunner()
        self._history: list[tuple[str, str, str]] = []
        from jpype import JClass

        self.version = str(JClass("ij.IJ").getFullVersion())

    # -- the mechanism ------------------------------------------------------------------
    def run(self, call: Call) -> xr.DataArray:
        """Run one :class:`~ij_bgcorr.commands.Call`; return the image active afterwards."""
        with self._opened(call.inputs) as imps:
            outcome = self._runner.run(call.line, inputs=imps, timeout=self.timeout)
            if outcome.active is None:
                raise CommandError(f"{call.line} left no image open.")
            result = from_imageplus(outcome.images[outcome.active], self._provenance(call.line))
            self._history.append((next(iter(call.inputs)), call.line, str(result.attrs["title"])))
        return result

    @contextmanager
    def _opened(self, inputs: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Under the engine's lock: the inputs as ImagePlus; every image closed afterwards."""
        with self._lock:
            imps = {title: to_imageplus(image, title) for title, image in inputs.items()}
            try:
                yield imps
            finally:
                self._runner.close_all_images()

    def _provenance(self, line: str) -> dict[str, Any]:
        return {"imagej_version": self.version, "macro_line": line, "engine": self.kind}

    # -- the lesson's commands ----------------------------------------------------------
    def median(self, image: Any, radius: float) -> xr.DataArray:
        """Fiji's ``Median...`` filter, ``radius`` in pixels, applied to every plane.

        ImageJ's kernel is circular: offsets with dx² + dy² <= radius² + 1.
        Pixels outside the image repeat the nearest edge pixel.
        """
        return self.run(commands.median(image, radius))

    def duplicate(self, image: Any, title: str = "duplicate") -> xr.DataArray:
        """Fiji's ``Duplicate...``: a copy of all planes, titled ``title``."""
        return self.run(commands.duplicate(image, title))

    def image_calculator(
        self, operation: str, image1: Any, image2: Any, create: bool = True,
        float32: bool = False,
    ) -> xr.DataArray:
        """Fiji's ``Image Calculator...``: ``image1 <operation> image2``.

        ``operation`` is one of add, subtract, multiply, divide, and, or, xor,
        min, max, average, difference, copy, transparent-zero. ``float32``
        gives a 32-bit result (ImageJ's "32-bit (float) result"); otherwise
        the result has ``image1``'s type, clipped as ImageJ clips. Stacks are
        processed plane by plane; ``image2`` may be one plane or as many as
        ``image1``. Both must have the same row and col sizes.
        """
        return self.run(commands.image_calculator(operation, image1, image2, create, float32))

    def z_project(
        self, image: Any, method: str = "max", axis: str | None = None,
        start: int | None = None, stop: int | None = None,
    ) -> xr.DataArray:
        """Fiji's ``Z Project...``: ``method`` avg, max, min, sum, sd or median.

        Projects along ``pln`` (each time frame separately when there are
        several) or, for a time series without z planes, along ``t``.
        ``start``/``stop`` are 1-based and inclusive. As measured in ImageJ
        1.53t: sum, sd and median give float32; max, min and avg keep the
        input type (avg rounded to it).
        """
        return self.run(commands.z_project(image, method, axis, start, stop))

    def subtract_background(
        self, image: Any, rolling: float = 50, light_background: bool = False,
        sliding: bool = False, disable_smoothing: bool = False,
        create_background: bool = False, separate: bool = False,
    ) -> xr.DataArray:
        """Fiji's ``Subtract Background...`` (rolling ball, radius ``rolling`` pixels).

        With ``create_background`` the result is the background instead of
        the corrected image. ``sliding`` uses the sliding paraboloid,
        ``disable_smoothing`` skips the 3x3 mean ImageJ applies first,
        ``separate`` (RGB only) corrects each colour on its own.
        """
        return self.run(commands.subtract_background(
            image, rolling, light_background, sliding, disable_smoothing,
            create_background, separate))

    # -- macros -------------------------------------------------------------------------
    def run_macro(
        self,
        macro: str | os.PathLike[str],
        inputs: Mapping[str, Any] | None = None,
        args: Mapping[str, Any] | None = None,
        outputs: Sequence[str] | None = None,
        timeout: float = 60.0,
    ) -> MacroResult:
        """Run an ImageJ macro (a path, a shipped macro's name, or macro text).

        ``inputs`` are opened first under their titles (the first one is
        active). ``args`` reach the macro as an options string through
        ``getArgument()`` (``{"radius": 15}`` gives ``"radius=15"``).
        Returns the images open at the end, or those titled in ``outputs``,
        with the Log text and the Results table. Raises
        :class:`~ij_bgcorr.errors.MacroError` with ImageJ's message and line,
        or :class:`~ij_bgcorr.errors.MacroTimeout` after ``timeout`` seconds.
        Every image is closed afterwards, whatever happened.
        """
        code, path = read_macro(macro)
        argument = argument_string(args)
        provenance = self._provenance(
            run_macro_line(path, argument) if path else code.strip())
        with self._opened(inputs or {}) as imps:
            self._results_table().reset()
            outcome = self._runner.run(code, argument, imps, timeout)
            wanted = list(outputs) if outputs is not None else list(outcome.images)
            missing = [t for t in wanted if t not in outcome.images]
            if missing:
                raise MacroError(f"No image titled {', '.join(map(repr, missing))} was open "
                                 f"at the end; open: {sorted(outcome.images)}", log=outcome.log)
            images = {t: from_imageplus(outcome.images[t], provenance) for t in wanted}
            results = self._results_frame()
        return MacroResult(images, outcome.log, results, outcome.returned)

    def _results_table(self) -> Any:
        from jpype import JClass

        return JClass("ij.measure.ResultsTable").getResultsTable()

    def _results_frame(self) -> pd.DataFrame:
        table = self._results_table()
        n = int(table.size())
        columns = {}
        for heading in table.getHeadings() or []:
            name = str(heading)
            if name in (" ", ""):
                continue
            values = [str(table.getStringValue(name, row)) for row in range(n)]
            numeric = pd.to_numeric(pd.Series(values), errors="coerce")
            columns[name] = values if numeric.isna().any() else numeric
        return pd.DataFrame(columns)

    # -- session ------------------------------------------------------------------------
    def recorded_macro(self) -> str:
        """This session's command calls as one macro to paste into Fiji.

        A ``selectImage`` line precedes a command whose first input is not
        the image the previous command left active. Images are named by their
        ``attrs["title"]``; untitled inputs are recorded as ``image1``,
        ``image2``, so give inputs titles (``img.assign_attrs(title="input")``)
        for a macro that replays in Fiji.
        """
        lines = [f"// ImageJ {self.version}, recorded by ij-bgcorr"]
        active = None
        for first_input, line, output in self._history:
            if first_input != active:
                lines.append(f"selectImage({commands.quote(first_input)});")
            lines.append(line)
            active = output
        return "\n".join(lines) + "\n"


def start(
    ij_jar: str | Path | None = None,
    timeout: float = 3600.0,
    *,
    fiji: str | Path | None = None,
    endpoint: str | None = None,
) -> EmbeddedEngine:
    """Start the ImageJ engine, or return the one already running.

    By default this is the embedded ImageJ 1.x engine; ``ij_jar`` overrides
    the search for ImageJ's jar (see :func:`ij_bgcorr.locate.find_ij_jar`).
    ``fiji`` (a Fiji.app folder) or ``endpoint`` (e.g. ``"sc.fiji:fiji"``),
    or else ``$IJ_BGCORR_FIJI``, start the Fiji engine instead (see
    :func:`ij_bgcorr.fiji_engine.start_fiji`); if that Fiji cannot start,
    this raises rather than falling back. ``timeout`` (seconds) bounds each
    command. Raises :class:`~ij_bgcorr.errors.EngineNotAvailable` saying
    what is missing.
    """
    global _engine
    from .fiji_engine import running_fiji_engine, select_engine, start_fiji

    if select_engine(fiji, endpoint, ij_jar) == "fiji":
        return start_fiji(fiji, endpoint, timeout)
    with _start_lock:
        if _engine is None:
            if running_fiji_engine() is not None:
                raise EngineNotAvailable(
                    "Fiji already runs in this process and Java starts once per process: "
                    "start the embedded engine in a separate Python process.")
            jar = find_ij_jar(ij_jar)
            java_home = find_java_home()
            ensure_display()
            start_jvm(jar, java_home)
            _engine = EmbeddedEngine(jar, timeout)
        return _engine
