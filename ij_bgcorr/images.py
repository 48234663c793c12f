"""Images as labelled arrays: dimension names, dtypes and the canonical order.

ij-bgcorr uses PyImageJ's dimension names and order: ``t`` (time), ``pln``
(z plane), ``row`` (y), ``col`` (x), ``ch`` (channel, or the three samples
of an RGB image, which is marked by ``attrs["rgb"] = True``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from .calibration import Calibration
from .errors import ImageFormatError

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
    data: Any,
    dims: Sequence[str] | None = None,
    calibration: Calibration | None = None,
    rgb: bool | None = None,
) -> xr.DataArray:
    """Wrap ``data`` as a DataArray in the canonical order, checking it.

    Parameters
    ----------
    data:
        A numpy array or a DataArray. A bare 2-D array is ``(row, col)``, 3-D
        ``(pln, row, col)``, 4-D ``(t, pln, row, col)`` and 5-D adds ``ch``;
        pass ``dims`` for anything else (e.g. ``("t", "row", "col")``).
    dims:
        Dimension names for a numpy array; aliases ``x, y, z, c, time`` are
        accepted. Ignored for a DataArray, whose own names are used.
    calibration:
        Overrides the calibration found in a DataArray's attrs/coords.
    rgb:
        Mark an 8-bit image whose ``ch`` has 3 samples as RGB colour.

    The data itself is not copied when it is already in canonical order.
    Booleans become uint8 with True = 255, ImageJ's binary convention; any
    dtype other than uint8, uint16, float32 and bool raises
    :class:`ImageFormatError`, as does an empty array.
    """
    if isinstance(data, xr.DataArray):
        arr = data.rename({d: DIM_ALIASES[d] for d in data.dims if d in DIM_ALIASES})
        attrs = dict(arr.attrs)
        cal = calibration or Calibration.from_coords(
            {d: arr.coords[d].values for d in arr.dims if d in arr.coords}, attrs
        )
    else:
        values = np.asarray(data)
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
        arr = xr.DataArray(values, dims=dims)
        attrs = {}
        cal = calibration or Calibration()
    unknown = [d for d in arr.dims if d not in DIM_ORDER]
    if unknown:
        raise ImageFormatError(f"Unknown dimension name(s) {unknown}; use {DIM_ORDER}.")
    if "row" not in arr.dims or "col" not in arr.dims:
        raise ImageFormatError(f"An image needs 'row' and 'col' dimensions; got {arr.dims}.")
    if arr.size == 0:
        raise ImageFormatError(f"The image is empty (shape {dict(arr.sizes)}).")
    values = _native_values(arr.values)
    is_rgb = bool(attrs.get("rgb", False)) if rgb is None else rgb
    if is_rgb and (values.dtype != np.uint8 or arr.sizes.get("ch") != 3):
        raise ImageFormatError("An RGB image must be uint8 with a 'ch' dimension of size 3.")
    arr = xr.DataArray(values, dims=arr.dims).transpose(*[d for d in DIM_ORDER if d in arr.dims])
    return labelled(arr.values, arr.dims, cal, {**attrs, "rgb": is_rgb})


def labelled(
    values: np.ndarray, dims: Sequence[str], calibration: Calibration, attrs: dict[str, Any]
) -> xr.DataArray:
    """A DataArray with calibrated coordinates and calibration attrs."""
    sizes = dict(zip(dims, values.shape, strict=True))
    out = xr.DataArray(values, dims=tuple(dims), coords=calibration.coords(sizes))
    units = calibration.coord_units()
    for dim in out.dims:
        if dim in units:
            out.coords[dim].attrs["units"] = units[dim]
    out.attrs.update(attrs)
    out.attrs.update(calibration.to_attrs())
    return out


def _native_values(values: np.ndarray) -> np.ndarray:
    if values.dtype == np.bool_:
        return values.astype(np.uint8) * np.uint8(255)
    if values.dtype.newbyteorder("=") in NATIVE_DTYPES and not values.dtype.isnative:
        return values.astype(values.dtype.newbyteorder("="))
    if values.dtype not in NATIVE_DTYPES:
        raise ImageFormatError(
            f"ImageJ cannot hold {values.dtype} pixels; it holds uint8, uint16 and float32 "
            f"(and RGB as uint8 with 3 channels). Convert first, e.g. img.astype('float32')."
        )
    return values


def calibration_of(image: xr.DataArray) -> Calibration:
    """The calibration recorded in an image made by :func:`as_image`."""
    return Calibration.from_attrs(image.attrs)


def plane_sizes(image: xr.DataArray) -> tuple[int, int, int]:
    """``(channels, slices, frames)`` of an image, as ImageJ counts them.

    The samples of an RGB image are one channel for ImageJ.
    """
    nc = 1 if image.attrs.get("rgb") else image.sizes.get("ch", 1)
    return nc, image.sizes.get("pln", 1), image.sizes.get("t", 1)
