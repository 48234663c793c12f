"""Reading and writing images as ImageJ hyperstack TIFF files (through tifffile).

Files written here open in Fiji as hyperstacks with their calibration
(pixel size and unit, z step, frame interval), and read back here with the
same values, dimension names and calibration.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import tifffile
import xarray as xr

from ij_bgcorr.errors import ImageFormatError, ParameterError
from ij_bgcorr.image.arrays import (
    DIM_ORDER,
    NATIVE_DTYPES,
    as_image,
    calibration_of,
    labelled,
    plane_chunks,
)
from ij_bgcorr.image.calibration import (
    RESOLUTION_UNITS,
    Calibration,
    described_samples,
    escaped,
    tiff_calibration,
)
from ij_bgcorr.image.fetch import fetch, is_url
from ij_bgcorr.image.fingerprint import fingerprint
from ij_bgcorr.image.memory import check_fits
from ij_bgcorr.image.ome_zarr import open_ome_zarr
from ij_bgcorr.image.tiff_checks import (
    check_colour_model,
    check_complete,
    check_data_in_file,
    check_decodable,
    check_imagej_decodes,
    opens_as_rgb,
    pick_series,
    storage_axes,
    tifffile_messages,
    without_alpha,
)

# tifffile's ImageJ axis letters → ij-bgcorr dimension names
# (I and Q: the pages of a plain multi-page TIFF, which ImageJ opens as a stack)
_AXES = {"T": "t", "Z": "pln", "C": "ch", "Y": "row", "X": "col", "S": "ch", "I": "pln",
         "Q": "pln"}
# TIFF compressions ImageJ 1.x decodes: none, LZW, deflate (two codes), PackBits
_IMAGEJ_COMPRESSIONS = {1, 5, 8, 32946, 32773}


def open_image(path: str | os.PathLike[str], chunks: Any = None, *,
               series: int | None = None) -> xr.DataArray:
    """Read a TIFF file (or an http(s) URL, fetched once) or an OME-Zarr image.

    ImageJ metadata (hyperstack axes, unit, z spacing, frame interval) and the
    TIFF resolution tags become calibration attrs and coordinates. With
    ``chunks``, nothing is read yet: the result is Dask-backed, and each chunk is
    read when it is computed (a BigTIFF larger than memory is read tile by tile).
    Compressed TIFFs (LZW, Deflate, PackBits, JPEG, Zstd, LZMA, ...) are decoded
    by tifffile with the imagecodecs package.

    Parameters
    ----------
    path : str or os.PathLike
        A TIFF file (only read), an http(s) URL, or a ``.zarr`` folder holding an
        OME-Zarr image (always read lazily, see
        :func:`~ij_bgcorr.image.ome_zarr.open_ome_zarr`).
    chunks : int, tuple or dict, optional
        Read lazily in Dask chunks: an int (or a (row, col) pair) of pixels along
        rows and columns, one plane along the other dims; a dict by dim name
        (``{"row": 512, "col": 512}``, others one plane); or any chunks
        ``dask.array.from_array`` takes, in the file's own axis order.
    series : int, optional
        Which image to read (0 is the first) of a TIFF that holds several, e.g.
        pages of different sizes (tifffile's series; the error for such a file
        without ``series`` lists them with their shapes). Its own resolution tags
        give its pixel size. Not for an OME-Zarr image.

    Returns
    -------
    xarray.DataArray
        Dims ``(t, pln, row, col, ch)`` (those present); uint8, uint16 or
        float32 (a lazily read file must hold one of them). ``attrs["title"]`` is
        the file name, ``attrs["source"]`` its path and
        ``attrs["source_fingerprint"]`` a digest of the pixels read (an engine
        session records ``open(path)`` for an input whose pixels still match),
        unless they had to be converted to a type ImageJ holds (ImageJ's own
        ``open`` would read other values).

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ImageFormatError
        When the file is not a readable TIFF (corrupt or truncated), holds several
        images and ``series`` does not name one of them, is compressed with a codec no
        installed package decodes (the message names it), its pixels need more
        memory than is available (checked before reading them), its dimensions cannot
        be mapped to t, pln, row, col, ch, or its pixel type cannot be held.
    OSError
        When a URL cannot be downloaded.

    Warns
    -----
    ImageConversionWarning
        When the pixel type is converted to one ImageJ holds.
    """
    path = fetch(str(path)) if is_url(path) else Path(path)
    if path.is_dir() and path.suffix.lower() == ".zarr":
        if series is not None:
            raise ImageFormatError(f"series= picks an image of a TIFF file; {path} is OME-Zarr.")
        return open_ome_zarr(path, chunks)
    if not path.is_file():
        raise FileNotFoundError(f"No such image file: {path}")
    values, axes, meta, x_res, y_res, rgb, tiff_unit, reopens = _read(path, chunks,
                                                                      series=series)
    image = _image_of(path, values, axes, rgb, (meta, x_res, y_res, tiff_unit), chunks is not None)
    if reopens and values.dtype == image.dtype:  # ImageJ's open() gives the same image
        image.attrs["source_fingerprint"] = fingerprint(image)
    return image


def check_tiff(path: str | os.PathLike[str], imagej_version: str | None = None) -> None:
    """Refuse a TIFF that :func:`open_image` would refuse, reading its header but no pixels.

    For a file that ImageJ's own ``open`` reads afterwards: the same errors as
    :func:`open_image`, and a file cut short of the pixel data its header
    describes is refused too (the pixels are not read to find out). A file of
    several images is refused unless its pages all have one size and pixel type
    (ImageJ reads those as one stack; of pages that differ it would read only the
    first). A compression ImageJ decodes into wrong pixels (JPEG, the floating-point
    predictor) is refused; others are left to ImageJ, which decodes the pixels.

    Parameters
    ----------
    path : str or os.PathLike
        A TIFF file.
    imagej_version : str, optional
        The ImageJ 1.x version that opens it (an engine's ``version``); unknown
        (None), a file that only ImageJ before 1.54 misreads is refused too.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ImageFormatError
        When the file is not a readable TIFF (corrupt or truncated), holds images of
        different sizes or pages stored differently, its pixels need more memory than
        is available, its dimensions cannot be mapped to t, pln, row, col, ch, or
        ImageJ would decode it into wrong pixels.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such image file: {path}")
    values, axes, *_, rgb, _unit, _reopens = _read(path, header_only=True)
    _dims(path, axes, values.shape, rgb)
    check_imagej_decodes(path, imagej_version)


def _image_of(path: Path, values: Any, axes: str, rgb: bool, tags: tuple[Any, ...],
              lazy: bool) -> xr.DataArray:
    """Label a file's pixels; a refusal (of its dims, calibration, pixels) names the file."""
    try:
        values = without_alpha(path, values, axes, rgb)
        keep, dims = _dims(path, axes, values.shape, rgb)
        values = values.reshape([values.shape[i] for i in keep])
        cal = tiff_calibration(*tags)
        if lazy:
            return _lazy_image(values, dims, cal, {"rgb": rgb, "title": path.name,
                                                  "source": str(path.absolute())})
        image = as_image(xr.DataArray(values, dims=dims), calibration=cal, rgb=rgb)
        image.attrs.update(title=path.name, source=str(path.absolute()))
        return image
    except ValueError as exc:  # ImageFormatError too
        if isinstance(exc, ImageFormatError) and str(path) in str(exc):
            raise
        raise ImageFormatError(f"{path}: {exc}") from exc


def _dims(path: Path, axes: str, shape: tuple[int, ...], rgb: bool) -> tuple[list[int], list[str]]:
    """Return the axes kept (those of more than one element, rows, columns, RGB) and their dims."""
    if len(axes) != len(shape):  # a damaged file can describe other axes than it holds
        raise ImageFormatError(f"{path} is not a readable TIFF file: its axes {axes!r} do "
                               f"not match its {len(shape)}-D pixel data")
    unknown = [a for a, n in zip(axes, shape, strict=True) if a not in _AXES and n > 1]
    keep = [i for i, (a, n) in enumerate(zip(axes, shape, strict=True))
            if a in "YX" or (a in _AXES and n > 1) or (a == "S" and rgb)]
    dims = [_AXES[axes[i]] for i in keep]
    if unknown or len(set(dims)) < len(dims):
        raise ImageFormatError(
            f"{path}: cannot map the file's dimensions {dict(zip(axes, shape, strict=True))} "
            f"(tifffile's axis letters) to t, pln, row, col, ch.")
    return keep, dims


def _lazy_image(values: Any, dims: list[str], cal: Calibration,
                attrs: dict[str, Any]) -> xr.DataArray:
    """Label Dask-backed pixels in canonical order; their type must be one ImageJ holds."""
    if values.dtype not in NATIVE_DTYPES:
        raise ImageFormatError(
            f"{attrs['source']} holds {values.dtype} pixels: read lazily, an image must be "
            f"uint8, uint16 or float32 (open it without chunks= to convert it).")
    order = [d for d in DIM_ORDER if d in dims]
    values = values.transpose([dims.index(d) for d in order])
    return labelled(values, order, cal, attrs)


class _TiffRegions:
    """A TIFF series as an array whose regions are read on demand (for ``dask.array``).

    Only the (absolute) path, the series' index and the file's identity travel to
    Dask's workers; each process opens the file once, through tifffile's Zarr store
    (the full-resolution level of a pyramid), which reads only the strips or tiles a
    region needs. A file changed since it was opened is refused rather than read.
    """

    def __init__(self, path: Path, index: int, shape: tuple[int, ...], dtype: np.dtype) -> None:
        self.path, self.index = path.resolve(), index
        self.shape, self.dtype, self.ndim = shape, dtype, len(shape)
        self.identity = _identity(self.path)
        _zarr_series(self.path, self.index, self.identity)  # one tifffile cannot serve fails here

    def __dask_tokenize__(self) -> tuple[Any, ...]:
        """Name the regions by the file, series and identity: the same file, unchanged, alike."""
        return (type(self).__name__, str(self.path), self.index, self.identity, self.shape,
                str(self.dtype))

    def __getitem__(self, region: Any) -> np.ndarray:
        if _identity(self.path) != self.identity:
            raise ImageFormatError(f"{self.path} changed since it was opened; open it again.")
        return np.asarray(_zarr_series(self.path, self.index, self.identity)[region])


def _identity(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


@functools.lru_cache(maxsize=2)
def _zarr_series(path: Path, index: int, identity: tuple[int, int, int]) -> Any:
    """Open a TIFF's series ``index`` (level 0) as a read-only Zarr array, kept open per process."""
    import zarr

    return zarr.open_array(tifffile.imread(path, aszarr=True, series=index, level=0), mode="r")


def _read(path: Path, chunks: Any = None, header_only: bool = False, series: int | None = None
          ) -> tuple[Any, str, dict[str, Any], Any, Any, bool, str, bool]:
    """Read a TIFF's pixels (lazily with ``chunks``) and the tags :func:`open_image` needs.

    ``series`` picks the image of a file that holds several. With ``header_only``
    the pixels are not read: the values returned are a read-only stand-in of their
    shape and type, a file too short for them is refused, and a file whose pages
    ImageJ's ``open()`` reads as one stack passes without ``series``. Errors are
    reworded.
    """
    try:
        with tifffile_messages() as messages, tifffile.TiffFile(path) as tif:
            index, chosen = pick_series(path, tif, series, imagej_stack=header_only)
            check_colour_model(path, chosen.keyframe)
            meta = (tif.imagej_metadata or {}) if index == 0 else {}
            check_complete(path, meta, chosen, messages)
            axes, page = storage_axes(path, chosen), chosen.keyframe
            values = _pixels(path, tif, index, axes, (chunks, header_only))
            if meta and chosen.kind != "imagej" and not opens_as_rgb(page, axes, values.dtype):
                axes = described_samples(path, axes, values.shape, meta)
            tags = page.tags
            x_res = tags["XResolution"].value if "XResolution" in tags else None
            y_res = tags["YResolution"].value if "YResolution" in tags else None
            return (values, axes, meta, x_res, y_res, opens_as_rgb(page, axes, values.dtype),
                    RESOLUTION_UNITS.get(int(page.resolutionunit), "pixel"),
                    _imagej_reads_alike(tif, page, axes))
    except ImageFormatError:
        raise
    except Exception as exc:  # tifffile raises many kinds on a corrupt or truncated file
        said = "".join(f"; {m}" for m in messages)
        raise ImageFormatError(f"{path} is not a readable TIFF file: "
                               f"{type(exc).__name__}: {exc}{said}") from exc


def _pixels(path: Path, tif: tifffile.TiffFile, index: int, axes: str,
            how: tuple[Any, bool]) -> Any:
    """Return series ``index``'s pixels (of ``axes``): read, Dask-backed or a stand-in.

    ``how`` is ``(chunks, header_only)``. The stand-in of ``header_only`` has their
    shape and type; ImageJ decodes the pixels then, so their codec is not checked.
    """
    (chunks, header_only), series = how, tif.series[index]
    shape = tuple(series.shape)
    if header_only:
        check_fits(str(path), shape, series.dtype.itemsize)
        check_data_in_file(path, tif, series)
        return np.broadcast_to(np.zeros((), series.dtype), shape)
    check_decodable(path, series.keyframe)
    if chunks is None:
        check_fits(str(path), shape, series.dtype.itemsize)
        return series.asarray()
    import dask.array as da

    regions = _TiffRegions(path, index, shape, series.dtype)
    names = ["samples" if a == "S" else _AXES.get(a) for a in axes]
    return da.from_array(regions, lock=False, asarray=False,
                         chunks=plane_chunks(chunks, names, whole=["samples"]))


def _imagej_reads_alike(tif: tifffile.TiffFile, page: Any, axes: str) -> bool:
    """Whether ImageJ 1.x's own ``open()`` reads this file as the same image.

    True for ImageJ hyperstack TIFFs and plain single- or multi-page TIFFs of one
    image, in strips with a compression ImageJ decodes; not for OME-TIFF (ImageJ
    alone sees its planes as one plain stack), files of several images, tiled or
    otherwise compressed files.
    """
    layout = len(tif.series) == 1 and (tif.is_imagej or (not tif.is_ome
                                                          and set(axes) <= set("IQYXS")))
    return bool(layout and not page.is_tiled and int(page.compression) in _IMAGEJ_COMPRESSIONS)


def save_image(image: Any, path: str | os.PathLike[str]) -> Path:
    """Write an image as an ImageJ hyperstack TIFF that Fiji and tifffile read.

    Calibration goes to the resolution tags and ImageJ metadata. RGB images
    are written as RGB colour.

    Parameters
    ----------
    image : numpy.ndarray or xarray.DataArray
        Any image :func:`~ij_bgcorr.image.arrays.as_image` takes.
    path : str or os.PathLike
        The file to write.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ImageFormatError
        When ``image`` is no image ImageJ can hold.
    ParameterError
        When its unit or time unit holds a control character (a line break would
        add a key of its own to ImageJ's metadata).

    Warns
    -----
    ImageConversionWarning
        When its pixel type is converted first.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = ijb.save_image(np.eye(3, dtype=np.uint16), pathlib.Path(folder) / "eye.tif")
    ...     print(path.name, ijb.open_image(path).dtype, int(ijb.open_image(path).sum()))
    eye.tif uint16 3
    """
    image = as_image(image)
    path = Path(path)
    cal = calibration_of(image)
    rgb = bool(image.attrs.get("rgb"))
    letters = {"t": "T", "pln": "Z", "row": "Y", "col": "X", "ch": "S" if rgb else "C"}
    values = image.values
    axes = "".join(letters[d] for d in image.dims)
    if "C" in axes:  # ImageJ wants channels before rows: TZCYX
        values = np.moveaxis(values, axes.index("C"), axes.index("Y"))
        axes = axes.replace("C", "").replace("YX", "CYX")
    for text in (cal.unit, cal.time_unit):
        if any(unicodedata.category(c) in ("Cc", "Cs") for c in text):
            raise ParameterError(f"A unit cannot hold a control character (a line break, "
                                 f"tab, ...) or lone surrogate; got {text!r}.")
    metadata: dict[str, Any] = {"axes": axes, "unit": escaped(cal.unit),
                                "spacing": cal.voxel_depth,
                                "xorigin": cal.x_origin, "yorigin": cal.y_origin,
                                "zorigin": cal.z_origin}
    if cal.frame_interval > 0:
        metadata.update(finterval=cal.frame_interval, tunit=escaped(cal.time_unit))
    tifffile.imwrite(
        path, values, imagej=True, metadata=metadata,
        resolution=(1.0 / cal.pixel_width, 1.0 / cal.pixel_height),
        photometric="rgb" if rgb else "minisblack",
    )
    return path

