"""Option parsing shared by the command-line entry points."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ij_bgcorr.methods import METHODS
from ij_bgcorr.options import DEFAULT_TIMEOUT


def say(text: str, err: bool = False) -> None:
    """Print a command's report, unless ``ij-bgcorr --quiet`` was given (errors still print).

    Parameters
    ----------
    text : str
        What to print.
    err : bool
        Print to standard error.
    """
    root = click.get_current_context(silent=True)
    settings = (root.find_root().obj or {}) if root is not None else {}
    if not settings.get("quiet"):
        click.echo(text, err=err)


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


def method_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options that choose a method and its parameters (``run`` and ``batch`` share them).

    ``--method``, ``--radius``, ``--rolling``, ``--light-background``, ``--macro``,
    ``--arg`` and ``--timeout``; the command gets them as keywords (``macro_file`` for
    ``--macro``, ``args`` for ``--arg``) and builds the parameters with
    :func:`method_parameters`.
    """
    options = [
        click.option("--method", default="median", show_default=True,
                     type=click.Choice(list(METHODS)), help="Background method."),
        click.option("--radius", type=float, default=None,
                     help="Median / top-hat radius, pixels "
                          f"[default: {METHODS['median'].params['radius']:g}]."),
        click.option("--rolling", type=float, default=None,
                     help="Rolling-ball radius, pixels "
                          f"[default: {METHODS['rolling-ball'].params['rolling']:g}]."),
        click.option("--light-background", is_flag=True, default=None,
                     help="Rolling ball: the background is lighter than the objects."),
        click.option("--macro", "macro_file", type=click.Path(exists=True, dir_okay=False,
                                                               path_type=Path),
                     help="The .ijm macro for --method macro (the images it leaves open and its "
                          "tables are saved; in a batch, its Log too)."),
        click.option("--arg", "args", multiple=True, callback=key_values,
                     help="key=value for --method macro: fills its script parameter "
                          "'#@ ... key', else reaches getArgument()."),
        click.option("--timeout", default=DEFAULT_TIMEOUT, show_default=True,
                     type=click.FloatRange(min=0, min_open=True),
                     help="Seconds before a macro is stopped, per image."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def method_parameters(method: str, radius: float | None, rolling: float | None,
                      light_background: bool | None, args: dict[str, str]) -> dict[str, Any]:
    """Return the parameters the user gave (the method's defaults fill the rest later).

    Parameters
    ----------
    method : str
        ``--method``.
    radius, rolling : float or None
        ``--radius`` and ``--rolling``, pixels; None when not given.
    light_background : bool or None
        ``--light-background``; None when not given.
    args : dict of str to str
        ``--arg`` pairs.

    Returns
    -------
    dict of str to object

    Raises
    ------
    click.UsageError
        For an option the method does not take, named as on the command line.
    """
    given = {"radius": radius, "rolling": rolling, "light_background": light_background}
    given = {k: v for k, v in given.items() if v is not None}
    takes = set(METHODS[method].params)
    wrong = [f"--{k.replace('_', '-')}" for k in given if k not in takes]
    if args and method != "macro":
        wrong.append("--arg")
    if wrong:
        options = ", ".join(f"--{k.replace('_', '-')}" for k in sorted(takes)) or (
            "--macro and --arg" if method == "macro" else "none")
        raise click.UsageError(f"{', '.join(wrong)}: not an option of --method {method} "
                               f"(its options: {options})")
    return given | args
