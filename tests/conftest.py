"""Shared fixtures: one embedded engine per test session, and the lesson's images."""

from __future__ import annotations

from pathlib import Path

import pytest

import ij_bgcorr as ijb

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


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
