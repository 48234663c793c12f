"""The ``ij-bgcorr`` command line: argument parsing only; the work is the Python API's."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import click
import numpy as np
import pandas as pd
import xarray as xr

from ij_bgcorr import data
from ij_bgcorr.batch.files import atomic_write, inputs_protected
from ij_bgcorr.batch.guards import refuse_overwriting_inputs
from ij_bgcorr.batch.params import method_params
from ij_bgcorr.batch.work import LOG_NAME, write_log
from ij_bgcorr.cli import batch as cli_batch
from ij_bgcorr.cli.engine import start_engine
from ij_bgcorr.cli.large import large_command
from ij_bgcorr.cli.options import key_values, method_options, method_parameters, say
from ij_bgcorr.crossval import report
from ij_bgcorr.crossval import validate as crossval
from ij_bgcorr.engine.doctor import doctor_command
from ij_bgcorr.engine.jvm import exit_now
from ij_bgcorr.errors import CommandError, DiskFull, IjBgcorrError
from ij_bgcorr.image.outputs import save_table, unchanged_inputs, unique_stems
from ij_bgcorr.image.tiff import check_tiff, open_image, save_image
from ij_bgcorr.macro.files import shipped_macros
from ij_bgcorr.methods import METHODS
from ij_bgcorr.workflows import run_macro_on_files, run_method

CROSS_VALIDATED = [m.name for m in METHODS.values() if m.cross_validated]


def _table(images: dict[str, xr.DataArray]) -> str:
    rows = [("title", "shape", "dtype", "min", "max", "mean")]
    for title, image in images.items():
        values = np.asarray(image.values, dtype=np.float64)
        rows.append((title, "x".join(f"{d}={n}" for d, n in image.sizes.items()),
                     str(image.dtype), f"{values.min():.4g}", f"{values.max():.4g}",
                     f"{values.mean():.4g}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True))
                     for r in rows)


@contextmanager
def _writing_into(folder: Path) -> Iterator[None]:
    """Turn a refused output, a full disk or a folder that cannot be written into one line."""
    try:
        yield
    except (CommandError, DiskFull) as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"Cannot write into {folder}: {exc.strerror or exc}") from exc


def _save_all(images: dict[str, xr.DataArray], out: Path,
              tables: dict[str, pd.DataFrame] | None = None, inputs: Iterable[Path] = ()) -> None:
    """Write each image as ``<title>.tif`` and each table as ``<title>.csv`` into ``out``.

    Nothing is written when a file would replace one of ``inputs`` (by any name); each
    file is written whole or not at all. A refused output, a full disk or a folder that
    cannot be written is a one-line error.
    """
    tables = tables or {}
    planned: list[tuple[Path, xr.DataArray | pd.DataFrame]] = [
        (out / f"{stem}.tif", images[title]) for title, stem in unique_stems(images).items()]
    planned += [(out / f"{stem}.csv", tables[title])
                for title, stem in unique_stems(tables).items()]
    with _writing_into(out):
        refuse_overwriting_inputs(inputs, [path for path, _ in planned])
        out.mkdir(parents=True, exist_ok=True)
        for path, value in planned:
            save = save_table if isinstance(value, pd.DataFrame) else save_image
            atomic_write(path, partial(save, value))


def _save_log(text: str, path: Path, inputs: Iterable[Path]) -> None:
    """Write the Log to ``path``, unless that is one of ``inputs``; a one-line error else."""
    with _writing_into(path.parent):
        refuse_overwriting_inputs(inputs, [path])
        write_log(text, path)


@click.group()
@click.version_option(package_name="ij-bgcorr", prog_name="ij-bgcorr")
@click.option("--fiji", metavar="PATH|ENDPOINT", default=None,
              help="Run the commands in this Fiji: a Fiji.app folder, or a Maven endpoint "
                   "such as sc.fiji:fiji. Default: $IJ_BGCORR_FIJI, else the embedded "
                   "ImageJ 1.x.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--verbose", "-v", is_flag=True, help="Also print what the package logs.")
@click.pass_context
def main(ctx: click.Context, fiji: str | None, quiet: bool, verbose: bool) -> None:
    """Local background correction with Fiji's own ImageJ commands."""
    ctx.ensure_object(dict).update(fiji=fiji, quiet=quiet)
    if verbose:
        handler = logging.StreamHandler()  # standard error
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        package = logging.getLogger("ij_bgcorr")
        level = package.level
        package.addHandler(handler)
        package.setLevel(logging.INFO)

        def quiet_again() -> None:
            package.removeHandler(handler)
            package.setLevel(level)

        ctx.call_on_close(quiet_again)


@main.command()
@click.argument("image", required=False, type=click.Path(dir_okay=False, path_type=Path))
@method_options
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder: input.tif and the method's images (and tables).")
def run(image: Path | None, method: str, radius: float | None, rolling: float | None,
        light_background: bool | None, macro_file: Path | None, args: dict[str, str],
        timeout: float, out: Path) -> None:
    """Run one method on IMAGE, as batch runs it on each file.

    IMAGE defaults to the lesson's spots image (its time series for maxproj).
    Writes input.tif, background.tif and foreground.tif (32-bit), or every image
    and table a macro leaves, to OUT; prints a summary and the macro to paste
    into Fiji.
    """
    try:
        params = method_params(method, method_parameters(method, radius, rolling,
                                                         light_background, args), macro_file)
        lesson_image = data.POLYP if method == "maxproj" else data.SPOTS
        source = open_image(image) if image else data.load(lesson_image)
        fiji = start_engine()
        images, tables = run_method(fiji, method, source, params, macro_file, timeout)
    except (IjBgcorrError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    images = {"input": source} | images
    _save_all(images, out, tables, inputs=[p for p in (image, macro_file) if p])
    say(f"ImageJ {fiji.version}; {method} on {image or source.attrs['source']}")
    say(_table(images))
    say(f"\nwrote {', '.join(images)} to {out}; Fiji macro:\n")
    say(fiji.recorded_macro())


@main.command()
@click.argument("macro_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--input", "inputs", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A TIFF that ImageJ opens before the macro, as File > Open does (titled by "
                   "its file name); give several to open each in turn, the last one active.")
@click.option("--arg", "args", multiple=True, callback=key_values,
              help="key=value: fills the script parameter '#@ ... key', else is passed "
                   "through getArgument().")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--timeout", default=600.0, show_default=True, help="Seconds before the macro "
              "is stopped.")
def macro(macro_file: Path, inputs: tuple[Path, ...], args: dict[str, str], out: Path,
          timeout: float) -> None:
    """Run MACRO_FILE as Fiji would; write what it leaves to OUT.

    Every image open at its end becomes OUT/<title>.tif (except an input it left
    unchanged), the Results table OUT/Results.csv, every other table
    OUT/<title>.csv and the Log OUT/Log.txt. The macro's own saveAs goes where it
    says, but never over an input: such an input is restored and the command
    fails. A macro runs with your rights (it can run programs and delete files):
    run only macros you trust.
    """
    try:
        for path in inputs:
            check_tiff(path)  # refused before ImageJ sees it: damaged, truncated, too large
    except (IjBgcorrError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        if inputs:
            out.mkdir(parents=True, exist_ok=True)  # the inputs' copies go there
    except OSError as exc:
        raise click.ClickException(f"Cannot write into {out}: {exc.strerror or exc}") from exc
    try:
        with inputs_protected(inputs, backup_dir=out):
            result = run_macro_on_files(start_engine(), macro_file, inputs, args, timeout)
    except (IjBgcorrError, OSError) as exc:  # OSError: an input could not be copied or restored
        raise click.ClickException(str(exc)) from exc
    unchanged = unchanged_inputs(result.images, inputs)
    images = {t: im for t, im in result.images.items() if t not in unchanged}
    _save_all(images, out, result.all_tables(), inputs=[*inputs, macro_file])
    if result.log:
        _save_log(result.log, out / LOG_NAME, inputs=[*inputs, macro_file])
        say(result.log)
    for message in result.messages:
        say(f"ImageJ showed (answered OK): {message}")
    say(_table(result.images))
    for title in unchanged:
        say(f"{title!r} is its input unchanged: not written again")
    for title, table in result.all_tables().items():
        say(f"table {title!r}: {table.shape[0]} rows x {table.shape[1]} columns")


@main.command()
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--image", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="2-D image for the median, rolling-ball and top-hat macros.")
@click.option("--series", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Time series for the max-projection macro.")
def lesson(out: Path, image: Path | None, series: Path | None) -> None:
    """Run every shipped lesson macro (on the lesson's images unless files are given)."""
    try:
        still = open_image(image) if image else data.load(data.SPOTS)
        movie = open_image(series) if series else data.load(data.POLYP)
    except IjBgcorrError as exc:
        raise click.ClickException(str(exc)) from exc
    fiji = start_engine()
    for name, path in shipped_macros().items():
        source = movie if name.startswith("max_projection") else still
        try:
            result = fiji.run_macro(path, inputs={"input": source}, timeout=600)
        except IjBgcorrError as exc:
            raise click.ClickException(f"{name}: {exc}") from exc
        _save_all(result.images, out / name, inputs=[p for p in (image, series) if p])
        say(f"\n{name}  ->  {out / name}\n{_table(result.images)}")


@main.command()
@click.argument("image")
@click.option("--method", type=click.Choice(CROSS_VALIDATED), default="median",
              show_default=True)
@click.option("--radius", type=float, default=None,
              help="Median / top-hat radius, pixels "
                   f"[default: {METHODS['median'].params['radius']:g}].")
@click.option("--rolling", type=float, default=None,
              help="Rolling-ball radius, pixels "
                   f"[default: {METHODS['rolling-ball'].params['rolling']:g}].")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--line", default=None, metavar="X0,Y0,X1,Y1[,...]",
              help="Profile line vertices in pixels; default: the lesson's polyline on the "
                   "lesson's image, else the middle row from 10% to 90% of the width.")
def compare(image: str, method: str, radius: float | None, rolling: float | None, out: Path,
            line: str | None) -> None:
    """Fiji against scikit-image for one method on IMAGE (a path or an http(s) URL).

    Prints the comparison table and writes OUT/<image stem>.<method>.png and .md.
    """
    given = method_parameters(method, radius, rolling, None, {})
    radius = given.get("rolling" if method == "rolling-ball" else "radius")
    try:
        vertices = report.parse_line(line) if line is not None else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--line'") from exc
    try:
        img = open_image(image)
    except (IjBgcorrError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        report.choose_line(img, vertices)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--line'") from exc
    try:
        result = crossval.cross_validate(start_engine(), img, method, radius)
    except (IjBgcorrError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    out.mkdir(parents=True, exist_ok=True)
    name = report.output_name(result)
    figure = report.save_figure(result, out / f"{name}.png", vertices)
    text = report.markdown(result, figure.name, vertices)
    (out / f"{name}.md").write_text(text, encoding="utf-8")
    say(text)
    say(f"wrote {figure} and {out / f'{name}.md'}")


@main.command()
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--max-radius", default=50, show_default=True, help="Radii 1..N pixels.")
@click.option("--method", type=click.Choice(crossval.SWEEP_METHODS), default="median",
              show_default=True, help="Median, or Subtract Background's rolling ball or "
              "sliding paraboloid.")
def sweep(out: Path, max_radius: int, method: str) -> None:
    """Fiji against the references over radii, 8/16/32-bit, odd/even/small images.

    Writes OUT/<method>_sweep.csv and prints a summary per reference kind.
    """
    table = crossval.sweep(start_engine(), radii=tuple(range(1, max_radius + 1)), method=method)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{method}_sweep.csv"
    table.to_csv(path, index=False)
    summary = table.groupby(["reference", "dtype"]).agg(
        cases=("identical", "size"), identical=("identical", "sum"),
        worst_fraction_different=("fraction_different", "max"),
        worst_max_abs_diff=("max_abs_diff", "max"))
    say(summary.to_string())
    say(f"\nwrote {path}")


main.add_command(doctor_command)
main.add_command(cli_batch.batch_command)
main.add_command(large_command)


def entry_point() -> None:
    """Run the ``ij-bgcorr`` program: the command, then end without JVM teardown."""
    try:
        main(standalone_mode=True)
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    exit_now(code)
