"""What both engines share: the lesson's commands, macros and the recorded session.

An engine is ImageJ 1.x running in this process: embedded
(:mod:`ij_bgcorr.engine.embedded`) or inside the user's Fiji
(:mod:`ij_bgcorr.engine.fiji`). Both run every command as macro lines through
one :class:`~ij_bgcorr.engine.runner.MacroRunner`, under one lock, so calls
from several Python threads are serialized and a command gives the pixels
the same lines give in Fiji. Start one with :func:`ij_bgcorr.start`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import Any

import xarray as xr

from ij_bgcorr.engine import exit_guard
from ij_bgcorr.engine.convert import from_imageplus, to_imageplus, touched_planes
from ij_bgcorr.engine.java import imagej_jar, java
from ij_bgcorr.engine.jvm import take_signals_back
from ij_bgcorr.engine.macro_runs import MacroRuns
from ij_bgcorr.engine.recording import Recorder
from ij_bgcorr.engine.results import provenance
from ij_bgcorr.engine.runner import MacroRunner
from ij_bgcorr.engine.tiles import refuse_unrollable, tile_by_tile
from ij_bgcorr.errors import CommandError
from ij_bgcorr.macro import commands
from ij_bgcorr.macro.call import Call
from ij_bgcorr.options import DEFAULT_ROLLING, DEFAULT_TIMEOUT, BackgroundOptions
from ij_bgcorr.tiled import background_reach, is_lazy, rank_reach


class Engine(Recorder, MacroRuns):
    """ImageJ 1.x in this process; the base of both engines. Create one with :func:`start`.

    Every command takes a DataArray or numpy array (:mod:`ij_bgcorr.image.layout`) and
    returns a new DataArray in the input's layout (dims order, coordinates), with provenance in
    ``attrs``: ``imagej_version``, ``engine``, ``macro_line`` (the command's own line) and
    ``macro`` (the lines that make it from its inputs in Fiji). Inputs are never changed: a
    command that changes its image in place runs on a copy of it (ImageJ's copy the engine
    made, which is what the ``Duplicate...`` in ``macro`` gives). ``title=`` names the
    result; titles are unique within a session (``x-1.tif``, ``x-2.tif``, as ImageJ numbers
    copies).

    Parameters
    ----------
    timeout : float, default 3600.0
        Seconds a command may run before it is stopped; kept as the attribute ``timeout``.
    gui : bool, default True
        Whether ImageJ has its main window on a display, so that macros can run as in
        the Fiji GUI (headless Fiji has not).

    Attributes
    ----------
    kind : str
        ``"embedded"`` or ``"fiji"``.
    version : str
        The ImageJ 1.x version that runs the commands (``IJ.getFullVersion()``).
    gui : bool
        Whether :meth:`run_macro` runs macros as the Fiji GUI does by default.
    """

    kind = "engine"

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, gui: bool = True) -> None:
        super().__init__()
        self.timeout = timeout
        self.gui = gui
        self.version = str(java.IJ.getFullVersion())
        exit_guard.install()
        take_signals_back()
        self._runner = MacroRunner(imagej_jar())

    def __repr__(self) -> str:
        """Name the engine's class and ImageJ version."""
        return f"<{type(self).__name__} ImageJ {self.version}>"

    # -- the mechanism ------------------------------------------------------------------
    def _run_call(self, call: Call, *, record: bool = True) -> xr.DataArray:
        """Run one :class:`~ij_bgcorr.macro.call.Call`; return its result as a new DataArray.

        Internal: every command of the engine, and each tile of a Dask-backed image,
        runs through here.

        Parameters
        ----------
        call : Call
            A command from :mod:`ij_bgcorr.macro.commands`.
        record : bool, default True
            Add the call to the session (:meth:`recorded_macro`); False for a tile of an image.

        Returns
        -------
        xarray.DataArray
            The result, in the first input's layout (less a projected dim).

        Raises
        ------
        CommandError, MacroError
            No result image was left; ImageJ failed, or ran past ``timeout`` (MacroTimeout).
        """
        with self._lock:
            if record:
                titles, result_title = self._step_titles(call)
            else:
                titles = [f"tile{n}" for n in range(len(call.images))]
                result_title = "tile-result"
            body = call.lines(titles, result_title)
            # an in-place command runs on ImageJ's copy of its first input, opened under the
            # result's title: what the Duplicate... that ``body`` starts with makes in Fiji,
            # without a second copy to make and collect (4-5 % of Subtract Background's time
            # on a stack)
            code = "\n".join(body[1:] if call.in_place else body)
            opened = [result_title if call.in_place else titles[0], *titles[1:]]
            inputs = dict(zip(opened, call.images, strict=True))
            with self._opened(inputs) as imps:
                # an in-place command's result has the size and type of its first input
                planes = touched_planes(imps[opened[0]]) if call.creates is None else None
                outcome = self._runner.run(code, inputs=imps, timeout=self.timeout)
                if result_title not in outcome.images:
                    raise CommandError(f"{code} left no image titled {result_title!r}; open: "
                                       f"{sorted(outcome.images)}")
                line = call.command_line(titles, result_title)
                made = {**provenance(self, line), "macro": "\n".join(body)}
                result = from_imageplus(outcome.images[result_title], made,
                                        None if planes is None else planes.result())
            if record:
                self._record(titles[0], body, result_title, result)
        if call.layout is None:
            return result
        return call.layout.restore(result, as_numpy=False)

    @contextmanager
    def _opened(self, inputs: Mapping[str, Any],
                fresh: bool = False) -> Iterator[dict[str, Any]]:
        """Under the engine's lock: the inputs as ImagePlus; every image closed afterwards.

        ``fresh``: before and after, ImageJ is set back to a freshly started ImageJ's
        state (a macro's run). Java having ended is named (EngineNotAvailable).
        """
        with self._lock, exit_guard.named_if_java_ended():
            if fresh:
                self._runner.start_afresh()
            imps = {title: to_imageplus(image, title) for title, image in inputs.items()}
            try:
                yield imps
            finally:
                self._runner.close_all_images()
                if fresh:
                    self._runner.start_afresh()

    # -- the lesson's commands ----------------------------------------------------------
    def median(self, image: Any, radius: float, title: str | None = None) -> xr.DataArray:
        """Run Fiji's ``Median...`` filter, ``radius`` in pixels, on every plane.

        ImageJ's kernel is circular: offsets with dx² + dy² <= int(radius²) + 1. Pixels outside
        the image repeat the nearest edge pixel. Runs as ``Duplicate...`` then ``Median...``, as
        the lesson's macro does.

        Parameters
        ----------
        image : numpy.ndarray or xarray.DataArray
            Any dims (:mod:`ij_bgcorr.image.layout`); uint8, uint16 or float32 (others converted).
        radius : float
            Pixels, > 0.
        title : str, optional
            The result's window title.

        Returns
        -------
        xarray.DataArray
            The filtered image, ``image``'s dtype.

        Raises
        ------
        CommandError, ImageFormatError, MacroError
            A bad radius or title; an image ImageJ cannot hold; ImageJ failing (:meth:`run`).

        Notes
        -----
        A Dask-backed DataArray gives a Dask-backed one, computed tile by tile by
        ImageJ, identical to the whole image's result (:mod:`ij_bgcorr.tiled`).

        Examples
        --------
        The lesson's background of the spots image, pixel for pixel the reference's:

        >>> from ij_bgcorr import data
        >>> fiji = ijb.start()
        >>> spots = data.load(data.SPOTS)
        >>> background = fiji.median(spots, radius=15)
        >>> background.dtype, background.attrs["macro_line"]
        (dtype('uint8'), 'run("Median...", "radius=15");')
        >>> int((background != ijb.reference.median(spots, radius=15)).sum())
        0
        """
        if is_lazy(image):
            return tile_by_tile(self, partial(commands.median, radius=radius, title=title),
                                      image, rank_reach(radius))
        return self._run_call(commands.median(image, radius, title))

    def duplicate(self, image: Any, title: str | None = None) -> xr.DataArray:
        """Run Fiji's ``Duplicate...``: a copy of all planes, titled ``title``.

        Parameters
        ----------
        image : numpy.ndarray or xarray.DataArray
            Any dims (:mod:`ij_bgcorr.image.layout`); uint8, uint16 or float32 (others converted).
        title : str, optional
            The result's window title.

        Returns
        -------
        xarray.DataArray
            The copy, ``image``'s dtype.

        Raises
        ------
        CommandError, ImageFormatError, MacroError
            A bad title; an image ImageJ cannot hold; ImageJ failing (:meth:`run`).

        Examples
        --------
        >>> fiji = ijb.start()
        >>> ramp = np.arange(12, dtype=np.uint8).reshape(3, 4)
        >>> copy = fiji.duplicate(ramp)
        >>> copy.dims, copy.dtype, int((copy != ramp).sum())
        (('row', 'col'), dtype('uint8'), 0)
        """
        return self._run_call(commands.duplicate(image, title))

    def image_calculator(
        self, operation: str, image1: Any, image2: Any, *, create: bool = True,
        float32: bool = False, title: str | None = None,
    ) -> xr.DataArray:
        """Run Fiji's ``Image Calculator...``: ``image1 <operation> image2``, plane by plane.

        Parameters
        ----------
        operation : str
            One of add, subtract, multiply, divide, and, or, xor, min, max, average,
            difference, copy, transparent-zero.
        image1, image2 : numpy.ndarray or xarray.DataArray
            As ``image`` of :meth:`median`, the same row and col sizes; ``image2`` may be one
            plane or as many as ``image1``.
        create : bool, default True
            Without it the command runs on a duplicate of ``image1``.
        float32 : bool, default False
            A 32-bit result (ImageJ's "32-bit (float) result").
        title : str, optional
            The result's window title.

        Returns
        -------
        xarray.DataArray
            float32 with ``float32``; otherwise ``image1``'s type, clipped as ImageJ clips.

        Raises
        ------
        CommandError, ImageFormatError, MacroError
            Bad option, title or sizes; an image ImageJ cannot hold; ImageJ failing (:meth:`run`).

        Examples
        --------
        >>> fiji = ijb.start()
        >>> a = np.array([[10, 20], [30, 40]], dtype=np.uint8)
        >>> b = np.array([[15, 5], [30, 50]], dtype=np.uint8)
        >>> fiji.image_calculator("subtract", a, b).values.tolist()  # 8-bit: clipped at 0
        [[0, 15], [0, 0]]
        >>> fiji.image_calculator("subtract", a, b, float32=True).values.tolist()
        [[-5.0, 15.0], [0.0, -10.0]]
        """
        return self._run_call(commands.image_calculator(operation, image1, image2, create, float32,
                                                  title))

    def z_project(
        self, image: Any, method: str = "max", axis: str | None = None,
        start: int | None = None, stop: int | None = None, title: str | None = None, *,
        all_frames: bool = True,
    ) -> xr.DataArray:
        """Run Fiji's ``Z Project...``: ``method`` avg, max, min, sum, sd or median.

        Parameters
        ----------
        image : numpy.ndarray or xarray.DataArray
            Any dims (:mod:`ij_bgcorr.image.layout`); uint8, uint16 or float32 (others converted).
        method : str, default "max"
            avg, max, min, sum, sd or median.
        axis : {"pln", "t"}, optional
            Default: ``pln`` (each time frame separately when there are several) or, for a time
            series without z planes, ``t``.
        start, stop : int, optional
            The first and last plane, 1-based and inclusive; default: all.
        title : str, optional
            The result's window title.
        all_frames : bool, default True
            With z planes and time frames: every frame projected, or (False) the first only,
            as ImageJ's line without ``all`` does (then the result has no ``t`` either).

        Returns
        -------
        xarray.DataArray
            Without the projected dim. As measured in ImageJ 1.53t: sum, sd and median give
            float32; max, min and avg keep the input type (avg rounded to it).

        Raises
        ------
        CommandError, ImageFormatError, MacroError
            Bad option, title or planes; an image ImageJ cannot hold; ImageJ failing (:meth:`run`).

        Examples
        --------
        >>> from ij_bgcorr import data
        >>> fiji = ijb.start()
        >>> polyp = data.load(data.POLYP)
        >>> brightest = fiji.z_project(polyp, "max")
        >>> brightest.dims, brightest.attrs["macro_line"]
        (('row', 'col'), 'run("Z Project...", "projection=[Max Intensity]");')
        >>> int((brightest != ijb.reference.z_project(polyp, "max")).sum())
        0
        """
        return self._run_call(commands.z_project(image, method, axis, start, stop, title,
                                                 all_frames))

    def subtract_background(
        self, image: Any, rolling: float = DEFAULT_ROLLING, *, light_background: bool = False,
        sliding: bool = False, disable_smoothing: bool = False,
        create_background: bool = False, separate: bool = False, title: str | None = None,
    ) -> xr.DataArray:
        """Run Fiji's ``Subtract Background...`` (rolling ball, radius ``rolling`` pixels).

        Parameters
        ----------
        image : numpy.ndarray or xarray.DataArray
            Any dims (:mod:`ij_bgcorr.image.layout`); uint8, uint16 or float32 (others converted).
        rolling : float, default 50
            The ball's radius in pixels, > 0.
        light_background, sliding, disable_smoothing, create_background, separate : bool
            False by default: a background lighter than the objects; the sliding paraboloid;
            no 3x3 mean first (as ImageJ applies); the background as the result instead of the
            corrected image; (RGB only) each colour corrected on its own.
        title : str, optional
            The result's window title.

        Returns
        -------
        xarray.DataArray
            ``image``'s dtype. A Dask-backed DataArray gives a Dask-backed one, computed
            tile by tile by ImageJ, identical to the whole image's result
            (:mod:`ij_bgcorr.tiled`); the sliding paraboloid cannot be tiled.

        Raises
        ------
        CommandError, ImageFormatError, MacroError
            A bad option or title (or ``sliding`` for a Dask-backed image); an image
            ImageJ cannot hold; ImageJ failing (:meth:`run`).

        Examples
        --------
        >>> from ij_bgcorr import data
        >>> fiji = ijb.start()
        >>> spots = data.load(data.SPOTS)
        >>> background = fiji.subtract_background(spots, 50, create_background=True)
        >>> background.attrs["macro_line"]
        'run("Subtract Background...", "rolling=50 create");'
        >>> reference = ijb.reference.subtract_background(spots, 50, create_background=True)
        >>> int((background != reference).sum())
        0
        """
        options = BackgroundOptions(rolling, light_background, sliding, disable_smoothing,
                                    create_background, separate)
        if is_lazy(image):
            refuse_unrollable(image, options)
            return tile_by_tile(self, partial(commands.subtract_background, options=options,
                                              title=title), image, background_reach(options))
        return self._run_call(commands.subtract_background(image, options, title))

    # -- options ------------------------------------------------------------------------
    def use_threads(self, threads: int) -> None:
        """Let ImageJ's filters use ``threads`` threads (Edit > Options > Memory & Threads).

        Parameters
        ----------
        threads : int
            The number of threads.
        """
        with self._lock:
            java.Prefs.setThreads(int(threads))
