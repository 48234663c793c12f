"""The lesson's commands' options as values, shared by the engine, the macro lines and numpy.

:class:`BackgroundOptions` is ``Subtract Background...``'s dialog;
:data:`PROJECTIONS` is ``Z Project...``'s list of methods. Each is defined
here once: the engine's commands, the macro-line builders and the ImageJ-matched
numpy code read them from here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ij_bgcorr.errors import CommandError
from ij_bgcorr.validation import positive_pixels

# The most elements a Java array holds (ImageJ builds its rolling ball in one)
_JAVA_ARRAY_LIMIT = 2**31 - 1

#: Seconds a command, a macro or one file of a batch may run before it is stopped
#: (MacroTimeout): one default everywhere, as long as ImageJ's GUI has none.
DEFAULT_TIMEOUT = 3600.0

#: The lesson's default radii, in pixels: the median's and top-hat's, and the rolling ball's.
DEFAULT_RADIUS = 15.0
DEFAULT_ROLLING = 50.0


@dataclass(frozen=True)
class Projection:
    """One ``Z Project...`` method.

    Attributes
    ----------
    imagej_name : str
        The name in ImageJ's dialog (``projection=[Max Intensity]``).
    prefix : str
        The prefix ImageJ gives the result's title (``MAX_``).
    """

    imagej_name: str
    prefix: str

    @property
    def option(self) -> str:
        """The ``projection=`` value of the macro line, bracketed when it has spaces."""
        return f"[{self.imagej_name}]" if " " in self.imagej_name else self.imagej_name


#: ``Z Project...``'s methods by the names this package uses.
PROJECTIONS: dict[str, Projection] = {
    "avg": Projection("Average Intensity", "AVG_"),
    "max": Projection("Max Intensity", "MAX_"),
    "min": Projection("Min Intensity", "MIN_"),
    "sum": Projection("Sum Slices", "SUM_"),
    "sd": Projection("Standard Deviation", "STD_"),
    "median": Projection("Median", "MED_"),
}


def ball_geometry(radius: float) -> tuple[int, float, int]:
    """Return how ImageJ's Subtract Background sizes its rolling ball.

    The image is shrunk by a factor that grows with the radius; the ball's radius on
    the shrunken grid is ``radius / factor`` (at least 1), and its rim is trimmed by
    a share that grows with the factor, so that the patch's half-width is
    ``round(r - trim)``.

    Parameters
    ----------
    radius : float
        Ball radius in pixels of the full-size image, > 0.

    Returns
    -------
    factor : int
        The shrink factor: 1, 2, 4 or 8.
    r : float
        The ball's radius on the shrunken grid, in shrunken pixels.
    half : int
        The patch's half-width, in shrunken pixels (its width is ``2 * half + 1``).
    """
    if radius <= 10:
        factor, trim_percent = 1, 24
    elif radius <= 30:
        factor, trim_percent = 2, 24
    elif radius <= 100:
        factor, trim_percent = 4, 32
    else:
        factor, trim_percent = 8, 40
    r = max(radius / factor, 1.0)
    trim = int(trim_percent * r) // 100
    return factor, r, int(math.floor(r - trim + 0.5))


def imagej_fails(shape: tuple[int, ...], radius: float) -> bool:
    """Whether ImageJ 1.53t's rolling ball fails on an image of this shape.

    That happens when the image, shrunken for the ball, is a single column wide
    (``ceil(cols / factor) == 1`` with a shrink factor above 1): interpolating the
    background back to full size then reads before the start of the shrunken
    row, and ImageJ throws an ArrayIndexOutOfBoundsException, on every run (the
    engines report it as a MacroError). 8- and 16-bit and RGB pixels are then
    as they were; a 32-bit image, whose background ImageJ computes in place, is
    left negated (with a light background) and smoothed (unless smoothing is
    disabled). The reference returns every such plane unchanged.

    Parameters
    ----------
    shape : tuple of int
        The image's shape, columns last.
    radius : float
        Ball radius in pixels, > 0.

    Returns
    -------
    bool
        True when ImageJ throws inside the command.
    """
    factor, _, _ = ball_geometry(radius)
    return factor > 1 and -(-shape[-1] // factor) < 2


@dataclass(frozen=True)
class BackgroundOptions:
    """The options of ``Process > Subtract Background...``, checked once.

    Attributes
    ----------
    rolling : float
        Radius of the rolling ball (or the paraboloid's curvature), pixels, > 0.
    light_background : bool
        The background is brighter than the objects.
    sliding : bool
        A sliding paraboloid instead of the rolling ball.
    disable_smoothing : bool
        Skip the 3x3 mean ImageJ applies before estimating the background.
    create_background : bool
        The result is the background instead of the corrected image.
    separate : bool
        For RGB images: correct each colour on its own instead of the brightness.

    Raises
    ------
    CommandError
        When ``rolling`` is not a finite number of pixels above 0.
    """

    rolling: float = DEFAULT_ROLLING
    light_background: bool = False
    sliding: bool = False
    disable_smoothing: bool = False
    create_background: bool = False
    separate: bool = False

    def __post_init__(self) -> None:
        """Check ``rolling`` (a finite number of pixels above 0 ImageJ can roll) as a float."""
        object.__setattr__(self, "rolling", positive_pixels("rolling", self.rolling))
        if not self.sliding:
            width = 2 * ball_geometry(self.rolling)[2] + 1
            if width * width > _JAVA_ARRAY_LIMIT:
                raise CommandError(
                    f"rolling={self.rolling:g} needs a rolling-ball patch of {width} x {width} "
                    f"points, more than ImageJ's arrays hold ({_JAVA_ARRAY_LIMIT}); take a "
                    "smaller radius, or sliding=True (the sliding paraboloid has no patch).")

    def macro_words(self) -> list[str]:
        """Return the words of the macro line's options after ``rolling=``, in the recorder's order.

        Returns
        -------
        list of str
            ``light``, ``separate``, ``create``, ``sliding`` and ``disable``, those that are set.
        """
        flags = [("light", self.light_background), ("separate", self.separate),
                 ("create", self.create_background), ("sliding", self.sliding),
                 ("disable", self.disable_smoothing)]
        return [word for word, on in flags if on]

    def describe(self) -> str:
        """Describe the options as Python keywords, for provenance texts.

        Returns
        -------
        str
            E.g. ``"rolling=50, light_background=False, sliding=False, ..."``.
        """
        return (f"rolling={self.rolling:g}, light_background={self.light_background}, "
                f"sliding={self.sliding}, disable_smoothing={self.disable_smoothing}, "
                f"create_background={self.create_background}, separate={self.separate}")
