"""Running a user's macro on an engine: :meth:`MacroRuns.run_macro`.

A mixin of :class:`~ij_bgcorr.engine.base.Engine`, kept apart from the lesson's
commands: it prepares the macro (:mod:`~ij_bgcorr.macro.prepare`), opens its
inputs in a freshly started ImageJ, runs it in GUI or batch mode
(:mod:`~ij_bgcorr.engine.runner`) and reads back what it left.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from ij_bgcorr.data import local_copies
from ij_bgcorr.engine.convert import from_imageplus
from ij_bgcorr.engine.java import java
from ij_bgcorr.engine.results import MacroResult, provenance
from ij_bgcorr.errors import CommandError, MacroError
from ij_bgcorr.image.arrays import as_image
from ij_bgcorr.macro.files import read_macro, run_macro_line
from ij_bgcorr.macro.prepare import errors_name_lines_of, prepare_macro
from ij_bgcorr.options import DEFAULT_TIMEOUT
from ij_bgcorr.tiled import is_lazy
from ij_bgcorr.validation import existing_file, timeout_seconds


class MacroRuns:
    """The engine's macro runs (a mixin: it uses the engine's lock, runner and attributes)."""

    # given by Engine
    gui: bool
    _runner: Any
    _opened: Callable[..., AbstractContextManager[dict[str, Any]]]

    def run_macro(
        self,
        macro: str | os.PathLike[str],
        inputs: Mapping[str, Any] | None = None,
        args: Mapping[str, Any] | None = None,
        outputs: Sequence[str] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        mode: str | None = None,
        files: Sequence[str | os.PathLike[str]] = (),
    ) -> MacroResult:
        """Run an ImageJ macro (a path, a shipped macro's name, or macro text).

        The macro runs as in a freshly started Fiji: no image, window, selection,
        table, Log text, colour or option is left from an earlier run.

        Parameters
        ----------
        macro : str or os.PathLike
            See :func:`~ij_bgcorr.macro.files.read_macro`.
        inputs : mapping of str to numpy.ndarray or xarray.DataArray, optional
            Opened first under their titles (the first one is active).
        args : mapping of str to object, optional
            Values of the macro's script parameters (``#@ Integer radius``), filled as Fiji
            fills them; the other arguments reach ``getArgument()`` (``{"radius": 15}`` gives
            ``"radius=15"``, read back by ``Macro.getValue`` exactly).
        outputs : sequence of str, optional
            The titles of the images to return; default: all open at the end.
        timeout : float or None, default 3600.0 (`ij_bgcorr.options.DEFAULT_TIMEOUT`)
            Seconds before the macro is stopped; None: no limit.
        mode : {"gui", "batch"}, optional
            ``"gui"``: as the Fiji GUI runs it (image windows, ``selectWindow`` and
            ``Restore Selection`` on windows, plots, ROI Manager, Log and Results
            windows); the default where the engine has a display (:attr:`gui`).
            ``"batch"``: as headless Fiji runs it (batch mode, no window); the only mode
            of a headless Fiji engine.
        files : sequence of str or os.PathLike, optional
            Image files ImageJ opens with ``open(path)`` before the macro runs, in order
            (after ``inputs``; the last one is active), as File > Open and Process > Batch
            > Macro open them: the title is the file's name, and ``getDirectory("image")``
            and ``getInfo("image.filename")`` name the file.

        Returns
        -------
        MacroResult
            The images (canonical form), the Log text, the Results table (every Measure row)
            and the other tables by title. Every image and table is closed in ImageJ
            afterwards, whatever happened.

        Raises
        ------
        MacroError, FileNotFoundError, ImageFormatError
            ImageJ's message and line, an ``outputs`` title not open at the end, a call that
            waits for a person (``waitForUser``, ``Dialog.show``, ...), MacroTimeout after
            ``timeout`` seconds; a missing macro or file; an input ImageJ cannot hold.
        ParameterError, CommandError
            A script parameter or argument that does not fit; an unknown ``mode``.

        Notes
        -----
        A macro runs with your rights (``exec``, files): run only macros you trust.
        """
        timeout = timeout_seconds(timeout)
        gui = self._gui_mode(mode)
        opened = [str(existing_file(f)) for f in files]
        code, path = read_macro(macro)
        # the lesson's macros open their images from GitHub: the package has them offline
        prepared = prepare_macro(code, args, gui=gui, local_copies=local_copies(),
                                 headless=bool(java.GraphicsEnvironment.isHeadless()))
        made = provenance(self, run_macro_line(path, prepared.argument)
                          if path and prepared.code == code else prepared.code.strip())
        # computed before the lock: their tiles may need this engine
        inputs = {t: as_image(img) if is_lazy(img) else img for t, img in (inputs or {}).items()}
        with self._opened(inputs, fresh=True) as imps, errors_name_lines_of(code):
            outcome = self._runner.run(prepared.code, prepared.argument, imps, timeout,
                                       prepared.outputs, gui=gui, files=opened)
            images = _wanted_images(outcome, outputs, made)
        return MacroResult(images, outcome.log, outcome.results, outcome.returned,
                           outcome.tables, outcome.variables, "gui" if gui else "batch",
                           outcome.messages)

    def _gui_mode(self, mode: str | None) -> bool:
        """Whether a macro runs in GUI mode, from ``run_macro``'s ``mode``."""
        if mode is None:
            return self.gui
        if mode not in ("gui", "batch"):
            raise CommandError(f"mode must be 'gui' or 'batch', not {mode!r}")
        if mode == "gui" and not self.gui:
            raise CommandError("This engine runs headless (no display), so macros cannot run "
                               "as in the Fiji GUI: use mode='batch', or start Fiji where Xvfb "
                               "or a display is available")
        return mode == "gui"


def _wanted_images(outcome: Any, outputs: Sequence[str] | None,
                   made: Mapping[str, Any]) -> dict[str, Any]:
    """Read the images ``outputs`` names (default: all open at the end) as DataArrays."""
    wanted = list(outputs) if outputs is not None else list(outcome.images)
    missing = [t for t in wanted if t not in outcome.images]
    if missing:
        raise MacroError(f"No image titled {', '.join(map(repr, missing))} was open at the "
                         f"end; open: {sorted(outcome.images)}", log=outcome.log)
    return {t: from_imageplus(outcome.images[t], made) for t in wanted}
