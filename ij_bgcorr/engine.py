"""What both engines share: the lesson's commands, macros and the recorded session.

An engine is ImageJ 1.x running in this process: embedded
(:mod:`ij_bgcorr.embedded_engine`) or inside the user's Fiji
(:mod:`ij_bgcorr.fiji_engine`). Both run every command as macro lines through
one :class:`~ij_bgcorr.macro_runner.MacroRunner`, under one lock, so calls
from several Python threads are serialized and a command gives the pixels
the same lines give in Fiji. Start one with :func:`ij_bgcorr.start`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import xarray as xr

from . import commands
from .commands import Call
from .convert import from_imageplus, to_imageplus
from .errors import CommandError, MacroError
from .macro_files import argument_string, read_macro, run_macro_line
from .macro_runner import MacroRunner
from .session import Session, fingerprint


@dataclass
class MacroResult:
    """What :meth:`Engine.run_macro` returns.

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


class Engine:
    """ImageJ 1.x in this process; the base of both engines. Create one with :func:`start`.

    Every command takes a DataArray or numpy array (see
    :func:`ij_bgcorr.as_image` for dimension names) and returns a new
    DataArray in ``(t, pln, row, col, ch)`` order with calibration
    coordinates, and provenance in ``attrs``: ``imagej_version``, ``engine``,
    ``macro_line`` (the command's own line) and ``macro`` (every line that
    ran). Inputs are never changed: a command that changes its image in
    place runs on a ``Duplicate...`` of it. ``title=`` names the result;
    titles are unique within a session (``x-1.tif``, ``x-2.tif``, as ImageJ
    numbers copies).

    Attributes
    ----------
    kind:
        ``"embedded"`` or ``"fiji"``.
    version:
        The ImageJ 1.x version that runs the commands (``IJ.getFullVersion()``).
    timeout:
        Seconds a command may run before it is stopped.
    """

    kind = "engine"

    def __init__(self, timeout: float = 3600.0) -> None:
        from jpype import JClass

        self.timeout = timeout
        self.version = str(JClass("ij.IJ").getFullVersion())
        self._lock = threading.RLock()
        self._runner = MacroRunner()
        self._session = Session()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} ImageJ {self.version}>"

    # -- the mechanism ------------------------------------------------------------------
    def run(self, call: Call) -> xr.DataArray:
        """Run one :class:`~ij_bgcorr.commands.Call`; return its result as a new DataArray."""
        with self._lock:
            titles = [self._session.place(image) for image in call.images]
            result_title = self._session.claim(call.title or call.default_title(titles))
            body = call.lines(titles, result_title)
            code = "\n".join(body)
            inputs = dict(zip(titles, call.images, strict=True))
            with self._opened(inputs) as imps:
                outcome = self._runner.run(code, inputs=imps, timeout=self.timeout)
                if result_title not in outcome.images:
                    raise CommandError(f"{code} left no image titled {result_title!r}; open: "
                                       f"{sorted(outcome.images)}")
                line = call.command_line(titles, result_title)
                provenance = {**self._provenance(line), "macro": code}
                result = from_imageplus(outcome.images[result_title], provenance)
            self._session.record(titles[0], body, result_title, fingerprint(result))
        if call.layout is None:
            return result
        return call.layout.restore(result, removed=call.removes, as_numpy=False)

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
    def median(self, image: Any, radius: float, title: str | None = None) -> xr.DataArray:
        """Fiji's ``Median...`` filter, ``radius`` in pixels, applied to every plane.

        ImageJ's kernel is circular: offsets with dx² + dy² <= int(radius²) + 1.
        Pixels outside the image repeat the nearest edge pixel. Runs as
        ``Duplicate...`` then ``Median...``, as the lesson's macro does.
        """
        return self.run(commands.median(image, radius, title))

    def duplicate(self, image: Any, title: str | None = None) -> xr.DataArray:
        """Fiji's ``Duplicate...``: a copy of all planes, titled ``title``."""
        return self.run(commands.duplicate(image, title))

    def image_calculator(
        self, operation: str, image1: Any, image2: Any, create: bool = True,
        float32: bool = False, title: str | None = None,
    ) -> xr.DataArray:
        """Fiji's ``Image Calculator...``: ``image1 <operation> image2``.

        ``operation`` is one of add, subtract, multiply, divide, and, or, xor,
        min, max, average, difference, copy, transparent-zero. ``float32``
        gives a 32-bit result (ImageJ's "32-bit (float) result"); otherwise
        the result has ``image1``'s type, clipped as ImageJ clips. Stacks are
        processed plane by plane; ``image2`` may be one plane or as many as
        ``image1``. Both must have the same row and col sizes. Without
        ``create`` the command runs on a duplicate of ``image1``.
        """
        return self.run(commands.image_calculator(operation, image1, image2, create, float32,
                                                  title))

    def z_project(
        self, image: Any, method: str = "max", axis: str | None = None,
        start: int | None = None, stop: int | None = None, title: str | None = None,
    ) -> xr.DataArray:
        """Fiji's ``Z Project...``: ``method`` avg, max, min, sum, sd or median.

        Projects along ``pln`` (each time frame separately when there are
        several) or, for a time series without z planes, along ``t``.
        ``start``/``stop`` are 1-based and inclusive. As measured in ImageJ
        1.53t: sum, sd and median give float32; max, min and avg keep the
        input type (avg rounded to it).
        """
        return self.run(commands.z_project(image, method, axis, start, stop, title))

    def subtract_background(
        self, image: Any, rolling: float = 50, light_background: bool = False,
        sliding: bool = False, disable_smoothing: bool = False,
        create_background: bool = False, separate: bool = False, title: str | None = None,
    ) -> xr.DataArray:
        """Fiji's ``Subtract Background...`` (rolling ball, radius ``rolling`` pixels).

        With ``create_background`` the result is the background instead of
        the corrected image. ``sliding`` uses the sliding paraboloid,
        ``disable_smoothing`` skips the 3x3 mean ImageJ applies first,
        ``separate`` (RGB only) corrects each colour on its own.
        """
        return self.run(commands.subtract_background(
            image, rolling, light_background, sliding, disable_smoothing,
            create_background, separate, title))

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
        """This session's commands as one self-contained macro that replays them in Fiji.

        Run as it is in ImageJ or Fiji, it recreates every command's result
        under the result's ``attrs["title"]``, pixel for pixel: inputs read
        with :func:`ij_bgcorr.open_image` are opened from their files; inputs
        that came from memory are listed in the header, to be open under
        those titles first.
        """
        with self._lock:
            return self._session.macro(f"Recorded by ij-bgcorr with ImageJ {self.version} "
                                       f"({self.kind} engine)")

    def new_session(self) -> None:
        """Forget the recorded session: :meth:`recorded_macro` starts again from here.

        Titles used so far may be used again afterwards.
        """
        with self._lock:
            self._session = Session()
