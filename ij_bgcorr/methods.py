"""The lesson's background-correction methods, with their parameters and defaults.

One registry for the batch runner, the cross-validation and the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ij_bgcorr.options import DEFAULT_RADIUS, DEFAULT_ROLLING


@dataclass(frozen=True)
class Method:
    """One method of the lesson.

    Attributes
    ----------
    name : str
        Its name on the command line and in the API (``"rolling-ball"``).
    params : dict of str to object
        Its parameters and their defaults (radii in pixels).
    summary : str
        One line saying what it computes.
    cross_validated : bool
        Whether :func:`ij_bgcorr.crossval.cross_validate` compares it with
        scikit-image.
    """

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    cross_validated: bool = True

    @property
    def radius(self) -> float | None:
        """The method's size parameter in pixels (radius or ball radius), if it has one."""
        for key in ("radius", "rolling"):
            if key in self.params:
                return float(self.params[key])
        return None


#: Every method, by name.
METHODS: dict[str, Method] = {m.name: m for m in (
    Method("median", {"radius": DEFAULT_RADIUS}, "background = median filter"),
    Method("maxproj", {}, "background = maximum over time"),
    Method("rolling-ball", {"rolling": DEFAULT_ROLLING, "light_background": False},
           "ImageJ's Subtract Background (rolling ball)"),
    Method("tophat", {"radius": DEFAULT_RADIUS}, "background = grey opening (top-hat)"),
    Method("macro", {}, "any .ijm macro", cross_validated=False),
)}

#: The methods that run tile by tile (``ij-bgcorr large``): each is local (a macro or a
#: projection over time is not).
LARGE_METHODS = ("median", "rolling-ball", "tophat")
#: What a radius sweep compares: the median, and Subtract Background's rolling ball and
#: sliding paraboloid.
SWEEP_METHODS = ("median", "rolling-ball", "sliding")
