"""Waiting until ImageJ has finished what a macro started.

In the GUI a command can hand work to other threads and return: a filter run
through ``doCommand`` writes its pixels on a thread of its own, ``Tile``
arranges windows on AWT's thread. A GUI run's images are read only once
ImageJ is idle: no image locked, AWT's queue handled, no ImageJ thread started
by the macro still working, ImageJ's thread pool idle.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from ij_bgcorr.engine.java import java
from ij_bgcorr.engine.watchdog import imagej_threads

#: Seconds a GUI run waits, at most, for ImageJ to become idle after its macro ended.
IDLE_SECONDS = 5.0


def wait_until_idle(macro_thread: Any | None, open_images: Callable[[], dict[int, Any]],
                    limit: float = IDLE_SECONDS) -> None:
    """Wait until ImageJ has finished what the macro started: no image locked, no helper busy.

    In the GUI a command can hand work to other threads (a filter writing the
    pixels of a displayed image, ``Tile`` arranging windows) and the macro's
    thread ends before they do. Waits at most ``limit`` seconds (an animation
    never ends).
    """
    first_id = int(macro_thread.getId()) if macro_thread is not None else None
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        java.EventQueue.invokeAndWait(_nothing())
        locked = any(imp.isLocked() for imp in open_images().values())
        busy = first_id is not None and any(
            int(t.getId()) > first_id for t in imagej_threads())
        pool = int(java.ThreadUtil.threadPoolExecutor.getActiveCount())
        if not (locked or busy or pool):
            return
        time.sleep(0.01)


@functools.cache
def _nothing() -> Any:
    """Return a Runnable that does nothing: queued to learn that AWT is done before it."""
    from jpype import JProxy

    return JProxy("java.lang.Runnable", dict={"run": lambda: None})
