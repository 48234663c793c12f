"""Each command against an independent numpy expectation, and its recorded macro line."""

from __future__ import annotations

import numpy as np
import pytest

import ij_bgcorr as ijb
from ij_bgcorr.macro import commands

RNG = np.random.default_rng(11)
A = RNG.integers(0, 200, (3, 20, 24), dtype=np.uint8)
B = RNG.integers(0, 200, (3, 20, 24), dtype=np.uint8)

NUMPY_32BIT = {
    "add": np.add, "subtract": np.subtract, "multiply": np.multiply,
    "min": np.minimum, "max": np.maximum, "difference": lambda a, b: np.abs(a - b),
    "average": lambda a, b: (a + b) / 2,
}


@pytest.mark.parametrize("operation", sorted(NUMPY_32BIT))
def test_calculator_32bit_matches_numpy(fiji, operation):
    out = fiji.image_calculator(operation, A, B, float32=True)
    expected = NUMPY_32BIT[operation](A.astype(np.float32), B.astype(np.float32))
    np.testing.assert_allclose(out.values, expected, rtol=1e-6)
    assert out.dtype == np.float32 and out.dims == ("pln", "row", "col")


@pytest.mark.parametrize(("operation", "func"), [("and", np.bitwise_and), ("or", np.bitwise_or),
                                                 ("xor", np.bitwise_xor)])
def test_calculator_bitwise_8bit(fiji, operation, func):
    np.testing.assert_array_equal(fiji.image_calculator(operation, A, B).values, func(A, B))


def test_calculator_8bit_clips_and_every_operation_runs(fiji):
    sub = fiji.image_calculator("subtract", A, B)
    np.testing.assert_array_equal(sub.values, np.clip(A.astype(int) - B, 0, 255))
    for operation in commands.CALCULATOR_OPERATIONS:
        out = fiji.image_calculator(operation, A[0], B[0])
        assert out.shape == (20, 24)


def test_calculator_single_plane_against_a_stack(fiji):
    fiji.new_session()
    out = fiji.image_calculator("subtract", A, B[0], float32=True)
    np.testing.assert_array_equal(out.values, A.astype(np.float32) - B[0])
    assert out.attrs["macro_line"] == (
        'imageCalculator("Subtract create 32-bit stack", "image","image-1");')


@pytest.mark.parametrize(("method", "func"), [
    ("max", lambda a: a.max(0)), ("min", lambda a: a.min(0)),
    ("sum", lambda a: a.sum(0, dtype=np.float64)), ("avg", lambda a: a.mean(0)),
    ("sd", lambda a: a.std(0, ddof=1)), ("median", lambda a: np.median(a, 0)),
])
def test_z_project_methods(fiji, method, func):
    stack = RNG.integers(0, 4000, (5, 16, 18), dtype=np.uint16)
    out = fiji.z_project(stack, method=method)
    # ImageJ 1.53t: avg keeps the input type (rounded); sum, sd and median give 32-bit
    atol = 0.5 if method == "avg" else 1e-3
    np.testing.assert_allclose(out.values.astype(np.float64), func(stack), rtol=1e-5, atol=atol)
    expected_dtype = np.uint16 if method in ("max", "min", "avg") else np.float32
    assert out.dtype == expected_dtype and out.dims == ("row", "col")


def test_z_project_range_time_series_and_hyperstack(fiji):
    series = ijb.as_image(A, dims=("t", "row", "col"))
    out = fiji.z_project(series, "max", start=2, stop=3)
    np.testing.assert_array_equal(out.values, A[1:3].max(0))
    assert out.attrs["macro_line"] == (
        'run("Z Project...", "start=2 projection=[Max Intensity]");')
    hyper = RNG.integers(0, 255, (2, 4, 10, 12), dtype=np.uint8)  # t, pln, row, col
    proj = fiji.z_project(hyper, "max")
    assert proj.dims == ("t", "row", "col")
    np.testing.assert_array_equal(proj.values, hyper.max(axis=1))
    with pytest.raises(ijb.CommandError, match="cannot project along 't'"):
        fiji.z_project(hyper, "max", axis="t")


def test_duplicate_and_median_on_a_stack(fiji):
    dup = fiji.duplicate(ijb.as_image(A), title="my copy")
    np.testing.assert_array_equal(dup.values, A)
    assert dup.attrs["title"] == "my copy"
    assert dup.attrs["macro_line"] == 'run("Duplicate...", "title=[my copy] duplicate");'
    med = fiji.median(A, radius=1)
    assert med.attrs["macro_line"] == 'run("Median...", "radius=1 stack");'
    for k in range(3):  # every plane filtered, each like the plane alone
        np.testing.assert_array_equal(med.values[k], fiji.median(A[k], radius=1).values)
