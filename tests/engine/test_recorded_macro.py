"""A recorded session replays: run as it is, it recreates every result under its title."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from engine_scenarios import MICRONS

import ij_bgcorr as ijb
from conftest import REPO

RNG = np.random.default_rng(7)
STACK = RNG.integers(0, 4000, (3, 30, 34), dtype=np.uint16)


def _replay_and_compare(engine: ijb.Engine, results: list, memory: dict) -> None:
    """Run the recorded macro with the memory inputs open; every result must come back equal."""
    macro = engine.recorded_macro()
    replay = engine.run_macro(macro, inputs=memory, timeout=120)
    for result in results:
        title = result.attrs["title"]
        assert title in replay.images, (title, sorted(replay.images))
        again = replay[title]
        # a macro's images come back without size-1 dims; the API keeps the input's
        result = result.squeeze(drop=True)
        assert again.dims == result.dims, title
        assert again.dtype == result.dtype, title
        np.testing.assert_array_equal(again.values, result.values, err_msg=title)
        for dim in result.coords:
            np.testing.assert_allclose(again.coords[dim].values, result.coords[dim].values)


def test_a_session_of_every_command_replays(fiji: ijb.Engine, tmp_path: Path) -> None:
    fiji.new_session()
    path = ijb.save_image(ijb.as_image(STACK, calibration=MICRONS), tmp_path / "cells.tif")
    cells = ijb.open_image(path)
    memory = ijb.as_image(RNG.integers(0, 255, (30, 34), dtype=np.uint8)).assign_attrs(
        title="mask")
    results = [
        fiji.median(cells, 2),
        fiji.median(cells, 3),                                  # the same input again
        fiji.subtract_background(cells, 10, create_background=True, title="bg"),
        fiji.subtract_background(cells, 10, sliding=True, title="bg"),  # a title already taken
        fiji.z_project(cells, "max"),
        fiji.z_project(cells, "max"),                           # ImageJ's name already taken
        fiji.z_project(cells, "sd", start=2),
        fiji.duplicate(memory),
        fiji.image_calculator("and", memory, memory, create=False),
    ]
    results.append(fiji.image_calculator("subtract", cells, results[0], float32=True))
    results.append(fiji.image_calculator("add", results[-1], results[2]))  # results as inputs
    titles = [r.attrs["title"] for r in results]
    assert len(set(titles)) == len(titles), titles
    assert titles[2:4] == ["bg", "bg-1"]
    assert titles[4:6] == ["MAX_cells.tif", "MAX_cells-1.tif"]
    macro = fiji.recorded_macro()
    assert macro.count(f'open("{path.absolute()}");') == 1
    assert '//   "mask": 34x30, 8-bit' in macro
    assert "selectImage" in macro and macro.count("Duplicate...") >= 5
    _replay_and_compare(fiji, results, {"mask": memory})


def test_inputs_are_never_filtered_in_place_on_replay(fiji: ijb.Engine, tmp_path: Path) -> None:
    """Median and Subtract Background run on a duplicate: the input stays as it was."""
    fiji.new_session()
    path = ijb.save_image(ijb.as_image(STACK[0]), tmp_path / "plane.tif")
    plane = ijb.open_image(path)
    median = fiji.median(plane, 4)
    corrected = fiji.subtract_background(plane, 5)
    replay = fiji.run_macro(fiji.recorded_macro())
    np.testing.assert_array_equal(replay["plane.tif"].values, STACK[0])
    np.testing.assert_array_equal(replay[median.attrs["title"]].values, median.values)
    np.testing.assert_array_equal(replay[corrected.attrs["title"]].values, corrected.values)


def test_a_changed_array_is_a_new_input_not_the_file(fiji: ijb.Engine, tmp_path: Path) -> None:
    fiji.new_session()
    path = ijb.save_image(ijb.as_image(STACK[1]), tmp_path / "x.tif")
    original = ijb.open_image(path)
    changed = original.copy()
    changed.values[0, 0] += 1
    first = fiji.median(original, 1)
    second = fiji.median(changed, 1)
    macro = fiji.recorded_macro()
    assert macro.count("open(") == 1
    assert '//   "x-2.tif": 34x30, 16-bit' in macro  # x-1.tif is the first median
    _replay_and_compare(fiji, [first, second], {"x-2.tif": changed})


def test_lesson_workflow_records_the_lesson_macro(fiji: ijb.Engine, tmp_path: Path) -> None:
    from ij_bgcorr import workflows

    fiji.new_session()
    path = ijb.save_image(ijb.as_image(STACK[2]), tmp_path / "spots.tif")
    background, foreground = workflows.median_background(fiji, ijb.open_image(path), 15)
    assert fiji.recorded_macro().splitlines()[1:] == [
        f'open("{path.absolute()}");', 'rename("input");',
        'run("Duplicate...", "title=background");', 'run("Median...", "radius=15");',
        'selectImage("input");',
        'imageCalculator("Subtract create 32-bit", "input","background");',
        'rename("foreground");']
    _replay_and_compare(fiji, [background, foreground], {})


def test_cli_run_prints_a_macro_that_replays(fiji: ijb.Engine, engine_kind: str,
                                             tmp_path: Path) -> None:
    path = ijb.save_image(ijb.as_image(STACK[0]), tmp_path / "in.tif")
    out = tmp_path / "out"
    cli = str(Path(sys.executable).with_name("ij-bgcorr"))
    done = subprocess.run([cli, "run", str(path), "--radius",
                           "3", "--out", str(out)], cwd=REPO, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    macro = done.stdout[done.stdout.index("// Recorded by ij-bgcorr"):]
    assert f"({engine_kind} engine)" in macro.splitlines()[0]
    assert f'open("{path.absolute()}");' in macro
    replay = fiji.run_macro(macro)
    for name in ("background", "foreground"):
        np.testing.assert_array_equal(replay[name].values, ijb.open_image(out / f"{name}.tif"))


def test_a_converted_file_is_not_reopened_by_imagej(fiji: ijb.Engine, tmp_path: Path) -> None:
    """ImageJ's open() reads a signed 16-bit file differently: the replay must not use it."""
    import tifffile

    path = tmp_path / "signed.tif"
    tifffile.imwrite(path, np.array([[-3, 5], [7, 9]], np.int16))
    fiji.new_session()
    with pytest.warns(ijb.ImageConversionWarning, match="int16 pixels converted to 32-bit"):
        signed = ijb.open_image(path)
    result = fiji.median(signed, 1)
    macro = fiji.recorded_macro()
    assert "open(" not in macro and '//   "signed.tif": 2x2, 32-bit' in macro
    _replay_and_compare(fiji, [result], {"signed.tif": signed})


def test_results_and_untitled_arrays_handed_back_are_recognised(fiji: ijb.Engine) -> None:
    fiji.new_session()
    frame = ijb.as_image(STACK[:1, :, :], dims=("t", "row", "col")).assign_attrs(title="frame")
    first = fiji.median(frame, 1)
    assert first.dims == ("t", "row", "col")  # the size-1 dim comes back
    second = fiji.median(first, 1)                 # ... and is the same image again
    bare = STACK[1].copy()
    thrice = [fiji.median(bare, 1) for _ in range(3)]
    macro = fiji.recorded_macro()
    header = [line for line in macro.splitlines() if line.startswith("//   ")]
    assert len(header) == 2, header  # "frame" and the untitled array, once each
    assert macro.count('run("Duplicate...", "title=frame-1-1");') == 1  # made from frame-1
    _replay_and_compare(fiji, [first, second, *thrice],
                        {"frame": frame, "image": ijb.as_image(bare)})


def test_titles_a_macro_cannot_name_are_made_safe(fiji: ijb.Engine) -> None:
    fiji.new_session()
    odd = ijb.as_image(STACK[0]).assign_attrs(title="two\nlines [x] y")
    result = fiji.median(odd, 1)
    macro = fiji.recorded_macro()
    assert '//   "two lines (x) y": 34x30, 16-bit' in macro
    _replay_and_compare(fiji, [result], {"two lines (x) y": odd})
    for bad in ("[ch1", "a\nb", " padded", "x]"):
        with pytest.raises(ijb.CommandError, match="window title"):
            fiji.median(odd, 1, title=bad)


def test_ome_and_tiled_files_are_listed_not_reopened(fiji: ijb.Engine, tmp_path: Path) -> None:
    import tifffile

    tifffile.imwrite(tmp_path / "tz.ome.tif", STACK[:2, None].repeat(3, 1).astype(np.uint16),
                     ome=True, metadata={"axes": "TZYX"})
    tifffile.imwrite(tmp_path / "tiled.tif", np.zeros((64, 64), np.uint8), tile=(16, 16))
    fiji.new_session()
    for name in ("tz.ome.tif", "tiled.tif"):
        fiji.median(ijb.open_image(tmp_path / name), 1)
    macro = fiji.recorded_macro()
    assert "open(" not in macro
    assert '"tz.ome.tif": 34x30, 16-bit, 3 slices, 2 frames' in macro
