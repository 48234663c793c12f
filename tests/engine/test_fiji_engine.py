"""The Fiji engine: which engine is chosen, how starting Fiji fails, what both engines share.

Only the integration tests at the end need a real Fiji.app; everything else
runs here in seconds, without network (PyImageJ's ``init`` is replaced where
it would resolve an endpoint).
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
import types
from pathlib import Path
from typing import Any

import pytest

import ij_bgcorr as ijb
from ij_bgcorr.engine import embedded as embedded_engine
from ij_bgcorr.engine import fiji as fiji_engine
from ij_bgcorr.engine import startup
from ij_bgcorr.engine.base import Engine
from ij_bgcorr.engine.embedded import EmbeddedEngine
from ij_bgcorr.engine.fiji import FijiEngine, check_fiji_app
from ij_bgcorr.engine.locate import FIJI_ENV, find_java_home
from ij_bgcorr.engine.results import provenance
from ij_bgcorr.engine.startup import looks_like_endpoint, select_engine, start_fiji
from ij_bgcorr.errors import CommandError, EngineNotAvailable

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


@pytest.fixture(autouse=True)
def installed_java(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Java home these tests can find on any machine; nothing here starts it."""
    home = tmp_path_factory.mktemp("java-home")
    java = home / "bin" / "java"
    java.parent.mkdir()
    java.write_text("#!/bin/sh\n")
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(home))
    return home


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend no JVM and no Fiji engine run yet (the test session may have started Java)."""
    import scyjava

    monkeypatch.setattr(scyjava, "jvm_started", lambda: False)
    monkeypatch.setattr(startup, "_running", None)


@pytest.fixture
def no_embedded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make any attempt to start the embedded engine fail the test loudly."""
    calls: list[str] = []

    def forbidden(*args: Any, **kwargs: Any) -> None:
        calls.append("embedded")
        raise AssertionError("the embedded engine was started")

    monkeypatch.setattr(startup, "launch_embedded", forbidden)
    monkeypatch.setattr(embedded_engine, "ensure_display", forbidden)
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
    assert startup.fiji_request(env={FIJI_ENV: str(odd)}) == ("path", str(odd))
    assert startup.fiji_request(env={FIJI_ENV: "sc.fiji:fiji"}) == ("endpoint", "sc.fiji:fiji")


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
    assert startup.running_engine() is None
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


@pytest.mark.parametrize(("headless", "display", "mode"), [
    (False, True, "interactive"),  # non-headless on the private display, as the GUI
    (True, True, "headless"),  # asked for
    (False, False, "headless"),  # no display can be had: headless, said so
])
def test_init_mode_and_installed_java(monkeypatch: pytest.MonkeyPatch, fresh_process: None,
                                      headless: bool, display: bool, mode: str,
                                      caplog: pytest.LogCaptureFixture) -> None:
    import scyjava

    from ij_bgcorr.engine import fiji as fiji_module

    seen: dict[str, Any] = {}

    def init(source: str, mode: str) -> None:
        seen.update(source=source, mode=mode, fetch=scyjava.config.get_fetch_java(),
                    java_home=os.environ.get("JAVA_HOME"),
                    options=list(scyjava.config.get_options()))
        os.write(1, b"a line Fiji prints while it starts\n")  # as Java prints: no sys.stdout
        raise RuntimeError(RESOLVE_ERROR)

    def no_display() -> str:
        raise EngineNotAvailable("no Xvfb here")

    if not display:
        monkeypatch.setattr(fiji_module, "ensure_display", no_display)
    else:
        monkeypatch.setattr(fiji_module, "ensure_display", lambda: ":99")
    fake_imagej(monkeypatch, init)
    with pytest.raises(EngineNotAvailable, match="a line Fiji prints while it starts"):
        start_fiji(endpoint="sc.fiji:fiji", headless=headless)
    assert seen["source"] == "sc.fiji:fiji" and seen["mode"] == mode
    assert seen["fetch"] == "auto"  # prefers the installed Java; never "always"
    assert Path(seen["java_home"], "bin", "java").exists()
    # ImageJ reads its preferences from a private home, never the user's ~/.imagej
    home = [o for o in seen["options"] if o.startswith("-Duser.home=")]
    assert len(home) == 1 and Path(home[0].split("=", 1)[1]) != Path.home()
    assert ("Fiji starts headless" in caplog.text) == (not display and not headless)


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
    assert find_java_home(app) == java.parent.parent


def test_jvm_already_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             no_embedded: list[str]) -> None:
    import scyjava

    monkeypatch.setattr(scyjava, "jvm_started", lambda: True)
    monkeypatch.setattr(startup, "_running", None)
    fake_imagej(monkeypatch, fake_init(AssertionError("init must not be called")))
    app = fake_fiji_app(tmp_path, *COMPLETE_JARS)
    with pytest.raises(EngineNotAvailable, match="Java already runs in this process") as info:
        start_fiji(fiji=app)
    assert "separate Python process" in str(info.value)
    assert not no_embedded


def test_one_fiji_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    running = object.__new__(FijiEngine)
    running.source = "/somewhere/else/Fiji.app"
    running.fiji_version, running.version = "2.14.0", "1.54m99"
    monkeypatch.setattr(startup, "_running", running)
    app = fake_fiji_app(tmp_path, *COMPLETE_JARS)
    with pytest.raises(EngineNotAvailable, match="already runs in this process"):
        start_fiji(fiji=app)
    running.source = str(app.resolve())
    assert start_fiji(fiji=app) is running


def test_package_start_never_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        fresh_process: None) -> None:
    """``ij_bgcorr.start(fiji=...)`` raises when that Fiji cannot start."""
    monkeypatch.setattr(startup, "launch_embedded",
                        lambda *a: pytest.fail("the embedded engine was started"))
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
          "run_macro", "recorded_macro", "new_session", "use_threads"]


def test_both_engines_are_peers_with_one_api() -> None:
    """Neither engine redefines a public method: both run the one the base class defines."""
    public = {n for n in dir(Engine) if callable(getattr(Engine, n)) and n[0] != "_"}
    assert set(PUBLIC) <= public
    for cls in (EmbeddedEngine, FijiEngine):
        assert issubclass(cls, Engine)
        assert not public & {n for n in vars(cls) if n[0] != "_"}, cls
        assert "_run_call" not in vars(cls)  # every command runs through the one mechanism
    assert FijiEngine.kind == "fiji" and EmbeddedEngine.kind == "embedded"
    assert not issubclass(FijiEngine, EmbeddedEngine)


def test_no_import_cycle_between_the_engines() -> None:
    for module in (embedded_engine, fiji_engine):
        other = {"ij_bgcorr.engine.embedded", "ij_bgcorr.engine.fiji", "ij_bgcorr.engine.startup"}
        text = Path(module.__file__).read_text()
        imported = {f"ij_bgcorr.{m}" for m in
                    __import__("re").findall(r"from \.(\w+) import", text)}
        assert not imported & other, module.__name__


def test_same_provenance_keys() -> None:
    engines = []
    for cls in (EmbeddedEngine, FijiEngine):
        engine = object.__new__(cls)
        engine.version = "1.54f"
        engines.append(provenance(engine, 'run("Median...", "radius=2");'))
    embedded, fiji = engines
    assert embedded.keys() == fiji.keys()
    assert (embedded["engine"], fiji["engine"]) == ("embedded", "fiji")


@pytest.mark.parametrize("ships_imglyb", [False, True])
def test_local_fiji_never_resolves_imglyb_from_maven(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_process: None,
        ships_imglyb: bool) -> None:
    """PyImageJ's imglyb endpoint is left out for a Fiji.app; its hooks too unless it has the jar.

    A failed start then puts back everything it changed.
    """
    import jpype._classpath
    import scyjava
    from scyjava import _jvm

    def imglyb_hook() -> None:  # stands in for the hooks importing imglyb registers
        raise AssertionError("imglyb's start-up hook ran")

    imglyb_hook.__module__ = "imglyb.util"
    monkeypatch.setattr(scyjava.config, "endpoints", [*scyjava.config.endpoints,
                                                      "net.imglib2:imglib2-imglyb:1.1.0"])
    monkeypatch.setattr(_jvm, "_startup_callbacks", [*_jvm._startup_callbacks, imglyb_hook])
    before = (list(scyjava.config.endpoints), list(_jvm._startup_callbacks),
              list(jpype._classpath._CLASSPATHS), list(scyjava.config.get_options()))
    seen: dict[str, Any] = {}

    def init(source: str, mode: str) -> None:
        seen.update(endpoints=list(scyjava.config.endpoints), hooks=list(_jvm._startup_callbacks))
        scyjava.config.add_classpath(str(Path(source) / "jars" / "x.jar"))  # as PyImageJ does
        scyjava.config.add_option("-Dplugins.dir=somewhere")
        raise RuntimeError("the JVM did not start")

    fake_imagej(monkeypatch, init)
    jars = COMPLETE_JARS + (("imglib2-imglyb-1.1.0.jar",) if ships_imglyb else ())
    app = fake_fiji_app(tmp_path, *jars)
    with pytest.raises(EngineNotAvailable, match="Fiji did not start"):
        start_fiji(fiji=app)
    assert not any("imglyb" in e for e in seen["endpoints"])
    assert (imglyb_hook in seen["hooks"]) is ships_imglyb
    after = (list(scyjava.config.endpoints), list(_jvm._startup_callbacks),
             list(jpype._classpath._CLASSPATHS), list(scyjava.config.get_options()))
    assert after == before
