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

import os
import uuid
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
        from the ``scale``/``translation`` of level 0 (or the one this package wrote),
        ``attrs["title"]`` the folder's name, ``attrs["source"]`` its path.

    Raises
    ------
    FileNotFoundError
        When there is no such folder.
    ImageFormatError
        When it is no OME-Zarr image, its axes are not t/c/z/y/x, or its pixel type
        is not uint8, uint16 or float32.
    """
    import dask.array as da
    import zarr

    path = Path(path).resolve()  # Dask workers may run in other folders
    if not path.exists():
        raise FileNotFoundError(f"No such OME-Zarr image: {path}")
    try:
        root = zarr.open_group(str(path), mode="r")
        meta = root.attrs.get("ome", root.attrs)["multiscales"][0]
        level = meta["datasets"][0]
        array = root[level["path"]]
        names = [a["name"] if isinstance(a, dict) else a for a in meta["axes"]]
        dims = [_DIMS[n.lower()] for n in names]
    except (KeyError, IndexError, TypeError, ValueError, OSError) as exc:
        raise ImageFormatError(f"{path} is not an OME-Zarr image this package reads "
                               f"(multiscales level 0 with t/c/z/y/x axes): {exc!r}") from exc
    if array.dtype not in NATIVE_DTYPES:
        raise ImageFormatError(f"{path} holds {array.dtype} pixels; ImageJ's types are "
                               f"uint8, uint16 and float32.")
    own = root.attrs.get("ij_bgcorr", {})
    rgb = bool(own.get("rgb", False))
    cal = (Calibration.from_attrs(own["calibration"]) if "calibration" in own
           else _calibration(dims, level, meta["axes"]))
    chunks = array.chunks if chunks is None else plane_chunks(chunks, dims, ["ch"] * rgb)
    # Dask's token of a Zarr array names its store, not its pixels: a folder rewritten
    # with other pixels would be taken for the one read before; each open is its own image
    values = da.from_zarr(array, chunks=chunks, name=f"ome-zarr-{uuid.uuid4().hex}")
    image = xr.DataArray(values, dims=dims)
    order = [d for d in ("t", "pln", "row", "col", "ch") if d in dims]
    image = image.transpose(*order)
    return labelled(image.data, order, cal,
                    {"rgb": rgb, "title": path.name, "source": str(path.absolute())})


def _calibration(dims: list[str], level: dict[str, Any], axes: list[Any]) -> Calibration:
    """Read the calibration NGFF's level-0 transformations and axis units describe."""
    scale = dict.fromkeys(dims, 1.0)
    shift = dict.fromkeys(dims, 0.0)
    for transform in level.get("coordinateTransformations", []):
        if transform.get("type") == "scale":
            scale.update(zip(dims, map(float, transform["scale"]), strict=True))
        elif transform.get("type") == "translation":
            shift.update(zip(dims, map(float, transform["translation"]), strict=True))
    units = {_DIMS[a["name"].lower()]: a.get("unit") for a in axes if isinstance(a, dict)}
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

