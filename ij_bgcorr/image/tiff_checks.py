"""What a TIFF file must pass before its pixels are read: one image chosen, decodable, whole.

Each check reads the header only (tifffile's parsed tags) and raises
:class:`~ij_bgcorr.errors.ImageFormatError` naming the file and the problem.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import tifffile

from ij_bgcorr.errors import ImageConversionWarning, ImageFormatError

# JPEG compressions (old-style, new-style, two vendors'): their decoder gives YCbCr as RGB
_JPEG_COMPRESSIONS = {6, 7, 33007, 34892}
# the series listed in full in an error; more are counted
_LISTED = 12


@contextmanager
def tifffile_messages() -> Iterator[list[str]]:
    """Collect what tifffile logs while a file is read, instead of printing it.

    Its warnings about a damaged file become part of the error when the file cannot
    be read; when tifffile recovers they are dropped.

    Yields
    ------
    list of str
        The messages logged so far.
    """
    messages: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger("tifffile")
    handler, propagate = _Collect(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def pick_series(path: Path, tif: tifffile.TiffFile, series: int | None,
                imagej_stack: bool = False) -> tuple[int, Any]:
    """Return the image (tifffile's series) asked for; never guess between several.

    A file can hold several images of different shapes (a Pillow multi-page
    save, a tifffile file written in several calls, a slide scan's label and
    thumbnail): tifffile calls each a series.

    Parameters
    ----------
    path : pathlib.Path
        The file, for the message.
    tif : tifffile.TiffFile
        The file, open.
    series : int or None
        The series' index (0 is the first), or None: the file must hold one.
    imagej_stack : bool
        Let ``None`` pass a file whose pages all have one shape and pixel type,
        as its first series: ImageJ's own ``open()`` reads all its pages as one stack.

    Returns
    -------
    index : int
        The series' index.
    series : tifffile.TiffPageSeries
        The series.

    Raises
    ------
    ImageFormatError
        When ``series`` is None and the file holds several, or ``series`` is not
        one of them; the message lists each series' shape.
    ValueError
        When the file holds no image (a damaged file: the caller says so).
    """
    found = tif.series
    if not found:
        raise ValueError("it holds no image")
    if series is None:
        alike = len({(s.keyframe.shape, s.dtype.str) for s in found}) == 1
        if len(found) == 1 or (imagej_stack and alike):
            return 0, found[0]
        problem = (f"{path} holds {len(found)} images (TIFF series) and which one to read "
                   f"was not said")
    elif isinstance(series, int | np.integer) and not isinstance(series, bool) \
            and 0 <= series < len(found):
        return int(series), found[series]
    else:
        problem = f"series={series!r} is not one of the {len(found)} images of {path}"
    listed = "; ".join(f"series {i}: shape {tuple(s.shape)} (axes {s.axes}) {s.dtype}"
                       for i, s in enumerate(found[:_LISTED]))
    more = f"; and {len(found) - _LISTED} more" if len(found) > _LISTED else ""
    raise ImageFormatError(
        f"{problem}: {listed}{more}. Choose one with open_image(path, series=N); where "
        f"ImageJ opens the file itself (ij-bgcorr macro --input, a batch), save the image "
        f"you need as a TIFF of its own first.")


#: Image codecs (JPEG, PNG, WebP, LERC, ...): with the floating-point predictor, tifffile
#: decodes them into wrong pixels (measured: LERC off by up to 310 in values near 100)
_IMAGE_CODECS = {int(code) for code in tifffile.TIFF.IMAGE_COMPRESSIONS} | {34887}


def check_decodable(path: Path, page: Any) -> None:
    """Refuse pixels compressed with a codec (or predictor) that no installed package decodes.

    Parameters
    ----------
    path : pathlib.Path
        The file, for the message.
    page : tifffile.TiffPage
        The first page of the series to read.

    Raises
    ------
    ImageFormatError
        Naming the codec and what to install.
    """
    checks = [("compressed with", tifffile.TIFF.DECOMPRESSORS, page.compression)]
    if page.compression not in tifffile.TIFF.IMAGE_COMPRESSIONS:  # else tifffile ignores it
        checks.append(("stored with the predictor", tifffile.TIFF.UNPREDICTORS, page.predictor))
    if int(page.predictor) == 3 and int(page.compression) in _IMAGE_CODECS:
        raise ImageFormatError(
            f"{path} is compressed with {page.compression.name} and the floating-point "
            f"predictor, which tifffile decodes into wrong pixels without an error: save it "
            f"without the predictor, or with Deflate, LZW or Zstd.")
    for kind, codecs, code in checks:
        if int(code) == 1 or code in codecs:
            continue
        try:
            import imagecodecs
        except ImportError:
            advice = "install the 'imagecodecs' package (pip install imagecodecs)"
        else:
            advice = (f"neither tifffile {tifffile.__version__} nor imagecodecs "
                      f"{imagecodecs.__version__} decodes it; save the image with another "
                      f"compression (none, LZW, Deflate, Zstd)")
        name = getattr(code, "name", None) or "an unknown scheme"
        raise ImageFormatError(f"{path} is {kind} {name} (TIFF code {int(code)}), which "
                               f"cannot be decoded: {advice}.")


#: Colour models ImageJ's ``open()`` converts to RGB colour, where tifffile gives raw samples
_CONVERTED = {5: ("CMYK (photometric interpretation 'separated')", "4 ink channels"),
              6: ("YCbCr, not JPEG-compressed", "luma and chroma channels")}


def check_colour_model(path: Path, page: Any) -> None:
    """Refuse colours ImageJ converts to RGB on opening: CMYK, uncompressed YCbCr.

    ImageJ would process the converted RGB colours; read here, the raw channels would
    be processed instead, and neither engine's result would match the other's.

    Parameters
    ----------
    path : pathlib.Path
        The file, for the message.
    page : tifffile.TiffPage
        The first page of the series to read.

    Raises
    ------
    ImageFormatError
        Saying what ImageJ does with it and how to convert it.
    """
    photometric = int(page.photometric)
    if photometric not in _CONVERTED or (photometric == 6 and int(page.compression) in (6, 7)):
        return
    what, raw = _CONVERTED[photometric]
    raise ImageFormatError(
        f"{path} is {what}: ImageJ converts it to RGB colour when it opens it, while read "
        f"here it would give its {raw}. Convert it to RGB first (in ImageJ: open it and save "
        f"it with File > Save As > Tiff; or Pillow: Image.open(path).convert('RGB').save(...)).")


def opens_as_rgb(page: Any, axes: str, dtype: np.dtype) -> bool:
    """Tell whether ImageJ opens the page as RGB colour: 8-bit RGB, JPEG's YCbCr, 3 samples.

    ``page`` is the series' first page, ``axes`` its axes (tifffile's), ``dtype`` its pixels'.
    """
    photometric = int(page.photometric)
    return bool("S" in axes and dtype == np.uint8 and (
        photometric == tifffile.PHOTOMETRIC.RGB
        or (photometric == tifffile.PHOTOMETRIC.YCBCR
            and int(page.compression) in _JPEG_COMPRESSIONS)
        or (photometric == tifffile.PHOTOMETRIC.MINISBLACK and page.samplesperpixel == 3)))


def storage_axes(path: Path, series: Any) -> str:
    """Return the series' axes with rows and columns where its pages store them (as ImageJ).

    ImageJ takes rows and columns from each page's ImageLength and ImageWidth, not from a
    writer's axis letters (tifffile's "shaped" metadata may say ``"XY"``); the other axes
    keep their letters, or the file (``path``) is refused when they cannot.
    """
    axes, shape, page = series.axes, tuple(series.shape), series.keyframe
    stored, n = tuple(page.shape), len(page.shape)
    if not {"Y", "X"} <= set(page.axes) or shape[len(shape) - n:] != stored:
        return axes
    y, x = (len(shape) - n + page.axes.index(a) for a in "YX")
    others = [a for i, a in enumerate(axes) if i not in (y, x)]
    if "Y" in others or "X" in others:
        raise ImageFormatError(
            f"{path}: its axes {axes!r} (shape {shape}) contradict its pages' {page.imagelength} "
            f"rows of {page.imagewidth} pixels (ImageJ reads the pages in stored order), and its "
            f"other axes cannot be mapped to t, pln, ch unambiguously.")
    return "".join("Y" if i == y else "X" if i == x else a for i, a in enumerate(axes))


def without_alpha(path: Path, values: Any, axes: str, rgb: bool) -> Any:
    """Drop an RGB image's fourth (alpha) sample, as ImageJ's ``open()`` does; warn.

    ``values`` (numpy or Dask) are in the order of tifffile's ``axes``; ``path`` is for
    the :class:`~ij_bgcorr.errors.ImageConversionWarning`.
    """
    if not rgb or values.shape[axes.index("S")] != 4:
        return values
    warnings.warn(f"{path} is RGBA: its alpha channel is dropped (ImageJ opens it as RGB)",
                  ImageConversionWarning, stacklevel=4)
    return values[tuple(slice(0, 3) if a == "S" else slice(None) for a in axes)]


def check_complete(path: Path, meta: dict[str, Any], series: Any, messages: list[str]) -> None:
    """Refuse a file cut short: tifffile would read what is left, e.g. one plane of many.

    Parameters
    ----------
    path : pathlib.Path
        The file, for the message.
    meta : dict
        ImageJ's metadata of the series (empty for other files).
    series : tifffile.TiffPageSeries
        The series to read.
    messages : list of str
        What tifffile logged while opening the file.

    Raises
    ------
    ImageFormatError
        When the series holds fewer planes than declared, or a page offset is invalid.
    """
    declared = int(meta.get("images", 0))
    held = int(np.prod([n for a, n in zip(series.axes, series.shape, strict=True)
                        if a not in "YXS"]))
    if declared > held or any("invalid page offset" in m for m in messages):
        said = "".join(f"; {m}" for m in messages)
        raise ImageFormatError(
            f"{path} is not a readable TIFF file: it is truncated or damaged (it holds {held} "
            f"of the {declared or 'more'} planes it declares){said}")


def check_data_in_file(path: Path, tif: tifffile.TiffFile, series: Any) -> None:
    """Refuse a file whose pixel data, as its header places it, ends after the file does.

    Parameters
    ----------
    path : pathlib.Path
        The file, for the message.
    tif : tifffile.TiffFile
        The file, open.
    series : tifffile.TiffPageSeries
        The series to read.

    Raises
    ------
    ImageFormatError
        When the pixel data would end after the file's last byte.
    """
    if series.dataoffset is not None:  # one contiguous block
        end = series.dataoffset + series.nbytes
    else:
        end = max((offset + count for page in series.pages if page is not None
                   for offset, count in zip(page.dataoffsets, page.databytecounts,
                                            strict=True)), default=0)
    size = tif.filehandle.size
    if end > size:
        raise ImageFormatError(f"{path} is not a readable TIFF file: it is truncated or damaged "
                               f"(its pixel data ends at byte {end}, the file at byte {size})")


#: TIFF codes ImageJ 1.x's own reader takes but decodes wrongly, without an error: JPEG
#: (old and new style: measured, a mean of 137.1 or 75.4 where the image's is 127.7) and the
#: floating-point predictor (it warns "unsupported predictor value of 3" and reads garbage).
_IMAGEJ_MISREADS = {"compression": {6: "JPEG (old style)", 7: "JPEG"},
                    "predictor": {3: "the floating-point predictor"}}
#: Deflate's two TIFF codes
_DEFLATE = {8, 32946}
#: What ImageJ 1.x's reader takes from the first page only and applies to every page
_SETTINGS = {"compression": "compression", "predictor": "predictor",
             "photometric": "photometric interpretation", "bitspersample": "bits per sample",
             "samplesperpixel": "samples per pixel", "planarconfig": "planar configuration"}


def _named(value: Any) -> str:
    """Name a tag value (``LZW``), or give its number when it has no name."""
    name = getattr(value, "name", None)
    return str(name) if name else str(value)


def _stored_as(page: Any) -> dict[str, str]:
    """How a page's pixels are stored, setting by setting, as ImageJ's reader takes them."""
    found = {label: _named(getattr(page, attr)) for attr, label in _SETTINGS.items()}
    found["layout"] = f"tiles of {page.tilelength} x {page.tilewidth}" if page.is_tiled \
        else "strips"
    return found


def _before_1_54(imagej_version: str | None) -> bool:
    """Tell whether ImageJ ``imagej_version`` ("1.53t") is older than 1.54; True if unknown."""
    match = re.match(r"\s*(\d+)\.(\d+)", imagej_version or "")
    return match is None or (int(match[1]), int(match[2])) < (1, 54)


def _imagej_misread(page: Any, imagej_version: str | None) -> str | None:
    """Say what of a page ImageJ's own reader decodes into wrong pixels (None: nothing)."""
    for tag, names in _IMAGEJ_MISREADS.items():
        if int(getattr(page, tag)) in names:
            return names[int(getattr(page, tag))]
    compression, predictor = int(page.compression), int(page.predictor)
    if page.bitspersample == 1 and compression != 1:
        return (f"1-bit (bilevel) pixels compressed with {_named(page.compression)} (ImageJ "
                f"reads such pixels uncompressed only)")
    if predictor == 2 and int(page.planarconfig) == 2 and page.samplesperpixel > 1:
        return "the horizontal predictor on separate sample planes (planar configuration 2)"
    if (predictor == 2 and compression in _DEFLATE and page.bitspersample in (8, 16)
            and _before_1_54(imagej_version)):
        return ("Deflate with the horizontal predictor (ImageJ before 1.54 decodes it "
                "wrongly" + ("" if imagej_version else "; the version that opens it is not "
                             "known here") + ")")
    return None


def _imagej_problem(tif: tifffile.TiffFile, imagej_version: str | None) -> str | None:
    """Say what of a file ImageJ's ``open()`` decodes into wrong pixels (None: nothing)."""
    first = tif.pages.first
    settings = _stored_as(first)
    for number, page in enumerate(tif.pages, 1):  # every page: ImageJ reads each one
        found = _imagej_misread(page, imagej_version)
        if found:
            return f"is stored with {found}" + (f" (page {number})" if number > 1 else "")
        differ = [f"{label} {value} (page 1: {settings[label]})"
                  for label, value in _stored_as(page).items() if settings[label] != value]
        if differ:
            return (f"holds pages stored differently, which ImageJ reads all with the first "
                    f"page's settings: page {number} has " + ", ".join(differ))
    if (int(first.photometric) == 2 and int(first.planarconfig) == 2
            and len(tif.pages) > 1):
        return ("holds RGB planes stored as separate colour planes on several pages (a "
                "volume), which ImageJ opens as a stack of single colour planes")
    return None


def check_imagej_decodes(path: Path, imagej_version: str | None = None) -> None:
    """Refuse a TIFF that ImageJ's own ``open()`` would decode into wrong pixels.

    For files ImageJ opens itself (``ij-bgcorr macro --input``, a batch macro).
    Codecs ImageJ does not take at all (Zstd, LZMA, ...) are left to its own
    clear "Unsupported" error.

    Parameters
    ----------
    path : pathlib.Path
        A TIFF file.
    imagej_version : str, optional
        The ImageJ 1.x version that opens it (``"1.54m"``); unknown (None), a file
        that only ImageJ before 1.54 misreads is refused too.

    Raises
    ------
    ImageFormatError
        Naming the compression, predictor or setting and what to do; or, when the
        file is not a readable TIFF, what tifffile found.
    """
    try:
        with tifffile.TiffFile(path) as tif:
            problem = _imagej_problem(tif, imagej_version)
    except Exception as exc:  # tifffile raises many kinds on a corrupt or truncated file
        raise ImageFormatError(f"{path} is not a readable TIFF file: "
                               f"{type(exc).__name__}: {exc}") from exc
    if problem:
        raise ImageFormatError(
            f"{path} {problem}; ImageJ's own open() reads it into wrong pixels without an "
            f"error: save it as one image, uncompressed or with LZW (no predictor) for "
            f"ImageJ, or read it with open_image() and pass the array as an input.")
