"""One image larger than memory: lazy reading, OME-Zarr writing, and the resumable pipeline.

Expected values come from the same method on the whole image in memory.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import tifffile
from click.testing import CliRunner

import ij_bgcorr as ijb
from ij_bgcorr import reference
from ij_bgcorr.batch import large
from ij_bgcorr.batch.large import process_large
from ij_bgcorr.cli.main import main
from ij_bgcorr.errors import BatchBusy, CommandError, ImageFormatError
from ij_bgcorr.image.ome_zarr import open_ome_zarr
from ij_bgcorr.image.tiff import open_image, save_image
from ij_bgcorr.methods import METHODS
from ij_bgcorr.workflows import run_method

pytest.importorskip("zarr", reason="OME-Zarr needs zarr (pip install zarr)")


@pytest.fixture
def big_tiff(tmp_path: Path) -> Path:
    """A tiled BigTIFF of 700 x 900 uint16 pixels of 0.65 micron (tiles of 128)."""
    rng = np.random.default_rng(0)
    img = (rng.random((700, 900)) * 3000 + np.linspace(0, 5000, 900)).astype(np.uint16)
    path = tmp_path / "mosaic.tif"
    tifffile.imwrite(path, img, bigtiff=True, tile=(128, 128), resolution=(1 / 0.65, 1 / 0.65),
                     resolutionunit="CENTIMETER")
    return path


def whole_results(path: Path, method: str, params: dict) -> dict[str, np.ndarray]:
    img = open_image(path)
    options = {**METHODS[method].params, **params}
    if method == "rolling-ball":
        return {"background": reference.subtract_background(img, create_background=True,
                                                            **options).values,
                "foreground": reference.subtract_background(img, **options).values}
    background = (reference.median if method == "median" else reference.opening)(
        img, options["radius"]).values
    return {"background": background,
            "foreground": img.values.astype(np.float32) - background.astype(np.float32)}


def written(folder: Path) -> dict[str, np.ndarray]:
    return {name: open_image(folder / f"{name}.ome.zarr").values
            for name in ("background", "foreground")}


def test_lazy_tiff_reads_the_same_pixels_and_calibration(big_tiff, tmp_path):
    hyper = ijb.as_image(np.arange(2 * 3 * 50 * 60, dtype=np.float32).reshape(2, 3, 50, 60),
                         dims=("t", "c", "y", "x"))
    save_image(hyper, tmp_path / "hyper.tif")
    for path in (big_tiff, tmp_path / "hyper.tif"):
        whole, lazy = open_image(path), open_image(path, chunks=37)
        assert lazy.chunks is not None and lazy.dims == whole.dims
        assert max(lazy.chunks[lazy.dims.index("row")]) == 37
        np.testing.assert_array_equal(lazy.values, whole.values)
        for name in whole.coords:
            np.testing.assert_allclose(lazy.coords[name].values, whole.coords[name].values)
        assert {k: lazy.attrs[k] for k in ("pixel_width", "unit", "title")} == \
            {k: whole.attrs[k] for k in ("pixel_width", "unit", "title")}


def test_lazy_reading_refuses_pixel_types_imagej_lacks(tmp_path):
    tifffile.imwrite(tmp_path / "int32.tif", np.zeros((20, 30), np.int32))
    with pytest.raises(ImageFormatError, match="int32.*uint8, uint16 or float32"):
        open_image(tmp_path / "int32.tif", chunks=10)


@pytest.mark.parametrize("method, params", [("rolling-ball", {"rolling": 40}),
                                            ("rolling-ball", {"light_background": True}),
                                            ("median", {"radius": 3}), ("tophat", {"radius": 4})])
def test_large_pipeline_equals_the_whole_image(big_tiff, tmp_path, method, params):
    folder = process_large(big_tiff, tmp_path / "out", method, params, chunk=200, progress=False)
    assert folder == tmp_path / "out" / "mosaic"
    got, expected = written(folder), whole_results(big_tiff, method, params)
    for name in expected:
        assert got[name].dtype == expected[name].dtype
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)


def test_ome_zarr_keeps_calibration_and_provenance(big_tiff, tmp_path):
    folder = process_large(big_tiff, tmp_path / "out", "median", {"radius": 2}, chunk=300,
                           progress=False)
    back = open_ome_zarr(folder / "background.ome.zarr")
    source = open_image(big_tiff)
    np.testing.assert_array_equal(back.values, reference.median(source, 2).values)
    assert open_ome_zarr(folder / "background.ome.zarr", chunks=(70, 90)).chunks == (
        (70,) * 10, (90,) * 10)
    assert back.chunks == ((300, 300, 100), (300, 300, 300))  # the store's own
    assert back.attrs["pixel_width"] == pytest.approx(source.attrs["pixel_width"])
    assert back.attrs["unit"] == source.attrs["unit"] == "cm"
    attrs = json.loads((folder / "background.ome.zarr" / ".zattrs").read_text())
    scale = attrs["multiscales"][0]["datasets"][0]["coordinateTransformations"][0]["scale"]
    assert scale == pytest.approx([0.65, 0.65])
    assert [a["name"] for a in attrs["multiscales"][0]["axes"]] == ["y", "x"]
    assert attrs["multiscales"][0]["axes"][0]["unit"] == "centimeter"
    assert "Median" in attrs["ij_bgcorr"]["reference"] and "tiles" in attrs["ij_bgcorr"]


def test_a_chunk_whose_line_a_crash_cut_short_is_written_again(big_tiff, tmp_path,
                                                                monkeypatch):
    original = large._save_progress

    def crash_mid_line(log, batch):
        with log.open("a") as file:  # as if the process died while appending the batch
            file.write("\n".join(batch)[:-1])
        raise KeyboardInterrupt

    monkeypatch.setattr(large, "_save_progress", crash_mid_line)
    with pytest.raises(KeyboardInterrupt):
        process_large(big_tiff, tmp_path / "out", "median", {"radius": 3}, chunk=128,
                      progress=False)
    log = tmp_path / "out" / ".mosaic.partial" / "done.txt"
    cut = log.read_text()
    assert not cut.endswith("\n") and large._done_keys(log) == set(cut.split("\n")[:-1])
    monkeypatch.setattr(large, "_save_progress", original)
    folder = process_large(big_tiff, tmp_path / "out", "median", {"radius": 3}, chunk=128,
                           progress=False)
    lines = (folder / "done.txt").read_text().split("\n")
    assert len(set(lines[-49:-1])) == 48  # every one of the 6 x 8 chunks listed whole
    np.testing.assert_array_equal(written(folder)["background"],
                                  whole_results(big_tiff, "median", {"radius": 3})["background"])


def test_an_interrupted_run_resumes_without_redoing_tiles(big_tiff, tmp_path, monkeypatch):
    saves = []
    original = large._save_progress

    def interrupt_after_one(log, batch):
        original(log, batch)
        saves.append(len(log.read_text().splitlines()))
        if len(saves) == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(large, "_save_progress", interrupt_after_one)
    with pytest.raises(KeyboardInterrupt):
        process_large(big_tiff, tmp_path / "out", "median", {"radius": 3}, chunk=128,
                      progress=False)
    assert not (tmp_path / "out" / "mosaic").exists()  # nothing under the final name yet
    first = saves[0]
    folder = process_large(big_tiff, tmp_path / "out", "median", {"radius": 3}, chunk=128,
                           progress=False)
    total = 6 * 8  # 700 x 900 pixels in tiles of 128
    assert saves[-1] == total and len(saves) - 1 == -(-(total - first) // (saves[1] - first))
    np.testing.assert_array_equal(written(folder)["background"],
                                  whole_results(big_tiff, "median", {"radius": 3})["background"])


def test_a_finished_result_is_kept_and_other_settings_are_refused(big_tiff, tmp_path):
    out = tmp_path / "out"
    folder = process_large(big_tiff, out, "median", {"radius": 2}, chunk=400, progress=False)
    stamp = (folder / "background.ome.zarr" / ".zattrs").stat().st_mtime_ns
    assert process_large(big_tiff, out, "median", {"radius": 2}, chunk=400,
                         progress=False) == folder
    assert (folder / "background.ome.zarr" / ".zattrs").stat().st_mtime_ns == stamp
    with pytest.raises(CommandError, match="other settings.*--replace"):
        process_large(big_tiff, out, "median", {"radius": 5}, chunk=400, progress=False)
    process_large(big_tiff, out, "median", {"radius": 5}, chunk=400, progress=False,
                  replace=True)
    np.testing.assert_array_equal(written(folder)["background"],
                                  whole_results(big_tiff, "median", {"radius": 5})["background"])


def test_one_run_at_a_time_per_output(big_tiff, tmp_path):
    from filelock import FileLock

    (tmp_path / "out").mkdir()
    with FileLock(tmp_path / "out" / ".mosaic.lock"), pytest.raises(BatchBusy):
        process_large(big_tiff, tmp_path / "out", "median", {"radius": 2}, progress=False)


def test_methods_that_cannot_be_tiled_are_refused(big_tiff, tmp_path):
    with pytest.raises(CommandError, match="maxproj cannot run tile by tile"):
        process_large(big_tiff, tmp_path, "maxproj", progress=False)
    with pytest.raises(CommandError,
                       match=r"'median' takes \['radius'\] parameters, not \['rolling'\]"):
        process_large(big_tiff, tmp_path, "median", {"rolling": 3}, progress=False)


def test_large_command_line(big_tiff, tmp_path):
    args = ["large", str(big_tiff), "--method", "rolling-ball", "--rolling", "30", "--numpy",
            "--chunk", "256", "--out", str(tmp_path / "out"), "--no-progress"]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    got = written(tmp_path / "out" / "mosaic")
    np.testing.assert_array_equal(
        got["foreground"], whole_results(big_tiff, "rolling-ball", {"rolling": 30})["foreground"])
    refused = CliRunner().invoke(main, [*args[:-3], "--radius", "3", *args[-3:]])
    assert refused.exit_code != 0 and "--radius" in refused.output


def test_engine_pipeline_equals_the_lesson_workflow(fiji, big_tiff, tmp_path):
    """Through ImageJ: the same pixels the whole-image workflow gives (run and batch)."""
    for method, params in (("rolling-ball", {"rolling": 60}), ("median", {"radius": 4})):
        folder = process_large(big_tiff, tmp_path / method, method, params, chunk=256,
                               engine=fiji, progress=False)
        whole = run_method(fiji, method, open_image(big_tiff),
                           {**METHODS[method].params, **params}, None, 600)[0]
        got = written(folder)
        for name in got:
            np.testing.assert_array_equal(got[name], whole[name].values, err_msg=name)


def test_an_ome_zarr_input_is_never_overwritten(big_tiff, tmp_path):
    first = process_large(big_tiff, tmp_path / "a", "median", {"radius": 2}, progress=False)
    source = first / "background.ome.zarr"
    before = open_image(source).values
    inside = tmp_path / "c" / "background" / "background.ome.zarr"  # OUT/<its stem>/...
    shutil.copytree(source, inside)
    with pytest.raises(CommandError, match="lies in the output folder"):
        process_large(inside, tmp_path / "c", "median", {"radius": 2}, progress=False,
                      replace=True)
    assert (inside / ".zattrs").is_file()
    again = process_large(source, tmp_path / "b", "median", {"radius": 2}, progress=False)
    assert again == tmp_path / "b" / "background"  # named without .ome.zarr
    np.testing.assert_array_equal(open_image(source).values, before)
    np.testing.assert_array_equal(open_image(again / "background.ome.zarr").values,
                                  reference.median(before, 2))


def test_large_command_line_on_a_dask_cluster(big_tiff, tmp_path):
    distributed = pytest.importorskip(
        "dask.distributed", reason="needs dask.distributed (pip install 'ij-bgcorr[cluster]')")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        done = CliRunner().invoke(main, [
            "large", str(big_tiff), "--method", "median", "--radius", "3", "--numpy",
            "--chunk", "256", "--out", str(tmp_path), "--no-progress",
            "--scheduler", cluster.scheduler_address])
    assert done.exit_code == 0, done.output
    np.testing.assert_array_equal(written(tmp_path / "mosaic")["background"],
                                  whole_results(big_tiff, "median", {"radius": 3})["background"])


def test_ctrl_c_keeps_the_tiles_written_and_the_same_command_goes_on(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    img = (np.random.default_rng(3).random((2400, 2400)) * 4000).astype(np.uint16)
    tifffile.imwrite(tmp_path / "m.tif", img, tile=(256, 256))
    command = [sys.executable, "-c", "from ij_bgcorr.cli.main import entry_point; entry_point()",
               "large", str(tmp_path / "m.tif"), "--method", "median", "--radius", "4",
               "--numpy", "--chunk", "100", "--out", str(tmp_path / "out"), "--no-progress"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    progress = tmp_path / "out" / ".m.partial" / "done.txt"  # a line per chunk written
    deadline = time.monotonic() + 120
    while not progress.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr[-2000:]
    assert "run the same command again" in stderr and "Traceback" not in stderr
    done = len(progress.read_text().splitlines())
    assert 0 < done < 24 * 24 and not (tmp_path / "out" / "m").exists()
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert finished.returncode == 0, finished.stderr[-2000:]
    np.testing.assert_array_equal(written(tmp_path / "out" / "m")["background"],
                                  reference.median(img, 4))
    assert not (tmp_path / "out" / ".m.partial").exists()


def test_an_input_rewritten_in_place_is_recomputed(big_tiff, tmp_path, monkeypatch):
    """Same name, same size, other pixels: never taken for the input already done."""
    out = tmp_path / "out"
    process_large(big_tiff, out, "median", {"radius": 3}, chunk=200, progress=False)
    changed = open_image(big_tiff).values.copy()
    changed[:100] = 0
    tifffile.imwrite(big_tiff, changed, bigtiff=True, tile=(128, 128),
                     resolution=(1 / 0.65, 1 / 0.65), resolutionunit="CENTIMETER")
    with pytest.raises(CommandError, match="other settings"):
        process_large(big_tiff, out, "median", {"radius": 3}, chunk=200, progress=False)
    # interrupted, rewritten, resumed: the tiles of the old pixels are not kept
    calls = []
    original = large._save_progress

    def interrupt(log, batch):
        original(log, batch)
        calls.append(1)
        raise KeyboardInterrupt

    monkeypatch.setattr(large, "_save_progress", interrupt)
    with pytest.raises(KeyboardInterrupt):
        process_large(big_tiff, tmp_path / "other", "median", {"radius": 3}, chunk=128,
                      progress=False)
    monkeypatch.setattr(large, "_save_progress", original)
    tifffile.imwrite(big_tiff, changed[::-1].copy(), bigtiff=True, tile=(128, 128))
    folder = process_large(big_tiff, tmp_path / "other", "median", {"radius": 3}, chunk=128,
                           progress=False)
    np.testing.assert_array_equal(written(folder)["background"],
                                  reference.median(changed[::-1].copy(), 3))


def test_what_the_whole_workflow_cannot_give_is_refused(tmp_path):
    rgb = ijb.as_image(np.random.default_rng(4).integers(0, 255, (60, 70, 3), np.uint8),
                       dims=("row", "col", "ch"), rgb=True)
    save_image(rgb, tmp_path / "rgb.tif")
    for method in ("median", "tophat"):
        with pytest.raises(CommandError, match="RGB image"):
            process_large(tmp_path / "rgb.tif", tmp_path / "out", method, progress=False)
    tifffile.imwrite(tmp_path / "narrow.tif", np.ones((300, 8), np.uint16))
    with pytest.raises(CommandError, match="one column wide"):
        process_large(tmp_path / "narrow.tif", tmp_path / "out", "rolling-ball",
                      {"rolling": 150}, progress=False)


def test_chunks_by_dim_name_and_names_without_extensions(big_tiff, tmp_path):
    lazy = open_image(big_tiff, chunks={"row": 20, "col": 30})
    assert lazy.chunks == ((20,) * 35, (30,) * 30)
    with pytest.raises(ImageFormatError, match="unknown dims"):
        open_image(big_tiff, chunks={"rows": 20})
    shutil.copy(big_tiff, tmp_path / "scan 1.ome.TIF")
    folder = process_large(tmp_path / "scan 1.ome.TIF", tmp_path / "out", "median",
                           {"radius": 1}, progress=False)
    assert folder.name == "scan_1"


def test_relative_paths_read_and_write_where_they_were_meant(big_tiff, tmp_path, monkeypatch):
    """Dask workers may run in another folder: paths are made absolute when opened."""
    monkeypatch.chdir(big_tiff.parent)
    lazy = open_image(big_tiff.name, chunks=100)
    folder = process_large(big_tiff.name, "rel-out", "median", {"radius": 2}, chunk=300,
                           progress=False)
    zarr_lazy = open_image(Path("rel-out") / "mosaic" / "background.ome.zarr", chunks=100)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    np.testing.assert_array_equal(lazy.values, open_image(big_tiff).values)
    np.testing.assert_array_equal(zarr_lazy.values, reference.median(open_image(big_tiff), 2))
    assert folder.is_absolute() and folder.parent == big_tiff.parent / "rel-out"


def test_pyramids_bad_chunks_and_changed_files_are_clear_errors(big_tiff, tmp_path):
    data = open_image(big_tiff).values
    with tifffile.TiffWriter(tmp_path / "pyr.ome.tif") as tif:  # two levels, as slide scans
        tif.write(data, subifds=1, tile=(128, 128))
        tif.write(data[::2, ::2], subfiletype=1, tile=(128, 128))
    np.testing.assert_array_equal(open_image(tmp_path / "pyr.ome.tif", chunks=200).values, data)
    for bad in (0, -5, 2.5, "abc", {"row": 0}):
        with pytest.raises(ImageFormatError, match="chunks="):
            open_image(big_tiff, chunks=bad)
    lazy = open_image(big_tiff, chunks=200)
    tifffile.imwrite(big_tiff, data[::-1].copy(), bigtiff=True, tile=(128, 128))
    with pytest.raises(ImageFormatError, match="changed since it was opened"):
        lazy.compute()


def test_results_never_go_into_the_input(big_tiff, tmp_path):
    first = process_large(big_tiff, tmp_path / "a", "median", {"radius": 2}, progress=False)
    source = first / "background.ome.zarr"
    with pytest.raises(CommandError, match="would go into the input"):
        process_large(source, source / "res", "median", {"radius": 2}, progress=False)
    assert not (source / "res").exists()
    folder = process_large(big_tiff, tmp_path / "a", "rolling-ball", {}, progress=False,
                           replace=True)
    assert not (tmp_path / "a" / ".mosaic.old").exists()
    attrs = json.loads((folder / "foreground.ome.zarr" / ".zattrs").read_text())
    assert attrs["multiscales"][0]["name"] == "foreground"
