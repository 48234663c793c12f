"""Bad input gives a clear Python exception quickly, and the engine stays usable."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import ij_bgcorr as ijb

IMG = np.arange(30 * 40, dtype=np.uint16).reshape(30, 40)


def _still_works(fiji):
    out = fiji.median(np.full((9, 9), 7, np.uint8), radius=2)
    assert out.values.tolist() == np.full((9, 9), 7).tolist()


def test_missing_file():
    with pytest.raises(FileNotFoundError, match="nope.tif"):
        ijb.open_image("/no/such/dir/nope.tif")


def test_not_a_tiff(tmp_path):
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"not a tiff at all")
    with pytest.raises(ijb.ImageFormatError, match="bad.tif"):
        ijb.open_image(bad)


@pytest.mark.parametrize("radius", [0, -3, float("nan"), float("inf"), "15", True])
def test_bad_radius(fiji, radius):
    with pytest.raises(ijb.CommandError, match="radius"):
        fiji.median(IMG, radius=radius)
    _still_works(fiji)


def test_bad_rolling(fiji):
    with pytest.raises(ijb.CommandError, match="rolling"):
        fiji.subtract_background(IMG, rolling=0)


def test_unsupported_dtype_and_empty(fiji):
    with pytest.warns(ijb.ImageConversionWarning, match="float64 pixels converted to 32-bit"):
        converted = fiji.median(IMG.astype(np.float64), radius=2)
    assert converted.dtype == np.float32
    np.testing.assert_array_equal(converted.values,
                                  fiji.median(IMG.astype(np.float32), radius=2).values)
    with pytest.raises(ijb.ImageFormatError, match="cannot hold complex64"):
        fiji.median(IMG.astype(np.complex64), radius=2)
    with pytest.raises(ijb.ImageFormatError, match="empty"):
        fiji.median(np.zeros((0, 5), np.uint8), radius=2)
    _still_works(fiji)


def test_mismatched_shapes(fiji):
    with pytest.raises(ijb.CommandError, match="same width and height"):
        fiji.image_calculator("subtract", IMG, IMG[:-1])
    with pytest.raises(ijb.CommandError, match="planes"):
        fiji.image_calculator("subtract", np.stack([IMG] * 3), np.stack([IMG] * 2))
    _still_works(fiji)


def test_unknown_operation_and_method(fiji):
    with pytest.raises(ijb.CommandError, match="Unknown Image Calculator operation 'minus'"):
        fiji.image_calculator("minus", IMG, IMG)
    with pytest.raises(ijb.CommandError, match="Unknown projection method 'mode'"):
        fiji.z_project(np.stack([IMG] * 2), method="mode")
    with pytest.raises(ijb.CommandError, match="start/stop"):
        fiji.z_project(np.stack([IMG] * 2), start=2, stop=5)
    _still_works(fiji)


def test_imagej_error_inside_a_command_becomes_an_exception(fiji):
    from ij_bgcorr.macro.call import Call

    started = time.monotonic()
    with pytest.raises(ijb.MacroError, match='Unrecognized command: "Median filter..."'):
        fiji._run_call(Call((ijb.as_image(IMG),), "Median filter...", "radius=2"))
    assert time.monotonic() - started < 10
    _still_works(fiji)


def test_inputs_are_never_modified(fiji):
    img = IMG.copy()
    da = ijb.as_image(img)
    fiji.median(img, radius=3)
    fiji.subtract_background(da, rolling=5)
    fiji.image_calculator("add", img, img, create=False)
    np.testing.assert_array_equal(img, IMG)
    np.testing.assert_array_equal(da.values, IMG)


def test_calls_from_several_threads_are_serialized(fiji):
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 255, (64, 64), dtype=np.uint8) for _ in range(6)]
    expected = [fiji.median(im, radius=3).values for im in images]
    results: dict[int, np.ndarray] = {}

    def work(k: int) -> None:
        results[k] = fiji.median(images[k], radius=3).values

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for k in range(6):
        np.testing.assert_array_equal(results[k], expected[k])


def test_start_returns_the_same_engine(fiji):
    assert ijb.start() is fiji


def test_a_missing_ij_jar_is_reported(monkeypatch, tmp_path):
    from ij_bgcorr.engine.locate import find_ij_jar

    monkeypatch.setenv("IJ_BGCORR_IJ_JAR", str(tmp_path / "missing.jar"))
    with pytest.raises(ijb.EngineNotAvailable, match="missing.jar"):
        find_ij_jar()
    monkeypatch.delenv("IJ_BGCORR_IJ_JAR")
    (tmp_path / "Fiji.app" / "jars").mkdir(parents=True)
    (tmp_path / "Fiji.app" / "jars" / "ij-1.54f.jar").write_bytes(b"")
    monkeypatch.setenv("IJ_BGCORR_FIJI", str(tmp_path / "Fiji.app"))
    assert find_ij_jar().name == "ij-1.54f.jar"


def test_numbers_keep_their_digits_and_numpy_scalars_work(fiji):
    out = fiji.subtract_background(IMG, rolling=12.3456789)
    assert out.attrs["macro_line"] == 'run("Subtract Background...", "rolling=12.3456789");'
    assert fiji.median(IMG, np.int64(2)).attrs["macro_line"] == 'run("Median...", "radius=2");'
    stack = np.stack([IMG] * 3)
    assert fiji.z_project(stack, start=np.int64(2)).attrs["macro_line"].startswith(
        'run("Z Project...", "start=2 ')
    result = fiji.run_macro("return getArgument();", args={"big": 123456789})
    assert result.returned == "big=123456789"


def test_bad_title_and_plane_counts_are_explained(fiji):
    with pytest.raises(ijb.CommandError, match="window title"):
        fiji.duplicate(IMG, title=5)
    with pytest.raises(ijb.CommandError, match="the first image is one plane"):
        fiji.image_calculator("subtract", IMG, np.stack([IMG] * 3))


def test_tiffs_that_are_not_from_imagej(tmp_path):
    import tifffile

    pages = np.arange(3 * 8 * 9, dtype=np.uint8).reshape(3, 8, 9)
    with tifffile.TiffWriter(tmp_path / "pages.tif") as writer:
        for page in pages:
            writer.write(page, metadata=None)
    stack = ijb.open_image(tmp_path / "pages.tif")
    assert stack.dims == ("pln", "row", "col")
    np.testing.assert_array_equal(stack.values, pages)
    grey3 = np.arange(3 * 8 * 9, dtype=np.uint16).reshape(3, 8, 9)
    tifffile.imwrite(tmp_path / "three.tif", grey3, photometric="rgb", planarconfig="separate")
    three = ijb.open_image(tmp_path / "three.tif")
    assert not three.attrs["rgb"] and three.sizes["row"] == 8 and three.sizes["col"] == 9
    tifffile.imwrite(tmp_path / "cm.tif", IMG, resolution=(2, 2), resolutionunit="CENTIMETER")
    cal = ijb.Calibration.from_attrs(ijb.open_image(tmp_path / "cm.tif").attrs)
    assert (cal.pixel_width, cal.unit) == (0.5, "cm")


def test_java_exception_in_a_macro_is_an_error_and_shared_titles_are_kept(fiji):
    with pytest.raises(ijb.MacroError, match="NumberFormatException") as caught:
        fiji.run_macro('x = 1;\ncall("java.lang.Integer.parseInt", "abc");')
    assert caught.value.line == 2
    result = fiji.run_macro('run("Duplicate...", "title=input");\nrun("Invert");',
                            inputs={"input": np.zeros((5, 5), np.uint8)})
    assert sorted(result.images) == ["input", "input-2"]
    assert {int(im.values.max()) for im in result.images.values()} == {0, 255}
