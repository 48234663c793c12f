"""Telling a failed macro run from its evidence, without Java."""

from __future__ import annotations

import pytest

from ij_bgcorr.macro.failures import RunEvidence, asks_a_person, macro_error


def test_error_classification_from_recorded_evidence():
    from ij_bgcorr.macro.failures import RunEvidence, macro_error

    code = 'print("1");\nf = File.open("/x");\nexit;'
    fiji_printed = RunEvidence(code, 2, errors=[
        (2, 'Macro Error: File open error "/x (No such file or directory)"'),
        (2, "in line 2"), (2, " "), (2, 'f = File . open ( "/x" <)> ; ')])
    error = macro_error(fiji_printed)
    assert (error.message, error.line) == ('File open error "/x (No such file or directory)"', 2)
    dialog = RunEvidence(code, 2, dialogs=[("Macro Error", [
        'File open error "/x" in line 2\nf = File . open ( "/x" <)> ;', "OK"])])
    assert macro_error(dialog).message == 'File open error "/x"'
    clean = RunEvidence(code, 3, printed=[(1, "1")], exception=("JException", "Macro canceled"))
    assert macro_error(clean) is None
    spoof = RunEvidence('print("Macro Error: x in line 7");', 1,
                        printed=[(1, "Macro Error: x in line 7")])
    assert macro_error(spoof) is None
    trace = RunEvidence("call(...);", 1, errors=[
        (1, "java.lang.reflect.InvocationTargetException"), (1, "\tat x.y(Z.java:1)"),
        (1, "Caused by: java.lang.NumberFormatException: zz"), (1, "\t... 3 more")])
    assert macro_error(trace).message == "java.lang.NumberFormatException: zz"
    traceless = RunEvidence("run(...);", 1, printed=[
        (1, "java.lang.ArrayIndexOutOfBoundsException"), (1, "")])
    assert macro_error(traceless).message == "java.lang.ArrayIndexOutOfBoundsException"
    named = RunEvidence("print(...);", 1, printed=[
        (1, "java.lang.ArrayIndexOutOfBoundsException"), (1, "is what it threw")])
    assert macro_error(named) is None
    canceled = RunEvidence('open("/x");', 1, printed=[(1, "File not found: "), (1, "/x")],
                           exception=("JException", "Macro canceled"))
    assert macro_error(canceled).message == "File not found: /x"


CANCELED = ("JException", "Macro canceled")


def test_a_gui_run_tells_an_abort_from_exit_by_imagejs_flag():
    shown = [("Plot Profile", ["Line or rectangular selection required", "OK"])]
    aborted = RunEvidence('print("a");\nrun("Plot Profile");', 2, messages=shown,
                          aborted=True, exception=CANCELED)
    error = macro_error(aborted)
    assert (error.message, error.line) == (
        "Plot Profile: Line or rectangular selection required", 2)
    exited = RunEvidence('print("a");\nexit("done early");', 2,
                         messages=[("Macro", ["done early", "OK"])], aborted=False,
                         exception=CANCELED)
    assert macro_error(exited) is None


def test_a_batch_run_with_an_exit_message_shown_in_a_dialog_is_an_error():
    code = 'x = 1; if (x == 0) exit("bad");\nexit("stop here");'
    shown = RunEvidence(code, 2, messages=[("Macro", ["stop here", "OK"])], exception=CANCELED)
    assert macro_error(shown).message == "stop here"
    bare = RunEvidence('x = 1; if (x == 0) exit("bad"); exit;', 1, exception=CANCELED)
    assert macro_error(bare) is None


@pytest.mark.parametrize(("statement", "call"), [
    ('waitForUser("x");', "waitForUser"),
    ('Dialog.create("d"); Dialog.addNumber("n", 1); Dialog.show();', "Dialog.show"),
    ('Dialog.create("d");', "Dialog.create"),
    ('print("waitForUser(");', None),
    ('x = 1; // getBoolean("q")', None),
    ('d = getDirectory("Choose");', "getDirectory"),
    ("n = getNumber('n', 3);", "getNumber"),
])
def test_the_call_that_waits_for_a_person_is_named(statement, call):
    assert asks_a_person(statement) == call


def test_a_dialog_at_a_person_call_becomes_an_error_naming_it():
    run = RunEvidence(code='print("a");\nb = getBoolean("Go on?");\nprint("c");', last_line=3,
                      dialogs=[("Go on?", ["Go on?", "Yes", "No", "Cancel"])], dialog_line=2)
    error = macro_error(run)
    assert error is not None and error.line == 2
    assert error.message.startswith("getBoolean() waits for a person")
    headless = RunEvidence(code='x = 1;\nwaitForUser("w");', last_line=2,
                           exception=("HeadlessException", "None"))
    assert macro_error(headless).message.startswith("waitForUser() waits for a person")


@pytest.mark.parametrize(("statement", "call"), [
    ("waitForUser;", "waitForUser"), ("open();", "open"), ('open("/x.tif");', None),
    ('f = File.saveDialog("f");', None)])
def test_calls_without_arguments_and_calls_that_do_not_ask(statement, call):
    assert asks_a_person(statement) == call


def test_another_error_on_a_line_with_a_dialog_call_keeps_its_own_message():
    code = 'dir = getDirectory("home"); x = undefinedVar;'
    run = RunEvidence(code=code, last_line=1, dialogs=[
        ("Macro Error", ["Undefined variable in line 1", "dir = ... <undefinedVar> ;", "OK"])])
    assert macro_error(run).message == "Undefined variable"
