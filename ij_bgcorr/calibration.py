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
        """The calibration as a flat dict for ``DataArray.attrs``."""
        return asdict(self)

    @classmethod
    def from_attrs(cls, attrs: Mapping[str, Any]) -> Calibration:
        """Read the attributes written by :meth:`to_attrs`; missing ones keep defaults."""
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in attrs:
                kwargs[f.name] = str(attrs[f.name]) if f.type == "str" else float(attrs[f.name])
        return cls(**kwargs)

    @classmethod
    def from_coords(cls, coords: Mapping[str, np.ndarray], attrs: Mapping[str, Any]) -> Calibration:
        """Calibration from attributes and coordinates; evenly spaced coordinates win.

        Coordinates are what xarray keeps up to date when an image is cropped
        or subsampled (``isel``), so where they disagree with the attributes
        their spacing gives the pixel size and their first value the origin
        (a crop keeps its place). Attribute values that agree are kept as
        they are, so a calibration survives the round trip unchanged.
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
            values = np.asarray(values, dtype=float)
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
        """Coordinates, in calibrated units, for the dimensions in ``sizes``."""
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
        """The unit of each calibrated coordinate, for the coordinates' attrs."""
        time_unit = self.time_unit if self.frame_interval > 0 else "frame"
        return {"col": self.unit, "row": self.unit, "pln": self.unit, "t": time_unit}
