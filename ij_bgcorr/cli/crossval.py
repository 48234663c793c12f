"""The ``ij-bgcorr compare`` and ``sweep`` commands: Fiji against scikit-image and more."""

from __future__ import annotations

from pathlib import Path

import click

from ij_bgcorr.cli.engine import start_engine
from ij_bgcorr.cli.options import method_parameters, say
from ij_bgcorr.errors import IjBgcorrError
from ij_bgcorr.methods import METHODS, SWEEP_METHODS

CROSS_VALIDATED = [m.name for m in METHODS.values() if m.cross_validated]


@click.command()
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
    from ij_bgcorr.crossval import report
    from ij_bgcorr.crossval import validate as crossval
    from ij_bgcorr.image.tiff import open_image

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


@click.command()
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--max-radius", default=50, show_default=True, help="Radii 1..N pixels.")
@click.option("--method", type=click.Choice(SWEEP_METHODS), default="median",
              show_default=True, help="Median, or Subtract Background's rolling ball or "
              "sliding paraboloid.")
def sweep(out: Path, max_radius: int, method: str) -> None:
    """Fiji against the references over radii, 8/16/32-bit, odd/even/small images.

    Writes OUT/<method>_sweep.csv and prints a summary per reference kind.
    """
    from ij_bgcorr.crossval import validate as crossval

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
