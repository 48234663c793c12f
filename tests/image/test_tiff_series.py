"""A TIFF holding several images (pages of different sizes) is never read as its first silently.

Without ``series=`` the error lists each image's shape and says how to choose;
with it, that image is read, with its own calibration.
"""

from __future__ import annotations

import numpy as np
import pytest
import tifffile
from PIL import Image

import ij_bgcorr as ijb
from ij_bgcorr.errors import ImageFormatError
from ij_bgcorr.image import check_tiff

RNG = np.random.default_rng(11)
BIG = RNG.integers(0, 65536, (64, 64), dtype=np.uint16)
SMALL = RNG.integers(0, 65536, (32, 48), dtype=np.uint16)
LISTED = (r"series 0: shape \(64, 64\) \(axes YX\) uint16; series 1: shape \(32, 48\) "
          r"\(axes YX\) uint16\. Choose one with open_image\(path, series=N\)")


@pytest.fixture
def two_sizes(tmp_path):
    """Two images written by tifffile, each with its own pixel size in cm."""
    path = tmp_path / "two.tif"
    with tifffile.TiffWriter(path) as tif:
        tif.write(BIG, resolution=(2.0, 2.0), resolutionunit="CENTIMETER")
        tif.write(SMALL, resolution=(4.0, 5.0), resolutionunit="CENTIMETER")
    return path


def test_without_a_choice_the_error_lists_the_images(two_sizes):
    written = two_sizes.read_bytes()
    for chunks in (None, 16):
        with pytest.raises(ImageFormatError, match=r"two.tif holds 2 images \(TIFF series\) "
                                                   r"and which one to read was not said: "
                                                   + LISTED):
            ijb.open_image(two_sizes, chunks=chunks)
    with pytest.raises(ImageFormatError, match=LISTED):  # before ImageJ opens it
        check_tiff(two_sizes)
    assert two_sizes.read_bytes() == written


def test_the_image_chosen_is_read_with_its_calibration(two_sizes):
    second = ijb.open_image(two_sizes, series=1)
    np.testing.assert_array_equal(second.values, SMALL)
    cal = ijb.Calibration.from_attrs(second.attrs)
    assert (cal.pixel_width, cal.pixel_height, cal.unit) == (0.25, 0.2, "cm")
    assert "source_fingerprint" not in second.attrs  # ImageJ's open() would read another
    first = ijb.open_image(two_sizes, series=0)
    np.testing.assert_array_equal(first.values, BIG)
    assert ijb.Calibration.from_attrs(first.attrs).pixel_width == 0.5
    lazy = ijb.open_image(two_sizes, chunks=16, series=1)
    assert lazy.chunks is not None
    np.testing.assert_array_equal(lazy.values, SMALL)


@pytest.mark.parametrize("bad", [2, -1, True, "1", 1.0])
def test_a_series_that_is_not_there_is_refused(two_sizes, bad):
    with pytest.raises(ImageFormatError, match=rf"series={bad!r} is not one of the 2 images "
                                               rf"of .*two.tif: {LISTED}"):
        ijb.open_image(two_sizes, series=bad)


def test_a_pillow_multipage_file_of_two_sizes(tmp_path):
    path = tmp_path / "pil.tif"
    big, small = BIG.astype(np.uint8), SMALL.astype(np.uint8)
    Image.fromarray(big).save(path, save_all=True, append_images=[Image.fromarray(small)],
                              compression="tiff_lzw")
    with pytest.raises(ImageFormatError, match=r"series 0: shape \(64, 64\) \(axes YX\) uint8; "
                                               r"series 1: shape \(32, 48\) \(axes YX\) uint8"):
        ijb.open_image(path)
    np.testing.assert_array_equal(ijb.open_image(path, series=1).values, small)
    np.testing.assert_array_equal(ijb.open_image(path, series=0).values, big)


def test_images_of_one_size_are_not_guessed_either(tmp_path):
    """Frames appended one by one: two series for tifffile, one stack for ImageJ's open()."""
    path = tmp_path / "appended.tif"
    tifffile.imwrite(path, BIG)
    tifffile.imwrite(path, BIG[::-1], append=True)
    with pytest.raises(ImageFormatError, match=r"holds 2 images .*series 1: shape \(64, 64\)"):
        ijb.open_image(path)
    check_tiff(path)  # ImageJ reads all its pages as one stack: nothing is lost there
    np.testing.assert_array_equal(ijb.open_image(path, series=0).values, BIG)


def test_one_image_needs_no_choice_and_zarr_takes_none(tmp_path):
    path = tmp_path / "one.tif"
    tifffile.imwrite(path, BIG)
    np.testing.assert_array_equal(ijb.open_image(path, series=0).values, BIG)
    np.testing.assert_array_equal(ijb.open_image(path).values, BIG)
    folder = tmp_path / "one.zarr"
    folder.mkdir()
    with pytest.raises(ImageFormatError, match="series= picks an image of a TIFF file"):
        ijb.open_image(folder, series=0)
