"""Spatial and temporal calibration, as ImageJ keeps it and as xarray shows it.

ImageJ stores a pixel size, a unit, a z step and a frame interval in an
image's ``Calibration``. ij-bgcorr shows them on a DataArray twice: as
attributes (``pixel_width``, ``pixel_height``, ``voxel_depth``, ``unit``,
``frame_interval``, ``time_unit``, ``x_origin``, ``y_origin``, ``z_origin``)
and as coordinates of the dimensions ``col``, ``row``, ``pln`` and ``t`` in
those units. Where they disagree (after a crop), evenly spaced coordinates win.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from ij_bgcorr.errors import ImageFormatError


@dataclass(frozen=True)
class Calibration:
    """An image's calibration. Lengths in ``unit``, intervals in ``time_unit``.

    Origins are in pixels, as in ImageJ: the coordinate of column ``i`` is
    ``(i - x_origin) * pixel_width``.

    Attributes
    ----------
    pixel_width, pixel_height : float, default 1.0
        The size of a pixel along ``col`` (x) and ``row`` (y), in ``unit``.
    voxel_depth : float, default 1.0
        The z step between ``pln`` planes, in ``unit``.
    unit : str, default "pixel"
        The unit of lengths (e.g. ``"micron"``).
    frame_interval : float, default 0.0
        The time between ``t`` frames, in ``time_unit``; 0 when not calibrated
        (``t`` then counts frames).
    time_unit : str, default "sec"
        The unit of ``frame_interval``.
    x_origin, y_origin, z_origin : float, default 0.0
        The origin along ``col``, ``row`` and ``pln``, in pixels.

    Examples
    --------
    A calibration in microns, given to an image; its coordinates follow it:

    >>> cal = ijb.Calibration(pixel_width=0.25, pixel_height=0.25, unit="micron")
    >>> image = ijb.as_image(np.zeros((2, 4), dtype=np.uint8), calibration=cal)
    >>> image["col"].values.tolist(), image.attrs["unit"]
    ([0.0, 0.25, 0.5, 0.75], 'micron')
    >>> ijb.Calibration.from_attrs(image.attrs) == cal
    True
    """

    pixel_width: float = 1.0
    pixel_height: float = 1.0
    voxel_depth: float = 1.0
    unit: str = "pixel"
    frame_interval: float = 0.0
    time_unit: str = "sec"
    x_origin: float = 0.0
    y_origin: float = 0.0
    z_origin: float = 0.0

    def to_attrs(self) -> dict[str, Any]:
        """Return the calibration as a flat dict for ``DataArray.attrs``.

        Returns
        -------
        dict of str to float or str
            One entry per field, under the field's name.

        Examples
        --------
        >>> from ij_bgcorr import Calibration
        >>> attrs = Calibration(pixel_width=0.5, unit="micron").to_attrs()
        >>> attrs["pixel_width"], attrs["unit"], len(attrs)
        (0.5, 'micron', 9)
        """
        return asdict(self)

    @classmethod
    def from_attrs(cls, attrs: Mapping[str, Any]) -> Calibration:
        """Read the attributes written by :meth:`to_attrs`; missing ones keep defaults.

        Parameters
        ----------
        attrs : mapping of str to object
            E.g. a DataArray's attrs; keys that are not fields are ignored.

        Returns
        -------
        Calibration
            The calibration the attributes describe.

        Examples
        --------
        >>> from ij_bgcorr import Calibration
        >>> Calibration.from_attrs({"pixel_width": 0.2, "unit": "micron", "title": "x.tif"})
        ... # doctest: +NORMALIZE_WHITESPACE
        Calibration(pixel_width=0.2, pixel_height=1.0, voxel_depth=1.0, unit='micron',
                    frame_interval=0.0, time_unit='sec', x_origin=0.0, y_origin=0.0,
                    z_origin=0.0)
        """
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in attrs:
                kwargs[f.name] = str(attrs[f.name]) if f.type == "str" else float(attrs[f.name])
        return cls(**kwargs)

    @classmethod
    def from_coords(cls, coords: Mapping[str, np.ndarray], attrs: Mapping[str, Any]) -> Calibration:
        """Make a calibration from attributes and coordinates; evenly spaced coordinates win.

        Coordinates are what xarray keeps up to date when an image is cropped
        or subsampled (``isel``), so where they disagree with the attributes
        their spacing gives the pixel size and their first value the origin
        (a crop keeps its place). Attribute values that agree are kept as
        they are, so a calibration survives the round trip unchanged.

        Parameters
        ----------
        coords : mapping of str to numpy.ndarray
            1-D coordinates by dim name (``col``, ``row``, ``pln``, ``t``), in
            calibrated units.
        attrs : mapping of str to object
            The attributes written by :meth:`to_attrs`, if any.

        Returns
        -------
        Calibration
            The calibration the coordinates and attributes describe.
        """
        found = dict(attrs)
        defaults = cls()
        for dim, step_key, origin_key in (
            ("col", "pixel_width", "x_origin"),
            ("row", "pixel_height", "y_origin"),
            ("pln", "voxel_depth", "z_origin"),
            ("t", "frame_interval", None),
        ):
            values = coords.get(dim)
            if values is None or len(values) == 0:
                continue
            try:
                values = np.asarray(values, dtype=float)
            except (TypeError, ValueError):  # labels ("0h", "1h"): not a calibration
                continue
            step = float(found.get(step_key, getattr(defaults, step_key)))
            if len(values) >= 2:
                steps = np.diff(values)
                if not (steps[0] > 0 and np.allclose(steps, steps[0], rtol=1e-6)):
                    continue  # not a calibration ImageJ can hold: keep the attributes
                uncalibrated_time = dim == "t" and step <= 0 and steps[0] == 1
                if not (uncalibrated_time or math.isclose(step, steps[0], rel_tol=1e-6)):
                    step = found[step_key] = float(steps[0])
            if origin_key is None or step <= 0:
                continue
            origin = -values[0] / step
            if not math.isclose(origin, float(found.get(origin_key, 0.0)), abs_tol=1e-6):
                found[origin_key] = float(origin)
        return cls.from_attrs(found)

    def coords(self, sizes: Mapping[str, int]) -> dict[str, np.ndarray]:
        """Return coordinates, in calibrated units, for the dimensions in ``sizes``.

        Parameters
        ----------
        sizes : mapping of str to int
            The size of each dim; dims other than ``col``, ``row``, ``pln``, ``t``
            and ``ch`` get no coordinates.

        Returns
        -------
        dict of str to numpy.ndarray
            One 1-D array per dim: ``(i - origin) * step`` in ``unit`` for ``col``,
            ``row`` and ``pln``; multiples of ``frame_interval`` for ``t`` (of 1
            when it is not calibrated); the index for ``ch``.

        Examples
        --------
        >>> from ij_bgcorr import Calibration
        >>> cal = Calibration(pixel_width=0.5, pixel_height=0.5, x_origin=1, frame_interval=30.0)
        >>> {dim: values.tolist() for dim, values in cal.coords({"t": 2, "row": 2,
        ...                                                       "col": 3}).items()}
        {'col': [-0.5, 0.0, 0.5], 'row': [0.0, 0.5], 't': [0.0, 30.0]}
        """
        out: dict[str, np.ndarray] = {}
        for dim, step, origin in (
            ("col", self.pixel_width, self.x_origin),
            ("row", self.pixel_height, self.y_origin),
            ("pln", self.voxel_depth, self.z_origin),
        ):
            if dim in sizes:
                out[dim] = (np.arange(sizes[dim]) - origin) * step
        if "t" in sizes:
            step = self.frame_interval if self.frame_interval > 0 else 1.0
            out["t"] = np.arange(sizes["t"]) * step
        if "ch" in sizes:
            out["ch"] = np.arange(sizes["ch"])
        return out

    def coord_units(self) -> dict[str, str]:
        """Return the unit of each calibrated coordinate, for the coordinates' attrs.

        Returns
        -------
        dict of str to str
            ``unit`` for ``col``, ``row`` and ``pln``; ``time_unit`` for ``t``, or
            ``"frame"`` when there is no frame interval.

        Examples
        --------
        >>> from ij_bgcorr import Calibration
        >>> Calibration(unit="micron").coord_units()
        {'col': 'micron', 'row': 'micron', 'pln': 'micron', 't': 'frame'}
        >>> Calibration(frame_interval=2.0, time_unit="min").coord_units()["t"]
        'min'
        """
        time_unit = self.time_unit if self.frame_interval > 0 else "frame"
        return {"col": self.unit, "row": self.unit, "pln": self.unit, "t": time_unit}


# -- ImageJ's TIFF description ---------------------------------------------------------
#: Length units ImageJ names, in metres (for a y or z unit other than x's)
_METRES = {"pm": 1e-12, "Å": 1e-10, "angstrom": 1e-10, "nm": 1e-9, "micron": 1e-6,
           "mm": 1e-3, "cm": 1e-2, "m": 1.0, "meter": 1.0, "metre": 1.0, "km": 1e3,
           "inch": 0.0254, "in": 0.0254, "mil": 2.54e-5}
#: TIFF ResolutionUnit → unit name, for files without ImageJ's own unit
RESOLUTION_UNITS = {2: "inch", 3: "cm"}


def unescaped(text: str) -> str:
    r"""Undo ImageJ's escapes: its description is ASCII, other characters are ``\uXXXX``.

    Java writes UTF-16 code units: a character above U+FFFF is two escapes (a
    surrogate pair), joined back here.

    Parameters
    ----------
    text : str
        A value of ImageJ's description.

    Returns
    -------
    str
        The text.

    Examples
    --------
    >>> unescaped("\\u00C5") == "\u00c5", unescaped("\\uD83E\\uDDA0") == "\U0001f9a0"
    (True, True)
    """
    def joined(found: re.Match[str]) -> str:
        units = re.findall(r"\\u([0-9A-Fa-f]{4})", found[0])
        data = b"".join(int(unit, 16).to_bytes(2, "big") for unit in units)
        return data.decode("utf-16-be", "surrogatepass")

    return re.sub(r"(?:\\u[0-9A-Fa-f]{4})+", joined, text)


def escaped(text: str) -> str:
    r"""Escape what is not ASCII as ImageJ (Java) does: ``\uXXXX`` per UTF-16 code unit.

    Parameters
    ----------
    text : str
        A unit's name.

    Returns
    -------
    str
        ASCII text that :func:`unescaped` reads back as ``text``.

    Examples
    --------
    >>> escaped("\u00c5"), escaped("\U0001f9a0")
    ('\\u00C5', '\\uD83E\\uDDA0')
    """
    out = []
    for char in text:
        if ord(char) < 128:
            out.append(char)
        else:
            data = char.encode("utf-16-be", "surrogatepass")
            out.extend(f"\\u{int.from_bytes(data[i:i + 2], 'big'):04X}"
                       for i in range(0, len(data), 2))
    return "".join(out)


def unit_name(unit: Any) -> str:
    """Name a unit of ImageJ's description or of the TIFF tags as ImageJ does ("micron")."""
    text = unescaped(str(unit))
    return "micron" if text in ("µm", "μm", "um") else text


def _in_unit(size: float, unit: str, target: str, what: str) -> float:
    """``size`` in ``unit`` converted to ``target``; both must be lengths ImageJ names."""
    if unit == target:
        return size
    if unit not in _METRES or target not in _METRES:
        raise ValueError(f"its {what} is in {unit!r} and the x unit is {target!r}, which "
                         f"cannot be converted to one unit (an image here has one unit "
                         f"of length); set one unit in ImageJ (Image > Properties) first")
    return size * _METRES[unit] / _METRES[target]


def _pixel_size(resolution: Any) -> float:
    if not resolution:
        return 1.0
    num, den = resolution
    return float(den) / float(num) if num else 1.0


def tiff_calibration(meta: Mapping[str, Any], x_res: Any, y_res: Any,
                     tiff_unit: str) -> Calibration:
    """Read the calibration of ImageJ's metadata, or else of the TIFF resolution tags.

    A y or z unit of its own (``yunit=``, ``zunit=``, written by ImageJ when it
    differs from x's) is converted to x's unit.

    Parameters
    ----------
    meta : mapping of str to object
        ImageJ's description, parsed (empty for other files).
    x_res, y_res : tuple of int or None
        The XResolution and YResolution tags (pixels per unit), if any.
    tiff_unit : str
        The ResolutionUnit tag's unit, for files without ImageJ's own.

    Returns
    -------
    Calibration
        The calibration, lengths in one unit.

    Raises
    ------
    ValueError
        When the y or z unit is no length that converts to the x unit.
    """
    unit = unit_name(meta.get("unit", tiff_unit if x_res else "pixel"))
    height, depth = _pixel_size(y_res), float(meta.get("spacing", 1.0))
    if "yunit" in meta:
        height = _in_unit(height, unit_name(meta["yunit"]), unit, "pixel height")
    if "zunit" in meta:
        depth = _in_unit(depth, unit_name(meta["zunit"]), unit, "voxel depth")
    return Calibration(
        pixel_width=_pixel_size(x_res), pixel_height=height, voxel_depth=depth, unit=unit,
        frame_interval=float(meta.get("finterval", 0.0)),
        time_unit=unescaped(str(meta.get("tunit", "sec"))),
        x_origin=float(meta.get("xorigin", 0.0)), y_origin=float(meta.get("yorigin", 0.0)),
        z_origin=float(meta.get("zorigin", 0.0)),
    )


def described_samples(path: Path, axes: str, shape: tuple[int, ...],
                      meta: Mapping[str, Any]) -> str:
    """Name a single page's samples (tifffile's ``S`` of ``axes``) as ImageJ does.

    ImageJ reads them as a stack and sizes it by its description's channels, slices and
    frames (``meta``) when their product is the stack's size; else the samples are
    channels. A stack two of them divide is refused, naming ``path``.
    """
    if "S" not in axes or any(n > 1 for a, n in zip(axes, shape, strict=True) if a not in "SYX"):
        return axes
    keys = {"C": "channels", "Z": "slices", "T": "frames"}
    sizes = {a: int(meta.get(k, 1)) for a, k in keys.items()}
    named = [a for a, n in sizes.items() if n > 1]
    if np.prod(list(sizes.values())) != shape[axes.index("S")] or not named:
        return axes
    if len(named) > 1:
        raise ImageFormatError(f"{path}: its ImageJ description sizes {sizes} (C, Z, T) split "
                               f"its page's samples (axes {axes!r}) over several dimensions, "
                               f"which is not read here.")
    return axes.replace("S", named[0])
