"""reference.subtract_background against ImageJ's own Subtract Background (embedded engine).

Rolling ball and sliding paraboloid: results must be identical value for value,
32-bit included (the required bound for 32-bit is a relative difference of 1e-4;
the implementation does better, and the tests hold it to that).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import xarray as xr

import ij_bgcorr as ijb
from ij_bgcorr import data
from ij_bgcorr.options import BackgroundOptions
from ij_bgcorr.reference import subtract_background
from ij_bgcorr.reference.imagej_background import correct_image
from ij_bgcorr.reference.parabola import slide_lines

LESSON_IMAGES = data.names()
RADII = [1, 2, 3, 5, 10, 15, 25, 50, 100]
SHAPES = [(7, 9), (32, 31), (64, 57), (100, 101)]  # odd, even, smaller than the ball
FLAGS = ("sliding", "light_background", "disable_smoothing", "create_background")


def option_sets(*names: str) -> list[dict[str, bool]]:
    """Every combination of the boolean options ``names``."""
    return [dict(zip(names, values, strict=True))
            for values in itertools.product([False, True], repeat=len(names))]


def random_image(shape: tuple[int, ...], dtype: type, seed: int) -> np.ndarray:
    """Noise on a tilted background, spanning most of the type's range."""
    rng = np.random.default_rng(seed)
    top = {np.uint8: 255, np.uint16: 65535, np.float32: 1000.0}[dtype]
    rows, cols = np.indices(shape[-2:])
    ramp = 0.3 * top * (rows + cols) / max(sum(shape[-2:]), 1)
    noise = rng.uniform(0, 0.6 * top, shape)
    return np.clip(ramp + noise, 0, top).astype(dtype)


def spots_image(shape: tuple[int, int], dtype: type) -> np.ndarray:
    """Gaussian spots on a smooth uneven background."""
    rows, cols = np.indices(shape, dtype=np.float64)
    bg = 40 + 30 * np.sin(rows / 17.0) * np.cos(cols / 23.0) + 0.2 * cols
    rng = np.random.default_rng(7)
    spots = np.zeros(shape)
    for r, c in rng.uniform(0, 1, (12, 2)) * shape:
        spots += 120 * np.exp(-((rows - r) ** 2 + (cols - c) ** 2) / 18.0)
    scale = {np.uint8: 1.0, np.uint16: 200.0, np.float32: 0.37}[dtype]
    return np.clip((bg + spots) * scale, 0, 255 * scale).astype(dtype)


def fiji_result(fiji: ijb.EmbeddedEngine, img: np.ndarray, rgb: bool = False,
                **options: object) -> np.ndarray:
    image = ijb.as_image(img, dims=("row", "col", "ch"), rgb=True) if rgb else img
    try:
        return np.asarray(fiji.subtract_background(image, **options).values)
    except ijb.MacroError as exc:
        # When the shrunken image is one column wide, ImageJ 1.53t's command throws
        # inside, on every run; the engine reports that as an error, and the reference
        # returns such an image unchanged.
        assert "ArrayIndexOutOfBoundsException" in exc.message, exc
        return np.asarray(img)


def test_imagej_crash_on_one_column_shrunken_images_is_always_reported(fiji):
    """ImageJ throws on every run; after larger images have made the JIT compile the step that
    throws, the JVM could throw a shared exception without message or trace, which went
    unnoticed (a 32-bit image then came back smoothed, as ImageJ leaves it). Every run must
    report the exception with ImageJ's message."""
    warm = random_image((400, 400), np.float32, seed=4)
    column = np.full((16, 1), 7, np.uint8)
    thin = random_image((40, 1), np.float32, seed=5)
    for _ in range(20):
        fiji.subtract_background(warm, rolling=50)
        for img, radius in ((column, 15), (thin, 40)):
            with pytest.raises(ijb.MacroError, match="ArrayIndexOutOfBoundsException: Index -1"):
                fiji.subtract_background(img, rolling=radius)
    np.testing.assert_array_equal(subtract_background(column, rolling=15), column)
    np.testing.assert_array_equal(subtract_background(thin, rolling=40), thin)


def assert_matches(ours: np.ndarray, theirs: np.ndarray, context: str) -> None:
    """Same dtype and shape, and every value equal (NaN where ImageJ has NaN)."""
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, context
    same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs)) if ours.dtype == np.float32 \
        else ours == theirs
    differing = int(np.count_nonzero(~same))
    if differing:
        worst = np.nanmax(np.abs(ours.astype(np.float64) - theirs))
        raise AssertionError(f"{context}: {differing} of {ours.size} values differ, "
                             f"by up to {worst:.6g}")


def compare(fiji: ijb.EmbeddedEngine, img: np.ndarray, rgb: bool = False, **options) -> None:
    theirs = fiji_result(fiji, img, rgb=rgb, **options)
    source = ijb.as_image(img, dims=("row", "col", "ch"), rgb=True) if rgb else img
    ours = np.asarray(subtract_background(source, **options))
    assert_matches(ours, theirs, f"{img.dtype}{img.shape} {options}")


# ------------------------------------------------------------------ rolling ball


@pytest.mark.parametrize("name", LESSON_IMAGES)
def test_lesson_images(fiji, name):
    img = np.asarray(data.load(name).values)
    for options in option_sets(*FLAGS):
        for radius in (5, 50):
            compare(fiji, img, rolling=radius, **options)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("radius", RADII)
def test_random_images_all_options(fiji, dtype, radius):
    for i, options in enumerate(option_sets(*FLAGS)):
        shape = SHAPES[(i + radius) % len(SHAPES)]
        img = random_image(shape, dtype, seed=radius * 10 + i)
        compare(fiji, img, rolling=radius, **options)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (5, 4), (9, 17), (16, 1), (3, 40), (257, 130)])
def test_synthetic_sizes(fiji, dtype, shape):
    """Tiny and thin images, including those ImageJ leaves unchanged for large balls."""
    img = spots_image(shape, dtype)
    for radius in (1, 10, 15, 50, 150):
        for sliding in (False, True):
            compare(fiji, img, rolling=radius, sliding=sliding)
            compare(fiji, img, rolling=radius, sliding=sliding, create_background=True,
                    disable_smoothing=True)


def test_fractional_radius(fiji):
    img = spots_image((60, 70), np.uint16)
    for radius in (0.5, 2.5, 10.5, 30.2, 99.9, 100.5):
        compare(fiji, img, rolling=radius)
        compare(fiji, img, rolling=radius, sliding=True)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_stack(fiji, dtype):
    stack = random_image((3, 40, 50), dtype, seed=3)
    for options in option_sets("sliding", "light_background", "create_background"):
        compare(fiji, stack, rolling=12, **options)


@pytest.mark.parametrize("separate", [False, True])
def test_rgb(fiji, separate):
    img = np.stack([spots_image((45, 52), np.uint8),
                    random_image((45, 52), np.uint8, seed=1),
                    spots_image((45, 52), np.uint8)[::-1]], axis=-1)
    for options in option_sets(*FLAGS):
        for radius in (3, 25):
            compare(fiji, img, rgb=True, rolling=radius, separate=separate, **options)
    thin = img[:, :4]  # ImageJ leaves it unchanged at radius 50
    compare(fiji, thin, rgb=True, rolling=50, separate=separate)


# ------------------------------------------------------------- sliding paraboloid


@pytest.mark.parametrize("shape", [(30, 30), (48, 61), (61, 48), (1, 20), (20, 1), (2, 40)])
def test_sliding_paraboloid_corners(fiji, shape):
    """Spots on the corners and edges: ImageJ lowers the corners before sliding."""
    img = spots_image(shape, np.float32)
    img[0, 0] = img[0, -1] = img[-1, 0] = img[-1, -1] = 3 * img.max()
    for radius in (2, 10, 50):
        for options in option_sets("light_background", "disable_smoothing"):
            compare(fiji, img, rolling=radius, sliding=True, create_background=True, **options)


@pytest.mark.parametrize("dtype", [np.uint16, np.float32])
def test_sliding_paraboloid_short_lines(fiji, dtype):
    """Lines of at most 12 pixels, where ImageJ's corner estimate can be NaN."""
    for seed, shape in itertools.product(range(12), [(3, 3), (9, 12), (12, 5), (5, 12)]):
        img = random_image(shape, dtype, seed=seed)
        for radius in (1, 3, 20):
            compare(fiji, img, rolling=radius, sliding=True, create_background=True,
                    disable_smoothing=True)


def imagej_by_line(fiji: ijb.EmbeddedEngine, img: np.ndarray, options: str) -> np.ndarray:
    """ImageJ's pixels for ``run("Subtract Background...", options)``, past the engine's checks."""
    result = fiji.run_macro(f'run("Subtract Background...", "{options}");',
                            inputs={"input": img}, timeout=30)
    return np.asarray(result.images["input"].values)


def test_nan_pixels(fiji):
    """NaN in 32-bit images: the rolling ball passes over them; ImageJ's paraboloid does not."""
    img = random_image((30, 40), np.float32, seed=5)
    img[5, 7] = img[0, 0] = img[20:23, 30:33].flat[:] = np.nan
    for options in option_sets("light_background", "create_background"):
        for radius in (3, 20):
            compare(fiji, img, rolling=radius, **options)
            words = ["sliding"] + [word for word, on in (("light", options["light_background"]),
                                                         ("create", options["create_background"]))
                                   if on]
            theirs = imagej_by_line(fiji, img, f"rolling={radius} {' '.join(words)}")
            ours = subtract_background(img, rolling=radius, sliding=True, **options)
            assert_matches(ours, theirs, f"sliding {options}")
    background = subtract_background(img, rolling=3, create_background=True)
    assert np.isfinite(background[10:, :25]).all()
    holed = random_image((64, 64), np.float32, seed=6)
    holed[8:56, 8:56] = np.nan  # wider than the (shrunken) ball
    for radius in (5, 20):
        compare(fiji, holed, rolling=radius, create_background=True)


def slide_line_reference(v: np.ndarray, k: np.float32) -> tuple[np.ndarray, int, int]:
    """One line slid as the rule reads, with no search shortcuts (float32 throughout).

    A point inside the line can be touched if its second difference
    ``2 v[j] - v[j-1] - v[j+1]`` is below ``1.999 k``; the last point always. From
    a touching point the next is the touchable point ahead with the smallest
    slope ``(v[j] - v[i]) / d + k d`` (the first on ties); the points between are
    set to ``v[i] + d (slope - k d)``.
    """
    n = v.size
    touchable = np.zeros(n, dtype=bool)
    touchable[1:-1] = (v[1:-1] + v[1:-1]) - v[:-2] - v[2:] < np.float32(1.999) * k
    touchable[-1] = True
    out, touches, i = v.copy(), [0], 0
    while i < n - 1:
        d = np.arange(1, n - i, dtype=np.float32)
        slopes = np.where(touchable[i + 1:], (v[i + 1:] - v[i]) / d + k * d, np.inf)
        j = int(np.argmin(slopes))
        out[i + 1:i + 1 + j] = v[i] + d[:j] * (slopes[j] - d[:j] * k)
        i += j + 1
        touches.append(i)
    inner = touches[1:-1]
    return out, (inner[0] if inner else n - 1), (inner[-1] if inner else 0)


def random_lines(rng: np.random.Generator, count: int, longest: int) -> np.ndarray:
    """Lines of noise, smooth waves, integer steps with ties, spikes and long slopes."""
    x = np.arange(longest, dtype=np.float64)
    kinds = [
        lambda: rng.normal(0, 1, longest),
        lambda: 50 * np.sin(x / rng.uniform(3, 60)) + rng.normal(0, 0.1, longest),
        lambda: np.round(rng.uniform(0, 5, longest)),
        lambda: np.where(rng.uniform(size=longest) < 0.05, 100.0, 0.0) + x * 0.01,
        lambda: -3 * x + rng.normal(0, 2, longest),
    ]
    return np.array([kinds[i % len(kinds)]() for i in range(count)], dtype=np.float32)


@pytest.mark.parametrize("radius", [0.05, 0.7, 3, 40, 1e4])
def test_line_sliding_against_the_rule(radius):
    """No JVM: every line, with the search shortcuts, equals the plain rule bit for bit."""
    rng = np.random.default_rng(int(radius * 100))
    k = np.float32(0.5) / np.float32(radius)
    lines = random_lines(rng, 60, 700)
    lengths = rng.integers(1, 701, lines.shape[0])
    slid, first, last = slide_lines(lines, lengths, k)
    for n, line in enumerate(lines):
        size = lengths[n]
        expected, exp_first, exp_last = slide_line_reference(line[:size], k)
        np.testing.assert_array_equal(slid[n, :size], expected, err_msg=f"line {n}")
        np.testing.assert_array_equal(slid[n, size:], line[size:])  # ignored, left alone
        assert (first[n], last[n]) == (exp_first, exp_last), n


def test_touchable_threshold_is_1_999_k():
    """A bump whose second difference lies between 1.999 k and 2 k cannot be touched."""
    k = np.float32(0.25)
    for bump, touched in ((0.9990 * k, True), (0.9996 * k, False)):
        line = np.array([[0, bump, 0]], dtype=np.float32)
        slid = slide_lines(line, np.array([3]), k)[0][0]
        assert slid[1] == (np.float32(bump) if touched else k), (bump, slid)


def test_infinite_values_like_imagej(fiji):
    """+inf on a border: ImageJ's search never picks a NaN slope."""
    img = random_image((8, 9), np.float32, seed=8)
    for where in ((0, 0), (0, 3), (4, 8)):
        spiked = img.copy()
        spiked[where] = np.inf
        theirs = imagej_by_line(fiji, spiked, "rolling=5 sliding disable create")
        ours = subtract_background(spiked, rolling=5, sliding=True, disable_smoothing=True,
                                   create_background=True)
        assert_matches(ours, theirs, f"+inf at {where}")


@pytest.mark.parametrize("value", [np.nan, -np.inf, 3e38])
def test_engine_refuses_what_hangs_imagej(fiji, value):
    """ImageJ 1.53t's paraboloid loops forever on some such images: refused, not hung."""
    img = random_image((8, 9), np.float32, seed=8)
    img[0, 0] = value
    with pytest.raises(ijb.CommandError, match="loop forever"):
        fiji.subtract_background(img, rolling=5, sliding=True, disable_smoothing=True)
    assert fiji.subtract_background(img, rolling=5).shape == img.shape  # the ball is fine
    assert subtract_background(img, rolling=5, sliding=True, disable_smoothing=True).shape == \
        img.shape


def test_thin_images_stay_small():
    """Diagonals of a 4 x 20000 image are 4 long: work arrays scale with the image."""
    import tracemalloc

    img = random_image((4, 20000), np.float32, seed=9)
    tracemalloc.start()
    subtract_background(img, rolling=50, sliding=True)
    subtract_background(img.T.copy(), rolling=50, sliding=True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 100 * img.nbytes, f"peak {peak / 2**20:.0f} MiB for a {img.nbytes} B image"


# ------------------------------------------------------------------- interface


def test_dataarray_in_dataarray_out():
    values = spots_image((30, 40), np.uint8)
    img = xr.DataArray(values, dims=("row", "col"),
                       coords={"row": np.arange(30) * 0.5, "col": np.arange(40) * 0.5},
                       attrs={"title": "spots"})
    out = subtract_background(img, rolling=5)
    assert isinstance(out, xr.DataArray)
    assert out.dims == img.dims and out.attrs["title"] == "spots"
    assert "rolling=5" in out.attrs["reference"]
    np.testing.assert_array_equal(out.coords["row"], img.coords["row"])
    np.testing.assert_array_equal(out.values, subtract_background(values, rolling=5))
    assert "reference" not in img.attrs


def test_rgb_dataarray_from_as_image():
    values = np.stack([spots_image((20, 25), np.uint8)] * 3, axis=-1)
    img = ijb.as_image(values, dims=("row", "col", "ch"), rgb=True)
    out = subtract_background(img, rolling=4, separate=True)
    assert out.dims == img.dims
    # separate colours: each channel corrected on its own, as a grey image
    per_channel = [subtract_background(values[..., c], 4) for c in range(3)]
    np.testing.assert_array_equal(out.values, np.stack(per_channel, axis=-1))


def test_input_not_modified():
    img = random_image((3, 20, 30), np.float32, seed=2)
    copy = img.copy()
    for options in option_sets(*FLAGS):
        subtract_background(img, rolling=3, **options)
        subtract_background(img, rolling=30, **options)
    np.testing.assert_array_equal(img, copy)


def test_empty_image():
    with pytest.raises(ValueError, match="empty"):
        subtract_background(np.zeros((0, 5), np.uint8), rolling=3, sliding=True)


@pytest.mark.parametrize("rolling", [0, -1, float("nan")])
def test_bad_radius(rolling):
    with pytest.raises(ValueError, match="rolling"):
        subtract_background(np.zeros((5, 5), np.uint8), rolling=rolling)


@pytest.mark.parametrize(("dtype", "becomes"), [(np.int16, np.uint16), (np.float64, np.float32),
                                               (np.uint32, np.uint16), (bool, np.uint8)])
def test_other_dtypes_are_converted_with_a_warning(dtype, becomes):
    with pytest.warns(ijb.ImageConversionWarning, match="pixels converted to"):
        out = subtract_background(np.zeros((5, 5), dtype), rolling=3)
    assert out.dtype == becomes


def test_unconvertible_dtype():
    with pytest.raises(ValueError, match="cannot hold complex"):
        subtract_background(np.zeros((5, 5), np.complex64), rolling=3)


def test_separate_needs_rgb():
    with pytest.raises(ValueError, match="RGB"):
        subtract_background(np.zeros((5, 5), np.uint8), rolling=3, separate=True)


def test_keywords_and_options_object_agree():
    """The keywords build one BackgroundOptions; passing that object gives the same pixels."""
    img = random_image((3, 20, 30), np.uint16, seed=4)
    for options in option_sets(*FLAGS):
        expected = subtract_background(img, rolling=7, **options)
        np.testing.assert_array_equal(correct_image(img, BackgroundOptions(7, **options)),
                                      expected)
