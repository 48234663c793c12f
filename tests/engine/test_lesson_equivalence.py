"""The API gives, pixel for pixel, what the lesson's macro text gives in the same ImageJ."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import ij_bgcorr as ijb
from ij_bgcorr import workflows

MEDIAN_LESSON = """
open("{path}");
rename("input");
run("Duplicate...", "title=background");
run("Median...", "radius=15");
imageCalculator("Subtract create 32-bit", "input","background");
rename("foreground");
"""

MAXPROJ_LESSON = """
open("{path}");
rename("input");
run("Z Project...", "projection=[Max Intensity]");
rename("background");
imageCalculator("Subtract create 32-bit stack", "input","background");
rename("foreground");
"""


def test_median_workflow_equals_lesson_macro(fiji, spots_path):
    fiji.new_session()
    macro = fiji.run_macro(MEDIAN_LESSON.format(path=spots_path))
    img = ijb.open_image(spots_path)
    background, foreground = workflows.median_background(fiji, img, radius=15)
    assert background.dtype == np.uint8 and foreground.dtype == np.float32
    np.testing.assert_array_equal(background.values, macro["background"].values)
    np.testing.assert_array_equal(foreground.values, macro["foreground"].values)
    # the foreground really is input - background in float32
    expected = img.values.astype(np.float32) - background.values.astype(np.float32)
    np.testing.assert_array_equal(foreground.values, expected)
    assert background.attrs["macro_line"] == 'run("Median...", "radius=15");'
    assert foreground.attrs["macro_line"] == (
        'imageCalculator("Subtract create 32-bit", "input","background");')
    assert foreground.attrs["imagej_version"] == fiji.version


def test_max_projection_workflow_equals_lesson_macro(fiji, polyp_path):
    series = ijb.open_image(polyp_path)
    assert series.dims == ("t", "row", "col") and series.shape == (3, 313, 313)
    macro = fiji.run_macro(MAXPROJ_LESSON.format(path=polyp_path))
    background, foreground = workflows.max_projection_background(fiji, series)
    np.testing.assert_array_equal(background.values, macro["background"].values)
    np.testing.assert_array_equal(foreground.values, macro["foreground"].values)
    np.testing.assert_array_equal(background.values, series.values.max(axis=0))
    np.testing.assert_array_equal(
        foreground.values, series.values.astype(np.float32) - background.values[None])
    assert foreground.dims == ("t", "row", "col")


def test_max_projection_of_a_time_lapse_z_stack_equals_lesson_macro(fiji, tmp_path):
    """ImageJ's line without "all" projects the first frame's planes; all planes minus that."""
    import tifffile

    pixels = np.random.default_rng(5).integers(100, 4096, (3, 4, 20, 30), dtype=np.uint16)
    path = tmp_path / "tz.tif"
    tifffile.imwrite(path, pixels, imagej=True, metadata={"axes": "TZYX"})
    macro = fiji.run_macro(MAXPROJ_LESSON.format(path=path))
    background, foreground = workflows.max_projection_background(fiji, ijb.open_image(path))
    np.testing.assert_array_equal(background.values, macro["background"].values)
    np.testing.assert_array_equal(foreground.values, macro["foreground"].values)
    np.testing.assert_array_equal(background.values, pixels[0].max(axis=0))
    assert background.dims == ("row", "col") and foreground.dims == ("t", "pln", "row", "col")
    assert background.attrs["macro_line"] == 'run("Z Project...", "projection=[Max Intensity]");'
    # the command itself still projects every frame unless told otherwise
    every = fiji.z_project(pixels, "max")
    np.testing.assert_array_equal(every.values, pixels.max(axis=1))


OPTIONS = ["light_background", "sliding", "disable_smoothing", "create_background"]
WORDS = {"light_background": "light", "create_background": "create", "sliding": "sliding",
         "disable_smoothing": "disable"}


@pytest.mark.parametrize("flags", list(itertools.product([False, True], repeat=len(OPTIONS))))
def test_subtract_background_each_option_equals_macro(fiji, spots_path, flags):
    chosen = dict(zip(OPTIONS, flags, strict=True))
    img = ijb.open_image(spots_path)
    api = fiji.subtract_background(img, rolling=50, **chosen)
    order = ["light_background", "create_background", "sliding", "disable_smoothing"]
    words = " ".join(["rolling=50"] + [WORDS[k] for k in order if chosen[k]])
    line = f'run("Subtract Background...", "{words}");'
    assert api.attrs["macro_line"] == line
    macro = fiji.run_macro(f'open("{spots_path}");\n{line}')
    (only,) = macro.images.values()
    np.testing.assert_array_equal(api.values, only.values)
    assert not np.array_equal(api.values, img.values)


def test_rgb_separate_and_stack_options(fiji):
    rng = np.random.default_rng(3)
    rgb = ijb.as_image(rng.integers(0, 256, (40, 50, 3), dtype=np.uint8), dims=("row", "col", "ch"),
                       rgb=True)
    out = fiji.subtract_background(rgb, rolling=5, separate=True)
    assert out.attrs["macro_line"] == 'run("Subtract Background...", "rolling=5 separate");'
    assert out.dims == ("row", "col", "ch") and out.attrs["rgb"]
    stack = rng.integers(0, 4000, (3, 30, 30), dtype=np.uint16)
    res = fiji.subtract_background(stack, rolling=4)
    assert res.attrs["macro_line"].endswith('"rolling=4 stack");')
    # each plane is corrected on its own: same as running each plane alone
    for k in range(3):
        np.testing.assert_array_equal(res.values[k], fiji.subtract_background(stack[k], 4).values)
