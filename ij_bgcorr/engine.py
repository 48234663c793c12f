"""The embedded engine: ImageJ 1.x inside this Python process.

:func:`start` starts it once per process (JVM, private X display, batch
mode); every command then runs as one macro line through the same
:class:`~ij_bgcorr.macro_runner.MacroRunner`, under one lock, so calls from
several Python threads are serialized.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import xarray as xr

from . import commands
from .commands import Call
from .convert import from_imageplus, to_imageplus
from .display import ensure_display
from .errors import CommandError
from .jvm import start_jvm
from .locate import find_ij_jar, find_java_home
from .macro_runner import MacroRunner

_engine: EmbeddedEngine | None = None
_start_lock = threading.Lock()


class EmbeddedEngine:
    """ImageJ 1.x running in this process. Create it with :func:`start`.

    Every command takes a DataArray or numpy array (see
    :func:`ij_bgcorr.as_image` for dimension names) and returns a new
    read-only DataArray in ``(t, pln, row, col, ch)`` order with
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
        with self._lock:
            imps = {title: to_imageplus(image, title) for title, image in call.inputs.items()}
            try:
                outcome = self._runner.run(call.line, inputs=imps, timeout=self.timeout)
                if outcome.active is None:
                    raise CommandError(f"{call.line} left no image open.")
                result = from_imageplus(outcome.images[outcome.active], self._provenance(call.line))
            finally:
                self._runner.close_all_images()
            self._history.append((next(iter(call.inputs)), call.line, str(result.attrs["title"])))
            return result

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
        ``start``/``stop`` are 1-based and inclusive. Sum, avg and sd give
        float32; max and min keep the dtype.
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

    # -- session ------------------------------------------------------------------------
    def recorded_macro(self) -> str:
        """This session's command calls as one macro to paste into Fiji.

        A ``selectImage`` line precedes a command whose first input is not
        the image the previous command left active.
        """
        lines = [f"// ImageJ {self.version}, recorded by ij-bgcorr"]
        active = None
        for first_input, line, output in self._history:
            if first_input != active:
                lines.append(f"selectImage({commands.quote(first_input)});")
            lines.append(line)
            active = output
        return "\n".join(lines) + "\n"


def start(ij_jar: str | Path | None = None, timeout: float = 3600.0) -> EmbeddedEngine:
    """Start the embedded ImageJ 1.x engine, or return the one already running.

    ``ij_jar`` overrides the search for ImageJ's jar (see
    :func:`ij_bgcorr.locate.find_ij_jar`); ``timeout`` (seconds) bounds each
    command. Raises :class:`~ij_bgcorr.errors.EngineNotAvailable` saying what
    is missing.
    """
    global _engine
    with _start_lock:
        if _engine is None:
            jar = find_ij_jar(ij_jar)
            java_home = find_java_home()
            ensure_display()
            start_jvm(jar, java_home)
            _engine = EmbeddedEngine(jar, timeout)
        return _engine
