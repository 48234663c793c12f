"""The lesson's background-correction workflows, each as a few engine calls.

Each returns ``(background, foreground)`` as DataArrays.
"""

from __future__ import annotations

from typing import Any

import xarray as xr

from .engine import Engine
from .images import as_image
from .layout import read_image


def _as_input(image: Any) -> xr.DataArray:
    """The image titled ``input``, in its own layout (results come back in it)."""
    named = image if isinstance(image, xr.DataArray) else as_image(image)
    return named.assign_attrs(title="input")


def median_background(
    engine: Engine, image: Any, radius: float = 15
) -> tuple[xr.DataArray, xr.DataArray]:
    """Background = median filter of the input (``radius`` pixels); foreground = input - it."""
    source = _as_input(image)
    background = engine.median(source, radius=radius, title="background")
    foreground = engine.image_calculator("subtract", source, background, float32=True,
                                         title="foreground")
    return background, foreground


def max_projection_background(
    engine: Engine, series: Any
) -> tuple[xr.DataArray, xr.DataArray]:
    """Background = maximum over time; foreground = each frame minus it, 32-bit."""
    source = _as_input(series)
    background = engine.z_project(source, method="max", title="background")
    foreground = engine.image_calculator("subtract", source, background, float32=True,
                                         title="foreground")
    return background, foreground


def rolling_ball_background(
    engine: Engine, image: Any, rolling: float = 50, light_background: bool = False
) -> tuple[xr.DataArray, xr.DataArray]:
    """ImageJ's rolling ball: the background it creates, and its own subtraction.

    The foreground is ``Subtract Background...``'s result, in the input's
    type (ImageJ clips and, for a light background, offsets it).
    """
    source = _as_input(image)
    options = {"rolling": rolling, "light_background": light_background}
    background = engine.subtract_background(source, create_background=True, title="background",
                                            **options)
    foreground = engine.subtract_background(source, title="foreground", **options)
    return background, foreground


def tophat_background(
    engine: Engine, image: Any, radius: float = 15, timeout: float = 600.0
) -> tuple[xr.DataArray, xr.DataArray]:
    """Background = grey opening (ImageJ's Minimum then Maximum, ``radius`` pixels).

    Runs the shipped ``tophat_background.ijm``; foreground = input - background,
    32-bit. ``timeout`` in seconds.
    """
    source = _as_input(image)
    _, layout = read_image(source)
    result = engine.run_macro("tophat_background", inputs={"input": source},
                              args={"radius": radius}, outputs=["background", "foreground"],
                              timeout=timeout)
    return (layout.restore(result["background"], as_numpy=False),
            layout.restore(result["foreground"], as_numpy=False))
