"""Shipped macros, the macro runner's error reporting and timeouts, and the CLI."""

from __future__ import annotations

import time

import jpype
import numpy as np
import pytest
from click.testing import CliRunner

import ij_bgcorr as ijb
from ij_bgcorr import reference, workflows
from ij_bgcorr.cli.main import main
from ij_bgcorr.crossval import synthetic
from ij_bgcorr.macro.files import shipped_macros


def test_shipped_macros_equal_the_api(fiji, spots_path, polyp_path):
    img, series = ijb.open_image(spots_path), ijb.open_image(polyp_path)
    pairs = {
        "median_background": (img, {"radius": 15},
                              workflows.median_background(fiji, img, 15)),
        "max_projection_background": (series, {},
                                      workflows.max_projection_background(fiji, series)),
        "rolling_ball_background": (img, {"rolling": 50},
                                    workflows.rolling_ball_background(fiji, img, 50)),
    }
    for name, (source, args, (background, foreground)) in pairs.items():
        result = fiji.run_macro(name, inputs={"input": source}, args=args)
        np.testing.assert_array_equal(result["background"].values, background.values, err_msg=name)
        np.testing.assert_array_equal(result["foreground"].values, foreground.values, err_msg=name)


def test_macro_takes_its_input_from_a_path(fiji, spots_path):
    by_path = fiji.run_macro("median_background", args={"input": str(spots_path), "radius": 4})
    opened = fiji.run_macro("median_background", inputs={"input": ijb.open_image(spots_path)},
                            args={"radius": 4})
    np.testing.assert_array_equal(by_path["foreground"].values, opened["foreground"].values)
    assert by_path["foreground"].attrs["macro_line"].startswith('runMacro("')


def test_tophat_macro_is_an_opening(fiji):
    img = synthetic.spots_on_uneven_background()
    result = fiji.run_macro("tophat_background", inputs={"input": img}, args={"radius": 6})
    opened = result["background"].values
    assert (opened <= img.values).all()  # an opening never exceeds its input
    np.testing.assert_array_equal(result["foreground"].values,
                                  img.values.astype(np.float32) - opened)


def test_outputs_log_results_and_return_value(fiji):
    code = ('newImage("a", "8-bit ramp", 64, 32, 1);\nprint("hello " + getArgument());\n'
            'run("Measure");\nnewImage("b", "16-bit black", 8, 8, 1);\nreturn "done";')
    result = fiji.run_macro(code, args={"k": "v w"}, outputs=["a"])
    assert list(result.images) == ["a"] and result["a"].shape == (32, 64)
    assert "hello k=[v w]" in result.log
    assert result.results["Width" if "Width" in result.results else "Area"].iloc[0] == 64 * 32
    assert result.returned == "done"


ERRORS = [
    ('print("a");\nx = ;\n', "Number or numeric function expected", 2),
    ('newImage("a", "8-bit", 9, 9, 1);\nrun("No Such Command...");', "Unrecognized command", 2),
    ('print("x");\n\nselectWindow("missing window");\nprint("after");', 'No window with the title',
     3),
    ('a = newArray(2);\nb = 1;\nc = a[5];', "Index (5) out of 0-1 range", 3),
    ('open("/no/such/file.tif");', "File not found", 1),
    ('newImage("a", "8-bit", 9, 9, 1);\nopen("/no/such/file.tif");\nrun("Median...", "radius=2");',
     "File not found: /no/such/file.tif", 2),
    ('selectWindow("input");\nprint("went on");\nx = getTitle() + ;',
     'No window with the title "input" found', 1),
    ('function f(n) {\n  if (n > 2) return g();\n  return f(n + 1);\n}\nf(0);',
     "Undefined identifier", 2),
    ('print("1");\nf = File.open("/no/such/dir/x.txt");', "File open error", 2),
    ('call("java.lang.Integer.parseInt", "zz");', "NumberFormatException", 1),
]


@pytest.mark.parametrize(("code", "message", "line"), ERRORS)
def test_each_macro_error_kind_raises_with_message_and_line(fiji, code, message, line):
    started = time.monotonic()
    with pytest.raises(ijb.MacroError) as caught:
        fiji.run_macro(code)
    assert message in caught.value.message
    assert caught.value.line == line
    assert time.monotonic() - started < 10
    assert fiji.run_macro('newImage("ok", "8-bit", 4, 4, 1);').images.keys() == {"ok"}


def test_exit_without_message_is_a_normal_end(fiji):
    result = fiji.run_macro('newImage("a", "8-bit", 4, 4, 1);\nexit;\nprint("never");')
    assert list(result.images) == ["a"] and "never" not in result.log
    for code in ('{ print("done"); exit(); }', 'exit(); // bye', 'print("a"); exit();',
                 'x = 1; if (x == 0) exit("bad"); exit;'):
        fiji.run_macro(code)


def test_exit_with_a_message_ends_as_in_the_gui_and_is_an_error_in_batch_mode(fiji):
    code = 'newImage("a", "8-bit", 9, 9, 1);\nexit("my own message");\nprint("never");'
    result = fiji.run_macro(code, mode="gui")
    assert list(result.images) == ["a"] and "never" not in result.log
    assert result.messages == ["my own message"]
    with pytest.raises(ijb.MacroError, match="my own message") as caught:
        fiji.run_macro(code, mode="batch")
    assert caught.value.line == 2


def test_messages_are_answered_and_a_command_error_still_ends_the_run(fiji):
    result = fiji.run_macro('showMessage("Note", "one");\nshowMessage("two");\nprint("went on");',
                            mode="gui")
    assert result.messages == ["Note: one", "two"] and result.log == "went on"
    with pytest.raises(ijb.MacroError, match="Line or rectangular selection required") as caught:
        fiji.run_macro('newImage("a", "8-bit ramp", 9, 9, 1);\nrun("Plot Profile");\n'
                       'print("never");', mode="gui")
    assert caught.value.line == 2 and "never" not in caught.value.log


def test_nothing_runs_after_a_failed_open(fiji, tmp_path):
    out = tmp_path / "written.tif"
    with pytest.raises(ijb.MacroError, match="File not found"):
        fiji.run_macro(f'newImage("a", "8-bit", 9, 9, 1);\nopen("/no/such/file.tif");\n'
                       f'saveAs("Tiff", "{out}");')
    assert not out.exists()


def test_an_error_is_not_swallowed_after_a_function_failed_without_image(fiji):
    with pytest.raises(ijb.MacroError, match="no images open"):
        fiji.run_macro("w = getWidth();")
    with pytest.raises(ijb.MacroError, match="File not found"):
        fiji.run_macro('open("/no/such/file.tif");\nnewImage("after", "8-bit", 4, 4, 1);')


@pytest.mark.parametrize("code", ['call("java.lang.Thread.dumpStack");',
                                  'print("Macro Error: looks bad in line 7");',
                                  'print("java.lang.RuntimeException: in a string");'])
def test_error_look_alikes_are_not_errors(fiji, code):
    fiji.run_macro(code)


def test_timeout_stops_the_macro(fiji):
    started = time.monotonic()
    with pytest.raises(ijb.MacroTimeout, match="timeout of 1 s"):
        fiji.run_macro("i = 0;\nwhile (true) {\n  i++;\n}", timeout=1)
    assert time.monotonic() - started < 10
    assert fiji.run_macro('newImage("ok", "8-bit", 4, 4, 1);').images.keys() == {"ok"}


def test_command_looping_forever_is_stopped_after_the_timeout(fiji):
    """ImageJ 1.53t's sliding paraboloid never returns on this image; abort alone cannot stop it."""
    img = np.random.default_rng(0).uniform(0, 10, (4, 8, 9)).astype(np.float32)
    img[:, 0, 0] = np.nan
    for image, stack in ((img[0], ""), (img, " stack")):  # a stack runs in helper threads
        with pytest.raises(ijb.MacroTimeout, match="timeout of 2 s and was stopped"):
            fiji.run_macro(f'run("Subtract Background...", "rolling=5 sliding disable{stack}");',
                           inputs={"input": image}, timeout=2)
        threads = jpype.JClass("java.lang.Thread").getAllStackTraces()
        frames = [str(frame) for trace in threads.values() for frame in trace]
        assert not any("BackgroundSubtracter" in frame for frame in frames), stack
    img[:, 0, 0] = 1
    expected = reference.subtract_background(img, rolling=5, sliding=True)
    np.testing.assert_array_equal(
        fiji.subtract_background(img, rolling=5, sliding=True).values, expected)


def test_error_dialog_the_listener_misses_is_still_closed_and_reported(fiji):
    """The window sweep closes a dialog whose opening no AWT listener saw."""
    toolkit = jpype.JClass("java.awt.Toolkit").getDefaultToolkit()
    mask = jpype.JClass("java.awt.AWTEvent").WINDOW_EVENT_MASK
    # the engine's own listener, as Python holds it (with the package's security manager
    # installed, JPype cannot take its proxies back from Java's listener list)
    listener = fiji._runner._windows._listener
    toolkit.removeAWTEventListener(listener)
    try:
        started = time.monotonic()
        with pytest.raises(ijb.MacroError, match="Unrecognized command") as caught:
            fiji.run_macro('x = 1;\nrun("No such command");', timeout=60)
        assert caught.value.line == 2
        assert time.monotonic() - started < 10
    finally:
        toolkit.addAWTEventListener(listener, mask)


def test_missing_output_and_missing_macro_file(fiji):
    with pytest.raises(ijb.MacroError, match="'nope'"):
        fiji.run_macro('newImage("a", "8-bit", 4, 4, 1);', outputs=["nope"])
    with pytest.raises(FileNotFoundError, match="missing.ijm"):
        fiji.run_macro("missing.ijm")


def test_no_image_is_left_open_between_runs(fiji):
    for _ in range(5):
        fiji.run_macro('newImage("a", "8-bit", 4, 4, 1); newImage("b", "8-bit", 4, 4, 3);')
    check = fiji.run_macro("return d2s(nImages, 0);")
    assert check.returned == "0"


def test_shipped_macros_are_all_there():
    assert set(shipped_macros()) == {"median_background", "max_projection_background",
                                     "rolling_ball_background", "tophat_background"}


@pytest.mark.jvm  # the command starts the engine in this process
def test_cli_run_macro_and_lesson(tmp_path, spots_path):
    runner = CliRunner()
    res = runner.invoke(main, ["run", "--out", str(tmp_path / "run")])
    assert res.exit_code == 0, res.output
    fg = ijb.open_image(tmp_path / "run" / "foreground.tif")
    assert fg.dtype == np.float32 and fg.shape == (256, 256)
    res = runner.invoke(main, ["macro", str(shipped_macros()["median_background"]), "--input",
                               str(spots_path), "--arg", "radius=3", "--out", str(tmp_path / "m")])
    assert res.exit_code == 0, res.output
    assert "foreground" in res.output and (tmp_path / "m" / "background.tif").is_file()
    bad = tmp_path / "bad.ijm"
    bad.write_text('print("a");\nrun("Nope");\n')
    res = runner.invoke(main, ["macro", str(bad), "--out", str(tmp_path / "b")])
    assert res.exit_code == 1 and "line 2" in res.output and "Traceback" not in res.output
    res = runner.invoke(main, ["lesson", "--out", str(tmp_path / "l")])
    assert res.exit_code == 0, res.output
    assert len(list((tmp_path / "l").glob("*/foreground.tif"))) == 4


@pytest.mark.jvm
def test_cli_macro_output_names_are_safe_files(tmp_path):
    macro = tmp_path / "names.ijm"
    macro.write_text('newImage("a/b", "8-bit", 5, 5, 1);\nnewImage("a b", "8-bit", 5, 5, 1);\n'
                     'newImage("x.tif", "8-bit", 5, 5, 1);\nnewImage("x", "8-bit", 5, 5, 1);\n')
    res = CliRunner().invoke(main, ["macro", str(macro), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "a_b-2.tif", "a_b.tif", "x-2.tif", "x.tif"]
    res = CliRunner().invoke(main, ["lesson", "--out", str(tmp_path / "l"), "--image", str(macro)])
    assert res.exit_code == 1 and "Traceback" not in res.output
