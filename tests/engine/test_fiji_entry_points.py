"""The real Fiji beside the project, from every entry point, offline and without a display.

Each test starts Fiji in a child process (Java starts once per process), with
``$IJ_BGCORR_FIJI`` unset so that only the ``--fiji`` option or the argument
can select it, and no network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import ij_bgcorr as ijb
from conftest import REPO, SHARED_FIJI
from ij_bgcorr import reference
from ij_bgcorr.crossval import synthetic
from ij_bgcorr.engine.locate import FIJI_ENV, find_java_home

pytestmark = pytest.mark.jvm
CLI = str(Path(sys.executable).with_name("ij-bgcorr"))


@pytest.fixture(scope="module")
def fiji_app() -> Path:
    app = Path(os.environ.get(FIJI_ENV) or SHARED_FIJI)
    if not (app / "jars").is_dir():
        pytest.skip(f"needs a Fiji.app: set {FIJI_ENV}=/path/to/Fiji.app or put one at "
                    f"{SHARED_FIJI}")
    return app


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (FIJI_ENV, "DISPLAY")}
    env.update(extra)
    return env


HEADLESS_CHILD = textwrap.dedent("""
    import json, os, sys
    import numpy as np
    import ij_bgcorr as ijb
    from ij_bgcorr.engine import display
    engine = ijb.start(fiji=sys.argv[1])
    result = engine.median(np.arange(25, dtype=np.uint8).reshape(5, 5), 1)
    from jpype import JClass
    children = []
    for stat in os.listdir("/proc"):
        if stat.isdigit():
            try:
                fields = open(f"/proc/{stat}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid():
                children.append(open(f"/proc/{stat}/comm").read().strip())
    print(json.dumps({
        "kind": engine.kind, "version": engine.version, "fiji": engine.fiji_version,
        "headless": bool(JClass("java.awt.GraphicsEnvironment").isHeadless()),
        "xvfb_started": display._display is not None, "display": os.environ.get("DISPLAY"),
        "children": children, "sum": int(result.values.sum())}))
    from ij_bgcorr.engine.jvm import exit_now
    exit_now(0)
""")


def test_fiji_starts_offline_headless_with_no_display(fiji_app: Path, tmp_path: Path) -> None:
    """No DISPLAY, no Xvfb on PATH, no network: Fiji still starts and runs a command."""
    (tmp_path / "bin").mkdir()
    env = _env(PATH=str(tmp_path / "bin"), JAVA_HOME=str(find_java_home()),
               HOME=str(tmp_path))  # an empty home: no Maven or jgo cache to lean on
    done = subprocess.run([sys.executable, "-c", HEADLESS_CHILD, str(fiji_app)], env=env,
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["kind"] == "fiji" and seen["version"].startswith("1.54")
    assert seen["fiji"].startswith("2.14")
    assert seen["headless"] and not seen["xvfb_started"] and seen["display"] is None
    assert "Xvfb" not in seen["children"]
    assert seen["sum"] > 0
    assert not (tmp_path / ".jgo").exists() and not (tmp_path / ".m2").exists()


def _cli(fiji_app: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([CLI, "--fiji", str(fiji_app), *args], env=_env(), cwd=cwd,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
    return done


def test_every_command_line_entry_point_runs_in_fiji(fiji_app: Path, tmp_path: Path) -> None:
    image = ijb.save_image(synthetic.spots_on_uneven_background(), tmp_path / "spots.tif")
    run = _cli(fiji_app, "run", str(image), "--radius", "3", "--out", "run", cwd=tmp_path)
    assert "ImageJ 1.54" in run.stdout and "(fiji engine)" in run.stdout
    background = ijb.open_image(tmp_path / "run" / "background.tif")
    expected = reference.median(ijb.open_image(image).values, 3)
    np.testing.assert_array_equal(background.values, expected)

    _cli(fiji_app, "lesson", "--out", "lesson", cwd=tmp_path)
    assert len(list((tmp_path / "lesson").rglob("*.tif"))) >= 8

    macro = tmp_path / "invert.ijm"
    macro.write_text('run("Invert");\nrename("inverted");\n')
    _cli(fiji_app, "macro", str(macro), "--input", str(image), "--out", "macro", cwd=tmp_path)
    inverted = ijb.open_image(tmp_path / "macro" / "inverted.tif")
    np.testing.assert_array_equal(inverted.values, 255 - ijb.open_image(image).values)

    _cli(fiji_app, "compare", str(image), "--method", "median", "--radius", "3",
         "--out", "compare", cwd=tmp_path)
    report = (tmp_path / "compare" / "spots.median.md").read_text()
    assert "| imagej | True | 0 |" in report  # Fiji's median equals the ImageJ-matched one
    assert (tmp_path / "compare" / "spots.median.png").is_file()

    (tmp_path / "in").mkdir()
    for k in range(2):
        spots = synthetic.spots_on_uneven_background(seed=k)
        ijb.save_image(spots, tmp_path / "in" / f"{k}.tif")
    _cli(fiji_app, "batch", "in", "--method", "median", "--radius", "3", "--out", "batch",
         "--workers", "2", "--no-progress", cwd=tmp_path)
    manifest = json.loads((tmp_path / "batch" / "manifest.json").read_text())
    entries = manifest["entries"].values()
    assert {e["imagej_version"] for e in entries} == {"1.54m99"}
    assert all(e["status"] == "ok" and "(fiji engine)" in e["macro"] for e in entries)
