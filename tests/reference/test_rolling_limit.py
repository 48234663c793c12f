"""A rolling radius ImageJ cannot roll is refused at once, on the engine and the numpy side."""

from __future__ import annotations

import time

import numpy as np
import pytest

from ij_bgcorr import reference
from ij_bgcorr.errors import CommandError
from ij_bgcorr.options import BackgroundOptions, ball_geometry

IMAGE = np.zeros((32, 32), np.uint8)


def test_the_ball_grows_as_imagej_sizes_it():
    # ImageJ's RollingBall: factor 1/2/4/8 at 10/30/100 px, rim trimmed 24/24/32/40 %
    assert ball_geometry(5) == (1, 5.0, 4)        # trim int(24*5)//100 = 1 -> round(4)
    assert ball_geometry(50) == (4, 12.5, 9)      # trim int(32*12.5)//100 = 4 -> round(8.5)
    assert ball_geometry(1000) == (8, 125.0, 75)  # trim 50 -> 75


def test_a_patch_beyond_a_java_array_is_refused():
    BackgroundOptions(300_000)  # patch 45001 x 45001: still one Java array
    with pytest.raises(CommandError, match=r"rolling=1e\+06 needs a rolling-ball patch of "
                                           r"150001 x 150001 points"):
        BackgroundOptions(1e6)
    assert BackgroundOptions(1e6, sliding=True).rolling == 1e6  # no patch: allowed


def test_the_numpy_side_refuses_it_too():
    with pytest.raises(CommandError, match="rolling-ball patch"):
        reference.subtract_background(IMAGE, rolling=1e6)


@pytest.mark.jvm
def test_the_engine_refuses_it_before_imagej_runs(fiji):
    started = time.monotonic()
    with pytest.raises(CommandError, match="rolling-ball patch"):
        fiji.subtract_background(IMAGE, rolling=1e6)
    assert time.monotonic() - started < 1  # refused, not run for seconds first
