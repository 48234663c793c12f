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
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np


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
