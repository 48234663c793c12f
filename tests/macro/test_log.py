"""The Log's text obeys ImageJ's Log commands (\\Clear, \\Update:), as the Log window does."""

from __future__ import annotations

from ij_bgcorr.macro.log import log_text


def test_log_commands():
    assert log_text(["\\Clear", "a", "b"]) == "a\nb"
    assert log_text(["a", "\\Clear"]) == ""
    assert log_text(["a", "b", "\\Update:c"]) == "a\nc"
    assert log_text(["\\Update:first"]) == "first"
    assert log_text(["a", "\\Update3:d"]) == "a\n\n\nd"
    assert log_text(["a", "b", "\\Update0:z"]) == "z\nb"
    assert log_text(["\\Update26:x"]) == "\\Update26:x"  # beyond line 25: printed as it is
    assert log_text(["a", "\\Close", "\\Heading:x\ty", "b"]) == "a\nb"
    assert log_text(["\\not a command", "x"]) == "\\not a command\nx"
