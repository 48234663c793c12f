"""One ImageJ command as data: its images, its macro line, and how its result is made.

The builders of :mod:`ij_bgcorr.macro.commands` make a :class:`Call`; the engine
runs every call the same way (the engine's ``Engine._run_call``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import xarray as xr

from ij_bgcorr.image.arrays import plane_sizes
from ij_bgcorr.image.layout import Layout
from ij_bgcorr.macro.text import option_value, quote, run_line


@dataclass(frozen=True)
class Call:
    """One command: the images it reads, its macro line, and how its result is made.

    Attributes
    ----------
    images : tuple of xarray.DataArray
        The images it reads, in canonical form; the first is its target.
    command, options : str or None, str
        ImageJ's command name (``"Median..."``) and its options; ``"imageCalculator"`` for the
        Image Calculator's macro function (options: its operation); None for a plain copy
        (``Duplicate...``).
    creates : str or None
        The prefix of the title ImageJ gives the new image it opens (``"MAX_"``), or None when
        the command changes the active image in place: then the engine runs it on a
        ``Duplicate...`` of its first input, as the lesson's macros do, so the input is unchanged.
    title, layout : str or None, Layout or None
        The result's title the caller asked for, if any; how the first input was laid out
        (the result gets it back).
    """

    images: tuple[xr.DataArray, ...]
    command: str | None = None
    options: str = ""
    creates: str | None = None
    title: str | None = None
    layout: Layout | None = None

    @property
    def in_place(self) -> bool:
        """Whether the command changes its first image (then it runs on a copy of it)."""
        return self.creates is None and self.command is not None

    def line(self, titles: Sequence[str]) -> str:
        """Return the command's macro line with its images under ``titles`` (first: the target).

        Parameters
        ----------
        titles : sequence of str
            The window titles of ``images``, in their order.

        Returns
        -------
        str
        """
        if self.command == "imageCalculator":
            first, second = (quote(t) for t in titles)
            return f"imageCalculator({quote(self.options)}, {first},{second});"
        return run_line(str(self.command), self.options.split())

    def default_title(self, titles: Sequence[str]) -> str:
        """Return the title ImageJ would give the result (before making it unique).

        Parameters
        ----------
        titles : sequence of str
            The window titles of ``images``, in their order.

        Returns
        -------
        str
            ``creates`` followed by the first input's title.
        """
        return (self.creates or "") + titles[0]

    def command_line(self, titles: Sequence[str], result: str) -> str:
        """Return the command's own line as it runs (in place: on a duplicate titled ``result``).

        Parameters
        ----------
        titles, result : sequence of str, str
            The window titles of ``images``, in their order; the result's title.

        Returns
        -------
        str
        """
        if self.command is None:
            return duplicate_line(result, n_planes(self.images[0]) > 1)
        if self.creates is None:
            return self.line([result, *titles[1:]])
        return self.line(titles)

    def lines(self, titles: Sequence[str], result: str) -> list[str]:
        """Return the macro lines that make ``result`` from the images under ``titles``.

        Parameters
        ----------
        titles, result : sequence of str, str
            The window titles of ``images``, in their order; the result's title. The first input
            must be active when the lines run.

        Returns
        -------
        list of str
            A ``Duplicate...`` (when in place), the command's line, and a ``rename`` when
            ImageJ's own title for the result is not ``result``.
        """
        line = self.command_line(titles, result)
        if self.in_place:
            return [duplicate_line(result, n_planes(self.images[0]) > 1), line]
        if self.creates is None:  # a plain Duplicate...: its own line is the copy
            return [line]
        if result == self.default_title(titles):
            return [line]
        return [line, f"rename({quote(result)});"]


def n_planes(image: xr.DataArray) -> int:
    """Return the number of planes of an image in canonical form (channels, z planes, frames).

    Parameters
    ----------
    image : xarray.DataArray
        In canonical form.

    Returns
    -------
    int
    """
    nc, nz, nt = plane_sizes(image)
    return nc * nz * nt


def duplicate_line(title: str, stack: bool) -> str:
    """Return the line ``run("Duplicate...", "title=... duplicate");``.

    Parameters
    ----------
    title, stack : str, bool
        The copy's window title; copy all planes of a stack (the ``duplicate`` word).

    Returns
    -------
    str
    """
    return run_line("Duplicate...", [f"title={option_value(title)}"] + (["duplicate"] * stack))
