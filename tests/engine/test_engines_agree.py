"""The embedded engine and Fiji give the same results: pixels, dims, coords, attrs, macros.

This process runs one engine (``--engine``); a child process runs the other
on the same calls (``tests/engine_scenarios.py``), and every result is
compared. Differences between the two ImageJ versions are listed in
``KNOWN_DIFFERENCES`` with what each version computes, and checked as such.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import engine_scenarios
import numpy as np
import pytest
from scipy import ndimage

from conftest import REPO, SHARED_FIJI
from ij_bgcorr.engine.locate import FIJI_ENV

# Attrs that name the engine and its versions; everything else must be equal.
ENGINE_ATTRS = {"engine", "imagej_version", "fiji_version"}


def _mean_without_last(image: Any) -> np.ndarray:
    return image.values[:-1].mean(axis=0)


# result name → (ImageJ version prefix that differs, what that version computes from the input)
KNOWN_DIFFERENCES = {
    "zproject avg zstack32": ("1.53", "zstack32", _mean_without_last),
}


def _other_engine(kind: str, out: Path) -> dict[str, Any]:
    env = dict(os.environ)
    if kind == "fiji":
        env.pop(FIJI_ENV, None)
    else:
        fiji_app = os.environ.get(FIJI_ENV) or (str(SHARED_FIJI) if SHARED_FIJI.is_dir() else "")
        if not fiji_app:
            pytest.skip(f"needs a Fiji.app to compare with: set {FIJI_ENV}=/path/to/Fiji.app "
                        f"or put one at {SHARED_FIJI}")
        env[FIJI_ENV] = fiji_app
    script = Path(engine_scenarios.__file__)
    done = subprocess.run([sys.executable, str(script), str(out)], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    with open(out, "rb") as stream:
        return pickle.load(stream)


@pytest.fixture(scope="module")
def both(fiji: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    here = {"kind": fiji.kind, "version": fiji.version,
            "results": engine_scenarios.run_all(fiji), "macro": fiji.recorded_macro(),
            "macros": engine_scenarios.macro_outcomes(fiji)}
    there = _other_engine(fiji.kind, tmp_path_factory.mktemp("other") / "results.pkl")
    assert {here["kind"], there["kind"]} == {"embedded", "fiji"}
    return here, there


def test_every_call_gives_the_same_result(both: tuple[dict, dict]) -> None:
    here, there = both
    assert here["results"].keys() == there["results"].keys()
    inputs = engine_scenarios.images()
    compared = 0
    for name, ours in here["results"].items():
        theirs = there["results"][name]
        assert ours.dims == theirs.dims, name
        assert ours.dtype == theirs.dtype, name
        assert ours.coords.keys() == theirs.coords.keys(), name
        for dim in ours.coords:
            np.testing.assert_array_equal(ours.coords[dim].values, theirs.coords[dim].values,
                                          err_msg=f"{name}: coords {dim}")
            assert ours.coords[dim].attrs == theirs.coords[dim].attrs, (name, dim)
        same = {k: v for k, v in ours.attrs.items() if k not in ENGINE_ATTRS}
        assert same == {k: v for k, v in theirs.attrs.items() if k not in ENGINE_ATTRS}, name
        if name in KNOWN_DIFFERENCES:
            version, key, computes = KNOWN_DIFFERENCES[name]
            by_version = {r["version"]: r["results"][name] for r in both}
            for ij_version, result in by_version.items():
                if ij_version.startswith(version):
                    np.testing.assert_allclose(result.values, computes(inputs[key]), rtol=1e-6)
                else:
                    np.testing.assert_allclose(result.values, inputs[key].values.mean(axis=0),
                                               rtol=1e-6)
            continue
        np.testing.assert_array_equal(ours.values, theirs.values, err_msg=name)
        compared += 1
    assert compared >= 80


def test_same_recorded_session(both: tuple[dict, dict]) -> None:
    here, there = both
    assert here["macro"].splitlines()[1:] == there["macro"].splitlines()[1:]
    assert f"({here['kind']} engine)" in here["macro"].splitlines()[0]


def test_the_engines_really_differ(both: tuple[dict, dict]) -> None:
    """Guard against comparing an engine with itself."""
    here, there = both
    kinds = {r["kind"]: r for r in both}
    assert kinds["embedded"]["results"]["median r2 spots8"].attrs["engine"] == "embedded"
    assert kinds["fiji"]["results"]["median r2 spots8"].attrs["engine"] == "fiji"
    assert here["kind"] != there["kind"]


def _person(call: str) -> str:
    return (f"{call}() waits for a person to answer a dialog, and nobody can in a script run "
            "(headless Fiji stops here too): give the macro the value as an argument or a "
            "script parameter (#@) instead")


def test_every_macro_gives_the_same_outcome(both: tuple[dict, dict]) -> None:
    """Images, log, tables, outputs or the error (message and line) are equal on both."""
    by_kind = {r["kind"]: r["macros"] for r in both}
    embedded, fiji = by_kind["embedded"], by_kind["fiji"]
    assert embedded.keys() == fiji.keys() == engine_scenarios.MACROS.keys()
    for name in embedded:
        ours, theirs = embedded[name], fiji[name]
        assert ours.keys() == theirs.keys(), (name, ours, theirs)
        if "error" in ours:
            assert ours["error"] == theirs["error"], name
            continue
        assert ours["images"].keys() == theirs["images"].keys(), name
        for title, pixels in ours["images"].items():
            np.testing.assert_array_equal(pixels, theirs["images"][title], err_msg=name)
        for key in ("log", "tables", "outputs", "returned"):
            assert ours[key] == theirs[key], (name, key)
    # the cases are not vacuous: errors where a person is asked, rows where Measure ran
    assert [k for k, v in embedded.items() if "error" in v] == [
        "waitForUser", "getBoolean", "Dialog", "getDirectory", "no options", "syntax error",
        "undefined"]
    assert embedded["Dialog"]["error"][1:3] == (_person("Dialog.show"), 3)
    assert embedded["measure"]["tables"]["Results"]["Area"] == [35, 35]  # after Clear Results
    assert embedded["named table"]["tables"] == {"T": {"v": [1 / 3]}}
    # ImageJ's dialog reads &variable and multi-line text fields on both engines (headless
    # Fiji's does not): the pixels of the options written out, of a 3x3 kernel
    for kind in (embedded, fiji):
        blurred = kind["&variable"]["images"]["a"]
        np.testing.assert_array_equal(blurred, kind["sigma written"]["images"]["a"])
        assert not np.array_equal(blurred, kind["exit and display"]["images"]["a"])
        source = kind["text1"]["images"]["a"].astype(float)
        laplacian = ndimage.correlate(source, [[0, -1, 0], [-1, 4, -1], [0, -1, 0]],
                                      mode="nearest")
        np.testing.assert_array_equal(kind["text1"]["images"]["b"],
                                      np.clip(np.floor(laplacian + 0.5), 0, 255))
