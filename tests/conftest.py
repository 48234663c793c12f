"""Shared fixtures: one engine per test session, chosen by ``--engine``, and the lesson's images.

The suite runs once per engine (Java starts once per process):

* ``pytest`` (``--engine embedded``, the default): every test, with the
  embedded ImageJ 1.x; ``$IJ_BGCORR_FIJI`` is cleared so that child
  processes (command line, batch workers) use it too;
* ``pytest --engine fiji -m jvm``: every test that needs Java, with the Fiji
  in ``$IJ_BGCORR_FIJI``, else the one beside the project
  (``../shared/fiji/Fiji.app``); child processes inherit that choice.

A test that uses the ``fiji`` fixture (the engine) or ``engine_kind`` is marked ``jvm``
automatically; a test that starts Java in a child process carries the mark
itself. ``pytest -m "not jvm"`` runs the rest without Java.

The ``--engine`` option, the ``jvm`` mark, ``$IJ_BGCORR_FIJI`` and the end of the
test process are the project's root ``conftest.py``'s, shared with the
docstrings' examples.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import ij_bgcorr as ijb
from ij_bgcorr import data
from ij_bgcorr.engine.locate import FIJI_ENV

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SHARED_FIJI = SHARED / "fiji" / "Fiji.app"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if {"fiji", "engine_kind"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.jvm)


def engine_under_test(config: pytest.Config) -> str:
    """``"embedded"`` or ``"fiji"``: the engine this test run uses."""
    return str(config.getoption("--engine"))


def require_engine(config: pytest.Config) -> None:
    """Skip, saying what is needed, when the Fiji run has no Fiji.app."""
    if engine_under_test(config) == "fiji" and not os.environ.get(FIJI_ENV):
        pytest.skip(f"needs a Fiji.app: set {FIJI_ENV}=/path/to/Fiji.app or put one at "
                    f"{SHARED_FIJI}")


@pytest.fixture(scope="session")
def fiji(request: pytest.FixtureRequest) -> ijb.Engine:
    """The engine under test (embedded or Fiji, by ``--engine``)."""
    require_engine(request.config)
    engine = ijb.start()
    assert engine.kind == engine_under_test(request.config)
    return engine


@pytest.fixture
def engine_kind(request: pytest.FixtureRequest) -> str:
    """The engine this run tests, for child processes and expectations that differ."""
    require_engine(request.config)
    return engine_under_test(request.config)


@pytest.fixture
def spots_path() -> Path:
    return data.path(data.SPOTS)


@pytest.fixture
def polyp_path() -> Path:
    return data.path(data.POLYP)


@pytest.fixture
def noisy_path() -> Path:
    return data.path("xy_8bit__two_spots_noisy_uneven_background")


@pytest.fixture
def figure_of() -> Iterator[Callable[..., Any]]:
    """Build a cross-validation figure for a result and close it after the test."""
    import matplotlib.pyplot as plt

    from ij_bgcorr.crossval import report

    made = []

    def build(result: Any, line: Any = None) -> Any:
        made.append(report.build_figure(result, line))
        return made[-1]

    yield build
    for fig in made:
        plt.close(fig)
