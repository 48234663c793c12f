"""Conversion between labelled arrays and ImageJ 1.x ``ImagePlus`` objects.

Both directions copy each plane once, in bulk, through direct NIO buffers
over the numpy memory (large planes in chunks, on every core). A zero-copy
view of ImageJ's pixels is not possible: they live on the Java heap, which
the garbage collector may move, and JPype's own buffer of a Java array is
itself a copy. So results are ordinary, writable numpy arrays that ImageJ can
no longer change.

ImageJ's stack order is channel fastest, then z plane, then time frame.
"""

from __future__ import annotations

import mmap
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import xarray as xr

from ij_bgcorr.engine.java import java
from ij_bgcorr.errors import ImageFormatError
from ij_bgcorr.image.arrays import as_image, calibration_of, labelled, plane_sizes
from ij_bgcorr.image.calibration import Calibration
from ij_bgcorr.image.chunks import CHUNK_BYTES, in_chunks

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


def _bulk_copy(copy: Callable[[Any, int, int, int], None], planes: np.ndarray) -> None:
    """Run ``copy(buffer, plane, start, length)`` over chunks of ``planes``, on every core.

    The planes, flat one after the other, are cut into chunks of about
    `CHUNK_BYTES`: many small planes make one chunk, a large plane several.
    For each part of a plane in a chunk, ``buffer`` is a Java buffer over that
    part's memory, ``plane`` the plane's index, ``start`` the part's first
    element within the plane and ``length`` its number of elements.

    Parameters
    ----------
    copy : callable
        Copies one part between ``buffer`` and the plane's Java array.
    planes : numpy.ndarray, shape (plane, row, col), C-contiguous
        The numpy side of the copy.
    """
    flat = planes.reshape(planes.shape[0], -1)
    size = flat.shape[1]
    if not flat.size:
        return

    def parts(start: int, stop: int) -> None:
        for plane in range(start // size, (stop - 1) // size + 1):
            first, end = max(start - plane * size, 0), min(stop - plane * size, size)
            copy(_typed_buffer(flat[plane, first:end]), plane, first, end - first)

    in_chunks(parts, flat.size, max(CHUNK_BYTES // flat.itemsize, 1),
              helper_done=java.Thread.detach)


def java_arrays(planes: np.ndarray) -> list[Any]:
    """Make new Java primitive arrays holding the values of ``planes`` (one bulk copy).

    Parameters
    ----------
    planes : numpy.ndarray, shape (plane, row, col)
        uint8, uint16, float32, int32 or uint32 values.

    Returns
    -------
    list of Java arrays
        One flat array per plane (byte, short, float or int).
    """
    import jpype

    planes = np.ascontiguousarray(planes)
    java_type = jpype.JArray(getattr(jpype, _JAVA_TYPES[planes.dtype]))
    out = [java_type(planes[0].size) for _ in range(planes.shape[0])]
    _bulk_copy(lambda buffer, plane, start, length: buffer.get(out[plane], start, length),
               planes)
    return out


def _pack_rgb(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 → ImageJ's packed 0xffRRGGBB, as uint32."""
    p = rgb.astype(np.uint32)
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
    # the planes in ImageJ's order: channel fastest, then z plane, then time frame
    if rgb:
        planes = _pack_rgb(full).reshape(nt * nz, height, width)
    else:
        planes = full.transpose(0, 1, 4, 2, 3).reshape(nt * nz * nc, height, width)
    stack = java.ImageStack(width, height)
    for pixels in java_arrays(planes):
        stack.addSlice("", pixels)
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


def _unpack_rgb(packed: np.ndarray) -> np.ndarray:
    """ImageJ's packed 0xffRRGGBB (int32) → uint8 with a trailing axis of red, green, blue."""
    rgb = packed.view(np.uint32)
    out = np.empty((*rgb.shape, 3), dtype=np.uint8)
    for ch, shift in enumerate((16, 8, 0)):
        out[..., ch] = (rgb >> shift) & 0xFF
    return out


def _planes_dtype(kind: int) -> type:
    """Return the numpy type of the planes of an ImagePlus of type ``kind`` (RGB: packed int32)."""
    return np.int32 if kind == _RGB_TYPE else _IMAGEJ_DTYPES[kind]


def touched_planes(imp: Any) -> Future[np.ndarray] | None:
    """Start making an array for the planes of an image like ``imp``, its memory mapped.

    The system maps a new array's memory page by page as it is first written,
    which for hundreds of megabytes takes a good part of a second; done in a
    helper thread while ImageJ works, `from_imageplus` then copies into memory
    already mapped.

    Parameters
    ----------
    imp : ij.ImagePlus
        An image of the size and type of the one expected back.

    Returns
    -------
    concurrent.futures.Future of numpy.ndarray, or None
        The array, shape (plane, row, col), for `from_imageplus`'s ``planes``;
        None for an ImagePlus type `from_imageplus` does not take, or for an
        image under `CHUNK_BYTES` (mapped faster than a thread starts).
    """
    kind = int(imp.getType())
    if kind not in _IMAGEJ_DTYPES and kind != _RGB_TYPE:
        return None
    shape = (int(imp.getStackSize()), int(imp.getHeight()), int(imp.getWidth()))
    if np.prod(shape) * np.dtype(_planes_dtype(kind)).itemsize < CHUNK_BYTES:
        return None

    def touched() -> np.ndarray:
        planes = np.empty(shape, dtype=_planes_dtype(kind))
        planes.reshape(-1).view(np.uint8)[::mmap.PAGESIZE] = 0  # one byte maps a page
        return planes

    pool = ThreadPoolExecutor(1, "ij_bgcorr-touch")
    future = pool.submit(touched)
    pool.shutdown(wait=False)  # its thread ends with the task
    return future


def from_imageplus(imp: Any, attrs: dict[str, Any] | None = None,
                   planes: np.ndarray | None = None) -> xr.DataArray:
    """Convert an ``ij.ImagePlus`` to a new DataArray.

    Parameters
    ----------
    imp : ij.ImagePlus
        An 8-bit, 16-bit, 32-bit, 8-bit colour or RGB image.
    attrs : dict of str to object, optional
        Added to the result's attrs (e.g. provenance).
    planes : numpy.ndarray, optional
        A new array to copy the planes into (see `touched_planes`), used when
        its shape and type fit; the result may share its memory.

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
    pixels = [stack.getPixels(i + 1) for i in range(int(stack.getSize()))]
    # every plane is copied straight into its place in one array: no second copy of the stack
    shape, dtype = (len(pixels), height, width), _planes_dtype(kind)
    if planes is None or planes.shape != shape or planes.dtype != dtype:
        planes = np.empty(shape, dtype=dtype)
    _bulk_copy(lambda buffer, plane, start, length: buffer.put(pixels[plane], start, length),
               planes)
    if kind == _RGB_TYPE:
        values = _unpack_rgb(planes).reshape(nt, nz, height, width, 3)
    else:
        values = planes.reshape(nt, nz, nc, height, width).transpose(0, 1, 3, 4, 2)
    names = ("t", "pln", "row", "col", "ch")
    keep = [i for i, n in enumerate(values.shape)
            if names[i] in ("row", "col") or n > 1 or (names[i] == "ch" and kind == _RGB_TYPE)]
    values = values.reshape([values.shape[i] for i in keep])
    out = labelled(values, [names[i] for i in keep], _get_calibration(imp),
                   {"title": str(imp.getTitle()), "rgb": kind == _RGB_TYPE})
    out.attrs.update(attrs or {})
    out.name = out.attrs["title"]  # as PyImageJ names an image: by its title
    return out
