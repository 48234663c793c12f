"""Batch inputs and output names: folders mixed with files, names that meet the batch's own
files, inputs inside output folders, macro arguments checked before any file is read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile

from ij_bgcorr.batch.inputs import collect_inputs, output_folders
from ij_bgcorr.batch.manifest import MANIFEST_NAME, read_manifest
from ij_bgcorr.batch.run import batch
from ij_bgcorr.errors import CommandError, ParameterError


def _image(path: Path, value: int = 7) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tifffile.imwrite(path, np.full((16, 16), value, np.uint8))
    return path


def test_folders_and_files_mix_as_inputs(tmp_path):
    a = _image(tmp_path / "folder" / "a.tif")
    b = _image(tmp_path / "folder" / "b.tif")
    c = _image(tmp_path / "c.tif")
    assert collect_inputs([c, tmp_path / "folder"]) == [c, a, b]


def test_output_folder_names_never_meet_the_batchs_own_files():
    names = output_folders([Path("/in/manifest.json.tif"), Path("/in/..tif"),
                            Path("/in/.x.tmp.tif"), Path("/in/img.tif"), Path("/other/IMG.tif")])
    assert names["/in/manifest.json.tif"] == "_manifest.json"
    assert names["/in/..tif"] == "_."
    assert names["/in/.x.tmp.tif"] == "_.x.tmp"
    # names equal but for case share no folder, even on a case-insensitive disk
    assert names["/in/img.tif"].startswith("img-") and names["/other/IMG.tif"].startswith("IMG-")
    assert names["/in/img.tif"].lower() != names["/other/IMG.tif"].lower()


@pytest.mark.jvm
def test_awkward_input_names_are_done_once_and_kept(tmp_path):
    folder = tmp_path / "in"
    for name in ("manifest.json.tif", "..tif", ".x.tmp.tif", "plain.tif"):
        _image(folder / name)
    out = tmp_path / "out"
    first = batch(folder, "median", out, params={"radius": 1}, progress=False)
    assert len(first.processed) == 4 and not first.failed
    assert (out / MANIFEST_NAME).is_file()
    again = batch(folder, "median", out, params={"radius": 1}, progress=False)
    assert len(again.skipped) == 4 and not again.processed
    for entry in read_manifest(out).values():
        for output in entry.outputs.values():
            assert (out / output["path"]).is_file()


def test_an_input_inside_an_output_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    inside = _image(out / "a" / "b.tif")
    outer = _image(tmp_path / "a.tif")
    with pytest.raises(CommandError, match="lies in the output folder"):
        batch([outer, inside], "median", out, progress=False)
    assert not (out / MANIFEST_NAME).exists()


def test_macro_arguments_are_checked_before_any_file_is_read(tmp_path):
    macro = tmp_path / "m.ijm"
    macro.write_text("#@ Integer (min=1) size\nrun(\"Median...\", \"radius=\" + size);\n")
    image = _image(tmp_path / "in" / "x.tif")
    with pytest.raises(ParameterError, match="'size'"):
        batch(image, "macro", tmp_path / "out", params={"size": "0"}, macro=macro,
              progress=False)
    with pytest.raises(ParameterError, match="'size'.*no value"):
        batch(image, "macro", tmp_path / "out", macro=macro, progress=False)
    assert not (tmp_path / "out" / MANIFEST_NAME).exists()


@pytest.mark.jvm
def test_a_moved_input_folder_is_not_redone(tmp_path):
    for k in range(3):
        _image(tmp_path / "day1" / f"cell{k}.tif", value=k + 3)
    out = tmp_path / "out"
    first = batch(tmp_path / "day1", "median", out, params={"radius": 1}, progress=False)
    assert len(first.processed) == 3
    (tmp_path / "day1").rename(tmp_path / "moved")
    again = batch(tmp_path / "moved", "median", out, params={"radius": 1}, progress=False)
    assert len(again.skipped) == 3 and not again.processed
    assert sorted(read_manifest(out)) == sorted(str(p) for p in (tmp_path / "moved").iterdir())
    # a changed file under the new folder is redone
    _image(tmp_path / "moved" / "cell0.tif", value=99)
    changed = batch(tmp_path / "moved", "median", out, params={"radius": 1}, progress=False)
    assert [Path(r.input).name for r in changed.processed] == ["cell0.tif"]


@pytest.mark.jvm
def test_a_batch_of_other_files_with_the_same_names_does_not_replace_results(tmp_path):
    for day in ("day1", "day2"):
        _image(tmp_path / day / "cell.tif", value=5 if day == "day1" else 9)
    out = tmp_path / "out"
    batch(tmp_path / "day1", "median", out, params={"radius": 1}, progress=False)
    with pytest.raises(CommandError, match=r"holds the results of another input, .*day1"):
        batch(tmp_path / "day2", "median", out, params={"radius": 1}, progress=False)
    replaced = batch(tmp_path / "day2", "median", out, params={"radius": 1}, progress=False,
                     replace=True)
    assert len(replaced.processed) == 1


def test_only_the_batchs_own_temporary_files_are_removed(tmp_path):
    from ij_bgcorr.batch.files import remove_stale_temporaries

    (tmp_path / ".important.tmp").write_text("precious")
    (tmp_path / ".background.tif.1234.tmp").write_text("partial")
    assert remove_stale_temporaries(tmp_path) == 1
    assert (tmp_path / ".important.tmp").read_text() == "precious"
