"""The calibrated 16-bit sample ships with its calibration, its source and its licence."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import tifffile
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from ij_bgcorr import data, reference
from ij_bgcorr.crossval import report
from ij_bgcorr.crossval import validate as crossval
from ij_bgcorr.crossval.compare import compare
from ij_bgcorr.image.arrays import calibration_of


def test_the_sample_is_a_small_calibrated_16bit_imagej_tiff():
    path = data.path(data.CELL)
    assert path.name == "xy_16bit__cell_qpi.tif"
    assert path.stat().st_size < 2 * 1024 * 1024
    with tifffile.TiffFile(path) as tif:
        assert tif.is_imagej and tif.imagej_metadata["unit"] == "micron"
        x_res = tif.pages[0].tags["XResolution"].value
        assert x_res[1] / x_res[0] == np.float64(0.107)
        raw = tif.asarray()
    image = data.load(data.CELL)
    assert image.dtype == np.uint16 and dict(image.sizes) == {"row": 660, "col": 550}
    np.testing.assert_array_equal(image.values, raw)
    assert raw.max() > 255  # 16-bit values, not 8-bit ones in a 16-bit file
    assert np.all(raw % 257 == 0)  # the 8-bit original's levels, v -> 257 v
    cal = calibration_of(image)
    assert cal.pixel_width == np.float64(0.107) and cal.pixel_height == np.float64(0.107)
    assert cal.unit in ("micron", "µm")


def test_the_sample_is_attributed_and_kept_apart_from_the_lessons_images():
    attribution = (data.path(data.CELL).parent / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "xy_16bit__cell_qpi.tif" in attribution and "CC0" in attribution
    assert "scikit-image" in attribution and "0.107 µm" in attribution
    assert data.CELL not in data.names() and data.CELL in data.SAMPLES
    assert not any(url.endswith(f"{data.CELL}.tif") for url in data.local_copies())


def test_a_figure_of_the_sample_has_micron_scale_bars():
    image = data.load(data.CELL)
    engine = reference.median(image, 2).assign_attrs(engine="embedded",
                                                     imagej_version="1.53t99")
    backgrounds = {"fiji": engine, "lesson": reference.median(image, 2, kind="lesson"),
                   "imagej": reference.median(image, 2)}
    result = crossval.CrossValidation(
        "median", 2, image, backgrounds,
        {k: compare(engine, b, radius=2) for k, b in backgrounds.items() if k != "fiji"})
    fig = report.build_figure(result)
    try:
        bars = [a for ax in fig.axes for a in ax.artists if isinstance(a, AnchoredSizeBar)]
        assert len(bars) == 6
        # 550 px x 0.107 µm = 58.85 µm; a fifth is 11.8 µm: the bar is 10 µm
        assert {b.txt_label.get_text() for b in bars} == {"10 µm"}
        labels = {im.colorbar.ax.get_ylabel() for ax in fig.axes for im in ax.images
                  if im.colorbar is not None}
        assert "grey value (16-bit)" in labels
        (values,) = [ax for ax in fig.axes if ax.get_title().startswith("values along")]
        assert values.get_xlabel() == "distance from start (µm)"
    finally:
        plt.close(fig)
