"""Which files a batch reads, and the output folder each one gets.

Inputs are named by a folder, a glob pattern, a list file, one TIFF path or a
sequence of paths; :func:`collect_inputs` turns any of them into absolute
paths and :func:`output_folders` gives each one its folder name.
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

#: File name endings taken from a folder (compared case-insensitively).
TIFF_SUFFIXES = (".tif", ".tiff")


def _has_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def _is_tiff_name(path: Path) -> bool:
    return path.suffix.lower() in TIFF_SUFFIXES


def collect_inputs(inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
                   ) -> list[Path]:
    """Return the input files named by ``inputs``, as absolute paths, without duplicates.

    Entries that turn out unreadable are kept: :func:`ij_bgcorr.batch.run.batch`
    reports them as failures, so that one bad file does not stop a batch.

    Parameters
    ----------
    inputs : str, os.PathLike or iterable of them
        A folder (its ``*.tif``/``*.tiff`` files, sorted by name), a glob
        pattern (sorted matches), a TIFF path, a list file (one path per
        line; blank lines and ``#`` comments ignored; relative paths are
        relative to the list file's folder), or a sequence of paths (kept in
        their order).

    Returns
    -------
    list of pathlib.Path
        Absolute paths, first occurrence of each kept.

    Raises
    ------
    FileNotFoundError
        When a folder, pattern or list file names no file, or ``inputs`` is
        a single path that does not exist.
    """
    if isinstance(inputs, (str, os.PathLike)):
        paths = _paths_named_by(os.fspath(inputs))
    else:
        paths = [Path(p) for p in inputs]
    unique: dict[str, Path] = {}
    for p in paths:
        unique.setdefault(os.path.abspath(p), Path(os.path.abspath(p)))
    return list(unique.values())


def _paths_named_by(text: str) -> list[Path]:
    """Return the paths one string stands for: a folder, a pattern, a TIFF or a list file."""
    path = Path(text)
    if path.is_dir():
        found = [p for p in path.iterdir() if _is_tiff_name(p)]
        paths = sorted(found, key=lambda p: p.name)
    elif _has_glob(text) and not path.exists():  # a file may have "[" in its name
        paths = [Path(p) for p in sorted(glob.glob(text))]
    elif _is_tiff_name(path) or path.is_symlink():  # a dangling link is a failure, later
        paths = [path]
    elif path.is_file():
        paths = _read_list_file(path)
    else:
        raise FileNotFoundError(f"No such input folder, file or pattern: {text}")
    if not paths:
        raise FileNotFoundError(f"No .tif/.tiff files in or matching {text}")
    return paths


def _read_list_file(path: Path) -> list[Path]:
    paths = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        p = Path(entry).expanduser()
        paths.append(p if p.is_absolute() else path.parent / p)
    return paths


def output_folders(paths: Sequence[Path]) -> dict[str, str]:
    """Name the output folder of each input: its stem, made unique where stems collide.

    Parameters
    ----------
    paths : sequence of pathlib.Path
        The inputs, as returned by :func:`collect_inputs`.

    Returns
    -------
    dict of str to str
        Folder name by input path (``str(path)``): the file's stem, plus
        ``-`` and the first 8 hex digits of the path's SHA-256 when several
        inputs share that stem (``a/img.tif`` and ``b/img.tif``).
    """
    stems: dict[str, int] = {}
    for p in paths:
        stems[p.stem] = stems.get(p.stem, 0) + 1
    names = {}
    for p in paths:
        name = p.stem
        if stems[name] > 1:
            name += "-" + hashlib.sha256(str(p).encode()).hexdigest()[:8]
        names[str(p)] = name
    return names
