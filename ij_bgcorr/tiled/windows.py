"""The window of input each output chunk is computed from, along one axis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ij_bgcorr.tiled.reach import Reach


@dataclass(frozen=True)
class Window:
    """One output chunk along an axis and the input window it is computed from.

    Attributes
    ----------
    start, stop : int
        The window, in pixels of the whole axis (``stop`` excluded).
    keep_start, keep_stop : int
        The chunk, in pixels of the window: the part of the window's result kept.
    """

    start: int
    stop: int
    keep_start: int
    keep_stop: int

    @property
    def kept(self) -> slice:
        """The chunk within the window's result."""
        return slice(self.keep_start, self.keep_stop)


def plan_windows(chunks: Sequence[int], reach: Reach) -> list[Window]:
    """Windows for consecutive chunks of an axis: each chunk widened by the reach.

    A window starts ``reach.margin`` pixels before its chunk, moved down to a
    multiple of ``reach.grid``, and ends ``reach.margin`` pixels after it, moved
    up to a multiple of ``reach.grid``; both are clipped to the axis, whose own
    ends need no margin (the command's border rule applies there, as on the
    whole image).

    Parameters
    ----------
    chunks : sequence of int
        The output chunks' lengths in pixels, in order; they sum to the axis length.
    reach : Reach
        What the command needs around a chunk.

    Returns
    -------
    list of Window
        One per chunk.
    """
    length = sum(chunks)
    grid = reach.grid
    windows = []
    start = 0
    for size in chunks:
        stop = start + size
        first = max(0, (start - reach.margin) // grid * grid)
        last = min(length, -(-(stop + reach.margin) // grid) * grid)
        windows.append(Window(first, last, start - first, stop - first))
        start = stop
    return windows
