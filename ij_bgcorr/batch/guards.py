"""What keeps a run from harming files: inputs never written over, one run per output.

:func:`refuse_overwriting_inputs` is the one check every command makes before it
writes where its inputs are (batch, large, run, macro, lesson): paths are compared
resolved and files by identity, so a symbolic or hard link to an input is the
input. :func:`output_lock` keeps a second run out of an output while one writes it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ij_bgcorr.errors import BatchBusy, CommandError

_Identity = tuple[int, int]  # (device, inode): one file, whatever its names
_LOCK_TRIES = 100  # a lock file replaced under us this often means a storm of runs: busy


def _identities(path: Path) -> Iterator[tuple[_Identity, Path]]:
    """Yield each file at or under ``path`` with its identity; nothing when it is missing."""
    files = (Path(folder, name) for folder, _, names in os.walk(path) for name in names) \
        if path.is_dir() else iter([path])
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            continue
        yield (stat.st_dev, stat.st_ino), file


def _named(given: Path, resolved: Path) -> str:
    return str(given) if given == resolved else f"{given} (a link to {resolved})"


def _clash(sources: dict[Path, Path], targets: dict[Path, Path]) -> str | None:
    """Say how writing the targets would harm a source (both by resolved path); else None.

    Each path's folders are looked up in the other side's set: linear in the number of
    paths, for batches of thousands of files.
    """
    for source, given in sources.items():
        if source in targets:
            return f"Writing {targets[source]} would overwrite the input {_named(given, source)}"
        folder = next((f for f in source.parents if f in targets), None)
        if folder is not None:
            return (f"The input {_named(given, source)} lies in the output folder "
                    f"{targets[folder]}, where the outputs could replace it")
    for target, output in targets.items():
        folder = next((f for f in target.parents if f in sources), None)
        if folder is not None:
            return (f"The output {output} would go into the input "
                    f"{_named(sources[folder], folder)}")
    return None


def refuse_overwriting_inputs(inputs: Iterable[str | os.PathLike[str]],
                              outputs: Iterable[str | os.PathLike[str]]) -> None:
    """Raise CommandError when writing ``outputs`` could replace or go into an input.

    Paths are compared resolved (symbolic links followed, also in the folders above
    them), and files that exist by identity (device and inode): a link or a hard link
    to an input is that input.

    Parameters
    ----------
    inputs : iterable of str or os.PathLike
        The files and folders a command only reads.
    outputs : iterable of str or os.PathLike
        The files and folders it writes, replaces or deletes (a folder with all it
        holds), whether they exist yet or not.

    Raises
    ------
    CommandError
        Naming the output and the input: the same file (by any name), an input inside
        an output folder, or an output inside an input folder.
    """
    sources = {Path(p).resolve(): Path(os.path.abspath(p)) for p in inputs}
    targets = {Path(p).resolve(): Path(p) for p in outputs}
    problem = _clash(sources, targets)
    if problem:
        raise CommandError(f"{problem}: choose another output folder")
    known = {identity: given for given in sources.values() for identity, _ in _identities(given)}
    for output in targets.values():
        for identity, file in _identities(output):
            if identity in known:
                raise CommandError(f"Writing {output} would overwrite the input "
                                   f"{known[identity]}: {file} is the same file (a link to it): "
                                   "choose another output folder")


def _locked(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (its holder may have removed it)."""
    try:
        now = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def _acquire(path: Path, busy: str) -> int:
    """Lock the file ``path`` (created if missing) and return its descriptor."""
    for _ in range(_LOCK_TRIES):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise BatchBusy(busy) from None
        except BaseException:
            os.close(fd)
            raise
        if _locked(fd, path):
            return fd
        os.close(fd)  # locked a file its holder removed on leaving: lock the one there now
    raise BatchBusy(busy)


@contextmanager
def output_lock(path: str | os.PathLike[str], busy: str) -> Iterator[None]:
    """Hold the lock file ``path`` while the block runs, then remove it.

    The operating system's lock on the file (``flock``) is what counts, not the file:
    it ends with its process, even one that was killed, so a file a dead run left
    behind blocks nobody (it is taken over, then removed). The file is removed while
    still held, and a run that locked a file just removed locks the one at the path
    instead, so two live runs never both hold it.

    Parameters
    ----------
    path : str or os.PathLike
        The lock file; its folder must exist.
    busy : str
        The message when another live run holds it.

    Yields
    ------
    None

    Raises
    ------
    BatchBusy
        At once, with ``busy``, when another live process holds the lock.
    """
    path = Path(path)
    fd = _acquire(path, busy)
    try:
        yield
    finally:
        try:
            if _locked(fd, path):
                path.unlink(missing_ok=True)
        finally:
            os.close(fd)  # which releases the lock
