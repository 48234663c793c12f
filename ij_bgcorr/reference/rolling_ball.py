"""Where ``subtract_background`` was first defined; use `ij_bgcorr.reference.subtract_background`.

ImageJ's ``Process > Subtract Background...`` (rolling ball and sliding
paraboloid) is reproduced in `ij_bgcorr.reference.imagej_background` and offered
as `ij_bgcorr.reference.subtract_background` with ``kind="imagej"`` (the
default), which also computes a Dask-backed image tile by tile. The old name here
is kept for code that imported it, and warns.
"""

from __future__ import annotations

import warnings

from ij_bgcorr.options import DEFAULT_ROLLING
from ij_bgcorr.reference.background import subtract_background as _subtract_background
from ij_bgcorr.reference.results import Image


def subtract_background(
    image: Image,
    rolling: float = DEFAULT_ROLLING,
    *,
    light_background: bool = False,
    sliding: bool = False,
    disable_smoothing: bool = False,
    create_background: bool = False,
    separate: bool = False,
) -> Image:
    """Subtract the background as ImageJ does, under this module's old name (deprecated).

    Call `ij_bgcorr.reference.subtract_background` (``kind="imagej"``, the
    default) instead: the same values, and a Dask-backed image is computed tile
    by tile rather than whole.

    Parameters
    ----------
    image : numpy.ndarray or xarray.DataArray
        As for `ij_bgcorr.reference.subtract_background`.
    rolling : float, default 50
        Ball radius (or the paraboloid's curvature radius) in pixels, > 0.
    light_background, sliding, disable_smoothing, create_background, separate : bool
        ImageJ's options, as for `ij_bgcorr.reference.subtract_background`.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        ``reference.subtract_background(image, rolling, ..., kind="imagej")``.

    Warns
    -----
    DeprecationWarning
        Always: the name is ``ij_bgcorr.reference.subtract_background``.
    """
    warnings.warn(
        "ij_bgcorr.reference.rolling_ball.subtract_background is deprecated; call "
        "ij_bgcorr.reference.subtract_background(image, rolling, ..., kind='imagej') "
        "(the default kind), which gives the same values",
        DeprecationWarning, stacklevel=2)
    return _subtract_background(image, rolling, light_background=light_background,
                                sliding=sliding, disable_smoothing=disable_smoothing,
                                create_background=create_background, separate=separate,
                                kind="imagej")
