"""Preparing a user's macro: parameters, arguments, batch mode, named tables on headless Fiji."""

from __future__ import annotations

import re

import pytest

from ij_bgcorr.errors import MacroError, ParameterError
from ij_bgcorr.macro.prepare import prepare_macro


def test_a_byte_order_mark_is_dropped_and_parameters_still_read():
    prepared = prepare_macro("\ufeff#@ Integer r\r\nprint(r);\r\n", {"r": 2}, headless=False)
    assert prepared.code.startswith("var r = 2; ") and "\ufeff" not in prepared.code


def test_a_parameter_named_like_a_macro_function_is_refused():
    with pytest.raises(ParameterError, match="'f' \\(line 1\\) has the name of a function"):
        prepare_macro("#@ Integer f\nfunction f() { return 2; }\nprint(f());", {"f": 1},
                      headless=False)


@pytest.mark.parametrize("code", [
    '/* Table.create("x") */ print(1);', 's = "Array.show(\\"q\\")"; print(s);',
    '// Table.create("T")\nprint(1);', 'Table.create("Results");\nsetResult("a", 0, 1);'])
def test_named_tables_in_strings_and_comments_are_no_tables(code):
    assert prepare_macro(code, None, headless=True).code == code


def test_a_named_table_on_headless_fiji_is_refused_at_its_line():
    with pytest.raises(MacroError, match=r"^Array\.show\(\) makes a table") as err:
        prepare_macro('/* a\n b */ x = 1;\n  Array.show("q", newArray(1));', None, headless=True)
    assert err.value.line == 3
    code = 'Table.create("T");'
    assert prepare_macro(code, None, headless=False).code == code


@pytest.mark.parametrize(("code", "shown", "line"), [
    ('s = 1.5;\nrun("Gaussian Blur...", "sigma=&s");', "'sigma=&s' gives an &variable", 2),
    ('run("Convolve...", "text1=[0 -1 0\\n-1 4 -1\\n0 -1 0\\n] normalize");',
     "'text1=[...]' gives a multi-line text field", 1),
])
def test_what_headless_fiji_would_misread_is_refused_there_only(code, shown, line):
    with pytest.raises(MacroError, match=re.escape(shown)) as err:
        prepare_macro(code, None, headless=True)
    assert err.value.line == line
    assert prepare_macro(code, None, headless=False, gui=True).code == code
    # an ampersand that is no option, and a kernel on one line, are fine
    for fine in ('print("a & b = &c");', 'run("Convolve...", "text1=[0 1 0] normalize");'):
        assert prepare_macro(fine, None, headless=True).code == fine
