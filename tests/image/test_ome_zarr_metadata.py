"""OME-Zarr metadata as NGFF 0.4 writes it, read into a calibration or refused with a reason.

Every folder here is written by hand: pixels with zarr, the group's
``.zattrs`` as literal JSON, so that the expected calibration follows from the
NGFF rules (a pixel index goes through level 0's transformations, then the
multiscales' own) and not from the reader under test.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ij_bgcorr as ijb
from ij_bgcorr.errors import ImageFormatError
from ij_bgcorr.image.ome_zarr import open_ome_zarr

PIXELS = np.arange(3 * 20 * 24, dtype=np.uint16).reshape(3, 20, 24)
MICRONS = [{"name": n, "type": "space", "unit": "micrometer"} for n in ("z", "y", "x")]


def _ome_zarr(folder: Path, dataset: list[dict[str, Any]], axes: list[Any] | None = None,
              **multiscales: Any) -> Path:
    """Write ``PIXELS`` as level ``0`` of ``folder``, with the transformations given."""
    import zarr

    root = zarr.open_group(str(folder), mode="w", zarr_format=2)
    root.create_array("0", shape=PIXELS.shape, dtype=PIXELS.dtype,
                      chunks=(1, 10, 12))[...] = PIXELS
    entry = {"version": "0.4", "axes": axes or MICRONS,
             "datasets": [{"path": "0", "coordinateTransformations": dataset}], **multiscales}
    (folder / ".zattrs").write_text(json.dumps({"multiscales": [entry]}))
    return folder


def test_the_multiscales_scale_multiplies_level_zeros(tmp_path):
    folder = _ome_zarr(tmp_path / "global.zarr", [{"type": "scale", "scale": [1, 1, 1]}],
                       coordinateTransformations=[{"type": "scale", "scale": [3, 0.2, 0.2]}])

    image = open_ome_zarr(folder)

    assert (image.attrs["voxel_depth"], image.attrs["pixel_height"],
            image.attrs["pixel_width"]) == pytest.approx((3.0, 0.2, 0.2))
    assert image.attrs["unit"] == "micron"
    assert image["col"].values[:3] == pytest.approx([0.0, 0.2, 0.4])


def test_translations_are_applied_in_order_level_zero_first(tmp_path):
    # column i: ((0.25 i + 20) * 2) + 1 = 0.5 i + 41; row j: ((0.5 j + 10) * 2) + 1 = j + 21
    folder = _ome_zarr(
        tmp_path / "both.zarr",
        [{"type": "scale", "scale": [2, 0.5, 0.25]},
         {"type": "translation", "translation": [0, 10, 20]}],
        coordinateTransformations=[{"type": "scale", "scale": [1, 2, 2]},
                                   {"type": "translation", "translation": [0, 1, 1]}])

    image = open_ome_zarr(folder)

    assert image["col"].values[:3] == pytest.approx([41.0, 41.5, 42.0])
    assert image["row"].values[:3] == pytest.approx([21.0, 22.0, 23.0])
    assert image["pln"].values == pytest.approx([0.0, 2.0, 4.0])
    assert (image.attrs["pixel_width"], image.attrs["x_origin"]) == pytest.approx((0.5, -82.0))
    assert (image.attrs["pixel_height"], image.attrs["y_origin"]) == pytest.approx((1.0, -21.0))


@pytest.mark.parametrize(("transform", "problem"), [
    ({"type": "scale", "scale": [0.0, 0.5, 0.5]}, "above 0"),
    ({"type": "scale", "scale": [1.0, -0.5, 0.5]}, "above 0"),
    ({"type": "scale", "scale": [1.0, 1.0]}, "3 numbers"),
    ({"type": "scale", "scale": ["a", 1, 1]}, "3 numbers"),
    ({"type": "scale", "scale": [True, 1, 1]}, "3 numbers"),
    ({"type": "scale"}, "3 numbers"),
    ({"type": "scale", "scale": [math.nan, 0.5, 0.5]}, "not finite"),
    ({"type": "translation", "translation": [0, math.inf, 0]}, "not finite"),
    ({"type": "translation", "translation": [0, 1, 2, 3]}, "3 numbers"),
])
def test_a_bad_scale_or_translation_is_refused_naming_folder_and_problem(
        tmp_path, transform, problem):
    folder = _ome_zarr(tmp_path / "bad.zarr", [{"type": "scale", "scale": [1, 1, 1]}, transform])

    with pytest.raises(ImageFormatError, match=problem) as raised:
        open_ome_zarr(folder)
    assert str(folder) in str(raised.value)
    assert transform["type"] in str(raised.value)


def test_a_bad_multiscales_transformation_is_refused(tmp_path):
    folder = _ome_zarr(tmp_path / "bad.zarr", [{"type": "scale", "scale": [1, 1, 1]}],
                       coordinateTransformations=[{"type": "scale", "scale": [1, 0, 1]}])

    with pytest.raises(ImageFormatError, match="scale of multiscales must be above 0"):
        open_ome_zarr(folder)


def test_transformations_that_are_no_list_are_refused(tmp_path):
    folder = _ome_zarr(tmp_path / "bad.zarr", [{"type": "scale", "scale": [1, 1, 1]}],
                       coordinateTransformations={"type": "scale", "scale": [1, 1, 1]})

    with pytest.raises(ImageFormatError, match="not a list of transformations"):
        open_ome_zarr(folder)


def test_an_axis_named_twice_is_refused(tmp_path):
    axes = [{"name": n, "type": "space"} for n in ("y", "y", "x")]
    folder = _ome_zarr(tmp_path / "dup.zarr", [{"type": "scale", "scale": [1, 1, 1]}], axes)

    with pytest.raises(ImageFormatError, match="names an axis twice") as raised:
        ijb.open_image(folder)
    assert str(folder) in str(raised.value)


def test_axes_that_do_not_match_the_array_are_refused(tmp_path):
    axes = [{"name": n, "type": "space"} for n in ("y", "x")]
    folder = _ome_zarr(tmp_path / "two.zarr", [{"type": "scale", "scale": [1, 1]}], axes)

    with pytest.raises(ImageFormatError, match="2 axes"):
        open_ome_zarr(folder)


def test_a_damaged_chunk_is_an_image_format_error_when_computed(tmp_path):
    folder = _ome_zarr(tmp_path / "damaged.zarr", [{"type": "scale", "scale": [1, 1, 1]}])
    chunk = folder / "0" / "1.1.1"  # zarr 2's key of the chunk at [1, 10:20, 12:24]
    assert chunk.is_file()
    chunk.write_bytes(b"garbage")

    image = ijb.open_image(folder)

    assert image.isel(pln=0).values.tolist() == PIXELS[0].tolist()  # other chunks read
    with pytest.raises(ImageFormatError, match="cannot be read") as raised:
        image.values  # noqa: B018 - computing is what fails
    assert str(folder) in str(raised.value)
    assert "1:2, 10:20, 12:24" in str(raised.value)
