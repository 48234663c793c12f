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

from ij_bgcorr.batch.manifest import MANIFEST_NAME

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
        relative to the list file's folder), or a sequence of paths and
        folders (kept in their order; a folder stands for its TIFFs).

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
    else:  # a folder among them stands for its TIFFs; any other entry is a file
        paths = [found for p in inputs
                 for found in (_paths_named_by(os.fspath(p)) if Path(p).is_dir() else [Path(p)])]
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
        Folder name by input path (``str(path)``): the file's stem (with a leading
        ``_`` when it is hidden or the manifest's name), plus ``-`` and the first 8 hex
        digits of the path's SHA-256 when several inputs share that name regardless of
        case (``a/img.tif`` and ``b/IMG.tif``).
    """
    safe = {str(p): _folder_name(p.stem) for p in paths}
    counts: dict[str, int] = {}
    for name in safe.values():
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    return {path: name + "-" + hashlib.sha256(path.encode()).hexdigest()[:8]
            if counts[name.lower()] > 1 else name for path, name in safe.items()}


def _folder_name(stem: str) -> str:
    """Return a stem as an output folder name that cannot meet the batch's own files.

    Hidden names (``.x.tmp``, ``.``, ``..``, the lock), the manifest's name and empty
    names get a leading ``_``; the batch's own files are all hidden or the manifest.
    """
    if not stem or stem.startswith(".") or stem.lower() == MANIFEST_NAME:
        return "_" + stem
    return stem
