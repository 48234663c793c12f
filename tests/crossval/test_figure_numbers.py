"""The cross-validation figure carries its numbers and names who computed each panel.

Expected counts come from numpy on the backgrounds themselves, not from the
figure code; only the last test starts Java.
"""

from __future__ import annotations

import numpy as np
import pytest
import skimage
from skimage.filters import median
from skimage.morphology import disk

import ij_bgcorr as ijb
from ij_bgcorr import data, reference
from ij_bgcorr.crossval import panels, report
from ij_bgcorr.crossval import validate as crossval
from ij_bgcorr.crossval.compare import compare


def _median_result(image, radius: int = 3, attrs: dict | None = None,
                   lesson=None) -> crossval.CrossValidation:
    """A median cross-validation from the references, the engine's provenance attrs given."""
    image = ijb.as_image(image)
    engine = reference.median(image, radius).assign_attrs(
        attrs if attrs is not None else {"engine": "embedded", "imagej_version": "1.53t99"})
    backgrounds = {"fiji": engine,
                   "lesson": (lesson if lesson is not None
                              else reference.median(image, radius, kind="lesson")),
                   "imagej": reference.median(image, radius)}
    comparisons = {k: compare(engine, bg, radius=radius)
                   for k, bg in backgrounds.items() if k != "fiji"}
    return crossval.CrossValidation("median", radius, image, backgrounds, comparisons)



def _bars(fig) -> set:
    return {im.colorbar.ax for ax in fig.axes for im in ax.images if im.colorbar is not None}


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _map(fig, reference_name: str):
    (ax,) = [ax for ax in fig.axes if ax.images and " −\n" in ax.get_title()
             and reference_name in ax.get_title()]
    return ax


def test_difference_map_counts_the_differing_pixels(figure_of):
    image = data.load(data.SPOTS)
    result = _median_result(image, 15)
    engine = np.asarray(result.backgrounds["fiji"], dtype=np.int64)
    lesson = median(image.values, disk(15), mode="nearest").astype(np.int64)
    n_different = int(np.count_nonzero(engine != lesson))
    max_abs = int(np.abs(engine - lesson).max())
    assert n_different > 0 and max_abs == 1  # the kernels differ by a ring of pixels
    ax = _map(figure_of(result), "scikit-image")
    percent = f"{100 * n_different / engine.size:.2g}"
    assert f"{n_different:,} of {engine.size:,} pixels differ ({percent} %)\n" \
           f"max |difference| {max_abs}" in _texts(ax)
    im = ax.images[0]
    assert im.get_clim() == (-1.0, 1.0)  # ±1 at the ends of the colour scale
    assert im.get_cmap().name == panels.DIFF_CMAP
    np.testing.assert_array_equal(im.get_array(), engine - lesson)
    assert im.colorbar.ax.get_ylabel() == "engine − reference (grey value)"


def test_identical_map_says_so(figure_of):
    result = _median_result(data.load(data.SPOTS))
    ax = _map(figure_of(result), "ImageJ-matched")
    assert np.count_nonzero(np.asarray(result.backgrounds["fiji"])
                            != np.asarray(result.backgrounds["imagej"])) == 0
    assert "identical: 0 pixels differ\n(of 65,536)" in _texts(ax)
    assert ax.images[0].get_clim() == (-1.0, 1.0)  # still a scale, at least ±1


def test_the_line_panel_plots_engine_minus_reference(figure_of):
    image = ijb.as_image(data.load(data.SPOTS).values)  # unnamed: the default line, row 128
    result = _median_result(image, 15)
    engine = np.asarray(result.backgrounds["fiji"], float)[128, 25:231]
    lesson = np.asarray(result.backgrounds["lesson"], float)[128, 25:231]
    fig = figure_of(result)
    (ax,) = [ax for ax in fig.axes if ax.get_title().startswith("difference along the line")]
    curves = {line.get_label(): line.get_ydata() for line in ax.get_lines()
              if line.get_label().startswith("engine − ")}
    (lesson_curve,) = [y for label, y in curves.items() if "scikit-image" in label]
    (imagej_curve,) = [y for label, y in curves.items() if "ImageJ-matched" in label]
    np.testing.assert_array_equal(lesson_curve, engine - lesson)
    assert not np.any(imagej_curve)
    n = int(np.count_nonzero(engine != lesson))
    (counts,) = [t for t in _texts(ax) if "samples" in t]
    if n:
        max_abs = np.abs(engine - lesson).max()
        assert f"scikit-image {skimage.__version__}: {n} of {engine.size} samples differ, " \
               f"max |difference| {max_abs:g}" in counts
    assert f"ImageJ-matched: identical, 0 of {engine.size} samples differ" in counts
    low, high = ax.get_ylim()
    assert low <= -1 and high >= 1


@pytest.mark.parametrize(("attrs", "label"), [
    ({"engine": "embedded", "imagej_version": "1.53t99"}, "ImageJ 1.53t (embedded)"),
    ({"engine": "fiji", "imagej_version": "1.54m", "fiji_version": "2.14.0/1.54m"},
     "Fiji 2.14.0 / ImageJ 1.54m"),
    ({"engine": "fiji", "imagej_version": "1.54f"}, "Fiji (ImageJ 1.54f)"),
    ({}, "engine (no provenance)"),
])
def test_every_panel_names_who_computed_it(figure_of, attrs, label):
    fig = figure_of(_median_result(data.load(data.SPOTS), attrs=attrs))
    assert label in fig.get_suptitle()
    titles = [ax.get_title() for ax in fig.axes if ax.images and ax not in _bars(fig)]
    assert f"{label}\nbackground" in titles
    assert any(t.startswith("scikit-image ") and "(lesson)" in t for t in titles)
    assert any(t.startswith("ImageJ-matched (ij_bgcorr ") for t in titles)
    maps = [t for t in titles if " −\n" in t]
    assert len(maps) == 2 and all(t.startswith(f"{label} −\n") for t in maps)
    values = [ax for ax in fig.axes if ax.get_title().startswith("values along")][0]
    assert label in [line.get_label() for line in values.get_lines()]


@pytest.mark.parametrize("same", [False, True])
def test_no_panel_is_empty(figure_of, same):
    image = data.load(data.SPOTS)
    lesson = reference.median(image, 3) if same else None  # "same": nothing differs at all
    fig = figure_of(_median_result(image, lesson=lesson))
    panels_drawn = [ax for ax in fig.axes if ax not in _bars(fig)]
    assert len(panels_drawn) == 8  # 4 images, 2 difference maps, 2 line panels
    for ax in panels_drawn:
        drawn = ax.images or any(len(line.get_xdata()) > 1 for line in ax.get_lines())
        assert drawn, ax.get_title()
        assert ax.get_title(), "every panel is titled"
    if same:
        for ax in panels_drawn:
            if " −\n" in ax.get_title():
                assert any(t.startswith("identical: 0 pixels differ") for t in _texts(ax))


def test_imagej_version_reads_the_release():
    assert panels.imagej_version("1.53t99") == "1.53t"
    assert panels.imagej_version("1.54m") == "1.54m"
    assert panels.imagej_version("1.54g12") == "1.54g12"  # a daily build keeps its number


def test_engine_figure_names_the_engine_and_counts(fiji, figure_of, engine_kind):
    image = data.load(data.SPOTS)
    result = crossval.cross_validate(fiji, image, "median", 15)
    release = fiji.version.removesuffix("99")
    engine = report.authors(result)["fiji"]
    assert release in engine
    assert ("(embedded)" in engine) if engine_kind == "embedded" else engine.startswith("Fiji")
    fig = figure_of(result)
    lesson = median(image.values, disk(15), mode="nearest")
    n_different = int(np.count_nonzero(result.backgrounds["fiji"].values != lesson))
    ax = _map(fig, "scikit-image")
    assert ax.get_title().startswith(f"{engine} −\n")
    assert any(t.startswith(f"{n_different:,} of 65,536 pixels differ") for t in _texts(ax))
    assert "identical: 0 pixels differ\n(of 65,536)" in _texts(_map(fig, "ImageJ-matched"))


@pytest.mark.parametrize(("part", "whole", "text"), [
    (453, 65536, "0.69"), (4060, 65536, "6.2"), (65375, 65536, "99.8"),
    (65535, 65536, "> 99.9"), (0, 10, "0"), (1, 10**7, "< 0.001"),
])
def test_percentages_never_round_to_all_or_none(part, whole, text):
    assert panels.percent(part, whole) == text
