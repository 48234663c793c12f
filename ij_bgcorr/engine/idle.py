"""Waiting until ImageJ has finished what a macro started.

In the GUI a command can hand work to other threads and return: a filter run
through ``doCommand`` writes its pixels on a thread of its own, ``Tile``
arranges windows on AWT's thread. A GUI run's images are read only once
ImageJ is idle: no image locked, AWT's queue handled, no ImageJ thread started
by the macro still working, ImageJ's thread pool idle.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from ij_bgcorr.engine.java import java
from ij_bgcorr.engine.watchdog import in_imagej

log = logging.getLogger(__name__)

#: Seconds a GUI run waits, at most, for ImageJ to become idle after its macro ended.
IDLE_SECONDS = 5.0


def live_threads() -> dict[int, Any]:
    """Return every live Java thread by id (without their stacks, which cost)."""
    group = java.Thread.currentThread().getThreadGroup()
    while group.getParent() is not None:
        group = group.getParent()
    threads = java.ThreadArray(group.activeCount() + 16)
    count = group.enumerate(threads, True)
    return {int(t.getId()): t for t in list(threads)[:count] if t is not None}


def wait_until_idle(before: set[int], open_images: Callable[[], dict[int, Any]],
                    limit: float = IDLE_SECONDS) -> None:
    """Wait until ImageJ has finished what the macro started: no image locked, no helper busy.

    In the GUI a command can hand work to other threads (a filter run through
    ``doCommand`` writing the pixels of a displayed image, ``Tile`` arranging
    windows) and the macro's thread ends before they do. Waits at most ``limit``
    seconds (an animation never ends).

    Parameters
    ----------
    before : set of int
        The ids of the threads alive before the macro started (from :func:`live_threads`);
        only threads started since are waited for.
    open_images : callable
        Returns ImageJ's open images.
    limit : float
        Seconds.
    """
    deadline = time.monotonic() + limit
    busy: list[str] = []
    while time.monotonic() < deadline:
        java.EventQueue.invokeAndWait(nothing())
        locked = any(imp.isLocked() for imp in open_images().values())
        busy = [str(t.getName()) for key, t in live_threads().items()
                if key not in before and _runs_imagej(t)]
        pool = int(java.ThreadUtil.threadPoolExecutor.getActiveCount())
        if not (locked or busy or pool):
            return
        time.sleep(0.01)
    log.debug("ImageJ still busy after %g s: threads %s", limit, busy)


def _runs_imagej(thread: Any) -> bool:
    """Tell whether a thread is at work in ImageJ code (AWT's own threads excepted).

    A thread waiting or sleeping (a plot's or an animation's timer) is not at work.
    """
    if str(thread.getState()) not in ("RUNNABLE", "BLOCKED"):
        return False
    return in_imagej(thread, thread.getStackTrace())


@functools.cache
def nothing() -> Any:
    """Return a Runnable that does nothing: queued to learn that AWT is done before it."""
    from jpype import JProxy

    return JProxy("java.lang.Runnable", dict={"run": lambda: None})
