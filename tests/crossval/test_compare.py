"""compare(): counts, error measures and where differences lie, on hand-built arrays."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import xarray as xr

import ij_bgcorr as ijb
from ij_bgcorr.crossval.compare import Comparison, compare
from ij_bgcorr.crossval.validate import sweep
from ij_bgcorr.errors import CommandError, ImageFormatError


def test_identical_images():
    a = np.arange(20, dtype=np.uint16).reshape(4, 5)
    result = compare(a, a.copy(), radius=1)
    assert result.identical
    assert result.n_different == 0 and result.fraction_different == 0.0
    assert result.max_abs_diff == 0.0 and result.rmse == 0.0
    assert result.psnr == math.inf
    assert result.border_n_different == 0 and result.interior_n_different == 0
    assert str(result).startswith("identical (4x5")


def test_one_interior_pixel_differing_by_3():
    a = np.full((10, 12), 50, np.uint8)
    b = a.copy()
    b[5, 6] = 53
    result = compare(a, b, radius=2)
    assert not result.identical
    assert result.shape == (10, 12)
    assert result.n_different == 1
    assert result.fraction_different == pytest.approx(1 / 120)
    assert result.max_abs_diff == 3.0
    assert result.mean_abs_diff == pytest.approx(3 / 120)
    assert result.rmse == pytest.approx(math.sqrt(9 / 120))
    assert result.psnr == pytest.approx(10 * math.log10(255**2 / (9 / 120)))
    assert (result.border_n_different, result.interior_n_different) == (0, 1)
    assert result.diff[5, 6] == -3.0 and result.diff.dtype == np.float64


@pytest.mark.parametrize(
    ("where", "in_border"),
    [((0, 6), True), ((1, 6), True), ((2, 6), False), ((5, 10), True), ((5, 9), False)],
)
def test_border_band_is_pixels_closer_than_radius_to_an_edge(where, in_border):
    a = np.zeros((10, 12), np.uint8)
    b = a.copy()
    b[where] = 1
    result = compare(a, b, radius=2)
    assert result.border_n_different == int(in_border)
    assert result.interior_n_different == int(not in_border)


def test_border_band_applies_to_each_plane_of_a_stack():
    a = np.zeros((3, 8, 8), np.float32)
    b = a.copy()
    b[0, 0, 0] = b[1, 4, 4] = b[2, 7, 3] = 1
    result = compare(a, b, radius=1)
    assert (result.border_n_different, result.interior_n_different) == (2, 1)


def test_no_radius_leaves_the_split_empty():
    result = compare(np.zeros((3, 3), np.uint8), np.ones((3, 3), np.uint8))
    assert result.radius is None
    assert result.border_n_different is None and result.interior_n_different is None


def test_unsigned_difference_does_not_wrap():
    a = np.array([[0, 10]], np.uint8)
    b = np.array([[255, 10]], np.uint8)
    result = compare(a, b)
    assert result.max_abs_diff == 255.0
    np.testing.assert_array_equal(result.diff, [[-255.0, 0.0]])


def test_mixed_dtypes_compare_values():
    a = np.array([[1, 2]], np.uint8)
    b = np.array([[1.0, 2.5]], np.float32)
    result = compare(a, b)
    assert result.dtypes == ("uint8", "float32")
    assert result.n_different == 1 and result.max_abs_diff == 0.5


def test_float_psnr_uses_the_range_of_a():
    a = np.array([[0.0, 10.0, 5.0, 5.0]], np.float32)
    b = a + np.float32(1)
    result = compare(a, b)
    assert result.rmse == pytest.approx(1.0)
    assert result.psnr == pytest.approx(20.0)  # 10 log10(10² / 1)


def test_nan_in_both_is_equal_nan_against_a_number_is_not():
    a = np.array([[np.nan, 1.0, 2.0]], np.float32)
    assert compare(a, a.copy()).identical
    b = np.array([[np.nan, np.nan, 2.0]], np.float32)
    result = compare(a, b)
    assert result.n_different == 1
    assert math.isnan(result.max_abs_diff)


def test_dataarrays_are_accepted():
    a = xr.DataArray(np.zeros((4, 4), np.uint16), dims=("row", "col"))
    b = a.copy()
    b[1, 1] = 7
    result = compare(a, b.values, radius=1)
    assert result.n_different == 1 and result.interior_n_different == 1
    assert result.max_abs_diff == 7.0


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"image1 \(2, 3\), image2 \(3, 2\)"):
        compare(np.zeros((2, 3)), np.zeros((3, 2)))


@pytest.mark.parametrize("call", [compare, ijb.compare])
def test_mismatched_images_raise_the_packages_command_error(call):
    with pytest.raises(CommandError, match=r"image1 \(2, 3\), image2 \(3, 2\)"):
        call(np.zeros((2, 3)), np.zeros((3, 2)))
    plane = xr.DataArray(np.zeros((2, 3)), dims=("row", "col"))
    with pytest.raises(CommandError, match="dims"):
        call(plane, plane.expand_dims(t=2))
    with pytest.raises(CommandError, match="radius must be >= 0"):
        call(plane, plane, radius=-1)
    with pytest.raises(ImageFormatError, match="at least 2 dimensions"):
        call(np.zeros(3), np.zeros(3))


@pytest.mark.parametrize(("options", "message"), [
    ({"shapes": [(64,)]}, "shapes are"),
    ({"shapes": [(0, 5)]}, "shapes are"),
    ({"shapes": [(8, 8), (9, 9, 3)]}, "shapes are"),
    ({"dtypes": ["int64"]}, "dtypes are"),
    ({"method": "gaussian"}, "Unknown sweep method"),
])
def test_a_bad_sweep_raises_the_packages_command_error_before_it_runs(options, message):
    with pytest.raises(CommandError, match=message):
        sweep(None, **options)  # no engine: refused before one would be used


def test_negative_radius_is_refused():
    with pytest.raises(ValueError, match="radius must be >= 0"):
        compare(np.zeros((2, 3)), np.zeros((2, 3)), radius=-1)


def test_inputs_are_not_modified():
    a = np.array([[1, 2]], np.uint8)
    b = np.array([[3, 2]], np.uint8)
    compare(a, b, radius=1)
    np.testing.assert_array_equal(a, [[1, 2]])
    np.testing.assert_array_equal(b, [[3, 2]])


def test_as_dict_and_str_for_tables_and_logs():
    a = np.zeros((6, 6), np.uint8)
    b = a.copy()
    b[0, 0] = 2
    result = compare(a, b, radius=1)
    row = result.as_dict()
    assert "diff" not in row
    assert row["n_different"] == 1 and row["border_n_different"] == 1
    assert set(row) == {f.name for f in dataclasses.fields(Comparison)} - {"diff"}
    text = str(result)
    assert "\n" not in text
    assert "1 of 36 pixels differ" in text and "border band (1 px) 1" in text


def test_comparison_is_frozen():
    result = compare(np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.n_different = 5
