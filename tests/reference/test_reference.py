"""Reference implementations: ImageJ's kernel and border rules, dtypes, and the lesson's code."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy import ndimage as ndi
from skimage import filters, morphology, restoration

from ij_bgcorr import reference as ref
from ij_bgcorr.errors import CommandError

RNG = np.random.default_rng(20240601)


def random_image(dtype, shape, levels=None):
    if np.dtype(dtype) == np.float32:
        return RNG.normal(100, 30, shape).astype(np.float32)
    high = levels if levels is not None else np.iinfo(dtype).max + 1
    return RNG.integers(0, high, shape).astype(dtype)


# --- ImageJ's kernel ------------------------------------------------------------


def test_imagej_kernel_radius_1_is_the_3x3_square():
    # 1*1 + 1 = 2 takes in the diagonals (1 + 1 = 2); disk(1) is a 5-pixel cross
    np.testing.assert_array_equal(ref.imagej_kernel(1), np.ones((3, 3), bool))
    assert morphology.disk(1).sum() == 5


def test_imagej_kernel_radius_2_holds_the_21_offsets_within_sqrt5():
    kernel = ref.imagej_kernel(2)
    assert kernel.shape == (5, 5)
    # dx²+dy² <= 5: 1 centre + 4 at distance² 1 + 4 at 2 + 4 at 4 + 8 at 5
    assert kernel.sum() == 21
    assert not kernel[0, 0] and kernel[0, 1] and kernel[0, 2]


@pytest.mark.parametrize(
    ("radius", "count"),
    [(0.5, 5), (1.5, 13), (1.7, 13), (2.5, 29), (2.8, 29), (3, 37), (15, 717)],
)
def test_imagej_kernel_sizes_follow_imagej_rounding(radius, count):
    # ImageJ moves [1.5, 1.75) to 1.75 and [2.5, 2.85) to 2.85, then keeps
    # dx²+dy² <= int(r²) + 1; the counts were checked against ImageJ 1.53t
    assert ref.imagej_kernel(radius).sum() == count


@pytest.mark.parametrize("radius", [0.3, 1, 1.5, 2.5, 3.7, 7, 10.5, 15, 50])
def test_imagej_kernel_is_symmetric_with_odd_count(radius):
    kernel = ref.imagej_kernel(radius)
    assert kernel.shape[0] == kernel.shape[1] and kernel.shape[0] % 2 == 1
    np.testing.assert_array_equal(kernel, kernel[::-1, :])
    np.testing.assert_array_equal(kernel, kernel[:, ::-1])
    np.testing.assert_array_equal(kernel, kernel.T)
    assert kernel.sum() % 2 == 1  # so a median over it never averages two values
    half = kernel.shape[0] // 2
    assert kernel[half, 0] and kernel[half, -1]  # the half-width is reached


# --- median -------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("shape", [(23, 30), (24, 31), (4, 5), (1, 9)])
@pytest.mark.parametrize("radius", [1, 2.5, 7])
def test_imagej_median_equals_skimage_median_with_nearest_border(dtype, shape, radius):
    img = random_image(dtype, shape)
    expected = filters.median(img, ref.imagej_kernel(radius), mode="nearest")
    result = ref.median(img, radius)
    assert result.dtype == img.dtype
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("levels", [3, 300, 5000])
def test_imagej_median_uint16_with_few_levels(levels):
    img = random_image(np.uint16, (40, 37), levels=levels) + np.uint16(1000)
    expected = filters.median(img, ref.imagej_kernel(4), mode="nearest")
    np.testing.assert_array_equal(ref.median(img, 4), expected)


def test_imagej_median_of_image_smaller_than_kernel_uses_edge_pixels():
    img = np.array([[0, 0, 9], [0, 9, 9]], np.uint8)
    result = ref.median(img, 15)  # a 31x31 kernel on a 2x3 image
    assert result.shape == img.shape
    # skimage.filters.median's default mode in scikit-image 0.26 is 'nearest'
    np.testing.assert_array_equal(result, filters.median(img, ref.imagej_kernel(15)))
    # rank filters without padding ignore outside pixels instead, and differ here
    assert not np.array_equal(result, filters.rank.median(img, ref.imagej_kernel(15)))


def test_disk_and_imagej_kernels_differ_on_diagonals():
    img = np.zeros((5, 5), np.uint8)
    img[2, 2] = img[1, 1] = img[1, 3] = img[3, 1] = img[3, 3] = 100
    # the 3x3 square sees 5 of 9 bright pixels, the cross only 1 of 5
    assert ref.median(img, 1, kind="imagej")[2, 2] == 100
    assert ref.median(img, 1, kind="lesson")[2, 2] == 0


def test_disk_median_is_the_lessons_skimage_call():
    img = random_image(np.uint8, (20, 21))
    expected = filters.median(img, morphology.disk(3))
    np.testing.assert_array_equal(ref.median(img, 3, kind="lesson"), expected)


def test_median_filters_a_stack_plane_by_plane():
    stack = random_image(np.uint16, (3, 16, 17), levels=500)
    result = ref.median(stack, 2)
    assert result.shape == stack.shape and result.dtype == np.uint16
    for plane, filtered in zip(stack, result, strict=True):
        np.testing.assert_array_equal(filtered, ref.median(plane, 2))


def test_median_does_not_modify_its_input():
    img = random_image(np.uint16, (12, 13))
    before = img.copy()
    ref.median(img, 3)
    ref.median(img, 3, kind="lesson")
    np.testing.assert_array_equal(img, before)


# --- subtract -----------------------------------------------------------------


def test_subtract_imagej_is_float32_and_can_be_negative():
    a = np.array([[10, 200]], np.uint8)
    b = np.array([[20, 100]], np.uint8)
    result = ref.subtract(a, b)
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result, [[-10.0, 100.0]])


def test_subtract_lesson_wraps_16bit_values_above_32767():
    a = np.array([[40000, 300]], np.uint16)
    b = np.array([[0, 100]], np.uint16)
    result = ref.subtract(a, b, kind="lesson")
    assert result.dtype == np.int16
    # 40000 cast to int16 is 40000 - 65536
    np.testing.assert_array_equal(result, [[-25536, 200]])
    np.testing.assert_array_equal(ref.subtract(a, b, kind="imagej"), [[40000.0, 200.0]])


def test_subtract_rejects_shape_mismatch_naming_both():
    with pytest.raises(ValueError,
                       match=r"image1 \{'row': 2, 'col': 3\}, image2 \{'row': 3, 'col': 2\}"):
        ref.subtract(np.zeros((2, 3), np.uint8), np.zeros((3, 2), np.uint8))


def test_subtract_does_not_modify_inputs():
    a = random_image(np.uint8, (5, 6))
    b = random_image(np.uint8, (5, 6))
    a0, b0 = a.copy(), b.copy()
    ref.subtract(a, b, kind="lesson")
    ref.subtract(a, b)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)


# --- z_project ----------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_z_project_max_min_keep_dtype(dtype):
    stack = random_image(dtype, (5, 8, 9))
    for method, func in [("max", np.max), ("min", np.min)]:
        result = ref.z_project(stack, method)
        assert result.dtype == stack.dtype
        np.testing.assert_array_equal(result, func(stack, axis=0))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_z_project_sum_is_float32(dtype):
    stack = random_image(dtype, (6, 8, 9))
    result = ref.z_project(stack, "sum")
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result, stack.sum(axis=0, dtype=np.float64))


def test_z_project_sum_of_float32_adds_in_float32():
    stack = random_image(np.float32, (6, 8, 9))
    expected = stack[0].copy()
    for plane in stack[1:]:
        expected += plane
    np.testing.assert_array_equal(ref.z_project(stack, "sum"), expected)


def test_z_project_avg_of_integers_rounds_half_up_and_keeps_dtype():
    # ImageJ 1.53t: float32 mean, then (short)(v + 0.5f)
    stack = np.array([[[1, 1, 1, 0]], [[2, 2, 1, 0]], [[2, 2, 2, 1]], [[2, 1, 2, 0]]], np.uint8)
    # means: 1.75, 1.5, 1.5, 0.25
    result = ref.z_project(stack, "avg")
    assert result.dtype == np.uint8
    np.testing.assert_array_equal(result, [[2, 2, 2, 0]])
    stack16 = random_image(np.uint16, (5, 8, 9))
    expected = np.floor(stack16.mean(axis=0) + 0.5)
    np.testing.assert_array_equal(ref.z_project(stack16, "avg"), expected)


def test_z_project_avg_of_float32_skips_nan():
    stack = random_image(np.float32, (4, 3, 5))
    stack[1, 0, 0] = np.nan
    result = ref.z_project(stack, "avg")
    assert result.dtype == np.float32
    expected = np.nanmean(stack.astype(np.float64), axis=0).astype(np.float32)
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_z_project_sd_is_sample_sd_in_float32(dtype):
    stack = random_image(dtype, (5, 8, 9))
    result = ref.z_project(stack, "sd")
    assert result.dtype == np.float32
    np.testing.assert_allclose(result, stack.astype(np.float64).std(axis=0, ddof=1), rtol=1e-6)


def test_z_project_sd_of_one_slice_or_constant_is_zero():
    np.testing.assert_array_equal(ref.z_project(np.full((3, 2, 2), 7, np.uint16), "sd"), 0)
    with pytest.raises(ValueError, match="needs more than one plane"):  # as the engine
        ref.z_project(np.full((1, 2, 2), 7, np.uint8), "sd")


def test_z_project_median_dtypes_and_even_counts():
    odd = random_image(np.uint16, (5, 8, 9))
    result = ref.z_project(odd, "median")
    assert result.dtype == np.float32  # ImageJ gives 32-bit for 16-bit input
    np.testing.assert_array_equal(result, np.median(odd, axis=0))
    even = np.array([[[1, 4]], [[2, 4]]], np.uint16)
    np.testing.assert_array_equal(ref.z_project(even, "median"), [[1.5, 4.0]])
    even8 = even.astype(np.uint8)
    result8 = ref.z_project(even8, "median")
    assert result8.dtype == np.uint8  # 8-bit stays 8-bit, rounded half up
    np.testing.assert_array_equal(result8, [[2, 4]])


def test_z_project_along_another_leading_axis():
    hyper = random_image(np.uint8, (2, 4, 6, 7))  # (t, pln, row, col)
    np.testing.assert_array_equal(ref.z_project(hyper, "max", axis=1), hyper.max(axis=1))


def test_z_project_refuses_row_col_axes_and_2d_images():
    with pytest.raises(ValueError, match="runs along 'pln' or 't', not 'col'"):
        ref.z_project(random_image(np.uint8, (3, 4, 5)), "max", axis=-1)
    with pytest.raises(ValueError, match="needs more than one plane"):
        ref.z_project(random_image(np.uint8, (4, 5)), "max")
    with pytest.raises(ValueError, match="Unknown projection method 'mean'"):
        ref.z_project(random_image(np.uint8, (3, 4, 5)), "mean")


def test_z_project_dataarray_drops_the_projected_dim():
    stack = xr.DataArray(
        random_image(np.uint8, (3, 4, 5)),
        dims=("t", "row", "col"),
        coords={"t": [0.0, 1.5, 3.0], "row": np.arange(4) * 0.2},
        attrs={"unit": "um"},
    )
    result = ref.z_project(stack, "max", axis="t")
    assert isinstance(result, xr.DataArray)
    assert result.dims == ("row", "col")
    assert "t" not in result.coords
    np.testing.assert_array_equal(result.coords["row"], stack.coords["row"])
    assert result.attrs["unit"] == "um"
    assert "Max Intensity" in result.attrs["reference"]
    np.testing.assert_array_equal(result.values, stack.values.max(axis=0))


# --- subtract_background --------------------------------------------------------


def test_subtract_background_is_the_lessons_rolling_ball():
    img = random_image(np.uint8, (24, 26))
    expected = img - restoration.rolling_ball(img, radius=5)
    result = ref.subtract_background(img, rolling=5, kind="lesson")
    assert result.dtype == np.uint8
    np.testing.assert_array_equal(result, expected)


def test_subtract_background_of_a_flat_image_is_black_or_white():
    flat = np.full((20, 20), 100, np.uint8)
    np.testing.assert_array_equal(ref.subtract_background(flat, rolling=4, kind="lesson"), 0)
    # a light background is inverted, corrected and inverted back
    np.testing.assert_array_equal(
        ref.subtract_background(flat, rolling=4, light_background=True, kind="lesson"), 255
    )


def test_subtract_background_light_keeps_a_dark_spots_contrast():
    img = np.full((30, 30), 200, np.uint8)
    img[14:17, 14:17] = 50  # a dark 3x3 spot, 150 below a light background
    result = ref.subtract_background(img, rolling=5, light_background=True, kind="lesson")
    np.testing.assert_array_equal(result[14:17, 14:17], 255 - 150)
    assert (result[:10] == 255).all()


def test_subtract_background_treats_planes_separately():
    stack = random_image(np.uint8, (2, 18, 19))
    result = ref.subtract_background(stack, rolling=4, kind="lesson")
    for plane, corrected in zip(stack, result, strict=True):
        alone = ref.subtract_background(plane, rolling=4, kind="lesson")
        np.testing.assert_array_equal(corrected, alone)


def test_subtract_background_skimage_create_is_the_ball():
    img = random_image(np.uint8, (24, 26))
    background = ref.subtract_background(img, rolling=5, create_background=True,
                                         kind="lesson")
    np.testing.assert_array_equal(background, restoration.rolling_ball(img, radius=5))
    with pytest.raises(ValueError, match="ImageJ options"):
        ref.subtract_background(img, rolling=5, sliding=True, kind="lesson")


def test_subtract_background_default_is_imagej_and_differs_from_skimage():
    img = random_image(np.uint8, (40, 44))
    imagej = ref.subtract_background(img, rolling=5)
    assert not np.array_equal(imagej, ref.subtract_background(img, rolling=5, kind="lesson"))
    np.testing.assert_array_equal(imagej, ref.subtract_background(img, rolling=5, kind="imagej"))


@pytest.mark.parametrize("options", [{}, {"sliding": True, "light_background": True},
                                     {"disable_smoothing": True, "create_background": True}])
def test_the_old_rolling_ball_name_warns_and_gives_the_same_values(options):
    from ij_bgcorr.reference import rolling_ball

    img = random_image(np.uint16, (30, 33))
    with pytest.warns(DeprecationWarning,
                      match=r"call ij_bgcorr\.reference\.subtract_background\(") as caught:
        old = rolling_ball.subtract_background(img, 7, **options)
    assert caught[0].filename == __file__  # the warning points at the caller
    new = ref.subtract_background(img, 7, **options, kind="imagej")
    assert old.dtype == new.dtype
    np.testing.assert_array_equal(old, new)


# --- opening and tophat ------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_imagej_opening_is_min_then_max_with_nearest_border(dtype):
    img = random_image(dtype, (21, 26))
    footprint = ref.imagej_kernel(3)
    expected = ndi.grey_opening(img, footprint=footprint, mode="nearest")
    result = ref.opening(img, 3, kind="imagej")
    assert result.dtype == img.dtype
    np.testing.assert_array_equal(result, expected)


def test_lesson_tophat_is_white_tophat_and_image_minus_opening():
    img = random_image(np.uint8, (20, 22))
    tophat = ref.tophat(img, 2, kind="lesson")
    np.testing.assert_array_equal(tophat, morphology.white_tophat(img, morphology.disk(2)))
    np.testing.assert_array_equal(tophat, img - ref.opening(img, 2, kind="lesson"))


def test_imagej_tophat_is_float32_image_minus_imagej_opening():
    img = random_image(np.uint16, (20, 22))
    result = ref.tophat(img, 2, kind="imagej")
    assert result.dtype == np.float32
    expected = img.astype(np.float32) - ref.opening(img, 2, kind="imagej").astype(np.float32)
    np.testing.assert_array_equal(result, expected)


def test_tophat_kinds_differ_on_a_cross():
    img = np.zeros((9, 9), np.uint8)
    img[4, 3:6] = img[3:6, 4] = 100  # a 5-pixel cross: disk(1) fits, the 3x3 square does not
    assert ref.tophat(img, 1, kind="lesson")[4, 4] == 0
    assert ref.tophat(img, 1)[4, 4] == 100.0  # kind="imagej" is the default


# --- DataArrays and bad input ----------------------------------------------------


def test_dataarray_in_dataarray_out_with_dims_coords_attrs():
    img = xr.DataArray(
        random_image(np.uint8, (2, 10, 11)),
        dims=("pln", "row", "col"),
        coords={"pln": [0, 1], "col": np.arange(11) * 0.5},
        attrs={"source": "test"},
        name="spots",
    )
    before = img.copy(deep=True)
    result = ref.median(img, 3)
    assert isinstance(result, xr.DataArray)
    assert result.dims == img.dims and result.name == "spots"
    np.testing.assert_array_equal(result.coords["col"], img.coords["col"])
    assert result.attrs["source"] == "test"
    assert result.attrs["reference"].startswith('ImageJ run("Median...", "radius=3")')
    np.testing.assert_array_equal(result.values, ref.median(img.values, 3))
    xr.testing.assert_identical(img, before)
    disk = ref.median(img, 3, kind="lesson")
    assert disk.attrs["reference"] == "skimage.filters.median(img, skimage.morphology.disk(3))"
    assert isinstance(ref.median(img.values, 3), np.ndarray)


def test_dataarray_with_channel_last_is_filtered_per_channel():
    values = random_image(np.uint8, (5, 6, 2))
    img = xr.DataArray(values, dims=("row", "col", "ch"))
    out = ref.median(img, 2)
    assert out.dims == ("row", "col", "ch")
    for c in range(2):
        np.testing.assert_array_equal(out.values[..., c], ref.median(values[..., c], 2))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda img: ref.median(img, 0), "radius must be > 0"),
        (lambda img: ref.median(img, -2), "radius must be > 0"),
        (lambda img: ref.median(img, 2, kind="box"), "Unknown kind 'box'; choose one of imagej, "
         "lesson"),
        (lambda img: ref.median(img, 1.5, kind="lesson"), "whole number"),
        (lambda img: ref.subtract(img, img, kind="int16"), "Unknown kind 'int16'"),
        (lambda img: ref.tophat(img, 2, kind="black"), "Unknown kind 'black'"),
        (lambda img: ref.opening(img, 2, kind="box"), "Unknown kind 'box'"),
        (lambda img: ref.subtract_background(img, rolling=0, kind="lesson"),
         "rolling must be > 0"),
        (lambda img: ref.subtract_background(img, kind="x"), "Unknown kind 'x'"),
        (lambda img: ref.median(img[0], 2), "1-D array"),
        (lambda img: ref.median(img.astype(np.complex64), 2), "cannot hold complex64"),
        (lambda img: ref.tophat(img.astype("datetime64[s]"), 2), "cannot hold datetime64"),
    ],
)
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call(np.zeros((6, 7), np.uint8))


FLAVOURED = [
    lambda img, kind: ref.median(img, 2, kind=kind),
    lambda img, kind: ref.subtract(img, img, kind=kind),
    lambda img, kind: ref.opening(img, 2, kind=kind),
    lambda img, kind: ref.tophat(img, 2, kind=kind),
    lambda img, kind: ref.subtract_background(img, rolling=3, kind=kind),
]


@pytest.mark.parametrize(
    "func", [ref.median, ref.subtract, ref.opening, ref.tophat, ref.subtract_background]
)
def test_one_kind_keyword_with_one_default(func):
    import inspect

    assert inspect.signature(func).parameters["kind"].default == "imagej"


@pytest.mark.parametrize("call", FLAVOURED)
def test_unknown_kind_is_a_command_error_naming_the_choices(call):
    img = random_image(np.uint8, (8, 9))
    with pytest.raises(CommandError, match=r"Unknown kind 'skimage'; choose one of imagej, lesson"):
        call(img, "skimage")
    assert call(img, "imagej").shape == call(img, "lesson").shape == img.shape
