"""How far each command looks: the margin a tile needs around the pixels it must get right.

A result pixel of a local filter depends on the input within some distance of
it; a tile computed from a window holding that neighbourhood gives it exactly
as the whole image does. The margins here are upper bounds: a wider window
costs time, never exactness. Window edges that are not image edges disturb the
result near them (the filter reads its own border rule there), which the
margin keeps away from the pixels kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ij_bgcorr.errors import CommandError
from ij_bgcorr.options import BackgroundOptions, ball_geometry
from ij_bgcorr.validation import positive_pixels


@dataclass(frozen=True)
class Reach:
    """The window a tile needs, along ``row`` and along ``col``.

    Attributes
    ----------
    margin : int
        Pixels of input needed on each side of a tile, >= 0.
    grid : int, default 1
        Windows start on multiples of it, in pixels from the image's origin (the
        rolling ball's shrink factor: its blocks must be the whole image's blocks).
    """

    margin: int
    grid: int = 1


def rank_reach(radius: float, passes: int = 1) -> Reach:
    """Return the reach of ImageJ's (and scikit-image's) rank filters of ``radius`` pixels.

    ImageJ's kernel holds offsets with dx² + dy² <= int(r²) + 1 (r raised to 1.75
    or 2.85 just above 1.5 and 2.5), so it reaches at most r + 2 pixels;
    scikit-image's ``disk(r)`` reaches r.

    Parameters
    ----------
    radius : float
        Kernel radius in pixels, > 0.
    passes : int, default 1
        Filters applied one after the other (2 for an opening: minimum, then maximum).

    Returns
    -------
    Reach
        ``passes`` times the kernel's reach, on no grid.

    Raises
    ------
    CommandError
        When ``radius`` is not a finite number of pixels above 0.

    Examples
    --------
    >>> from ij_bgcorr.tiled import rank_reach
    >>> rank_reach(15)
    Reach(margin=17, grid=1)
    >>> rank_reach(5, passes=2)  # an opening: minimum, then maximum
    Reach(margin=14, grid=1)
    """
    return Reach(passes * (math.ceil(positive_pixels("radius", radius)) + 2))


def background_reach(options: BackgroundOptions, kind: str = "imagej") -> Reach:
    """Return the reach of ``Subtract Background...`` or of the lesson's rolling ball.

    ImageJ's rolling ball smooths with a 3x3 mean (1 pixel), shrinks by
    ``factor`` (blocks aligned on the image's origin: windows start on that
    grid), erodes and dilates the shrunken image with a ball patch of half-width
    ``half`` (``2 half`` shrunken pixels), and interpolates back between two
    shrunken pixels (one more, and one more for the window's own edge block).
    scikit-image's ``rolling_ball`` is one pass of a ball of ``radius`` pixels.

    Parameters
    ----------
    options : BackgroundOptions
        The command's options.
    kind : {"imagej", "lesson"}, default "imagej"
        Whose rolling ball.

    Returns
    -------
    Reach
        The margin in pixels and the shrink grid.

    Raises
    ------
    CommandError
        For the sliding paraboloid: a parabola slides along whole rows, columns
        and diagonals, so one pixel's background can depend on pixels anywhere on
        those lines and no margin short of the whole image is exact.

    Examples
    --------
    A ball of 50 pixels shrinks the image 4 times, so windows start on that grid:

    >>> from ij_bgcorr.options import BackgroundOptions
    >>> from ij_bgcorr.tiled import background_reach
    >>> background_reach(BackgroundOptions(rolling=50))
    Reach(margin=90, grid=4)
    >>> background_reach(BackgroundOptions(rolling=50), kind="lesson")
    Reach(margin=52, grid=1)
    """
    if options.sliding:
        raise CommandError(
            "The sliding paraboloid cannot be computed tile by tile: its parabolas slide "
            "along whole rows, columns and diagonals, so a pixel's background can depend on "
            "pixels anywhere on them. Compute the whole image (load it with .compute()), or "
            "use the rolling ball (sliding=False), which tiles exactly.")
    if kind == "lesson":
        return Reach(math.ceil(options.rolling) + 2)
    factor, _, half = ball_geometry(options.rolling)
    smoothing = 0 if options.disable_smoothing else 1
    return Reach((2 * half + 4) * factor + smoothing + 1, factor)
