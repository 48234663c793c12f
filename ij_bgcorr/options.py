"""The lesson's commands' options as values, shared by the engine, the macro lines and numpy.

:class:`BackgroundOptions` is ``Subtract Background...``'s dialog;
:data:`PROJECTIONS` is ``Z Project...``'s list of methods. Each is defined
here once: the engine's commands, the macro-line builders and the ImageJ-matched
numpy code read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ij_bgcorr.validation import positive_pixels

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
        """Check ``rolling`` (a finite number of pixels above 0) and keep it as a float."""
        object.__setattr__(self, "rolling", positive_pixels("rolling", self.rolling))

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
