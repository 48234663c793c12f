"""Work on a large image's memory in chunks, on every core.

Copying and hashing an image of hundreds of megabytes is bound by one core
(a fresh array's pages are mapped as they are first written, hashing is
sequential); the calls used here (``xxhash``, JPype's bulk copies) release
the GIL, so plain threads share the chunks between the cores. Each thread
takes the next chunk not yet taken, so a core slowed by other work does
fewer. The helper threads live for one call only: nothing survives into a
forked process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TypeVar

CHUNK_BYTES = 16 * 2**20  # a chunk takes milliseconds: threads pay off from two of them
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

T = TypeVar("T")


def in_chunks(work: Callable[[int, int], T], size: int, chunk: int,
              helper_done: Callable[[], None] | None = None) -> list[T]:
    """Call ``work(start, stop)`` on consecutive chunks of ``range(size)``, several at once.

    Parameters
    ----------
    work : callable
        Does one chunk, from ``start`` to ``stop`` (exclusive); it must release
        the GIL for most of its time to gain anything.
    size : int
        Number of elements, >= 0.
    chunk : int
        Elements per chunk, > 0 (the last chunk may be shorter).
    helper_done : callable, optional
        Called at the end of each helper thread (not in the calling thread),
        e.g. to detach it from the JVM.

    Returns
    -------
    list
        ``work``'s results, in the chunks' order (one chunk for ``size == 0``).

    Raises
    ------
    Exception
        The first exception ``work`` raised, in any thread.
    """
    bounds = [(start, min(start + chunk, size)) for start in range(0, max(size, 1), chunk)]
    results: list[T | None] = [None] * len(bounds)
    errors: list[BaseException] = []
    taken = iter(range(len(bounds)))  # next() on it is atomic: each chunk is taken once

    def take_chunks() -> None:
        try:
            for i in taken:
                results[i] = work(*bounds[i])
        except BaseException as exc:  # handed to the caller, who raises it
            errors.append(exc)

    def helper() -> None:
        try:
            take_chunks()
        finally:
            if helper_done is not None:
                helper_done()

    helpers = [threading.Thread(target=helper, name="ij_bgcorr-chunk", daemon=True)
               for _ in range(min(_CORES, len(bounds)) - 1)]
    for thread in helpers:
        thread.start()
    take_chunks()  # the calling thread works too
    for thread in helpers:
        thread.join()
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]
