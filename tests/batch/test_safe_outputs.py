"""Outputs never harm what they should not: inputs by any name, a full disk, the lock file.

* an output reached through a symbolic link or a hard link to an input is that input:
  refused by every command before anything is written;
* a full disk is named, with the file and the space left, and leaves no partial file;
* the output folder's lock file goes when the batch ends, however it ends; a lock file
  a dead run left blocks nobody, a live run's still does.

The method is replaced by a few lines of numpy (the batch's plumbing is under test, not
ImageJ), so no Java starts; the expected outputs are written by the tests themselves.
"""

from __future__ import annotations

import errno
import fcntl
import importlib
import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import tifffile
from click.testing import CliRunner

from ij_bgcorr import errors
from ij_bgcorr.batch.files import atomic_write
from ij_bgcorr.batch.manifest import MANIFEST_NAME
from ij_bgcorr.batch.run import LOCK_NAME, batch
from ij_bgcorr.cli.main import main
from ij_bgcorr.errors import BatchBusy, BatchInterrupted, CommandError

WORK = importlib.import_module("ij_bgcorr.batch.work")  # ``ij_bgcorr.batch`` is also a function
FULL = {"no space": OSError(errno.ENOSPC, "No space left on device"),
        "short write": OSError("2250000 requested and 447388 written")}
FREE = 447_388  # bytes the disk has left in the short-write case


def _image(path: Path, value: int = 7) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tifffile.imwrite(path, np.full((16, 16), value, np.uint8))
    return path


def _state(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_ino


@pytest.fixture
def numpy_method(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every method gives the input as its background and zeros as its foreground."""
    def method(job, image):
        return {"background": image.assign_attrs(title="background"),
                "foreground": (image * 0).assign_attrs(title="foreground")}, {}

    monkeypatch.setattr(WORK, "_run_method", method)
    monkeypatch.setattr(WORK, "_recorded_macro", lambda: "")


# -- inputs by any name ----------------------------------------------------------------------
def test_batch_refuses_an_output_folder_that_holds_an_input_reached_through_a_link(
        tmp_path, monkeypatch, numpy_method):
    monkeypatch.chdir(tmp_path)
    first, second = _image(Path("in6/a.tif"), 1), _image(Path("in6/a/background.tif"), 2)
    Path("l6").symlink_to("in6/a")
    before = _state(second)
    for given in ("in6/a/background.tif", "l6/background.tif"):
        done = CliRunner().invoke(main, ["batch", str(first), given, "--out", "in6",
                                         "--no-progress"])
        assert done.exit_code == 1 and "Traceback" not in done.output, done.output
        assert f"The input {tmp_path / given}" in done.output
        assert "lies in the output folder" in done.output
        assert _state(second) == before
    assert sorted(p.name for p in Path("in6").iterdir()) == ["a", "a.tif"]


def test_batch_refuses_an_output_that_is_a_hard_link_to_an_input(tmp_path, numpy_method):
    out = tmp_path / "out"
    source = _image(tmp_path / "in" / "a.tif", 3)
    batch(source, "median", out, progress=False)
    kept = _image(tmp_path / "kept" / "b.tif", 4)
    (out / "a" / "foreground.tif").unlink()
    os.link(kept, out / "a" / "foreground.tif")
    before = _state(kept)
    with pytest.raises(CommandError, match=f"overwrite the input {kept}"):
        batch([source, kept], "median", out, progress=False)
    assert _state(kept) == before


@pytest.mark.parametrize("how", ["symbolic link to the folder", "hard link in it"])
def test_run_refuses_to_write_over_its_input_by_another_name(tmp_path, monkeypatch, how):
    source = _image(tmp_path / "io" / "foreground.tif", 5)
    out = tmp_path / "out"
    if how == "hard link in it":
        out.mkdir()
        os.link(source, out / "background.tif")
    else:
        out.symlink_to(tmp_path / "io")
    monkeypatch.setattr("ij_bgcorr.cli.run.start_engine", lambda: None)
    monkeypatch.setattr("ij_bgcorr.workflows.run_method", lambda *a: (
        {"background": a[2] * 0, "foreground": a[2] * 0}, {}))
    before = _state(source)
    done = CliRunner().invoke(main, ["run", str(source), "--radius", "2", "--out", str(out)])
    assert done.exit_code == 1 and "would overwrite the input" in done.output, done.output
    assert _state(source) == before and "Traceback" not in done.output


def test_the_check_follows_links_both_ways_and_lets_neighbours_be(tmp_path):
    from ij_bgcorr.batch.guards import refuse_overwriting_inputs

    source = _image(tmp_path / "data" / "x.tif")
    (tmp_path / "link").symlink_to(tmp_path / "data")
    with pytest.raises(CommandError, match=r"x.tif lies in the output folder .*link, where"):
        refuse_overwriting_inputs([source], [tmp_path / "link"])
    with pytest.raises(CommandError, match="would go into the input"):
        refuse_overwriting_inputs([tmp_path / "link"], [source.parent / "out" / "y.tif"])
    with pytest.raises(CommandError, match=r"would overwrite the input .*\(a link to"):
        refuse_overwriting_inputs([tmp_path / "link" / "x.tif"], [source])
    refuse_overwriting_inputs([source], [tmp_path / "data" / "x" / "y.tif",
                                         tmp_path / "data" / "x.tif.csv"])


# -- a full disk -----------------------------------------------------------------------------
def _fail_like(monkeypatch: pytest.MonkeyPatch, form: str) -> None:
    """Writing an image leaves part of it, then fails as a full disk does."""
    def save_image(image, path):
        Path(path).write_bytes(b"II*\0" + bytes(1000))
        raise FULL[form]

    monkeypatch.setattr(WORK, "save_image", save_image)
    if form == "short write":  # the disk has less room than was still to write
        room = types.SimpleNamespace(total=10**9, used=10**9 - FREE, free=FREE)
        monkeypatch.setattr("shutil.disk_usage", lambda path: room)


@pytest.mark.parametrize("form", sorted(FULL))
def test_a_full_disk_is_said_with_the_file_and_the_space_left(tmp_path, monkeypatch,
                                                              numpy_method, form):
    _fail_like(monkeypatch, form)
    source = _image(tmp_path / "in" / "cell.tif")
    out = tmp_path / "out"
    done = CliRunner().invoke(main, ["batch", str(source), "--out", str(out), "--no-progress"])
    assert done.exit_code == 1 and "Traceback" not in done.output
    assert f"DiskFull: Cannot write {out / 'cell' / 'background.tif'}: the disk is full" \
        in done.output
    if form == "short write":
        assert f"({FREE:,} bytes free in {out / 'cell'})" in done.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "cell", MANIFEST_NAME]  # no partial file, no temporary file


def test_only_a_short_write_on_a_full_disk_is_called_full(tmp_path):
    target = tmp_path / "out.bin"

    def short(temp: Path) -> None:
        temp.write_bytes(bytes(10))
        raise OSError("2250000 requested and 10 written")

    with pytest.raises(OSError, match="requested") as raised:  # room enough: something else
        atomic_write(target, short)
    assert not isinstance(raised.value, errors.IjBgcorrError)
    def no_space(temp: Path) -> None:
        temp.write_bytes(bytes(10))
        raise FULL["no space"]

    with pytest.raises(errors.DiskFull, match=f"Cannot write {target}: the disk is full"):
        atomic_write(target, no_space)
    assert list(tmp_path.iterdir()) == []


# -- the lock file ---------------------------------------------------------------------------
@pytest.mark.parametrize("ending", ["success", "error", "ctrl-c"])
def test_the_lock_file_goes_when_the_batch_ends(tmp_path, monkeypatch, numpy_method, ending):
    source, out = _image(tmp_path / "in" / "a.tif"), tmp_path / "out"
    if ending == "error":  # results of other settings are refused while the lock is held
        batch(source, "median", out, params={"radius": 1}, progress=False)
        with pytest.raises(CommandError, match="made with median radius=1.0"):
            batch(source, "median", out, params={"radius": 2}, progress=False)
    elif ending == "ctrl-c":
        def interrupted(job, image):
            raise KeyboardInterrupt

        monkeypatch.setattr(WORK, "_run_method", interrupted)
        with pytest.raises(BatchInterrupted):
            batch(source, "median", out, progress=False)
    else:
        assert len(batch(source, "median", out, progress=False).processed) == 1
    assert not (out / LOCK_NAME).exists()


def test_a_dead_runs_lock_blocks_nobody_and_a_live_ones_does(tmp_path, numpy_method):
    source, out = _image(tmp_path / "in" / "a.tif"), tmp_path / "out"
    out.mkdir()
    lock = out / LOCK_NAME
    # a run killed while it held the lock: its file stays, its lock ended with it
    subprocess.run([sys.executable, "-c", "import fcntl, os, sys; "
                    "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
                    "fcntl.flock(fd, fcntl.LOCK_EX); os.kill(os.getpid(), 9)", str(lock)],
                   check=False, timeout=60)
    assert lock.exists()
    assert len(batch(source, "median", out, progress=False).processed) == 1
    assert not lock.exists()
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)  # a live run holds it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(BatchBusy, match=f"Another batch is writing into {out}"):
            batch(source, "median", out, params={"radius": 3}, progress=False)
        assert lock.exists()  # the refused run left the holder's file alone
    finally:
        os.close(fd)
    assert len(batch(source, "median", out, params={"radius": 3}, progress=False,
                     replace=True).processed) == 1
