"""Macro string literals: any text, control characters included, written on one line.

ImageJ reads a string literal with java.io.StreamTokenizer, which ends it at a
line end and reads the escapes ``\\n``, ``\\r``, ``\\t``, ``\\f``, ``\\b`` and
three octal digits. The expected literals here are written out by hand; the
test with Java has ImageJ itself read them back, and a recorded session that
opens a file with a line end in its name replays.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ij_bgcorr as ijb
from ij_bgcorr.macro.text import quote


@pytest.mark.parametrize(("text", "literal"), [
    ("plain.tif", '"plain.tif"'),
    ('say "hi"', r'"say \"hi\""'),
    ("C:\\data\\a.tif", r'"C:\\data\\a.tif"'),
    ("/x/new\nline.tif", r'"/x/new\nline.tif"'),
    ("a\rb", r'"a\rb"'),
    ("a\tb", r'"a\tb"'),
    ("a\r\nb", r'"a\r\nb"'),
    ("a\fb\bc", r'"a\fb\bc"'),
    ("bell\x07", r'"bell\007"'),
    ("\x1f5", r'"\0375"'),
    ("del\x7f", r'"del\177"'),
    ("\\n is not a line end", r'"\\n is not a line end"'),
    ("ünïcødé-µm", '"ünïcødé-µm"'),
])
def test_quote_writes_one_line_imagej_reads_back(text: str, literal: str) -> None:
    assert quote(text) == literal
    assert "\n" not in quote(text) and "\r" not in quote(text)


TEXTS = ["/x/new\nline.tif", "a\rb\tc", 'q"\\', "\x01\x1f\x7f9", "\f\b"]


def test_imagej_reads_each_literal_as_the_text(fiji: ijb.Engine) -> None:
    codes = ";\n".join(f"s = {quote(t)}; out = \"\"; for (i = 0; i < lengthOf(s); i++) "
                       f"out = out + charCodeAt(s, i) + \" \"; print(out)" for t in TEXTS)
    log = fiji.run_macro(codes + ";", timeout=120).log.strip().splitlines()
    assert [[int(c) for c in line.split()] for line in log] == [
        [ord(c) for c in t] for t in TEXTS]


def test_a_recorded_open_of_a_name_with_line_ends_replays(fiji: ijb.Engine,
                                                          tmp_path: Path) -> None:
    pixels = np.arange(20 * 24, dtype=np.uint16).reshape(20, 24)
    path = ijb.save_image(ijb.as_image(pixels), tmp_path / "new\nline\tand\rreturn.tif")
    fiji.new_session()
    median = fiji.median(ijb.open_image(path), 1, title="filtered")
    macro = fiji.recorded_macro()
    assert r'new\nline\tand\rreturn.tif");' in macro

    replay = fiji.run_macro(macro, timeout=120)

    np.testing.assert_array_equal(replay["filtered"].values, median.values)
    opened = [title for title in replay.images if title != "filtered"]
    assert len(opened) == 1, sorted(replay.images)  # ImageJ's title has spaces for them
    np.testing.assert_array_equal(replay[opened[0]].values, pixels)
