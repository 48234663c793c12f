"""What the process prints while a noisy start runs, sent to the package's logger."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def printed_to_log(logger: logging.Logger, who: str, keep: int = 5
                   ) -> Iterator[Callable[[], list[str]]]:
    """Send what the process prints meanwhile (Java and native code too) to ``logger``.

    Standard output and error are pointed at a file at the descriptor level,
    which is the only way to catch what Java prints before Python could
    redirect its streams.

    Parameters
    ----------
    logger : logging.Logger
        Gets each line printed, at INFO level (``ij-bgcorr --verbose`` shows it), prefixed
        with ``who``.
    who : str
        What prints (``"Fiji"``).
    keep : int
        How many lines the yielded function returns.

    Yields
    ------
    callable
        Returns the last ``keep`` non-empty lines printed so far.
    """
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    with tempfile.TemporaryFile() as sink:
        for fd in saved:
            os.dup2(sink.fileno(), fd)

        def printed() -> list[str]:
            sink.flush()
            sink.seek(0)
            lines = sink.read().decode("utf-8", "replace").splitlines()
            return [line for line in lines if line.strip()][-keep:]

        try:
            yield printed
        finally:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
            sink.seek(0)
            for line in sink.read().decode("utf-8", "replace").splitlines():
                if line.strip():
                    logger.info("%s: %s", who, line)
