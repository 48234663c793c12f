"""Conversion between labelled arrays and ImageJ 1.x ``ImagePlus`` objects.

Both directions copy each plane once, in bulk, through a direct NIO buffer
over the numpy memory. A zero-copy view of ImageJ's pixels is not possible:
they live on the Java heap, which the garbage collector may move, and JPype's
own buffer of a Java array is itself a copy. So results are ordinary,
writable numpy arrays that ImageJ can no longer change.

ImageJ's stack order is channel fastest, then z plane, then time frame.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ij_bgcorr.engine.java import java
from ij_bgcorr.errors import ImageFormatError
from ij_bgcorr.image.arrays import as_image, calibration_of, labelled, plane_sizes
from ij_bgcorr.image.calibration import Calibration

_JAVA_TYPES = {np.dtype(np.uint8): "JByte", np.dtype(np.uint16): "JShort",
               np.dtype(np.float32): "JFloat", np.dtype(np.uint32): "JInt",
               np.dtype(np.int32): "JInt"}
# ImagePlus.getType(): GRAY8, GRAY16, GRAY32, COLOR_256, COLOR_RGB
_IMAGEJ_DTYPES = {0: np.uint8, 1: np.uint16, 2: np.float32, 3: np.uint8}
_RGB_TYPE = 4


def _typed_buffer(array: np.ndarray) -> Any:
    """Make a Java NIO buffer of ``array``'s element type over its (contiguous) memory."""
    import jpype

    buffer = jpype.nio.convertToDirectBuffer(array).order(java.ByteOrder.nativeOrder())
    return {
        "JByte": lambda b: b, "JShort": lambda b: b.asShortBuffer(),
        "JFloat": lambda b: b.asFloatBuffer(), "JInt": lambda b: b.asIntBuffer(),
    }[_JAVA_TYPES[array.dtype]](buffer)


def _java_array(plane: np.ndarray) -> Any:
    """Make a new Java primitive array holding ``plane``'s values (one bulk copy)."""
    import jpype

    plane = np.ascontiguousarray(plane)
    out = jpype.JArray(getattr(jpype, _JAVA_TYPES[plane.dtype]))(plane.size)
    if plane.size:
        _typed_buffer(plane).get(out)
    return out


def _pack_rgb(plane: np.ndarray) -> np.ndarray:
    """(row, col, 3) uint8 → ImageJ's packed 0xffRRGGBB, as uint32."""
    p = plane.astype(np.uint32)
    return np.uint32(0xFF000000) | (p[..., 0] << 16) | (p[..., 1] << 8) | p[..., 2]


def to_imageplus(image: Any, title: str = "image") -> Any:
    """Make a new ``ij.ImagePlus`` from a DataArray or numpy array.

    The planes are copied: ImageJ may change its image without touching the
    caller's array. Calibration attrs/coords become the ImagePlus'
    ``Calibration``.

    Parameters
    ----------
    image : numpy.ndarray or xarray.DataArray
        Any image :func:`~ij_bgcorr.image.arrays.as_image` takes: any dims; uint8, uint16
        or float32 (others converted); RGB (``attrs["rgb"]``) as ImageJ's RGB colour.
    title : str, default "image"
        The ImagePlus' title.

    Returns
    -------
    ij.ImagePlus
        A stack of the image's planes in ImageJ's order, with its channels, slices and
        frames set; a hyperstack when it has several channels, or several slices and frames.

    Raises
    ------
    ImageFormatError
        When ``image`` is not one ImageJ can hold.

    Warns
    -----
    ImageConversionWarning
        When its pixel type is converted.
    """
    image = as_image(image)
    nc, nz, nt = plane_sizes(image)
    rgb = bool(image.attrs.get("rgb"))
    values = image.values
    height, width = image.sizes["row"], image.sizes["col"]
    full = values.reshape(
        image.sizes.get("t", 1), image.sizes.get("pln", 1), height, width,
        image.sizes.get("ch", 1),
    )
    stack = java.ImageStack(width, height)
    for t in range(nt):
        for z in range(nz):
            if rgb:
                stack.addSlice("", _java_array(_pack_rgb(full[t, z])))
                continue
            for c in range(nc):
                stack.addSlice("", _java_array(full[t, z, :, :, c]))
    imp = java.ImagePlus(title, stack)
    imp.setDimensions(nc, nz, nt)
    if sum(n > 1 for n in (nc, nz, nt)) > 1 or nc > 1:
        imp.setOpenAsHyperStack(True)
    _set_calibration(imp, calibration_of(image))
    return imp


def _set_calibration(imp: Any, cal: Calibration) -> None:
    jcal = imp.getCalibration()
    jcal.pixelWidth = cal.pixel_width
    jcal.pixelHeight = cal.pixel_height
    jcal.pixelDepth = cal.voxel_depth
    jcal.setUnit(cal.unit)
    jcal.frameInterval = cal.frame_interval
    jcal.setTimeUnit(cal.time_unit)
    jcal.xOrigin = cal.x_origin
    jcal.yOrigin = cal.y_origin
    jcal.zOrigin = cal.z_origin


def _get_calibration(imp: Any) -> Calibration:
    jcal = imp.getCalibration()
    return Calibration(
        pixel_width=float(jcal.pixelWidth), pixel_height=float(jcal.pixelHeight),
        voxel_depth=float(jcal.pixelDepth), unit=str(jcal.getUnit()),
        frame_interval=float(jcal.frameInterval), time_unit=str(jcal.getTimeUnit()),
        x_origin=float(jcal.xOrigin), y_origin=float(jcal.yOrigin), z_origin=float(jcal.zOrigin),
    )


def _plane_values(pixels: Any, dtype: type, height: int, width: int) -> np.ndarray:
    """Copy one ImageJ plane into a new numpy array (one bulk copy)."""
    out = np.empty((height, width), dtype=dtype)
    _typed_buffer(out).put(pixels)
    return out


def _unpack_rgb(packed: np.ndarray) -> np.ndarray:
    rgb = packed.view(np.uint32)
    return np.stack([(rgb >> s) & 0xFF for s in (16, 8, 0)], axis=-1).astype(np.uint8)


def from_imageplus(imp: Any, attrs: dict[str, Any] | None = None) -> xr.DataArray:
    """Convert an ``ij.ImagePlus`` to a new DataArray.

    Parameters
    ----------
    imp : ij.ImagePlus
        An 8-bit, 16-bit, 32-bit, 8-bit colour or RGB image.
    attrs : dict of str to object, optional
        Added to the result's attrs (e.g. provenance).

    Returns
    -------
    xarray.DataArray
        Dimensions follow ``(t, pln, row, col, ch)``, each present only when its
        size exceeds 1 (``row`` and ``col`` always; ``ch`` always for RGB). uint8,
        uint16 or float32; RGB as uint8 with ``attrs["rgb"]``. The ImagePlus'
        calibration and title are in the attrs and coordinates; its title is also
        the DataArray's name.

    Raises
    ------
    ImageFormatError
        For any other ImagePlus type.
    """
    kind = int(imp.getType())
    if kind not in _IMAGEJ_DTYPES and kind != _RGB_TYPE:
        raise ImageFormatError(f"Unsupported ImagePlus type {kind} for {imp.getTitle()}.")
    width, height = int(imp.getWidth()), int(imp.getHeight())
    nc, nz, nt = int(imp.getNChannels()), int(imp.getNSlices()), int(imp.getNFrames())
    stack = imp.getStack()
    dtype = np.int32 if kind == _RGB_TYPE else _IMAGEJ_DTYPES[kind]
    planes = [_plane_values(stack.getPixels(i + 1), dtype, height, width)
              for i in range(int(stack.getSize()))]
    if kind == _RGB_TYPE:
        planes = [_unpack_rgb(p) for p in planes]
        values = np.stack(planes).reshape(nt, nz, height, width, 3)
    elif len(planes) == 1:
        values = planes[0].reshape(1, 1, height, width, 1)
    else:
        values = np.stack(planes).reshape(nt, nz, nc, height, width).transpose(0, 1, 3, 4, 2)
    names = ("t", "pln", "row", "col", "ch")
    keep = [i for i, n in enumerate(values.shape)
            if names[i] in ("row", "col") or n > 1 or (names[i] == "ch" and kind == _RGB_TYPE)]
    values = values.reshape([values.shape[i] for i in keep])
    out = labelled(values, [names[i] for i in keep], _get_calibration(imp),
                   {"title": str(imp.getTitle()), "rgb": kind == _RGB_TYPE})
    out.attrs.update(attrs or {})
    out.name = out.attrs["title"]  # as PyImageJ names an image: by its title
    return out
