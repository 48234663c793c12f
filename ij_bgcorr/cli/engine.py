"""The engine a command runs in: the one ``--fiji`` (or ``$IJ_BGCORR_FIJI``) names."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ij_bgcorr.errors import IjBgcorrError

if TYPE_CHECKING:
    from ij_bgcorr.engine.base import Engine


def start_engine() -> Engine:
    """Start the engine ``--fiji`` (or ``$IJ_BGCORR_FIJI``) asks for, or the embedded one.

    Returns
    -------
    Engine
        The process's engine.

    Raises
    ------
    click.ClickException
        When it cannot start, with the reason.
    """
    from ij_bgcorr.engine.startup import looks_like_endpoint, start

    ctx = click.get_current_context().find_root()
    fiji = (ctx.obj or {}).get("fiji")
    try:
        if fiji and looks_like_endpoint(fiji) and not Path(fiji).expanduser().exists():
            return start(endpoint=fiji)
        return start(fiji=fiji)
    except IjBgcorrError as exc:
        raise click.ClickException(str(exc)) from exc
