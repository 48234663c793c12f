"""Batch correction: parallel results equal the one-by-one API, resume after a kill,
bad files reported without stopping the rest, and a dask.distributed cluster."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import ij_bgcorr as ijb
from ij_bgcorr import workflows
from ij_bgcorr.batch.files import file_sha256
from ij_bgcorr.batch.inputs import collect_inputs
from ij_bgcorr.batch.manifest import MANIFEST_NAME, read_manifest
from ij_bgcorr.batch.params import method_params
from ij_bgcorr.batch.run import BatchSummary, batch
from ij_bgcorr.cli.batch import batch_command
from ij_bgcorr.crossval import synthetic
from ij_bgcorr.errors import CommandError

RADIUS = 3.0  # median radius used in most tests, pixels


def make_images(folder: Path, n: int, shape: tuple[int, int] = (64, 64),
                first_seed: int = 0) -> list[Path]:
    """``n`` synthetic 8-bit images ``img000.tif`` ... in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        image = synthetic.spots_on_uneven_background(shape, n_spots=6, seed=first_seed + i)
        paths.append(ijb.save_image(image, folder / f"img{first_seed + i:03d}.tif"))
    return paths


def assert_outputs_equal_api(fiji: ijb.EmbeddedEngine, inputs: list[Path], out: Path,
                             radius: float = RADIUS) -> None:
    """Every input's background/foreground files equal ``median_background`` on it."""
    for path in inputs:
        background, foreground = workflows.median_background(
            fiji, ijb.open_image(path), radius)
        for name, expected in (("background", background), ("foreground", foreground)):
            written = ijb.open_image(out / path.stem / f"{name}.tif")
            assert written.dtype == expected.dtype, (path, name)
            assert np.array_equal(written.values, expected.values), (path, name)


def temporaries(out: Path) -> list[Path]:
    return sorted(out.rglob(".*.tmp"))


# -- inputs and parameters (no engine) -------------------------------------------------------
def test_inputs_from_folder_glob_list_file_and_sequence(tmp_path):
    paths = make_images(tmp_path / "in", 3)
    (tmp_path / "in" / "notes.txt").write_text("not an image")
    listing = tmp_path / "list.txt"
    listing.write_text(f"# inputs\nin/{paths[2].name}\n\n{paths[0]}\n")
    assert collect_inputs(tmp_path / "in") == paths
    assert collect_inputs(str(tmp_path / "in" / "img00[01].tif")) == paths[:2]
    assert collect_inputs(listing) == [paths[2], paths[0]]
    assert collect_inputs([paths[1], str(paths[1])]) == [paths[1]]
    with pytest.raises(FileNotFoundError):
        collect_inputs(tmp_path / "missing")
    with pytest.raises(FileNotFoundError):
        collect_inputs(str(tmp_path / "in" / "*.tiff"))


def test_parameters_are_checked_and_defaulted(tmp_path):
    assert method_params("median") == {"radius": 15.0}
    assert method_params("rolling-ball", {"rolling": 20}) == {"rolling": 20.0,
                                                            "light_background": False}
    with pytest.raises(CommandError):
        method_params("median", {"rolling": 5})
    with pytest.raises(CommandError):
        method_params("bogus")
    with pytest.raises(CommandError):
        method_params("median", {"radius": 0})
    with pytest.raises(CommandError):
        method_params("macro")


# -- correctness in parallel -----------------------------------------------------------------
def test_two_workers_equal_the_api_and_rerun_skips(fiji, tmp_path):
    inputs = make_images(tmp_path / "in", 40)
    out = tmp_path / "out"
    summary = batch(tmp_path / "in", "median", out, params={"radius": RADIUS}, workers=2,
                    progress=False)
    assert isinstance(summary, BatchSummary)
    assert len(summary.processed) == 40 and not summary.skipped and not summary.failed
    assert_outputs_equal_api(fiji, inputs, out)
    assert not temporaries(out)
    assert len({r.worker for r in summary.processed}) == 2  # two processes shared the work

    manifest = json.loads((out / MANIFEST_NAME).read_text())
    entry = manifest["entries"][str(inputs[0])]
    assert entry["status"] == "ok" and entry["method"] == "median"
    assert entry["params"] == {"radius": RADIUS}
    assert entry["input_sha256"] == file_sha256(inputs[0])
    assert entry["imagej_version"] == fiji.version
    assert entry["macro_lines"][0] == 'run("Median...", "radius=3");'
    assert set(entry["outputs"]) == {"background", "foreground"}
    assert entry["outputs"]["foreground"]["path"] == "img000/foreground.tif"

    again = batch(tmp_path / "in", "median", out, params={"radius": RADIUS}, progress=False)
    assert len(again.skipped) == 40 and not again.processed and not again.failed

    # a changed input and a changed radius are both redone
    ijb.save_image(synthetic.spots_on_uneven_background((64, 64), seed=99), inputs[5])
    changed = batch(tmp_path / "in", "median", out, params={"radius": RADIUS}, progress=False)
    assert [r.input for r in changed.processed] == [str(inputs[5])]
    assert_outputs_equal_api(fiji, inputs[5:6], out)
    # results of other settings are replaced only when asked
    with pytest.raises(CommandError, match=r"holds results of .*img000.tif made with median "
                                           r"radius=3.0, not median radius=2.0"):
        batch(inputs[:2], "median", out, params={"radius": 2}, progress=False)
    assert_outputs_equal_api(fiji, inputs[:2], out)
    other = batch(inputs[:2], "median", out, params={"radius": 2}, progress=False,
                  replace=True)
    assert len(other.processed) == 2
    assert_outputs_equal_api(fiji, inputs[:2], out, radius=2)


# -- resume after a kill ---------------------------------------------------------------------
def test_killed_batch_resumes_complete_and_correct(fiji, tmp_path):
    inputs = make_images(tmp_path / "in", 60, shape=(128, 128))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "ij_bgcorr.cli.batch", str(tmp_path / "in"),
               "--method", "median", "--radius", "6", "--out", str(out), "--workers", "2",
               "--no-progress"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(list(out.glob("*/foreground.tif"))) < 10:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no outputs appeared in 120 s"
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the command and its worker processes
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    done = {key for key, entry in read_manifest(out).items() if entry.ok}
    assert 0 < len(done) < 60, "the batch must be killed part-way"
    for path in out.glob("*/*.tif"):  # whatever exists is a complete image
        ijb.open_image(path)

    summary = batch(tmp_path / "in", "median", out, params={"radius": 6}, progress=False)
    assert {r.input for r in summary.skipped} == done
    assert len(summary.processed) == 60 - len(done) and not summary.failed
    assert not temporaries(out)
    assert_outputs_equal_api(fiji, inputs, out, radius=6)
    assert all(entry.ok for entry in read_manifest(out).values())


# -- bad files -------------------------------------------------------------------------------
def test_corrupt_and_unreadable_files_are_reported_and_the_rest_done(fiji, tmp_path):
    folder = tmp_path / "in"
    inputs = make_images(folder, 3)
    (folder / "x.tif").write_bytes(np.random.default_rng(0).bytes(5000))  # not a TIFF
    (folder / "y.tif").mkdir()  # cannot be read as a file (root reads chmod 000 files)
    (folder / "z.tif").symlink_to(tmp_path / "gone.tif")  # dangling link
    out = tmp_path / "out"

    summary = batch(folder, "median", out, params={"radius": RADIUS}, progress=False)
    assert len(summary.processed) == 3
    failed = {Path(r.input).name: r.message for r in summary.failed}
    assert set(failed) == {"x.tif", "y.tif", "z.tif"}
    assert "ImageFormatError" in failed["x.tif"]
    assert_outputs_equal_api(fiji, inputs, out)
    assert read_manifest(out)[str(folder / "x.tif")].status == "error"
    assert not (out / "x").exists()

    result = CliRunner().invoke(batch_command, [str(folder), "--method", "median",
                                                "--radius", str(RADIUS), "--out", str(out),
                                                "--no-progress"])
    assert result.exit_code == 1, result.output
    assert "0 processed, 3 skipped (already done), 3 failed" in result.output
    for name in ("x.tif", "y.tif", "z.tif"):
        assert f"FAILED {folder / name}" in result.output


def test_cli_rejects_bad_arguments(tmp_path):
    make_images(tmp_path / "in", 1)
    runner = CliRunner()
    result = runner.invoke(batch_command, [str(tmp_path / "in"), "--method", "median",
                                           "--rolling", "5", "--out", str(tmp_path / "o")])
    assert result.exit_code != 0 and "rolling" in result.output
    result = runner.invoke(batch_command, [str(tmp_path / "nowhere"), "--method", "median",
                                           "--out", str(tmp_path / "o")])
    assert result.exit_code != 0 and "No such input" in result.output


# -- other methods ---------------------------------------------------------------------------
def test_tophat_and_a_macro_with_its_own_outputs_and_errors(fiji, tmp_path):
    small = make_images(tmp_path / "in", 2, shape=(40, 40))
    large = make_images(tmp_path / "in", 2, shape=(64, 64), first_seed=10)
    out = tmp_path / "tophat"
    summary = batch(tmp_path / "in", "tophat", out, params={"radius": 4}, progress=False)
    assert len(summary.processed) == 4 and not summary.failed
    for path in small + large:
        expected = fiji.run_macro("tophat_background", inputs={"input": ijb.open_image(path)},
                                  args={"radius": 4})
        for name in ("background", "foreground"):
            written = ijb.open_image(out / path.stem / f"{name}.tif")
            assert np.array_equal(written.values, expected[name].values), (path, name)

    macro = tmp_path / "smooth.ijm"
    macro.write_text(  # ImageJ opened the input: its title is the file's name
        'sigma = parseFloat(call("ij.Macro.getValue", getArgument(), "sigma", "1"));\n'
        'if (getWidth() < 50) run("No such command");\n'
        'input = getTitle();\n'
        'run("Duplicate...", "title=smooth");\n'
        'run("Gaussian Blur...", "sigma=" + sigma);\n'
        'selectImage(input);\nclose();\n')
    out = tmp_path / "macro"
    summary = batch(tmp_path / "in", "macro", out, params={"sigma": 2}, macro=macro,
                    progress=False)
    assert sorted(Path(r.input) for r in summary.failed) == small
    assert all("MacroError" in r.message for r in summary.failed)
    assert sorted(Path(r.input) for r in summary.processed) == large
    for path in large:
        expected = fiji.run_macro(macro, files=[path], args={"sigma": 2})
        assert sorted(p.name for p in (out / path.stem).iterdir()) == ["smooth.tif"]
        written = ijb.open_image(out / path.stem / "smooth.tif")
        assert np.array_equal(written.values, expected["smooth"].values)
        entry = read_manifest(out)[str(path)]
        assert entry.macro_lines == [expected["smooth"].attrs["macro_line"]]
        assert entry.params["sigma"] == 2 and len(entry.params["macro_sha256"]) == 64


# -- dask.distributed ------------------------------------------------------------------------
def test_local_dask_cluster_equals_the_api(fiji, tmp_path):
    distributed = pytest.importorskip(
        "distributed", reason="dask.distributed is not installed (pip install 'dask[distributed]')")
    inputs = make_images(tmp_path / "in", 20)
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0") as cluster:
        summary = batch(tmp_path / "in", "median", out, params={"radius": RADIUS},
                        scheduler=cluster.scheduler_address, progress=False)
    assert len(summary.processed) == 20 and not summary.failed
    assert len({r.worker for r in summary.processed}) == 2
    assert_outputs_equal_api(fiji, inputs, out)
    assert not temporaries(out)


def test_fiji_option_reaches_the_batch_and_never_falls_back(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from ij_bgcorr.cli.main import main

    # the command sets IJ_BGCORR_FIJI for its workers: make monkeypatch restore it
    monkeypatch.setenv("IJ_BGCORR_FIJI", "placeholder")
    monkeypatch.delenv("IJ_BGCORR_FIJI")
    ijb.save_image(synthetic.spots_on_uneven_background((32, 32)), tmp_path / "a.tif")
    missing = tmp_path / "no" / "Fiji.app"
    res = CliRunner().invoke(main, ["--fiji", str(missing), "batch", str(tmp_path / "a.tif"),
                                    "--method", "median", "--out", str(tmp_path / "out"),
                                    "--no-progress"])
    assert res.exit_code == 1
    assert str(missing) in res.output
    assert not (tmp_path / "out" / "a" / "foreground.tif").exists()
