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

#: where the package is known to differ from ImageJ's GUI, on both engines (reported to be
#: fixed in the package): strict, so that a fix shows up as an unexpected pass
KNOWN = {
    "exit_with_message.ijm": 'exit("msg") shows its message after the macro finished and ends '
                             "normally; the package raises a MacroError with the message",
    "show_message_two_lines.ijm": "a showMessage call split over two lines is not answered OK "
                                  "(the package looks for showMessage( in the text of the "
                                  "interpreter's line, here the second one): MacroError",
    "show_message_then_wait.ijm": "a line that calls showMessage and then waitForUser: the "
                                  "package answers the waitForUser dialog too and runs on",
}
#: known too, but only when run after the idioms above (in file order): not strict
AFTER_OTHERS: dict[str, str] = {}


def _param(name: str) -> Any:
    if name in KNOWN:
        return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN[name]))
    if name in AFTER_OTHERS:
        return pytest.param(name, marks=pytest.mark.xfail(strict=False,
                                                          reason=AFTER_OTHERS[name]))
    return name


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


@pytest.mark.parametrize("name", [_param(n) for n in sorted(MACROS)])
def test_idiom_runs_as_in_the_imagej_gui(name: str, fiji: Any,
                                        idiom_truths: dict[str, Future[dict[str, Any]]]) -> None:
    ours = run_ours(fiji, IDIOMS / name, input_path(MACROS[name]), timeout=TIMEOUT)
    truth = idiom_truths[name].result()
    diffs = compare_outcomes(truth, ours)
    assert diffs == [], "\n".join(diffs)
