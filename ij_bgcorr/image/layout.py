"""One image contract for every function that takes an image.

* A DataArray is read by its dim names (``t``, ``pln``, ``row``, ``col``,
  ``ch``, or the aliases ``x, y, z, c, time``), in any order. Every
  ``(row, col)`` plane of every time point, z plane and channel is processed
  as ImageJ processes the planes of a hyperstack; an RGB image
  (``attrs["rgb"]``, uint8, ``ch`` of 3) is processed as ImageJ processes
  colour images.
* A numpy array is named by its number of dimensions, the same everywhere:
  ``(row, col)``, ``(pln, row, col)``, ``(t, pln, row, col)``,
  ``(t, pln, row, col, ch)`` (see :data:`ij_bgcorr.image.arrays.DEFAULT_DIMS`).
* Pixel types other than uint8, uint16 and float32 are converted once, with a
  warning saying what changed (:func:`ij_bgcorr.image.arrays.imagej_values`).
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

from ij_bgcorr.image.arrays import DEFAULT_DIMS, DIM_ALIASES, as_image

# Attrs that describe the input itself, not what is computed from it.
_NOT_INHERITED = ("source", "source_fingerprint", "computed_from", "reference")


@dataclass(frozen=True)
class Layout:
    """How an input image was laid out, so that a result can be given the same layout.

    Attributes
    ----------
    dims : tuple of str
        The input's dim names (aliases as canonical names), in its order.
    sizes : dict of str to int
        The size of each of those dims.
    coords : dict of hashable to xarray.DataArray
        The input's coordinates (none for a numpy input).
    name : hashable
        The input DataArray's name.
    attrs : dict of str to object
        The input's attrs.
    is_numpy : bool
        Whether the input was a numpy array.
    aliases : dict of str to str
        The input's own name of each dim it named by an alias (``{"row": "y"}``);
        results get those names back.
    """

    dims: tuple[str, ...]
    sizes: dict[str, int]
    coords: dict[Hashable, xr.DataArray] = field(default_factory=dict)
    name: Hashable = None
    attrs: dict[str, Any] = field(default_factory=dict)
    is_numpy: bool = False
    aliases: dict[str, str] = field(default_factory=dict)

    def restore(self, result: xr.DataArray, provenance: Mapping[str, Any] | None = None, *,
                as_numpy: bool = True) -> xr.DataArray | np.ndarray:
        """Return ``result`` (canonical order) in this layout, ``provenance`` added to its attrs.

        Dims the input had with size 1 and ``result`` lost are put back (a
        projection's axis has more than one plane, so it stays removed). With
        ``as_numpy``, a numpy input gives a numpy array.

        Parameters
        ----------
        result : xarray.DataArray
            A result computed from the input, dims in canonical order.
        provenance : mapping of str to object, optional
            Attrs saying how ``result`` was made.
        as_numpy : bool, default True
            Return a numpy array for a numpy input.

        Returns
        -------
        xarray.DataArray or numpy.ndarray
            ``result`` in the input's dims order; a DataArray also gets the
            input's coordinates whose sizes still match, its name (``result``'s when
            the input has none), and its attrs (but ``source``,
            ``source_fingerprint``, ``computed_from`` and ``reference``) updated
            with ``result``'s and ``provenance``. The dtype is ``result``'s.
        """
        out = result
        for dim in self.dims:
            if dim not in out.dims and self.sizes[dim] == 1:
                out = out.expand_dims(dim)
        order = [d for d in self.dims if d in out.dims]
        out = out.transpose(*order, *[d for d in out.dims if d not in order])
        if self.is_numpy and as_numpy:
            return out.values
        out = out.rename({d: self.aliases[d] for d in out.dims if d in self.aliases})
        coords = {name: coord for name, coord in self.coords.items()
                  if set(coord.dims) <= set(out.dims)
                  and all(out.sizes[d] == coord.sizes[d] for d in coord.dims)}
        out = out.assign_coords(coords)
        out.name = self.name if self.name is not None else result.name
        inherited = {k: v for k, v in self.attrs.items() if k not in _NOT_INHERITED}
        out.attrs = {**inherited, **result.attrs, **(provenance or {})}
        return out


def read_image(img: Any, rgb: bool | None = None) -> tuple[xr.DataArray, Layout]:
    """Return ``img`` in canonical form (see :func:`ij_bgcorr.as_image`) and its :class:`Layout`.

    Parameters
    ----------
    img : numpy.ndarray or xarray.DataArray
        An image under the contract above: a DataArray by its dim names in any
        order, a numpy array by its number of dimensions; any real dtype.
    rgb : bool, optional
        Mark the image as RGB colour, as for :func:`ij_bgcorr.as_image`.

    Returns
    -------
    tuple of (xarray.DataArray, Layout)
        The image in canonical order, uint8, uint16 or float32; and how ``img``
        was laid out.

    Raises
    ------
    ImageFormatError
        When ``img`` is no image ImageJ can hold (see :func:`ij_bgcorr.as_image`).

    Warns
    -----
    ImageConversionWarning
        When its pixel type is converted.
    """
    canonical = as_image(img, rgb=rgb)
    return canonical, layout_of(img)


def layout_of(img: Any) -> Layout:
    """Return how ``img`` is laid out, without reading its pixels.

    Parameters
    ----------
    img : numpy.ndarray or xarray.DataArray
        An image under the contract above (for a numpy array, one of
        :data:`~ij_bgcorr.image.arrays.DEFAULT_DIMS`' numbers of dimensions).

    Returns
    -------
    Layout
        Its dims (canonical names), sizes, coordinates, name and attrs.
    """
    if isinstance(img, xr.DataArray):
        aliases = {DIM_ALIASES[str(d)]: str(d) for d in img.dims if d in DIM_ALIASES}
        return Layout(tuple(DIM_ALIASES.get(str(d), str(d)) for d in img.dims),
                      {DIM_ALIASES.get(str(d), str(d)): n for d, n in img.sizes.items()},
                      dict(img.coords), img.name, dict(img.attrs), aliases=aliases)
    dims = DEFAULT_DIMS[np.ndim(img)]
    return Layout(dims, dict(zip(dims, np.shape(img), strict=True)), is_numpy=True)


def map_planes(image: xr.DataArray, func: Callable[[np.ndarray], np.ndarray],
               rgb_planes: bool = False) -> np.ndarray:
    """Apply ``func`` to every plane of a canonical image; return the results in its shape.

    A plane is ``(row, col)``; with ``rgb_planes`` an RGB image's planes are
    ``(row, col, 3)`` (a colour plane, as ImageJ's colour commands see it),
    otherwise its three colours are three planes.

    Parameters
    ----------
    image : xarray.DataArray
        An image in canonical order (from :func:`read_image`).
    func : callable
        Takes one plane (numpy.ndarray) and returns an array of its shape.
    rgb_planes : bool, default False
        Hand an RGB image's planes to ``func`` as colour planes.

    Returns
    -------
    numpy.ndarray
        ``image``'s shape, the dtype ``func`` returns.
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
