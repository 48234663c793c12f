"""The ``ij-bgcorr large`` command: one image larger than memory, tile by tile, into OME-Zarr.

Argument parsing only; the work is :func:`~ij_bgcorr.batch.large.process_large`'s.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, ExitStack
from pathlib import Path

import click

from ij_bgcorr.cli.batch import INTERRUPTED
from ij_bgcorr.cli.engine import start_engine
from ij_bgcorr.cli.options import method_parameters, say
from ij_bgcorr.errors import IjBgcorrError
from ij_bgcorr.methods import LARGE_METHODS, METHODS


@click.command("large")
@click.argument("image", type=click.Path(exists=True, path_type=Path))
@click.option("--method", default="rolling-ball", show_default=True,
              type=click.Choice(LARGE_METHODS), help="Background method.")
@click.option("--radius", type=float, default=None,
              help=f"Median / top-hat radius, pixels [default: "
                   f"{METHODS['median'].params['radius']:g}].")
@click.option("--rolling", type=float, default=None,
              help=f"Rolling-ball radius, pixels [default: "
                   f"{METHODS['rolling-ball'].params['rolling']:g}].")
@click.option("--light-background", is_flag=True, default=None,
              help="Rolling ball: the background is lighter than the objects.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder: OUT/<stem>/background.ome.zarr and foreground.ome.zarr.")
@click.option("--chunk", default=2048, show_default=True, type=click.IntRange(min=16),
              help="Tile side in pixels.")
@click.option("--numpy", "use_numpy", is_flag=True,
              help="Compute with the ImageJ-matched numpy code (identical results, no Java).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Compute on this dask.distributed scheduler (tcp://host:port), one engine "
                   "per worker; default: threads of this process.")
@click.option("--progress/--no-progress", default=True, show_default=True,
              help="Show a progress bar.")
@click.option("--replace", is_flag=True,
              help="Redo a result in OUT made with other settings (else refused); only "
                   "a result of this command is ever replaced.")
def large_command(image: Path, method: str, radius: float | None, rolling: float | None,
                  light_background: bool | None, out: Path, chunk: int, use_numpy: bool,
                  scheduler: str | None, progress: bool, replace: bool) -> None:
    """Background-correct IMAGE (a TIFF/BigTIFF or an OME-Zarr folder) tile by tile.

    The result is identical to the whole-image command's, pixel for pixel; the
    image need not fit in memory, nor in ImageJ. Run again after an interruption,
    it goes on where it stopped.
    \N{FORM FEED}

    Parameters
    ----------
    image : pathlib.Path
        IMAGE.
    method, radius, rolling, light_background, out, chunk, use_numpy, scheduler, progress, replace
        As the options above (radii and ``chunk`` in pixels).

    Raises
    ------
    click.ClickException
        For bad arguments or an image that cannot be read lazily.
    SystemExit
        With status 130 after Ctrl-C (the tiles written are kept for the next run).
    """
    from ij_bgcorr.batch.large import process_large

    params = method_parameters(method, radius, rolling, light_background, {})
    quiet = bool((click.get_current_context().find_root().obj or {}).get("quiet"))
    try:
        with ExitStack() as stack:
            if scheduler is not None:
                stack.enter_context(_client(scheduler))
            engine = None if use_numpy else start_engine()
            folder = process_large(image, out, method, params, chunk, engine,
                                   progress=progress and not quiet, replace=replace)
    except (IjBgcorrError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        click.echo("Interrupted: the tiles written are kept; run the same command again "
                   "to go on.", err=True)
        raise SystemExit(INTERRUPTED) from None
    say(f"Wrote {folder}/background.ome.zarr and foreground.ome.zarr")


def _client(address: str) -> AbstractContextManager[object]:
    try:
        from distributed import Client
    except ImportError as exc:
        raise click.ClickException("--scheduler needs dask.distributed: "
                                   "pip install 'ij-bgcorr[cluster]'") from exc
    try:
        return Client(address, timeout="10s")
    except OSError as exc:
        raise click.ClickException(f"Cannot reach the scheduler {address}: {exc}") from exc
