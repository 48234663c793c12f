"""Rewriting setBatchMode("exit and display") so that a headless run keeps every image."""

from __future__ import annotations

import pytest

from ij_bgcorr.macro.batchmode import keep_displayed_images


@pytest.mark.parametrize(("code", "expected"), [
    ('setBatchMode("exit and display");', "setBatchMode(true);"),
    ('setBatchMode( "Exit And Display" ) ;', "setBatchMode(true) ;"),
    ('setBatchMode("show");', 'setBatchMode("show");'),
    ('setBatchMode("HIDE");', 'setBatchMode("HIDE");'),
    ("setBatchMode(false);", "setBatchMode(false);"),
    ('print("setBatchMode(\\"exit and display\\")");',
     'print("setBatchMode(\\"exit and display\\")");'),
    ('x=1; // setBatchMode("exit and display");', 'x=1; // setBatchMode("exit and display");'),
    ('a=1;\nsetBatchMode("exit and display");\nb=2;', "a=1;\nsetBatchMode(true);\nb=2;"),
])
def test_only_real_calls_are_rewritten(code, expected):
    assert keep_displayed_images(code) == expected
