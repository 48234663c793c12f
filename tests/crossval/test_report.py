"""The cross-validation figure and report: display ranges, colour and scale bars, the line."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
from PIL import Image

import ij_bgcorr as ijb
from ij_bgcorr import data, reference
from ij_bgcorr.cli.main import main
from ij_bgcorr.crossval import report
from ij_bgcorr.crossval import validate as crossval
from ij_bgcorr.crossval.compare import compare
from ij_bgcorr.image.calibration import Calibration

ENGINE = "ImageJ 1.53t (embedded)"
NOISY = "xy_8bit__two_spots_noisy_uneven_background"


def _result(image, lesson_scale: float = 1.0) -> crossval.CrossValidation:
    """A median cross-validation built from the references (no engine); the lesson's
    background scaled so that its range differs from Fiji's."""
    image = ijb.as_image(image)
    fiji = reference.median(image, 3).assign_attrs(engine="embedded", imagej_version="1.53t99")
    backgrounds = {"fiji": fiji, "lesson": reference.median(image, 3, kind="lesson")
                   * lesson_scale, "imagej": reference.median(image, 3)}
    comparisons = {k: compare(fiji, bg, radius=3) for k, bg in backgrounds.items() if k != "fiji"}
    return crossval.CrossValidation("median", 3, image, backgrounds, comparisons)


def _calibrated() -> xr.DataArray:
    """The lesson image with 0.2 µm pixels."""
    return ijb.as_image(data.load(data.SPOTS).values, calibration=Calibration(
        pixel_width=0.2, pixel_height=0.2, unit="micron"))



def _panel(fig, *words: str):
    """The one panel whose title holds every word."""
    (ax,) = [ax for ax in fig.axes if all(w in ax.get_title() for w in words)]
    return ax


def _image_panels(fig) -> list:
    """Panels showing an image (the colour bars' own axes left out)."""
    bars = {im.colorbar.ax for ax in fig.axes for im in ax.images if im.colorbar is not None}
    return [ax for ax in fig.axes if ax.images and ax not in bars]


def test_background_panels_share_one_display_range(figure_of):
    result = _result(data.load(data.SPOTS), lesson_scale=0.5)
    fig = figure_of(result)
    planes = [np.asarray(result.image, float)] + [np.asarray(result.backgrounds[k], float)
                                                  for k in ("fiji", "lesson", "imagej")]
    expected = (min(p.min() for p in planes), max(p.max() for p in planes))
    shown = [ax for ax in _image_panels(fig) if "−" not in ax.get_title()]
    assert len(shown) == 4
    for ax in shown:
        assert ax.images[0].get_clim() == pytest.approx(expected), ax.get_title()
    diff = np.asarray(result.backgrounds["fiji"], float) - planes[2]
    limit = max(1.0, np.abs(diff).max())
    lesson_map = _panel(fig, f"{ENGINE} −", "scikit-image")
    assert lesson_map.images[0].get_clim() == pytest.approx((-limit, limit))


def _colour_bars(fig) -> dict[str, str]:
    """Panel title: label of the colour bar made for that panel's image."""
    return {ax.get_title(): im.colorbar.ax.get_ylabel() for ax in fig.axes for im in ax.images
            if im.colorbar is not None}


def test_colour_bars_are_labelled(figure_of):
    bars = _colour_bars(figure_of(_result(data.load(data.SPOTS))))
    assert sorted(set(bars.values())) == ["engine − reference (grey value)",
                                          "grey value (8-bit)"]
    floats = _colour_bars(figure_of(_result(data.load(data.SPOTS).astype(np.float32))))
    assert "grey value (32-bit)" in floats.values()


def _scale_bars(ax) -> list[AnchoredSizeBar]:
    return [a for a in ax.artists if isinstance(a, AnchoredSizeBar)]


def test_scale_bar_only_on_calibrated_images(figure_of):
    fig = figure_of(_result(_calibrated()))
    assert len(_image_panels(fig)) == 6  # input, 3 backgrounds, 2 difference maps
    for ax in _image_panels(fig):
        (bar,) = _scale_bars(ax)
        assert bar.txt_label.get_text() == "10 µm"  # 256 px x 0.2 µm: a fifth is 10.24 µm
        (rect,) = bar.size_bar.get_children()
        assert rect.get_width() == pytest.approx(50)  # 10 µm / 0.2 µm per pixel
    profile = _panel(fig, "values along the default line")
    assert profile.get_xlabel() == "distance from start (µm)"
    # the default line runs from x=25 to x=230: 205 px = 41 µm
    assert profile.get_lines()[0].get_xdata()[-1] == pytest.approx(41.0)

    plain = figure_of(_result(data.load(data.SPOTS)))
    assert not any(_scale_bars(ax) for ax in _image_panels(plain))
    assert _panel(plain, "values along the lesson's polyline").get_xlabel() == \
        "distance from start (pixels)"


def test_line_start_is_marked_and_title_names_the_input(figure_of):
    fig = figure_of(_result(data.load(data.SPOTS)))
    for ax in _image_panels(fig):
        assert "start" in [t.get_text() for t in ax.texts], ax.get_title()
        xs, ys = ax.get_lines()[0].get_data()
        assert list(zip(xs, ys, strict=True)) == list(report.LESSON_POLYLINE)
    assert "xy_8bit__some_spots_with_uneven_bg.tif" in fig.get_suptitle()


def test_png_is_saved_at_150_dpi(tmp_path):
    result = _result(data.load(data.SPOTS))
    path = report.save_figure(result, tmp_path / "fig.png")
    with Image.open(path) as png:
        assert min(png.info["dpi"]) >= 149.5
        width, height = png.size
    fig = report.build_figure(result)
    fig_width, fig_height = fig.get_size_inches()
    plt.close(fig)
    assert (width, height) == (round(fig_width * 150), round(fig_height * 150))


def test_lesson_polyline_only_on_the_lesson_image():
    spots = data.load(data.SPOTS)
    assert report.choose_line(spots) == report.ProfileLine(report.LESSON_POLYLINE, "lesson")
    unnamed = ijb.as_image(spots.values)  # same pixels, no file
    cropped = spots.isel(row=slice(0, 200))  # the file's name, another size
    noisy = data.load(NOISY)
    assert report.choose_line(unnamed) == report.ProfileLine(((25, 128), (230, 128)), "default")
    assert report.choose_line(cropped).vertices == ((25, 100), (230, 100))
    assert report.choose_line(noisy) == report.ProfileLine(((40, 200), (360, 200)), "default")
    given = report.choose_line(noisy, [(0, 0), (399, 399), (5, 6)])
    assert given == report.ProfileLine(((0, 0), (399, 399), (5, 6)), "user")


def test_vertices_outside_the_image_are_refused_not_clipped():
    spots = data.load(data.SPOTS)
    with pytest.raises(ValueError, match=r"vertex 1 \(10, 256\) lies outside the 256x256"):
        report.choose_line(spots, [(0, 0), (10, 256)])
    with pytest.raises(ValueError, match=r"vertex 0 \(-1, 5\)"):
        report.polyline_profile(spots.values, [(-1, 5), (10, 10)])
    with pytest.raises(ValueError, match="at least two vertices"):
        report.choose_line(spots, [(3, 3)])
    assert report.polyline_profile(spots.values, [(0, 0), (255, 0)]).tolist() == \
        spots.values[0].astype(float).tolist()


@pytest.mark.parametrize("text", ["1,2,3", "1,2", "", "a,b,c,d", "1.5,2,3,4", "1,2,,4"])
def test_parse_line_refuses_bad_input(text):
    with pytest.raises(ValueError):
        report.parse_line(text)


def test_parse_line():
    assert report.parse_line("1,2,3,4") == ((1, 2), (3, 4))
    assert report.parse_line(" 10, 20,30,40 ,50,60") == ((10, 20), (30, 40), (50, 60))


@pytest.mark.parametrize(("line", "message"), [
    ("1,2,3", "even number"), ("1,2,x,4", "not a list of integers"),
    ("0,0,300,10", "vertex 1 (300, 10) lies outside"),
])
def test_compare_command_refuses_a_bad_line(tmp_path, spots_path, line, message):
    # refused before the engine starts: no Java needed
    res = CliRunner().invoke(main, ["compare", str(spots_path), "--line", line,
                                    "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    assert "'--line'" in res.output and message in res.output
    assert not (tmp_path / "out").exists()


def test_compare_command_names_files_after_input_and_method(fiji, tmp_path, spots_path,
                                                            noisy_path):
    runner = CliRunner()
    out = tmp_path / "out"
    for path in (spots_path, noisy_path):
        res = runner.invoke(main, ["compare", str(path), "--method", "median", "--radius", "3",
                                   "--out", str(out)])
        assert res.exit_code == 0, res.output
        assert "| imagej | True | 0 |" in res.output
    names = {f"{stem}.median.{ext}" for stem in (data.SPOTS, NOISY) for ext in ("png", "md")}
    assert {p.name for p in out.iterdir()} == names
    spots_md = (out / f"{data.SPOTS}.median.md").read_text()
    assert f"![median]({data.SPOTS}.median.png)" in spots_md
    assert f"Figure: `{data.SPOTS}.median.png`" in spots_md
    assert "the lesson's polyline (99, 200) → (81, 121)" in spots_md
    assert "the default line" in (out / f"{NOISY}.median.md").read_text()

    res = runner.invoke(main, ["compare", str(noisy_path), "--radius", "3", "--line",
                               "10,20,300,20,300,390", "--out", str(out / "line")])
    assert res.exit_code == 0, res.output
    assert "the line given (10, 20) → (300, 20) → (300, 390)" in \
        (out / "line" / f"{NOISY}.median.md").read_text()


def test_maxproj_draws_the_projections_and_says_identical(fiji, figure_of):
    result = crossval.cross_validate(fiji, data.load(data.POLYP), "maxproj")
    assert "t" not in result.backgrounds["fiji"].dims  # a projection over time
    fig = figure_of(result)
    engine = report.authors(result)["fiji"]
    assert engine.startswith(("ImageJ 1.", "Fiji")) and engine in fig.get_suptitle()
    maps = [ax for ax in _image_panels(fig) if "−" in ax.get_title()]
    assert len(maps) == 2
    total = 313 * 313
    for ax in maps:
        assert engine in ax.get_title()
        assert any(t.get_text() == f"identical: 0 pixels differ\n(of {total:,})"
                   for t in ax.texts), ax.get_title()
        assert ax.images[0].get_clim() == (-1.0, 1.0)
    projections = [ax for ax in _image_panels(fig) if "maximum projection" in ax.get_title()]
    assert len(projections) == 3
    assert _panel(fig, "difference along the line").get_xlabel() == ""
    text = report.markdown(result, "polyp.maxproj.png")
    assert "Line profile (over the projections) along the default line" in text
    assert f"# maxproj: {engine} against the references" in text
    assert report.output_name(result) == "xyt_8bit_polyp.maxproj"


def test_compare_takes_the_same_radius_options_as_run_and_batch(tmp_path):
    from click.testing import CliRunner

    from ij_bgcorr import data
    from ij_bgcorr.cli.main import main

    image = str(data.path(data.SPOTS))
    res = CliRunner().invoke(main, ["compare", image, "--method", "rolling-ball", "--radius", "5",
                                    "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert "--radius: not an option of --method rolling-ball (its options: " in res.output
    res = CliRunner().invoke(main, ["compare", image, "--method", "median", "--rolling", "5",
                                    "--out", str(tmp_path)])
    assert res.exit_code == 2 and "--rolling: not an option of --method median" in res.output
