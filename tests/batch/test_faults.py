"""Faults around a batch: Ctrl-C, kill -9, two batches into one folder.

Each case runs the real command line in a child process (its own session, so
that a signal reaches it and its workers as a terminal's would) and checks
that nothing is lost, nothing partial is left and nothing keeps running.
Loops are bounded; signals are sent once the manifest shows finished files.
"""

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
import tifffile
from processes import alive, descendants

from ij_bgcorr.batch.manifest import MANIFEST_NAME
from ij_bgcorr.batch.run import LOCK_NAME

pytestmark = [pytest.mark.jvm,
              pytest.mark.skipif(not Path("/proc").is_dir(),
                                 reason="needs Linux's /proc to find leftover processes")]

N_IMAGES = 24


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    rng = np.random.default_rng(7)
    for k in range(N_IMAGES):
        tifffile.imwrite(folder / f"cells{k:02d}.tif",
                         rng.integers(0, 4000, (600, 600), dtype=np.uint16))
    return folder


def _command(inputs: Path, out: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "ij_bgcorr.cli.batch", str(inputs), "--method", "median",
            "--radius", "8", "--workers", str(workers), "--out", str(out), "--no-progress"]


def _start(inputs: Path, out: Path, workers: int) -> subprocess.Popen[str]:
    return subprocess.Popen(_command(inputs, out, workers), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _entries(out: Path) -> dict:
    try:
        return json.loads((out / MANIFEST_NAME).read_text())["entries"]
    except (OSError, ValueError, KeyError):
        return {}


def _wait_for_entries(out: Path, n: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while len(_entries(out)) < n:
        assert process.poll() is None, "the batch ended before it could be interrupted"
        assert time.monotonic() < deadline, "no file finished within 120 s"
        time.sleep(0.05)


def _no_temporaries(out: Path) -> None:
    assert [p for p in out.rglob("*") if ".tmp" in p.name] == []


def _complete(out: Path, entries: dict) -> None:
    """Each recorded file's outputs exist and match their recorded checksums."""
    for entry in entries.values():
        assert entry["status"] == "ok"
        for output in entry["outputs"].values():
            assert (out / output["path"]).stat().st_size == output["bytes"]


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_stops_cleanly_and_the_next_run_resumes(inputs, tmp_path, workers):
    out = tmp_path / "out"
    process = _start(inputs, out, workers)
    _wait_for_entries(out, 2, process)
    family = descendants(process.pid)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr[-2000:]
    assert "Interrupted: the files above are done and kept" in stderr
    assert "Traceback" not in stderr
    time.sleep(1)
    assert alive(family) == set()
    _no_temporaries(out)
    done = _entries(out)
    assert 2 <= len(done) < N_IMAGES
    _complete(out, done)
    # after Ctrl-C at most the files already at work (one per worker) are finished
    written = {path.parent.name for path in out.rglob("foreground.tif")}
    assert len(written) - len(done) <= workers, (sorted(written), sorted(done))
    resumed = subprocess.run(_command(inputs, out, workers), capture_output=True, text=True,
                             timeout=300, check=False)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"{len(done)} skipped" in resumed.stdout
    assert len(_entries(out)) == N_IMAGES
    _complete(out, _entries(out))


def test_sigterm_stops_a_batch_with_workers_and_removes_its_lock(inputs, tmp_path):
    out = tmp_path / "out"
    process = _start(inputs, out, 2)
    _wait_for_entries(out, 1, process)
    family = descendants(process.pid)
    process.terminate()
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 143, stderr[-2000:]
    time.sleep(1)
    assert alive(family) == set()
    assert not (out / LOCK_NAME).exists()
    _no_temporaries(out)
    _complete(out, _entries(out))


def test_kill_9_leaves_no_worker_engine_or_display_running(inputs, tmp_path):
    out = tmp_path / "out"
    process = _start(inputs, out, 2)
    _wait_for_entries(out, 2, process)
    family = descendants(process.pid)
    assert len(family) >= 2  # the workers (and their displays) are there to be checked
    process.kill()
    process.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while alive(family) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alive(family) == set()


def _workers(pid: int) -> list[int]:
    """The batch's worker processes: its children running multiprocessing's spawn."""
    found = []
    for child in descendants(pid):
        try:
            command = (Path("/proc") / str(child) / "cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            found.append(child)
    return found


def test_a_killed_worker_fails_its_files_and_the_batch_goes_on(inputs, tmp_path):
    out = tmp_path / "out"
    process = _start(inputs, out, 2)
    _wait_for_entries(out, 2, process)
    workers = _workers(process.pid)
    assert len(workers) == 2
    os.kill(workers[0], signal.SIGKILL)  # as the system's out-of-memory killer does
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 1, stderr[-2000:]  # some files failed
    assert "Traceback" not in stderr + stdout
    entries = _entries(out)
    assert len(entries) == N_IMAGES  # every other file was still processed
    failed = [e for e in entries.values() if e["status"] != "ok"]
    assert 1 <= len(failed) <= 2  # the killed worker's file (and its pool's other one)
    assert all("worker process ended abruptly" in e["message"] for e in failed)
    _complete(out, {k: e for k, e in entries.items() if e["status"] == "ok"})


def test_a_second_batch_into_the_same_folder_refuses_at_once(inputs, tmp_path):
    out = tmp_path / "out"
    first = _start(inputs, out, 1)
    _wait_for_entries(out, 1, first)
    started = time.monotonic()
    second = subprocess.run(_command(inputs, out, 1), capture_output=True, text=True,
                            timeout=60, check=False)
    assert time.monotonic() - started < 30
    assert second.returncode == 1
    assert f"Another batch is writing into {out}" in second.stderr
    stdout, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr[-2000:]
    _no_temporaries(out)
    assert len(_entries(out)) == N_IMAGES
    _complete(out, _entries(out))


def test_a_full_disk_loses_nothing_and_the_next_run_completes(inputs, tmp_path):
    """Writes fail as on a full disk (a file-size limit: EFBIG), then succeed on a rerun."""
    import resource

    out = tmp_path / "out"
    limit = 200_000  # bytes: the manifest fits, a 600 x 600 float32 output does not

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    full = subprocess.run(_command(inputs, out, 1), capture_output=True, text=True,
                          timeout=300, check=False, preexec_fn=small_files)
    assert full.returncode == 1, full.stderr[-2000:]
    assert "24 failed" in full.stdout and "OSError" in full.stdout
    _no_temporaries(out)
    entries = _entries(out)
    assert len(entries) == N_IMAGES and all(e["status"] == "error" for e in entries.values())
    assert not [p for p in out.rglob("*.tif") if p.stat().st_size >= limit]
    again = subprocess.run(_command(inputs, out, 1), capture_output=True, text=True,
                           timeout=300, check=False)
    assert again.returncode == 0, again.stderr[-2000:]
    assert len(_entries(out)) == N_IMAGES
    _complete(out, _entries(out))


def test_an_unwritable_output_folder_is_a_one_line_error(inputs, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    done = subprocess.run(_command(inputs, blocker / "out", 1), capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 1
    assert "Error:" in done.stderr and "Traceback" not in done.stderr
    assert blocker.read_text() == "not a folder"
