"""Fiji's script parameters (#@ lines) read and filled from Python, without Java."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np
import pytest

from ij_bgcorr.errors import ParameterError
from ij_bgcorr.macro.parameters import (
    _tokenizer_number,
    declared_outputs,
    fill_parameters,
    parse_parameters,
)


def one(line: str):
    params, _ = parse_parameters(line)
    assert len(params) == 1
    return params[0]


def head(p) -> tuple:
    return (p.name, p.kind, p.type_name, p.io)


DECLARED = re.compile(r'(\w+)(?: = ("(?:\\.|[^"\\])*"|parseFloat\("[^"]*"\)|[^,;"]+))?(, |; )')


def assigned(code: str, **args: object) -> dict[str, str]:
    """The values given in the generated ``var`` declaration on line 1, by variable name."""
    filled, _ = fill_parameters(code, args)
    assert filled.startswith("var ")
    values, at = {}, len("var ")
    while True:
        match = DECLARED.match(filled, at)
        assert match is not None, filled
        if match[2] is not None:
            values[match[1]] = match[2]
        at = match.end()
        if match[3] == "; ":
            return values


def fails(code: str, args: dict | None, *words: str) -> str:
    with pytest.raises(ParameterError) as info:
        fill_parameters(code, args)
    message = str(info.value)
    assert all(word in message for word in words), message
    return message


def test_new_style_io_types_and_attributes():
    p = one("#@ Double (value=1.5, min=0, max=10) sigma")
    assert (p.name, p.kind, p.type_name, p.io, p.line) == ("sigma", "real", "Double", "input", 1)
    assert (p.default, p.minimum, p.maximum, p.required) == (1.5, 0.0, 10.0, True)
    assert head(one("#@output String result")) == ("result", "text", "String", "output")
    assert one("#@INPUT Integer x").io == "input"
    assert one("#@both boolean flag").io == "both"
    assert head(one("#@output thing")) == ("thing", "object", "Object", "output")
    assert one("#@ Integer(type=OUTPUT) n").io == "output"
    assert one("#@input(persist=false) int n").attrs == {"persist": False}
    assert one("#@ Integer radius // trailing words are ignored").name == "radius"
    assert one("#@ long n").kind == "integer" and one("#@ Character c").kind == "text"
    assert one("#@ File (style=\"directory\") folder").kind == "file"


def test_attribute_values():
    p = one('#@ String (label="a, (b) {c}", Choices={"Mean","Med\\"ian"}, '
            "description='ver\\bat,im', style=listBox, COLUMNS=3, stepSize=0.5) m")
    assert p.attrs == {"label": "a, (b) {c}", "choices": ("Mean", 'Med"ian'),
                       "description": "ver\\bat,im", "style": "listBox", "columns": 3,
                       "stepsize": 0.5}
    assert p.choices == ("Mean", 'Med"ian')
    assert one("#@ Integer (choices={1, 2, 3}) n").choices == (1, 2, 3)
    assert one("#@ Double (min=-1e3) x").minimum == -1000.0
    assert one('#@ String (value="tab\\there") s').default == "tab\there"
    for bad in ['#@ String (label="x" radius', "#@ String (label=) s", '#@ String (x="1" y=2) s',
                "#@ String (choices={1 2}) s", "#@ String (a=%) s", "#@ Integer", "#@",
                "#@output String r extra", "#@ Integer (type=SIDEWAYS) n"]:
        fails(bad, {}, "line 1", "cannot be read")


def test_old_style_only_in_the_header():
    code = ("// @Integer a\n/*\n * @author Jane\n */\n\n// @String(label=\"x\") b\n"
            "run(\"Blobs (25K)\");\n// @Integer notAParameter\n#@ Integer c\n")
    params, emptied = parse_parameters(code)
    assert [(p.name, p.line) for p in params] == [("a", 1), ("b", 6), ("c", 9)]
    lines = emptied.split("\n")
    assert lines[0] == lines[5] == lines[8] == ""
    assert lines[2] == " * @author Jane" and lines[7] == "// @Integer notAParameter"
    assert parse_parameters("x = 1;\n// @Integer y\n")[0] == []
    assert parse_parameters("// #@ Integer commented\n")[0] == []


def test_line_numbers_are_kept():
    code = ('print("one");\n/*\r\n#@ Integer (value=1) inComment\r\n*/\n#@ Integer n\rprint(n);\n'
            "#@output Double r\nr = n / 2; // last line, no newline")
    filled, _ = fill_parameters(code, {"n": 4})
    lines, user = filled.splitlines(), code.splitlines()
    assert lines[0] == 'var inComment = 1, n = 4, r; print("one");'
    assert lines[2] == lines[4] == lines[6] == ""
    assert [lines[k] for k in (1, 3, 5, 7)] == [user[k] for k in (1, 3, 5, 7)]
    assert len(lines) == len(user)  # nothing after the user's last line
    assert filled.count("\r\n") == 2 and "\rprint(n)" in filled


def test_exact_generated_code():
    code = "#@ Integer radius\n#@ String title\nprint(title, radius);\n"
    filled, rest = fill_parameters(code, {"radius": 3, "title": "blobs", "other": 1})
    assert filled == 'var radius = 3, title = "blobs"; \n\nprint(title, radius);\n'
    assert rest == {"other": 1}
    assert fill_parameters("#@output String r\nr = 1;", {}) == ("var r; \nr = 1;", {})
    assert fill_parameters("#@ Integer (required=false) n\n", None)[0] == "var n; \n"
    assert fill_parameters("#@output Integer (value=3) r\n", {})[0] == "var r; \n"


def test_code_without_parameters_is_unchanged():
    code = 'print(getArgument());\n// @Integer late\n'
    assert fill_parameters("x=1;\n" + code, {"a": 1}) == ("x=1;\n" + code, {"a": 1})
    assert fill_parameters("", None) == ("", {})


def test_integer_conversion():
    code = "#@ Integer radius\n"
    for value, text in [(3, "3"), (np.int64(-7), "-7"), (4.0, "4"), ("12", "12"),
                        (" 5 ", "5"), (2**31 - 1, "2147483647")]:
        assert assigned(code, radius=value) == {"radius": text}
    for value in [True, np.bool_(False), 2.7, "abc", "3.0", "1_000", math.inf, None, [3]]:
        fails(code, {"radius": value}, "'radius'", "#@ Integer", "line 1", repr(value))
    fails(code, {"radius": 2**31}, "-2147483648..2147483647")
    fails("#@ byte b\n", {"b": 128}, "-128..127")
    assert assigned("#@ long n\n", n=2**53) == {"n": str(2**53)}
    fails("#@ long n\n", {"n": 2**53 + 1}, "2**53")


def test_real_boolean_text_and_file_conversion(tmp_path: Path):
    assert assigned("#@ double x\n", x="2.5") == {"x": "2.5"}
    assert assigned("#@ double x\n", x=np.float32(0.5)) == {"x": "0.5"}
    assert assigned("#@ Float x\n", x=3) == {"x": "3"}
    assert assigned("#@ double x\n", x="-inf") == {"x": "-1/0"}
    for bad in [True, "2,5", "abc", "", None, 1j]:
        fails("#@ double x\n", {"x": bad}, "'x'", "#@ double", "line 1")
    for value, text in [(True, "true"), (np.bool_(False), "false"), ("TRUE", "true"),
                        ("false", "false")]:
        assert assigned("#@ Boolean b\n", b=value) == {"b": text}
    for bad in [1, 0, "yes", None]:
        fails("#@ Boolean b\n", {"b": bad}, "'b'", "#@ Boolean")
    assert assigned("#@ String s\n", s=2.5) == {"s": '"2.5"'}
    assert assigned("#@ String s\n", s=7) == {"s": '"7"'}
    fails("#@ String s\n", {"s": True}, "'s'")
    fails("#@ String s\n", {"s": Path("x")}, "'s'")
    fails("#@ char c\n", {"c": "ab"}, "single character")
    assert assigned("#@ File f\n", f=tmp_path) == {"f": f'"{tmp_path}"'}
    relative = assigned("#@ File f\n", f="data/x.tif")["f"]
    assert relative == '"' + os.path.abspath("data/x.tif") + '"' and os.path.isabs(relative[1:-1])
    for bad in [3, "", None]:
        fails("#@ File f\n", {"f": bad}, "'f'", "#@ File")


def test_string_escaping():
    text = 'say "hi" \\ then\nnext\ttab\r[a]=b\x01\x7f é'
    written = assigned("#@ String s\n", s=text)["s"]
    assert written == '"say \\"hi\\" \\\\ then\\nnext\\ttab\\r[a]=b\\001\\177 é"'
    assert "\n" not in written and "\r" not in written and "\t" not in written


@pytest.mark.parametrize("value", [0.1, 2.5, -2.5, 1e-20, 1e300, 5e-324, 123456789.123,
                                   0.30000000000000004, 472.24524357611665, -0.0, 0.0, 3.0])
def test_floats_read_back_exactly(value: float):
    text = assigned("#@ double x\n", x=value)["x"]
    quoted = re.fullmatch(r'parseFloat\("(.*)"\)', text)
    if quoted:  # Java's Double.parseDouble rounds correctly, as Python's float() does
        number = float(quoted.group(1))
    else:
        assert re.fullmatch(r"-?\d+(\.\d+)?", text), text
        number = -_tokenizer_number(text[1:]) if text[0] == "-" else _tokenizer_number(text)
        assert number == float(text)
    assert number == value and math.copysign(1, number) == math.copysign(1, value)


def test_float_forms():
    values = {"a": 0.1, "b": 1e-20, "c": float("nan"), "d": float("inf"), "e": -float("inf"),
              "f": 472.24524357611665, "g": 3.0, "h": -0.0}
    code = "".join(f"#@ Double {name}\n" for name in values)
    assert assigned(code, **values) == {
        "a": "0.1", "b": 'parseFloat("1e-20")', "c": "NaN", "d": "1/0", "e": "-1/0",
        "f": 'parseFloat("472.24524357611665")', "g": "3", "h": 'parseFloat("-0.0")'}


def test_tokenizer_number_matches_java():
    # java.io.StreamTokenizer's own results, from the JDK
    assert _tokenizer_number("472.24524357611665") == 472.2452435761167
    assert _tokenizer_number("9.204938554384977") == 9.204938554384976
    assert _tokenizer_number("969.0406502940995") == 969.0406502940996
    assert _tokenizer_number("0.1") == 0.1 and _tokenizer_number("25") == 25.0


def test_defaults_bounds_choices_and_required():
    code = ("#@ Integer (value=5, min=1, max=10) n\n#@ String (choices={'Mean','Median'}) m\n"
            "#@ Boolean (value=false) v\n#@ String (required=false) label\n"
            "#@ String (visibility=MESSAGE, value=\"Hello\") msg\n#@ Double (min=0) sigma\n")
    assert assigned(code, m="Mean", sigma=1) == {
        "n": "5", "m": '"Mean"', "v": "false", "msg": '"Hello"', "sigma": "1"}
    assert assigned(code, n="10", m="Median", v="True", label="t", sigma=0)["n"] == "10"
    fails(code, {"m": "Mean"}, "'sigma' (#@ Double, line 6) has no value",
          "pass args={'sigma': ...}")
    fails(code, {"sigma": 1}, "'m' (#@ String, line 2) has no value")
    fails(code, {"m": "Mean", "sigma": 1, "n": 11}, "'n'", "line 1", "min=1, max=10", "11")
    fails(code, {"m": "Mean", "sigma": -0.5}, "'sigma'", "min=0.0", "-0.5")
    fails(code, {"m": "Mean", "sigma": float("nan")}, "'sigma'", "min=0.0")
    fails(code, {"m": "Max", "sigma": 1}, "'m'", "['Mean', 'Median']", "'Max'")
    assert one("#@ String (visibility=MESSAGE) note").required is False
    assert one("#@ Integer (required=false) n").required is False
    fails("#@ Integer (value=1.5) n\n", {}, "'n'", "line 1", "value=1.5")
    fails("#@ Integer (value=20, max=10) n\n", {}, "'n'", "max=10", "value=20")
    fails("#@ Double (min=low) x\n", {}, "'x'", "min='low'")
    fails("#@ Integer (choices={1, 'two'}) n\n", {}, "choice 'two'")
    fails("#@ Integer (required=maybe) n\n", {}, "required='maybe'")


def test_names_types_outputs_and_duplicates():
    fails("#@ Integer getTitle\n", {}, "'getTitle'", "cannot be a macro variable")
    for name in ["String", "log", "if", "var", "Table", "2fast", "my-var", "a.b"]:
        fails(f"#@ Integer {name}\n", {}, "cannot be a macro variable")
    message = fails("x=1;\n#@ ImagePlus imp\n", {}, "'imp'", "#@ ImagePlus", "line 2")
    assert "Integer" in message and "File" in message and "String" in message
    fails("#@ integer n\n", {}, "#@ integer")
    params, _ = parse_parameters("#@output ImagePlus out\n#@both Integer n\n#@ Integer m\n")
    assert [p.kind for p in params] == ["object", "integer", "integer"]
    assert declared_outputs(params) == ["out", "n"]
    fails("#@output Integer r\n", {"r": 1}, "'r'", "output")
    fails("#@ Integer n\nx=1;\n#@ Double n\n", {}, "'n'", "line 3", "declared twice", "line 1")
