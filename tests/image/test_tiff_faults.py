"""Damaged, truncated and absurd TIFF files are refused with ImageFormatError, at once."""

from __future__ import annotations

import struct

import numpy as np
import pytest
import tifffile

import ij_bgcorr as ijb
from ij_bgcorr.errors import ImageFormatError
from ij_bgcorr.image import memory


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.tif"
    tifffile.imwrite(path, np.arange(256 * 256, dtype=np.uint16).reshape(256, 256))
    return path


def test_a_truncated_file(good, tmp_path, capfd):
    data = good.read_bytes()
    cut = tmp_path / "cut.tif"
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(ImageFormatError, match="cut.tif is not a readable TIFF file"):
        ijb.open_image(cut)
    assert good.read_bytes() == data


@pytest.mark.parametrize("imagej", [True, False])
def test_a_stack_cut_after_its_first_plane_is_not_read_as_one_plane(tmp_path, imagej):
    """tifffile reads what is left of a cut stack (one plane of 30); ImageJ would read 10."""
    pixels = np.random.default_rng(2).integers(0, 4096, (3, 5, 2, 40, 50), dtype=np.uint16)
    whole = tmp_path / "whole.tif"
    if imagej:
        tifffile.imwrite(whole, pixels, imagej=True, metadata={"axes": "TZCYX"})
    else:
        tifffile.imwrite(whole, pixels.reshape(30, 40, 50), metadata=None)
    data = whole.read_bytes()
    cut = tmp_path / "cut.tif"
    cut.write_bytes(data[:len(data) // 3])
    with pytest.raises(ImageFormatError, match="cut.tif is not a readable TIFF file: it is "
                                               "truncated or damaged"):
        ijb.open_image(cut)
    with pytest.raises(ImageFormatError, match="truncated or damaged"):
        ijb.open_image(cut, chunks=16)
    assert ijb.open_image(whole).size == pixels.size


def test_a_file_that_is_no_tiff_and_tifffile_says_nothing_itself(tmp_path, capfd):
    junk = tmp_path / "junk.tif"
    junk.write_bytes(b"II*\x00" + bytes(10))
    with pytest.raises(ImageFormatError, match="contains no pages"):
        ijb.open_image(junk)
    captured = capfd.readouterr()
    assert "tifffile" not in captured.err + captured.out  # in the error, not printed


def test_an_absurd_header_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: 8 * 2**30)  # any machine's
    path = tmp_path / "absurd.tif"
    tifffile.imwrite(path, np.zeros((2, 2), np.uint16))
    data = bytearray(path.read_bytes())
    with tifffile.TiffFile(path) as tif:
        for tag in tif.pages[0].tags.values():
            if tag.name in ("ImageWidth", "ImageLength"):
                fmt = "<I" if tag.dtype == 4 else "<H"
                struct.pack_into(fmt, data, tag.valueoffset, 200000 if fmt == "<I" else 60000)
    path.write_bytes(data)
    with pytest.raises(ImageFormatError, match=r"absurd.tif declares 200000 x 200000 pixels "
                                               r"\(74.5 GiB with their coordinates\), more "
                                               r"than the 8.0 GiB"):
        ijb.open_image(path)


def test_an_image_larger_than_the_free_memory(good, monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: 100_000)  # 256*256*2 bytes needed
    with pytest.raises(ImageFormatError, match=r"declares 256 x 256 pixels \(0.0 GiB with "
                                               r"their coordinates\), more than the 0.0 GiB "
                                               r"of memory available"):
        ijb.open_image(good)
    monkeypatch.setattr(memory, "available_bytes", lambda: 10**9)
    assert ijb.open_image(good).shape == (256, 256)

