"""ImageJ's Subtract Background on 32-bit images with infinities or huge values.

Expected values are ImageJ's own (the embedded engine runs the command).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ij_bgcorr.reference import subtract_background
from tests.reference.test_rolling_ball import compare, option_sets


def infinite_image(shape: tuple[int, int], seed: int, sign: float) -> np.ndarray:
    """Noise with infinities of ``sign`` alone, at corners and edges, and in a cluster."""
    rng = np.random.default_rng(seed)
    img = rng.normal(0, 1000, shape).astype(np.float32)
    rows, cols = shape
    img[0, 0] = img[rows - 1, cols // 2] = sign * np.inf
    img[rows // 2, cols - 1] = img[rows // 3, cols // 3] = sign * np.inf
    img[rows // 2: rows // 2 + 9, cols // 2: cols // 2 + 9] = sign * np.inf
    return img


@pytest.mark.parametrize("radius", [5, 20, 50, 150])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_rolling_ball_with_infinities(fiji, radius, sign):
    shapes = [(3, 40), (37, 29), (80, 96)]
    for options, shape in zip(option_sets("light_background", "create_background",
                                          "disable_smoothing"),
                              itertools.cycle(shapes), strict=False):
        img = infinite_image(shape, radius + int(sign), sign)
        compare(fiji, img, rolling=radius, **options)


@pytest.mark.parametrize("radius", [5, 50])
def test_rolling_ball_with_both_infinities_and_nan(fiji, radius):
    img = infinite_image((41, 47), radius, 1.0)
    img[5:8, 30:40] = -np.inf
    img[20, :] = np.nan
    for options in option_sets("light_background", "create_background"):
        compare(fiji, img, rolling=radius, **options)


def test_only_minus_infinity_in_reach_gives_minus_float_max(fiji):
    img = np.full((8, 8), -np.inf, np.float32)
    theirs = np.asarray(fiji.subtract_background(img, rolling=5, create_background=True).values)
    assert (theirs == -np.finfo(np.float32).max).all()
    ours = subtract_background(img, rolling=5, create_background=True)
    np.testing.assert_array_equal(ours, theirs)


def huge_image(shape: tuple[int, int], seed: int, top: float) -> np.ndarray:
    """Values of both signs up to ``top`` in magnitude, over many orders of magnitude."""
    rng = np.random.default_rng(seed)
    magnitude = top * 10.0 ** rng.uniform(-8, 0, shape)
    return (rng.choice([-1.0, 1.0], shape) * magnitude).astype(np.float32)


@pytest.mark.parametrize("top", [1e30, 3.5e30, 1e34, 1e37, 9e37])  # the engine refuses 1e38
@pytest.mark.parametrize("radius", [2, 5, 50])
def test_sliding_paraboloid_on_huge_values(fiji, top, radius):
    shapes = [(101, 9), (9, 101), (40, 33)]
    for seed, options in enumerate(option_sets("light_background", "create_background",
                                               "disable_smoothing")):
        img = huge_image(shapes[seed % len(shapes)], seed, top)
        compare(fiji, img, rolling=radius, sliding=True, **options)
