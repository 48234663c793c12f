"""Run one ImageJ macro as a user's ImageJ GUI would, in a fresh JVM, and dump what it left.

The independent "truth" that ``ij_bgcorr`` is judged against (nothing here imports it)::

    python tests/truth/imagej_gui.py --jar JAR --macro FILE.ijm --out DIR \\
        [--open IMAGE_PATH ...] [--arg STRING] [--timeout SECONDS]

prints ``DIR/outcome.json`` (exit status 1 after a crash or timeout); from Python,
``run_truth(jar, macro_path, out_dir, open_paths=(), arg="", timeout=60) -> dict`` (and
``run_macro_text(jar, text, out_dir, ...)``, ``load_image(outcome, title_or_index)``).

How a run goes
--------------
* Parent (``run_truth``): a new Xvfb server (``-screen 0 1280x1024x24``) started with
  ``-displayfd``, so that the server itself picks a free display (``xvfb-run -a`` guesses
  from lock files and races with other servers started at the same time; this machine had
  several from other sessions); then this file with ``--child`` in a new session (process
  group). ``timeout`` covers the whole run, JVM start included: at the deadline the child's
  group gets TERM, then KILL, and Xvfb goes too. Always returns (and writes) an outcome.
* Child: JPype starts a JVM with ONLY the given jar on the class path,
  ``-Djava.awt.headless=false`` and ``-Duser.home=<fresh empty folder>``, which is also the
  working folder (ImageJ takes it for its own folder: no IJ_Prefs.txt, so ImageJ's
  defaults; no plugins/ or macros/). ``new ij.ImageJ(ImageJ.NO_SHOW)`` (NO_SHOW == 2 in
  both versions) makes the main window without showing it: GUI mode, not batch mode.
  Each ``--open`` path is opened, in order, by the macro ``open(getArgument())``; then the
  macro runs with ``new ij.macro.MacroRunner(text, arg)``: ImageJ's own macro thread
  ("Macro$"), as the macro editor's Run button does (the editor also turns curly quotes
  into straight ones and expands ``#include``; this does not). The main thread polls every
  0.1 s for a dialog that waits for a person, for an "Exception" window, for the end of the
  macro thread and for the deadline (about 15 % of ``timeout`` before the hard one, at least
  2 s, so that the child can still dump). A plain message dialog is answered OK and the
  watch goes on (below). Then it waits until ImageJ is idle (below), dumps
  and leaves with ``os._exit`` (no JVM teardown).

Findings (ImageJ 1.53t and 1.54m, Java 17, this 2-core machine)
---------------------------------------------------------------
* The jar file names do not tell the version: ``/usr/share/java/ij.jar`` is a link to
  ``ij-1.52i.jar`` which holds 1.53t (``IJ.getFullVersion()`` "1.53t99"); Fiji 2.14.0's
  ``jars/ij-1.54f.jar`` holds 1.54m ("1.54m99"); there is no ``ij-1.54m.jar``.
* Both versions showed the same dialogs, with the same titles and texts, in every case tried:

  - an interpreter error (syntax, undefined variable, index out of range): a modal
    ``GenericDialog`` "Macro Error" with the texts ``["Undefined variable in line 3",
    "print ( a + <c> ) ; ", 'Show "Debug" Window [ ]', "  OK  "]`` (the statement as
    tokens, the culprit in ``<>``): ``error`` gets message, line and statement;
  - an error of a command while a macro runs (``IJ.error``), e.g. ``run("Add...", ...)``
    without an image: the same form under the command's title ("No Image":
    "There are no images open in line 2" + the statement): kind "command error", and
    ``error`` is filled the same way;
  - ``waitForUser("x")``: ``WaitForUserDialog`` "Action Required", NOT modal (the macro
    thread waits inside its ``show``; ``Dialog.createNonBlocking`` likewise); ``getNumber``:
    a modal ``GenericDialog`` with an empty title; ``Dialog.show`` and a command run without
    its options (``run("Median...")``): a ``GenericDialog`` with the fields' labels/values;
  - plain messages, modal with one OK button, are answered OK as a person would (the
    harness calls ``dispose()``, which is what both classes' OK does), recorded in
    ``messages``, and the macro goes on: ``showMessage`` (a ``MessageDialog``, or an
    ``HTMLDialog`` when the message starts with ``<html>``; ``showMessage(msg)`` has an
    empty title); ``exit("msg")`` (``MessageDialog`` "Macro", shown after the interpreter
    finished: then a normal end, no error; ``exit`` alone: a normal end too);
  - ``IJ.error(title, msg)`` outside a command (``macroInterpreter`` not set), e.g.
    ``selectWindow("nope")`` ("Macro Error": 'No window with the title "nope" found.',
    after 3 s of looking) or ``open()`` of a missing file ("Opener": "File not found: " +
    the path): a ``MessageDialog``; once it is answered ImageJ calls ``Macro.abort()``,
    which throws "Macro canceled" in the macro thread: the macro ends with no other dialog.
    That ends the step "aborted", with the message as ``error`` (line: the interpreter's,
    statement: that line of the macro). Within ``run(...)`` (``IJ.run`` sets
    ``macroInterpreter``), a command's ``IJ.error`` is the interpreter's dialog instead
    (below); ``File.openAsString`` of a missing file is an interpreter error too ("Error:
    file not found", a "Macro Error" dialog);
  - a Java exception (e.g. ``call("java.lang.Integer.parseInt", "xx")``): no dialog but a
    ``TextWindow`` "Exception" with the stack trace; the macro ends;
  - ``eval("js", ...)``: Java 17 has no JavaScript engine: ``MessageDialog`` "ImageJ"
    "Could not find JavaScript engine";
  - B&C and Threshold are non-modal ``PlugInDialog`` windows that do not stop a macro: they
    are not taken for waiting dialogs (they are listed in ``windows``).

  Every text was readable: ``MultiLineLabel`` keeps its text in the private ``lines`` (read
  by reflection); Labels, text fields, buttons, check boxes and choices directly.
* Images made in batch mode and never displayed are gone when the macro ends (in both
  versions ``Interpreter.finishUp`` drops them): ``setBatchMode(true); newImage(...)`` leaves
  no image; ``setBatchMode(false)`` shows the active one, ``"exit and display"`` all.
* ``run("Quit")`` closes every window but the JVM lives on: an empty state and
  ``"imagej_quit": true``.
* Idle, as waited for after a macro that ended normally: the macro thread has ended; no open
  image is locked; AWT's event thread has run two empty tasks posted after that; and no
  thread but the event thread and this one has an ``ij.`` frame on its stack, except those
  that wait (WAITING in ``Object.wait``) right under the ``run()`` of an ImageJ class: the
  threads that live as long as a window (StackWindow's "zSelector", ContrastAdjuster,
  ThresholdAdjuster, ...). Then the pixels of every image are read and hashed, again after
  0.2 s, until two reads agree (at most 15 s; what did not settle is in ``idle_notes``).
  With ImageJ's own macro thread, ``run("Median...", "radius=5"); run("Tile");`` on a
  2048x2048 random image left nothing running (equal to the same without Tile, 0 s waited).
  Work that does outlive the macro comes from ``doCommand()``: ``doCommand("Skeletonize")``
  on a 1000x1000 random mask ran on for 0.4 s (0.7 s at 1500x1500), and reading at once
  found about 11 % of its pixels not done yet; the wait above gets them all.
* Timing per macro (trivial macro, machine otherwise idle): 1.4-1.8 s wall in all: Xvfb
  about 0.05 s; Python, JVM and ``ImageJ(NO_SHOW)`` 0.7-1.0 s (1.53t and 1.54m alike);
  the macro 0.2-0.4 s (showing an image window costs about 0.2 s); the idle wait 0.2-0.3 s;
  the dump 0.01 s. About 2.2 s of CPU per run (the JIT compiles on the other core). Under
  a load average of 10 from other sessions, 3-6 s wall. A 2048x2048 median (radius 5)
  takes 2.4-2.6 s more.
* The GUI needs a JRE with AWT for X11 (``libawt_xawt.so``: Debian's ``openjdk-17-jre``,
  not only ``-headless``) and Xvfb.

outcome.json
------------
``imagej_version`` (full, "1.53t99"), ``imagej_short_version``, ``java_version``,
``java_home``; ``ending``: "done" | "dialog" | "aborted" (ImageJ aborted the macro after an
``IJ.error`` message that was answered OK) | "exception" | "timeout" (by the child) |
"killed" (by the parent, at the deadline) | "crashed" (the child died, or the harness failed:
traceback in ``stderr``); ``timeout``, ``crashed`` (bools); ``stage``: "macro" or "open <path>";
``messages``: the plain message dialogs answered OK, in order, each ``{"title", "class",
"texts" (the message's lines; an HTMLDialog's plain text), "html" (HTMLDialog only), "line"
(the interpreter's line, null when none ran, as after ``exit``), "via" ("showMessage" |
"exit" | "IJ.error" | "other"), "shown_by": {"thread", "frames"} (ImageJ frames below the
dialog's constructor), "abort_flag_before", "stage"}`` (stage: "open <path>", "macro" or
"after the macro");
``dialog``: null or ``{"title", "class", "modal", "kind", "texts", "line"}`` (kind: "macro
error", "command error", "wait for user", "message", "input", "question", "other"; line: the
line the interpreter was on, e.g. the ``waitForUser`` or ``run("Median...")``; null for the
interpreter's own error dialogs, which name their line in ``error``); ``error``: null
or ``{"title", "texts", "message", "line", "statement"}`` (from "Macro Error"/"command error"
dialogs, the message before an abort, the "Exception" window, or the harness: "timeout",
"killed", "crashed", "harness");
``images``: in ``WindowManager.getIDList()`` order, each ``{"title", "id", "bit_depth",
"nchannels", "nslices", "nframes", "width", "height", "calibration": {"pixel_width",
"pixel_height", "pixel_depth", "unit", "frame_interval", "time_unit", "x_origin", "y_origin",
"z_origin"}, "file" (.npy, shape (nframes, nslices, nchannels, height, width) uint8 / uint16 /
float32, RGB: (..., height, width, 3) uint8), "shape", "dtype", "plot", "position" [c, z, t],
"display_range", "inverted_lut", "composite", "changes", "visible", "selection"}``;
``active`` (title or null); ``selection`` (of the active image: null or ``{"type",
"type_code", "name", "bounds" [x, y, w, h], "stroke_width", "x", "y"}`` plus ``"line"``
[x1, y1, x2, y2] for straight lines); ``log`` (also in log.txt); ``results`` (Results.csv:
the system ResultsTable, headings as ImageJ has them, "Label" as text, numbers as Python
``repr`` of the doubles) or null, ``results_columns``, ``results_rows``; ``tables``
(title -> csv of every other table window); ``text_windows`` (title -> text of other text
windows, e.g. "Exception"); ``roi_manager_count`` (null without a ROI Manager);
``imagej_quit``; ``windows`` (shown dialogs and frames); ``ij_threads`` (threads with ImageJ
code at the dump); ``seconds`` (the macro's wall time, null if it never ran),
``open_seconds``, ``startup_seconds``, ``idle_seconds``, ``threads_idle_seconds``,
``pixel_reads``, ``idle_notes``, ``dump_seconds``, ``child_seconds``,
``child_cpu_seconds``; from the parent: ``jar``, ``macro``, ``opened``, ``arg``, ``out_dir``,
``display``, ``returncode``, ``killed``, ``wall_seconds`` (and ``stderr``, ``stdout``,
``xvfb`` when it had to write the outcome itself).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import json
import math
import os
import re
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
OUTCOME = "outcome.json"
SCREEN = "-screen 0 1280x1024x24"
#: the files a run writes into its output folder (removed before each run)
OWN_FILES = ("outcome.json", "outcome.json.tmp", "image_*.npy", "Results.csv", "table_*.csv",
             "log.txt", "child_stdout.txt", "child_stderr.txt", "xvfb.txt")
#: how long the child may spend, at most, waiting for ImageJ to become idle
IDLE_LIMIT = 15.0
#: the pause before the pixels are read again to see that they no longer change
SETTLE = 0.2
#: the first line of an error dialog: "<message> in line <N>"
_IN_LINE = re.compile(r"^(?P<message>.*?)\s*\bin line (?P<line>\d+)\s*(?P<rest>.*)$", re.DOTALL)


# --------------------------------------------------------------------------------------------
# parent: one child process per macro, on its own virtual display
# --------------------------------------------------------------------------------------------

def run_truth(jar: str | os.PathLike[str], macro_path: str | os.PathLike[str],
              out_dir: str | os.PathLike[str], open_paths: Sequence[str | os.PathLike[str]] = (),
              arg: str = "", timeout: float = 60) -> dict[str, Any]:
    """Run the macro in ``macro_path`` in a fresh ImageJ GUI and return ``out_dir/outcome.json``.

    A new Xvfb server (its own display) and a new child process (this file with ``--child``,
    its own process group) per call. ``timeout`` is for the whole run, JVM start included:
    the child writes its own outcome, with ``"timeout": true`` and the state at that moment,
    shortly before the deadline; a child still alive at the deadline is killed (its whole
    process group) and the outcome written here. Always returns an outcome dict.
    """
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    jar, macro = str(Path(jar).resolve()), str(Path(macro_path).resolve())
    opens = [str(Path(p).resolve()) for p in open_paths]
    started = time.time()
    deadline = started + float(timeout)
    home = tempfile.mkdtemp(prefix="ij-truth-home-")  # user.home and start-up folder
    cmd = [sys.executable, str(HERE), "--child", "--jar", jar, "--macro", macro,
           "--out", str(out), "--arg", arg, "--deadline", repr(deadline), "--home", home]
    for path in opens:
        cmd += ["--open", path]
    killed, returncode, display = False, None, None
    with open(out / "child_stdout.txt", "wb") as stdout, \
            open(out / "child_stderr.txt", "wb") as stderr, open(out / "xvfb.txt", "wb") as xlog:
        xvfb, display = _start_display(xlog, deadline)
        try:
            env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
            if display is not None:
                env["DISPLAY"] = display
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stdout,
                                        stderr=stderr, env=env, start_new_session=True)
                try:
                    returncode = proc.wait(timeout=max(1.0, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    killed = True
                finally:
                    _kill_group(proc)  # also whatever the child left behind
                    returncode = proc.returncode
        finally:
            if xvfb is not None:
                _kill_group(xvfb)
            shutil.rmtree(home, ignore_errors=True)
    wall = time.time() - started
    outcome = _read_outcome(out)
    if outcome is None:
        outcome = _empty_outcome()
        outcome.update(timeout=killed, crashed=not killed, ending="killed" if killed else
                       "crashed", stderr=_tail(out / "child_stderr.txt"),
                       stdout=_tail(out / "child_stdout.txt"), xvfb=_tail(out / "xvfb.txt"))
        if killed:
            message = f"no outcome after {timeout} s: the child's process group was killed"
        elif display is None:
            message = "no virtual display: Xvfb did not start"
        else:
            message = f"the child ended (exit status {returncode}) without an outcome"
        outcome["error"] = {"title": outcome["ending"], "texts": [], "message": message,
                            "line": None, "statement": None}
    outcome.update(jar=jar, macro=macro, opened=opens, arg=arg, out_dir=str(out),
                   wall_seconds=round(wall, 3), returncode=returncode, killed=killed,
                   display=display)
    _write_json(out / OUTCOME, outcome)
    return outcome


#: variables of the caller's environment the child must not see
_DROPPED_ENV = ("DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
                "JDK_JAVA_OPTIONS", "CLASSPATH")


def _start_display(log: Any, deadline: float) -> tuple[subprocess.Popen[bytes] | None, str | None]:
    """A new Xvfb server that picks a free display itself (``-displayfd``: no race with others).

    Returns the server (own process group) and ``":N"``, or ``(None, None)`` if it failed.
    """
    read_fd, write_fd = os.pipe()
    try:
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), *SCREEN.split(),
                                 "-nolisten", "tcp"], pass_fds=(write_fd,),
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                                start_new_session=True)
    except OSError as exc:
        os.close(read_fd)
        os.close(write_fd)
        log.write(f"cannot start Xvfb: {exc}\n".encode())
        return None, None
    os.close(write_fd)
    number = b""
    with os.fdopen(read_fd, "rb", buffering=0) as pipe:
        limit = min(deadline, time.time() + 30.0)
        while not number.endswith(b"\n") and time.time() < limit:
            ready, _, _ = select.select([pipe], [], [], max(0.0, limit - time.time()))
            chunk = pipe.read(16) if ready else b""
            if not chunk:
                break
            number += chunk
    if not number.strip().isdigit():
        _kill_group(xvfb)
        return None, None
    return xvfb, f":{int(number)}"


def run_macro_text(jar: str | os.PathLike[str], text: str, out_dir: str | os.PathLike[str],
                   open_paths: Sequence[str | os.PathLike[str]] = (), arg: str = "",
                   timeout: float = 60) -> dict[str, Any]:
    """Write ``text`` to ``out_dir/macro.ijm`` and :func:`run_truth` it."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    macro = out / "macro.ijm"
    macro.write_text(text)
    return run_truth(jar, macro, out, open_paths=open_paths, arg=arg, timeout=timeout)


def load_image(outcome: dict[str, Any], title_or_index: str | int = 0) -> Any:
    """The pixels (numpy array) of one dumped image, by title or by index."""
    import numpy as np

    images = outcome["images"]
    if isinstance(title_or_index, int):
        entry = images[title_or_index]
    else:
        matches = [i for i in images if i["title"] == title_or_index]
        if not matches:
            raise KeyError(f"no image titled {title_or_index!r}: "
                           f"{[i['title'] for i in images]}")
        entry = matches[0]
    return np.load(entry["file"])


def _clean(out: Path) -> None:
    for pattern in OWN_FILES:
        for path in out.glob(pattern):
            path.unlink()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """TERM a process group (Xvfb then removes its lock file), then KILL what is left."""
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        with contextlib.suppress(ProcessLookupError):  # leftovers of the group
            os.killpg(proc.pid, signal.SIGKILL)
        return


def _read_outcome(out: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((out / OUTCOME).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _tail(path: Path, limit: int = 20000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return text[-limit:]


def _empty_outcome() -> dict[str, Any]:
    return {"imagej_version": None, "ending": None, "timeout": False, "crashed": False,
            "stage": None, "dialog": None, "error": None, "images": [], "active": None, "log": "",
            "results": None, "results_columns": [], "tables": {}, "text_windows": {},
            "selection": None, "roi_manager_count": None, "seconds": None, "messages": []}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str, allow_nan=True))
    tmp.replace(path)


# --------------------------------------------------------------------------------------------
# child: one JVM, ImageJ's main window (not shown), the macro in a thread, watched
# --------------------------------------------------------------------------------------------

class _Java:
    """The Java classes the child uses (after the JVM started)."""

    def __init__(self) -> None:
        from jpype import JClass

        self.IJ = JClass("ij.IJ")
        self.ImageJ = JClass("ij.ImageJ")
        self.WindowManager = JClass("ij.WindowManager")
        self.MacroRunner = JClass("ij.macro.MacroRunner")
        self.ResultsTable = JClass("ij.measure.ResultsTable")
        self.TextWindow = JClass("ij.text.TextWindow")
        self.PlotWindow = JClass("ij.gui.PlotWindow")
        self.Line = JClass("ij.gui.Line")
        self.RoiManager = JClass("ij.plugin.frame.RoiManager")
        self.Interpreter = JClass("ij.macro.Interpreter")
        self.JEditorPane = JClass("javax.swing.JEditorPane")
        abort = JClass("ij.Macro").class_.getDeclaredField("abort")  # package-private static
        abort.setAccessible(True)
        self.macro_abort_field = abort
        self.MultiLineLabel = JClass("ij.gui.MultiLineLabel")
        self.Thread = JClass("java.lang.Thread")
        self.Window = JClass("java.awt.Window")
        self.Dialog = JClass("java.awt.Dialog")
        self.Frame = JClass("java.awt.Frame")
        self.Container = JClass("java.awt.Container")
        self.Label = JClass("java.awt.Label")
        self.TextComponent = JClass("java.awt.TextComponent")
        self.Button = JClass("java.awt.Button")
        self.Checkbox = JClass("java.awt.Checkbox")
        self.Choice = JClass("java.awt.Choice")
        self.JLabel = JClass("javax.swing.JLabel")
        self.JTextComponent = JClass("javax.swing.text.JTextComponent")
        self.AbstractButton = JClass("javax.swing.AbstractButton")
        self.EventQueue = JClass("java.awt.EventQueue")
        self.FutureTask = JClass("java.util.concurrent.FutureTask")
        self.TimeUnit = JClass("java.util.concurrent.TimeUnit")
        self.System = JClass("java.lang.System")
        field = self.MultiLineLabel.class_.getDeclaredField("lines")
        field.setAccessible(True)
        self.lines_field = field


def _start_imagej(jar: str, home: str | None) -> tuple[_Java, Any, str]:
    """Start a JVM with only ``jar`` and a fresh empty home, and ImageJ's hidden main window.

    The empty home has no ``.imagej/IJ_Prefs.txt``: ImageJ's defaults. It is also the working
    folder, which ImageJ takes for its own folder: no ``plugins/``, ``macros/`` or ``luts/``.
    """
    import jpype

    home = home or tempfile.mkdtemp(prefix="ij-truth-home-")
    os.chdir(home)
    jpype.startJVM(jpype.getDefaultJVMPath(), "-Djava.awt.headless=false",
                   f"-Duser.home={home}", classpath=[jar], convertStrings=True)
    java = _Java()
    imagej = java.ImageJ(java.ImageJ.NO_SHOW)
    return java, imagej, home


def _text_of(java: _Java, comp: Any, texts: list[str]) -> None:
    """Append the texts of ``comp`` and of the components inside it, in layout order."""
    try:
        if isinstance(comp, java.MultiLineLabel):
            lines = java.lines_field.get(comp)
            if lines is not None:
                texts.extend(str(s) for s in lines if s is not None)
        elif isinstance(comp, java.Label | java.JLabel):
            texts.append(str(comp.getText()))
        elif isinstance(comp, java.TextComponent | java.JTextComponent):
            texts.append(str(comp.getText()))
        elif isinstance(comp, java.Button):
            texts.append(str(comp.getLabel()))
        elif isinstance(comp, java.Checkbox):
            texts.append(f"{comp.getLabel()} [{'x' if comp.getState() else ' '}]")
        elif isinstance(comp, java.Choice):
            texts.append(str(comp.getSelectedItem()))
        elif isinstance(comp, java.AbstractButton):
            texts.append(str(comp.getText()))
    except Exception as exc:  # noqa: BLE001 - a text we cannot read is reported, not fatal
        texts.append(f"<unreadable {comp.getClass().getName()}: {exc}>")
    if isinstance(comp, java.Container):
        for child in comp.getComponents():
            _text_of(java, child, texts)


def _describe_window(java: _Java, win: Any) -> dict[str, Any]:
    """``{"title", "class", "modal", "kind", "texts"}`` of a dialog."""
    texts: list[str] = []
    _text_of(java, win, texts)
    title = win.getTitle() if isinstance(win, java.Dialog | java.Frame) else None
    info = {"title": str(title) if title is not None else "",
            "class": str(win.getClass().getName()),
            "modal": bool(win.isModal()) if isinstance(win, java.Dialog) else False,
            "texts": [t for t in texts if t.strip()]}
    info["kind"] = _dialog_kind(info)
    return info


def _dialog_kind(info: dict[str, Any]) -> str:
    """What a dialog is, as far as its class, title and texts tell."""
    if info["title"] == "Macro Error":
        return "macro error"  # the interpreter's own: syntax, undefined variable, ...
    if info["texts"] and re.search(r"\bin line \d+\s*$", info["texts"][0]):
        return "command error"  # IJ.error() while a macro ran: "... in line N" + statement
    return {"ij.gui.WaitForUserDialog": "wait for user", "ij.gui.MessageDialog": "message",
            "ij.gui.HTMLDialog": "message",
            "ij.gui.GenericDialog": "input", "ij.gui.NonBlockingGenericDialog": "input",
            "ij.gui.YesNoCancelDialog": "question"}.get(info["class"], "other")


def _showing_dialog(java: _Java, waiting: Any = None) -> Any | None:
    """The dialog that waits for a person: a modal one, or one that ``waiting`` waits for.

    ImageJ's non-modal dialogs (B&C, Threshold, ... : PlugInDialog) do not stop a macro and
    are skipped; a WaitForUserDialog or NonBlockingGenericDialog is not modal either, but the
    macro's thread (``waiting``) then waits inside its ``show``.
    """
    waits_in = None
    for win in java.Window.getWindows():
        if not (isinstance(win, java.Dialog) and win.isShowing()):
            continue
        if win.isModal():
            return win
        if waits_in is None:
            waits_in = _waits_in(waiting)
        if waits_in == str(win.getClass().getName()):
            return win
    return None


def _waits_in(thread: Any) -> str:
    """The class whose code ``thread`` waits in (``Object.wait``, no time limit), or ``""``."""
    if thread is None or str(thread.getState().toString()) != "WAITING":
        return ""
    where = [str(f.getClassName()) for f in thread.getStackTrace()]
    if not where or where[0] != "java.lang.Object":
        return ""
    return next((w for w in where if not w.startswith(("java.", "jdk.", "sun."))), "")


def _exception_window(java: _Java) -> Any | None:
    for win in java.Window.getWindows():
        if isinstance(win, java.TextWindow) and win.isShowing() \
                and str(win.getTitle()) == "Exception":
            return win
    return None


def _error_from_dialog(dialog: dict[str, Any]) -> dict[str, Any] | None:
    """``{"title", "texts", "message", "line", "statement"}`` from an error dialog.

    A "Macro Error" dialog, or any other whose first text is "<message> in line <N>" (an error
    of a command that ImageJ reports with the macro's line, e.g. "No Image").
    """
    if dialog["kind"] not in ("macro error", "command error"):
        return None
    joined = "\n".join(dialog["texts"])
    found = _IN_LINE.match(joined)
    message, line, statement = joined, None, None
    if found:
        message, line = found["message"].strip(), int(found["line"])
        statement = next((s.strip() for s in found["rest"].splitlines() if s.strip()), None)
    return {"title": dialog["title"], "texts": dialog["texts"], "message": message,
            "line": line, "statement": statement}


def _error_from_exception(java: _Java, win: Any) -> dict[str, Any]:
    text = str(win.getTextPanel().getText() or "")
    first = next((s.strip() for s in text.splitlines() if s.strip()), "")
    return {"title": "Exception", "texts": [text], "message": first, "line": None,
            "statement": None}


class _Step:
    """How one macro run (a user's open or the macro) ended, and the messages answered OK."""

    def __init__(self, ending: str, seconds: float, dialog: dict[str, Any] | None = None,
                 error: dict[str, Any] | None = None,
                 messages: list[dict[str, Any]] | None = None) -> None:
        self.ending, self.seconds, self.dialog, self.error = ending, seconds, dialog, error
        self.messages = messages if messages is not None else []


#: the classes of ImageJ's plain message dialogs (``IJ.showMessage``: HTMLDialog when the
#: message starts with ``<html>``), answered OK as a person would when they have one button
MESSAGE_CLASSES = ("ij.gui.MessageDialog", "ij.gui.HTMLDialog")


def _buttons(java: _Java, comp: Any, found: list[str]) -> list[str]:
    """The labels of the AWT or Swing buttons with a label inside ``comp``.

    (A scroll bar's arrows are unlabelled Swing buttons: not counted.)
    """
    label = None
    if isinstance(comp, java.Button):
        label = comp.getLabel()
    elif isinstance(comp, java.AbstractButton):
        label = comp.getText()
    if label is not None and str(label).strip():
        found.append(str(label))
    if isinstance(comp, java.Container):
        for child in comp.getComponents():
            _buttons(java, child, found)
    return found


def _is_plain_message(java: _Java, win: Any) -> bool:
    """A modal message dialog of ImageJ's whose only button is OK (a person clicks it)."""
    return (str(win.getClass().getName()) in MESSAGE_CLASSES and isinstance(win, java.Dialog)
            and bool(win.isModal())
            and [b.strip() for b in _buttons(java, win, [])] == ["OK"])


def _message_texts(java: _Java, win: Any) -> tuple[list[str], str | None]:
    """The message's lines (no button label) and, for an HTMLDialog, its HTML as Swing has it."""
    texts: list[str] = []
    html = None
    panes: list[Any] = []

    def walk(comp: Any) -> None:
        if isinstance(comp, java.JEditorPane):
            panes.append(comp)
        elif isinstance(comp, java.Container):
            for child in comp.getComponents():
                walk(child)

    walk(win)
    if panes:  # HTMLDialog: the document's plain text, and its HTML
        doc = panes[0].getDocument()
        texts = [t.strip() for t in str(doc.getText(0, int(doc.getLength()))).splitlines()]
        html = str(panes[0].getText())
    else:
        _text_of(java, win, texts)
        buttons = {b.strip() for b in _buttons(java, win, [])}
        texts = [t for t in texts if t.strip() not in buttons]
    return [t for t in texts if t.strip()], html


def _shown_by(java: _Java, class_name: str) -> dict[str, Any]:
    """The thread that waits inside the dialog's constructor, and its ImageJ frames below it.

    ``frames`` starts at the caller of the dialog (e.g. ``ij.IJ.showMessage``,
    ``ij.IJ.error``, ``ij.macro.Functions.showMessage`` / ``exit``); empty when no thread
    waits in it.
    """
    for entry in java.Thread.getAllStackTraces().entrySet():
        thread, stack = entry.getKey(), entry.getValue()
        where = [f"{f.getClassName()}.{f.getMethodName()}" for f in stack]
        inside = [i for i, w in enumerate(where) if w.startswith(class_name + ".")]
        if inside:
            below = [w for w in where[inside[-1] + 1:] if w.startswith("ij.")]
            return {"thread": str(thread.getName()), "frames": below[:12]}
    return {"thread": None, "frames": []}


def _via(shown_by: dict[str, Any]) -> str:
    """What showed a message: "IJ.error", "exit", "showMessage" or "other"."""
    frames = shown_by["frames"]
    if "ij.IJ.error" in frames:
        return "IJ.error"
    if frames[:1] == ["ij.macro.Functions.exit"] or \
            frames[1:2] == ["ij.macro.Functions.exit"]:
        return "exit"
    if "ij.macro.Functions.showMessage" in frames[:3]:
        return "showMessage"
    return "other"


def _answer_message(java: _Java, win: Any, interp: Any) -> dict[str, Any]:
    """Read a plain message dialog, then press its OK (what OK does: ``dispose()``)."""
    texts, html = _message_texts(java, win)
    cls = str(win.getClass().getName())
    shown_by = _shown_by(java, cls)
    line = None
    if interp is not None:
        with contextlib.suppress(Exception):
            line = int(interp.getLineNumber())
    record = {"title": str(win.getTitle() or ""), "class": cls, "texts": texts, "line": line,
              "via": _via(shown_by), "shown_by": shown_by,
              "abort_flag_before": _macro_abort_flag(java)}
    if html is not None:
        record["html"] = html
    win.dispose()  # both classes' OK button calls dispose(); from here AWT does it on its thread
    return record


def _macro_abort_flag(java: _Java) -> bool | None:
    """ImageJ's ``Macro.abort`` flag: set by ``Macro.abort()``, cleared when ``IJ.run`` starts."""
    try:
        return bool(java.macro_abort_field.getBoolean(None))
    except Exception:  # noqa: BLE001
        return None


def _aborted_after(java: _Java, message: dict[str, Any], interp: Any) -> bool:
    """Whether ImageJ aborted the macro right after this message (``IJ.error`` + OK).

    ``IJ.error(title, msg)`` (a title given: every "Opener", "Macro Error", ... message)
    shows the message and, once it is answered, calls ``Macro.abort()``: that sets the flag
    ``Macro.abort`` and throws "Macro canceled" in the macro's thread, which ends without
    another dialog (``MacroRunner`` takes it for a cancel). So: the message came from
    ``IJ.error``, the flag was down before OK and is up now, and the interpreter never left
    the message's line. (``exit("msg")`` throws the same "Macro canceled" but leaves the flag
    down: a normal end.)
    """
    if message["via"] != "IJ.error" or message.get("abort_flag_before") or interp is None:
        return False
    try:
        return bool(_macro_abort_flag(java)) and int(interp.getLineNumber()) == message["line"]
    except Exception:  # noqa: BLE001
        return False


def _error_from_message(message: dict[str, Any], statement: str | None) -> dict[str, Any]:
    return {"title": message["title"], "texts": message["texts"],
            "message": " ".join(" ".join(message["texts"]).split()), "line": message["line"],
            "statement": statement}


def _interpreter_line(java: _Java) -> int | None:
    """The line the running macro is on (None when no interpreter runs, e.g. at its error)."""
    try:
        interp = java.Interpreter.getInstance()
        return None if interp is None else int(interp.getLineNumber())
    except Exception:  # noqa: BLE001
        return None


def _line_of(text: str, line: int | None) -> str | None:
    lines = text.splitlines()
    return lines[line - 1].strip() if line and 0 < line <= len(lines) else None


def _run_watched(java: _Java, text: str, arg: str, deadline: float) -> _Step:
    """Run ``text`` in ImageJ's own macro thread (as the editor's Run does) and watch it.

    A plain message (``showMessage``, ``exit("...")``, an ``IJ.error`` message) is read into
    ``messages`` and answered OK, and the watch goes on; when ImageJ then aborts the macro
    (``IJ.error`` does, for a message with a title), the step ends "aborted" with that
    message as its error.
    """
    started = time.monotonic()
    runner = java.MacroRunner(text, arg)
    thread = runner.getThread()
    messages: list[dict[str, Any]] = []
    interp = None
    while True:
        dialog = _showing_dialog(java, thread)
        if dialog is not None:
            seconds = time.monotonic() - started
            time.sleep(0.2)  # let it lay out
            if _is_plain_message(java, dialog):
                interp = java.Interpreter.getInstance() or interp
                messages.append(_answer_message(java, dialog, interp))
                continue
            info = _describe_window(java, dialog)
            info["line"] = _interpreter_line(java)
            return _Step("dialog", seconds, info, _error_from_dialog(info), messages)
        exc = _exception_window(java)
        if exc is not None:
            seconds = time.monotonic() - started
            time.sleep(0.2)  # let the stack trace be written
            return _Step("exception", seconds, error=_error_from_exception(java, exc),
                         messages=messages)
        if thread is None or not thread.isAlive():
            seconds = time.monotonic() - started
            if messages and _aborted_after(java, messages[-1], interp):
                error = _error_from_message(messages[-1], _line_of(text, messages[-1]["line"]))
                return _Step("aborted", seconds, error=error, messages=messages)
            return _Step("done", seconds, messages=messages)
        if time.time() > deadline:
            return _Step("timeout", time.monotonic() - started, messages=messages)
        time.sleep(0.1)


# --- idle ---------------------------------------------------------------------------------

_WAITS = ("java.lang.Object.wait", "jdk.internal.misc.Unsafe.park", "sun.misc.Unsafe.park")


def _idle_loop(state: str, where: list[str]) -> bool:
    """A thread of ImageJ's own that waits for work, e.g. a StackWindow's "zSelector".

    Such threads wait (without a time limit) in ``Object.wait``, called from the ``run()`` of
    an ``ij.`` class (StackWindow, ContrastAdjuster, ThresholdAdjuster, ...), until notified.
    A filter joining its workers also waits, but not right below its ``run()``.
    """
    if state != "WAITING" or not where or not any(where[0].startswith(w) for w in _WAITS):
        return False
    first_ij = next((w for w in where if w.startswith("ij.")), "")
    return first_ij.endswith(".run") and all(
        w.startswith(("java.", "jdk.", "sun.")) for w in where[:where.index(first_ij)])


def _busy_threads(java: _Java, everyone: bool = False) -> list[str]:
    """Threads other than this one and AWT's event thread that run (not idle in) ImageJ code.

    With ``everyone``, every live thread with ImageJ code on its stack (for the outcome).
    """
    me = java.Thread.currentThread()
    busy = []
    for entry in java.Thread.getAllStackTraces().entrySet():
        thread, frames = entry.getKey(), entry.getValue()
        if thread.equals(me) or not thread.isAlive():
            continue
        name = str(thread.getName())
        if name.startswith("AWT-EventQueue") and not everyone:
            continue  # drained separately
        where = [f"{f.getClassName()}.{f.getMethodName()}" for f in frames]
        if not any(w.startswith("ij.") for w in where):
            continue
        state = str(thread.getState().toString())
        if not everyone and _idle_loop(state, where):
            continue
        busy.append(f"{name} [{state}] " + " < ".join(where[:6]))
    return busy


def _drain_events(java: _Java, limit: float = 5.0) -> bool:
    """True when AWT's event queue ran an empty task posted now (within ``limit`` s)."""
    task = java.FutureTask(java.Thread(), None)  # a Thread without target: run() does nothing
    java.EventQueue.invokeLater(task)
    try:
        task.get(int(limit * 1000), java.TimeUnit.MILLISECONDS)
    except Exception:  # noqa: BLE001 - TimeoutException: the event thread is stuck
        return False
    return True


def _locked_images(java: _Java) -> list[str]:
    locked = []
    for imp in _images(java):
        if imp.isLocked():
            locked.append(str(imp.getTitle()))
    return locked


def _wait_idle(java: _Java, deadline: float, macro_thread_alive: bool = False) -> dict[str, Any]:
    """Wait until no ImageJ code runs besides AWT's idle loops, then until pixels stay put.

    Returns the pixels read last (so they are the stable ones) and notes on the wait.
    """
    started = time.monotonic()
    limit = min(deadline, time.time() + IDLE_LIMIT)
    notes: list[str] = []
    while True:
        busy = [] if macro_thread_alive else _busy_threads(java)
        locked = [] if macro_thread_alive else _locked_images(java)
        drained = _drain_events(java) and _drain_events(java)
        if not busy and not locked and drained:
            break
        if _showing_dialog(java) is not None or _exception_window(java) is not None:
            notes.append(f"a dialog or exception window came up: busy={busy} locked={locked}")
            break
        if time.time() > limit:
            notes.append(f"not idle after {time.monotonic() - started:.1f} s: busy={busy} "
                         f"locked={locked} events_drained={drained}")
            break
        time.sleep(0.05)
    threads_idle = time.monotonic() - started
    pixels = _read_all_pixels(java)
    before = _hash_pixels(pixels)
    reads = 1
    while True:
        time.sleep(SETTLE)
        _drain_events(java, 2.0)
        pixels = _read_all_pixels(java)
        reads += 1
        after = _hash_pixels(pixels)
        if after == before:
            break
        if time.time() > limit:
            notes.append(f"pixels still changing after {reads} reads")
            break
        before = after
    return {"pixels": pixels, "idle_seconds": round(time.monotonic() - started, 3),
            "threads_idle_seconds": round(threads_idle, 3), "pixel_reads": reads,
            "idle_notes": notes}


# --- reading ImageJ's state --------------------------------------------------------------

def _images(java: _Java) -> list[Any]:
    ids = java.WindowManager.getIDList()
    if ids is None:
        return []
    images = []
    for image_id in ids:
        imp = java.WindowManager.getImage(int(image_id))
        if imp is not None:
            images.append(imp)
    return images


def _pixels(imp: Any) -> Any:
    """(nframes, nslices, nchannels, height, width[, 3]) numpy array of an ImagePlus."""
    import numpy as np

    width, height = int(imp.getWidth()), int(imp.getHeight())
    stack = imp.getStack()
    size = int(stack.getSize())
    shape = (int(imp.getNFrames()), int(imp.getNSlices()), int(imp.getNChannels()))
    if shape[0] * shape[1] * shape[2] != size:
        shape = (1, size, 1)
    planes = []
    for n in range(1, size + 1):
        raw = np.array(stack.getProcessor(n).getPixels(), copy=True)
        if raw.dtype == np.int8:
            plane = raw.view(np.uint8).reshape(height, width)
        elif raw.dtype == np.int16:
            plane = raw.view(np.uint16).reshape(height, width)
        elif raw.dtype == np.float32:
            plane = raw.reshape(height, width)
        elif raw.dtype == np.int32:  # 0xAARRGGBB, little-endian bytes B G R A
            plane = raw.astype("<i4").view(np.uint8).reshape(height, width, 4)[..., 2::-1]
            plane = np.ascontiguousarray(plane)
        else:
            raise TypeError(f"pixels of type {raw.dtype} in {imp.getTitle()}")
        planes.append(plane)
    return np.stack(planes).reshape(shape + planes[0].shape)


def _read_all_pixels(java: _Java) -> list[tuple[Any, Any]]:
    return [(imp, _pixels(imp)) for imp in _images(java)]


def _hash_pixels(pixels: list[tuple[Any, Any]]) -> str:
    digest = hashlib.sha1()
    for imp, array in pixels:
        digest.update(str(imp.getID()).encode())
        digest.update(str(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _calibration(imp: Any) -> dict[str, Any]:
    cal = imp.getCalibration()
    return {"pixel_width": float(cal.pixelWidth), "pixel_height": float(cal.pixelHeight),
            "pixel_depth": float(cal.pixelDepth), "unit": str(cal.getUnit()),
            "frame_interval": float(cal.frameInterval), "time_unit": str(cal.getTimeUnit()),
            "x_origin": float(cal.xOrigin), "y_origin": float(cal.yOrigin),
            "z_origin": float(cal.zOrigin)}


def _is_plot(java: _Java, imp: Any) -> bool:
    with contextlib.suppress(Exception):
        if imp.getProperty("thePlot") is not None:
            return True
    return isinstance(imp.getWindow(), java.PlotWindow)


def _selection(java: _Java, imp: Any) -> dict[str, Any] | None:
    roi = imp.getRoi()
    if roi is None:
        return None
    bounds = roi.getBounds()
    info: dict[str, Any] = {"type": str(roi.getTypeAsString()), "type_code": int(roi.getType()),
                            "name": None if roi.getName() is None else str(roi.getName()),
                            "bounds": [int(bounds.x), int(bounds.y), int(bounds.width),
                                       int(bounds.height)],
                            "stroke_width": float(roi.getStrokeWidth())}
    if isinstance(roi, java.Line):
        info["line"] = [float(roi.x1d), float(roi.y1d), float(roi.x2d), float(roi.y2d)]
        info["x"], info["y"] = [float(roi.x1d), float(roi.x2d)], [float(roi.y1d), float(roi.y2d)]
    else:
        poly = roi.getFloatPolygon()
        n = int(poly.npoints)
        info["x"] = [float(v) for v in list(poly.xpoints)[:n]]
        info["y"] = [float(v) for v in list(poly.ypoints)[:n]]
    return info


def _table_rows(rt: Any) -> tuple[list[str], list[list[Any]]]:
    """Headings and rows of a ResultsTable, numbers at full double precision."""
    headings = [str(h) for h in rt.getHeadings()]
    # (getLabel of a row an empty table has not throws in 1.54m)
    has_label = int(rt.size()) > 0 and rt.getLabel(0) is not None
    label_heading = "Label" if has_label or "Label" in headings else None
    rows: list[list[Any]] = []
    columns = []
    for heading in headings:
        index = int(rt.getColumnIndex(heading))
        is_label = heading == label_heading and (index < 0 or index == rt.COLUMN_NOT_FOUND)
        columns.append((heading, index, is_label))
    for row in range(int(rt.size())):
        values: list[Any] = []
        for _heading, index, is_label in columns:
            if is_label or index < 0:
                label = rt.getLabel(row)
                values.append("" if label is None else str(label))
                continue
            value = float(rt.getValueAsDouble(index, row))
            if math.isnan(value):
                text = rt.getStringValue(index, row)
                if text is not None and str(text) not in ("NaN", ""):
                    values.append(str(text))
                    continue
            values.append(value)
        rows.append(values)
    return headings, rows


def _write_table(rt: Any, path: Path) -> list[str]:
    headings, rows = _table_rows(rt)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headings)
        for row in rows:
            writer.writerow([repr(v) if isinstance(v, float) else v for v in row])
    return headings


def _dump(java: _Java, out: Path, pixels: list[tuple[Any, Any]] | None) -> dict[str, Any]:
    """Write the images, tables and log; return the outcome's fields about ImageJ's state."""
    import numpy as np

    if pixels is None:
        pixels = _read_all_pixels(java)
    state: dict[str, Any] = {}
    images = []
    for index, (imp, array) in enumerate(pixels):
        path = out / f"image_{index:02d}.npy"
        np.save(path, array)
        proc = imp.getProcessor()
        images.append({
            "title": str(imp.getTitle()), "id": int(imp.getID()),
            "bit_depth": int(imp.getBitDepth()), "nchannels": int(imp.getNChannels()),
            "nslices": int(imp.getNSlices()), "nframes": int(imp.getNFrames()),
            "width": int(imp.getWidth()), "height": int(imp.getHeight()),
            "calibration": _calibration(imp), "file": str(path),
            "shape": list(array.shape), "dtype": str(array.dtype),
            "plot": _is_plot(java, imp),
            "position": [int(imp.getC()), int(imp.getZ()), int(imp.getT())],
            "display_range": [float(imp.getDisplayRangeMin()),
                              float(imp.getDisplayRangeMax())],
            "inverted_lut": bool(proc.isInvertedLut()) if proc is not None else False,
            "composite": bool(imp.isComposite()), "changes": bool(imp.changes),
            "visible": imp.getWindow() is not None and bool(imp.getWindow().isShowing()),
            "selection": _selection(java, imp),
        })
    state["images"] = images
    current = java.WindowManager.getCurrentImage()
    state["active"] = None if current is None else str(current.getTitle())
    state["selection"] = None if current is None else _selection(java, current)
    log = java.IJ.getLog()
    state["log"] = "" if log is None else str(log)
    (out / "log.txt").write_text(state["log"])
    system = java.ResultsTable.getResultsTable()
    results_window = java.WindowManager.getWindow("Results")
    if system is not None and (int(system.size()) > 0 or int(system.getLastColumn()) >= 0
                               or results_window is not None):
        state["results_columns"] = _write_table(system, out / "Results.csv")
        state["results"] = str(out / "Results.csv")
        state["results_rows"] = int(system.size())
    else:
        state["results"], state["results_columns"], state["results_rows"] = None, [], 0
    tables: dict[str, str] = {}
    text_windows: dict[str, str] = {}
    for number, frame in enumerate(java.WindowManager.getNonImageWindows() or []):
        if not isinstance(frame, java.TextWindow):
            continue
        title = str(frame.getTitle())
        if title in ("Results", "Log"):
            continue
        rt = frame.getResultsTable()
        if rt is not None and title != "Exception":
            path = out / f"table_{number:02d}.csv"
            _write_table(rt, path)
            tables[title] = str(path)
        else:
            text_windows[title] = str(frame.getTextPanel().getText() or "")
    state["tables"], state["text_windows"] = tables, text_windows
    manager = java.RoiManager.getInstance()
    state["roi_manager_count"] = None if manager is None else int(manager.getCount())
    state["imagej_quit"] = java.IJ.getInstance() is None
    state["ij_threads"] = _busy_threads(java, everyone=True)
    state["windows"] = [
        {"title": str(w.getTitle()), "class": str(w.getClass().getName())}
        for w in java.Window.getWindows()
        if w.isShowing() and isinstance(w, java.Dialog | java.Frame)]
    return state


def _child(args: argparse.Namespace) -> int:
    out = Path(args.out)
    outcome = _empty_outcome()
    outcome["harness"] = {"pid": os.getpid(), "display": os.environ.get("DISPLAY")}
    t0 = time.monotonic()
    deadline = float(args.deadline) if args.deadline else time.time() + args.timeout
    # leave time to dump what there is before the parent's hard kill
    soft_deadline = deadline - min(10.0, max(2.0, 0.15 * (deadline - time.time())))
    try:
        java, _imagej, home = _start_imagej(args.jar, args.home)
        outcome["startup_seconds"] = round(time.monotonic() - t0, 3)
        outcome["imagej_version"] = str(java.IJ.getFullVersion())
        outcome["imagej_short_version"] = str(java.IJ.getVersion())
        outcome["java_version"] = str(java.System.getProperty("java.version"))
        outcome["java_home"] = str(java.System.getProperty("java.home"))
        outcome["home"] = home
        outcome["dirs"] = {key: _dir(java, key) for key in
                           ("imagej", "startup", "plugins", "macros", "luts", "home")}
        step = _Step("done", 0.0)
        outcome["open_seconds"] = 0.0
        for path in args.open or ():
            step = _run_watched(java, "open(getArgument());", path, soft_deadline)
            outcome["open_seconds"] += step.seconds
            outcome["messages"] += [dict(m, stage=f"open {path}") for m in step.messages]
            if step.ending != "done":
                outcome["stage"] = f"open {path}"
                break
        else:
            macro = Path(args.macro).read_text()
            outcome["stage"] = "macro"
            step = _run_watched(java, macro, args.arg or "", soft_deadline)
            outcome["seconds"] = round(step.seconds, 3)
            outcome["messages"] += [dict(m, stage="macro") for m in step.messages]
        outcome["ending"] = step.ending
        outcome["timeout"] = step.ending == "timeout"
        outcome["dialog"], outcome["error"] = step.dialog, step.error
        if step.ending == "timeout":
            outcome["error"] = {"title": "timeout", "texts": [], "line": None, "statement": None,
                                "message": f"still running after {step.seconds:.1f} s"}
        if step.ending == "done":
            waited = _wait_idle(java, soft_deadline)
            # a dialog or an exception can still come from work that ran on after the macro
            dialog, exc = _showing_dialog(java), _exception_window(java)
            for _ in range(20):  # a message that came after the macro: OK, and wait again
                if dialog is None or exc is not None or not _is_plain_message(java, dialog):
                    break
                outcome["messages"].append(dict(_answer_message(java, dialog, None),
                                                stage="after the macro"))
                waited = _wait_idle(java, soft_deadline)
                dialog, exc = _showing_dialog(java), _exception_window(java)
            if exc is not None:
                outcome["ending"], outcome["error"] = "exception", _error_from_exception(java, exc)
            if dialog is not None:
                info = _describe_window(java, dialog)
                outcome["ending"], outcome["dialog"] = "dialog", info
                outcome["error"] = outcome["error"] or _error_from_dialog(info)
        else:
            waited = _wait_idle(java, soft_deadline, macro_thread_alive=True) \
                if step.ending != "timeout" else {"pixels": None, "idle_notes": []}
        pixels = waited.pop("pixels")
        outcome.update(waited)
        dump_started = time.monotonic()
        outcome.update(_dump(java, out, pixels))
        outcome["dump_seconds"] = round(time.monotonic() - dump_started, 3)
    except BaseException as exc:  # noqa: BLE001 - the parent must always get an outcome
        outcome["crashed"], outcome["ending"] = True, "crashed"
        outcome["stderr"] = traceback.format_exc()
        outcome["error"] = outcome.get("error") or {
            "title": "harness", "texts": [], "message": f"{type(exc).__name__}: {exc}",
            "line": None, "statement": None}
        sys.stderr.write(outcome["stderr"])
    outcome["child_seconds"] = round(time.monotonic() - t0, 3)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    outcome["child_cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 3)
    _write_json(out / OUTCOME, outcome)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1 if outcome["crashed"] else 0)  # no JVM teardown: AWT threads would hold it


def _dir(java: _Java, key: str) -> str | None:
    try:
        value = java.IJ.getDirectory(key)
    except Exception:  # noqa: BLE001
        return None
    return None if value is None else str(value)


# --------------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jar", required=True, help="the ImageJ 1.x jar (only class path)")
    parser.add_argument("--macro", required=True, help="the .ijm file to run")
    parser.add_argument("--out", required=True, help="the folder to dump into")
    parser.add_argument("--open", action="append", default=[], metavar="IMAGE_PATH",
                        help="an image to open before the macro (repeatable, in order)")
    parser.add_argument("--arg", default="", help="the macro's getArgument()")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds for the whole run, JVM start included")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--deadline", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    """Run the command line; print the outcome (JSON) unless ``--child``."""
    args = _parser().parse_args(list(argv) if argv is not None else None)
    if args.child:
        return _child(args)
    outcome = run_truth(args.jar, args.macro, args.out, open_paths=args.open, arg=args.arg,
                        timeout=args.timeout)
    json.dump(outcome, sys.stdout, indent=1, default=str)
    sys.stdout.write("\n")
    return 0 if not (outcome.get("crashed") or outcome.get("timeout")) else 1


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["OUTCOME", "load_image", "main", "run_macro_text", "run_truth"]
