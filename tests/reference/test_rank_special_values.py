"""ImageJ's Minimum, Maximum, opening and top-hat on 32-bit images with NaN and infinities.

Expected values are ImageJ's own (the embedded engine runs the commands).
"""

from __future__ import annotations

import numpy as np
import pytest

from ij_bgcorr import reference
from ij_bgcorr.reference.rank import extreme_plane, imagej_kernel

RADII = [0.5, 1, 1.5, 2, 2.5, 3, 4, 6.5, 10]


def special_image(seed: int) -> np.ndarray:
    """Noise with NaN, +inf and -inf at corners, edges, alone and in clusters."""
    rng = np.random.default_rng(seed)
    img = rng.normal(100, 10, (41, 53)).astype(np.float32)
    img[0, 0] = img[-1, -1] = np.nan
    img[0, -1], img[-1, 0] = np.inf, -np.inf
    img[0, 20], img[-1, 30], img[15, 0], img[25, -1] = np.nan, np.inf, -np.inf, np.nan
    img[10, 10], img[30, 40], img[20, 30] = np.nan, np.inf, -np.inf
    img[5:21, 22:36] = np.nan          # wider than most kernels: only NaN in reach
    img[28:38, 5:17] = -np.inf         # only -inf in reach
    img[8:14, 40:47] = np.inf          # only +inf in reach
    img[30:33, 25:28] = np.nan
    img[31, 26] = np.inf
    img[rng.integers(0, 41, 12), rng.integers(0, 53, 12)] = np.nan
    return img


def assert_identical(ours: np.ndarray, theirs: np.ndarray, context: str) -> None:
    """Same dtype and shape, every value equal, NaN where ImageJ has NaN."""
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, context
    same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
    assert same.all(), (f"{context}: {np.count_nonzero(~same)} values differ, first at "
                        f"{np.argwhere(~same)[0].tolist()}")


def imagej(fiji, img: np.ndarray, radius: float) -> dict[str, np.ndarray]:
    """ImageJ's Minimum, Maximum, Minimum-then-Maximum and image minus that, of ``img``."""
    macro = (f'selectImage("img"); run("Duplicate...", "title=min");'
             f'run("Minimum...", "radius={radius}"); run("Duplicate...", "title=open");'
             f'run("Maximum...", "radius={radius}");'
             f'imageCalculator("Subtract create 32-bit", "img", "open"); rename("top");'
             f'selectImage("img"); run("Duplicate...", "title=max");'
             f'run("Maximum...", "radius={radius}");')
    names = ["min", "max", "open", "top"]
    result = fiji.run_macro(macro, inputs={"img": img}, outputs=names)
    return {name: np.asarray(result[name].values) for name in names}


@pytest.mark.parametrize("radius", RADII)
def test_min_max_opening_tophat_with_nan_and_infinities(fiji, radius):
    for seed in (0, 1):
        img = special_image(seed)
        theirs = imagej(fiji, img, radius)
        footprint = imagej_kernel(radius)
        ours = {"min": extreme_plane(img, footprint, maximum=False),
                "max": extreme_plane(img, footprint, maximum=True),
                "open": reference.opening(img, radius),
                "top": reference.tophat(img, radius)}
        for name, values in ours.items():
            assert_identical(values, theirs[name], f"{name} radius={radius} seed={seed}")


def test_only_nan_in_reach_gives_the_largest_float_not_nan(fiji):
    img = np.full((6, 7), np.nan, np.float32)
    img[0, 0] = -np.inf
    theirs = imagej(fiji, img, 2)
    biggest = np.finfo(np.float32).max
    assert theirs["min"][-1, -1] == biggest and theirs["max"][-1, -1] == -biggest
    footprint = imagej_kernel(2)
    assert_identical(extreme_plane(img, footprint, maximum=False), theirs["min"], "min")
    assert_identical(extreme_plane(img, footprint, maximum=True), theirs["max"], "max")
    assert_identical(reference.opening(img, 2), theirs["open"], "opening")
