"""An engine command on an image larger than memory: ImageJ run tile by tile through Dask.

Each tile is an ordinary command on a window of the image (`ij_bgcorr.tiled`),
run in the engine of the process that computes it: this engine under Dask's
threads, or each worker's own engine on a Dask cluster (an engine is sent to a
worker as the arguments that start it, see `ij_bgcorr.engine.startup`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import xarray as xr

from ij_bgcorr.engine.results import provenance
from ij_bgcorr.errors import MacroError
from ij_bgcorr.macro.call import Call
from ij_bgcorr.options import BackgroundOptions, ball_geometry, imagej_fails
from ij_bgcorr.tiled import Reach, map_tiles
from ij_bgcorr.tiled.lazy import check_lazy, sample_of


def tile_by_tile(engine: Any, build: Callable[[Any], Call], image: xr.DataArray,
                 reach: Reach) -> xr.DataArray:
    """Run the command ``build`` makes on a Dask-backed image, lazily, tile by tile.

    Parameters
    ----------
    engine : Engine
        The engine whose ImageJ runs the tiles (its kind and version are the provenance).
    build : callable
        Makes the command's `Call` for an image, options bound (a builder of
        `ij_bgcorr.macro.commands`).
    image : xarray.DataArray
        Dask-backed, under the package's image contract; uint8, uint16 or float32.
    reach : Reach
        What the command needs around each tile (`ij_bgcorr.tiled.reach`).

    Returns
    -------
    xarray.DataArray
        Dask-backed, ``image``'s layout, chunks and dtype. Its provenance names the
        command as it runs on the whole image (``macro_line``, ``macro``), and the
        engine's recorded session gets those lines when this is called: they replay
        the result in Fiji wherever the whole image fits. The session knows a lazy
        image by its Dask graph (the result handed back lazily is known; computed,
        it is an image from memory).

    Raises
    ------
    CommandError, ImageFormatError
        Bad options (checked here, before anything runs); an image the engine
        cannot take lazily (`ij_bgcorr.tiled.lazy.check_lazy`).
    """
    canonical = check_lazy(image)
    call = build(sample_of(canonical))  # checks the options, writes the lines
    titles, result_title = engine._step_titles(call, [canonical])
    body = call.lines(titles, result_title)
    attrs = {**provenance(engine, call.command_line(titles, result_title)),
             "macro": "\n".join(body), "title": result_title}
    result = map_tiles(partial(_run_tile, engine=engine, build=build), image, reach,
                       image.dtype, attrs, name=result_title, inherit=False)
    engine._record(titles[0], body, result_title, check_lazy(result))
    return result


def refuse_unrollable(image: xr.DataArray, options: BackgroundOptions) -> None:
    """Refuse, before anything runs or is recorded, a rolling ball ImageJ fails on whole.

    Parameters
    ----------
    image : xarray.DataArray
        Dask-backed.
    options : BackgroundOptions
        The command's options.

    Raises
    ------
    MacroError
        When ImageJ's ``Subtract Background...`` throws on the whole image
        (`ij_bgcorr.options.imagej_fails`), as the command on it in memory does.
    """
    columns = check_lazy(image).sizes["col"]
    if not options.sliding and imagej_fails((columns,), options.rolling):
        factor = ball_geometry(options.rolling)[0]
        raise MacroError(
            f"ImageJ's Subtract Background fails at rolling={options.rolling:g} on an image of "
            f"width {columns}: shrunk by {factor} for the ball, one column is left "
            f"and ImageJ throws ArrayIndexOutOfBoundsException; nothing was run")


def _run_tile(window: xr.DataArray, engine: Any, build: Callable[[Any], Call]) -> xr.DataArray:
    """One tile's command in ``engine``, not recorded in its session."""
    return engine._run_call(build(window), record=False)
