"""Ctrl-C in a script raises KeyboardInterrupt; the macro stops; the engine stays usable."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from processes import alive, descendants

from conftest import REPO

CHILD = """
import os, signal, threading, time
import numpy as np
import ij_bgcorr as ijb
engine = ijb.start()
threading.Timer(1.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
started = time.monotonic()
try:
    try:
        engine.run_macro("while (true) { x = 1; }", timeout=120)
    finally:
        print("finally", round(time.monotonic() - started), flush=True)
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
print(engine.run_macro('print("usable");').log, flush=True)
print(engine.median(np.ones((8, 8), np.uint8), 2).shape, flush=True)
"""


@pytest.mark.jvm
def test_ctrl_c_raises_keyboard_interrupt_and_the_engine_goes_on(engine_kind):
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=False)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert done.returncode == 0, done.stderr[-2000:]
    assert lines[0].startswith("finally ") and int(lines[0].split()[1]) < 10
    assert lines[1:] == ["KeyboardInterrupt", "usable", "(8, 8)"]


LONG_RUN = """
import ij_bgcorr as ijb
engine = ijb.start()
print("started", flush=True)
engine.run_macro("while (true) { x = 1; }", timeout=120)
"""


@pytest.mark.jvm
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux's /proc to list processes")
def test_a_script_killed_with_9_leaves_nothing_running(engine_kind):
    child = subprocess.Popen([sys.executable, "-c", LONG_RUN], cwd=REPO, stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout.readline().strip() == "started"
    time.sleep(0.5)  # the macro is running
    family = descendants(child.pid)
    child.kill()
    child.wait(timeout=30)
    deadline = time.monotonic() + 10
    while alive(family) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alive(family) == set()


TERMINATED = """
import os, signal, threading, time
import ij_bgcorr as ijb
engine = ijb.start()
threading.Timer(1.5, lambda: os.kill(os.getpid(), signal.SIGTERM)).start()
try:
    engine.run_macro("while (true) { x = 1; }", timeout=120)
finally:
    print("finally", flush=True)
"""


@pytest.mark.jvm
def test_sigterm_ends_the_script_cleanly(engine_kind, tmp_path):
    done = subprocess.run([sys.executable, "-c", TERMINATED], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 128 + 15, done.stderr[-2000:]
    assert done.stdout.strip() == "finally"
    assert not list(tmp_path.glob("hs_err_pid*.log"))  # the JVM did not crash


COMMAND_INTERRUPTED_TWICE = """
import os, signal, threading, time
import numpy as np
import ij_bgcorr as ijb
from jpype import JClass
engine = ijb.start()
image = (np.random.default_rng(0).random((1500, 1500)) * 60000).astype(np.uint16)
Thread = JClass("java.lang.Thread")

def filtering():
    return [t for t, frames in Thread.getAllStackTraces().items()
            if any("RankFilters" in str(f.getClassName()) for f in frames)]

def interrupt_three_times():
    while not filtering():  # the command runs
        time.sleep(0.05)
    for _ in range(3):  # the second and third arrive while the first is handled
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.3)

threading.Thread(target=interrupt_three_times, daemon=True).start()
try:
    engine.run_macro('run("Median...", "radius=60");', inputs={"input": image}, timeout=300)
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
print("filtering threads", len(filtering()), flush=True)
print(engine.median(np.ones((8, 8), np.uint8), 2).shape, flush=True)
"""


@pytest.mark.jvm
def test_ctrl_c_during_a_long_command_stops_it_even_when_pressed_again(engine_kind):
    done = subprocess.run([sys.executable, "-c", COMMAND_INTERRUPTED_TWICE], cwd=REPO,
                          capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert lines == ["KeyboardInterrupt", "filtering threads 0", "(8, 8)"]


STRAY_THREAD = """
import ij_bgcorr as ijb
from jpype import JClass
engine = ijb.start()
# an idle non-daemon Java thread, as a plugin's thread pool leaves behind
JClass("java.util.concurrent.Executors").newFixedThreadPool(1).prestartAllCoreThreads()
print(engine.run_macro('print("ran");').log, flush=True)
"""


@pytest.mark.jvm
def test_a_script_ends_even_when_java_threads_are_left_running(engine_kind):
    done = subprocess.run([sys.executable, "-c", STRAY_THREAD], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ran"
    assert "java.lang." not in done.stderr  # the stopped thread's trace is not printed


INTERRUPTED_START = """
import sys, time
import numpy as np
import ij_bgcorr as ijb
print("starting", flush=True)
try:
    ijb.start()
    print("not interrupted", flush=True)
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
engine = ijb.start()  # the engine the interrupted start finished
print(int(engine.median(np.arange(100, dtype=np.uint8).reshape(10, 10), 2).sum()), flush=True)
"""


@pytest.mark.jvm
@pytest.mark.parametrize("delay", [0.5, 2.0])
def test_ctrl_c_while_the_engine_starts_leaves_an_engine_that_starts(engine_kind, delay):
    child = subprocess.Popen([sys.executable, "-c", INTERRUPTED_START], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "starting"
    time.sleep(delay)  # Java, ImageJ or Fiji is being started
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=240)
    assert child.returncode == 0, err[-2000:]
    assert out.split() == ["KeyboardInterrupt", "4950"]
