"""What every pytest run of the project shares: the engine option, and the docstrings' examples.

Loaded whatever is collected (``tests``, ``ij_bgcorr`` or single files), so that
``--engine`` is known everywhere:

* ``--engine embedded`` (the default) clears ``$IJ_BGCORR_FIJI``, so that
  :func:`ij_bgcorr.start` and child processes start the embedded ImageJ 1.x;
* ``--engine fiji`` sets ``$IJ_BGCORR_FIJI`` to the Fiji beside the project
  (``../shared/fiji/Fiji.app``) unless it is set, so that the same calls start Fiji.

The ``Examples`` sections of the package's docstrings run as doctests
(``--doctest-modules``, ``ij_bgcorr`` in ``testpaths``). An example that starts
an engine, with ``ijb.start()`` (or ``ij_bgcorr.start()``) as a user would, or
runs a batch (``ijb.batch(...)``), is marked ``jvm`` like the tests that need
Java: it runs in the ``-m jvm`` runs, on the engine ``--engine`` chose, and is
left out of the ``-m "not jvm"`` run. Every example has ``np`` and ``ijb``
(``import numpy as np``, ``import ij_bgcorr as ijb``), as the documentation
assumes. The fixtures of the test suite are in ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from ij_bgcorr.engine.locate import FIJI_ENV

_STATUS = pytest.StashKey[int]()
SHARED_FIJI = Path(__file__).resolve().parent.parent / "shared" / "fiji" / "Fiji.app"

# An example that starts an engine: ``ijb.start()``, ``ij_bgcorr.start(...)``, or a batch,
# which starts one (``ijb.batch(...)``).
_STARTS_ENGINE = re.compile(r"\b(?:ijb|ij_bgcorr)\.(?:start|batch)\(")
# Docstring examples that cannot run as written, by doctest name, and why.
@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace: dict[str, object]) -> None:
    """Give every example ``np`` and ``ijb``, as the package's documentation writes them.

    The examples assume ``import numpy as np`` and ``import ij_bgcorr as ijb``.
    """
    import numpy as np

    import ij_bgcorr as ijb

    doctest_namespace["np"] = np
    doctest_namespace["ijb"] = ijb


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--engine {embedded,fiji}``."""
    parser.addoption("--engine", choices=("embedded", "fiji"), default="embedded",
                     help="the engine the tests run on (Fiji: $IJ_BGCORR_FIJI, else "
                          "../shared/fiji/Fiji.app)")


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``jvm`` mark; point ``$IJ_BGCORR_FIJI`` at the engine asked for."""
    config.addinivalue_line("markers", "jvm: needs Java (starts an engine, here or in a child)")
    if config.getoption("--engine") == "fiji":
        if not os.environ.get(FIJI_ENV) and SHARED_FIJI.is_dir():
            os.environ[FIJI_ENV] = str(SHARED_FIJI)
    else:
        os.environ.pop(FIJI_ENV, None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the examples that start an engine ``jvm``; skip those that cannot run."""
    no_fiji = config.getoption("--engine") == "fiji" and not os.environ.get(FIJI_ENV)
    for item in items:
        if not isinstance(item, pytest.DoctestItem) or item.dtest is None:
            continue
        if any(_STARTS_ENGINE.search(example.source) for example in item.dtest.examples):
            item.add_marker(pytest.mark.jvm)
            if no_fiji:
                item.add_marker(pytest.mark.skip(
                    reason=f"needs a Fiji.app: set {FIJI_ENV}=/path/to/Fiji.app or put one "
                           f"at {SHARED_FIJI}"))


def pytest_report_header(config: pytest.Config) -> str:
    """Name the engine of this run (and the Fiji.app)."""
    engine = config.getoption("--engine")
    where = f" ({os.environ.get(FIJI_ENV) or 'no Fiji.app found'})" if engine == "fiji" else ""
    return f"ij-bgcorr engine: {engine}{where}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Keep the exit status for :func:`pytest_unconfigure`."""
    session.config.stash[_STATUS] = int(exitstatus)


def pytest_unconfigure(config: pytest.Config) -> None:
    """End the test process once pytest has reported, without JVM teardown."""
    from ij_bgcorr.engine.jvm import exit_now

    exit_now(config.stash.get(_STATUS, 0))
