"""Macro arguments as ImageJ options strings, and telling a macro path from macro text."""

from __future__ import annotations

import pytest

from ij_bgcorr.errors import CommandError
from ij_bgcorr.macro.files import argument_string, read_macro
from ij_bgcorr.macro.text import option_of, option_value

AWKWARD = ["", "plain", "two words", "a]b c", "[", "]", "[a [b] c]", "x=y z", "it's",
           "it's [x]", 'say "hi"', "tab\there", "C:\\dir\\f.tif", "ünïcode wörds"]


@pytest.mark.parametrize("text", AWKWARD)
def test_every_value_is_read_back_by_its_key(text):
    options = f"first=1 key={option_value(text)} last=2"
    assert option_of(options, "key") == text
    assert option_of(options, "first") == "1" and option_of(options, "last") == "2"


@pytest.mark.parametrize(("text", "written"), [
    ("plain", "plain"), ("two words", "[two words]"), ("", "[]"), ("a]b c", "'a]b c'"),
    ("[", "'['"), ("[a] b", "[[a] b]")])
def test_the_shortest_form_is_written(text, written):
    assert option_value(text) == written


def test_a_value_no_form_can_hold_is_refused():
    with pytest.raises(CommandError, match="unbalanced brackets and a single quote"):
        option_value("it's ]")


def test_option_of_reads_as_imagej_does():
    # a key inside a longer word is not the key; a bare value ends at a space
    assert option_of("xradius=3 radius=5", "radius") == "5"
    assert option_of("2radius=3 radius=5", "radius") == "3"
    assert option_of("radius=[unclosed", "radius") is None
    assert option_of("a=1", "b") is None


def test_arguments_string_and_refusals():
    assert argument_string({"radius": 15, "title": "a b", "stack": True, "off": False}) == \
        "radius=15 title=[a b] stack"
    with pytest.raises(CommandError, match="'radius'.*would read '5]'"):
        argument_string({"title": "a radius=5", "radius": 3})
    with pytest.raises(CommandError, match="'bad key'"):
        argument_string({"bad key": 1})
    with pytest.raises(CommandError, match="'q'"):
        argument_string({"q": "it's ]"})


def test_a_str_naming_a_file_is_a_path_even_with_parentheses(tmp_path):
    path = tmp_path / "my macro (copy); v2.ijm"
    path.write_text('print("from file");\n', encoding="utf-8")
    code, where = read_macro(str(path))
    assert code == 'print("from file");\n' and where == path.resolve()
    code, where = read_macro('print("text");')
    assert where is None and code == 'print("text");'
    with pytest.raises(FileNotFoundError):
        read_macro(str(tmp_path / "missing.ijm"))


def test_keys_are_read_in_lower_case_as_imagej_reads_them():
    assert option_of("radius=3", "Radius") == "3"  # Macro.getValue lower-cases the key
    assert option_of("Radius=3", "Radius") is None  # so an upper-case key is never found
    with pytest.raises(CommandError, match="lower-case words.*got 'K'"):
        argument_string({"K": "v"})
    with pytest.raises(CommandError, match="'x' is None"):
        argument_string({"x": None})


def test_numbers_are_written_as_java_reads_them():
    assert argument_string({"a": float("inf"), "b": float("-inf"), "c": float("nan"),
                            "d": 0.1, "e": 7}) == "a=Infinity b=-Infinity c=NaN d=0.1 e=7"
