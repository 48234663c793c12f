"""The batch's records and its manifest: what to do per input, what happened, what to redo.

``<out>/manifest.json`` holds one :class:`FileResult` per input (its
SHA-256, the method and parameters, the ImageJ version, the macro lines
that ran, the outputs, tables and Log, and the status). It is rewritten
atomically after each file, so a killed run can be resumed: :func:`is_current`
says which inputs are done.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ij_bgcorr.batch.files import atomic_write, file_sha256
from ij_bgcorr.options import DEFAULT_TIMEOUT

log = logging.getLogger(__name__)

#: The manifest's file name in the output folder.
MANIFEST_NAME = "manifest.json"
#: The manifest's format number, written as its ``"format"``.
MANIFEST_FORMAT = 1


@dataclass
class Job:
    """One input to process: what a worker needs, all plain values (picklable).

    Parameters
    ----------
    input : str
        The input file's absolute path.
    out_dir : str
        The folder its outputs go to (``<out>/<stem>``).
    method : str
        The method's name (see :data:`ij_bgcorr.methods.METHODS`).
    params : dict of str to object
        The method's full parameters (radii in pixels); for ``macro`` they
        are passed to the macro through ``getArgument()``.
    macro : str, optional
        The ``.ijm`` file's absolute path, for method ``macro``.
    timeout : float
        Seconds before a macro is stopped.
    imagej_threads : int, optional
        Threads ImageJ's filters may use in the worker (1 when several
        worker processes share the CPUs, so they do not compete); ``None``
        leaves ImageJ's setting alone.
    """

    input: str
    out_dir: str
    method: str
    params: dict[str, Any]
    macro: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    imagej_threads: int | None = None


@dataclass
class FileResult:
    """What happened to one input; also its manifest entry.

    Parameters
    ----------
    input : str
        The input file's absolute path.
    status : str
        ``"ok"`` when every output was written, else ``"error"``.
    method : str
        The method's name.
    params : dict of str to object
        The method's full parameters (radii in pixels).
    input_sha256 : str, optional
        The input's SHA-256 (hex), ``None`` when it could not be read.
    message : str
        Why the file failed (``"ExceptionType: text"``); empty when ok.
    imagej_version : str, optional
        The version of the ImageJ that made the outputs.
    macro_lines : list of str
        The distinct macro lines that made the outputs, in order.
    outputs : dict of str to dict
        By output title: ``{"path", "sha256", "bytes", "macro_line"}``
        (``path`` relative to the batch's output folder, size in bytes).
    tables : dict of str to dict
        By table title (the macro method's Results and named tables, as CSV):
        ``{"path", "sha256", "bytes"}``.
    seconds : float
        Wall time spent on the file in the worker, seconds.
    worker : str
        ``host:pid`` of the process that did it.
    macro : str
        For the macro method, the text of the macro that ran; else the engine's
        recorded macro for this file (it replays the file's commands in Fiji).
    log : dict, optional
        The macro method's Log text, as ``Log.txt``: ``{"path", "sha256", "bytes"}``;
        ``None`` when the macro printed nothing (no file is written then).
    unchanged : list of str
        The titles of images open at the macro's end that are the input as ImageJ
        opened it (its file name, pixels, dims and calibration): not written again.
    """

    input: str
    status: str
    method: str
    params: dict[str, Any]
    input_sha256: str | None = None
    message: str = ""
    imagej_version: str | None = None
    macro_lines: list[str] = field(default_factory=list)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0
    worker: str = ""
    macro: str = ""
    log: dict[str, Any] | None = None
    unchanged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every output was written."""
        return self.status == "ok"

    def written(self) -> list[dict[str, Any]]:
        """Return the record of every file written: the images, the tables, the Log.

        Returns
        -------
        list of dict
            Each ``{"path", "sha256", "bytes", ...}``, ``path`` relative to the batch's
            output folder.
        """
        return [*self.outputs.values(), *self.tables.values(), *([self.log] if self.log else [])]

    def to_dict(self) -> dict[str, Any]:
        """Return the manifest entry.

        Returns
        -------
        dict of str to object
            Every field, JSON-serializable.
        """
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FileResult:
        """Read a record back from the manifest.

        Parameters
        ----------
        data : mapping of str to object
            A manifest entry; keys that are not fields (from a newer
            version) are ignored.

        Returns
        -------
        FileResult
            The record.

        Raises
        ------
        TypeError
            When a required field is missing.
        """
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


def read_manifest(out_dir: str | os.PathLike[str]) -> dict[str, FileResult]:
    """Read the manifest's entries.

    Parameters
    ----------
    out_dir : str or os.PathLike
        The batch's output folder.

    Returns
    -------
    dict of str to FileResult
        Entries by input path; empty when there is no manifest or it cannot
        be read (a warning is logged then: the batch redoes everything
        rather than fail).
    """
    path = Path(out_dir) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {key: FileResult.from_dict(entry) for key, entry in data["entries"].items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if path.exists():
            log.warning("Ignoring unreadable manifest %s: %s", path, exc)
        return {}


def _entry_json(entry: FileResult) -> str:
    return json.dumps(entry.to_dict(), indent=1, sort_keys=True).replace("\n", "\n  ")


def write_manifest(out_dir: Path, entries: Mapping[str, FileResult],
                   cache: dict[str, tuple[FileResult, str]] | None = None) -> Path:
    """Write ``<out_dir>/manifest.json`` atomically.

    The file is ``{"format": 1, "entries": {input path: entry}}``, entries
    sorted by input path.

    Parameters
    ----------
    out_dir : pathlib.Path
        The batch's output folder (it must exist).
    entries : mapping of str to FileResult
        Every entry, by input path.
    cache : dict, optional
        Input path -> (entry, its JSON text), filled in here. A caller that
        rewrites the manifest after every file passes the same dict each
        time, so each entry is serialized only once (a batch of thousands of
        files would otherwise spend quadratic time in ``json.dumps``).

    Returns
    -------
    pathlib.Path
        The manifest's path.

    Raises
    ------
    OSError
        When the manifest cannot be written.
    """
    cache = {} if cache is None else cache
    parts = []
    for key in sorted(entries):
        entry = entries[key]
        cached = cache.get(key)
        if cached is None or cached[0] is not entry:
            cached = cache[key] = (entry, _entry_json(entry))
        parts.append(f"  {json.dumps(key)}: {cached[1]}")
    body = ",\n".join(parts)
    text = f'{{\n "format": {MANIFEST_FORMAT},\n "entries": {{\n{body}\n }}\n}}\n'
    path = out_dir / MANIFEST_NAME
    atomic_write(path, lambda temp: temp.write_text(text, encoding="utf-8"))
    return path


def is_current(entry: FileResult | None, job: Job, out_dir: Path) -> bool:
    """Whether ``entry`` says ``job`` is done and its outputs are intact.

    Parameters
    ----------
    entry : FileResult, optional
        The input's manifest entry, ``None`` when it has none.
    job : Job
        The work asked for now.
    out_dir : pathlib.Path
        The batch's output folder (output paths are relative to it).

    Returns
    -------
    bool
        True when the method and parameters are the same, the status is ok,
        every file written (images, tables, Log) is present with its recorded size
        and SHA-256, and the input's SHA-256 is unchanged. An unreadable file counts
        as not done.
    """
    if entry is None or not entry.ok or entry.method != job.method:
        return False
    if entry.params != job.params:
        return False
    for output in entry.written():
        path = out_dir / output["path"]
        try:
            # the size first: it is free, and hashing every output is not
            if path.stat().st_size != output["bytes"] or file_sha256(path) != output["sha256"]:
                return False
        except OSError:
            return False
    try:
        return file_sha256(job.input) == entry.input_sha256
    except OSError:
        return False


def remove_dropped_outputs(old: FileResult | None, new: FileResult, out_dir: Path) -> None:
    """Delete the files an earlier run wrote for an input that this run did not.

    A macro edited to leave other images open (or no table, or no Log) would
    otherwise leave its old files beside the new ones.

    Parameters
    ----------
    old : FileResult, optional
        The input's previous manifest entry, if any.
    new : FileResult
        This run's result; nothing is deleted when it failed.
    out_dir : pathlib.Path
        The batch's output folder.
    """
    if old is None or not new.ok:
        return
    kept = {o["path"] for o in new.written()}
    for output in old.written():
        if output["path"] not in kept:
            (out_dir / output["path"]).unlink(missing_ok=True)
