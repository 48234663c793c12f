"""The ``ij-bgcorr macro`` command: a macro file run as Fiji runs it, what it leaves written."""

from __future__ import annotations

from pathlib import Path

import click

from ij_bgcorr.cli.engine import start_engine
from ij_bgcorr.cli.options import key_values, say
from ij_bgcorr.cli.saving import save_all, save_log, summary_table
from ij_bgcorr.errors import IjBgcorrError
from ij_bgcorr.options import DEFAULT_TIMEOUT


@click.command()
@click.argument("macro_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--input", "inputs", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A TIFF that ImageJ opens before the macro, as File > Open does (titled by "
                   "its file name); give several to open each in turn, the last one active.")
@click.option("--arg", "args", multiple=True, callback=key_values,
              help="key=value: fills the script parameter '#@ ... key', else is passed "
                   "through getArgument().")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--timeout", default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds before the macro "
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
    from ij_bgcorr.batch.files import inputs_protected
    from ij_bgcorr.batch.work import LOG_NAME
    from ij_bgcorr.image.outputs import unchanged_inputs
    from ij_bgcorr.image.tiff import check_tiff
    from ij_bgcorr.workflows import run_macro_on_files

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
    save_all(images, out, result.all_tables(), inputs=[*inputs, macro_file])
    if result.log:
        save_log(result.log, out / LOG_NAME, inputs=[*inputs, macro_file])
        say(result.log)
    for message in result.messages:
        say(f"ImageJ showed (answered OK): {message}")
    say(summary_table(result.images))
    for title in unchanged:
        say(f"{title!r} is its input unchanged: not written again")
    for title, table in result.all_tables().items():
        say(f"table {title!r}: {table.shape[0]} rows x {table.shape[1]} columns")
