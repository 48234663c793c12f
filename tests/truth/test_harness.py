"""The GUI truth harness (``imagej_gui.py``) on small macros, with the jar of the engine under test.

``--engine embedded`` checks Debian's ImageJ jar, ``--engine fiji`` the Fiji's plain ImageJ
jar (:mod:`tests.truth.jars`), so that CI runs each jar once. Every macro runs in its own
fresh JVM on its own virtual display: about 2.3 s of CPU each. All the macros run in one
module-scoped batch, three at a time; the tests then look at the outcomes. Nothing here
imports ``ij_bgcorr``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tifffile

from .imagej_gui import load_image, run_macro_text
from .jars import gui_missing, truth_jar

GUI_MISSING = gui_missing()
pytestmark = [pytest.mark.jvm, pytest.mark.skipif(bool(GUI_MISSING), reason=GUI_MISSING)]

RANDOM_MEDIAN = ('random("seed", 7);\nnewImage("a", "8-bit random", 2048, 2048, 1);\n'
                 'run("Median...", "radius=5");\n')
LINE_THEN_NONE = ('newImage("first", "8-bit black", 16, 16, 1);\n'
                  'makeLine(1, 2, 12, 9);\nrun("Select None");\n')
RESTORE = ('newImage("second", "8-bit black", 16, 16, 1);\nrun("Restore Selection");\n'
           'print(selectionType());\n')

#: name -> (macro, keywords of run_macro_text; "open": names of images made by the batch)
SCENARIOS: dict[str, tuple[str, dict[str, Any]]] = {
    "add_measure": ('newImage("a", "8-bit black", 6, 4, 1);\nsetPixel(0, 0, 10);\n'
                    'setPixel(5, 3, 250);\nsetPixel(2, 1, 100);\nrun("Add...", "value=5");\n'
                    'print("hello");\nrun("Measure");\n', {}),
    "gauss_variable": ('newImage("g", "32-bit black", 32, 32, 1);\nsetPixel(10, 10, 100);\n'
                       's = 1.5;\nrun("Gaussian Blur...", "sigma=&s");\n', {}),
    "gauss_literal": ('newImage("g", "32-bit black", 32, 32, 1);\nsetPixel(10, 10, 100);\n'
                      'run("Gaussian Blur...", "sigma=1.5");\n', {}),
    "syntax_error": ('a = 1;\nb = 2;\nc = a + ;\nprint(c);\n', {}),
    "command_error": ('print("start");\nrun("Add...", "value=5");\n', {}),
    "wait_for_user": ('print("before");\nwaitForUser("x");\nprint("after");\n', {}),
    "exception": ('call("java.lang.Integer.parseInt", "xx");\n', {}),
    # with the control for test_runs_are_independent: in one session the line comes back
    "profile": (LINE_THEN_NONE + RESTORE + 'newImage("p", "8-bit ramp", 64, 32, 1);\n'
                'makeLine(0, 16, 63, 16);\nrun("Plot Profile");\n', {}),
    "median_tile": (RANDOM_MEDIAN + 'run("Tile");\n', {}),
    "median": (RANDOM_MEDIAN, {}),
    # doCommand() runs the command in a thread of its own: the macro ends before it does
    # (read at once, about a tenth of "e" would still be unskeletonized)
    "skeleton": ('random("seed", 3);\nnewImage("e", "8-bit random", 1000, 1000, 1);\n'
                 'setThreshold(128, 255);\nrun("Convert to Mask");\n'
                 'run("Duplicate...", "title=f");\nrun("Skeletonize");\n'
                 'selectImage("e");\ndoCommand("Skeletonize");\n', {}),
    "opened": ('print(getTitle());\nselectImage("a.tif");\n'
               'run("Multiply...", "value=2 stack");\n', {"open": ("a.tif", "b.tif")}),
    "open_missing": ('print("never");\n', {"open": ("missing.tif",)}),
    "tables": ('newImage("t", "8-bit black", 4, 4, 1);\nsetPixel(0, 0, 3);\n'
               'run("Set Measurements...", "area mean display redirect=None decimal=3");\n'
               'run("Measure");\nrun("Brightness/Contrast...");\n'
               'Table.create("Other");\nTable.set("x", 0, 1/3);\n'
               'Table.set("name", 0, "abc");\nTable.set("x", 1, 2);\n'
               'Table.set("name", 1, "de");\nTable.update;\n', {}),
    "chatty_exit": ('print("arg=" + getArgument());\nfor (i = 0; i < 3000; i++)\n'
                    '  print("line " + i);\nexit;\nprint("no");\n', {"arg": "a b=c"}),
    # the harness's own ways out
    "forever": ('while (true)\n  wait(10);\n', {"timeout": 6}),
    "killed": ('exec("sh", "-c", "kill -9 $PPID");\nwait(5000);\n', {}),
    # plain messages are answered OK, as a person would: the macro goes on ...
    "messages": ('print("before");\nshowMessage("Title", "hello\\nworld");\n'
                 'showMessage("<html><b>bold</b> text");\nprint("after");\n'
                 'newImage("m", "8-bit black", 4, 4, 1);\n'
                 'showMessage("last");\n', {}),
    # ... or ends as ImageJ ends it: exit("msg") normally, IJ.error's messages with an abort
    "exit_message": ('print("a");\nexit("bye now");\nprint("no");\n', {}),
    "no_window": ('print("a");\nnewImage("x", "8-bit black", 10, 10, 1);\n'
                  'selectWindow("nope");\nprint("no");\n', {}),
    "open_missing_in_macro": ('print("a");\nopen("/nonexistent/missing.tif");\n'
                              'print("no");\n', {}),
    # File.openAsString of a missing file is an interpreter error: a dialog that stops
    "file_not_found": ('print("a");\ns = File.openAsString("/nonexistent/x.txt");\n'
                       'print("no");\n', {}),
}


def _images_to_open(folder: Path) -> None:
    tifffile.imwrite(folder / "a.tif", np.arange(2 * 12 * 10, dtype=np.uint16)
                     .reshape(2, 12, 10) * 7, imagej=True,
                     metadata={"axes": "ZYX"})
    tifffile.imwrite(folder / "b.tif", np.full((5, 6), 9, dtype=np.uint8), imagej=True)


#: runs that must follow one another (in one task): the second must not see the first
SEQUENCES: dict[str, list[tuple[str, str]]] = {
    "independent": [("first", LINE_THEN_NONE), ("second", RESTORE)],
}
#: the long ones first, so that the short ones fill in beside them
LONG = ("median_tile", "median", "forever", "skeleton")
WORKERS = 3  # two cores; a run also waits (for Xvfb, dialogs, the timeout)
TIMEOUT = 90  # seconds for one run, generous: other work on the machine slows them down


def _run_all(jar: Path, folder: Path) -> dict[str, dict[str, Any]]:
    """Every scenario (and sequence) with ``jar``, a few runs at a time."""
    _images_to_open(folder)

    def scenario(name: str) -> dict[str, dict[str, Any]]:
        text, options = SCENARIOS[name]
        options = dict(options)
        opens = [folder / p for p in options.pop("open", ())]
        return {name: run_macro_text(jar, text, folder / name, open_paths=opens,
                                     timeout=options.pop("timeout", TIMEOUT), **options)}

    def sequence(name: str) -> dict[str, dict[str, Any]]:
        return {f"{name}/{step}": run_macro_text(jar, text, folder / name / step,
                                                 timeout=TIMEOUT)
                for step, text in SEQUENCES[name]}

    names = [*LONG, *(n for n in SCENARIOS if n not in LONG)]
    tasks = [(scenario, name) for name in names] + [(sequence, name) for name in SEQUENCES]
    found: dict[str, dict[str, Any]] = {}
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for future in [pool.submit(run, name) for run, name in tasks]:
            found.update(future.result())
    return found


@pytest.fixture(scope="module")
def jar(request: pytest.FixtureRequest) -> Path:
    """The truth jar of the engine under test (``--engine``): each CI run checks one jar."""
    path = truth_jar(str(request.config.getoption("--engine")))
    if not path.is_file():
        pytest.skip(f"no ImageJ jar at {path} (--engine {request.config.getoption('--engine')})")
    return path


@pytest.fixture(scope="module")
def outcomes(jar: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return _run_all(jar, tmp_path_factory.mktemp("truth"))


@pytest.fixture
def outcome(outcomes: dict[str, dict[str, Any]]) -> Callable[[str], dict[str, Any]]:
    """The outcome of one scenario, checked to have run (no crash, no timeout) unless asked."""
    def get(name: str, finished: bool = True) -> dict[str, Any]:
        result = outcomes[name]
        if finished:
            assert not result["crashed"] and not result["timeout"], (name, result.get("error"),
                                                                     result.get("stderr"))
        return result
    return get


def _clean_run(result: dict[str, Any]) -> None:
    assert result["error"] is None and result["dialog"] is None, (result["error"],
                                                                  result["dialog"])
    assert result["ending"] == "done"
    assert not result["idle_notes"], result["idle_notes"]


def _read_csv(path: str) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_setpixel_add_print_measure(outcome: Callable[..., dict[str, Any]]) -> None:
    result = outcome("add_measure")
    _clean_run(result)
    assert result["imagej_version"].startswith("1.5")
    assert [i["title"] for i in result["images"]] == ["a"] and result["active"] == "a"
    image = result["images"][0]
    assert (image["bit_depth"], image["width"], image["height"]) == (8, 6, 4)
    assert (image["nchannels"], image["nslices"], image["nframes"]) == (1, 1, 1)
    assert image["calibration"]["unit"] == "pixel"
    expected = np.full((4, 6), 5, dtype=np.uint8)
    expected[0, 0], expected[3, 5], expected[1, 2] = 15, 255, 105  # 250 + 5 saturates
    pixels = load_image(result, "a")
    assert pixels.dtype == np.uint8 and pixels.shape == (1, 1, 1, 4, 6)
    np.testing.assert_array_equal(pixels[0, 0, 0], expected)
    assert result["log"] == "hello\n"
    assert result["results_columns"] == ["Area", "Mean", "Min", "Max"]
    rows = _read_csv(result["results"])
    assert len(rows) == 1
    assert float(rows[0]["Mean"]) == expected.mean()  # 480 / 24, exact
    assert (float(rows[0]["Min"]), float(rows[0]["Max"])) == (5.0, 255.0)
    assert float(rows[0]["Area"]) == 24.0


def test_variable_in_options_equals_the_literal(outcome: Callable[..., dict[str, Any]]) -> None:
    variable, literal = outcome("gauss_variable"), outcome("gauss_literal")
    _clean_run(variable)
    _clean_run(literal)
    blurred = load_image(variable, "g")
    assert blurred.dtype == np.float32
    np.testing.assert_array_equal(blurred, load_image(literal, "g"))
    assert blurred.max() < 100 and abs(float(blurred.sum()) - 100) < 0.5  # blurred, kept


def test_macro_error_reports_its_line(outcome: Callable[..., dict[str, Any]]) -> None:
    result = outcome("syntax_error")
    assert result["ending"] == "dialog"
    assert result["dialog"]["title"] == "Macro Error"
    assert result["dialog"]["kind"] == "macro error"
    assert result["error"]["line"] == 3
    assert result["error"]["message"] == "Number or numeric function expected"
    assert result["error"]["statement"].startswith("c = a +")
    assert result["images"] == [] and result["log"] == ""


def test_error_of_a_command_is_reported_with_its_line(
        outcome: Callable[..., dict[str, Any]]) -> None:
    result = outcome("command_error")
    assert result["dialog"]["title"] == "No Image"
    assert result["error"]["line"] == 2
    assert result["error"]["message"] == "There are no images open"
    assert "Add..." in result["error"]["statement"]
    assert result["log"] == "start\n"


def test_a_dialog_waiting_for_a_person_ends_the_run(
        outcome: Callable[..., dict[str, Any]]) -> None:
    result = outcome("wait_for_user")
    assert result["ending"] == "dialog" and result["error"] is None
    assert result["dialog"]["title"] == "Action Required"
    assert result["dialog"]["kind"] == "wait for user"
    assert result["dialog"]["texts"][0] == "x"
    assert result["dialog"]["line"] == 2  # where the macro waits
    assert result["log"] == "before\n"


def test_java_exception_is_the_error(outcome: Callable[..., dict[str, Any]]) -> None:
    result = outcome("exception")
    assert result["ending"] == "exception"
    assert result["error"]["title"] == "Exception"
    assert result["error"]["message"].startswith("java.lang.NumberFormatException")


def test_plot_profile_gives_a_plot_image(outcome: Callable[..., dict[str, Any]]) -> None:
    result = outcome("profile")
    _clean_run(result)
    titles = [i["title"] for i in result["images"]]
    assert titles == ["first", "second", "p", "Plot of p"]
    assert result["active"] == "Plot of p"
    plots = [i["plot"] for i in result["images"]]
    assert plots == [False, False, False, True]
    profiled = result["images"][2]
    assert profiled["selection"]["type"] == "Straight Line"
    assert profiled["selection"]["line"] == [0.0, 16.0, 63.0, 16.0]
    plot = load_image(result, "Plot of p")
    assert plot.ndim == 5 and plot.shape[3] > 100 and plot.shape[4] > 100


def test_runs_are_independent(outcome: Callable[..., dict[str, Any]]) -> None:
    """A selection left in one run is not there to restore in the next (a fresh JVM each)."""
    same = outcome("profile")
    _clean_run(same)
    assert same["log"] == "5\n"  # control: within one session the line comes back
    assert same["images"][1]["selection"]["type"] == "Straight Line"
    first, second = outcome("independent/first"), outcome("independent/second")
    _clean_run(first)
    _clean_run(second)
    assert first["wall_seconds"] > 0 and first["images"][0]["selection"] is None
    assert second["log"] == "-1\n" and second["selection"] is None
    assert [i["title"] for i in second["images"]] == ["second"]


def test_pixels_are_read_once_imagej_is_idle(outcome: Callable[..., dict[str, Any]]) -> None:
    tiled, plain = outcome("median_tile"), outcome("median")
    _clean_run(tiled)
    _clean_run(plain)
    np.testing.assert_array_equal(load_image(tiled, "a"), load_image(plain, "a"))
    skeleton = outcome("skeleton")  # "e" by doCommand (ends after the macro), "f" by run
    _clean_run(skeleton)
    background, foreground = load_image(skeleton, "e"), load_image(skeleton, "f")
    assert len(np.unique(foreground)) == 2
    np.testing.assert_array_equal(background, foreground)


def test_opened_images_come_first_and_last_opened_is_active(
        outcome: Callable[..., dict[str, Any]]) -> None:
    result = outcome("opened")
    _clean_run(result)
    assert result["log"] == "b.tif\n"  # the macro started on the last opened image
    assert [i["title"] for i in result["images"]] == ["a.tif", "b.tif"]
    assert result["active"] == "a.tif"
    expected = np.arange(2 * 12 * 10, dtype=np.uint16).reshape(1, 2, 1, 12, 10) * 14
    a = load_image(result, "a.tif")
    assert a.dtype == np.uint16
    np.testing.assert_array_equal(a, expected)
    np.testing.assert_array_equal(load_image(result, "b.tif"), np.full((1, 1, 1, 5, 6), 9))


def test_an_image_that_cannot_be_opened_stops_before_the_macro(
        outcome: Callable[..., dict[str, Any]]) -> None:
    result = outcome("open_missing")
    assert result["ending"] == "aborted" and result["stage"].startswith("open ")
    assert result["seconds"] is None and result["log"] == ""
    assert result["error"]["title"] == "Opener" and "missing.tif" in result["error"]["message"]
    assert result["messages"][0]["stage"] == result["stage"]


def test_tables_are_written_at_full_precision(outcome: Callable[..., dict[str, Any]]) -> None:
    result = outcome("tables")
    _clean_run(result)  # B&C, a dialog that does not wait for a person, stays open
    assert "B&C" in [w["title"] for w in result["windows"]]
    assert result["results_columns"] == ["Label", "Area", "Mean"]
    rows = _read_csv(result["results"])
    assert rows == [{"Label": "t", "Area": "16.0", "Mean": "0.1875"}]
    assert list(result["tables"]) == ["Other"]
    other = _read_csv(result["tables"]["Other"])
    assert [r["name"] for r in other] == ["abc", "de"]
    assert [float(r["x"]) for r in other] == [1 / 3, 2.0]


def test_exit_without_images_and_a_long_log(outcome: Callable[..., dict[str, Any]]) -> None:
    result = outcome("chatty_exit")
    _clean_run(result)
    assert result["images"] == [] and result["active"] is None
    assert result["results"] is None and result["selection"] is None
    lines = result["log"].splitlines()
    assert lines[0] == "arg=a b=c"  # the argument reached the macro
    assert len(lines) == 3001 and lines[-1] == "line 2999"


def test_a_macro_that_never_ends_times_out(outcome: Callable[..., dict[str, Any]]) -> None:
    result = outcome("forever", finished=False)
    assert result["timeout"] is True and not result["crashed"], {
        key: result.get(key) for key in ("crashed", "error", "ending", "wall_seconds", "stderr")}
    assert result["error"]["title"] in ("timeout", "killed")  # by the child / by the parent
    assert result["wall_seconds"] < 6 + 5


def test_a_child_that_dies_still_gives_an_outcome(outcome: Callable[..., dict[str, Any]]) -> None:
    result = outcome("killed", finished=False)
    assert result["crashed"] is True and result["timeout"] is False
    assert result["returncode"] == -9
    assert result["error"]["title"] == "crashed"


def test_messages_are_answered_ok_and_the_macro_goes_on(
        outcome: Callable[..., dict[str, Any]]) -> None:
    result = outcome("messages")
    _clean_run(result)
    assert result["log"] == "before\nafter\n"
    assert [i["title"] for i in result["images"]] == ["m"]  # made after the messages
    shown = [(m["title"], m["class"], m["texts"], m["line"], m["via"], m["stage"])
             for m in result["messages"]]
    assert shown == [
        ("Title", "ij.gui.MessageDialog", ["hello", "world"], 2, "showMessage", "macro"),
        ("", "ij.gui.HTMLDialog", ["bold text"], 3, "showMessage", "macro"),
        ("", "ij.gui.MessageDialog", ["last"], 6, "showMessage", "macro"),
    ]  # showMessage(msg) has an empty title
    assert "<b>bold</b>" in result["messages"][1]["html"]
    assert result["messages"][0]["shown_by"]["thread"].endswith("Macro$")


def test_exit_with_a_message_ends_normally(outcome: Callable[..., dict[str, Any]]) -> None:
    """``exit("msg")``: the interpreter finishes, shows the message, then cancels: no error."""
    result = outcome("exit_message")
    _clean_run(result)
    assert result["log"] == "a\n"
    [message] = result["messages"]
    assert (message["title"], message["texts"], message["via"]) == ("Macro", ["bye now"], "exit")


@pytest.mark.parametrize(("name", "title", "message", "line"), [
    ("no_window", "Macro Error", 'No window with the title "nope" found.', 3),
    ("open_missing_in_macro", "Opener", "File not found: /nonexistent/missing.tif", 2),
])
def test_an_error_message_then_abort_is_an_error(
        outcome: Callable[..., dict[str, Any]], name: str, title: str, message: str,
        line: int) -> None:
    """``IJ.error(title, msg)`` outside a command: a message, then ImageJ aborts the macro."""
    result = outcome(name)
    assert result["ending"] == "aborted" and result["dialog"] is None
    assert result["log"] == "a\n"  # the next line never ran
    error = result["error"]
    assert (error["title"], error["message"], error["line"]) == (title, message, line)
    assert error["statement"].startswith(("selectWindow(", "open("))
    [shown] = result["messages"]
    assert shown["via"] == "IJ.error" and shown["title"] == title


def test_an_interpreter_error_still_stops_at_its_dialog(
        outcome: Callable[..., dict[str, Any]]) -> None:
    """``File.openAsString`` of a missing file: the interpreter's "Macro Error" dialog."""
    result = outcome("file_not_found")
    assert result["ending"] == "dialog" and result["messages"] == []
    assert result["dialog"]["class"] == "ij.gui.GenericDialog"
    assert (result["error"]["message"], result["error"]["line"]) == ("Error: file not found", 2)
    assert result["log"] == "a\n"
