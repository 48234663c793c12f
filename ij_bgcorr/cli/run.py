"""The ``ij-bgcorr run`` command: one lesson method on one image, as batch runs it."""

from __future__ import annotations

from pathlib import Path

import click

from ij_bgcorr.cli.engine import start_engine
from ij_bgcorr.cli.options import method_options, method_parameters, say
from ij_bgcorr.cli.saving import save_all, summary_table
from ij_bgcorr.errors import IjBgcorrError


@click.command()
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
    from ij_bgcorr import data
    from ij_bgcorr.batch.params import method_params
    from ij_bgcorr.image.tiff import open_image
    from ij_bgcorr.workflows import run_method

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
    save_all(images, out, tables, inputs=[p for p in (image, macro_file) if p])
    say(f"ImageJ {fiji.version}; {method} on {image or source.attrs['source']}")
    say(summary_table(images))
    say(f"\nwrote {', '.join(images)} to {out}; Fiji macro:\n")
    say(fiji.recorded_macro())
