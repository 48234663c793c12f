"""The pixel fingerprint that recognises an image when it comes back to an engine."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from ij_bgcorr.image.chunks import CHUNK_BYTES
from ij_bgcorr.image.fingerprint import fingerprint


def _image(values: np.ndarray, dims: tuple[str, ...] = ("row", "col"), **attrs) -> xr.DataArray:
    return xr.DataArray(values, dims=dims, attrs=attrs)


@pytest.fixture(scope="module")
def large() -> np.ndarray:
    """An image of several hashing chunks, so that the chunks' order matters."""
    rows = 3 * CHUNK_BYTES // (2 * 1024) + 7
    return np.random.default_rng(1).integers(0, 65536, (rows, 1024), dtype=np.uint16)


def test_equal_pixels_give_equal_digests_and_one_changed_pixel_does_not(large):
    first = fingerprint(_image(large))
    assert first == fingerprint(_image(large.copy()))
    assert len(first) == 32 and int(first, 16) >= 0
    for index in [(0, 0), (large.shape[0] // 2, 511), (-1, -1)]:
        changed = large.copy()
        changed[index] ^= 1
        assert fingerprint(_image(changed)) != first, index


def test_chunks_in_another_order_are_another_image(large):
    flat = large.reshape(-1)
    per_chunk = CHUNK_BYTES // 2
    swapped = np.concatenate([flat[per_chunk:2 * per_chunk], flat[:per_chunk],
                              flat[2 * per_chunk:]]).reshape(large.shape)
    assert fingerprint(_image(swapped)) != fingerprint(_image(large))


def test_a_view_in_any_memory_order_is_its_values():
    values = np.arange(60, dtype=np.float32).reshape(6, 10)
    view = np.asfortranarray(values)[:, ::-1][:, ::-1]
    assert fingerprint(_image(view)) == fingerprint(_image(values))


def test_dims_of_size_one_are_left_out_but_the_rest_of_the_header_counts():
    values = np.arange(12, dtype=np.uint8).reshape(3, 4)
    plain = fingerprint(_image(values))
    assert fingerprint(_image(values[None], ("pln", "row", "col"))) == plain
    assert fingerprint(_image(values.reshape(4, 3))) != plain  # same bytes, other shape
    assert fingerprint(_image(values.view(np.int8))) != plain  # same bytes, other type
    assert fingerprint(_image(values, rgb=True)) != plain
    assert fingerprint(_image(values[None].repeat(2, 0), ("pln", "row", "col"))) != plain


def test_a_dask_backed_image_is_known_by_its_graph_without_being_read():
    da = pytest.importorskip("dask.array", reason="needs dask (pip install 'dask[array]')")

    def unreadable(block):
        raise AssertionError("a pixel was read")

    values = np.arange(600, dtype=np.uint16).reshape(20, 30)
    lazy = da.from_array(values, chunks=10).map_blocks(unreadable, dtype=np.uint16)
    first = fingerprint(_image(lazy))
    assert first == fingerprint(_image(lazy))  # the same graph
    assert first != fingerprint(_image(lazy + 0))  # another step, another graph
    assert first != fingerprint(_image(values))
