"""Rows and columns are the pages' ImageLength and ImageWidth, whatever axis letters say.

tifffile stores the axes it was given (its "shaped" JSON metadata); ImageJ ignores
them and shows each page as stored: ImageWidth columns by ImageLength rows. An image
labelled ``"XY"`` is therefore read as stored, not transposed; one whose other axes
cannot be told apart is refused, naming the file and its axes.
"""

from __future__ import annotations

import numpy as np
import pytest
import tifffile

import ij_bgcorr as ijb
from ij_bgcorr.errors import ImageFormatError
from ij_bgcorr.image import check_tiff

RNG = np.random.default_rng(23)


def _stored(path):
    """The pages' pixels as stored (what ImageJ shows), read page by page without axes."""
    with tifffile.TiffFile(path) as tif:
        return np.stack([page.asarray() for page in tif.pages]).squeeze(), tif.pages[0]


@pytest.mark.parametrize("chunks", [None, 8])
def test_xy_labelled_plane_is_read_as_stored(tmp_path, chunks):
    path = tmp_path / "xy.tif"
    tifffile.imwrite(path, RNG.integers(0, 100, (20, 30), dtype=np.uint16),
                     metadata={"axes": "XY"})
    stored, page = _stored(path)
    assert (page.imagelength, page.imagewidth) == (20, 30)
    image = ijb.open_image(path, chunks=chunks)
    assert image.dims == ("row", "col")
    assert image.shape == (page.imagelength, page.imagewidth)
    np.testing.assert_array_equal(np.asarray(image.values), stored)
    check_tiff(path)


def test_zxy_labelled_stack_is_read_as_stored(tmp_path):
    path = tmp_path / "zxy.tif"  # 3 pages of 20 rows by 30 columns: a stack in ImageJ
    tifffile.imwrite(path, RNG.integers(0, 100, (3, 20, 30), dtype=np.uint16),
                     metadata={"axes": "ZXY"}, photometric="minisblack")
    stored, page = _stored(path)
    image = ijb.open_image(path)
    assert image.dims == ("pln", "row", "col")
    assert image.shape == (3, page.imagelength, page.imagewidth) == (3, 20, 30)
    np.testing.assert_array_equal(image.values, stored)


def test_axes_that_cannot_be_mapped_are_refused(tmp_path):
    path = tmp_path / "xzy.tif"  # 20 pages of 3 rows by 30 columns, labelled X, Z, Y
    tifffile.imwrite(path, RNG.integers(0, 100, (20, 3, 30), dtype=np.uint16),
                     metadata={"axes": "XZY"})
    with tifffile.TiffFile(path) as tif:
        assert (len(tif.pages), tif.pages[0].imagelength, tif.pages[0].imagewidth) == (20, 3, 30)
    for read in (ijb.open_image, check_tiff):
        with pytest.raises(ImageFormatError, match=r"xzy\.tif: its axes 'XZY'"):
            read(path)


def test_axes_agreeing_with_the_pages_are_kept(tmp_path):
    path = tmp_path / "zyx.tif"
    tifffile.imwrite(path, RNG.integers(0, 100, (3, 20, 30), dtype=np.uint16),
                     metadata={"axes": "ZYX"}, photometric="minisblack")
    stored, _page = _stored(path)
    image = ijb.open_image(path)
    assert image.dims == ("pln", "row", "col")
    np.testing.assert_array_equal(image.values, stored)


def _described(tmp_path, description):
    """One 16-bit page of 3 samples (a 3-image stack in ImageJ) with an ImageJ description."""
    path = tmp_path / "described.tif"
    tifffile.imwrite(path, RNG.integers(0, 4000, (3, 20, 30), dtype=np.uint16),
                     photometric="rgb", planarconfig="separate", metadata=None,
                     description=description)
    return path


def test_a_description_sizes_a_pages_samples_as_slices(tmp_path):
    path = _described(tmp_path, "ImageJ=1.54f\nslices=3\nunit=nm\nspacing=0.5\n")
    with tifffile.TiffFile(path) as tif:
        stored = tif.pages[0].asarray()  # the samples, planar: ImageJ's 3 slices
        assert tif.pages[0].samplesperpixel == 3 and len(tif.pages) == 1
    image = ijb.open_image(path)
    assert image.dims == ("pln", "row", "col")
    assert image.attrs["voxel_depth"] == 0.5
    np.testing.assert_array_equal(image.values, stored)


def test_a_description_two_sizes_of_which_divide_the_samples_is_refused(tmp_path):
    path = tmp_path / "four.tif"
    tifffile.imwrite(path, RNG.integers(0, 4000, (4, 20, 30), dtype=np.uint16),
                     photometric="minisblack", planarconfig="separate", metadata=None,
                     extrasamples=[0, 0, 0], description="ImageJ=1.54f\nchannels=2\nslices=2\n")
    with pytest.raises(ImageFormatError, match=r"four\.tif: its ImageJ description sizes"):
        ijb.open_image(path)
