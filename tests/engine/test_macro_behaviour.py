"""A macro written in the Fiji GUI gives the same outcome on both engines.

Results, tables, dialogs that wait for a person, leaving batch mode, script
parameters and arguments. Every test runs on the engine chosen by ``--engine``;
the suite runs once per engine. Expected values come from numpy on the
macro's own pixels, or from the values the test passes in.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from ij_bgcorr.errors import CommandError, MacroError, ParameterError

RAMP = 'newImage("ramp", "8-bit ramp", 64, 48, 1);\n'


def test_measure_rows_accumulate_and_each_run_starts_empty(fiji):
    code = (RAMP + 'run("Measure");\nmakeRectangle(3, 5, 10, 7);\nrun("Measure");\n'
            'makeRectangle(40, 0, 9, 9);\nrun("Measure");\nprint("rows " + nResults);')
    result = fiji.run_macro(code)
    pixels = result["ramp"].values.astype(np.float64)
    regions = [pixels, pixels[5:12, 3:13], pixels[0:9, 40:49]]
    assert result.results["Area"].tolist() == [r.size for r in regions]
    # exact doubles, not the 3-decimal text ImageJ shows
    assert result.results["Mean"].tolist() == pytest.approx([r.mean() for r in regions],
                                                            rel=1e-12, abs=0)
    assert result.log == "rows 3"  # the rows go to the table, not to the Log
    assert fiji.run_macro('print("x");').results.empty


def test_measure_after_clear_results_still_accumulates(fiji):
    code = (RAMP + 'run("Measure");\nrun("Clear Results");\nrun("Measure");\n'
            'makeRectangle(0, 0, 4, 4);\nrun("Measure");')
    assert fiji.run_macro(code).results["Area"].tolist() == [64 * 48, 16]


TABLES = ('Table.create("Spots");\nTable.set("x", 0, 1/3);\nTable.set("x", 1, 2.5);\n'
          'Table.set("name", 0, "first");\nTable.set("name", 1, "second");\nTable.update;\n'
          'Array.show("arr", newArray(4, 5, 6));\n')


def test_named_tables_come_back_by_name(fiji):
    # in the GUI, tables live in their windows, on both engines
    result = fiji.run_macro(TABLES)
    assert set(result.tables) == {"Spots", "arr"}
    spots = result.tables["Spots"]
    assert spots["x"].tolist() == [1 / 3, 2.5] and spots["name"].tolist() == ["first", "second"]
    assert result.tables["arr"].iloc[:, -1].tolist() == [4, 5, 6]
    assert result.results.empty
    assert fiji.run_macro('print("x");').tables == {}


def test_results_named_table_is_the_results_table(fiji):
    result = fiji.run_macro('Table.create("Results");\nsetResult("v", 0, 7);\nupdateResults();')
    assert result.results["v"].tolist() == [7] and result.tables == {}


PERSON = {
    "waitForUser": 'waitForUser("Draw a region");',
    "getBoolean": 'b = getBoolean("Go on?");',
    "getNumber": 'n = getNumber("Radius", 3);',
    "getString": 's = getString("Title", "x");',
    "Dialog.show": 'Dialog.create("Options"); Dialog.addNumber("n", 3); Dialog.show();',
    "getDirectory": 'd = getDirectory("Choose a folder");',
    "File.openDialog": 'p = File.openDialog("Pick a file");',
    "showMessageWithCancel": 'showMessageWithCancel("Title", "Continue?");',
}


@pytest.mark.parametrize("call", list(PERSON))
def test_a_call_waiting_for_a_person_fails_at_once_naming_it(fiji, call):
    code = f'print("before");\n{PERSON[call]}\nprint("after");\n'
    start = time.monotonic()
    with pytest.raises(MacroError, match=rf"^{call.replace('.', '[.]')}\(\) waits for a person"
                                         ) as err:
        fiji.run_macro(code, timeout=60)
    assert time.monotonic() - start < 10  # not the timeout
    assert err.value.line == 2 and "after" not in err.value.log
    assert fiji.run_macro('print("still usable");').log == "still usable"


def test_show_message_is_printed_and_the_macro_goes_on(fiji):
    assert fiji.run_macro('showMessage("Note", "hello");\nprint("after");').log.endswith("after")


def test_a_command_without_options_takes_its_defaults_in_batch_mode(fiji):
    # headless Fiji's behaviour: the dialog is filled with its defaults, nobody is asked
    result = fiji.run_macro(RAMP + 'run("Invert");\nrun("Add...");\nprint("done");',
                            mode="batch")
    assert result.log == "done" and result["ramp"].shape == (48, 64)
    assert result.mode == "batch"


def test_a_command_without_options_shows_its_dialog_in_the_gui(fiji):
    # as in the Fiji GUI: run("Add...") opens its dialog, which waits for a person
    lines = RAMP.count("\n")
    with pytest.raises(MacroError, match=r'run\("Add\.\.\."\) gives no options') as err:
        fiji.run_macro(RAMP + 'run("Invert");\nrun("Add...");\nprint("done");')
    assert err.value.line == lines + 2 and "done" not in err.value.log


@pytest.mark.parametrize(("ending", "kept"), [
    ("setBatchMode(false);", ["a"]),
    ('setBatchMode("exit and display");', ["a", "b"]),
    ('mode = "exit and display"; setBatchMode(mode);', ["a", "b"]),
    ('setBatchMode("show");', ["a", "b"]),
    ("setBatchMode(false); close(\"a\");", []),
    ("setBatchMode(false); newImage(\"c\", \"8-bit\", 2, 2, 1);", ["a", "c"]),
    ("setBatchMode(false); setBatchMode(true); newImage(\"c\", \"8-bit\", 2, 2, 1); "
     "setBatchMode(false);", ["c"]),
    ('setBatchMode(false); run("Close All");', []),
])
def test_leaving_batch_mode_keeps_what_fiji_shows(fiji, ending, kept):
    # what headless Fiji (and the Fiji GUI's windows) keeps: the active image after
    # setBatchMode(false), every image after "exit and display", images made afterwards
    code = ('setBatchMode(true);\nnewImage("a", "8-bit ramp", 16, 8, 1);\n'
            f'newImage("b", "8-bit black", 4, 4, 1);\nselectImage("a");\n{ending}\n'
            'print(is("Batch Mode"));')
    result = fiji.run_macro(code, mode="batch")
    assert sorted(result.images) == kept and result.log == "1"
    if "a" in kept:
        assert result["a"].shape == (8, 16) and result["a"].values.max() > 0


@pytest.mark.parametrize("ending", ["exit();", "exit;", "{ print(\"done\"); exit(); }",
                                    "exit(); // the end", "if (true) { exit(); }"])
def test_a_clean_exit_anywhere_is_a_clean_end(fiji, ending):
    result = fiji.run_macro(f'newImage("a", "8-bit", 4, 4, 1);\n{ending}\nprint("not reached");')
    assert "not reached" not in result.log and list(result.images) == ["a"]


def test_a_str_naming_a_file_is_run_as_that_file(fiji, tmp_path):
    path = tmp_path / "my macro (copy).ijm"
    path.write_text('print("from the file " + getArgument());\n', encoding="utf-8")
    assert fiji.run_macro(str(path), args={"k": 1}).log == "from the file k=1"


VALUES = ["two words", "a]b c", "[", "x=y z", "it's", 'say "hi"', "C:\\dir\\f.tif", "ünï [c]"]


def test_numeric_arguments_read_back_with_parse_float(fiji):
    # the macro compares with doubles it computes itself
    code = ('v = newArray(1/0, -1/8, 602 * pow(10, 21));\n'
            'for (i = 0; i < 3; i++) { x = parseFloat(call("ij.Macro.getValue", getArgument(), '
            '"v" + i, "")); if (x == v[i]) print("1"); else print(x); }')
    args = {"v0": float("inf"), "v1": -0.125, "v2": 6.02e23}
    assert fiji.run_macro(code, args=args).log.split("\n") == ["1", "1", "1"]


def test_argument_values_reach_the_macro_intact(fiji):
    args = {f"v{k}": value for k, value in enumerate(VALUES)}
    code = ('keys = split("' + " ".join(args) + '", " ");\n'
            'for (i = 0; i < keys.length; i++) '
            'print(call("ij.Macro.getValue", getArgument(), keys[i], "<none>"));')
    assert fiji.run_macro(code, args=args).log.split("\n") == VALUES


PARAMS = """#@ Integer radius
#@ Double (value=0.1) sigma
#@ String title
#@ Boolean (value=true) verbose
#@ File folder
#@ String (choices={"Mean", "Median"}) method
function show() { return "" + radius + "|" + d2s(sigma, 9) + "|" + title; }
print(show());
print(verbose + "|" + folder + "|" + method + "|" + (sigma == 0.1));
"""


def test_script_parameters_are_filled_from_args(fiji, tmp_path):
    args = {"radius": 7, "title": 'a "quoted" [title]', "folder": tmp_path, "method": "Median"}
    lines = fiji.run_macro(PARAMS, args=args).log.split("\n")
    assert lines == ['7|0.100000000|a "quoted" [title]', f"1|{tmp_path}|Median|1"]


@pytest.mark.parametrize(("value", "expression"), [
    (1 / 3, "1 / 3"), (1e-20, "1 / pow(10, 20)"), (6.02214076e23, "602214076 * pow(10, 15)"),
    (-2.5, "-5 / 2"), (2**53, "pow(2, 53)"), (math.inf, "1 / 0"),
    # 17 digits ImageJ's number tokenizer would read one bit off
    (472.24524357611665, "parseFloat(\"472.24524357611665\")"), (-0.0, "-0")])
def test_script_parameter_values_keep_every_digit(fiji, value, expression):
    # the macro computes the same double itself, independently of how it was written
    code = f"#@ Double x\nif (x == {expression}) print(\"1\"); else print(x);"
    assert fiji.run_macro(code, args={"x": value}).log == "1"


@pytest.mark.parametrize(("args", "message"), [
    ({}, r"'radius'.*no value"),
    ({"radius": 2.5, "title": "t", "folder": "f", "method": "Mean"}, r"'radius'"),
    ({"radius": "abc", "title": "t", "folder": "f", "method": "Mean"}, r"'radius'"),
    ({"radius": 1, "title": "t", "folder": "f", "method": "Max"}, r"'method'.*Mean.*Median"),
    ({"radius": 1, "title": "t", "folder": "f", "method": "Mean", "verbose": "maybe"},
     r"'verbose'"),
])
def test_script_parameter_errors_name_the_parameter(fiji, args, message):
    with pytest.raises(ParameterError, match=message):
        fiji.run_macro(PARAMS, args=args)


def test_errors_name_the_users_line_after_parameters(fiji):
    with pytest.raises(MacroError) as err:
        fiji.run_macro("#@ Integer radius\nx = 1;\ny = undefinedVariable;\n", args={"radius": 1})
    assert err.value.line == 3 and err.value.code_line == "y = undefinedVariable;"


def test_no_timeout_means_no_limit(fiji):
    assert fiji.run_macro('wait(50); print("ok");', timeout=None).log == "ok"


def test_output_parameters_come_back(fiji):
    code = ("#@output String greeting\n#@output Double area\n#@output unset\n"
            "#@ Integer n\ngreeting = \"hi \" + n;\narea = n / 4;\n")
    # an output the macro never set holds ImageJ's value of a declared variable, 0
    assert fiji.run_macro(code, args={"n": 5}).outputs == {
        "greeting": "hi 5", "area": 1.25, "unset": 0}


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), "5", True])
def test_a_bad_timeout_is_refused_before_the_macro_runs(fiji, timeout):
    with pytest.raises(CommandError, match="timeout must be a number of seconds > 0, or None"):
        fiji.run_macro('print("ran");', timeout=timeout)


def test_the_log_obeys_clear_and_update_as_the_log_window_does(fiji):
    code = 'print("\\\\Clear");\nprint("old");\nprint("\\\\Clear");\nprint("a");\nprint("b");\n' \
           'print("\\\\Update:c");'
    assert fiji.run_macro(code).log == "a\nc"


def test_table_cells_given_as_text_keep_their_values(fiji):
    code = ('setResult("m", 0, "1.5");\nsetResult("m", 1, 2);\nsetResult("s", 0, "abc");\n'
            'setResult("s", 1, 5);\nupdateResults();')
    results = fiji.run_macro(code).results
    assert results["m"].tolist() == [1.5, 2.0] and results["m"].dtype == np.float64
    assert results["s"].tolist() == ["abc", 5.0]


def test_array_show_with_indexes(fiji):
    code = 'Array.show("t (indexes)", newArray(4, 5, 6));'
    table = fiji.run_macro(code).tables["t"]
    assert table["Index"].tolist() == [0, 1, 2] and table["Value"].tolist() == [4, 5, 6]


def test_results_are_named_by_their_title_unless_the_input_has_a_name(fiji):
    assert fiji.run_macro('newImage("a b", "8-bit", 4, 4, 1);')["a b"].name == "a b"
    plain = fiji.median(np.ones((8, 8), np.uint8), 1, title="smooth")
    assert plain.name == "smooth" == plain.attrs["title"]
    import xarray as xr

    named = xr.DataArray(np.ones((8, 8), np.uint8), dims=("row", "col"), name="cells")
    assert fiji.median(named, 1).name == "cells"  # the input's name is kept
