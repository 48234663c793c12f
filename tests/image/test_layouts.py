"""Every image layout gives the same answer on both sides: the engine and the numpy functions.

Channels, z-stacks, time series, 5-D hyperstacks in any dims order, RGB and
crops: the numpy references and the Python rolling ball must equal ImageJ's
own result (the engine under test), and every result must keep the input's
dims order, coordinates (crop offsets included), name and attrs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from engine_scenarios import MICRONS

import ij_bgcorr as ijb
from ij_bgcorr import reference
from ij_bgcorr.crossval import synthetic
from ij_bgcorr.reference import subtract_background

RNG = np.random.default_rng(12)


def _calibrated(values: np.ndarray, dims: tuple[str, ...], **kwargs) -> xr.DataArray:
    canonical = ijb.as_image(values, dims=dims, calibration=MICRONS, **kwargs)
    return canonical.rename(f"image {len(dims)}-D")


def layouts() -> dict[str, xr.DataArray]:
    spots = synthetic.spots_on_uneven_background((48, 52)).values.astype(np.uint16) * 40
    two_channels = np.stack([spots, spots[::-1] // 2 + 100], axis=-1)
    hyper = RNG.integers(0, 3000, (2, 3, 26, 28, 2), dtype=np.uint16)
    out = {
        "2 channels (row, col, ch)": _calibrated(two_channels, ("row", "col", "ch")),
        "z-stack (pln, row, col)": _calibrated(RNG.normal(80, 15, (3, 30, 32)).astype(np.float32),
                                               ("pln", "row", "col")),
        "time series (t, row, col)": _calibrated(
            RNG.integers(0, 256, (4, 25, 27), dtype=np.uint8), ("t", "row", "col")),
        "hyperstack (t, pln, row, col, ch)": _calibrated(hyper, ("t", "pln", "row", "col", "ch")),
        "RGB (row, col, ch)": _calibrated(RNG.integers(0, 256, (22, 25, 3), dtype=np.uint8),
                                          ("row", "col", "ch"), rgb=True),
    }
    out["hyperstack, dims scrambled"] = out["hyperstack (t, pln, row, col, ch)"].transpose(
        "ch", "row", "t", "col", "pln")
    out["crop of the 2 channels"] = out["2 channels (row, col, ch)"].isel(
        row=slice(9, 40), col=slice(5, 47))
    out["crop, channels first"] = out["crop of the 2 channels"].transpose("ch", "row", "col")
    return out


LAYOUTS = layouts()
GREY = [k for k in LAYOUTS if not k.startswith("RGB")]
BACKGROUND_OPTIONS = [
    {}, {"light_background": True}, {"disable_smoothing": True}, {"create_background": True},
    {"sliding": True}, {"sliding": True, "light_background": True, "disable_smoothing": True},
]


def _same_layout(result: xr.DataArray, image: xr.DataArray, removed: tuple[str, ...] = ()) -> None:
    assert result.dims == tuple(d for d in image.dims if d not in removed)
    for dim in result.dims:
        if dim in image.coords:
            np.testing.assert_allclose(result.coords[dim].values, image.coords[dim].values,
                                       err_msg=dim)
    assert result.name == image.name
    for key in ("unit", "pixel_width", "pixel_height"):
        assert result.attrs[key] == image.attrs[key], key


@pytest.mark.parametrize("key", list(LAYOUTS))
def test_median_equals_imagej_in_every_layout(fiji: ijb.Engine, key: str) -> None:
    image = LAYOUTS[key]
    theirs = fiji.median(image, 3)
    ours = reference.median(image, 3)
    _same_layout(theirs, image)
    _same_layout(ours, image)
    np.testing.assert_array_equal(ours.values, theirs.values)


@pytest.mark.parametrize("options", BACKGROUND_OPTIONS, ids=lambda o: "+".join(o) or "default")
@pytest.mark.parametrize("key", list(LAYOUTS))
def test_rolling_ball_equals_imagej_in_every_layout(fiji: ijb.Engine, key: str,
                                                    options: dict) -> None:
    image = LAYOUTS[key]
    theirs = fiji.subtract_background(image, rolling=6, **options)
    ours = subtract_background(image, rolling=6, **options)
    _same_layout(theirs, image)
    _same_layout(ours, image)
    np.testing.assert_array_equal(ours.values, theirs.values)


def test_rgb_separate_colours(fiji: ijb.Engine) -> None:
    image = LAYOUTS["RGB (row, col, ch)"]
    theirs = fiji.subtract_background(image, rolling=5, separate=True)
    np.testing.assert_array_equal(subtract_background(image, 5, separate=True).values,
                                  theirs.values)


@pytest.mark.parametrize("key", GREY)
def test_opening_equals_imagej_minimum_then_maximum(fiji: ijb.Engine, key: str) -> None:
    image = LAYOUTS[key]
    macro = 'run("Minimum...", "radius=2 stack");\nrun("Maximum...", "radius=2 stack");'
    theirs = fiji.run_macro(macro, inputs={"x": image})["x"]
    ours = reference.opening(image, 2, kind="imagej")
    _same_layout(ours, image)
    canonical = ijb.as_image(ours)
    np.testing.assert_array_equal(canonical.values, theirs.values)


@pytest.mark.parametrize("method", ["max", "avg", "sd", "median", "sum", "min"])
@pytest.mark.parametrize("key", ["z-stack (pln, row, col)", "time series (t, row, col)",
                                 "hyperstack (t, pln, row, col, ch)",
                                 "hyperstack, dims scrambled"])
def test_projection_equals_imagej_in_every_layout(fiji: ijb.Engine, key: str,
                                                  method: str) -> None:
    image = LAYOUTS[key]
    axis = "pln" if "pln" in image.dims else "t"
    theirs = fiji.z_project(image, method)
    ours = reference.z_project(image, method)
    _same_layout(theirs, image, removed=(axis,))
    _same_layout(ours, image, removed=(axis,))
    if method == "avg" and image.dtype == np.float32 and fiji.version.startswith("1.53"):
        return  # ImageJ 1.53t leaves out the last slice (see tests/test_engines_agree.py)
    assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours.values, theirs.values, rtol=1e-6)


@pytest.mark.parametrize("key", GREY)
def test_subtraction_equals_imagej_and_aligns(fiji: ijb.Engine, key: str) -> None:
    image = LAYOUTS[key]
    background = fiji.median(image, 4)
    theirs = fiji.image_calculator("subtract", image, background, float32=True)
    ours = reference.subtract(image, background)
    _same_layout(theirs, image)
    _same_layout(ours, image)
    np.testing.assert_array_equal(ours.values, theirs.values)
    # xarray aligns on coords: a result that kept them subtracts without losing pixels
    assert (image.astype(np.float32) - background).shape == image.shape


def test_crop_keeps_its_place_through_the_engine(fiji: ijb.Engine) -> None:
    full = LAYOUTS["2 channels (row, col, ch)"]
    sub = full.isel(row=slice(40 // 4, 140 // 4), col=slice(30 // 4, 170 // 4))
    bg = fiji.median(sub, radius=5)
    np.testing.assert_allclose(bg.coords["row"].values, sub.coords["row"].values)
    np.testing.assert_allclose(bg.coords["col"].values, sub.coords["col"].values)
    assert (sub - bg).shape == sub.shape
    assert bg.attrs["x_origin"] == pytest.approx(-sub.coords["col"].values[0] / 0.2)


def test_numpy_arrays_follow_one_default_everywhere(fiji: ijb.Engine) -> None:
    """A 5-D numpy array is (t, pln, row, col, ch) for the engine and the numpy side alike."""
    values = RNG.integers(0, 200, (2, 2, 12, 13, 2), dtype=np.uint8)
    theirs = fiji.median(values, 2)
    ours = reference.median(values, 2)
    assert isinstance(ours, np.ndarray) and ours.shape == values.shape
    assert theirs.dims == ("t", "pln", "row", "col", "ch")
    np.testing.assert_array_equal(ours, theirs.values)
    np.testing.assert_array_equal(subtract_background(values, 4),
                                  fiji.subtract_background(values, 4).values)


def test_microscopy_file_with_two_channels(fiji: ijb.Engine, tmp_path: Path) -> None:
    """The case that used to go wrong silently: a 2-channel 16-bit TIFF, opened, corrected."""
    path = ijb.save_image(LAYOUTS["2 channels (row, col, ch)"], tmp_path / "two.tif")
    image = ijb.open_image(path)
    assert image.dims == ("row", "col", "ch")
    theirs = fiji.subtract_background(image, rolling=50)
    ours = subtract_background(image, rolling=50)
    assert int((ours.values != theirs.values).sum()) == 0
    np.testing.assert_array_equal(reference.median(image, 15).values,
                                  fiji.median(image, 15).values)


@pytest.mark.parametrize("dtype", [np.float64, np.int16, np.int32, np.uint32, bool])
def test_other_dtypes_follow_one_policy_on_both_sides(fiji: ijb.Engine, dtype: type) -> None:
    values = (RNG.integers(0, 2, (14, 15)) if dtype is bool else
              RNG.integers(0, 900, (14, 15))).astype(dtype)
    with pytest.warns(ijb.ImageConversionWarning) as engine_warning:
        theirs = fiji.median(values, 2)
    with pytest.warns(ijb.ImageConversionWarning) as numpy_warning:
        ours = reference.median(values, 2)
    assert str(engine_warning[0].message) == str(numpy_warning[0].message)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs.values)


# -- compare and the report, per channel ---------------------------------------------------
def test_compare_says_which_channel_and_plane_differs() -> None:
    image = LAYOUTS["hyperstack, dims scrambled"]
    other = image.copy()
    plane = {"ch": 1, "t": 0, "pln": 2}
    other[plane] = other[plane] + 1
    other.values[0, 0, 1, 0, 0] += 7  # ch=0, row=0, t=1, col=0, pln=0
    result = ijb.compare(image, other.transpose("t", "pln", "row", "col", "ch"))
    assert result.plane_n_different == {"t=0, pln=2, ch=1": 26 * 28, "t=1, pln=0, ch=0": 1}
    assert "differing planes: t=0, pln=2, ch=1 (728), t=1, pln=0, ch=0 (1)" in str(result)
    assert ijb.compare(image, image.transpose(*reversed(image.dims))).identical


def test_cross_validation_of_a_two_channel_image(fiji: ijb.Engine, tmp_path: Path) -> None:
    from ij_bgcorr.crossval import report
    from ij_bgcorr.crossval import validate as crossval

    image = LAYOUTS["crop, channels first"]
    result = crossval.cross_validate(fiji, image, "median", 4)
    assert result.comparisons["imagej"].identical
    lesson = result.comparisons["lesson"]
    assert set(lesson.plane_n_different) <= {"ch=0", "ch=1"} and lesson.plane_n_different
    text = report.markdown(result)
    assert "Pixels different by plane" in text and "| lesson | ch=" in text
    figure = report.save_figure(result, tmp_path / "median.png")
    import matplotlib.image

    height, width = matplotlib.image.imread(figure).shape[:2]
    assert height > 0.35 * width  # two rows of panels, one per channel


# -- edge cases: alias names, label coords, numpy order, large integers, colour ---------------
def test_alias_dim_names_come_back(fiji: ijb.Engine) -> None:
    img = xr.DataArray(RNG.integers(0, 255, (60, 30), dtype=np.uint8), dims=("y", "x"))
    sub = img.isel(y=slice(10, 50))
    for result in (fiji.median(sub, 5), reference.median(sub, 5)):
        assert result.dims == ("y", "x")
        assert (sub - result).shape == sub.shape
    stack = xr.DataArray(RNG.integers(0, 255, (3, 20, 21), dtype=np.uint8),
                         dims=("time", "y", "x"))
    assert fiji.z_project(stack, axis="time").dims == ("y", "x")


def test_labels_as_coordinates_are_kept(fiji: ijb.Engine) -> None:
    frames = xr.DataArray(RNG.integers(0, 255, (3, 12, 13), dtype=np.uint8),
                          dims=("t", "row", "col"), coords={"t": ["0h", "1h", "2h"]})
    theirs, ours = fiji.median(frames, 1), reference.median(frames, 1)
    assert list(theirs.coords["t"].values) == ["0h", "1h", "2h"]
    np.testing.assert_array_equal(ours.values, theirs.values)


def test_compare_reads_a_numpy_array_by_its_dims_whatever_its_shape() -> None:
    square = xr.DataArray(RNG.integers(0, 255, (4, 4), dtype=np.uint8), dims=("col", "row"))
    assert ijb.compare(square, square.transpose("row", "col").values).identical
    cube = xr.DataArray(RNG.integers(0, 255, (4, 4, 4), dtype=np.uint8),
                        dims=("row", "col", "pln"))
    assert ijb.compare(cube, cube.transpose("pln", "row", "col").values).identical


def test_rounding_of_large_integers_is_counted_where_the_caller_is() -> None:
    with pytest.warns(ijb.ImageConversionWarning, match="1 values above 2..24") as caught:
        reference.median(np.array([[2**53 + 1, 0]], np.int64), 1)
    assert caught[0].filename == __file__


@pytest.mark.parametrize("call", [
    lambda img: reference.subtract(img, img),
    lambda img: reference.tophat(img, 2),
    lambda img: reference.z_project(img, "sum"),
    lambda img: reference.z_project(img, "sd"),
])
def test_colour_steps_imagej_computes_otherwise_are_refused(call) -> None:
    rgb = ijb.as_image(RNG.integers(0, 256, (3, 9, 10, 3), dtype=np.uint8),
                       dims=("pln", "row", "col", "ch"), rgb=True)
    with pytest.raises(ijb.CommandError, match="does not reproduce it"):
        call(rgb)


def test_a_workflow_reads_its_input_once_and_answers_in_its_layout(fiji: ijb.Engine) -> None:
    from ij_bgcorr import workflows

    image = xr.DataArray(RNG.normal(100, 5, (20, 22)), dims=("y", "x"), name="cells")  # float64
    with pytest.warns(ijb.ImageConversionWarning) as caught:
        background, foreground = workflows.median_background(fiji, image, 2)
    assert sum(issubclass(w.category, ijb.ImageConversionWarning) for w in caught) == 1
    assert background.dims == foreground.dims == ("y", "x")
    assert background.name == foreground.name == "cells"
    np.testing.assert_array_equal(background.values,
                                  reference.median(image.astype(np.float32), 2).values)
