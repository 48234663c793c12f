"""Preparing a user's macro: parameters, arguments, batch mode, named tables on headless Fiji."""

from __future__ import annotations

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
