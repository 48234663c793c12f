"""numpy/xarray ⇄ ImagePlus round trips, layout as ImageJ sees it, and TIFF calibration."""

from __future__ import annotations

import numpy as np
import pytest
import tifffile
import xarray as xr

import ij_bgcorr as ijb
from ij_bgcorr.engine.convert import from_imageplus, to_imageplus

RNG = np.random.default_rng(7)


def _random(dtype, shape):
    if dtype == np.float32:
        return RNG.normal(0, 1000, shape).astype(np.float32)
    return RNG.integers(0, np.iinfo(dtype).max + 1, shape, dtype=dtype)


CASES = [
    (np.uint8, (17, 23), ("row", "col")),
    (np.uint16, (4, 17, 23), ("pln", "row", "col")),
    (np.float32, (3, 17, 23), ("t", "row", "col")),
    (np.uint16, (2, 3, 17, 23, 4), ("t", "pln", "row", "col", "ch")),
    (np.float32, (17, 23, 2), ("row", "col", "ch")),
]


@pytest.mark.parametrize(("dtype", "shape", "dims"), CASES)
def test_round_trip_is_bit_exact(fiji, dtype, shape, dims):
    data = _random(dtype, shape)
    if dtype == np.float32:
        data.flat[:3] = [np.nan, np.inf, -0.0]
    image = ijb.as_image(data, dims=dims)
    back = from_imageplus(to_imageplus(image))
    assert back.dims == dims and back.dtype == dtype
    np.testing.assert_array_equal(back.values, data)
    assert back.values.flags.writeable


def test_results_are_independent_of_imagej(fiji):
    imp = to_imageplus(np.zeros((4, 5), np.uint16))
    back = from_imageplus(imp)
    imp.getProcessor().set(1, 2, 777)  # ImageJ changes its image afterwards
    assert back.values[2, 1] == 0


def test_rgb_round_trip(fiji):
    data = _random(np.uint8, (9, 11, 3))
    image = ijb.as_image(data, dims=("row", "col", "ch"), rgb=True)
    imp = to_imageplus(image)
    assert int(imp.getType()) == 4  # COLOR_RGB
    r, g, b, _ = imp.getPixel(2, 5)  # x=col 2, y=row 5
    assert (r, g, b) == tuple(data[5, 2])
    back = from_imageplus(imp)
    np.testing.assert_array_equal(back.values, data)
    assert back.attrs["rgb"]


def test_imagej_sees_the_hyperstack_layout(fiji):
    data = _random(np.uint16, (2, 3, 5, 7, 4))  # t, pln, row, col, ch
    imp = to_imageplus(ijb.as_image(data))
    assert (imp.getNChannels(), imp.getNSlices(), imp.getNFrames()) == (4, 3, 2)
    assert (imp.getWidth(), imp.getHeight()) == (7, 5)
    t, z, c, row, col = 1, 2, 3, 4, 6
    imp.setPosition(c + 1, z + 1, t + 1)
    assert imp.getProcessor().get(col, row) == data[t, z, row, col, c]


def test_calibration_reaches_imagej_and_comes_back(fiji):
    cal = ijb.Calibration(pixel_width=0.25, pixel_height=0.5, voxel_depth=2.0, unit="micron",
                          frame_interval=3.5, time_unit="s")
    image = ijb.as_image(_random(np.uint8, (2, 3, 8, 9)), calibration=cal)
    assert float(image.coords["col"][1]) == 0.25 and float(image.coords["t"][1]) == 3.5
    imp = to_imageplus(image)
    jcal = imp.getCalibration()
    assert (jcal.pixelWidth, jcal.pixelHeight, jcal.pixelDepth) == (0.25, 0.5, 2.0)
    assert str(jcal.getUnit()) == "micron" and jcal.frameInterval == 3.5
    assert ijb.Calibration.from_attrs(from_imageplus(imp).attrs) == cal


def test_calibration_survives_save_and_open(tmp_path):
    cal = ijb.Calibration(pixel_width=0.1625, pixel_height=0.1625, voxel_depth=0.5,
                          unit="micron", frame_interval=2.0, time_unit="sec")
    data = _random(np.uint16, (2, 3, 10, 12, 2))
    path = ijb.save_image(ijb.as_image(data, calibration=cal), tmp_path / "h.tif")
    back = ijb.open_image(path)
    assert back.dims == ("t", "pln", "row", "col", "ch")
    np.testing.assert_array_equal(back.values, data)
    got = ijb.Calibration.from_attrs(back.attrs)
    assert got.unit == "micron" and got.voxel_depth == 0.5 and got.frame_interval == 2.0
    assert got.pixel_width == pytest.approx(0.1625, rel=1e-6)


def test_units_beyond_ascii_read_and_written_as_imagej_does(fiji, tmp_path):
    """ImageJ writes "Å" as the escape \\u00C5 in its ASCII description and reads it back."""
    made_by_imagej = tmp_path / "imagej.tif"
    fiji.run_macro(f'newImage("a", "16-bit black", 20, 10, 3); '
                   f'run("Properties...", "unit=Å pixel_width=0.5 pixel_height=0.5 '
                   f'voxel_depth=2"); saveAs("Tiff", "{made_by_imagej}");')
    image = ijb.open_image(made_by_imagej)
    assert image.attrs["unit"] == "Å" and image.coords["row"].attrs["units"] == "Å"
    saved = ijb.save_image(image, tmp_path / "again.tif")
    assert "unit=\\u00C5" in tifffile.TiffFile(saved).pages[0].description
    assert ijb.open_image(saved).attrs["unit"] == "Å"
    back = fiji.run_macro(f'open("{saved}"); getVoxelSize(w, h, d, unit); return unit;')
    assert back.returned == "Å"


def test_rgb_survives_save_and_open(tmp_path):
    data = _random(np.uint8, (6, 7, 3))
    image = ijb.as_image(data, dims=("row", "col", "ch"), rgb=True)
    path = ijb.save_image(image, tmp_path / "c.tif")
    back = ijb.open_image(path)
    assert back.attrs["rgb"] and back.dims == ("row", "col", "ch")
    np.testing.assert_array_equal(back.values, data)


def test_calibration_from_coordinates_when_attrs_are_missing():
    import xarray as xr

    arr = xr.DataArray(np.zeros((4, 5), np.uint8), dims=("y", "x"),
                       coords={"y": np.arange(4) * 0.5, "x": 10 + np.arange(5) * 0.2})
    image = ijb.as_image(arr)
    cal = ijb.Calibration.from_attrs(image.attrs)
    assert cal.pixel_height == 0.5 and cal.pixel_width == pytest.approx(0.2)
    assert cal.x_origin == pytest.approx(-50.0)


def test_bool_becomes_imagej_binary_with_a_warning():
    with pytest.warns(ijb.ImageConversionWarning, match="bool pixels converted to 8-bit .*255"):
        image = ijb.as_image(np.array([[True, False]]))
    assert image.dtype == np.uint8 and image.values.tolist() == [[255, 0]]


@pytest.mark.parametrize(("values", "dtype", "expected", "says"), [
    ([[0, 255], [7, 9]], np.int16, np.uint16, "16-bit.*every value is unchanged"),
    ([[0, 127], [7, 9]], np.int8, np.uint8, "8-bit.*every value is unchanged"),
    ([[-5, 300], [7, 9]], np.int16, np.float32, "32-bit float.*every value is unchanged"),
    ([[0, 65535], [7, 9]], np.int32, np.uint16, "16-bit"),
    ([[0, 2**24 + 1], [7, 9]], np.uint32, np.float32, "1 values above 2..24"),
    ([[0.5, 2.0], [7, 9]], np.float64, np.float32, "every value is unchanged"),
    ([[0.1, 2.0], [7, 9]], np.float64, np.float32, "1 of 4 values were rounded, by at most"),
    ([[np.nan, np.inf], [7, 9]], np.float64, np.float32, "every value is unchanged"),
    ([[1, 2], [7, 9]], np.float16, np.float32, "every value is unchanged"),
])
def test_other_dtypes_are_converted_saying_what_changed(values, dtype, expected, says):
    data = np.array(values, dtype=dtype)
    with pytest.warns(ijb.ImageConversionWarning, match=f"{np.dtype(dtype)} pixels .*{says}"):
        image = ijb.as_image(data)
    assert image.dtype == expected
    np.testing.assert_allclose(image.values, data.astype(np.float64), rtol=1e-7)


@pytest.mark.parametrize("data", [np.zeros((3, 3), np.complex64), np.array([[1e300, 0.0]]),
                                  np.zeros((2, 2), dtype="datetime64[s]")])
def test_what_cannot_be_converted_is_refused(data):
    with pytest.raises(ijb.ImageFormatError, match="cannot hold|do not fit ImageJ's 32-bit"):
        ijb.as_image(data)


def test_conversion_warning_points_at_the_callers_line():
    with pytest.warns(ijb.ImageConversionWarning) as caught:
        ijb.as_image(np.zeros((2, 2)))
    assert caught[0].filename == __file__


@pytest.mark.parametrize(("data", "says"), [
    (None, "not NoneType"),
    ("/data/cells.tif", "not str; read a file with ij_bgcorr.open_image"),
    (xr.DataArray(np.zeros((2, 3, 4)), dims=("y", "row", "col")),
     r"The dims \['y', 'row'\] name the same dimension \('row'\)"),
])
def test_what_is_no_image_is_named(data, says, fiji):
    with pytest.raises(ijb.ImageFormatError, match=says):
        ijb.as_image(data)
    with pytest.raises(ijb.ImageFormatError, match=says):
        fiji.median(data, 2)


def test_empty_and_unnamed_arrays_are_refused():
    with pytest.raises(ijb.ImageFormatError, match="empty"):
        ijb.as_image(np.zeros((0, 4), np.uint8))
    with pytest.raises(ijb.ImageFormatError, match="dims="):
        ijb.as_image(np.zeros((2,) * 6, np.uint8))
    with pytest.raises(ijb.ImageFormatError, match="Unknown dimension"):
        ijb.as_image(np.zeros((2, 3, 4), np.uint8), dims=("q", "row", "col"))


def _unknown_chunk_sizes():
    """A Dask array whose row count is unknown until computed (boolean indexing)."""
    import dask.array as da

    values = da.from_array(np.zeros((60, 80), np.uint8), chunks=16)
    return values[values[:, 0] > 100]


@pytest.mark.parametrize("wrap", [lambda d: d, lambda d: xr.DataArray(d, dims=("row", "col"))])
def test_an_engine_command_refuses_unknown_dask_chunk_sizes(fiji, wrap):
    with pytest.raises(ijb.ImageFormatError, match=r"compute_chunk_sizes\(\) first"):
        fiji.median(wrap(_unknown_chunk_sizes()), 2)
