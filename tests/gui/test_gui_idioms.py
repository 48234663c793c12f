"""Our GUI-idiom macros (``macros/*.ijm``) give on the engine under test what ImageJ's GUI gives.

Each macro exercises one thing the GUI does differently from a headless or batch run
(windows and their titles, plots, Restore Selection across windows, the ROI Manager, the
Log and Results windows, messages answered OK, dialogs that wait for a person, ...).
``macros.json`` names each macro's input (a lesson image the package ships) or null.

The truth is the jar of the engine under test (:mod:`tests.truth.jars`), run by the
harness in :mod:`tests.truth.imagej_gui`: a fresh plain ImageJ per macro, on its own
virtual display. All the truths start at once in the background, two at a time, while
the engine runs the macros one after the other; each test waits for its own truth.
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from truth.compare import compare_outcomes
from truth.jars import truth_jar, truth_missing

from .runs import IDIOMS, TIMEOUT, idioms, input_path, run_ours, start_truths

MACROS = idioms()
pytestmark = pytest.mark.jvm

@pytest.fixture(scope="session")
def idiom_truths(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, Future[dict[str, Any]]]:
    engine = str(request.config.getoption("--engine"))
    missing = truth_missing(engine)
    if missing:
        pytest.skip(missing)
    jobs = {name: (IDIOMS / name, input_path(inp)) for name, inp in MACROS.items()}
    pool, futures = start_truths(truth_jar(engine), jobs, tmp_path_factory.mktemp("idioms"))
    request.addfinalizer(lambda: pool.shutdown(wait=True, cancel_futures=True))
    return futures


def test_every_idiom_is_in_the_manifest() -> None:
    on_disk = sorted(p.name for p in Path(IDIOMS).glob("*.ijm"))
    assert on_disk == sorted(MACROS)
    assert len(on_disk) >= 20


@pytest.mark.parametrize("name", sorted(MACROS))
def test_idiom_runs_as_in_the_imagej_gui(name: str, fiji: Any,
                                        idiom_truths: dict[str, Future[dict[str, Any]]]) -> None:
    ours = run_ours(fiji, IDIOMS / name, input_path(MACROS[name]), timeout=TIMEOUT)
    truth = idiom_truths[name].result()
    diffs = compare_outcomes(truth, ours)
    assert diffs == [], "\n".join(diffs)
