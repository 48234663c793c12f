"""How much memory this machine has free, to refuse an image before allocating it."""

from __future__ import annotations

import os
from pathlib import Path

from ij_bgcorr.errors import ImageFormatError

_MEMINFO = Path("/proc/meminfo")


def available_bytes() -> int | None:
    """Return the memory the system can give this process now, in bytes; None when unknown.

    Read by hand (Linux's ``MemAvailable``, else the free pages POSIX reports) rather
    than through a dependency, for this one number.

    Returns
    -------
    int or None
        Bytes.
    """
    try:
        for line in _MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024  # the value is in kB
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def check_fits(what: str, shape: tuple[int, ...], itemsize: int) -> None:
    """Refuse an array larger than the memory available, before anything is allocated.

    Parameters
    ----------
    what : str
        What holds the array, for the message (a file's path).
    shape : tuple of int
        The array's shape.
    itemsize : int
        Bytes per element.

    Raises
    ------
    ImageFormatError
        When the array needs more bytes than :func:`available_bytes`.
    """
    need = itemsize
    for n in shape:
        need *= int(n)
    free = available_bytes()
    if free is not None and need > free:
        raise ImageFormatError(
            f"{what} declares {' x '.join(map(str, shape))} pixels ({need / 2**30:.1f} GiB), "
            f"more than the {free / 2**30:.1f} GiB of memory available now")
