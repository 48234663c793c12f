"""File helpers of a batch: checksums, atomic writes, leftovers, inputs kept safe.

Every output and the manifest are written to a hidden temporary file in
their own folder and renamed into place, so an interrupted run never leaves
a half-written file under the final name, and a full disk is reported as such
(:class:`~ij_bgcorr.errors.DiskFull`). :func:`inputs_protected` copies
the inputs a macro opens and puts back any the macro wrote over.
"""

from __future__ import annotations

import errno
import filecmp
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ij_bgcorr.errors import DiskFull, MacroError

_TMP_SUFFIX = ".tmp"
_CHUNK = 1 << 20  # bytes read at a time when hashing: large images need not fit in memory


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 of a file's bytes.

    Parameters
    ----------
    path : str or os.PathLike
        The file.

    Returns
    -------
    str
        64 lowercase hex digits.

    Raises
    ------
    OSError
        When the file cannot be read (missing, a folder, no permission).
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _temp_name(path: Path) -> Path:
    # the pid keeps two processes writing the same output from sharing a temporary file
    return path.with_name(f".{path.name}.{os.getpid()}{_TMP_SUFFIX}")


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def atomic_write(path: Path, write: Callable[[Path], Any]) -> Path:
    """Write a file through a temporary file and rename it into place.

    The temporary file is in the same folder (hidden, ending ``.tmp``), so
    the rename is atomic: ``path`` is either the old file or the complete new
    one. The temporary file is removed if ``write`` fails or is interrupted.

    Parameters
    ----------
    path : pathlib.Path
        The file to (re)write; its folder must exist.
    write : callable
        ``write(temp_path)`` writes the whole content to ``temp_path``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    DiskFull
        When the disk (or the quota) is full: the message names ``path`` and the
        space left.
    Exception
        Whatever else ``write`` raises, or an ``OSError`` from the rename;
        ``path`` is then unchanged.
    """
    temp = _temp_name(path)
    try:
        write(temp)
        _fsync(temp)  # the data is on disk before the name points to it
        os.replace(temp, path)
    except OSError as exc:
        full = _disk_full(exc, path)  # measured before the temporary file frees its space
        if full is None:
            raise
        raise full from exc
    finally:
        if temp.exists():
            temp.unlink()
    return path


#: A write that stopped short, as numpy's ``tofile`` (used by tifffile) reports it.
_SHORT_WRITE = re.compile(r"(\d+) requested and (\d+) written")


def _disk_full(exc: OSError, path: Path) -> DiskFull | None:
    """Return the DiskFull that ``exc``, raised writing ``path``, means; None for another error.

    ``ENOSPC`` and ``EDQUOT`` say so; a write that stopped short says so when the disk
    has less room than was still to write.
    """
    try:
        free: int | None = shutil.disk_usage(path.parent).free
    except OSError:
        free = None
    short = _SHORT_WRITE.search(str(exc))
    if exc.errno not in (errno.ENOSPC, errno.EDQUOT) and not (
            short and free is not None and free < int(short[1]) - int(short[2])):
        return None
    what = "your disk quota is used up" if exc.errno == errno.EDQUOT else "the disk is full"
    room = "unknown" if free is None else f"{free:,} bytes"
    return DiskFull(f"Cannot write {path}: {what} ({room} free in {path.parent}); make room "
                    "or write to another disk, then run again")


def remove_stale_temporaries(folder: Path) -> int:
    """Delete the temporary files a killed run left in a folder.

    Parameters
    ----------
    folder : pathlib.Path
        An output folder; a missing folder is left alone.

    Returns
    -------
    int
        How many files were deleted.
    """
    count = 0
    if folder.is_dir():
        for temp in folder.glob(f".*{_TMP_SUFFIX}"):
            # only the batch's own: ".<name>.<pid>.tmp" (see _temp_name), never a user's file
            if temp.is_file() and re.fullmatch(rf"\..+\.\d+{re.escape(_TMP_SUFFIX)}", temp.name):
                temp.unlink(missing_ok=True)
                count += 1
    return count


#: The ending of an input's backup (:func:`inputs_protected`); never removed as stale.
BACKUP_SUFFIX = ".backup"


def _state(path: Path) -> tuple[int, int, int, int] | None:
    """Return what changes when a file is written or replaced; None when it is gone."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns


@dataclass
class _Guarded:
    """One protected input: its path as given, the file it names, its state and copy."""

    given: Path
    file: Path  # symlinks resolved
    before: tuple[int, int, int, int]
    backup: Path
    link: str | None  # what ``given`` pointed to, when it is a symbolic link

    def name(self) -> str:
        return str(self.given) if self.given == self.file else f"{self.given} (-> {self.file})"

    def written_over(self) -> bool:
        """Whether the file is gone, has another size or time, or other bytes; or the link."""
        if self.link is not None and (not self.given.is_symlink()
                                      or os.readlink(self.given) != self.link):
            return True
        now = _state(self.file)
        if now is None or now[:2] != self.before[:2]:
            return True
        # the same size and time, but replaced or touched: only the bytes tell (rarely read)
        return now != self.before and not filecmp.cmp(self.file, self.backup, shallow=False)

    def restore(self) -> None:
        """Put the copy's bytes and times back (by a rename where the folder allows), the link."""
        temp = _temp_name(self.file)
        try:
            shutil.copy2(self.backup, temp)
            os.replace(temp, self.file)
        except OSError:
            temp.unlink(missing_ok=True)
            shutil.copy2(self.backup, self.file)  # a read-only folder: copy over the file
        if self.link is not None and not (self.given.is_symlink()
                                          and os.readlink(self.given) == self.link):
            temp = _temp_name(self.given)
            temp.unlink(missing_ok=True)
            os.symlink(self.link, temp)
            os.replace(temp, self.given)


@contextmanager
def inputs_protected(paths: Iterable[str | os.PathLike[str]],
                     backup_dir: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Keep files safe from the code run inside: any it writes over is put back, and fails.

    Each file is copied first, bytes and times, to a hidden ``.<name>.*.backup`` in
    ``backup_dir``; a path that is a symbolic link protects the file it points to (the
    one written through it) and the link. At the end, a file whose size or modification
    time changed, that was deleted, or that was replaced by other bytes is restored from
    its copy (a link changed or deleted is made again), and :class:`MacroError` names
    it. The copies are deleted afterwards (a process killed meanwhile leaves them, to
    restore by hand if need be). Files are compared, not hashed: a file left alone
    costs one copy.

    Parameters
    ----------
    paths : iterable of str or os.PathLike
        The files to protect (inputs a macro opens); missing ones are left out.
    backup_dir : str or os.PathLike, optional
        Where the copies go (it must exist); default: the system's temporary folder.
        Give a folder on a disk with room for the inputs (the output folder).

    Yields
    ------
    None

    Raises
    ------
    MacroError
        After the code inside ended (also when it raised an ``Exception``, which then
        is the error's cause): the files it wrote over, now restored. After an interrupt
        (Ctrl-C) the files are restored and the interrupt goes on.
    OSError
        When a file cannot be copied (before the code runs) or restored (the message
        says where its copy is kept).
    """
    folder = Path(backup_dir) if backup_dir is not None else Path(tempfile.gettempdir())
    guarded: list[_Guarded] = []
    try:
        for given in dict.fromkeys(Path(os.path.abspath(p)) for p in paths):
            file = given.resolve()
            before = _state(file)
            if before is None or any(g.file == file for g in guarded):
                continue  # missing (whoever reads it reports that), or protected already
            handle, name = tempfile.mkstemp(prefix=f".{file.name}.", suffix=BACKUP_SUFFIX,
                                            dir=folder)
            os.close(handle)
            link = os.readlink(given) if given.is_symlink() else None
            guarded.append(_Guarded(given, file, before, Path(name), link))
            shutil.copy2(file, name)
        try:
            yield
        except Exception as exc:
            _check_inputs(guarded, cause=exc)
            raise
        except BaseException:  # Ctrl-C: still restore, but stay an interrupt
            with suppress(MacroError, OSError):
                _check_inputs(guarded)
            raise
        _check_inputs(guarded)
    finally:
        for guard in guarded:
            guard.backup.unlink(missing_ok=True)


def _check_inputs(guarded: list[_Guarded], cause: Exception | None = None) -> None:
    """Restore each file written over since its backup; raise MacroError naming them."""
    changed = [guard for guard in guarded if guard.written_over()]
    lost = []
    for guard in changed:
        try:
            guard.restore()
        except OSError as exc:  # keep the copy, under a name the finally clause spares
            kept = guard.backup.with_name(guard.backup.name.removeprefix("."))
            os.replace(guard.backup, kept)
            lost.append(f"{guard.name()} could not be restored ({exc.strerror or exc}); its "
                        f"copy is {kept}")
    if lost:
        raise OSError(f"The macro wrote over its input: {'; '.join(lost)}") from cause
    if changed:
        one = len(changed) == 1
        raise MacroError(f"The macro wrote over its input{'' if one else 's'} "
                         f"{', '.join(g.name() for g in changed)} (saveAs, save or a File "
                         f"function on its path); {'it was' if one else 'they were'} restored "
                         "from a copy made before the run") from cause
