"""One image contract for every function that takes an image.

* A DataArray is read by its dim names (``t``, ``pln``, ``row``, ``col``,
  ``ch``, or the aliases ``x, y, z, c, time``), in any order. Every
  ``(row, col)`` plane of every time point, z plane and channel is processed
  as ImageJ processes the planes of a hyperstack; an RGB image
  (``attrs["rgb"]``, uint8, ``ch`` of 3) is processed as ImageJ processes
  colour images.
* A numpy array is named by its number of dimensions, the same everywhere:
  ``(row, col)``, ``(pln, row, col)``, ``(t, pln, row, col)``,
  ``(t, pln, row, col, ch)`` (see :data:`ij_bgcorr.images.DEFAULT_DIMS`).
* Pixel types other than uint8, uint16 and float32 are converted once, with a
  warning saying what changed (:func:`ij_bgcorr.images.imagej_values`).
* A result keeps the input's dims order, coordinates (crop offsets and
  calibration included), name and attrs, plus its provenance; a numpy input
  to a numpy function gives a numpy array of the input's shape.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from .images import DEFAULT_DIMS, DIM_ALIASES, as_image

# Attrs that describe the input itself, not what is computed from it.
_NOT_INHERITED = ("source", "source_fingerprint", "reference")


@dataclass(frozen=True)
class Layout:
    """How an input image was laid out, so that a result can be given the same layout."""

    dims: tuple[str, ...]
    sizes: dict[str, int]
    coords: dict[Hashable, xr.DataArray] = field(default_factory=dict)
    name: Hashable = None
    attrs: dict[str, Any] = field(default_factory=dict)
    is_numpy: bool = False

    def restore(self, result: xr.DataArray, provenance: Mapping[str, Any] | None = None,
                removed: tuple[str, ...] = (), as_numpy: bool = True) -> xr.DataArray | np.ndarray:
        """``result`` (canonical order) in this layout, with ``provenance`` added to its attrs.

        Dims the input had with size 1 and ``result`` lost are put back; the
        ``removed`` dims (a projection's axis) stay removed. With ``as_numpy``,
        a numpy input gives a numpy array.
        """
        out = result
        for dim in self.dims:
            if dim not in out.dims and dim not in removed and self.sizes[dim] == 1:
                out = out.expand_dims(dim)
        order = [d for d in self.dims if d in out.dims]
        out = out.transpose(*order, *[d for d in out.dims if d not in order])
        if self.is_numpy and as_numpy:
            return out.values
        coords = {name: coord for name, coord in self.coords.items()
                  if set(coord.dims) <= set(out.dims)
                  and all(out.sizes[d] == coord.sizes[d] for d in coord.dims)}
        out = out.assign_coords(coords)
        out.name = self.name
        inherited = {k: v for k, v in self.attrs.items() if k not in _NOT_INHERITED}
        out.attrs = {**inherited, **result.attrs, **(provenance or {})}
        return out


def read_image(img: Any, rgb: bool | None = None) -> tuple[xr.DataArray, Layout]:
    """``img`` in canonical form (see :func:`ij_bgcorr.as_image`) and its :class:`Layout`."""
    canonical = as_image(img, rgb=rgb)
    if isinstance(img, xr.DataArray):
        renamed = img.rename({d: DIM_ALIASES[d] for d in img.dims if d in DIM_ALIASES})
        layout = Layout(tuple(map(str, renamed.dims)), dict(renamed.sizes),
                        dict(renamed.coords), img.name, dict(img.attrs))
    else:
        dims = DEFAULT_DIMS[np.ndim(img)]
        layout = Layout(dims, dict(zip(dims, np.shape(img), strict=True)), is_numpy=True)
    return canonical, layout


def map_planes(image: xr.DataArray, func: Callable[[np.ndarray], np.ndarray],
               rgb_planes: bool = False) -> np.ndarray:
    """Apply ``func`` to every plane of a canonical image; the results, in its shape.

    A plane is ``(row, col)``; with ``rgb_planes`` an RGB image's planes are
    ``(row, col, 3)`` (a colour plane, as ImageJ's colour commands see it),
    otherwise its three colours are three planes.
    """
    values = image.values
    rgb = rgb_planes and bool(image.attrs.get("rgb"))
    channels_apart = "ch" in image.dims and not rgb
    if channels_apart:
        values = np.moveaxis(values, -1, -3)
    tail = 3 if rgb else 2
    planes = values.reshape((-1,) + values.shape[-tail:])
    out = np.stack([func(plane) for plane in planes]).reshape(values.shape)
    return np.moveaxis(out, -3, -1) if channels_apart else out
