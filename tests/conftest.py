"""Shared fixtures: one embedded engine per test session, and the lesson's images."""

from __future__ import annotations

from pathlib import Path

import pytest

import ij_bgcorr as ijb

_STATUS = pytest.StashKey[int]()
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[_STATUS] = int(exitstatus)


def pytest_unconfigure(config: pytest.Config) -> None:
    """End the test process once pytest has reported, without JVM teardown."""
    from ij_bgcorr.jvm import exit_now

    exit_now(config.stash.get(_STATUS, 0))


@pytest.fixture(scope="session")
def fiji() -> ijb.EmbeddedEngine:
    return ijb.start()


def lesson_file(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(f"needs the lesson image {name} in {SHARED_DATA} (the project's shared/data)")
    return path


@pytest.fixture
def spots_path() -> Path:
    return lesson_file("xy_8bit__some_spots_with_uneven_bg.tif")


@pytest.fixture
def polyp_path() -> Path:
    return lesson_file("xyt_8bit_polyp.tif")


@pytest.fixture
def noisy_path() -> Path:
    return lesson_file("xy_8bit__two_spots_noisy_uneven_background.tif")
