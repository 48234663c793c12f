"""What a TIFF file must pass before its pixels are read: one image chosen, decodable, whole.

Each check reads the header only (tifffile's parsed tags) and raises
:class:`~ij_bgcorr.errors.ImageFormatError` naming the file and the problem.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import tifffile

from ij_bgcorr.errors import ImageFormatError

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


def check_imagej_decodes(path: Path) -> None:
    """Refuse a TIFF that ImageJ's own ``open()`` would decode into wrong pixels.

    For files ImageJ opens itself (``ij-bgcorr macro --input``, a batch macro).
    Codecs ImageJ does not take at all (Zstd, LZMA, ...) are left to its own
    clear "Unsupported" error.

    Parameters
    ----------
    path : pathlib.Path
        A TIFF file.

    Raises
    ------
    ImageFormatError
        Naming the compression or predictor and what to do.
    """
    with tifffile.TiffFile(path) as tif:
        found = [names[int(getattr(page, tag))] for page in tif.pages  # every page: ImageJ
                 for tag, names in _IMAGEJ_MISREADS.items()        # reads each one
                 if int(getattr(page, tag)) in names]
    if found:
        raise ImageFormatError(
            f"{path} is stored with {found[0]}, which ImageJ's own open() reads into wrong "
            f"pixels without an error: save it uncompressed or with LZW/Deflate (no "
            f"floating-point predictor) for ImageJ, or read it with open_image() and pass "
            f"the array as an input.")
