"""Processes a macro started (``exec(...)``), ended when the macro is stopped.

A macro stopped past its timeout or by Ctrl-C leaves the programs it ran with
``exec`` running: ImageJ's thread waits on them, and stopping that thread does
not end them (measured: ``exec("sleep", "45")`` outlived the command line).
Children of this process that appeared while the macro ran are ended with it.
"""

from __future__ import annotations

import time

from ij_bgcorr.engine.java import java

#: Seconds a process is given to end after it was asked to, before it is killed.
END_GRACE_SECONDS = 2.0


def child_processes() -> set[int]:
    """Return the process ids of this process's live children.

    Returns
    -------
    set of int
    """
    children = java.ProcessHandle.current().children().toArray()
    return {int(handle.pid()) for handle in children}


def end_processes_started_since(before: set[int]) -> list[int]:
    """End the children of this process not in ``before``, with their own descendants.

    Parameters
    ----------
    before : set of int
        The children there were when the macro started (:func:`child_processes`).

    Returns
    -------
    list of int
        The process ids that were asked to end.
    """
    handles = [h for h in java.ProcessHandle.current().children().toArray()
               if int(h.pid()) not in before]
    family = [d for h in handles for d in h.descendants().toArray()] + handles
    for handle in family:
        handle.destroy()
    deadline = time.monotonic() + END_GRACE_SECONDS
    while any(h.isAlive() for h in family) and time.monotonic() < deadline:
        time.sleep(0.05)
    for handle in family:
        if handle.isAlive():
            handle.destroyForcibly()
    return [int(h.pid()) for h in family]
