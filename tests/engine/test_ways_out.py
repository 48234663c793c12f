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


def test_code_cannot_remove_the_guard(fiji):
    import scyjava

    with pytest.raises(Exception, match="keeps its guard"):
        scyjava.jimport("java.lang.System").setSecurityManager(None)
    with pytest.raises(ijb.MacroError, match=r"System\.exit\(5\)"):
        fiji.run_macro('call("java.lang.System.exit", "5");')


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
import scyjava
scyjava.config.add_option("-Djava.security.manager=disallow")  # as Java 24+: no guard at all
import ij_bgcorr as ijb
engine = ijb.start()
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


def test_a_late_exit_from_an_earlier_thread_does_not_end_the_next_macro(fiji):
    import scyjava
    from jpype import JImplements, JOverride

    thread = scyjava.jimport("java.lang.Thread")
    system = scyjava.jimport("java.lang.System")

    @JImplements("java.lang.Runnable")
    class _Late:  # a thread left running by something before the macro
        @JOverride
        def run(self) -> None:
            thread.sleep(500)
            try:
                system.exit(0)
            except Exception:  # noqa: BLE001 - the guard's refusal
                pass

    late = thread(_Late())
    late.start()
    result = fiji.run_macro('print("start");\nwait(1500);\nprint("end");')
    late.join()
    assert result.log.split() == ["start", "end"]


CTRL_C_IN_A_COMMAND = """
import os, signal, threading
import numpy as np
import ij_bgcorr as ijb
engine = ijb.start()
big = np.random.default_rng(0).integers(0, 255, (3000, 3000)).astype(np.uint8)
small = np.arange(64 * 64, dtype=np.uint8).reshape(64, 64)
for _ in range(2):
    threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGINT)).start()
    try:
        engine.run_macro('run("Median...", "radius=40");', inputs={"big": big}, timeout=120)
        print("not interrupted")
    except KeyboardInterrupt:
        print("interrupted")
    for _ in range(3):
        print("next", int(engine.median(small, 2).values.sum()))
"""


def test_ctrl_c_during_a_command_leaves_nothing_for_the_next_call(tmp_path):
    done = subprocess.run([sys.executable, "-c", CTRL_C_IN_A_COMMAND], capture_output=True,
                          text=True, timeout=600, cwd=tmp_path)
    lines = done.stdout.split("\n")
    expected = np.asarray(ijb.reference.median(
        np.arange(64 * 64, dtype=np.uint8).reshape(64, 64), 2)).astype(np.int64).sum()
    assert lines.count("interrupted") == 2, done.stdout + done.stderr[-3000:]
    assert lines.count(f"next {expected}") == 6, done.stdout + done.stderr[-3000:]
    assert "ThreadDeath" not in done.stderr, done.stderr[-3000:]


def test_a_message_shown_after_its_macro_ended_is_not_reported_by_later_runs(fiji):
    # without BeanShell (the embedded ImageJ) eval("bsh") asks to download it, is refused
    # as a dialog, and ImageJ's installer then shows its network error from a thread of
    # its own after the macro ended; with BeanShell (Fiji) the macro just runs
    try:
        fiji.run_macro('print(eval("bsh", "1+1"));', timeout=60)
    except ijb.MacroError as exc:
        assert "BeanShell" in str(exc)
    for _ in range(3):
        time.sleep(1.0)  # the installer's message is shown meanwhile
        result = fiji.run_macro('print("next");')
        assert (result.log.strip(), result.messages) == ("next", [])
