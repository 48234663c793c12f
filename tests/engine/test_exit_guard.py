"""The guard that keeps a macro from ending Java: its class, and the Java it can guard."""

from __future__ import annotations

import subprocess
from pathlib import Path
from shutil import which

import pytest

from ij_bgcorr.engine.exit_guard import CLASSES, java_feature_version


@pytest.mark.parametrize(("release", "version"), [
    ('JAVA_VERSION="17.0.15"\n', 17), ('IMPLEMENTOR="x"\nJAVA_VERSION="1.8.0_392"\n', 8),
    ('JAVA_VERSION="25"\n', 25), ("nothing useful\n", None)])
def test_the_java_release_is_read_from_the_java_homes_release_file(tmp_path, release, version):
    (tmp_path / "release").write_text(release)
    assert java_feature_version(tmp_path) == version
    assert java_feature_version(tmp_path / "missing") is None


@pytest.mark.parametrize("name", ["ExitGuard", "StaticFields"])
def test_each_shipped_class_is_compiled_from_its_source(tmp_path, name):
    javac, javap = which("javac"), which("javap")
    if javac is None or javap is None:
        pytest.skip("needs a JDK's javac and javap on PATH to rebuild the package's classes")
    source = CLASSES / "ijbgcorr" / f"{name}.java"
    subprocess.run([javac, "--release", "8", "-Xlint:-options", "-d", str(tmp_path),
                    str(source)], check=True, capture_output=True)

    def disassembled(folder: Path) -> str:
        return subprocess.run([javap, "-c", "-p", "-constants", "-cp", str(folder),
                               f"ijbgcorr.{name}"], check=True, capture_output=True,
                              text=True).stdout

    assert disassembled(CLASSES) == disassembled(tmp_path)
