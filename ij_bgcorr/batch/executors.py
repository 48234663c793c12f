"""Where a batch's files are processed: in this process, in worker processes, or on dask.

Each executor is a generator of :class:`~ij_bgcorr.batch.manifest.FileResult`,
one per job, in the order the files finish. Nothing starts until the first
result is asked for, and closing the generator cancels the jobs not started
yet. A lost worker becomes an error result for its file, never an exception.
"""

from __future__ import annotations

import importlib.util
import logging
import multiprocessing
import multiprocessing.util
import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

from ij_bgcorr.batch.manifest import FileResult, Job
from ij_bgcorr.batch.work import process_file
from ij_bgcorr.engine.jvm import exit_now
from ij_bgcorr.errors import CommandError

log = logging.getLogger(__name__)

#: Seconds between a worker's checks that its parent still runs.
PARENT_POLL_SECONDS = 0.5


def run_jobs(jobs: Sequence[Job], workers: int = 1, scheduler: Any = None
             ) -> Iterator[FileResult]:
    """Process the jobs where the caller asked.

    Parameters
    ----------
    jobs : sequence of Job
        The files to process.
    workers : int
        Worker processes: with more than 1 (and more than one job), a pool
        of at most ``len(jobs)`` spawned processes; else this process.
    scheduler : str or distributed.Client, optional
        A dask.distributed scheduler address or client; when given,
        ``workers`` is ignored.

    Returns
    -------
    iterator of FileResult
        One result per job, as the files finish.

    Raises
    ------
    CommandError
        For a scheduler when dask.distributed is not installed (the ``cluster`` extra).
    """
    if scheduler is not None:
        if importlib.util.find_spec("distributed") is None:
            raise CommandError("Running on a Dask cluster needs dask.distributed: "
                               "pip install 'ij-bgcorr[cluster]'")
        return run_dask(jobs, scheduler)
    if workers > 1 and len(jobs) > 1:
        return run_pool(jobs, min(workers, len(jobs)))
    return run_serial(jobs)


def run_serial(jobs: Sequence[Job]) -> Iterator[FileResult]:
    """Process the jobs one after the other in this process.

    Parameters
    ----------
    jobs : sequence of Job
        The files to process.

    Yields
    ------
    FileResult
        One result per job, in the jobs' order.
    """
    for job in jobs:
        yield process_file(job)


def _start_worker_engine(parent: int) -> None:
    """Process-pool initializer: tie the worker to its parent, then start the engine.

    Ctrl-C is the parent's to handle (it stops the batch); a worker whose
    parent is gone (killed with -9) ends within a second, so that neither it nor
    its engine and display outlive the batch. Engine errors surface per file.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the pool ends its workers with SIGTERM when one of them died: end quietly, at once
    signal.signal(signal.SIGTERM, _end_quietly)
    threading.Thread(target=_end_with, args=(parent,), name="ij-bgcorr-parent-watch",
                     daemon=True).start()
    # at the worker's end, skip the JVM's teardown, which can crash (see exit_now)
    multiprocessing.util.Finalize(None, exit_now, args=(0,), exitpriority=-100)
    try:
        from ij_bgcorr.engine.startup import start

        start()
    except Exception as exc:  # process_file reports it again for each file
        log.warning("ImageJ engine did not start in worker %d: %s", os.getpid(), exc)
    finally:  # the JVM's start hands Ctrl-C back to Python: ignore it again
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _end_quietly(signum: int, frame: object) -> None:
    os._exit(128 + signum)


def _end_with(parent: int) -> None:
    """End this process at once when ``parent`` is no longer its parent (it died)."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def run_pool(jobs: Sequence[Job], workers: int) -> Iterator[FileResult]:
    """Process the jobs in spawned worker processes, one ImageJ engine each.

    Parameters
    ----------
    jobs : sequence of Job
        The files to process.
    workers : int
        Number of worker processes.

    Yields
    ------
    FileResult
        One result per job, as the files finish; a file whose worker died
        gets an error result.
    """
    context = multiprocessing.get_context("spawn")  # a JVM does not survive fork

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                   initializer=_start_worker_engine, initargs=(os.getpid(),))

    pool = new_pool()
    # one file per worker is handed over at a time: the pool moves submitted jobs to its
    # workers' queue ahead of time, where cancelling no longer reaches them, so that after
    # Ctrl-C they would all still be processed (measured: 5 more files with 2 workers)
    waiting = iter(jobs)
    running: dict[Future[FileResult], Job] = {}

    def hand_over() -> None:
        nonlocal pool
        job = next(waiting, None)
        if job is None:
            return
        try:
            with _ctrl_c_held():
                future = pool.submit(process_file, job)
        except BrokenProcessPool:  # a worker was killed: the other files get a new pool
            pool.shutdown(wait=False, cancel_futures=True)
            pool = new_pool()
            with _ctrl_c_held():
                future = pool.submit(process_file, job)
        running[future] = job

    try:
        for _ in range(workers):
            hand_over()
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                job = running.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    yield FileResult(job.input, "error", job.method, job.params,
                                     message=WORKER_DIED)
                hand_over()
    finally:  # also when closed early (interrupted): start no more files, let running ones end
        pool.shutdown(wait=True, cancel_futures=True)


#: The error of a file whose worker process ended while it ran (or while another file
#: of the same pool ran: a pool whose worker dies stops all its files).
WORKER_DIED = ("its worker process ended abruptly (killed, e.g. by the system when memory "
               "ran out); run the batch again to retry it")


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Block Ctrl-C (SIGINT) while worker processes are spawned; it is delivered after.

    A spawned worker inherits the blocked signal, so Ctrl-C pressed while it
    starts reaches the parent alone (which stops the batch) rather than the
    worker's Python, which printed a traceback for each; the worker ignores
    Ctrl-C anyway. Nothing is blocked outside the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def run_dask(jobs: Sequence[Job], scheduler: Any) -> Iterator[FileResult]:
    """Process the jobs on a dask.distributed cluster, one ImageJ engine per worker process.

    Parameters
    ----------
    jobs : sequence of Job
        The files to process.
    scheduler : str or distributed.Client
        The scheduler's address (``"tcp://host:port"``), or a client, which
        is left open.

    Yields
    ------
    FileResult
        One result per job, as the files finish; a file whose worker died
        or whose computation was lost gets an error result.

    Raises
    ------
    OSError
        When the scheduler cannot be reached.
    """
    from distributed import Client
    from distributed import as_completed as dask_as_completed

    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        # pure=False: process_file writes files, so dask must not reuse the result of an equal job
        futures = client.map(process_file, list(jobs), pure=False)
        by_key = {f.key: job for f, job in zip(futures, jobs, strict=True)}
        for future in dask_as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # a worker died or the computation was lost
                job = by_key[future.key]
                yield FileResult(job.input, "error", job.method, job.params,
                                 message=f"{type(exc).__name__}: {exc}")
    finally:
        if own:
            client.close()
