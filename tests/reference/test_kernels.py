"""The compiled kernels (median, sliding paraboloid, rolling ball) at their edges, against ImageJ.

Thin and tiny images (1xN, Nx1, 2x2), tile borders, NaN and infinities in
32-bit images, every option combination of Subtract Background, and results
that do not depend on how many threads share the work.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from skimage import filters

import ij_bgcorr as ijb
from ij_bgcorr import reference
from ij_bgcorr.reference import workers
from ij_bgcorr.reference.median_kernel import sort_keys

THIN = [(1, 1), (1, 9), (9, 1), (2, 2), (1, 40), (40, 1), (2, 31)]
DTYPES = [np.uint8, np.uint16, np.float32]
FLAGS = ("light_background", "sliding", "disable_smoothing", "create_background")


def noise(shape: tuple[int, ...], dtype: type, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == np.float32:
        return rng.normal(100, 30, shape).astype(np.float32)
    return rng.integers(0, np.iinfo(dtype).max, shape, dtype=dtype, endpoint=True)


def same(ours: np.ndarray, theirs: np.ndarray) -> bool:
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    return ours.dtype == theirs.dtype and np.array_equal(
        ours, theirs, equal_nan=ours.dtype.kind == "f")


# ------------------------------------------------------------------------ median


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", THIN)
def test_median_of_thin_and_tiny_images(fiji, dtype, shape):
    img = noise(shape, dtype, seed=sum(shape))
    for radius in (0.5, 1, 2, 5, 15, 50):
        assert same(reference.median(img, radius), fiji.median(img, radius).values), radius


def test_median_with_nan_and_infinities_follows_imagej(fiji):
    """NaN is left out; with an even count left ImageJ's answer depends on the pixel itself."""
    img = noise((23, 29), np.float32, seed=4)
    rng = np.random.default_rng(5)
    img[rng.random(img.shape) < 0.15] = np.nan
    img[rng.random(img.shape) < 0.05] = np.inf
    img[rng.random(img.shape) < 0.05] = -np.inf
    img[:4, :4] = np.nan  # windows with only NaN in reach
    for radius in (1, 2, 3, 7, 20):
        assert same(reference.median(img, radius), fiji.median(img, radius).values), radius


def test_3x3_median_with_infinities_and_zeros(fiji):
    """The 9-pixel kernel's network (planes without NaN), with infinities and signed zeros."""
    rng = np.random.default_rng(6)
    img = rng.choice(np.array([-np.inf, -1.0, -0.0, 0.0, 1.0, np.inf], np.float32), (17, 21))
    for radius in (1, 1.4):
        assert same(reference.median(img, radius), fiji.median(img, radius).values), radius


def test_median_of_a_constant_image_with_one_number(fiji):
    img = np.full((6, 7), np.nan, np.float32)
    img[2, 3] = 5.0
    for radius in (1, 4):
        assert same(reference.median(img, radius), fiji.median(img, radius).values)


@pytest.mark.parametrize("dtype", DTYPES)
def test_median_across_tile_borders_without_java(dtype):
    """Images of several tiles, of sizes that leave partial tiles, as a plain median computes."""
    for shape, radius in (((70, 131), 15), ((129, 40), 5), ((45, 300), 1), ((260, 9), 50)):
        img = noise(shape, dtype, seed=shape[0])
        expected = filters.median(img, reference.imagej_kernel(radius), mode="nearest")
        np.testing.assert_array_equal(reference.median(img, radius), expected, f"{shape}")


def test_sort_keys_order_floats_with_nan_last():
    values = np.array([np.nan, -np.inf, -1e38, -1.5, -0.0, 0.0, 1e-40, 2.5, np.inf],
                      np.float32)
    keys = sort_keys(values)
    assert keys.dtype == np.uint32
    assert (np.diff(keys[1:].astype(np.int64)) > 0).all() and keys[0] == keys.max()


# ----------------------------------------------------------- Subtract Background


def option_sets(*names: str) -> list[dict[str, bool]]:
    return [dict(zip(names, values, strict=True))
            for values in itertools.product([False, True], repeat=len(names))]


def imagej_background(fiji, img: np.ndarray, rgb: bool, **options) -> np.ndarray:
    source = ijb.as_image(img, dims=("row", "col", "ch"), rgb=True) if rgb else img
    try:
        return np.asarray(fiji.subtract_background(source, **options).values)
    except ijb.MacroError as exc:  # ImageJ throws on one-column shrunken images; pixels unchanged
        assert "ArrayIndexOutOfBoundsException" in exc.message, exc
        return img


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_option_combination_on_small_random_images(fiji, dtype):
    for n, options in enumerate(option_sets(*FLAGS)):
        for shape, radius in (((17, 23), 3), ((31, 12), 12.5), ((40, 44), 50)):
            img = noise(shape, dtype, seed=n)
            ours = reference.subtract_background(img, radius, **options)
            theirs = imagej_background(fiji, img, False, rolling=radius, **options)
            assert same(ours, theirs), (shape, radius, options)


def test_every_option_combination_on_rgb(fiji):
    img = noise((19, 26, 3), np.uint8, seed=11)
    for options in option_sets(*FLAGS, "separate"):
        source = ijb.as_image(img, dims=("row", "col", "ch"), rgb=True)
        ours = np.asarray(reference.subtract_background(source, 6, **options).values)
        assert same(ours, imagej_background(fiji, img, True, rolling=6, **options)), options


@pytest.mark.parametrize("shape", THIN)
def test_subtract_background_of_thin_and_tiny_images(fiji, shape):
    for dtype, sliding, radius in itertools.product(DTYPES, (False, True), (1, 8, 40)):
        img = noise(shape, dtype, seed=3)
        for options in ({}, {"light_background": True, "create_background": True}):
            ours = reference.subtract_background(img, radius, sliding=sliding, **options)
            theirs = imagej_background(fiji, img, False, rolling=radius, sliding=sliding,
                                       **options)
            assert same(ours, theirs), (dtype, sliding, radius, options)


def test_rolling_ball_with_nan_and_infinity(fiji):
    """NaN with every option; +inf on a dark background (on a light one it is -inf after the
    negation, where ImageJ's background is -3.4e38: a documented difference)."""
    img = noise((30, 37), np.float32, seed=8)
    img[3, 4] = img[20:24, 10:13].flat[:] = np.nan
    spiked = img.copy()
    spiked[25, 30] = np.inf
    for radius, options in itertools.product((3, 25), option_sets("light_background",
                                                                   "create_background")):
        source = img if options["light_background"] else spiked
        ours = reference.subtract_background(source, radius, **options)
        assert same(ours, imagej_background(fiji, source, False, rolling=radius, **options))


# ------------------------------------------------------------------------ threads


def test_results_do_not_depend_on_the_number_of_threads(monkeypatch):
    img = noise((150, 97), np.float32, seed=2)
    img[np.random.default_rng(1).random(img.shape) < 0.02] = np.nan
    calls = [lambda: reference.median(img, 7),
             lambda: reference.subtract_background(np.nan_to_num(img), 30, sliding=True),
             lambda: reference.subtract_background(img, 30)]
    together = [call() for call in calls]
    for count in (1, 3):
        monkeypatch.setattr(workers, "WORKERS", count)
        for call, expected in zip(calls, together, strict=True):
            np.testing.assert_array_equal(call(), expected)
