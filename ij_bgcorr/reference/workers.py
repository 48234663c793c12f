"""Run a compiled kernel on every core: work items dealt out to threads.

The kernels (``numba.njit(nogil=True)``) release the GIL, so plain threads run
them in parallel. Threads, not numba's own ``parallel=True``, because they are
safe in every process (forked workers, several calling threads) whatever
threading layer numba finds. The threads are kept between calls (a process
forked from this one starts its own).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

WORKERS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
_pools: list[ThreadPoolExecutor] = []  # the helper threads, made on first use


def _forget_pool() -> None:
    """Drop the parent's threads in a forked child (they do not exist there)."""
    _pools.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def run_dealt(kernel: Callable[..., None], *args: object, items: int,
              min_items: int = 1) -> None:
    """Call ``kernel(*args, worker, workers)`` once per worker, the caller being worker 0.

    Worker ``w`` of ``n`` handles the work items ``w``, ``w + n``, ``w + 2n``,
    ... (the kernel decides what an item is: a line, a block of lines, a tile),
    so that items of unequal cost are spread evenly.

    Parameters
    ----------
    kernel : callable
        A compiled kernel taking ``*args``, then its worker number and the
        number of workers; it writes its results into arrays among ``args``.
    *args : object
        The kernel's leading arguments.
    items : int
        How many work items there are.
    min_items : int, default 1
        Fewest items per worker worth a thread of its own; fewer items run in
        the calling thread alone.

    Returns
    -------
    None
    """
    workers = max(1, min(WORKERS, items // max(min_items, 1)))
    if workers == 1:
        kernel(*args, 0, 1)
        return
    if not _pools:
        _pools.append(ThreadPoolExecutor(max(WORKERS - 1, 1), "ij_bgcorr-kernel"))
    helpers = [_pools[0].submit(kernel, *args, w, workers) for w in range(1, workers)]
    kernel(*args, 0, workers)  # the calling thread is worker 0
    for future in helpers:
        future.result()
