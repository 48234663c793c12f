"""Option parsing shared by the command-line entry points."""

from __future__ import annotations

import click


def key_values(
    ctx: click.Context, param: click.Parameter, pairs: tuple[str, ...]
) -> dict[str, str]:
    """Click callback: ``--arg key=value`` given several times → ``{key: value}``."""
    args = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not key=value", ctx=ctx, param=param)
        args[key] = value
    return args
