"""Images as labelled arrays: dimension names, dtypes and the canonical order.

ij-bgcorr uses PyImageJ's dimension names and order: ``t`` (time), ``pln``
(z plane), ``row`` (y), ``col`` (x), ``ch`` (channel, or the three samples
of an RGB image, which is marked by ``attrs["rgb"] = True``).
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from ij_bgcorr.errors import ImageConversionWarning, ImageFormatError
from ij_bgcorr.image.calibration import Calibration
from ij_bgcorr.image.fingerprint import fingerprint
from ij_bgcorr.image.memory import check_fits

#: The canonical order of dimensions, slowest first.
DIM_ORDER: tuple[str, ...] = ("t", "pln", "row", "col", "ch")

#: Other common names, mapped to ij-bgcorr's.
DIM_ALIASES: dict[str, str] = {
    "x": "col", "y": "row", "z": "pln", "c": "ch", "channel": "ch", "time": "t",
    "X": "col", "Y": "row", "Z": "pln", "C": "ch", "T": "t",
}

#: numpy dtypes ImageJ holds without conversion: 8-bit, 16-bit, 32-bit float.
NATIVE_DTYPES = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.float32))

#: Default dimension names for bare numpy arrays, by number of dimensions.
DEFAULT_DIMS: dict[int, tuple[str, ...]] = {
    2: ("row", "col"),
    3: ("pln", "row", "col"),
    4: ("t", "pln", "row", "col"),
    5: ("t", "pln", "row", "col", "ch"),
}


def as_image(
    image: Any,
    dims: Sequence[str] | None = None,
    calibration: Calibration | None = None,
    rgb: bool | None = None,
) -> xr.DataArray:
    """Wrap ``image`` as a DataArray in the canonical order, checking it.

    Parameters
    ----------
    image : numpy.ndarray or xarray.DataArray
        A bare 2-D array is ``(row, col)``, 3-D ``(pln, row, col)``, 4-D
        ``(t, pln, row, col)`` and 5-D adds ``ch``; pass ``dims`` for anything
        else (e.g. ``("t", "row", "col")``). Pixel types other than uint8, uint16
        and float32 are converted with a warning saying what changed (see
        :func:`imagej_values`).
    dims : sequence of str, optional
        Dimension names for a numpy array; aliases ``x, y, z, c, time`` are
        accepted. Ignored for a DataArray, whose own names are used.
    calibration : Calibration, optional
        Overrides the calibration found in a DataArray's attrs/coords.
    rgb : bool, optional
        Mark an 8-bit image whose ``ch`` has 3 samples as RGB colour. When not
        given, a DataArray's ``attrs["rgb"]`` is kept.

    Returns
    -------
    xarray.DataArray
        The image with its dims in :data:`DIM_ORDER` (those present), dtype
        uint8, uint16 or float32, calibrated coordinates, the calibration in
        its attrs and ``attrs["rgb"]``. The data itself is not copied when it
        is already in canonical order. A Dask-backed image is computed (if it
        fits in memory); ``attrs["computed_from"]`` then holds its fingerprint and
        that of the pixels computed, so that an engine session knows it as the
        lazy image while its pixels are unchanged.

    Raises
    ------
    ImageFormatError
        When a numpy array's dims cannot be guessed or do not match its shape,
        a dim name is unknown, ``row`` or ``col`` is missing, the image is
        empty, an RGB image is not uint8 with a ``ch`` of 3, or its pixel type
        cannot be converted.

    Warns
    -----
    ImageConversionWarning
        When the pixel type is converted.

    Examples
    --------
    >>> image = ijb.as_image(np.zeros((3, 4, 5), dtype=np.uint8), dims=("time", "y", "x"))
    >>> image.dims, image.dtype
    (('t', 'row', 'col'), dtype('uint8'))
    """
    if isinstance(image, xr.DataArray):
        arr = with_canonical_names(image)
        attrs = dict(arr.attrs)
        cal = calibration or calibration_in(arr)
    else:
        arr, attrs, cal = _named(_in_memory(image), dims), {}, calibration or Calibration()
    unknown = [d for d in arr.dims if d not in DIM_ORDER]
    if unknown:
        raise ImageFormatError(f"Unknown dimension name(s) {unknown}; use {DIM_ORDER}.")
    if "row" not in arr.dims or "col" not in arr.dims:
        raise ImageFormatError(f"An image needs 'row' and 'col' dimensions; got {arr.dims}.")
    if arr.size == 0:
        raise ImageFormatError(f"The image is empty (shape {dict(arr.sizes)}).")
    is_rgb = bool(attrs.get("rgb", False)) if rgb is None else rgb
    order = [d for d in DIM_ORDER if d in arr.dims]
    lazy = (fingerprint(xr.DataArray(arr.data, dims=arr.dims, attrs={"rgb": is_rgb})
                        .transpose(*order)) if arr.chunks is not None else None)
    values = imagej_values(_in_memory(arr))
    if is_rgb and (values.dtype != np.uint8 or arr.sizes.get("ch") != 3):
        raise ImageFormatError("An RGB image must be uint8 with a 'ch' dimension of size 3.")
    arr = xr.DataArray(values, dims=arr.dims).transpose(*order)
    out = labelled(arr.values, arr.dims, cal, {**attrs, "rgb": is_rgb})
    if lazy is not None:  # an engine session knows it as the lazy image, while unchanged
        out.attrs["computed_from"] = f"{lazy}:{fingerprint(out)}"
    return out


def _named(values: np.ndarray, dims: Sequence[str] | None) -> xr.DataArray:
    """Label a numpy array's axes with ``dims`` (aliases renamed), or the default names."""
    if dims is None:
        if values.ndim not in DEFAULT_DIMS:
            raise ImageFormatError(
                f"Cannot guess dimension names for a {values.ndim}-D array of shape "
                f"{values.shape}; pass dims=, e.g. ('t', 'row', 'col')."
            )
        dims = DEFAULT_DIMS[values.ndim]
    dims = tuple(DIM_ALIASES.get(d, d) for d in dims)
    if len(dims) != values.ndim:
        raise ImageFormatError(f"dims {dims} do not match an array of shape {values.shape}.")
    return xr.DataArray(values, dims=dims)


def plane_chunks(chunks: Any, dims: Sequence[str | None], whole: Sequence[str] = ()) -> Any:
    """Return Dask chunks of ``chunks`` pixels along rows and columns, one plane elsewhere.

    Parameters
    ----------
    chunks : int, tuple or dict
        An int (or a (row, col) pair) of pixels along ``row`` and ``col``, or a dict
        by dim name (``{"row": 512, "col": 512}``); any other form is Dask's own,
        returned as it is.
    dims : sequence of str or None
        The array's dim names in its axis order (None for an axis of no known name).
    whole : sequence of str, default ()
        Dims kept in one chunk (an RGB image's colours).

    Returns
    -------
    tuple of int, or ``chunks`` itself
        One entry per axis (-1: whole).

    Raises
    ------
    ImageFormatError
        When a dict names a dim that is not one of :data:`DIM_ORDER`, or a size is
        not a whole number >= 1.
    """
    if isinstance(chunks, int | float | str) or (isinstance(chunks, tuple) and len(chunks) == 2):
        rows, cols = chunks if isinstance(chunks, tuple) else (chunks, chunks)
        chunks = {"row": rows, "col": cols}
    if not isinstance(chunks, dict):
        return chunks
    unknown = set(chunks) - set(DIM_ORDER)
    if unknown:
        raise ImageFormatError(f"chunks= names unknown dims {sorted(unknown)}; use {DIM_ORDER}.")
    bad = {d: n for d, n in chunks.items() if isinstance(n, bool) or not isinstance(n, int)
           or n < 1}
    if bad:
        raise ImageFormatError(f"chunks= must be whole numbers of pixels >= 1; got {bad}.")
    return tuple(-1 if d in whole else chunks.get(d, 1) if d else 1 for d in dims)


def _in_memory(arr: Any) -> np.ndarray:
    """Return the pixels of ``arr``; a Dask-backed one is computed whole, if it fits."""
    if arr is None or isinstance(arr, str | bytes | os.PathLike):
        raise ImageFormatError(
            f"An image is a numpy array or an xarray DataArray, not {type(arr).__name__}"
            + ("; read a file with ij_bgcorr.open_image(path)." if arr is not None else "."))
    if getattr(arr, "chunks", None) is not None and hasattr(arr, "dtype"):
        check_fits("A Dask-backed image this command computes whole (only median, opening, "
                   "top-hat and Subtract Background work tile by tile, given as a DataArray)",
                   tuple(arr.shape), arr.dtype.itemsize)
    return np.asarray(arr)


def with_canonical_names(image: xr.DataArray) -> xr.DataArray:
    """Return ``image`` with its dims named by aliases (``x``, ``y``, ``time``) renamed.

    Parameters
    ----------
    image : xarray.DataArray
        Any image.

    Returns
    -------
    xarray.DataArray
        The same data, dims named ``t``, ``pln``, ``row``, ``col``, ``ch`` where
        :data:`DIM_ALIASES` has a name for them.
    """
    names = {d: DIM_ALIASES.get(str(d), d) for d in image.dims}
    same = [d for d in image.dims if list(names.values()).count(names[d]) > 1]
    if same:
        raise ImageFormatError(f"The dims {same} name the same dimension ({names[same[0]]!r}); "
                               f"keep one name per dimension.")
    return image.rename({d: n for d, n in names.items() if n != d})


def labelled(
    values: np.ndarray, dims: Sequence[str], calibration: Calibration, attrs: dict[str, Any]
) -> xr.DataArray:
    """Make a DataArray with calibrated coordinates and calibration attrs.

    Parameters
    ----------
    values : numpy.ndarray
        The pixels, one axis per name in ``dims``.
    dims : sequence of str
        The dimension names.
    calibration : Calibration
        Gives the coordinates (with their ``units`` attrs) and the attrs.
    attrs : dict of str to object
        More attrs (``rgb``, ``title``, ...).

    Returns
    -------
    xarray.DataArray
        ``values`` labelled with ``dims``, the coordinates, ``attrs`` and the
        calibration attrs.
    """
    sizes = dict(zip(dims, values.shape, strict=True))
    out = xr.DataArray(values, dims=tuple(dims), coords=calibration.coords(sizes))
    out.name = None  # xarray would take a Dask array's graph name as the image's name
    units = calibration.coord_units()
    for dim in out.dims:
        if dim in units:
            out.coords[dim].attrs["units"] = units[dim]
    out.attrs.update(attrs)
    out.attrs.update(calibration.to_attrs())
    return out


def imagej_values(values: np.ndarray) -> np.ndarray:
    """Return ``values`` in a pixel type ImageJ holds: uint8, uint16 or float32.

    Those three pass unchanged (in native byte order). Any other real dtype is
    converted, with an :class:`~ij_bgcorr.errors.ImageConversionWarning` that
    names the conversion and whether any value changed:

    * bool becomes uint8 with True = 255 (ImageJ's binary images);
    * integers become the first of uint8 (8-bit input), uint16 and float32
      that holds every value exactly, else float32 with the rounding counted;
    * other floats become float32, the rounding counted; values beyond
      float32's range are an error, as are complex and non-numeric types.

    Parameters
    ----------
    values : numpy.ndarray
        Pixels of any shape and dtype.

    Returns
    -------
    numpy.ndarray
        The same shape, dtype uint8, uint16 or float32 in native byte order.

    Raises
    ------
    ImageFormatError
        For what cannot be converted.

    Warns
    -----
    ImageConversionWarning
        When the values are converted.
    """
    dtype = values.dtype
    if dtype.newbyteorder("=") in NATIVE_DTYPES:
        return values if dtype.isnative else values.astype(dtype.newbyteorder("="))
    if dtype == np.bool_:
        _warn_conversion(dtype, "8-bit (uint8) with True = 255, as ImageJ's binary images")
        return values.astype(np.uint8) * np.uint8(255)
    if dtype.kind in "iu":
        return _integer_values(values)
    if dtype.kind == "f":
        return _float_values(values)
    raise ImageFormatError(
        f"ImageJ cannot hold {dtype} pixels; it holds uint8, uint16 and float32 (and RGB as "
        "uint8 with 3 channels). Convert first, e.g. img.astype('float32').")


def _integer_values(values: np.ndarray) -> np.ndarray:
    low, high = (int(values.min()), int(values.max())) if values.size else (0, 0)
    targets = ([np.uint8] if values.dtype.itemsize == 1 else []) + [np.uint16]
    for target in targets:
        info = np.iinfo(target)
        if info.min <= low and high <= info.max:
            _warn_conversion(values.dtype, f"{info.bits}-bit ({np.dtype(target)}); "
                                           "every value is unchanged")
            return values.astype(target)
    out = values.astype(np.float32)
    # float64 cannot tell large integers apart: compare exactly, as Python numbers
    large = np.abs(values.astype(np.float64)) > 2**24
    changed = int(np.count_nonzero(out[large].astype(object) != values[large].astype(object)))
    _warn_conversion(values.dtype, "32-bit float (float32); " + (
        "every value is unchanged" if not changed else
        f"{changed} values above 2**24 in magnitude were rounded"))
    return out


def _float_values(values: np.ndarray) -> np.ndarray:
    finite = values[np.isfinite(values)]
    limit = float(np.finfo(np.float32).max)
    if finite.size and float(np.abs(finite).max()) > limit:
        raise ImageFormatError(
            f"{values.dtype} pixels up to {float(np.abs(finite).max()):g} do not fit ImageJ's "
            f"32-bit float (largest {limit:g}); rescale first.")
    out = values.astype(np.float32)
    with np.errstate(invalid="ignore"):
        error = np.abs(out.astype(np.float64) - values)
    changed = int(np.count_nonzero(error > 0))
    detail = "every value is unchanged" if not changed else (
        f"{changed} of {values.size} values were rounded, by at most {float(np.nanmax(error)):.3g}")
    _warn_conversion(values.dtype, f"32-bit float (float32); {detail}")
    return out


def _warn_conversion(dtype: np.dtype, what: str) -> None:
    warnings.warn(f"{dtype} pixels converted to {what}.", ImageConversionWarning,
                  stacklevel=_callers_stacklevel())


def _callers_stacklevel() -> int:
    """Find the stack level of the first frame outside this package: the user's call."""
    package = os.path.dirname(os.path.dirname(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def calibration_in(image: xr.DataArray) -> Calibration:
    """Return the calibration a DataArray's coordinates and attrs describe, as `as_image` reads it.

    Parameters
    ----------
    image : xarray.DataArray
        Any image; evenly spaced ``row``/``col``/``pln``/``t`` coordinates give pixel
        sizes and origins, attrs the rest (see :meth:`Calibration.from_coords`).

    Returns
    -------
    Calibration
    """
    return Calibration.from_coords(
        {d: image.coords[d].values for d in image.dims if d in image.coords}, image.attrs)


def calibration_of(image: xr.DataArray) -> Calibration:
    """Return the calibration recorded in an image made by :func:`as_image`.

    Parameters
    ----------
    image : xarray.DataArray
        An image made by :func:`as_image`, any dims.

    Returns
    -------
    Calibration
        Read from ``image.attrs``; attributes missing there keep the defaults.
    """
    return Calibration.from_attrs(image.attrs)


def plane_sizes(image: xr.DataArray) -> tuple[int, int, int]:
    """Count ``(channels, slices, frames)`` of an image, as ImageJ counts them.

    The samples of an RGB image are one channel for ImageJ.

    Parameters
    ----------
    image : xarray.DataArray
        An image with :data:`DIM_ORDER`'s dim names, RGB marked by ``attrs["rgb"]``.

    Returns
    -------
    tuple of int
        The sizes of ``ch`` (1 for RGB), ``pln`` and ``t``; 1 for a dim the
        image does not have.
    """
    nc = 1 if image.attrs.get("rgb") else image.sizes.get("ch", 1)
    return nc, image.sizes.get("pln", 1), image.sizes.get("t", 1)
