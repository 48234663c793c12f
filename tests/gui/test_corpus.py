"""Real macros by other people give on the engine under test what ImageJ's GUI gives.

The corpus (73 macros from public training material and lab repositories, with
``corpus.json``, their inputs' maker ``make_inputs.py`` and their licences) is not part of
this repository: it is found at ``$IJ_BGCORR_CORPUS``, else at ``../shared/corpus`` beside
the project; without it every test here skips, saying so.

Per macro: the truth (the jar of the engine under test, a fresh plain ImageJ GUI) and the
engine's ``run_macro(path, files=[input])`` are compared with
:func:`tests.truth.compare.compare_outcomes`. Not compared: a macro that needs a plugin on
the embedded engine (plain ImageJ has none), and on the Fiji engine one whose plugin that
Fiji has (the truth, plain ImageJ, has not). A macro whose values differ from run to run
(random numbers; one draws its own timings) is compared without them (pixels, cells, Log
text). ``corpus_report.py`` writes the same
comparison as a table (``docs/corpus.md``).
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from truth.compare import compare_outcomes
from truth.jars import fiji_app, truth_jar, truth_missing

from .runs import (
    CORPUS_MISSING,
    TIMEOUT,
    commands_present,
    corpus_entries,
    find_corpus,
    input_path,
    make_corpus_inputs,
    not_comparable,
    plugin_command,
    run_ours,
    start_truths,
    values_vary,
)

CORPUS = find_corpus()
ENTRIES = {e["file"]: e for e in corpus_entries(CORPUS)} if CORPUS else {}
pytestmark = [pytest.mark.jvm, pytest.mark.skipif(CORPUS is None, reason=CORPUS_MISSING)]
PARAMS = sorted(ENTRIES) or [pytest.param("", id="no-corpus")]


@pytest.fixture(scope="session")
def corpus_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert CORPUS is not None
    return make_corpus_inputs(CORPUS, tmp_path_factory.mktemp("corpus_inputs"))


@pytest.fixture(scope="session")
def corpus_truths(request: pytest.FixtureRequest, corpus_inputs: Path,
                  tmp_path_factory: pytest.TempPathFactory) -> dict[str, Future[dict[str, Any]]]:
    assert CORPUS is not None
    engine = str(request.config.getoption("--engine"))
    missing = truth_missing(engine)
    if missing:
        pytest.skip(missing)
    jobs = {name: (CORPUS / "macros" / name, input_path(entry["input"], corpus_inputs))
            for name, entry in ENTRIES.items()
            if not (engine == "embedded" and entry.get("needs_plugin"))}
    pool, futures = start_truths(truth_jar(engine), jobs, tmp_path_factory.mktemp("corpus"))
    request.addfinalizer(lambda: pool.shutdown(wait=True, cancel_futures=True))
    return futures


@pytest.fixture(scope="session")
def plugin_commands(fiji: Any) -> dict[str, bool]:
    """Which of the plugins' commands the engine's ImageJ (or its Fiji.app) has."""
    app = fiji_app() if fiji.kind == "fiji" else None
    return commands_present(fiji, filter(None, map(plugin_command, ENTRIES.values())), app)


@pytest.mark.parametrize("name", PARAMS)
def test_corpus_macro_runs_as_in_the_imagej_gui(
        name: str, fiji: Any, engine_kind: str, corpus_inputs: Path,
        corpus_truths: dict[str, Future[dict[str, Any]]],
        plugin_commands: dict[str, bool]) -> None:
    assert CORPUS is not None
    entry = ENTRIES[name]
    reason = not_comparable(entry, engine_kind, lambda c: plugin_commands.get(c, False))
    if reason:
        pytest.skip(reason)
    ours = run_ours(fiji, CORPUS / "macros" / name, input_path(entry["input"], corpus_inputs),
                    timeout=TIMEOUT)
    truth = corpus_truths[name].result()
    diffs = compare_outcomes(truth, ours, exact_values=not values_vary(entry))
    assert diffs == [], "\n".join(diffs)
