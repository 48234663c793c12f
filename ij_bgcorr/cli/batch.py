"""The ``ij-bgcorr batch`` command: argument parsing only; the work is :func:`batch`'s.

Also runs on its own: ``python -m ij_bgcorr.cli.batch INPUT --method median --out DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from ij_bgcorr.cli.options import method_options, method_parameters, say
from ij_bgcorr.engine.locate import FIJI_ENV
from ij_bgcorr.errors import BatchInterrupted, IjBgcorrError

#: The exit status after Ctrl-C, as shells give a process ended by SIGINT.
INTERRUPTED = 130


@click.command("batch")
@click.argument("inputs", nargs=-1, required=True)
@method_options
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder: OUT/<stem>/background.tif, foreground.tif, manifest.json.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Worker processes, one ImageJ engine each.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run on this dask.distributed scheduler (tcp://host:port) instead.")
@click.option("--progress/--no-progress", default=True, show_default=True,
              help="Show a progress bar.")
@click.option("--replace", is_flag=True,
              help="Redo inputs whose results in OUT were made with other settings "
                   "(else such a batch is refused).")
def batch_command(inputs: tuple[str, ...], method: str, macro_file: Path | None,
                  radius: float | None, rolling: float | None, light_background: bool | None,
                  args: dict[str, str], out: Path, workers: int, scheduler: str | None,
                  timeout: float, progress: bool, replace: bool) -> None:
    """Background-correct every image in INPUTS (a folder, glob, list file or TIFF paths).

    Writes OUT/<stem>/background.tif and foreground.tif and OUT/manifest.json;
    inputs already done with the same checksum and parameters are skipped.
    Failed files are listed at the end and the exit status is then 1.
    \N{FORM FEED}

    Parameters
    ----------
    inputs : tuple of str
        INPUTS; one is passed to :func:`~ij_bgcorr.batch.run.batch` as is, several as a list.
    method : str
        A name in :data:`ij_bgcorr.methods.METHODS`.
    macro_file : pathlib.Path, optional
        ``--macro``, for ``--method macro``.
    radius, rolling : float, optional
        Radii in pixels; ``None`` when not given (the method's default applies).
    light_background : bool, optional
        ``None`` when not given.
    args : dict of str to str
        ``--arg key=value`` pairs, for the macro.
    out, workers, scheduler, timeout, progress, replace
        As the options above (``timeout`` in seconds).

    Raises
    ------
    click.ClickException
        For bad arguments (unknown parameter, radius not > 0, missing input).
    SystemExit
        With status 1 when a file failed, 130 after Ctrl-C (what was done is kept).
    """
    from ij_bgcorr.batch.run import batch

    params = method_parameters(method, radius, rolling, light_background, args)
    source: str | list[str] = inputs[0] if len(inputs) == 1 else list(inputs)
    root = click.get_current_context().find_root()
    fiji = (root.obj or {}).get("fiji") if root.command is not batch_command else None
    if fiji:  # worker processes start their engine from the environment
        os.environ[FIJI_ENV] = str(fiji)
    quiet = bool((root.obj or {}).get("quiet"))
    try:
        summary = batch(source, method, out, params=params, macro=macro_file,
                        workers=workers, scheduler=scheduler, progress=progress and not quiet,
                        timeout=timeout, replace=replace)
    except (IjBgcorrError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    except BatchInterrupted as stopped:
        click.echo(str(stopped.summary), err=True)  # printed even with --quiet
        raise SystemExit(INTERRUPTED) from None
    if summary.failed:
        click.echo(str(summary))  # failures are printed even with --quiet
        raise SystemExit(1)
    say(str(summary))


if __name__ == "__main__":
    from ij_bgcorr.engine.jvm import sigterm_ends_python

    sigterm_ends_python()
    batch_command()
