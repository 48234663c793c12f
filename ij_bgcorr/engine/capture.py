"""Java's standard output and standard error, captured line by line during a macro run.

Without a main window ImageJ prints what a macro prints, and many of its error
messages, to ``System.out``; Fiji's headless layer prints macro errors to
``System.err``. Each line is kept with the number of the macro line that was
running when it was printed, which is how an error is tied to its line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ij_bgcorr.engine.java import java


@dataclass
class Lines:
    """The lines one stream printed, each with the macro line running when it began.

    Attributes
    ----------
    line_of : callable
        Returns the number of the macro line running now.
    lines : list of (int, str)
        The complete lines printed, each with its macro line.
    partial, partial_line : str, int
        The text of the line not yet complete, and its macro line.
    """

    line_of: Callable[[], int]
    lines: list[tuple[int, str]] = field(default_factory=list)
    partial: str = ""
    partial_line: int = 0

    def write(self, text: str) -> None:
        """Add printed text; complete lines are kept with their macro line.

        Parameters
        ----------
        text : str
            What was printed: part of a line, or several lines.
        """
        if not self.partial:
            self.partial_line = self.line_of()
        self.partial += text
        while "\n" in self.partial:
            head, self.partial = self.partial.split("\n", 1)
            self.lines.append((self.partial_line, head))
            self.partial_line = self.line_of()

    def finish(self) -> None:
        """Keep the last line even without its line break."""
        if self.partial:
            self.lines.append((self.partial_line, self.partial))
            self.partial = ""


@dataclass
class Captured:
    """What one run printed: ``out`` (standard output) and ``err`` (standard error).

    Attributes
    ----------
    out, err : Lines
        The lines of each stream.
    """

    out: Lines
    err: Lines


class OutputCapture:
    """Redirects Java's ``System.out`` and ``System.err`` into Python during a run.

    Outside a run, what Java prints goes on to Python's own streams.
    """

    def __init__(self) -> None:
        from jpype import JImplements, JOverride

        capture = self

        @JImplements("java.nio.channels.WritableByteChannel")
        class _Channel:
            def __init__(self, name: str) -> None:
                self.name = name

            @JOverride
            def write(self, buffer: Any) -> int:
                return capture._on_output(self.name, buffer)

            @JOverride
            def isOpen(self) -> bool:
                return True

            @JOverride
            def close(self) -> None:
                pass

        self._streams = {name: java.PrintStream(java.Channels.newOutputStream(_Channel(name)),
                                                True, "UTF-8")
                         for name in ("out", "err")}
        self._current: Captured | None = None

    @contextmanager
    def during(self, line_of: Callable[[], int]) -> Iterator[Captured]:
        """Capture both streams while the block runs, tagging lines with ``line_of()``.

        Parameters
        ----------
        line_of : callable
            Returns the number of the macro line running now.

        Yields
        ------
        Captured
            What the block's run prints; its last lines are kept when the block ends.
        """
        captured = Captured(Lines(line_of), Lines(line_of))
        original_out, original_err = java.System.out, java.System.err
        self._current = captured
        java.System.setOut(self._streams["out"])
        java.System.setErr(self._streams["err"])
        try:
            yield captured
        finally:
            java.System.setOut(original_out)
            java.System.setErr(original_err)
            self._current = None
            captured.out.finish()
            captured.err.finish()

    def _on_output(self, name: str, buffer: Any) -> int:
        from jpype import JArray, JByte

        n = int(buffer.remaining())
        data = JArray(JByte)(n)
        buffer.get(data)
        text = bytes(data).decode("utf-8", errors="replace")
        current = self._current
        if current is not None:
            getattr(current, name).write(text)
        else:
            print(text, end="", file=sys.stdout if name == "out" else sys.stderr)
        return n
