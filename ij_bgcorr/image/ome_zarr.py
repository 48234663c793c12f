"""OME-Zarr images, read lazily and written chunk by chunk, with their calibration.

OME-NGFF 0.4 (Zarr format 2), the version Fiji's readers, napari and most tools
read: one group whose attrs hold ``multiscales``; its level ``0`` is the full
image, axes ordered ``t, c, z, y, x`` (those present), pixel sizes as a
``scale`` transformation and the origin as a ``translation``. Only level 0 is
written and read. The metadata of one level is a handful of keys, so it is
written here with zarr itself rather than through ome-zarr-py, whose
dependencies (S3 and HTTP clients) a local file does not need.
"""

from __future__ import annotations

import math
import numbers
import os
import uuid
import zlib
from functools import partial
from pathlib import Path
from typing import Any

import xarray as xr

from ij_bgcorr.errors import ImageFormatError
from ij_bgcorr.image.arrays import NATIVE_DTYPES, calibration_of, labelled, plane_chunks
from ij_bgcorr.image.calibration import Calibration

# NGFF axis names and types ↔ ij-bgcorr dims, in NGFF's required order
_AXES = {"t": ("t", "time"), "ch": ("c", "channel"), "pln": ("z", "space"),
         "row": ("y", "space"), "col": ("x", "space")}
_DIMS = {name: dim for dim, (name, _) in _AXES.items()}
# ImageJ's unit names → the UDUNITS-2 names NGFF asks for
_UNITS = {"micron": "micrometer", "µm": "micrometer", "um": "micrometer", "nm": "nanometer",
          "mm": "millimeter", "cm": "centimeter", "m": "meter", "inch": "inch",
          "sec": "second", "s": "second", "ms": "millisecond", "min": "minute", "h": "hour"}
_IMAGEJ_UNITS = {ngff: ij for ij, ngff in reversed(list(_UNITS.items()))}


def ngff_order(image: xr.DataArray) -> xr.DataArray:
    """Return ``image`` (canonical dims) with its dims in NGFF's order: t, ch, pln, row, col."""
    return image.transpose(*[d for d in _AXES if d in image.dims])


def create_ome_zarr(path: str | os.PathLike[str], like: xr.DataArray,
                    chunks: dict[str, int], attrs: dict[str, Any]) -> Any:
    """Create an empty OME-Zarr image of ``like``'s dims, sizes, pixel type and calibration.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.zarr`` folder to create (replaced if it exists).
    like : xarray.DataArray
        The image to be written, canonical dims (lazy: it is not read).
    chunks : dict of str to int
        The chunk size along each dim of ``like`` (missing dims: 1 plane).
    attrs : dict of str to object
        JSON-able provenance, kept under the group's ``ij_bgcorr`` attr.

    Returns
    -------
    zarr.Array
        Level ``0``, dims in NGFF order (:func:`ngff_order`), to be filled.
    """
    import zarr

    ordered = ngff_order(like)
    cal = calibration_of(like)
    root = zarr.open_group(str(path), mode="w", zarr_format=2)
    level = root.create_array(
        "0", shape=ordered.shape, dtype=ordered.dtype, fill_value=0,
        chunks=tuple(min(chunks.get(d, 1), n) for d, n in ordered.sizes.items()),
        chunk_key_encoding={"name": "v2", "separator": "/"})
    steps = {"t": cal.frame_interval or 1.0, "ch": 1.0, "pln": cal.voxel_depth,
             "row": cal.pixel_height, "col": cal.pixel_width}
    origins = {"t": 0.0, "ch": 0.0, "pln": -cal.z_origin * cal.voxel_depth,
               "row": -cal.y_origin * cal.pixel_height, "col": -cal.x_origin * cal.pixel_width}
    root.attrs["multiscales"] = [{
        "version": "0.4", "name": str(like.attrs.get("title") or Path(path).stem),
        "axes": [_axis(d, cal) for d in ordered.dims],
        "datasets": [{"path": "0", "coordinateTransformations": [
            {"type": "scale", "scale": [float(steps[d]) for d in ordered.dims]},
            {"type": "translation", "translation": [float(origins[d]) for d in ordered.dims]},
        ]}],
    }]
    root.attrs["ij_bgcorr"] = {"calibration": cal.to_attrs(),
                               "rgb": bool(like.attrs.get("rgb")), **attrs}
    return level


def _axis(dim: str, cal: Calibration) -> dict[str, str]:
    name, kind = _AXES[dim]
    unit = {"time": cal.time_unit if cal.frame_interval > 0 else None,
            "space": cal.unit}.get(kind)
    return {"name": name, "type": kind, **({"unit": _UNITS[unit]} if unit in _UNITS else {})}


def open_ome_zarr(path: str | os.PathLike[str], chunks: Any = None) -> xr.DataArray:
    """Open an OME-Zarr image's full-resolution level lazily, as a Dask-backed DataArray.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.zarr`` folder (NGFF 0.4 or 0.5).
    chunks : int, tuple or dict, optional
        An int (or a (row, col) pair) of pixels along rows and columns, or a dict by
        dim name, one plane along the other dims (see
        :func:`~ij_bgcorr.image.arrays.plane_chunks`); or any chunks
        ``dask.array.from_zarr`` takes, in the store's axis order. Default: the
        store's own.

    Returns
    -------
    xarray.DataArray
        Canonical dims (``t, pln, row, col, ch``, those present), the calibration
        from the ``scale``/``translation`` of level 0 followed by those of the
        multiscales itself (or the one this package wrote), ``attrs["title"]`` the
        folder's name, ``attrs["source"]`` its path.

    Raises
    ------
    FileNotFoundError
        When there is no such folder.
    ImageFormatError
        When it is no OME-Zarr image, its axes are not t/c/z/y/x (each at most
        once), a ``scale`` or ``translation`` is not one finite number per axis (a
        scale above 0), or its pixel type is not uint8, uint16 or float32; and,
        when the pixels are computed, for a chunk that cannot be read or decoded.
    """
    import dask.array as da

    path = Path(path).resolve()  # Dask workers may run in other folders
    if not path.exists():
        raise FileNotFoundError(f"No such OME-Zarr image: {path}")
    root, meta, level, array, dims = _level_zero(path)
    if array.dtype not in NATIVE_DTYPES:
        raise ImageFormatError(f"{path} holds {array.dtype} pixels; ImageJ's types are "
                               f"uint8, uint16 and float32.")
    own = root.attrs.get("ij_bgcorr", {})
    rgb = bool(own.get("rgb", False))
    cal = (Calibration.from_attrs(own["calibration"]) if "calibration" in own
           else _calibration(path, dims, meta, level))
    chunks = array.chunks if chunks is None else plane_chunks(chunks, dims, ["ch"] * rgb)
    # Dask's token of a Zarr array names its store, not its pixels: a folder rewritten
    # with other pixels would be taken for the one read before; each open is its own image
    values = da.from_array(array, chunks=chunks, name=f"ome-zarr-{uuid.uuid4().hex}",
                           getitem=partial(_read_chunk, folder=str(path)))
    image = xr.DataArray(values, dims=dims)
    order = [d for d in ("t", "pln", "row", "col", "ch") if d in dims]
    image = image.transpose(*order)
    return labelled(image.data, order, cal,
                    {"rgb": rgb, "title": path.name, "source": str(path.absolute())})


def _level_zero(path: Path) -> tuple[Any, dict[str, Any], dict[str, Any], Any, list[str]]:
    """Return the group, its first multiscales entry, level 0's entry and array, and its dims."""
    import zarr

    try:
        root = zarr.open_group(str(path), mode="r")
        meta = root.attrs.get("ome", root.attrs)["multiscales"][0]
        level = meta["datasets"][0]
        array = root[level["path"]]
        names = [a["name"] if isinstance(a, dict) else a for a in meta["axes"]]
        dims = [_DIMS[n.lower()] for n in names]
        ndim = array.ndim
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, OSError) as exc:
        raise ImageFormatError(f"{path} is not an OME-Zarr image this package reads "
                               f"(multiscales level 0 with t/c/z/y/x axes): {exc!r}") from exc
    if len(set(dims)) < len(dims):
        raise ImageFormatError(f"{path} names an axis twice (axes {names}); each of "
                               f"t/c/z/y/x may appear once.")
    if len(dims) != ndim:
        raise ImageFormatError(f"{path} lists {len(dims)} axes ({names}) for a level 0 of "
                               f"{ndim} dimensions.")
    return root, meta, level, array, dims


def _read_chunk(array: Any, region: Any, asarray: bool = True, lock: Any = None, *,
               folder: str) -> Any:
    """Read one chunk of an OME-Zarr level for Dask, an undecodable chunk an ImageFormatError.

    Parameters
    ----------
    array : zarr.Array
        The level read.
    region : tuple of slice
        The chunk's region.
    asarray : bool, default True
        Return a numpy array.
    lock : lock, optional
        Held while reading.
    folder : str
        The ``.zarr`` folder, for the message.

    Returns
    -------
    numpy.ndarray
        The chunk's pixels.

    Raises
    ------
    ImageFormatError
        When the stored chunk cannot be read or decoded (a damaged file).
    """
    from dask.array.core import getter

    try:
        return getter(array, region, asarray=asarray, lock=lock)
    except (RuntimeError, ValueError, OSError, zlib.error) as exc:
        where = ", ".join(f"{s.start}:{s.stop}" if isinstance(s, slice) else str(s)
                          for s in (region if isinstance(region, tuple) else (region,)))
        raise ImageFormatError(f"{folder}: the pixels at [{where}] cannot be read; a chunk "
                               f"file of this OME-Zarr image is damaged: {exc}") from exc


def _calibration(path: Path, dims: list[str], meta: dict[str, Any],
                 level: dict[str, Any]) -> Calibration:
    """Read the calibration level 0's and the multiscales' transformations describe.

    NGFF maps a pixel index to a physical coordinate through level 0's
    ``coordinateTransformations`` and then the multiscales' own, each in its
    listed order: a ``scale`` multiplies the coordinate, a ``translation`` adds to it.
    """
    scale = dict.fromkeys(dims, 1.0)
    shift = dict.fromkeys(dims, 0.0)
    for where, owner in (("datasets[0]", level), ("multiscales", meta)):
        transforms = owner.get("coordinateTransformations", [])
        if not isinstance(transforms, list) or not all(isinstance(t, dict) for t in transforms):
            raise ImageFormatError(f"{path}: the coordinateTransformations of {where} are not "
                                   f"a list of transformations: {transforms!r}")
        for transform in transforms:
            kind = transform.get("type")
            if kind not in ("scale", "translation"):  # "identity", or none this reads
                continue
            values = dict(zip(dims, _vector(path, where, transform, len(dims)), strict=True))
            factor = values if kind == "scale" else dict.fromkeys(dims, 1.0)
            offset = values if kind == "translation" else dict.fromkeys(dims, 0.0)
            scale = {d: scale[d] * factor[d] for d in dims}
            shift = {d: shift[d] * factor[d] + offset[d] for d in dims}
    units = {_DIMS[a["name"].lower()]: a["unit"] for a in meta["axes"]
             if isinstance(a, dict) and isinstance(a.get("unit"), str)}
    space = next((units[d] for d in ("col", "row", "pln") if units.get(d)), None)
    return Calibration(
        pixel_width=scale.get("col", 1.0), pixel_height=scale.get("row", 1.0),
        voxel_depth=scale.get("pln", 1.0),
        unit=_IMAGEJ_UNITS.get(space, space) if space else "pixel",
        frame_interval=scale.get("t", 0.0) if units.get("t") else 0.0,
        time_unit=_IMAGEJ_UNITS.get(units.get("t"), "sec") if units.get("t") else "sec",
        x_origin=-shift.get("col", 0.0) / scale.get("col", 1.0),
        y_origin=-shift.get("row", 0.0) / scale.get("row", 1.0),
        z_origin=-shift.get("pln", 0.0) / scale.get("pln", 1.0))


def _vector(path: Path, where: str, transform: dict[str, Any], n: int) -> list[float]:
    """Return the numbers of a ``scale`` or ``translation``: ``n`` of them, finite, scales > 0."""
    kind = transform["type"]
    values = transform.get(kind)
    if (not isinstance(values, list) or len(values) != n
            or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values)):
        raise ImageFormatError(f"{path}: the {kind} of {where} must be a list of {n} numbers, "
                               f"one per axis; it is {values!r}")
    if not all(math.isfinite(v) for v in values):
        raise ImageFormatError(f"{path}: the {kind} of {where} is not finite: {values}")
    if kind == "scale" and not all(v > 0 for v in values):
        raise ImageFormatError(f"{path}: the scale of {where} must be above 0 along every "
                               f"axis: {values}")
    return [float(v) for v in values]
