"""``ij-bgcorr macro`` and the batch macro method write what a macro leaves: images, tables, Log.

``ij-bgcorr macro --input`` opens each input as Fiji's File > Open does and never
lets the macro write over one (see also ``tests/batch/test_batch_macro_files.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tifffile
from click.testing import CliRunner

import ij_bgcorr as ijb
from ij_bgcorr.batch.manifest import read_manifest
from ij_bgcorr.batch.run import batch
from ij_bgcorr.cli.main import main

MEASURING = """#@ Integer (value=3) size
#@ String title
newImage(title, "8-bit ramp", 40, 30, 1);
run("Measure");
makeRectangle(0, 0, size, size);
run("Measure");
newImage("x y", "8-bit black", 4, 4, 1);
newImage("x_y", "8-bit white", 4, 4, 1);
selectImage(title);
setBatchMode(false);
"""


@pytest.mark.jvm  # the command starts the engine in this process
def test_macro_command_writes_the_shown_image_and_the_results(tmp_path):
    macro = tmp_path / "measure (v2).ijm"
    macro.write_text(MEASURING, encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["macro", str(macro), "--arg", "size=5",
                                    "--arg", "title=my ramp", "--out", str(out)])
    assert res.exit_code == 0, res.output
    # as in the Fiji GUI, where the macro never entered batch mode: every image is shown
    # (two titles that make the same file name get distinct names)
    assert sorted(p.name for p in out.iterdir()) == ["Results.csv", "my_ramp.tif", "x_y-2.tif",
                                                     "x_y.tif"]
    ramp = tifffile.imread(out / "my_ramp.tif").astype(np.float64)
    table = pd.read_csv(out / "Results.csv")
    assert table["Area"].tolist() == [40 * 30, 25]
    assert table["Mean"].tolist() == pytest.approx([ramp.mean(), ramp[:5, :5].mean()],
                                                   rel=1e-12)
    assert "table 'Results': 2 rows" in res.output

    res = CliRunner().invoke(main, ["macro", str(macro), "--arg", "size=2.5",
                                    "--arg", "title=t", "--out", str(tmp_path / "bad")])
    assert res.exit_code == 1 and "'size'" in res.output and "Traceback" not in res.output


def test_batch_macro_writes_tables_and_distinct_images(fiji, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(2):
        tifffile.imwrite(folder / f"cells{k}.tif", np.full((12, 16), 10 * k + 5, np.uint16))
    macro = tmp_path / "m.ijm"
    macro.write_text('run("Measure");\nrun("Duplicate...", "title=[x y]");\n'
                     'run("Duplicate...", "title=x_y");\n', encoding="utf-8")
    out = tmp_path / "out"
    summary = batch(folder, "macro", out, macro=macro, progress=False)
    assert not summary.failed and len(summary.processed) == 2
    manifest = read_manifest(out)
    for k in range(2):
        written = sorted(p.name for p in (out / f"cells{k}").iterdir())
        # the input, still open and unchanged, is not written again
        assert written == ["Results.csv", "x_y-2.tif", "x_y.tif"]
        assert manifest[str(folder / f"cells{k}.tif")].unchanged == [f"cells{k}.tif"]
        table = pd.read_csv(out / f"cells{k}" / "Results.csv")
        assert table["Mean"].tolist() == [10 * k + 5]
        entry = manifest[str(folder / f"cells{k}.tif")]
        assert entry.tables["Results"]["path"] == str(Path(f"cells{k}") / "Results.csv")
        assert len(entry.tables["Results"]["sha256"]) == 64
        assert ijb.open_image(out / f"cells{k}" / "x_y-2.tif").shape == (12, 16)


@pytest.mark.jvm  # the command starts the engine in this process
def test_outputs_never_overwrite_an_input_and_bad_folders_are_one_line_errors(tmp_path):
    folder = tmp_path / "io"
    folder.mkdir()
    source = folder / "foreground.tif"
    tifffile.imwrite(source, np.arange(64 * 64, dtype=np.uint16).reshape(64, 64))
    before = source.read_bytes()
    res = CliRunner().invoke(main, ["run", str(source), "--radius", "2", "--out", str(folder)])
    assert res.exit_code == 1 and "would overwrite the input" in res.output
    assert source.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == [
        "foreground.tif"]
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    res = CliRunner().invoke(main, ["run", str(source), "--radius", "2",
                                    "--out", str(blocker / "out")])
    assert res.exit_code == 1 and "Cannot write into" in res.output
    assert "Traceback" not in res.output


@pytest.mark.jvm  # the command starts the engine in this process
def test_macro_command_opens_its_inputs_as_fiji_and_protects_them(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    first, second = folder / "a.tif", folder / "b c.tif"
    tifffile.imwrite(first, np.full((6, 8), 3, np.uint8))
    tifffile.imwrite(second, np.arange(48, dtype=np.uint8).reshape(6, 8))
    inputs = ["--input", str(first), "--input", str(second)]
    macro = tmp_path / "where.ijm"
    macro.write_text('run("Set Measurements...", "mean display redirect=None decimal=3");\n'
                     'run("Measure");\nprint(getTitle());\nprint(getDirectory("image"));\n'
                     'print(getInfo("image.filename"));\nprint(nImages);\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["macro", str(macro), *inputs, "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    # both opened, the last one active; left unchanged, neither is written again
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["Log.txt", "Results.csv"]
    assert (tmp_path / "o" / "Log.txt").read_text(encoding="utf-8").splitlines() == [
        "b c.tif", str(folder) + os.sep, "b c.tif", "2"]
    assert pd.read_csv(tmp_path / "o" / "Results.csv")["Label"].tolist() == ["b c.tif"]

    macro.write_text('run("Invert");\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["macro", str(macro), *inputs, "--out", str(tmp_path / "i")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "i").iterdir()) == ["b_c.tif"]  # no Log
    np.testing.assert_array_equal(tifffile.imread(tmp_path / "i" / "b_c.tif"),
                                  255 - np.arange(48, dtype=np.uint8).reshape(6, 8))

    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (first, second)}
    macro.write_text('print("saving");\nrun("Invert");\n'
                     'saveAs("Tiff", getDirectory("image") + getInfo("image.filename"));\n',
                     encoding="utf-8")
    res = CliRunner().invoke(main, ["macro", str(macro), *inputs, "--out", str(tmp_path / "w")])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert f"The macro wrote over its input {second} " in res.output
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (first, second)} == before
    assert list((tmp_path / "w").iterdir()) == []  # nothing written, no copy left
    assert sorted(p.name for p in folder.iterdir()) == ["a.tif", "b c.tif"]
