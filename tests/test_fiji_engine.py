"""The Fiji engine: which engine is chosen, how starting Fiji fails, what both engines share.

Only the integration tests at the end need a real Fiji.app; everything else
runs here in seconds, without network (PyImageJ's ``init`` is replaced where
it would resolve an endpoint).
"""

from __future__ import annotations

import importlib.machinery
import inspect
import json
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ij_bgcorr as ijb
from ij_bgcorr import engine as engine_module
from ij_bgcorr import fiji_engine
from ij_bgcorr.engine import EmbeddedEngine
from ij_bgcorr.errors import CommandError, EngineNotAvailable
from ij_bgcorr.fiji_engine import (
    FijiEngine,
    check_fiji_app,
    looks_like_endpoint,
    select_engine,
    start_fiji,
)
from ij_bgcorr.locate import DEBIAN_IJ_JAR, FIJI_ENV

REPO = Path(__file__).resolve().parents[1]
NO_FIJI = {"PATH": "/usr/bin"}
RESOLVE_ERROR = "Could not resolve RELEASE version for sc.fiji:fiji"


def fake_fiji_app(root: Path, *jars: str) -> Path:
    """A folder laid out like Fiji.app with empty jars of the given names."""
    app = root / "Fiji.app"
    (app / "jars").mkdir(parents=True)
    for name in jars:
        (app / "jars" / name).write_bytes(b"")
    return app


COMPLETE_JARS = ("ij-1.54f.jar", "imagej-2.14.0.jar", "imagej-legacy-1.2.1.jar")


@pytest.fixture
def no_env_fiji(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FIJI_ENV, raising=False)


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend no JVM and no Fiji engine run yet (the test session may have started Java)."""
    import scyjava

    monkeypatch.setattr(scyjava, "jvm_started", lambda: False)
    monkeypatch.setattr(fiji_engine, "_fiji", None)


@pytest.fixture
def no_embedded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make any attempt to start the embedded engine fail the test loudly."""
    calls: list[str] = []

    def forbidden(*args: Any, **kwargs: Any) -> None:
        calls.append("embedded")
        raise AssertionError("the embedded engine was started")

    monkeypatch.setattr(engine_module, "start", forbidden)
    monkeypatch.setattr(engine_module, "ensure_display", forbidden)
    monkeypatch.setattr(EmbeddedEngine, "__init__", forbidden)
    return calls


def fake_init(exc: BaseException) -> Any:
    def init(*args: Any, **kwargs: Any) -> Any:
        raise exc

    return init


def fake_imagej(monkeypatch: pytest.MonkeyPatch, init: Any) -> None:
    """Stand in for PyImageJ with ``init``.

    The real module is never imported here: importing it adds a Maven
    endpoint to scyjava's configuration, and the embedded engine's JVM start
    would then try to reach Maven.
    """
    module = types.ModuleType("imagej")
    module.__spec__ = importlib.machinery.ModuleSpec("imagej", None)
    module.init = init  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "imagej", module)


# -- selection ---------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "env", "expected"), [
    ({}, {}, "embedded"),
    ({}, {FIJI_ENV: ""}, "embedded"),
    ({"fiji": "/opt/Fiji.app"}, {}, "fiji"),
    ({"fiji": Path("/opt/Fiji.app")}, {}, "fiji"),
    ({"endpoint": "sc.fiji:fiji"}, {}, "fiji"),
    ({"endpoint": "net.imagej:imagej:2.14.0+net.imagej:imagej-legacy"}, {}, "fiji"),
    ({}, {FIJI_ENV: "/opt/Fiji.app"}, "fiji"),
    ({}, {FIJI_ENV: "sc.fiji:fiji"}, "fiji"),
    ({"ij_jar": "/usr/share/java/ij.jar"}, {}, "embedded"),
    ({"ij_jar": "/usr/share/java/ij.jar"}, {FIJI_ENV: "/opt/Fiji.app"}, "embedded"),
])
def test_select_engine(kwargs: dict[str, Any], env: dict[str, str], expected: str) -> None:
    assert select_engine(env=env, **kwargs) == expected


@pytest.mark.parametrize("kwargs", [
    {"fiji": "/opt/Fiji.app", "endpoint": "sc.fiji:fiji"},
    {"fiji": "/opt/Fiji.app", "ij_jar": "/usr/share/java/ij.jar"},
    {"endpoint": "sc.fiji:fiji", "ij_jar": "/usr/share/java/ij.jar"},
    {"endpoint": "not an endpoint"},
])
def test_select_engine_rejects_contradictions(kwargs: dict[str, Any]) -> None:
    with pytest.raises(CommandError):
        select_engine(env={}, **kwargs)


def test_select_engine_reads_the_real_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FIJI_ENV, "/opt/Fiji.app")
    assert select_engine() == "fiji"
    monkeypatch.delenv(FIJI_ENV)
    assert select_engine() == "embedded"


def test_env_value_that_exists_is_a_path(tmp_path: Path) -> None:
    odd = tmp_path / "a:b"
    odd.mkdir()
    assert fiji_engine.fiji_request(env={FIJI_ENV: str(odd)}) == ("path", str(odd))
    assert fiji_engine.fiji_request(env={FIJI_ENV: "sc.fiji:fiji"}) == ("endpoint", "sc.fiji:fiji")


@pytest.mark.parametrize(("value", "expected"), [
    ("sc.fiji:fiji", True), ("net.imagej:imagej:2.14.0", True), ("2.14.0", True),
    ("sc.fiji:fiji+org.example:extra:1.0", True), ("/opt/Fiji.app", False),
    ("Fiji.app", False), ("C:\\Fiji.app", False), ("", False),
])
def test_looks_like_endpoint(value: str, expected: bool) -> None:
    assert looks_like_endpoint(value) is expected


# -- a requested Fiji that cannot start ---------------------------------------------------
def test_nothing_requested(no_env_fiji: None) -> None:
    with pytest.raises(EngineNotAvailable, match=f"No Fiji was requested.*{FIJI_ENV}"):
        start_fiji()


def test_nonexistent_path(tmp_path: Path, no_embedded: list[str]) -> None:
    missing = tmp_path / "nowhere" / "Fiji.app"
    with pytest.raises(EngineNotAvailable, match="does not exist") as info:
        start_fiji(fiji=missing)
    assert str(missing) in str(info.value) and "https://fiji.sc" in str(info.value)
    assert not no_embedded


def test_a_file_is_not_a_fiji(tmp_path: Path) -> None:
    file = tmp_path / "Fiji.app"
    file.write_text("")
    with pytest.raises(EngineNotAvailable, match="not a folder"):
        start_fiji(fiji=file)


def test_folder_without_jars(tmp_path: Path, no_embedded: list[str]) -> None:
    app = tmp_path / "Fiji.app"
    app.mkdir()
    with pytest.raises(EngineNotAvailable, match="no Fiji.app layout: there is no jars/ folder"):
        start_fiji(fiji=app)
    assert not no_embedded


def test_folder_with_only_imagej1(tmp_path: Path) -> None:
    app = fake_fiji_app(tmp_path, "ij-1.54f.jar", "some-plugin.jar")
    with pytest.raises(EngineNotAvailable, match="missing ImageJ2") as info:
        start_fiji(fiji=app)
    assert "imagej-legacy" in str(info.value)


def test_env_path_is_checked_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FIJI_ENV, str(tmp_path))
    with pytest.raises(EngineNotAvailable, match="no jars/ folder"):
        start_fiji()


def test_complete_layout_is_accepted(tmp_path: Path) -> None:
    app = fake_fiji_app(tmp_path, *COMPLETE_JARS, "ij-1.53t.jar")
    found = check_fiji_app(app)
    assert found.ij_jar.name == "ij-1.54f.jar"
    assert found.legacy_jar.name == "imagej-legacy-1.2.1.jar"


def test_endpoint_without_network(monkeypatch: pytest.MonkeyPatch, fresh_process: None,
                                  no_embedded: list[str]) -> None:
    import scyjava

    def init(source: str, mode: str) -> None:
        scyjava.config.endpoints.append("net.imglib2:imglib2-imglyb:1.1.0")  # as PyImageJ does
        scyjava.config.add_option("-Djava.awt.headless=true")
        raise RuntimeError(RESOLVE_ERROR)

    fake_imagej(monkeypatch, init)
    endpoints_before = list(scyjava.config.endpoints)
    options_before = list(scyjava.config.get_options())
    fetch_before = scyjava.config.get_fetch_java()
    java_home_before = os.environ.get("JAVA_HOME")
    with pytest.raises(EngineNotAvailable) as info:
        start_fiji(endpoint="sc.fiji:fiji")
    message = str(info.value)
    assert "'sc.fiji:fiji' could not be resolved" in message
    assert RESOLVE_ERROR in message and "maven.scijava.org" in message
    assert "Fiji.app" in message
    # A failed start leaves scyjava as it was, so another engine can still start.
    assert scyjava.config.endpoints == endpoints_before
    assert scyjava.config.get_options() == options_before
    assert scyjava.config.get_fetch_java() == fetch_before
    assert os.environ.get("JAVA_HOME") == java_home_before
    assert fiji_engine.running_fiji_engine() is None
    assert not no_embedded


@pytest.mark.parametrize("error", [
    RuntimeError(RESOLVE_ERROR),
    OSError("HTTPSConnectionPool(host='maven.scijava.org', port=443): Max retries exceeded "
            "(Caused by NameResolutionError(\"Failed to resolve 'maven.scijava.org'\"))"),
])
def test_endpoint_network_errors_are_explained(error: Exception, monkeypatch: pytest.MonkeyPatch,
                                               fresh_process: None) -> None:
    fake_imagej(monkeypatch, fake_init(error))
    with pytest.raises(EngineNotAvailable, match="could not be resolved.*maven.scijava.org"):
        start_fiji(endpoint="net.imagej:imagej:2.14.0")


def test_endpoint_from_env_without_network(monkeypatch: pytest.MonkeyPatch,
                                           fresh_process: None) -> None:

    monkeypatch.setenv(FIJI_ENV, "sc.fiji:fiji")
    fake_imagej(monkeypatch, fake_init(RuntimeError(RESOLVE_ERROR)))
    with pytest.raises(EngineNotAvailable, match="could not be resolved"):
        start_fiji()


def test_init_is_called_headless_with_installed_java(monkeypatch: pytest.MonkeyPatch,
                                                     fresh_process: None) -> None:
    import scyjava

    seen: dict[str, Any] = {}

    def init(source: str, mode: str) -> None:
        seen.update(source=source, mode=mode, fetch=scyjava.config.get_fetch_java(),
                    java_home=os.environ.get("JAVA_HOME"))
        raise RuntimeError(RESOLVE_ERROR)

    fake_imagej(monkeypatch, init)
    with pytest.raises(EngineNotAvailable):
        start_fiji(endpoint="sc.fiji:fiji")
    assert seen["source"] == "sc.fiji:fiji" and seen["mode"] == "headless"
    assert seen["fetch"] == "auto"  # prefers the installed Java; never "always"
    assert Path(seen["java_home"], "bin", "java").exists()


def test_pyimagej_version_guess_failure(monkeypatch: pytest.MonkeyPatch,
                                       fresh_process: None) -> None:

    error = UnboundLocalError("cannot access local variable 'major_version' where it is not "
                              "associated with a value")
    fake_imagej(monkeypatch, fake_init(error))
    with pytest.raises(EngineNotAvailable, match="fetch"):
        start_fiji(endpoint="sc.fiji:fiji")


def test_local_fiji_that_fails_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        fresh_process: None) -> None:

    app = fake_fiji_app(tmp_path, *COMPLETE_JARS)
    fake_imagej(monkeypatch, fake_init(
        RuntimeError("Failed to create a JVM with the requested environment.")))
    with pytest.raises(EngineNotAvailable, match="Fiji did not start from .*Fiji.app"):
        start_fiji(fiji=app)


def test_pyimagej_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                          fresh_process: None) -> None:
    monkeypatch.setitem(sys.modules, "imagej", None)
    app = fake_fiji_app(tmp_path, *COMPLETE_JARS)
    with pytest.raises(EngineNotAvailable, match="needs PyImageJ.*pip install pyimagej"):
        start_fiji(fiji=app)


def test_java_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                      fresh_process: None) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    app = fake_fiji_app(tmp_path, *COMPLETE_JARS)
    with pytest.raises(EngineNotAvailable, match="Fiji needs Java") as info:
        start_fiji(fiji=app)
    assert "no java on PATH" in str(info.value) and "openjdk" in str(info.value)


def test_java_fiji_ships_with_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    app = fake_fiji_app(tmp_path, *COMPLETE_JARS)
    java = app / "java" / "linux-x64" / "zulu21-jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\n")
    java.chmod(0o755)
    assert fiji_engine.fiji_java_home(app) == java.parent.parent


def test_jvm_already_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             no_embedded: list[str]) -> None:
    import scyjava

    monkeypatch.setattr(scyjava, "jvm_started", lambda: True)
    monkeypatch.setattr(fiji_engine, "_fiji", None)
    fake_imagej(monkeypatch, fake_init(AssertionError("init must not be called")))
    app = fake_fiji_app(tmp_path, *COMPLETE_JARS)
    with pytest.raises(EngineNotAvailable, match="Java already runs in this process") as info:
        start_fiji(fiji=app)
    assert "separate Python process" in str(info.value)
    assert not no_embedded


def test_one_fiji_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    running = object.__new__(FijiEngine)
    running.source = "/somewhere/else/Fiji.app"
    monkeypatch.setattr(fiji_engine, "_fiji", running)
    app = fake_fiji_app(tmp_path, *COMPLETE_JARS)
    with pytest.raises(EngineNotAvailable, match="already runs in this process"):
        start_fiji(fiji=app)
    running.source = str(app.resolve())
    assert start_fiji(fiji=app) is running


def test_package_start_never_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        fresh_process: None) -> None:
    """``ij_bgcorr.start(fiji=...)`` raises when that Fiji cannot start (once it takes fiji)."""
    if "fiji" not in inspect.signature(ijb.start).parameters:
        pytest.skip("ij_bgcorr.start has no fiji parameter yet")

    monkeypatch.setattr(engine_module, "_engine", None)
    monkeypatch.setattr(engine_module, "ensure_display",
                        lambda: pytest.fail("the embedded engine was started"))
    with pytest.raises(EngineNotAvailable, match="no jars/ folder"):
        ijb.start(fiji=tmp_path)
    fake_imagej(monkeypatch, fake_init(RuntimeError(RESOLVE_ERROR)))
    with pytest.raises(EngineNotAvailable, match="could not be resolved"):
        ijb.start(endpoint="sc.fiji:fiji")
    monkeypatch.setenv(FIJI_ENV, "sc.fiji:fiji")
    with pytest.raises(EngineNotAvailable, match="could not be resolved"):
        ijb.start()


# -- what both engines share ----------------------------------------------------------------
PUBLIC = ["median", "duplicate", "image_calculator", "z_project", "subtract_background",
          "run_macro", "recorded_macro", "run"]


def test_same_public_methods_and_signatures() -> None:
    embedded = {n for n, v in vars(EmbeddedEngine).items() if callable(v) and n[0] != "_"}
    assert set(PUBLIC) <= embedded
    for name in sorted(embedded):
        ours = inspect.signature(getattr(FijiEngine, name))
        theirs = inspect.signature(getattr(EmbeddedEngine, name))
        assert ours == theirs, name
    assert FijiEngine.kind == "fiji" and EmbeddedEngine.kind == "embedded"
    assert issubclass(FijiEngine, EmbeddedEngine)


def test_same_provenance_keys() -> None:
    engines = []
    for cls in (EmbeddedEngine, FijiEngine):
        engine = object.__new__(cls)
        engine.version = "1.54f"
        engines.append(engine._provenance('run("Median...", "radius=2");'))
    embedded, fiji = engines
    assert embedded.keys() == fiji.keys()
    assert (embedded["engine"], fiji["engine"]) == ("embedded", "fiji")


SHARED_MACRO = """
newImage("stack", "16-bit ramp", 24, 10, 3);
setVoxelSize(0.5, 0.25, 2, "um");
setSlice(2);
setPixel(3, 4, 1234);
print("done");
"""

HEADLESS_WORKER = """
import json, sys
import scyjava
scyjava.config.set_java_constraints(fetch="never")
scyjava.config.add_classpath(sys.argv[1])
scyjava.config.add_option("-Djava.awt.headless=true")
scyjava.start_jvm()
from ij_bgcorr.fiji_engine import FijiEngine
engine = FijiEngine(None, "headless test")
result = engine.run_macro(sys.argv[2])
image = result["stack"]
print(json.dumps({
    "kind": engine.kind, "log": result.log, "dims": list(image.dims),
    "dtype": str(image.dtype), "values": image.values.tolist(),
    "attrs": {k: repr(v) for k, v in image.attrs.items()},
    "coords": {k: image.coords[k].values.tolist() for k in image.coords},
}))
"""


def test_headless_runner_and_shared_conversion(fiji: EmbeddedEngine) -> None:
    """The Fiji engine's plumbing in a headless JVM gives what the embedded engine gives.

    ImageJ 1.x without Fiji's legacy layer cannot run commands with dialogs
    headless, so the macro here has none; it checks the macro runner, the
    conversions and the attrs, which both engines share.
    """
    jar = fiji.ij_jar if Path(fiji.ij_jar).is_file() else DEBIAN_IJ_JAR
    done = subprocess.run([sys.executable, "-c", HEADLESS_WORKER, str(jar), SHARED_MACRO],
                          capture_output=True, text=True, timeout=120, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    headless = json.loads(done.stdout.strip().splitlines()[-1])
    image = fiji.run_macro(SHARED_MACRO)["stack"]
    assert headless["kind"] == "fiji"
    assert headless["log"] == "done"
    assert headless["dims"] == list(image.dims)
    assert headless["dtype"] == str(image.dtype)
    assert np.array_equal(np.array(headless["values"]), image.values)
    assert set(headless["attrs"]) == set(image.attrs)
    for key, value in image.attrs.items():
        if key != "engine":
            assert headless["attrs"][key] == repr(value), key
    assert headless["attrs"]["engine"] == repr("fiji")
    assert headless["coords"].keys() == set(image.coords)
    for key in image.coords:
        assert np.allclose(headless["coords"][key], image.coords[key].values), key


# -- integration: a real Fiji against the embedded engine ------------------------------------
def _configured_fiji() -> Path | None:
    value = os.environ.get(FIJI_ENV, "")
    if not value:
        return None
    try:
        return check_fiji_app(value).path
    except EngineNotAvailable:
        return None


needs_fiji = pytest.mark.skipif(
    _configured_fiji() is None,
    reason=f"needs a Fiji.app: set {FIJI_ENV}=/path/to/Fiji.app")

WORKFLOW_WORKER = """
import json, sys
import numpy as np
from ij_bgcorr import synthetic, workflows
from ij_bgcorr.tiff import open_image
kind, name, source, out = sys.argv[1:5]
if kind == "fiji":
    from ij_bgcorr.fiji_engine import start_fiji
    engine = start_fiji()
else:
    from ij_bgcorr.engine import start
    from ij_bgcorr.locate import find_ij_jar
    engine = start(ij_jar=find_ij_jar())  # the ij.jar inside the same Fiji.app
if source == "still":
    image = synthetic.spots_on_uneven_background()
elif source == "series":
    image = synthetic.moving_spots_series()
else:
    image = open_image(source)
background, foreground = getattr(workflows, name)(engine, image)
np.savez(out, background=background.values, foreground=foreground.values)
print(json.dumps({"kind": engine.kind, "version": engine.version,
                  "dims": [list(background.dims), list(foreground.dims)],
                  "attrs": [sorted(background.attrs), sorted(foreground.attrs)],
                  "macro": engine.recorded_macro()}))
"""


def _run_workflow(kind: str, name: str, source: str, out: Path) -> tuple[dict[str, Any], Any]:
    done = subprocess.run([sys.executable, "-c", WORKFLOW_WORKER, kind, name, source, str(out)],
                          capture_output=True, text=True, timeout=900, cwd=REPO, check=False)
    assert done.returncode == 0, f"{kind}: {done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1]), np.load(out)


def _sources(still: str) -> list[str]:
    shared = REPO.parent / "shared" / "data" / still
    return ["still" if "polyp" not in still else "series"] + (
        [str(shared)] if shared.is_file() else [])


@needs_fiji
@pytest.mark.slow
@pytest.mark.parametrize(("name", "data"), [
    ("median_background", "xy_8bit__some_spots_with_uneven_bg.tif"),
    ("max_projection_background", "xyt_8bit_polyp.tif"),
])
def test_fiji_matches_embedded_pixel_for_pixel(name: str, data: str, tmp_path: Path) -> None:
    """The lesson's workflows through the configured Fiji equal the embedded engine's."""
    for i, source in enumerate(_sources(data)):
        fiji_meta, fiji_arrays = _run_workflow("fiji", name, source, tmp_path / f"f{i}.npz")
        emb_meta, emb_arrays = _run_workflow("embedded", name, source, tmp_path / f"e{i}.npz")
        assert (fiji_meta["kind"], emb_meta["kind"]) == ("fiji", "embedded")
        assert fiji_meta["dims"] == emb_meta["dims"]
        assert fiji_meta["attrs"] == emb_meta["attrs"]
        assert fiji_meta["macro"].splitlines()[1:] == emb_meta["macro"].splitlines()[1:]
        for part in ("background", "foreground"):
            assert fiji_arrays[part].dtype == emb_arrays[part].dtype, (source, part)
            assert np.array_equal(fiji_arrays[part], emb_arrays[part]), (source, part)


def test_integration_skip_reason_names_what_it_needs() -> None:
    assert needs_fiji.kwargs["reason"] == "needs a Fiji.app: set IJ_BGCORR_FIJI=/path/to/Fiji.app"


def test_worker_scripts_are_plain_python() -> None:
    for worker in (HEADLESS_WORKER, WORKFLOW_WORKER):
        compile(textwrap.dedent(worker), "<worker>", "exec")
