"""The ``ij-bgcorr lesson`` command: every shipped lesson macro on the lesson's images."""

from __future__ import annotations

from pathlib import Path

import click

from ij_bgcorr.cli.engine import start_engine
from ij_bgcorr.cli.options import say
from ij_bgcorr.cli.saving import save_all, summary_table
from ij_bgcorr.errors import IjBgcorrError


@click.command()
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--image", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="2-D image for the median, rolling-ball and top-hat macros.")
@click.option("--series", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Time series for the max-projection macro.")
def lesson(out: Path, image: Path | None, series: Path | None) -> None:
    """Run every shipped lesson macro (on the lesson's images unless files are given)."""
    from ij_bgcorr import data
    from ij_bgcorr.image.tiff import open_image
    from ij_bgcorr.macro.files import shipped_macros

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
        save_all(result.images, out / name, inputs=[p for p in (image, series) if p])
        say(f"\n{name}  ->  {out / name}\n{summary_table(result.images)}")
