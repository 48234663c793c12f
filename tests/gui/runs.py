"""Running a macro both ways: in plain ImageJ's GUI (the truth) and on the engine under test.

Shared by the idiom tests, the corpus tests and ``corpus_report.py``:

* :func:`start_truths`: the truth of many macros, ``workers`` at a time in the background
  (each run is its own JVM on its own virtual display, about 1.5-3 s), as futures;
* :func:`run_ours`: ``engine.run_macro(path, files=[...], timeout=...)``, its
  :class:`~ij_bgcorr.engine.results.MacroResult` or the :class:`~ij_bgcorr.MacroError` it
  raised;
* the inputs by name (``spots``, ``noisy``, ``polyp``: the package's lesson images;
  ``blobs_like``, ``hyperstack16``: made by the corpus's ``make_inputs.py``; ``none``);
* the corpus: where it is (:func:`find_corpus`), its entries, and which macros cannot be
  compared and why.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
if str(TESTS) not in sys.path:  # the truth harness lives in tests/truth
    sys.path.insert(0, str(TESTS))

from truth.imagej_gui import run_truth  # noqa: E402

HERE = Path(__file__).resolve().parent
IDIOMS = HERE / "macros"
IDIOM_MANIFEST = HERE / "macros.json"
#: the lesson images the package ships, by the names the manifests use
LESSON_INPUTS = {"spots": "xy_8bit__some_spots_with_uneven_bg",
                 "noisy": "xy_8bit__two_spots_noisy_uneven_background",
                 "polyp": "xyt_8bit_polyp"}
#: the inputs the corpus's make_inputs.py writes
MADE_INPUTS = {"blobs_like": "blobs_like.tif", "hyperstack16": "hyperstack16.tif"}
CORPUS_ENV = "IJ_BGCORR_CORPUS"
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
CORPUS_MISSING = ("needs the macro corpus: set IJ_BGCORR_CORPUS=/path/to/corpus (macros/ and "
                  "corpus.json) or put it at ../shared/corpus")
TIMEOUT = 60  # seconds for one run, either side
TRUTH_TIMEOUT = 90  # the truth's includes its JVM's start, on a machine that may be busy


def input_path(name: str | None, made: Path | None = None) -> list[str]:
    """The files to open before a macro: ``[]`` for none, else one path."""
    if name in (None, "", "none"):
        return []
    if name in LESSON_INPUTS:
        from ij_bgcorr import data

        return [str(data.path(LESSON_INPUTS[name]))]
    if name in MADE_INPUTS:
        if made is None:
            raise ValueError(f"input {name!r} is made by the corpus's make_inputs.py: "
                             "no folder given")
        return [str(made / MADE_INPUTS[name])]
    raise ValueError(f"unknown input {name!r}")


def idioms() -> dict[str, str | None]:
    """Our GUI-idiom macros: file name -> input name (or None)."""
    return json.loads(IDIOM_MANIFEST.read_text())


def start_truths(jar: Path, jobs: Mapping[str, tuple[Path, list[str]]], out: Path,
                 workers: int = 2) -> tuple[ThreadPoolExecutor, dict[str, Future[dict[str, Any]]]]:
    """Start the truth of every job (name -> (macro path, files)) in the background.

    Returns the pool (shut it down when done) and a future outcome per name, in the
    jobs' order.
    """
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="truth")
    futures = {name: pool.submit(run_truth, jar, macro, out / _safe(name), open_paths=files,
                                 timeout=TRUTH_TIMEOUT)
               for name, (macro, files) in jobs.items()}
    return pool, futures


def run_ours(engine: Any, macro: Path, files: Iterable[str], timeout: float = TIMEOUT) -> Any:
    """The engine's run of ``macro`` on ``files``: a MacroResult, or the MacroError raised."""
    from ij_bgcorr import MacroError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. MacroWarning of options a command ignored
            return engine.run_macro(macro, files=list(files), timeout=timeout)
    except MacroError as exc:
        return exc


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


# --- the corpus ----------------------------------------------------------------------------

def find_corpus(given: str | os.PathLike[str] | None = None) -> Path | None:
    """The corpus folder: ``given``, else ``$IJ_BGCORR_CORPUS``, else ``../shared/corpus``."""
    for candidate in (given, os.environ.get(CORPUS_ENV), SHARED_CORPUS):
        if candidate and (Path(candidate) / "corpus.json").is_file() \
                and (Path(candidate) / "macros").is_dir():
            return Path(candidate).resolve()
    return None


def corpus_entries(corpus: Path) -> list[dict[str, Any]]:
    """The corpus's entries (``corpus.json``), in file order."""
    return list(json.loads((corpus / "corpus.json").read_text()))


def make_corpus_inputs(corpus: Path, folder: Path) -> Path:
    """Write the corpus's made inputs (``make_inputs.py``) into ``folder``; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    if not all((folder / f).is_file() for f in MADE_INPUTS.values()):
        subprocess.run([sys.executable, str(corpus / "make_inputs.py"), str(folder)],
                       check=True, capture_output=True, timeout=120)
    return folder


#: corpus macros whose values differ from run to run for another reason than random numbers
VARYING = {"70_polygon_draw_timing.ijm": "it draws the milliseconds its drawing took "
                                         "(getTime) into the image"}


def values_vary(entry: Mapping[str, Any]) -> str:
    """Why a corpus macro's values (pixels, cells, Log text) differ from run to run, or ``""``.

    Such a macro is compared without them (``compare_outcomes(..., exact_values=False)``).
    """
    if "random" in (entry.get("features") or []):
        return "it draws random numbers"
    return VARYING.get(entry.get("file", ""), "")


def plugin_command(entry: Mapping[str, Any]) -> str | None:
    """The command of the plugin a corpus macro needs (from its batch check's error)."""
    found = re.search(r'Unrecognized command: "([^"]+)"', entry.get("batch_check") or "")
    return found[1] if found else None


def commands_present(engine: Any, commands: Iterable[str],
                     app: Path | None = None) -> dict[str, bool]:
    """Which commands the engine's ImageJ, or its Fiji.app, has.

    In the engine's menus (``List.setCommands``), or a LUT of that name (``run("HiLo")``
    opens ``luts/HiLo.lut``) in the luts folder of ImageJ or of ``app``, the Fiji.app.
    (The Fiji engine's ImageJ folder is its working folder, not the Fiji.app: it does not
    find the Fiji's LUTs, where the Fiji GUI does.)
    """
    wanted = sorted(set(commands))
    if not wanted:
        return {}
    macro = "List.setCommands;\nluts = getDirectory(\"luts\");\n" + "".join(
        f'if (List.get("{c}") != "" || File.exists(luts + "{c}.lut")) print("1"); '
        'else print("0");\n' for c in wanted)
    result = engine.run_macro(macro, timeout=TIMEOUT)
    answers = [line.strip() == "1" for line in result.log.splitlines()]
    found = dict(zip(wanted, answers, strict=True))
    if app is not None:
        found = {c: has or (app / "luts" / f"{c}.lut").is_file() for c, has in found.items()}
    return found


def not_comparable(entry: Mapping[str, Any], engine_kind: str,
                   has_command: Callable[[str], bool]) -> str:
    """Why a corpus macro cannot be compared on this engine, or ``""``.

    A macro that needs a plugin: never on the embedded engine (plain ImageJ has none); on
    the Fiji engine when the Fiji has the plugin, as the truth (plain ImageJ) has not.
    """
    plugin = entry.get("needs_plugin") or ""
    if not plugin:
        return ""
    if engine_kind == "embedded":
        return f"needs a plugin: {plugin}"
    command = plugin_command(entry)
    if command is None or has_command(command):
        return (f"needs {plugin}, which this Fiji has and plain ImageJ (the truth) has not: "
                "cannot be compared")
    return ""


__all__ = ["CORPUS_MISSING", "commands_present", "corpus_entries", "find_corpus", "idioms",
           "input_path", "make_corpus_inputs", "not_comparable", "run_ours",
           "start_truths", "values_vary"]
