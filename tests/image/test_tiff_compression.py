"""Compressed TIFFs written by other programs (tifffile, Pillow's libtiff) are read.

Lossless codecs: the pixels read equal the array given to the writer. JPEG is
lossy: the pixels read are compared with what Pillow (libtiff with its own
libjpeg, a decoder independent of the imagecodecs one the package uses)
decodes, and with the written array within a stated tolerance.
"""

from __future__ import annotations

import struct
import subprocess
import sys

import numpy as np
import pytest
import tifffile
from PIL import Image

import ij_bgcorr as ijb
from ij_bgcorr.errors import ImageFormatError


def _smooth(shape: tuple[int, int]) -> np.ndarray:
    """A smooth uint8 image (the kind JPEG keeps close), its values spread over 40..220."""
    r, c = np.mgrid[0:shape[0], 0:shape[1]]
    return (120 + 60 * np.sin(r / 9.0) * np.cos(c / 13.0) + 0.3 * c).astype(np.uint8)


RNG = np.random.default_rng(7)
GREY8 = RNG.integers(0, 256, (48, 70), dtype=np.uint8)
STACK16 = RNG.integers(0, 65536, (5, 40, 52), dtype=np.uint16)
FLOAT32 = RNG.normal(100, 30, (37, 45)).astype(np.float32)
RGB8 = np.stack([_smooth((64, 80)), 255 - _smooth((64, 80)), _smooth((64, 80)) // 2 + 60], -1)


@pytest.mark.parametrize("compression, predictor", [
    ("lzw", None), ("lzw", True), ("zlib", None), ("zlib", True), ("adobe_deflate", None),
    ("zstd", None), ("zstd", True), ("lzma", None), ("packbits", None)])
@pytest.mark.parametrize("pixels", [GREY8, STACK16, FLOAT32], ids=["u8", "u16-stack", "f32"])
def test_lossless_tifffile_files_read_as_written(tmp_path, compression, predictor, pixels):
    if compression == "packbits" and pixels.dtype == np.float32:
        pytest.skip("PackBits is for integer data")
    path = tmp_path / f"{compression}.tif"
    tifffile.imwrite(path, pixels, compression=compression, predictor=predictor)
    with tifffile.TiffFile(path) as tif:  # the file holds what the test says
        assert tif.pages[0].compression.name == compression.upper().replace("ZLIB", "ADOBE_DEFLATE")
    written = path.read_bytes()
    image = ijb.open_image(path)
    assert image.dtype == pixels.dtype
    np.testing.assert_array_equal(image.values, pixels)
    assert path.read_bytes() == written


@pytest.mark.parametrize("compression", ["tiff_lzw", "tiff_adobe_deflate", "tiff_deflate",
                                         "packbits"])
@pytest.mark.parametrize("pixels", [GREY8, RGB8, STACK16[0]], ids=["u8", "rgb", "u16"])
def test_lossless_pillow_files_read_as_written(tmp_path, compression, pixels):
    path = tmp_path / f"{compression}.tif"
    Image.fromarray(pixels).save(path, compression=compression)
    image = ijb.open_image(path)
    assert image.attrs["rgb"] == (pixels.ndim == 3)
    assert image.dims == (("row", "col", "ch") if pixels.ndim == 3 else ("row", "col"))
    np.testing.assert_array_equal(image.values, pixels)


@pytest.mark.parametrize("writer", ["pillow tiff_jpeg", "pillow jpeg", "tifffile"])
@pytest.mark.parametrize("pixels", [_smooth((96, 128)), RGB8], ids=["grey", "rgb"])
def test_jpeg_files_read_as_an_independent_decoder_reads_them(tmp_path, writer, pixels):
    """Two JPEG decoders may round the inverse DCT differently: up to 1 grey level apart.

    The written array is lost to JPEG; at quality 90 on these smooth images its
    pixels stay within 12 grey levels, 1.5 on average (measured: at most 9 and
    1.0 with tifffile's chroma-subsampled YCbCr, 2 and 0.4 otherwise). A swapped
    channel, a transposed or wrongly decoded image is tens of levels away.
    """
    path = tmp_path / "jpeg.tif"
    if writer == "tifffile":
        tifffile.imwrite(path, pixels, compression="jpeg", compressionargs={"level": 90},
                         photometric="rgb" if pixels.ndim == 3 else "minisblack")
    else:
        Image.fromarray(pixels).save(path, compression=writer.split()[1], quality=90)
    image = ijb.open_image(path)
    assert image.attrs["rgb"] == (pixels.ndim == 3)
    with Image.open(path) as other:
        independent = np.asarray(other.convert("RGB" if pixels.ndim == 3 else "L"))
    read = image.values.astype(int)
    assert np.abs(read - independent).max() <= 1
    assert np.abs(read - pixels).max() <= 12 and np.abs(read - pixels).mean() <= 1.5


def test_compressed_tiles_read_lazily(tmp_path):
    pixels = RNG.integers(0, 4096, (2, 150, 170), dtype=np.uint16)
    path = tmp_path / "tiled.tif"
    tifffile.imwrite(path, pixels, compression="zstd", tile=(64, 64))
    lazy = ijb.open_image(path, chunks=50)
    assert lazy.chunks is not None
    np.testing.assert_array_equal(lazy.values, pixels)


def _with_compression_code(path, code: int) -> None:
    """Overwrite the Compression tag of the file's first page (a code no decoder handles)."""
    data = bytearray(path.read_bytes())
    with tifffile.TiffFile(path) as tif:
        tag = tif.pages[0].tags["Compression"]
        struct.pack_into("<H", data, tag.valueoffset, code)
    path.write_bytes(data)


def test_a_codec_nobody_decodes_is_named(tmp_path):
    path = tmp_path / "pixarlog.tif"
    tifffile.imwrite(path, GREY8)
    _with_compression_code(path, 32909)  # PixarLog: neither tifffile nor imagecodecs has it
    for chunks in (None, 16):
        with pytest.raises(ImageFormatError, match=r"pixarlog.tif is compressed with PIXARLOG "
                                                   r"\(TIFF code 32909\).*imagecodecs"):
            ijb.open_image(path, chunks=chunks)


def test_without_imagecodecs_the_error_says_what_to_install(tmp_path):
    """In a Python where imagecodecs cannot be imported (tifffile then decodes only zlib)."""
    path = tmp_path / "lzw.tif"
    Image.fromarray(GREY8).save(path, compression="tiff_lzw")
    code = ("import sys; sys.modules['imagecodecs'] = None\n"
            "import ij_bgcorr as ijb\n"
            f"ijb.open_image({str(path)!r})\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode != 0
    assert (f"ImageFormatError: {path} is compressed with LZW (TIFF code 5), which cannot be "
            "decoded: install the 'imagecodecs' package (pip install imagecodecs).") in run.stderr


@pytest.mark.parametrize(("options", "named"), [
    ({"compression": "zlib", "predictor": 3}, "floating-point predictor"),
    ({"compression": "lzw", "predictor": 3}, "floating-point predictor"),
    ({"compression": "jpeg"}, "JPEG"),
])
def test_files_imagej_would_misread_are_refused_before_it_opens_them(tmp_path, options, named):
    from ij_bgcorr.image.tiff import check_tiff

    pixels = np.linspace(0, 1, 64 * 48, dtype=np.float32).reshape(48, 64)
    if options.get("compression") == "jpeg":
        pixels = (pixels * 255).astype(np.uint8)
    path = tmp_path / "x.tif"
    tifffile.imwrite(path, pixels, **options)
    with pytest.raises(ImageFormatError, match=named):
        check_tiff(path)
    ok = tmp_path / "ok.tif"
    tifffile.imwrite(ok, pixels, compression="zlib")  # ImageJ decodes Deflate itself
    check_tiff(ok)
    later = tmp_path / "later.tif"  # a stack whose second page only is stored so
    with tifffile.TiffWriter(later) as writer:
        writer.write(pixels)
        writer.write(pixels, **options)
    with pytest.raises(ImageFormatError, match=named):
        check_tiff(later)
