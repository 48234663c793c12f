"""The batch macro method runs a macro as Fiji's Process > Batch > Macro does.

ImageJ opens each input itself (title, ``getDirectory("image")`` and
``getInfo("image.filename")`` name the file), the Log goes to ``Log.txt``, an
input left unchanged is not written again, and a macro that writes over its
input fails that file with the input restored. Expected values come from the
paths and pixels the tests write, never from the code under test.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tifffile

import ij_bgcorr as ijb
from ij_bgcorr.batch.files import inputs_protected
from ij_bgcorr.batch.manifest import read_manifest
from ij_bgcorr.batch.run import batch
from ij_bgcorr.errors import MacroError
from ij_bgcorr.image.outputs import same_as_file

# the macro of the task: measure, print where the image came from, save a copy beside it
MEASURE_PRINT_SAVE = """run("Set Measurements...", "area mean display redirect=None decimal=3");
run("Measure");
print(getTitle());
print(getDirectory("image"));
print(getInfo("image.filename"));
saveAs("Tiff", getDirectory("image") + File.nameWithoutExtension + "_mask.tif");
"""


def _pixels(k: int) -> np.ndarray:
    return (np.arange(12 * 16).reshape(12, 16) * (k + 2) % 251).astype(np.uint8)


@pytest.fixture
def two_inputs(tmp_path: Path) -> list[Path]:
    """``in/first cell.tif`` and ``in/second.tif``, 8-bit, written by tifffile."""
    folder = tmp_path / "in"
    folder.mkdir()
    paths = [folder / "first cell.tif", folder / "second.tif"]
    for k, path in enumerate(paths):
        tifffile.imwrite(path, _pixels(k))
    return paths


def _macro(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "batch.ijm"
    path.write_text(text, encoding="utf-8")
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _backups(root: Path) -> list[Path]:
    return sorted(root.rglob("*.backup"))


# -- with an engine --------------------------------------------------------------------------
def test_each_input_is_opened_by_imagej_as_in_fijis_batch_macro(fiji, tmp_path, two_inputs):
    macro = _macro(tmp_path, MEASURE_PRINT_SAVE)
    out = tmp_path / "out"
    summary = batch(two_inputs, "macro", out, macro=macro, progress=False)
    assert not summary.failed and len(summary.processed) == 2, str(summary)
    folder = tmp_path / "in"
    manifest = read_manifest(out)
    for k, (path, written_as) in enumerate(zip(two_inputs, ["first_cell_mask.tif",
                                                           "second_mask.tif"], strict=True)):
        done = out / path.stem
        # Results' Label and getTitle() are the file's name, not "input"
        assert pd.read_csv(done / "Results.csv")["Label"].tolist() == [path.name]
        # ImageJ's getDirectory("image") ends with the separator
        assert (done / "Log.txt").read_text(encoding="utf-8").splitlines() == [
            path.name, str(folder) + os.sep, path.name]
        # the macro's own saveAs went where it said: beside its input
        mask = folder / f"{path.stem}_mask.tif"
        np.testing.assert_array_equal(tifffile.imread(mask), _pixels(k))
        # saveAs renamed the image: it is saved under its new title; the input is not
        assert sorted(p.name for p in done.iterdir()) == ["Log.txt", "Results.csv", written_as]
        entry = manifest[str(path)]
        assert entry.log == {"path": f"{path.stem}/Log.txt", "sha256": _sha256(done / "Log.txt"),
                             "bytes": (done / "Log.txt").stat().st_size}
        assert entry.macro == MEASURE_PRINT_SAVE
        assert entry.params == {"macro_sha256": _sha256(macro)}
        assert entry.unchanged == []
        assert entry.imagej_version == fiji.version
        np.testing.assert_array_equal(tifffile.imread(done / written_as), _pixels(k))
    assert _backups(tmp_path) == []
    again = batch(two_inputs, "macro", out, macro=macro, progress=False)
    assert len(again.skipped) == 2 and not again.processed and not again.failed


def test_an_input_left_unchanged_is_not_written_again_a_changed_one_is(fiji, tmp_path,
                                                                       two_inputs):
    macro = _macro(tmp_path, 'run("Measure");\nif (getTitle() == "second.tif") run("Invert");\n')
    out = tmp_path / "out"
    summary = batch(two_inputs, "macro", out, macro=macro, progress=False)
    assert not summary.failed and len(summary.processed) == 2, str(summary)
    first, second = two_inputs
    manifest = read_manifest(out)
    # nothing printed: no Log.txt; the first input, left as it was opened, is not written
    assert sorted(p.name for p in (out / first.stem).iterdir()) == ["Results.csv"]
    assert manifest[str(first)].unchanged == [first.name]
    assert manifest[str(first)].outputs == {} and manifest[str(first)].log is None
    # the second, inverted, is written under its title
    assert sorted(p.name for p in (out / second.stem).iterdir()) == ["Results.csv",
                                                                     "second.tif"]
    np.testing.assert_array_equal(tifffile.imread(out / second.stem / "second.tif"),
                                  255 - _pixels(1))
    assert manifest[str(second)].unchanged == []
    assert set(manifest[str(second)].outputs) == {"second.tif"}
    # a file with only tables is done: a rerun skips it
    again = batch(two_inputs, "macro", out, macro=macro, progress=False)
    assert len(again.skipped) == 2 and not again.processed


def test_a_macro_that_writes_over_its_input_fails_that_file_only(fiji, tmp_path, two_inputs):
    macro = _macro(tmp_path, 'run("Invert");\nprint("inverted");\n'
                             'if (getTitle() == "second.tif") saveAs("Tiff", getDirectory("image")'
                             ' + getInfo("image.filename"));\n')
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in two_inputs}
    out = tmp_path / "out"
    summary = batch(two_inputs, "macro", out, macro=macro, progress=False)
    first, second = two_inputs
    assert [r.input for r in summary.processed] == [str(first)]
    assert [r.input for r in summary.failed] == [str(second)]
    message = summary.failed[0].message
    assert message.startswith(f"MacroError: The macro wrote over its input {second} ")
    assert f"FAILED {second}: MacroError" in str(summary)
    for path in two_inputs:  # byte for byte, and its time
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before[path]
    assert not (out / second.stem).exists() or list((out / second.stem).iterdir()) == []
    np.testing.assert_array_equal(tifffile.imread(out / first.stem / "first_cell.tif"),
                                  255 - _pixels(0))
    assert _backups(tmp_path) == []


def test_a_damaged_input_is_refused_before_imagej_opens_it(fiji, tmp_path, two_inputs):
    data = two_inputs[1].read_bytes()
    two_inputs[1].write_bytes(data[:len(data) // 2])
    summary = batch(two_inputs, "macro", tmp_path / "out", progress=False,
                    macro=_macro(tmp_path, 'run("Measure");\n'))
    assert len(summary.processed) == 1
    assert summary.failed[0].message.startswith(
        f"ImageFormatError: {two_inputs[1]} is not a readable TIFF file: it is truncated")


# -- without an engine -----------------------------------------------------------------------
def test_inputs_protected_restores_what_was_written_over_even_through_a_link(tmp_path):
    real = tmp_path / "data" / "real.tif"
    real.parent.mkdir()
    real.write_bytes(b"original bytes")
    os.utime(real, ns=(1_000_000_000, 1_000_000_000))
    link = tmp_path / "link.tif"
    link.symlink_to(real)
    untouched = tmp_path / "untouched.tif"
    untouched.write_bytes(b"left alone")
    backups = tmp_path / "backups"
    backups.mkdir()

    with inputs_protected([untouched], backup_dir=backups):
        assert len(_backups(backups)) == 1
    assert _backups(backups) == [] and untouched.read_bytes() == b"left alone"

    with pytest.raises(MacroError, match=f"wrote over its input {link} \\(-> {real}\\)"):
        with inputs_protected([link, untouched], backup_dir=backups):
            link.write_bytes(b"new")  # through the link, as ImageJ's saveAs writes
    assert real.read_bytes() == b"original bytes" and real.stat().st_mtime_ns == 1_000_000_000
    assert link.is_symlink() and _backups(backups) == []

    with pytest.raises(MacroError) as caught:  # deleted, and the macro failed too
        with inputs_protected([link], backup_dir=backups):
            link.unlink()
            raise ValueError("the macro's own error")
    assert isinstance(caught.value.__cause__, ValueError)
    assert link.is_symlink() and link.read_bytes() == b"original bytes"

    with pytest.raises(KeyboardInterrupt):  # Ctrl-C stays Ctrl-C, the input comes back
        with inputs_protected([real], backup_dir=backups):
            real.write_bytes(b"other bytes, same size!")
            raise KeyboardInterrupt
    assert real.read_bytes() == b"original bytes" and _backups(backups) == []

    with pytest.raises(MacroError):  # same size and time, other bytes: a replaced file
        with inputs_protected([real], backup_dir=backups):
            stat = real.stat()
            real.write_bytes(b"ORIGINAL BYTES")
            os.utime(real, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert real.read_bytes() == b"original bytes"


def test_same_as_file_compares_pixels_dims_and_calibration(tmp_path):
    path = tmp_path / "a.tif"
    values = np.linspace(0, 1, 30, dtype=np.float32).reshape(5, 6)
    values[0, 0] = np.nan
    tifffile.imwrite(path, values)
    image = ijb.open_image(path)
    assert same_as_file(image, path)
    assert same_as_file(image.assign_attrs(unit=" "), path)  # ImageJ's "no unit"
    changed = image.copy()
    changed.values[2, 3] += 1
    assert not same_as_file(changed, path)
    assert not same_as_file(image.assign_attrs(pixel_width=0.5), path)
    assert not same_as_file(image, tmp_path / "missing.tif")
