"""Dask-backed images computed tile by tile equal the whole image's result, pixel for pixel.

Expected values are the same functions on the whole image in memory (each checked against
ImageJ elsewhere); sizes and chunks are multiples of nothing.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
import xarray as xr

import ij_bgcorr as ijb
from ij_bgcorr import reference
from ij_bgcorr.errors import CommandError, ImageFormatError
from ij_bgcorr.tiled import Reach, map_tiles
from ij_bgcorr.tiled.windows import plan_windows

pytest.importorskip("dask.array", reason="tiling needs dask (pip install 'dask[array]')")

CHUNKS = ({"row": 47, "col": 61}, {"row": (90, 13, 100), "col": (1, 150, 166)},
          {"row": 203, "col": 29})


def noisy(shape: tuple[int, ...], dtype: type, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0, 90, shape[-1])  # an uneven background under noise and spots
    values = rng.random(shape) * 60 + ramp
    values[..., ::37, ::41] += 120
    return values.astype(dtype)


def as_lazy(img: np.ndarray, chunks: dict) -> tuple[xr.DataArray, xr.DataArray]:
    dims = ("pln", "row", "col")[-img.ndim:]
    whole = xr.DataArray(img, dims=dims)
    return whole, whole.chunk(chunks)


def assert_identical(lazy_result: xr.DataArray, whole_result: xr.DataArray) -> None:
    assert lazy_result.chunks is not None, "a Dask-backed input must give a Dask-backed result"
    got = lazy_result.compute()
    assert got.dtype == whole_result.dtype and got.dims == whole_result.dims
    differ = ~((got.values == whole_result.values)
               | (np.isnan(got.values.astype(float)) & np.isnan(whole_result.values.astype(float))))
    assert not differ.any(), f"{int(differ.sum())} of {differ.size} pixels differ"


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("chunks", CHUNKS)
def test_rank_filters_tiled_equal_whole(dtype, chunks):
    whole, lazy = as_lazy(noisy((2, 203, 317), dtype, seed=1), {"pln": 1, **chunks})
    cases = [(func, radius, "imagej") for func, radius in itertools.product(
        (reference.median, reference.opening, reference.tophat), (0.5, 2.5, 7))]
    cases += [(func, 3, "lesson") for func in (reference.median, reference.opening)]
    for func, radius, kind in cases:
        assert_identical(func(lazy, radius, kind=kind), func(whole, radius, kind=kind))


def test_large_kernels_tiled_equal_whole():
    """A kernel larger than a chunk: windows reach over several chunks."""
    whole, lazy = as_lazy(noisy((211, 283), np.uint16, seed=9), {"row": 70, "col": 100})
    for func in (reference.median, reference.opening, reference.tophat):
        assert_identical(func(lazy, 26), func(whole, 26))


BACKGROUND_OPTIONS = [{}, {"light_background": True}, {"disable_smoothing": True},
                      {"create_background": True, "light_background": True}]


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("chunks", CHUNKS)
def test_rolling_ball_tiled_equals_whole(dtype, chunks):
    """Every shrink factor (1, 2, 4, 8) and option set; chunks not on the shrink grid."""
    whole, lazy = as_lazy(noisy((203, 317), dtype, seed=2), chunks)
    for rolling, options in itertools.product((4, 10.5, 25, 60, 140), BACKGROUND_OPTIONS):
        assert_identical(reference.subtract_background(lazy, rolling, **options),
                         reference.subtract_background(whole, rolling, **options))


def test_rolling_ball_with_nan_tiled_equals_whole():
    img = noisy((150, 171), np.float32, seed=3)
    img[40:60, 70:75] = np.nan
    img[100, :] = np.nan
    whole, lazy = as_lazy(img, {"row": 33, "col": 44})
    for rolling in (6, 30):
        assert_identical(reference.subtract_background(lazy, rolling),
                         reference.subtract_background(whole, rolling))


def test_lesson_rolling_ball_tiled_equals_whole():
    whole, lazy = as_lazy(noisy((120, 143), np.uint8, seed=4), {"row": 31, "col": 52})
    for rolling, light in ((5, False), (18, True)):
        assert_identical(
            reference.subtract_background(lazy, rolling, light_background=light, kind="lesson"),
            reference.subtract_background(whole, rolling, light_background=light, kind="lesson"))


def test_rgb_tiled_equals_whole():
    rgb = noisy((97, 131, 3), np.uint8, seed=5)
    whole = ijb.as_image(rgb, dims=("row", "col", "ch"), rgb=True)
    lazy = whole.chunk({"row": 40, "col": 50, "ch": 1})  # colours split: put together again
    for options in ({}, {"separate": True}, {"light_background": True}):
        assert_identical(reference.subtract_background(lazy, 20, **options),
                         reference.subtract_background(whole, 20, **options))


def test_a_hyperstack_keeps_its_layout_and_calibration():
    """5-D, dims in the user's order and by their aliases, calibrated: all kept, lazily."""
    img = noisy((3, 2, 2, 64, 75), np.uint16, seed=6)
    whole = xr.DataArray(img, dims=("t", "z", "c", "y", "x")).transpose("x", "c", "t", "y", "z")
    whole = whole.assign_coords(x=np.arange(75) * 0.65 + 10, y=np.arange(64) * 0.65)
    whole.attrs["title"] = "cells.tif"
    lazy = whole.chunk({"x": 30, "y": 25, "t": 1})
    out = reference.median(lazy, 3)
    assert out.dims == whole.dims and out.chunks is not None
    for name in whole.coords:
        np.testing.assert_array_equal(out.coords[name].values, whole.coords[name].values)
    assert out.attrs["title"] == "cells.tif" and "tiles" in out.attrs
    assert_identical(out, reference.median(whole, 3))


def test_a_tiled_result_is_taken_back_as_input():
    whole, lazy = as_lazy(noisy((130, 90), np.uint16, seed=7), {"row": 50, "col": 50})
    twice = reference.subtract_background(reference.median(lazy, 2), 20)
    assert_identical(twice, reference.subtract_background(reference.median(whole, 2), 20))


def test_too_small_a_margin_would_show():
    """The comparison sees seams: without the margin, tiles differ from the whole image."""
    whole, lazy = as_lazy(noisy((120, 130), np.uint8, seed=8), {"row": 40, "col": 40})
    seamed = map_tiles(lambda w: reference.median(w, 4), lazy, Reach(0), np.dtype(np.uint8), {})
    with pytest.raises(AssertionError, match="pixels differ"):
        assert_identical(seamed, reference.median(whole, 4))


def test_windows_start_on_the_grid_and_cover_the_reach():
    chunks = (13, 50, 7, 60, 3)
    for margin, grid in ((0, 1), (5, 1), (17, 8), (40, 4)):
        windows = plan_windows(chunks, Reach(margin, grid))
        start = 0
        for size, w in zip(chunks, windows, strict=True):
            assert w.start % grid == 0 and w.start <= max(0, start - margin)
            assert w.stop >= min(sum(chunks), start + size + margin)
            assert w.stop % grid == 0 or w.stop == sum(chunks)
            assert w.keep_stop - w.keep_start == size and w.start + w.keep_start == start
            start += size


def test_bad_options_and_untileable_commands_fail_at_once():
    lazy = xr.DataArray(np.zeros((5000, 5000), np.uint16), dims=("row", "col")).chunk(1000)
    started = time.monotonic()
    with pytest.raises(CommandError, match="sliding paraboloid cannot be computed tile by tile"):
        reference.subtract_background(lazy, 50, sliding=True)
    with pytest.raises(CommandError, match="radius"):
        reference.median(lazy, -1)
    with pytest.raises(ImageFormatError, match="int32.*astype"):
        reference.median(lazy.astype(np.int32), 2)
    with pytest.raises(ImageFormatError, match="row"):
        reference.median(lazy.rename(row="zz"), 2)
    assert time.monotonic() - started < 5


def test_a_command_that_does_not_tile_refuses_a_lazy_image_larger_than_memory():
    import dask.array as da

    huge = xr.DataArray(da.zeros((3, 300_000, 300_000), dtype=np.uint16, chunks=(1, 4096, 4096)),
                        dims=("t", "row", "col"))
    started = time.monotonic()
    with pytest.raises(ImageFormatError, match="computes whole.*more than the"):
        reference.z_project(huge, "max")
    assert time.monotonic() - started < 5
    small = xr.DataArray(da.ones((2, 30, 40), dtype=np.uint16, chunks=(1, 7, 9)),
                         dims=("t", "row", "col"))
    np.testing.assert_array_equal(reference.z_project(small, "max"), np.ones((30, 40)))


def test_a_tiled_result_is_labelled_as_the_whole_images():
    """Name, dims, coordinates and attrs (calibration read from coordinates, source kept)."""
    img = noisy((2, 2, 64, 75), np.uint16, seed=10)
    whole = xr.DataArray(img, dims=("t", "c", "y", "x")).assign_coords(
        x=np.arange(75) * 0.5 + 3, y=np.arange(64) * 0.5)
    whole.attrs.update(title="a.tif", source="/data/a.tif")
    for func in (reference.median, reference.tophat):
        tiled = func(whole.chunk({"x": 30, "y": 20}), 3).compute()
        assert tiled.attrs.pop("tiles")
        xr.testing.assert_identical(tiled, func(whole, 3))
