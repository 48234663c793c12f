"""``ij-bgcorr doctor``: the checks, their fixes, and the exit code."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from ij_bgcorr.cli.doctor import doctor_command
from ij_bgcorr.engine import doctor
from ij_bgcorr.engine.base import Engine
from ij_bgcorr.engine.doctor import (
    Check,
    Diagnosis,
    diagnose,
    imagej_version_in_jar,
)
from ij_bgcorr.engine.locate import FIJI_ENV, IJ_JAR_ENV, find_ij_jar
from ij_bgcorr.errors import EngineNotAvailable


@pytest.fixture
def no_env_fiji(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FIJI_ENV, raising=False)


@pytest.mark.jvm  # needs Java installed (it is not started)
def test_this_machine_embedded_ready_fiji_not_configured(no_env_fiji: None) -> None:
    result = CliRunner().invoke(doctor_command, [])
    assert result.exit_code == 0, result.output
    assert "embedded engine: ready" in result.output
    assert "Fiji engine: not configured" in result.output
    for name in ("Java", "ij.jar", "display", "PyImageJ", "Fiji"):
        assert name in result.output
    assert f"export {FIJI_ENV}=/path/to/Fiji.app" in result.output


@pytest.mark.jvm
def test_diagnose_fields(no_env_fiji: None) -> None:
    checks = diagnose()
    assert isinstance(checks, list) and all(isinstance(c, Check) for c in checks)
    by_name = {c.name: c for c in checks}
    assert by_name["Java"].status == "ok" and by_name["Java"].detail[:2].isdigit()
    assert by_name["ij.jar"].status == "ok" and "ImageJ 1." in by_name["ij.jar"].detail
    assert by_name["Fiji"].status == "not configured" and by_name["Fiji"].fix
    assert checks.embedded_ready and not checks.fiji_ready


def test_exit_1_when_embedded_engine_cannot_start(monkeypatch: pytest.MonkeyPatch,
                                                  no_env_fiji: None) -> None:
    monkeypatch.setattr(doctor, "check_display", lambda env: Check(
        "display", "missing", "no Xvfb on PATH and DISPLAY is unset", "sudo apt-get install xvfb"))
    result = CliRunner().invoke(doctor_command, [])
    assert result.exit_code == 1
    assert "embedded engine: not ready" in result.output
    assert "display: sudo apt-get install xvfb" in result.output


def test_java_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    check = doctor.check_java()
    assert check.status == "missing" and "no java on PATH" in check.detail
    assert "default-jre-headless" in check.fix


def test_display_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert doctor.check_display({}).status == "missing"
    assert doctor.check_display({"DISPLAY": ":7"}).detail.startswith("DISPLAY=:7")


def test_version_read_from_jar_equals_running_imagej(fiji: Engine) -> None:
    assert imagej_version_in_jar(find_ij_jar()) == fiji.version


def test_jar_without_imagej(tmp_path: Path) -> None:
    jar = tmp_path / "other.jar"
    with zipfile.ZipFile(jar, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    with pytest.raises(ValueError, match="holds no ImageJ 1.x"):
        imagej_version_in_jar(jar)
    with pytest.raises(ValueError):
        imagej_version_in_jar(tmp_path / "missing.jar")


def test_fiji_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(IJ_JAR_ENV, raising=False)  # the user's choice does not matter here
    monkeypatch.delenv(FIJI_ENV, raising=False)
    try:
        imagej = find_ij_jar()
    except EngineNotAvailable as exc:
        pytest.skip(f"needs an ImageJ 1.x jar to build a Fiji.app from ({exc})")
    unset = doctor.check_fiji({})
    assert unset.status == "not configured"
    missing = doctor.check_fiji({FIJI_ENV: str(tmp_path / "nope")})
    assert missing.status == "missing" and "does not exist" in missing.detail
    endpoint = doctor.check_fiji({FIJI_ENV: "sc.fiji:fiji"})
    assert endpoint.status == "ok" and "not checked" in endpoint.detail
    app = tmp_path / "Fiji.app"
    (app / "jars").mkdir(parents=True)
    shutil.copy(imagej, app / "jars" / "ij-1.53t.jar")
    for name in ("imagej-2.14.0.jar", "imagej-legacy-1.2.1.jar"):
        (app / "jars" / name).write_bytes(b"")
    found = doctor.check_fiji({FIJI_ENV: str(app)})
    assert found.status == "ok", found.detail
    assert "ImageJ2 2.14.0, ImageJ 1." in found.detail


@pytest.mark.jvm
def test_doctor_with_the_real_fiji() -> None:
    """With $IJ_BGCORR_FIJI naming a real Fiji.app, doctor says it is ready, with both versions."""
    from conftest import SHARED_FIJI

    if not SHARED_FIJI.is_dir():
        pytest.skip(f"needs a real Fiji.app at {SHARED_FIJI}")
    diagnosis = doctor.diagnose({**os.environ, FIJI_ENV: str(SHARED_FIJI)})
    assert diagnosis.fiji_ready
    (fiji,) = [c for c in diagnosis if c.name == "Fiji"]
    assert fiji.detail.endswith("ImageJ2 2.14.0, ImageJ 1.54m99"), fiji.detail
    assert "Fiji engine: ready" in doctor.format_table(diagnosis)


def test_readiness() -> None:
    ok = {name: Check(name, "ok", "") for name in
          ("Java", "ij.jar", "display", "scyjava/JPype", "PyImageJ", "Fiji")}
    assert Diagnosis(ok.values()).embedded_ready and Diagnosis(ok.values()).fiji_ready
    no_fiji = Diagnosis({**ok, "Fiji": Check("Fiji", "not configured", "")}.values())
    assert no_fiji.embedded_ready and not no_fiji.fiji_ready
    no_pyimagej = Diagnosis({**ok, "PyImageJ": Check("PyImageJ", "missing", "")}.values())
    assert no_pyimagej.embedded_ready and not no_pyimagej.fiji_ready
    no_java = Diagnosis({**ok, "Java": Check("Java", "missing", "")}.values())
    assert not no_java.embedded_ready and not no_java.fiji_ready
    assert not Diagnosis([]).embedded_ready
