"""How much memory this machine has free, to refuse an image before allocating it."""

from __future__ import annotations

import os
from pathlib import Path

from ij_bgcorr.errors import ImageFormatError

_MEMINFO = Path("/proc/meminfo")
# each dimension gets float64 coordinates, and making them (arange, minus the origin,
# times the step, the index xarray builds) holds that many copies at once
_COORD_BYTES, _COORD_COPIES = 8, 4


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

    Its coordinates count too: 8 bytes per value along each dimension, in the copies
    made while they are computed (an image of one row and 2**26 columns needs more
    for them than for its pixels).

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
        When the array and its coordinates need more bytes than :func:`available_bytes`.
    """
    check_known_sizes(shape)
    need = itemsize
    for n in shape:
        need *= int(n)
    need += _COORD_BYTES * _COORD_COPIES * sum(int(n) for n in shape)
    free = available_bytes()
    if free is not None and need > free:
        raise ImageFormatError(
            f"{what} declares {' x '.join(map(str, shape))} pixels ({need / 2**30:.1f} GiB with "
            f"their coordinates), "
            f"more than the {free / 2**30:.1f} GiB of memory available now")


def check_known_sizes(shape: tuple[float, ...]) -> None:
    """Raise ImageFormatError when a size is unknown (NaN: a Dask array's uncomputed chunks).

    Parameters
    ----------
    shape : tuple of int or float
        An array's shape; Dask gives NaN for sizes known only once computed (after
        boolean indexing, for instance).
    """
    if any(size != size for size in shape):  # NaN is the only value unequal to itself
        raise ImageFormatError(f"The Dask array's chunk sizes are unknown (shape {shape}); "
                               "call its .compute_chunk_sizes() first.")
