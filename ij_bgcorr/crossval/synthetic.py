"""Lesson-like test images the package makes itself (no download, no data files).

They imitate the lesson's images: bright round spots on a slowly varying
background, with Poisson-like noise, at a fixed seed so runs are repeatable.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ij_bgcorr.image.arrays import as_image


def _spots_frame(rng: np.random.Generator, shape: tuple[int, int], n_spots: int,
                 spot_sigma: float, background_tilt: float) -> np.ndarray:
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float64)
    hill = (rows - shape[0] * 0.3) ** 2 + (cols - shape[1] * 0.7) ** 2
    background = 30 + background_tilt * (cols / shape[1]) + 40 * np.exp(
        -hill / (0.18 * shape[0] * shape[1]))
    spots = np.zeros(shape)
    for r, c in rng.uniform(0, 1, size=(n_spots, 2)) * shape:
        spots += 90 * np.exp(-((rows - r) ** 2 + (cols - c) ** 2) / (2 * spot_sigma**2))
    return background + spots


def spots_on_uneven_background(
    shape: tuple[int, int] = (256, 256), n_spots: int = 25, spot_sigma: float = 2.5,
    seed: int = 0,
) -> xr.DataArray:
    """Make an 8-bit ``(row, col)`` image: small spots on a smooth uneven background.

    Parameters
    ----------
    shape : tuple of int, default (256, 256)
        ``(rows, cols)``, in pixels.
    n_spots : int, default 25
        The number of spots.
    spot_sigma : float, default 2.5
        The spots' Gaussian width in pixels.
    seed : int, default 0
        The random generator's seed.

    Returns
    -------
    xarray.DataArray
        uint8, dims ``(row, col)``, titled "input".
    """
    rng = np.random.default_rng(seed)
    frame = _spots_frame(rng, shape, n_spots, spot_sigma, background_tilt=60)
    noisy = rng.poisson(frame).clip(0, 255).astype(np.uint8)
    image = as_image(noisy)
    image.attrs["title"] = "input"
    return image


def moving_spots_series(
    n_frames: int = 3, shape: tuple[int, int] = (128, 128), n_spots: int = 12, seed: int = 0,
) -> xr.DataArray:
    """Make an 8-bit ``(t, row, col)`` time series whose spots move between frames.

    The background stays put, so the maximum over time is a background
    estimate where the moving objects cover each pixel in few frames.

    Parameters
    ----------
    n_frames : int, default 3
        The number of time frames.
    shape : tuple of int, default (128, 128)
        ``(rows, cols)``, in pixels.
    n_spots : int, default 12
        The number of spots in each frame.
    seed : int, default 0
        The random generator's seed.

    Returns
    -------
    xarray.DataArray
        uint8, dims ``(t, row, col)``, titled "input".
    """
    rng = np.random.default_rng(seed)
    frames = [_spots_frame(rng, shape, n_spots, 3.0, background_tilt=40) for _ in range(n_frames)]
    noisy = rng.poisson(np.stack(frames)).clip(0, 255).astype(np.uint8)
    image = as_image(noisy, dims=("t", "row", "col"))
    image.attrs["title"] = "input"
    return image
