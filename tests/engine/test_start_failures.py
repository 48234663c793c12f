"""A start that fails names its real cause and leaves nothing running."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

CHILD = """
import os, pathlib
import ij_bgcorr as ijb
try:
    ijb.start({arg})
except Exception as exc:
    print(type(exc).__name__, exc)
children = [p for p in pathlib.Path("/proc").iterdir() if p.name.isdigit()]
xvfb = []
for proc in children:
    try:
        status = (proc / "status").read_text()
    except OSError:
        continue
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    if fields.get("PPid", "").strip() == str(os.getpid()) and "Xvfb" in fields["Name"]:
        xvfb.append(proc.name)
print("xvfb children:", len(xvfb))
"""


def _child(arg: str, **env: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", CHILD.format(arg=arg)], cwd=REPO,
                          env=os.environ | {"IJ_BGCORR_FIJI": ""} | env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.splitlines()


@pytest.mark.jvm
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux's /proc to list processes")
def test_a_file_that_is_not_imagej_is_named_before_anything_starts(tmp_path):
    fake = tmp_path / "not-a-jar.tif"
    fake.write_bytes(b"II*\x00")
    lines = _child(f"ij_jar={str(fake)!r}")
    assert lines[0] == (f"EngineNotAvailable ij_jar argument names {fake}, which is not "
                        "ImageJ 1.x's jar (a zip file holding ij/IJ.class).")
    assert lines[-1] == "xvfb children: 0"


@pytest.mark.jvm
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux's /proc to list processes")
def test_a_jvm_that_does_not_start_leaves_no_display_running():
    lines = _child("", IJ_BGCORR_MAX_HEAP="not-a-size")
    assert lines[0].startswith("EngineNotAvailable The JVM did not start")
    assert lines[-1] == "xvfb children: 0"
