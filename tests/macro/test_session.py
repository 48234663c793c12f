"""The session recorder and the macro-line builders, without Java."""

from __future__ import annotations

import re

import numpy as np
import pytest

import ij_bgcorr as ijb
from ij_bgcorr.macro.session import Session, unique_title

STACK = np.random.default_rng(7).integers(0, 4000, (3, 30, 34), dtype=np.uint16)


def test_unique_titles_number_copies_as_imagej_does() -> None:
    taken = {"a.tif", "a-1.tif", "b"}
    assert unique_title("c", taken) == "c"
    assert unique_title("a.tif", taken) == "a-2.tif"
    assert unique_title("b", taken) == "b-1"
    assert unique_title("Result of a.tif", {"Result of a.tif"}) == "Result of a-1.tif"


def test_session_places_known_file_and_memory_inputs() -> None:
    session = Session()
    image = ijb.as_image(STACK[0]).assign_attrs(title="m")
    assert session.place(image) == "m"
    assert session.place(image) == "m"          # same pixels: the same image
    other = image.copy(data=STACK[1])
    assert session.place(other) == "m-1"        # same title, other pixels: a new input
    assert session.lines == [] and len(session.needs_open) == 2
    session.record("m", ['run("Duplicate...", "title=r");'], "r", "digest")
    session.record("r", ["run(\"Invert\");"], "r-1", "digest2")
    text = session.macro("header")
    assert re.findall(r"selectImage\(\"(\w+)\"\)", text) == ["m"]
    assert text.splitlines()[0] == "// header"


@pytest.mark.parametrize("layout", ["plane", "stack"])
def test_call_lines_without_java(layout: str) -> None:
    from ij_bgcorr.macro import commands

    data = STACK[0] if layout == "plane" else STACK
    stack = " duplicate" if layout == "stack" else ""
    planes = " stack" if layout == "stack" else ""
    call = commands.median(data, 2)
    assert call.lines(["in"], "out") == [f'run("Duplicate...", "title=out{stack}");',
                                         f'run("Median...", "radius=2{planes}");']
    calc = commands.image_calculator("subtract", data, data, create=False)
    assert calc.lines(["a", "b"], "c")[-1] == (
        f'imageCalculator("Subtract{planes}", "c","b");')
    created = commands.image_calculator("subtract", data, data, float32=True)
    assert created.lines(["a", "b"], "Result of a") == [
        f'imageCalculator("Subtract create 32-bit{planes}", "a","b");']
    assert created.lines(["a", "b"], "diff")[-1] == 'rename("diff");'
