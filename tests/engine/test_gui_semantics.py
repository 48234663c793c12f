"""Macros run as in a freshly started Fiji GUI: no state between runs, no silent option.

Expected values here come from ImageJ's own rules (its default measurements,
its defaults for a fresh start) or from the same macro run alone, never from
the package.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import ij_bgcorr as ijb
from conftest import REPO
from ij_bgcorr import data
from ij_bgcorr.macro.files import shipped_macros

RAMP = 'newImage("a", "8-bit ramp", 64, 48, 1);\n'

# Each macro changes state a later macro could see, and reads such state. Run in two
# orders, each must give what it gives alone in a fresh ImageJ.
STATEFUL = {
    "line and plot": RAMP + "makeLine(5, 5, 50, 40);\nrun(\"Plot Profile\");",
    "restore selection": RAMP + 'run("Restore Selection");\nprint(selectionType());',
    "set measurements": RAMP + 'run("Set Measurements...", "area mean centroid perimeter '
                        'redirect=None decimal=5");\nmakeRectangle(3, 4, 10, 9);\nrun("Measure");',
    "measure": RAMP + 'makeRectangle(3, 4, 10, 9);\nrun("Measure");',
    "colours": 'setForegroundColor(10, 20, 30);\nsetBackgroundColor(1, 2, 3);\n'
               'newImage("c", "RGB black", 8, 8, 1);\nmakeRectangle(2, 2, 3, 3);\nrun("Fill");\n'
               'run("Clear Outside");',
    "fill": 'newImage("c", "RGB black", 8, 8, 1);\nmakeRectangle(2, 2, 3, 3);\nrun("Fill");\n'
            'run("Clear Outside");',
    "white background": 'run("Options...", "iterations=1 count=1");\n' + RAMP
                        + 'setThreshold(100, 255);\nrun("Convert to Mask");\n'
                        'print(is("Inverting LUT"));',
    "mask": RAMP + 'setThreshold(100, 255);\nrun("Convert to Mask");\nprint(is("Inverting LUT"));',
    "roi manager": RAMP + 'makeRectangle(1, 1, 5, 5);\nroiManager("add");\n'
                   'print(roiManager("count"));',
    "roi count": 'print(roiManager("count"));',
    "log": 'print("left in the log");',
    "log text": 'print("[" + getInfo("log") + "]");',
    "copy": RAMP + 'makeRectangle(1, 1, 5, 5);\nrun("Copy");',
    "paste": 'newImage("p", "8-bit black", 8, 8, 1);\nrun("Paste");',
    "conversions": 'run("Conversions...", " ");\nnewImage("f", "32-bit ramp", 8, 8, 1);\n'
                   'run("Multiply...", "value=1000");\nrun("8-bit");',
    "to 8-bit": 'newImage("f", "32-bit ramp", 8, 8, 1);\nrun("Multiply...", "value=1000");\n'
                'run("8-bit");',
}


def _outcome(engine: ijb.Engine, code: str) -> dict:
    try:
        result = engine.run_macro(code, timeout=60)
    except ijb.MacroError as exc:
        return {"error": (exc.message, exc.line)}
    return {"images": {t: im.values.tolist() for t, im in result.images.items()},
            "log": result.log, "results": result.results.to_dict("list"),
            "tables": {t: df.to_dict("list") for t, df in result.tables.items()}}


def test_a_result_never_depends_on_what_ran_before(fiji):
    names = list(STATEFUL)
    forward = {name: _outcome(fiji, STATEFUL[name]) for name in names}
    backward = {name: _outcome(fiji, STATEFUL[name]) for name in reversed(names)}
    for name in names:
        assert forward[name] == backward[name], name
    # what a fresh ImageJ gives, by ImageJ's own defaults
    assert forward["restore selection"]["log"] == "-1"  # no previous selection
    assert list(forward["measure"]["results"]) == ["Area", "Mean", "Min", "Max"]
    assert forward["roi count"]["log"] == "0"
    assert forward["log text"]["log"] == "[]"
    assert "error" in forward["paste"]  # the clipboard is empty in a fresh ImageJ
    # and the state-changing macros did change what they themselves gave
    assert list(forward["set measurements"]["results"]) == [
        "Area", "Mean", "X", "Y", "Perim."]
    assert forward["colours"]["images"] != forward["fill"]["images"]
    assert forward["white background"]["log"] != forward["mask"]["log"]
    assert forward["conversions"]["images"] != forward["to 8-bit"]["images"]


def test_a_misspelt_option_key_is_a_warning_naming_command_key_and_line(fiji):
    code = RAMP + 'run("Median...", "radious=6");\nrun("Gaussian Blur...", "sigma=2");'
    with pytest.warns(ijb.MacroWarning) as caught:
        fiji.run_macro(code)
    assert len(caught) == 1
    warning = caught[0].message
    assert (warning.command, warning.keys, warning.line) == ("Median...", ["radious"], 2)
    assert "radius" in str(warning)


def test_the_lessons_macros_read_every_option_they_give(fiji, spots_path, polyp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ijb.MacroWarning)
        for name in shipped_macros():
            image = polyp_path if name == "max_projection_background" else spots_path
            fiji.run_macro(name, files=[image])
        fiji.run_macro('s = 1.5;\n' + RAMP + 'run("Gaussian Blur...", "sigma=&s");\n'
                       'run("Subtract Background...", "rolling=10 light sliding disable");\n'
                       'run("Duplicate...", "title=b duplicate");')


def test_showmessage_is_answered_ok_and_the_macro_goes_on(fiji):
    result = fiji.run_macro('showMessage("Note", "hello");\nprint("after");')
    assert result.log == "after" and result.mode == ("gui" if fiji.gui else "batch")


def test_files_are_opened_as_file_open_opens_them(fiji, spots_path):
    result = fiji.run_macro('print(getTitle());\nprint(getDirectory("image"));\n'
                            'print(getInfo("image.filename"));', files=[spots_path])
    assert result.log.splitlines() == [spots_path.name, f"{spots_path.parent}{os.sep}",
                                       spots_path.name]
    with pytest.raises(FileNotFoundError):
        fiji.run_macro("print(1);", files=[spots_path.with_name("nope.tif")])


PREFS_SCRIPT = """
import json, sys
import ij_bgcorr as ijb
prefs = sys.argv[1] or None
engine = ijb.start(prefs=prefs)
result = engine.run_macro('newImage("a", "8-bit ramp", 16, 8, 1);\\nrun("Measure");')
print(json.dumps(list(result.results.columns)))
"""


@pytest.mark.jvm
def test_preferences_are_imagejs_defaults_unless_a_file_is_given(engine_kind, tmp_path):
    # a preferences file a user's Fiji saved: Set Measurements with labels, centroid and
    # integrated density (ImageJ's bits 1024 + 32 + 32768, besides area and mean)
    home = tmp_path / "home"
    (home / ".imagej").mkdir(parents=True)
    prefs = home / ".imagej" / "IJ_Prefs.txt"
    prefs.write_text("measurements=33827\n")
    env = {**os.environ, "HOME": str(home)}

    def columns(given: str) -> list[str]:
        done = subprocess.run([sys.executable, "-c", PREFS_SCRIPT, given], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    # ImageJ's default measurements: area, mean, min and max
    assert columns("") == ["Area", "Mean", "Min", "Max"]
    assert columns(str(prefs)) == ["Label", "Area", "Mean", "X", "Y", "IntDen", "RawIntDen"]
    assert prefs.read_text() == "measurements=33827\n"  # never written


def test_the_lessons_published_macros_run_unchanged(fiji):
    folder = REPO / "macros" / "lesson"
    act1 = fiji.run_macro(folder / "local_background_correction_act1_imagejmacro.ijm")
    assert sorted(act1.images) == ["Plot of foreground", "Plot of input", "background",
                                   "foreground", "input"]
    expected = act1["input"].values.astype(np.float32) - act1["background"].values
    np.testing.assert_array_equal(act1["foreground"].values, expected)
    # the two profiles are along the same line of two different images
    assert not np.array_equal(act1["Plot of input"].values, act1["Plot of foreground"].values)
    act2 = fiji.run_macro(folder / "local_background_correction_act2_imagejmacro.ijm")
    polyp = act2["xyt_8bit_polyp.tif"].values
    np.testing.assert_array_equal(act2["MAX_xyt_8bit_polyp.tif"].values, polyp.max(axis=0))
    assert data.path(data.POLYP).name in act2.images


def test_fijis_imagej_folder_is_its_fiji_app(fiji, engine_kind):
    if engine_kind != "fiji" or not Path(getattr(fiji, "source", "")).is_dir():
        pytest.skip("needs the Fiji engine started from a Fiji.app folder (--engine fiji)")
    app = Path(fiji.source)
    result = fiji.run_macro('newImage("a", "8-bit ramp", 16, 4, 1);\n'
                            'print(getDirectory("imagej"));\nrun("HiLo");\n'
                            'getLut(r, g, b);\nprint(r[0], g[0], b[0], r[255], g[255], b[255]);')
    folder, lut = result.log.splitlines()
    assert Path(folder) == app
    # HiLo (Fiji.app/luts/HiLo.lut): 0 shown blue, 255 red, the grey levels between
    assert lut.split() == ["0", "0", "255", "255", "0", "0"]


def test_results_name_the_fiji_that_made_them(fiji, engine_kind):
    made = fiji.median(np.zeros((8, 8), np.uint8), 2).attrs
    if engine_kind == "fiji":
        fiji_version, imagej = made["fiji_version"].split("/")
        assert fiji_version == fiji.fiji_version.split("/")[0] and made["imagej_version"] \
            .startswith(imagej)
    else:
        assert made["fiji_version"] == ""
