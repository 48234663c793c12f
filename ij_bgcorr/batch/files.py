"""File helpers of a batch: checksums, atomic writes and what a killed run left behind.

Every output and the manifest are written to a hidden temporary file in
their own folder and renamed into place, so an interrupted run never leaves
a half-written file under the final name.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    Exception
        Whatever ``write`` raises, or an ``OSError`` from the rename;
        ``path`` is then unchanged.
    """
    temp = _temp_name(path)
    try:
        write(temp)
        _fsync(temp)  # the data is on disk before the name points to it
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
    return path


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
