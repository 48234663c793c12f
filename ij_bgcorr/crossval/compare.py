"""Pixel-by-pixel comparison of two images, e.g. a Fiji result and its reference.

>>> import numpy as np
>>> from ij_bgcorr.crossval.compare import compare
>>> a = np.array([[1, 2], [3, 4]], dtype=np.uint8)
>>> b = np.array([[1, 2], [3, 5]], dtype=np.uint8)
>>> print(compare(a, b))
1 of 4 pixels differ (25 %, 2x2, uint8 vs uint8): max |a-b| 1, mean 0.25, RMSE 0.5, PSNR 54.2 dB
>>> rows = [compare(a, b).as_dict(), compare(a, a).as_dict()]
>>> [row["n_different"] for row in rows]
[1, 0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import xarray as xr

from ij_bgcorr.errors import CommandError, ImageFormatError
from ij_bgcorr.image.arrays import DEFAULT_DIMS, DIM_ORDER, with_canonical_names


@dataclass(frozen=True)
class Comparison:
    """How two images of the same shape differ.

    Values are compared in float64, so unsigned subtraction cannot wrap; the
    dtypes themselves are reported but not compared. A NaN in both images at the
    same pixel counts as equal; a NaN against a number counts as a difference
    and makes the error measures NaN.

    Attributes
    ----------
    shape : tuple of int
        The common shape.
    dtypes : tuple of str
        The dtypes of ``image1`` and ``image2``, as strings.
    identical : bool
        Every pixel value equal.
    n_different : int
        Number of pixels whose values differ.
    fraction_different : float
        n_different / number of pixels.
    max_abs_diff, mean_abs_diff, rmse : float
        Of ``image1 - image2`` over all pixels.
    psnr : float
        Peak signal-to-noise ratio in dB, 10 log10(range² / MSE). The range
        is the dtype's (255 for uint8) when ``image1`` is an integer image,
        else its max - min. inf when identical; NaN when the range is 0.
    diff : numpy.ndarray
        ``image1 - image2`` in float64 (0 where both are NaN), planes first: dims
        ``(t, pln, ch, row, col)`` as present; left out of `as_dict`,
        equality and the repr.
    radius : float or None
        The width, in pixels, of the border band, if one was given.
    border_n_different : int or None
        Differing pixels in the border band, the pixels fewer than ``radius``
        rows or columns from the image edge (where a filter of that radius
        reads outside the image), or None.
    interior_n_different : int or None
        Differing pixels outside the border band, or None.
    plane_n_different : dict of str to int
        For an image of several planes (channels, z planes, time points), the
        differing pixels of each plane that has any, labelled by its position
        (``"ch=1"``, ``"t=0, pln=2"``).

    Examples
    --------
    ImageJ's median kernel against the lesson's ``disk(15)`` on the spots image: a
    difference of at most 1, most of it away from the border:

    >>> from ij_bgcorr import data
    >>> spots = data.load(data.SPOTS)
    >>> comparison = ijb.compare(ijb.reference.median(spots, radius=15),
    ...                          ijb.reference.median(spots, radius=15, kind="lesson"),
    ...                          radius=15)
    >>> comparison.identical, comparison.n_different, comparison.max_abs_diff
    (False, 453, 1.0)
    >>> comparison.border_n_different, comparison.interior_n_different
    (59, 394)
    >>> print(comparison)  # doctest: +NORMALIZE_WHITESPACE
    453 of 65536 pixels differ (0.691 %, 256x256, uint8 vs uint8): max |a-b| 1, mean 0.006912,
    RMSE 0.08314, PSNR 69.7 dB; border band (15 px) 59, interior 394
    """

    shape: tuple[int, ...]
    dtypes: tuple[str, str]
    identical: bool
    n_different: int
    fraction_different: float
    max_abs_diff: float
    mean_abs_diff: float
    rmse: float
    psnr: float
    diff: np.ndarray = field(repr=False, compare=False)
    radius: float | None = None
    border_n_different: int | None = None
    interior_n_different: int | None = None
    plane_n_different: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return all fields but ``diff``, for one row of a table.

        Returns
        -------
        dict of str to object
            Field name to value.

        Examples
        --------
        >>> row = ijb.compare(np.zeros((2, 2), dtype=np.uint8),
        ...                   np.ones((2, 2), dtype=np.uint8)).as_dict()
        >>> row["n_different"], row["max_abs_diff"], "diff" in row
        (4, 1.0, False)
        """
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "diff"}

    def __str__(self) -> str:
        """Summarise the comparison in one line: counts, error measures, border band, planes."""
        size = "x".join(map(str, self.shape))
        if self.identical:
            return f"identical ({size}, {self.dtypes[0]} vs {self.dtypes[1]})"
        text = (
            f"{self.n_different} of {math.prod(self.shape)} pixels differ "
            f"({100 * self.fraction_different:.3g} %, {size}, {self.dtypes[0]} vs "
            f"{self.dtypes[1]}): max |a-b| {self.max_abs_diff:.4g}, mean "
            f"{self.mean_abs_diff:.4g}, RMSE {self.rmse:.4g}, PSNR {self.psnr:.1f} dB"
        )
        if self.radius is not None:
            text += (
                f"; border band ({self.radius:g} px) {self.border_n_different}, "
                f"interior {self.interior_n_different}"
            )
        if self.plane_n_different:
            listed = list(self.plane_n_different.items())
            text += "; differing planes: " + ", ".join(f"{k} ({n})" for k, n in listed[:8])
            if len(listed) > 8:
                text += f" and {len(listed) - 8} more"
        return text


def compare(
    image1: np.ndarray | xr.DataArray,
    image2: np.ndarray | xr.DataArray,
    radius: float | None = None,
) -> Comparison:
    """Compare ``image1`` with ``image2`` pixel by pixel, plane by plane.

    Parameters
    ----------
    image1, image2 : numpy.ndarray or xarray.DataArray
        Images of the same sizes, any real dtype, under the package's image
        contract (`ij_bgcorr.image.layout`): a DataArray by its dim names
        (``image2`` may list them in another order), a numpy array as
        ``(row, col)``, ``(pln, row, col)``, ... A numpy ``image2`` is named by
        its number of dims too, and compared in ``image1``'s order when it holds
        ``image1``'s dims.
    radius : float, optional
        Filter radius in pixels (>= 0): the differences are then also split
        between the border band, pixels fewer than ``radius`` rows or columns
        from an edge, and the interior.

    Returns
    -------
    Comparison
        For several planes it says which of them differ.

    Raises
    ------
    CommandError
        When the sizes or dims differ (the message gives both), or ``radius``
        is negative.
    ImageFormatError
        When an image has no ``row`` and ``col`` (or fewer than 2 dims).
    """
    first, second = _aligned(image1, image2)
    arr_a, labels = _planes(first)
    arr_b, _ = _planes(second)
    if arr_a.shape != arr_b.shape:
        raise CommandError(f"cannot compare images of different shapes: image1 "
                           f"{np.shape(first)}, image2 {np.shape(second)}")
    a64, b64 = arr_a.astype(np.float64), arr_b.astype(np.float64)
    both_nan = np.isnan(a64) & np.isnan(b64)
    diff = np.where(both_nan, 0.0, a64 - b64)
    different = ~((a64 == b64) | both_nan)
    n_different = int(different.sum())
    size = different.size
    abs_diff = np.abs(diff)
    mse = float(np.mean(diff * diff)) if size else 0.0
    border = interior = None
    if radius is not None:
        border_mask = _border_band(arr_a.shape, radius)
        border = int((different & border_mask).sum())
        interior = n_different - border
    per_plane = different.reshape(len(labels), -1).sum(axis=1) if len(labels) > 1 else []
    return Comparison(
        shape=tuple(np.shape(first)),
        dtypes=(str(arr_a.dtype), str(arr_b.dtype)),
        identical=n_different == 0,
        n_different=n_different,
        fraction_different=n_different / size if size else 0.0,
        max_abs_diff=float(abs_diff.max()) if size else 0.0,
        mean_abs_diff=float(abs_diff.mean()) if size else 0.0,
        rmse=math.sqrt(mse),
        psnr=_psnr(arr_a, mse, n_different),
        diff=diff,
        radius=radius,
        border_n_different=border,
        interior_n_different=interior,
        plane_n_different={label: int(n) for label, n in zip(labels, per_plane, strict=False)
                           if n},
    )


def _aligned(image1: np.ndarray | xr.DataArray, image2: np.ndarray | xr.DataArray
             ) -> tuple[np.ndarray | xr.DataArray, np.ndarray | xr.DataArray]:
    """Both images, ``image2`` in ``image1``'s dims order when both are named alike."""
    if not isinstance(image1, xr.DataArray):
        return image1, image2
    first = with_canonical_names(image1)
    if isinstance(image2, xr.DataArray):
        second = with_canonical_names(image2)
        if set(second.dims) != set(first.dims):
            raise CommandError(f"cannot compare images with dims {first.dims} and "
                               f"{second.dims}")
        return first, second.transpose(*first.dims)
    # a numpy image2 is named by its number of dims, as everywhere; when it then
    # holds image1's dims (in any order) it is compared in image1's order
    named = _numpy_named(np.asarray(image2))
    return first, named.transpose(*first.dims) if set(named.dims) == set(first.dims) else image2


def _numpy_named(values: np.ndarray) -> xr.DataArray:
    """Name a numpy image's dims by the package's default for its number of dims."""
    if values.ndim < 2:
        raise ImageFormatError(f"an image has at least 2 dimensions; got shape {values.shape}")
    dims = DEFAULT_DIMS.get(values.ndim) or (
        *(f"axis{i}" for i in range(values.ndim - 2)), "row", "col")
    return xr.DataArray(values, dims=dims)


def _planes(image: np.ndarray | xr.DataArray) -> tuple[np.ndarray, list[str]]:
    """``image``'s values as ``(planes..., row, col)`` and a label for each plane.

    Planes are every combination of the image's ``t``, ``pln`` and ``ch``
    (in that order); a numpy array is named as everywhere in the package
    (``(row, col)``, ``(pln, row, col)``, ...), and any other number of
    dimensions as leading plane axes before ``(row, col)``.
    """
    arr = (with_canonical_names(image) if isinstance(image, xr.DataArray)
           else _numpy_named(np.asarray(image)))
    if "row" not in arr.dims or "col" not in arr.dims:
        raise ImageFormatError(f"an image needs 'row' and 'col' dims; got {arr.dims}")
    others = sorted((d for d in arr.dims if d not in ("row", "col")),
                    key=lambda d: DIM_ORDER.index(d) if d in DIM_ORDER else -1)
    arr = arr.transpose(*others, "row", "col")
    labels = [", ".join(f"{d}={i}" for d, i in zip(others, index, strict=True))
              for index in np.ndindex(*(arr.sizes[d] for d in others))]
    return np.asarray(arr.values), labels


def _border_band(shape: tuple[int, ...], radius: float) -> np.ndarray:
    """Return True on the pixels fewer than ``radius`` rows or columns from an edge."""
    if len(shape) < 2:
        raise ImageFormatError(f"a border band needs (row, col) axes; got shape {shape}")
    if not radius >= 0:
        raise CommandError(f"radius must be >= 0 pixels; got {radius}")
    rows, cols = shape[-2:]
    row = np.arange(rows)[:, None]
    col = np.arange(cols)[None, :]
    near_edge = np.minimum(np.minimum(row, rows - 1 - row), np.minimum(col, cols - 1 - col))
    return np.broadcast_to(near_edge < radius, shape)


def _psnr(a: np.ndarray, mse: float, n_different: int) -> float:
    if n_different == 0:
        return math.inf
    if np.issubdtype(a.dtype, np.integer):
        info = np.iinfo(a.dtype)
        data_range = float(info.max) - float(info.min)
    else:
        data_range = float(np.nanmax(a)) - float(np.nanmin(a))
    if data_range == 0 or math.isnan(mse):
        return math.nan
    return 10 * math.log10(data_range**2 / mse)
