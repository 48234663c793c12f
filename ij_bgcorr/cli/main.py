"""The ``ij-bgcorr`` command line: the group, its options and the commands' registry.

Each command lives in its own module, which loads the libraries it needs when it
runs, so that ``ij-bgcorr --help`` starts quickly.
"""

from __future__ import annotations

import logging

import click

from ij_bgcorr.cli.batch import INTERRUPTED, batch_command
from ij_bgcorr.cli.crossval import compare, sweep
from ij_bgcorr.cli.doctor import doctor_command
from ij_bgcorr.cli.large import large_command
from ij_bgcorr.cli.lesson import lesson
from ij_bgcorr.cli.macro import macro
from ij_bgcorr.cli.run import run
from ij_bgcorr.engine.jvm import exit_now, sigterm_ends_python


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


main.add_command(run)
main.add_command(macro)
main.add_command(lesson)
main.add_command(compare)
main.add_command(sweep)
main.add_command(doctor_command)
main.add_command(batch_command)
main.add_command(large_command)


def entry_point() -> None:
    """Run the ``ij-bgcorr`` program: the command, then end without JVM teardown.

    Ctrl-C ends every command with status 130, as shells give a process ended by
    SIGINT (click's own handling would say "Aborted!" and give 1).
    """
    sigterm_ends_python()
    try:
        returned = main.main(standalone_mode=False)
        code = returned if isinstance(returned, int) else 0
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        click.echo("Interrupted.", err=True)
        code = INTERRUPTED
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    exit_now(code)
