"""Routing setBatchMode calls through one function, so that a headless run keeps what Fiji keeps."""

from __future__ import annotations

import pytest

from ij_bgcorr.macro.batchmode import FUNCTION, keep_displayed_images


@pytest.mark.parametrize(("code", "expected"), [
    ("setBatchMode(false);", f"{FUNCTION}(false);"),
    ('setBatchMode( "exit and display" );', f'{FUNCTION}( "exit and display" );'),
    ("if (x) setBatchMode(mode); else setBatchMode (true);",
     f"if (x) {FUNCTION}(mode); else {FUNCTION} (true);"),
    ('a=1;\nsetBatchMode(false);\nb=2;', f"a=1;\n{FUNCTION}(false);\nb=2;"),
    ('print("setBatchMode(false)"); setBatchMode(0); // setBatchMode(1)',
     f'print("setBatchMode(false)"); {FUNCTION}(0); // setBatchMode(1)'),
    ("/* setBatchMode(false);\n */ setBatchMode(1);",
     f"/* setBatchMode(false);\n */ {FUNCTION}(1);"),
])
def test_calls_are_renamed_strings_and_comments_are_not(code, expected):
    prepared = keep_displayed_images(code)
    assert prepared.endswith(expected)
    assert prepared.startswith(f"function {FUNCTION}(")
    assert prepared.count("\n") == code.count("\n")  # line numbers do not change


def test_a_macro_without_the_call_is_unchanged():
    code = 'print("setBatchMode(true)");\nx = 1; // setBatchMode(false)\n'
    assert keep_displayed_images(code) == code
