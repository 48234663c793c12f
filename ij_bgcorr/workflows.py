"""The lesson's background-correction workflows, each as a few engine calls.

Each returns ``(background, foreground)`` as DataArrays, in the input's layout,
titled ``background`` and ``foreground``; :func:`run_method` runs any method by
name, as the batch and the command line do.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import xarray as xr

from ij_bgcorr.engine.base import Engine
from ij_bgcorr.engine.results import MacroResult
from ij_bgcorr.errors import CommandError
from ij_bgcorr.image.layout import Layout, read_image
from ij_bgcorr.options import DEFAULT_RADIUS, DEFAULT_ROLLING, DEFAULT_TIMEOUT

__all__ = [
    "max_projection_background",
    "median_background",
    "rolling_ball_background",
    "run_macro_on_files",
    "run_method",
    "tophat_background",
]


def _as_input(image: Any) -> tuple[xr.DataArray, Layout]:
    """Return the image, read once and titled ``input``, and its layout (for the results)."""
    source, layout = read_image(image)
    return source.assign_attrs(title="input"), layout


def _in_layout(layout: Layout, background: xr.DataArray,
               foreground: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    """Return both results in the input's layout (a numpy input still gives DataArrays)."""
    return (layout.restore(background, as_numpy=False),  # type: ignore[return-value]
            layout.restore(foreground, as_numpy=False))


def median_background(
    engine: Engine, image: Any, radius: float = DEFAULT_RADIUS
) -> tuple[xr.DataArray, xr.DataArray]:
    """Compute background = median filter of the input (``radius`` pixels); foreground = input - it.

    Parameters
    ----------
    engine : Engine
        A started engine (:func:`ij_bgcorr.start`).
    image : numpy.ndarray or xarray.DataArray
        Any dims (:mod:`ij_bgcorr.image.layout`); uint8, uint16 or float32 (others converted).
    radius : float, default 15
        The median's radius in pixels, > 0.

    Returns
    -------
    background : xarray.DataArray
        The input's dtype.
    foreground : xarray.DataArray
        float32.

    Raises
    ------
    CommandError, ImageFormatError, MacroError
        A bad radius; an image ImageJ cannot hold; ImageJ failing (or timing out).

    Examples
    --------
    The lesson's median activity, checked against the ImageJ-matched reference:

    >>> from ij_bgcorr import data, workflows
    >>> fiji = ijb.start()
    >>> spots = data.load(data.SPOTS)
    >>> background, foreground = workflows.median_background(fiji, spots, radius=15)
    >>> background.dtype, foreground.dtype
    (dtype('uint8'), dtype('float32'))
    >>> expected = ijb.reference.subtract(spots, ijb.reference.median(spots, radius=15))
    >>> int((foreground != expected).sum())
    0
    """
    source, layout = _as_input(image)
    background = engine.median(source, radius=radius, title="background")
    foreground = engine.image_calculator("subtract", source, background, float32=True,
                                         title="foreground")
    return _in_layout(layout, background, foreground)


def max_projection_background(
    engine: Engine, series: Any
) -> tuple[xr.DataArray, xr.DataArray]:
    """Compute background = maximum over time; foreground = each frame minus it, 32-bit.

    Parameters
    ----------
    engine : Engine
        A started engine (:func:`ij_bgcorr.start`).
    series : numpy.ndarray or xarray.DataArray
        A time series: a DataArray with a ``t`` dim and no z planes (with z planes, or
        as a numpy 3-D array, it is projected along ``pln``; with z planes and time
        frames, as in ImageJ, only the first frame's planes are projected, and every
        plane minus it is the foreground); uint8, uint16 or float32.

    Returns
    -------
    background : xarray.DataArray
        Without ``t`` (and ``pln``), the input's dtype.
    foreground : xarray.DataArray
        The series' dims, float32.

    Raises
    ------
    CommandError, ImageFormatError, MacroError
        A series of one frame; an image ImageJ cannot hold; ImageJ failing (or timing out).

    Examples
    --------
    >>> from ij_bgcorr import data, workflows
    >>> fiji = ijb.start()
    >>> polyp = data.load(data.POLYP)
    >>> background, foreground = workflows.max_projection_background(fiji, polyp)
    >>> background.dims, foreground.dims, foreground.dtype
    (('row', 'col'), ('t', 'row', 'col'), dtype('float32'))
    >>> float(foreground.max())  # no frame is brighter than the maximum over time
    0.0
    """
    source, layout = _as_input(series)
    background = engine.z_project(source, method="max", title="background", all_frames=False)
    foreground = engine.image_calculator("subtract", source, background, float32=True,
                                         title="foreground")
    return _in_layout(layout, background, foreground)


def rolling_ball_background(
    engine: Engine, image: Any, rolling: float = DEFAULT_ROLLING, *,
    light_background: bool = False,
) -> tuple[xr.DataArray, xr.DataArray]:
    """Run ImageJ's rolling ball: the background it creates, and its own subtraction.

    The foreground is ``Subtract Background...``'s result, in the input's
    type (ImageJ clips and, for a light background, offsets it).

    Parameters
    ----------
    engine : Engine
        A started engine (:func:`ij_bgcorr.start`).
    image : numpy.ndarray or xarray.DataArray
        Any dims (:mod:`ij_bgcorr.image.layout`); uint8, uint16 or float32 (others converted).
    rolling : float, default 50
        The ball's radius in pixels, > 0.
    light_background : bool, default False
        The background is lighter than the objects.

    Returns
    -------
    background, foreground : xarray.DataArray
        The input's dtype.

    Raises
    ------
    CommandError, ImageFormatError, MacroError
        A bad radius; an image ImageJ cannot hold; ImageJ failing (or timing out).

    Examples
    --------
    >>> from ij_bgcorr import data, workflows
    >>> fiji = ijb.start()
    >>> spots = data.load(data.SPOTS)
    >>> background, foreground = workflows.rolling_ball_background(fiji, spots, rolling=50)
    >>> background.dtype, foreground.dtype
    (dtype('uint8'), dtype('uint8'))
    >>> int((foreground != ijb.reference.subtract_background(spots, 50)).sum())
    0
    """
    source, layout = _as_input(image)
    options = {"rolling": rolling, "light_background": light_background}
    background = engine.subtract_background(source, create_background=True, title="background",
                                            **options)
    foreground = engine.subtract_background(source, title="foreground", **options)
    return _in_layout(layout, background, foreground)


def tophat_background(
    engine: Engine, image: Any, radius: float = DEFAULT_RADIUS, timeout: float = DEFAULT_TIMEOUT
) -> tuple[xr.DataArray, xr.DataArray]:
    """Compute background = grey opening (ImageJ's Minimum then Maximum, ``radius`` pixels).

    Runs the shipped ``tophat_background.ijm``; foreground = input - background,
    32-bit.

    Parameters
    ----------
    engine : Engine
        A started engine (:func:`ij_bgcorr.start`).
    image : numpy.ndarray or xarray.DataArray
        Any dims (:mod:`ij_bgcorr.image.layout`); uint8, uint16 or float32 (others converted).
    radius : float, default 15
        The opening's radius in pixels.
    timeout : float, default 3600.0
        Seconds before the macro is stopped.

    Returns
    -------
    background : xarray.DataArray
        The input's dtype.
    foreground : xarray.DataArray
        float32.

    Raises
    ------
    ImageFormatError, MacroError
        An image ImageJ cannot hold; the macro failing (MacroTimeout after ``timeout`` s).

    Examples
    --------
    >>> from ij_bgcorr import data, workflows
    >>> fiji = ijb.start()
    >>> spots = data.load(data.SPOTS)
    >>> background, foreground = workflows.tophat_background(fiji, spots, radius=5)
    >>> int((background != ijb.reference.opening(spots, radius=5)).sum())
    0
    >>> int((foreground != ijb.reference.tophat(spots, radius=5)).sum())
    0
    """
    source, layout = _as_input(image)
    result = engine.run_macro("tophat_background", inputs={"input": source},
                              args={"radius": radius}, outputs=["background", "foreground"],
                              timeout=timeout)
    return _in_layout(layout, result["background"], result["foreground"])


def run_macro_on_files(engine: Engine, macro: str | os.PathLike[str],
                       files: Sequence[str | os.PathLike[str]], params: Mapping[str, Any],
                       timeout: float = DEFAULT_TIMEOUT) -> MacroResult:
    """Run a macro on image files as Fiji's Process > Batch > Macro runs it on each one.

    ImageJ opens the files with its own ``open(path)`` (the last one active): each
    image's title is its file name, and ``getDirectory("image")`` and
    ``getInfo("image.filename")`` name its file. No image is titled ``input``.

    Parameters
    ----------
    engine : Engine
        The engine.
    macro : str or os.PathLike
        The ``.ijm`` file (or macro text).
    files : sequence of str or os.PathLike
        The image files, usually one.
    params : mapping of str to object
        The macro's arguments (``macro_sha256``, the batch's own, is left out).
    timeout : float
        Seconds before the macro is stopped.

    Returns
    -------
    MacroResult
        Every image open at the end by title, the Log, Results and other tables.

    Raises
    ------
    MacroError, ParameterError, CommandError
        The macro failing (MacroTimeout after ``timeout`` s), a file ImageJ cannot open,
        an argument that does not fit.

    Examples
    --------
    >>> from ij_bgcorr import data, workflows
    >>> fiji = ijb.start()
    >>> macro = 'print(getTitle() + " has " + nSlices + " frames");'
    >>> result = workflows.run_macro_on_files(fiji, macro, [data.path(data.POLYP)], {})
    >>> result.log.splitlines(), list(result.images)
    (['xyt_8bit_polyp.tif has 3 frames'], ['xyt_8bit_polyp.tif'])
    """
    args = {k: v for k, v in params.items() if k != "macro_sha256"}  # ours, not the macro's
    return engine.run_macro(macro, args=args, timeout=timeout, files=list(files))


def run_method(engine: Engine, method: str, image: Any, params: Mapping[str, Any],
               macro: str | os.PathLike[str] | None = None, timeout: float = DEFAULT_TIMEOUT
               ) -> tuple[dict[str, xr.DataArray], dict[str, pd.DataFrame]]:
    """Run one of :data:`ij_bgcorr.methods.METHODS` on an image: the one way batch and CLI run it.

    The batch and ``ij-bgcorr macro`` run a macro on a file with
    :func:`run_macro_on_files` instead (ImageJ opens the file itself); here a macro
    gets the image, in memory, titled ``input`` (``ij-bgcorr run --method macro``).

    Parameters
    ----------
    engine : Engine
        The engine.
    method : str
        ``median``, ``maxproj``, ``rolling-ball``, ``tophat`` or ``macro``.
    image : xarray.DataArray or numpy.ndarray
        The input.
    params : mapping of str to object
        The method's full parameters (see :func:`ij_bgcorr.batch.params.method_params`;
        radii in pixels); for ``macro``, the macro's arguments (``macro_sha256`` is ignored).
    macro : str or os.PathLike, optional
        The ``.ijm`` file, for ``macro``.
    timeout : float
        Seconds before a macro (``tophat``, ``macro``) is stopped.

    Returns
    -------
    images : dict of str to xarray.DataArray
        ``background`` and ``foreground``, or every image the macro left open, by title.
    tables : dict of str to pandas.DataFrame
        The macro's tables (Results first), by title; empty for the other methods.

    Raises
    ------
    CommandError
        For an unknown method, or a macro that left no image open.

    Examples
    --------
    >>> from ij_bgcorr import data, workflows
    >>> fiji = ijb.start()
    >>> images, tables = workflows.run_method(fiji, "median", data.load(data.SPOTS),
    ...                                       {"radius": 15})
    >>> sorted(images), tables
    (['background', 'foreground'], {})
    """
    if method == "macro":
        args = {k: v for k, v in params.items() if k != "macro_sha256"}  # ours, not the macro's
        result = engine.run_macro(macro or "", inputs={"input": image}, args=args,
                                  timeout=timeout)
        if not result.images:
            raise CommandError("the macro left no image open")
        return dict(result.images), result.all_tables()
    if method == "median":
        pair = median_background(engine, image, params["radius"])
    elif method == "maxproj":
        pair = max_projection_background(engine, image)
    elif method == "rolling-ball":
        pair = rolling_ball_background(engine, image, params["rolling"],
                                       light_background=bool(params["light_background"]))
    elif method == "tophat":
        pair = tophat_background(engine, image, params["radius"], timeout=timeout)
    else:
        raise CommandError(f"Unknown method {method!r}")
    return {"background": pair[0], "foreground": pair[1]}, {}
