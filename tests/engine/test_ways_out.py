"""No way out of a macro ends Java, loses Ctrl-C or passes for a success."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tifffile
from click.testing import CliRunner

import ij_bgcorr as ijb
from ij_bgcorr.cli.main import main

pytestmark = pytest.mark.jvm

AFTER_EXIT = 'newImage("kept", "8-bit ramp", 8, 4, 1);\nprint("a");\n{call}\nprint("b");'


@pytest.mark.parametrize("mode", ["gui", "batch"])
def test_system_exit_ends_the_macro_and_not_java(fiji, mode):
    if mode == "gui" and not fiji.gui:
        pytest.skip("needs an engine with a display (Xvfb) for mode='gui'")
    code = AFTER_EXIT.format(call='call("java.lang.System.exit", "3");')
    with pytest.raises(ijb.MacroError, match=r"System\.exit\(3\)") as caught:
        fiji.run_macro(code, mode=mode)
    assert caught.value.line == 3 and "b" not in caught.value.log.split()
    # status 0 ends the macro there, as quitting ImageJ would: what is open is the result
    ended = fiji.run_macro(AFTER_EXIT.format(call='call("java.lang.System.exit", "0");'),
                           mode=mode)
    assert list(ended.images) == ["kept"] and ended.log.split() == ["a"]
    assert fiji.run_macro('print("alive");').log == "alive"
    assert ijb.start(**_same_engine()) is fiji


def test_quit_ends_the_macro_and_imagej_keeps_its_main_window(fiji):
    import scyjava

    ended = fiji.run_macro(AFTER_EXIT.format(call='run("Quit");'))
    assert list(ended.images) == ["kept"] and ended.log.split() == ["a"]
    assert scyjava.jimport("ij.IJ").getInstance() is not None
    assert fiji.run_macro('showMessage("still", "here");\nprint("alive");').log == "alive"


def test_the_cli_fails_with_one_line_when_a_macro_calls_system_exit(fiji, tmp_path):
    macro = tmp_path / "exit.ijm"
    macro.write_text('call("java.lang.System.exit", "0");\ncall("java.lang.System.exit", "2");')
    image = tmp_path / "in.tif"
    tifffile.imwrite(image, np.arange(64, dtype=np.uint8).reshape(8, 8))
    done = CliRunner().invoke(main, ["macro", str(macro), "--input", str(image),
                                     "--out", str(tmp_path / "o")])
    assert done.exit_code == 0, done.output  # exit status 0: the macro ended there
    macro.write_text('call("java.lang.System.exit", "2");')
    done = CliRunner().invoke(main, ["macro", str(macro), "--input", str(image),
                                     "--out", str(tmp_path / "o2")])
    assert done.exit_code == 1 and "System.exit(2)" in done.output
    assert "Traceback" not in done.output and len(done.output.strip().splitlines()) <= 3


def _same_engine() -> dict[str, str]:
    fiji = os.environ.get("IJ_BGCORR_FIJI")
    return {"fiji": fiji} if fiji else {}


UNGUARDED = """
import ij_bgcorr as ijb, scyjava
engine = ijb.start()
scyjava.jimport("java.lang.System").setSecurityManager(None)  # as on Java 24+, unguarded
for step in ("macro", "start"):
    try:
        if step == "macro":
            engine.run_macro('call("java.lang.System.exit", "0");')
        else:
            ijb.start()
        print(step, "no error")
    except ijb.EngineNotAvailable as exc:
        print(step, "EngineNotAvailable:", exc)
"""


def test_java_ended_without_the_guard_is_named_and_no_dead_engine_is_handed_out(tmp_path):
    done = subprocess.run([sys.executable, "-c", UNGUARDED], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    lines = [line for line in done.stdout.splitlines() if line.startswith(("macro", "start"))]
    assert len(lines) == 2, done.stdout + done.stderr[-2000:]
    assert all("EngineNotAvailable: Java has ended in this Python process" in line
               for line in lines), lines
    assert "JVMNotRunning" not in done.stderr and "Traceback" not in done.stderr


CTRL_C = """
import sys, time, threading
import ij_bgcorr as ijb
engine = ijb.start()
engine.run_macro('print("warm");')
for where in ("sleep", "python", "input"):
    print("ready", flush=True)
    started = time.monotonic()
    try:
        if where == "sleep":
            time.sleep(30)
        elif where == "python":
            while time.monotonic() - started < 30:
                pass
        else:
            sys.stdin.readline()
        print(where, "not interrupted", flush=True)
    except KeyboardInterrupt:
        print(where, "interrupted after", round(time.monotonic() - started, 2), flush=True)
    print("next call", engine.run_macro('wait(50);\\nprint("ok");').log, flush=True)
"""


def test_ctrl_c_interrupts_python_at_once_wherever_it_waits(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", CTRL_C], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=tmp_path)
    lines: list[str] = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            lines.append(line.strip())
            if line.startswith("ready"):
                time.sleep(0.5)
                child.send_signal(signal.SIGINT)
    finally:
        child.stdin.close() if child.stdin else None
        stderr = child.stderr.read() if child.stderr else ""
        child.wait(timeout=120)
    outcomes = [line for line in lines if "interrupted" in line]
    assert len(outcomes) == 3, "\n".join(lines) + stderr[-2000:]
    for line in outcomes:
        assert " interrupted after " in line and float(line.split()[-1]) < 2.0, line
    assert lines.count("next call ok") == 3, lines
    for trace in ("InterruptedException", "ThreadDeath", "Traceback"):
        assert trace not in stderr, stderr[-2000:]


def test_a_timeout_is_always_a_macro_timeout(fiji):
    # stopping the interpreter at any moment of its loop: never another error
    outcomes = set()
    for _ in range(100):
        try:
            fiji.run_macro('for (i = 0; i < 1e9; i++) { s = "" + i; }', timeout=0.1)
            outcomes.add("ended")
        except ijb.MacroTimeout:
            outcomes.add("timeout")
        except Exception as exc:  # noqa: BLE001 - what else the run raised is the finding
            outcomes.add(f"{type(exc).__name__}: {exc}")
    assert outcomes == {"timeout"}
