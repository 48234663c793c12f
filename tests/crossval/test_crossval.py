"""The ImageJ-matched references against Fiji itself, and the compare command."""

from __future__ import annotations

import functools
import http.server
import threading

import numpy as np
import pytest
from click.testing import CliRunner

import ij_bgcorr as ijb
from ij_bgcorr import data, reference
from ij_bgcorr.cli.main import main
from ij_bgcorr.crossval import synthetic
from ij_bgcorr.crossval import validate as crossval

LESSON_IMAGES = data.names()


@pytest.mark.slow
@pytest.mark.parametrize("name", LESSON_IMAGES)
def test_imagej_median_equals_fiji_for_every_radius(fiji, name):

    img = data.load(name)
    differing = {r: int(np.count_nonzero(fiji.median(img, r).values
                                         != reference.median(img.values, r)))
                 for r in range(1, 51)}
    assert differing == dict.fromkeys(range(1, 51), 0)


def _random(dtype, shape, seed):
    rng = np.random.default_rng(seed)
    if dtype == np.float32:
        return rng.normal(100, 30, shape).astype(np.float32)
    return rng.integers(0, np.iinfo(dtype).max, shape, dtype=dtype, endpoint=True)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("shape", [(3, 2), (7, 6), (33, 32), (40, 41)])
def test_imagej_median_equals_fiji_on_random_images(fiji, dtype, shape):
    img = _random(dtype, shape, seed=sum(shape))
    for radius in (1, 2, 3.5, 7, 20, 50):  # the larger ones exceed the small images
        np.testing.assert_array_equal(fiji.median(img, radius).values,
                                      reference.median(img, radius), err_msg=f"r={radius}")


def test_disk_kernel_is_not_fiji_on_noise(fiji):
    img = _random(np.uint8, (64, 64), seed=5)
    result = ijb.compare(fiji.median(img, 4), reference.median(img, 4, kind="lesson"), radius=4)
    assert result.fraction_different > 0.1  # a third of the pixels, as measured


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_projections_and_32bit_subtraction_equal_fiji(fiji, dtype):
    stack = _random(dtype, (4, 21, 19), seed=9)
    for method in ("max", "min", "avg", "sum", "sd", "median"):
        ours = reference.z_project(stack, method)
        theirs = fiji.z_project(stack, method).values
        if method == "avg" and dtype == np.float32 and fiji.version.startswith("1.53"):
            # ImageJ 1.53t averages a 32-bit stack over all slices but the last (1.54m
            # over all of them); the reference keeps the true mean: this pins the difference.
            np.testing.assert_allclose(theirs, stack[:-1].mean(axis=0), rtol=1e-6)
            assert not np.allclose(ours, theirs)
            continue
        assert ours.dtype == theirs.dtype, method
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, err_msg=method)
    a, b = stack[0], stack[1]
    np.testing.assert_array_equal(reference.subtract(a, b),
                                  fiji.image_calculator("subtract", a, b, float32=True).values)


def test_cross_validation_of_the_lesson_image(fiji, spots_path):
    img = ijb.open_image(spots_path)
    median = crossval.cross_validate(fiji, img, "median")
    assert median.comparisons["imagej"].identical
    lesson = median.comparisons["lesson"]
    assert not lesson.identical and lesson.max_abs_diff == 1  # disk(15) vs ImageJ's kernel
    assert 0 < lesson.fraction_different < 0.02
    rolling = crossval.cross_validate(fiji, img, "rolling-ball", 50)
    assert rolling.comparisons["imagej"].identical
    assert rolling.comparisons["lesson"].fraction_different > 0.9
    tophat = crossval.cross_validate(fiji, img, "tophat", 5)
    assert tophat.comparisons["imagej"].identical
    assert {row["reference"] for row in tophat.table()} == {"lesson", "imagej"}


@pytest.fixture
def served(tmp_path):
    """A folder served over HTTP on loopback; yields (folder, base URL, request paths)."""
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            requests.append(self.path)

    handler = functools.partial(Handler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()


def test_compare_command_on_a_url(fiji, served, tmp_path, monkeypatch):
    folder, base, requests = served
    monkeypatch.setenv("IJ_BGCORR_CACHE", str(tmp_path / "cache"))
    ijb.save_image(synthetic.spots_on_uneven_background((96, 90)), folder / "spots.tif")
    runner = CliRunner()
    for _ in range(2):
        res = runner.invoke(main, ["compare", f"{base}/spots.tif", "--method", "median",
                                   "--radius", "5", "--out", str(tmp_path / "out")])
        assert res.exit_code == 0, res.output
    assert len([r for r in requests if "GET" in r or "spots" in r]) == 1  # fetched once
    assert "| imagej | True | 0 |" in res.output
    png = (tmp_path / "out" / "spots.median.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    assert "![median](spots.median.png)" in (tmp_path / "out" / "spots.median.md").read_text()
    res = runner.invoke(main, ["compare", f"{base}/missing.tif", "--out", str(tmp_path / "x")])
    assert res.exit_code == 1 and "Could not download" in res.output


def test_sweep_command(fiji, tmp_path):
    import pandas as pd

    res = CliRunner().invoke(main, ["sweep", "--out", str(tmp_path), "--max-radius", "3"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(tmp_path / "median_sweep.csv")
    assert len(table) == 3 * 3 * 3 * 2  # dtypes x shapes x radii x reference kinds
    assert table[table.reference == "imagej"].identical.all()
    assert not table[table.reference == "lesson"].identical.all()


@pytest.mark.parametrize("method", ["rolling-ball", "sliding"])
def test_subtract_background_sweep(fiji, method):
    radii = (1, 2, 3, 4, 12)  # every option set, and a shrunken ball
    table = crossval.sweep(fiji, radii=radii, method=method)
    imagej = table[table.reference == "imagej"]
    assert len(imagej) == 3 * 3 * len(radii)
    assert set(imagej.options) == {
        f"{'sliding,' if method == 'sliding' else ''}create_background{extra}"
        for extra in ("", ",light_background", ",disable_smoothing",
                      ",light_background,disable_smoothing")}
    assert imagej.identical.all(), imagej[~imagej.identical]
    lesson = table[table.reference == "lesson"]
    if method == "sliding":
        assert lesson.empty  # scikit-image has no sliding paraboloid
    else:
        assert len(lesson) == 3 * 3 * 3  # radii whose options keep smoothing on: 1, 4, 12
        assert not lesson.identical.any()


def test_sweep_unknown_method(fiji):
    with pytest.raises(ValueError, match="Unknown sweep method"):
        crossval.sweep(fiji, method="gaussian")
