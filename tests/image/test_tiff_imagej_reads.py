"""TIFFs that ImageJ's own open() (or tifffile) would decode into wrong pixels are refused.

Every file is written here by tifffile or Pillow; the values expected are the arrays
given to the writer, or what ImageJ itself reads (tests marked jvm).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import tifffile
from PIL import Image

import ij_bgcorr as ijb
from ij_bgcorr.errors import ImageConversionWarning, ImageFormatError, ParameterError
from ij_bgcorr.image import memory
from ij_bgcorr.image.tiff import check_tiff

RNG = np.random.default_rng(11)
STACK16 = RNG.integers(0, 4000, (3, 40, 52), dtype=np.uint16)
RGB8 = RNG.integers(0, 256, (3, 40, 52), dtype=np.uint8)


def _pages(path, first: dict, later: dict) -> None:
    """Write STACK16's planes, the first with ``first``'s options, the others with ``later``'s."""
    with tifffile.TiffWriter(path) as writer:
        for i, plane in enumerate(STACK16):
            writer.write(plane, metadata=None, **(first if i == 0 else later))


@pytest.mark.parametrize(("first", "later", "named"), [
    ({}, {"compression": "zlib"}, "compression ADOBE_DEFLATE"),
    ({"compression": "lzw"}, {}, "compression NONE"),
    ({}, {"compression": "lzw"}, "compression LZW"),
    ({"compression": "lzw"}, {"compression": "lzw", "predictor": 2}, "predictor HORIZONTAL"),
    ({}, {"tile": (16, 16)}, "layout tiles of 16 x 16"),
])
def test_pages_stored_differently_are_refused_for_imagej_and_open_image(tmp_path, first, later,
                                                                        named):
    path = tmp_path / "mixed.tif"
    _pages(path, first, later)
    with pytest.raises(ImageFormatError, match=rf"mixed.tif holds pages stored differently.*"
                                               rf"page 2 has {named}"):
        check_tiff(path)
    with pytest.raises(ImageFormatError, match=r"mixed.tif holds 2 images"):
        ijb.open_image(path)
    alike = tmp_path / "alike.tif"
    _pages(alike, first, first)  # one setting for all: ImageJ reads them all right
    check_tiff(alike)


@pytest.mark.parametrize("compression", ["packbits", "tiff_deflate", "tiff_lzw"])
def test_compressed_bilevel_images_are_refused_for_imagej(tmp_path, compression):
    bits = Image.fromarray(RGB8[0] > 128).convert("1")
    path = tmp_path / "bits.tif"
    bits.save(path, compression=compression)
    with pytest.raises(ImageFormatError, match=r"bits.tif is stored with 1-bit"):
        check_tiff(path)
    plain = tmp_path / "plain.tif"
    bits.save(plain)
    check_tiff(plain)


def test_the_horizontal_predictor_on_separate_planes_is_refused(tmp_path):
    path = tmp_path / "sep.tif"
    tifffile.imwrite(path, STACK16, compression="lzw", predictor=2, photometric="minisblack",
                     planarconfig="separate")
    with pytest.raises(ImageFormatError, match="sep.tif is stored with the horizontal "
                                               "predictor on separate sample planes"):
        check_tiff(path)


def test_an_rgb_volume_of_separate_colour_planes_is_refused(tmp_path):
    path = tmp_path / "vol.tif"
    tifffile.imwrite(path, RNG.integers(0, 256, (4, 3, 32, 40), dtype=np.uint8),
                     photometric="rgb", planarconfig="separate", metadata={"axes": "ZSYX"})
    with pytest.raises(ImageFormatError, match="vol.tif holds RGB planes stored as separate"):
        check_tiff(path)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_deflate_with_the_predictor_is_refused_before_imagej_1_54(tmp_path, dtype):
    path = tmp_path / "pred.tif"
    tifffile.imwrite(path, STACK16[0].astype(dtype), compression="zlib", predictor=2)
    for version in (None, "1.53t", "1.53t99"):
        with pytest.raises(ImageFormatError, match=r"pred.tif is stored with Deflate with the "
                                                   r"horizontal predictor \(ImageJ before 1.54"):
            check_tiff(path, imagej_version=version)
    check_tiff(path, imagej_version="1.54m")
    lzw = tmp_path / "lzw.tif"
    tifffile.imwrite(lzw, STACK16[0].astype(dtype), compression="lzw", predictor=2)
    check_tiff(lzw)


@pytest.mark.parametrize("tile", [None, (16, 16)])
def test_an_image_codec_with_the_floating_point_predictor_is_refused(tmp_path, tile):
    path = tmp_path / "lerc.tif"
    pixels = RNG.normal(100, 20, (40, 48)).astype(np.float32)
    tifffile.imwrite(path, pixels, compression="lerc", predictor=3, tile=tile)
    with pytest.raises(ImageFormatError, match="lerc.tif is compressed with LERC and the "
                                               "floating-point predictor"):
        ijb.open_image(path)
    plain = tmp_path / "plain.tif"
    tifffile.imwrite(plain, pixels, compression="lerc", tile=tile)
    np.testing.assert_array_equal(ijb.open_image(plain).values, pixels)


def test_a_file_whose_last_pages_are_cut_off_is_refused_by_name(tmp_path):
    """The pixels come first, whole; the cut falls in the last pages' headers (IFDs)."""
    whole = tmp_path / "whole.tif"
    tifffile.imwrite(whole, RNG.integers(1, 4000, (5, 40, 50), dtype=np.uint16), imagej=True,
                     metadata={"axes": "ZYX", "spacing": 2.0})
    cut = tmp_path / "cut.tif"
    cut.write_bytes(whole.read_bytes()[:-200])
    with pytest.raises(ImageFormatError, match="cut.tif is not a readable TIFF file: "
                                               "TiffFileError: corrupted IFD structure"):
        check_tiff(cut)


@pytest.mark.parametrize("mode", ["CMYK", "YCbCr"])
def test_colours_imagej_converts_to_rgb_are_refused_by_name(tmp_path, mode):
    path = tmp_path / "colour.tif"
    Image.fromarray(np.moveaxis(RGB8, 0, -1)).convert(mode).save(path)
    for read in (ijb.open_image, check_tiff):
        with pytest.raises(ImageFormatError, match=r"colour.tif is (CMYK|YCbCr).*ImageJ "
                                                   r"converts it to RGB colour"):
            read(path)


@pytest.mark.parametrize("planarconfig", ["separate", "contig"])
def test_three_grey_8_bit_samples_read_as_rgb_as_imagej_opens_them(tmp_path, planarconfig):
    path = tmp_path / "three.tif"
    pixels = RGB8 if planarconfig == "separate" else np.moveaxis(RGB8, 0, -1)
    tifffile.imwrite(path, pixels, photometric="minisblack", planarconfig=planarconfig)
    image = ijb.open_image(path)
    assert image.attrs["rgb"] is True and image.dims == ("row", "col", "ch")
    np.testing.assert_array_equal(image.values, np.moveaxis(RGB8, 0, -1))


@pytest.mark.parametrize("chunks", [None, 16])
def test_rgba_reads_as_rgb_without_alpha_with_a_warning(tmp_path, chunks):
    path = tmp_path / "rgba.tif"
    rgba = np.dstack([np.moveaxis(RGB8, 0, -1), RGB8[0] // 2])
    Image.fromarray(rgba, mode="RGBA").save(path, compression="tiff_lzw")
    with pytest.warns(ImageConversionWarning, match="rgba.tif is RGBA: its alpha channel is "
                                                    "dropped"):
        image = ijb.open_image(path, chunks=chunks)
    assert image.attrs["rgb"] is True
    np.testing.assert_array_equal(image.values, rgba[..., :3])


def test_y_and_z_units_of_their_own_are_converted_to_the_x_unit(tmp_path):
    path = tmp_path / "zunit.tif"
    tifffile.imwrite(path, STACK16, imagej=True, resolution=(2, 0.5),
                     metadata={"axes": "ZYX", "unit": "micron", "spacing": 0.002,
                               "zunit": "mm", "yunit": "nm"})
    image = ijb.open_image(path)
    assert image.attrs["unit"] == "micron"
    assert image.attrs["pixel_width"] == pytest.approx(0.5)
    assert image.attrs["voxel_depth"] == pytest.approx(2.0)  # 0.002 mm
    assert image.attrs["pixel_height"] == pytest.approx(0.002)  # 2 nm
    odd = tmp_path / "odd.tif"
    tifffile.imwrite(odd, STACK16, imagej=True, resolution=(2, 2),
                     metadata={"axes": "ZYX", "unit": "micron", "zunit": "sec"})
    with pytest.raises(ImageFormatError, match=r"odd.tif: its voxel depth is in 'sec'"):
        ijb.open_image(odd)


def test_an_elongated_image_counts_its_coordinates(tmp_path, monkeypatch):
    """One row of 2**24 columns: 16 MiB of pixels, 128 MiB per copy of its coordinates."""
    path = tmp_path / "row.tif"
    tifffile.imwrite(path, np.zeros((1, 2**24), np.uint8))
    monkeypatch.setattr(memory, "available_bytes", lambda: 200 * 2**20)
    for read in (ijb.open_image, check_tiff):
        with pytest.raises(ImageFormatError, match="row.tif declares 1 x 16777216 pixels"):
            read(path)


@pytest.mark.parametrize("field", ["unit", "time_unit"])
@pytest.mark.parametrize("text", ["ms\nfinterval=7", "a\tb", "x\x00", "u\rspacing=3"])
def test_units_with_control_characters_are_not_written(tmp_path, field, text):
    image = ijb.as_image(np.zeros((2, 3, 4), np.uint8), dims=["t", "row", "col"],
                         calibration=ijb.Calibration(frame_interval=2.0, **{field: text}))
    with pytest.raises(ParameterError, match="control character"):
        ijb.save_image(image, tmp_path / "x.tif")
    assert not (tmp_path / "x.tif").exists()


@pytest.mark.parametrize("unit", ["\U0001F52C", "\u00c5\U00010400", "\u03bcm2"])
def test_units_of_any_character_read_back_equal(tmp_path, unit):
    cal = ijb.Calibration(pixel_width=0.5, pixel_height=0.5, unit=unit, frame_interval=2.0,
                          time_unit=unit)
    image = ijb.as_image(np.zeros((2, 3, 4), np.uint8), dims=["t", "row", "col"],
                         calibration=cal)
    path = ijb.save_image(image, tmp_path / "u.tif")
    with tifffile.TiffFile(path) as tif:
        assert tif.pages[0].description.isascii()  # ImageJ's description is ASCII
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = ijb.open_image(path)
    assert back.attrs["unit"] == unit and back.attrs["time_unit"] == unit
