"""The ``ij-bgcorr doctor`` command: what this machine has for each engine, and what to fix."""

from __future__ import annotations

import click


@click.command("doctor")
def doctor_command() -> None:
    """Check Java, ImageJ, the display, PyImageJ and Fiji; say how to fix what is missing.

    Exits 0 when the embedded engine can start (Fiji is optional), 1 otherwise.
    \N{FORM FEED}

    Raises
    ------
    SystemExit
        Always, with that status.
    """
    from ij_bgcorr.engine.doctor import diagnose, format_table

    diagnosis = diagnose()
    click.echo(format_table(diagnosis))
    raise SystemExit(0 if diagnosis.embedded_ready else 1)
