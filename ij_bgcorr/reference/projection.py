"""ImageJ 1.x's ``Image > Stacks > Z Project...`` in numpy, one function per method.

The method names and ImageJ's names for them are `ij_bgcorr.options.PROJECTIONS`,
shared with the engine's ``z_project``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

from ij_bgcorr.errors import CommandError
from ij_bgcorr.image.arrays import DIM_ALIASES
from ij_bgcorr.image.layout import Layout, read_image
from ij_bgcorr.options import PROJECTIONS
from ij_bgcorr.reference.results import Image, refuse_rgb
from ij_bgcorr.validation import choice


def z_project(image: Image, method: str = "max", axis: int | str | None = None) -> Image:
    """Projection along a stack axis, computed as ImageJ 1.x's ``Z Project...``.

    Parameters
    ----------
    image : numpy.ndarray or xarray.DataArray
        A stack under the package's image contract (`ij_bgcorr.image.layout`)
        with more than one ``pln`` or ``t`` plane; uint8, uint16 or float32.
    method : {"avg", "max", "min", "sum", "sd", "median"}, default "max"
        ImageJ's ``ZProjector.run(imp, method)`` names (the keys of
        `ij_bgcorr.options.PROJECTIONS`).
    axis : int or str, optional
        The dim to project along, ``"pln"`` or ``"t"`` (or an index into the
        input's dims); by default ``pln``, or ``t`` for a time series without
        z planes, as the engine's ``z_project``.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        The projection, with ``axis`` removed. Dtypes and arithmetic follow
        ImageJ 1.53t, checked against it on random stacks:

        * ``max``, ``min``: input dtype. For float32, NaN is skipped (a pixel NaN
          in every slice gives NaN, where ImageJ gives -/+3.4e38).
        * ``avg``: uint8 and uint16 stay integer: the float32 sum divided by the
          slice count, rounded half up (``(short)(v + 0.5f)``). float32: mean in
          float64 of the non-NaN values, as ImageJ 1.54m (Fiji 2.14) computes
          it. (ImageJ 1.53t's float32 average leaves out the last slice, a bug
          not reproduced here.)
        * ``sum``: float32, accumulated slice by slice in float32.
        * ``sd``: float32 sample standard deviation (divisor n - 1) from float64
          sums, ``sqrt((n*S2 - S*S) / n / (n - 1))``; 0 where that is not > 0
          (also where a NaN is involved) and for a single slice.
        * ``median``: the middle value, or the float32 mean of the two middle
          values for an even count (NaN sorts last). uint8 gives uint8 (rounded
          half up), uint16 and float32 give float32.

    Raises
    ------
    CommandError
        When ``method`` is unknown, ``axis`` is not ``pln`` or ``t`` (or out of
        range), or the image has fewer than two planes along it.

    Examples
    --------
    A numpy stack of three planes (``(pln, row, col)``), projected as ImageJ does:

    >>> from ij_bgcorr import reference
    >>> stack = np.array([[[1, 5], [3, 0]],
    ...                   [[4, 2], [3, 9]],
    ...                   [[7, 8], [0, 1]]], dtype=np.uint8)
    >>> reference.z_project(stack, "max").tolist()
    [[7, 8], [3, 9]]
    >>> reference.z_project(stack, "avg").tolist()  # 8-bit, rounded half up
    [[4, 5], [2, 3]]
    >>> reference.z_project(stack, "sum").dtype
    dtype('float32')

    The lesson's time series is projected along ``t``, as it has no z planes:

    >>> from ij_bgcorr import data
    >>> polyp = data.load(data.POLYP)
    >>> polyp.sizes["t"], reference.z_project(polyp, "max").dims
    (3, ('row', 'col'))
    """
    method = choice("projection method", method, {name: name for name in PROJECTIONS})
    canonical, layout = read_image(image)
    if method in ("sum", "sd"):
        refuse_rgb(canonical, f"ImageJ's {method} projection of an RGB stack stays 8-bit RGB")
    dim = _projection_dim(axis, canonical, layout)
    index = canonical.dims.index(dim)
    out = _PROJECT[method](np.moveaxis(canonical.values, index, 0))
    text = (f'ImageJ run("Z Project...", "projection=[{PROJECTIONS[method].imagej_name}]") '
            f"along {dim!r}")
    projected = canonical.isel({dim: 0}, drop=True).copy(data=out)
    return layout.restore(projected, {"reference": text})


def _projection_dim(axis: int | str | None, image: xr.DataArray, layout: Layout) -> str:
    """Return the dim a projection runs along: ``pln`` or ``t``, named, indexed or by default."""
    if axis is None:
        name = "pln" if image.sizes.get("pln", 1) > 1 or "t" not in image.dims else "t"
    elif isinstance(axis, str):
        name = DIM_ALIASES.get(axis, axis)
    elif isinstance(axis, int | np.integer) and -len(layout.dims) <= axis < len(layout.dims):
        name = layout.dims[int(axis)]
    else:
        raise CommandError(f"axis {axis!r} is out of range for an image with dims {layout.dims}")
    if name not in ("pln", "t"):
        raise CommandError(f"a projection runs along 'pln' or 't', not {name!r} "
                           f"(the image's dims are {layout.dims})")
    if image.sizes.get(name, 1) < 2:
        raise CommandError(f"a projection along {name!r} needs more than one plane; the image "
                           f"has {image.sizes.get(name, 1)} (dims {layout.dims})")
    return name


# --- one function per method; the stack axis is first ---------------------------------


def _float32_sum(stack: np.ndarray) -> np.ndarray:
    total = np.zeros(stack.shape[1:], np.float32)
    for plane in stack:  # slice by slice, in float32, as ImageJ adds
        total += plane
    return total


def _avg(stack: np.ndarray) -> np.ndarray:
    if stack.dtype == np.float32:
        valid = ~np.isnan(stack)
        total = np.where(valid, stack, 0).sum(axis=0, dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (total / valid.sum(axis=0)).astype(np.float32)
    mean = _float32_sum(stack) / np.float32(len(stack))
    return np.floor(mean + np.float32(0.5)).astype(stack.dtype)


def _sd(stack: np.ndarray) -> np.ndarray:
    n = len(stack)
    total = np.zeros(stack.shape[1:])
    squares = np.zeros(stack.shape[1:])
    for plane in stack.astype(np.float64):
        total += plane
        squares += plane * plane
    if n < 2:
        return np.zeros(stack.shape[1:], np.float32)
    variance = (n * squares - total * total) / n
    with np.errstate(invalid="ignore"):
        return np.where(variance > 0, np.sqrt(np.abs(variance) / (n - 1)), 0).astype(np.float32)


def _median(stack: np.ndarray) -> np.ndarray:
    ordered = np.sort(stack.astype(np.float32), axis=0)
    middle = len(stack) // 2
    if len(stack) % 2:
        out = ordered[middle]
    else:
        out = (ordered[middle - 1] + ordered[middle]) / np.float32(2)
    if stack.dtype == np.uint8:
        return np.floor(out + np.float32(0.5)).astype(np.uint8)
    return out


def _extreme(
    integer_reduce: np.ufunc, nan_skipping: np.ufunc
) -> Callable[[np.ndarray], np.ndarray]:
    def project(stack: np.ndarray) -> np.ndarray:
        reduce = nan_skipping if stack.dtype == np.float32 else integer_reduce
        return reduce.reduce(stack, axis=0)

    return project


_PROJECT: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "avg": _avg,
    "max": _extreme(np.maximum, np.fmax),
    "min": _extreme(np.minimum, np.fmin),
    "sum": _float32_sum,
    "sd": _sd,
    "median": _median,
}
