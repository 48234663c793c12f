"""ImageJ run tile by tile on Dask-backed images equals ImageJ on the whole image.

Expected values are the same engine's command on the whole image in memory.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from ij_bgcorr.errors import CommandError
from tests.tiled.test_tiling import as_lazy, assert_identical, noisy

pytest.importorskip("dask.array", reason="tiling needs dask (pip install 'dask[array]')")


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_imagej_median_tiled_equals_whole(fiji, dtype):
    whole, lazy = as_lazy(noisy((2, 157, 203), dtype, seed=11), {"pln": 1, "row": 50, "col": 71})
    for radius in (1, 4.5, 20):
        assert_identical(fiji.median(lazy, radius), fiji.median(whole, radius))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_imagej_rolling_ball_tiled_equals_whole(fiji, dtype):
    whole, lazy = as_lazy(noisy((187, 233), dtype, seed=12), {"row": (60, 7, 120), "col": 58})
    for rolling, options in ((8, {}), (25, {"light_background": True}),
                             (50, {"disable_smoothing": True}),
                             (120, {"create_background": True})):
        assert_identical(fiji.subtract_background(lazy, rolling, **options),
                         fiji.subtract_background(whole, rolling, **options))


def test_tiled_provenance_is_the_whole_image_command(fiji):
    whole, lazy = as_lazy(noisy((2, 90, 110), np.uint16, seed=13), {"row": 40, "col": 40})
    fiji.new_session()
    out = fiji.subtract_background(lazy, 30, light_background=True)
    recorded = fiji.recorded_macro()  # recorded when called, as the whole image's lines
    out = out.compute()
    assert out.attrs["macro_line"] == 'run("Subtract Background...", "rolling=30 light stack");'
    assert out.attrs["imagej_version"] == fiji.version and out.attrs["engine"] == fiji.kind
    assert out.attrs["macro"] in recorded and "tiles" in out.attrs
    assert fiji.recorded_macro() == recorded  # computing the tiles recorded nothing more
    assert recorded.count("Subtract Background") == 1 and "tile" not in recorded


def test_a_session_with_tiled_steps_replays_whole(fiji, tmp_path):
    """A lazily read file is opened by the replay; a lazy result handed back is known."""
    import dask.array as da
    import tifffile

    import ij_bgcorr as ijb

    pixels = noisy((3, 64, 75), np.uint16, seed=16)
    tifffile.imwrite(tmp_path / "big.tif", pixels, imagej=True, metadata={"axes": "ZYX"})
    fiji.new_session()
    lazy = ijb.open_image(tmp_path / "big.tif", chunks=32)
    background = fiji.subtract_background(lazy, 12, create_background=True, title="bg")
    smooth = fiji.median(background, 2)  # the lazy result, handed back lazily
    cropped = fiji.median(lazy.isel(row=slice(5, 60)), 1)  # not the file any more
    other = xr.DataArray(da.from_array(pixels[0], chunks=30), dims=("row", "col"),
                         attrs={"title": "mem"})
    from_memory = fiji.median(other, 3)
    macro = fiji.recorded_macro()
    assert macro.count(f'open("{(tmp_path / "big.tif").absolute()}");') == 1
    assert macro.count('run("Duplicate...", "title=bg-1 duplicate");') == 1  # from bg
    header = sorted(line for line in macro.splitlines() if line.startswith("//   "))
    assert header == ['//   "big-1.tif": 75x55, 16-bit, 3 slices', '//   "mem": 75x64, 16-bit']
    replay = fiji.run_macro(macro, timeout=120, inputs={
        "big-1.tif": pixels[:, 5:60], "mem": pixels[0]})
    for result in (background, smooth, cropped, from_memory):
        title = result.attrs["title"]
        np.testing.assert_array_equal(replay[title].values, result.values, err_msg=title)


def test_tiled_result_is_named_and_titled_as_the_whole_images(fiji):
    whole, lazy = as_lazy(noisy((70, 80), np.uint8, seed=15), {"row": 30, "col": 30})
    fiji.new_session()
    eager = fiji.median(whole, 2, title="bg")
    tiled = fiji.median(lazy, 2, title="bg").compute()  # titles are unique in a session
    assert eager.name == "bg" and tiled.name == tiled.attrs["title"] == "bg-1"
    assert tiled.attrs["macro_line"] == eager.attrs["macro_line"]
    same = {k for k in eager.attrs if k not in ("macro", "tiles", "title")}
    assert {k: tiled.attrs.get(k) for k in same} == {k: eager.attrs[k] for k in same}


def test_sliding_paraboloid_is_refused_before_anything_runs(fiji):
    lazy = xr.DataArray(np.zeros((3000, 3000), np.uint8), dims=("row", "col")).chunk(1000)
    with pytest.raises(CommandError, match="sliding paraboloid cannot be computed tile by tile"):
        fiji.subtract_background(lazy, 50, sliding=True)


def test_tiles_on_a_dask_cluster_run_in_each_workers_engine(fiji):
    """Each worker process starts its own engine of the same kind and source."""
    distributed = pytest.importorskip(
        "dask.distributed", reason="needs dask.distributed (pip install 'ij-bgcorr[cluster]')")
    whole, lazy = as_lazy(noisy((260, 300), np.uint16, seed=14), {"row": 130, "col": 150})
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        result = fiji.subtract_background(lazy, 40).persist()
        distributed.wait(result)
        engines = client.run(_engine_kind)
        assert_identical(result, fiji.subtract_background(whole, 40))
    assert sorted(engines.values()) == [fiji.kind, fiji.kind]


def _engine_kind() -> str | None:
    from ij_bgcorr.engine.startup import running_engine

    engine = running_engine()
    return engine.kind if engine is not None else None


def test_lazy_inputs_of_commands_that_do_not_tile_are_known_to_the_session(fiji, tmp_path):
    """Computed for Z Project or the Image Calculator, a lazy file or result is still itself."""
    import tifffile

    import ij_bgcorr as ijb

    pixels = noisy((3, 64, 75), np.uint16, seed=17)
    path = tmp_path / "z.tif"
    tifffile.imwrite(path, pixels, imagej=True, metadata={"axes": "ZYX"})
    fiji.new_session()
    lazy = ijb.open_image(path, chunks=32)
    assert lazy.name is None  # not the Dask graph's name
    smooth = fiji.median(lazy, 2, title="bg")
    results = [smooth, fiji.z_project(lazy, "max"),
               fiji.image_calculator("subtract", lazy, smooth, float32=True)]
    changed = ijb.as_image(lazy)
    changed[0, 0, 0] += 1  # computed, then changed: an image from memory
    results.append(fiji.median(changed, 1))
    macro = fiji.recorded_macro()
    assert macro.count(f'open("{path.absolute()}");') == 1
    assert [line for line in macro.splitlines() if line.startswith("//   ")] == [
        '//   "z-1.tif": 75x64, 16-bit, 3 slices']
    replay = fiji.run_macro(macro, inputs={"z-1.tif": changed}, timeout=120)
    for result in results:
        title = result.attrs["title"]
        np.testing.assert_array_equal(replay[title].values, result.values, err_msg=title)


def test_an_ome_zarr_rewritten_between_two_reads_is_two_images(fiji, tmp_path):
    import ij_bgcorr as ijb
    from ij_bgcorr.image.ome_zarr import create_ome_zarr

    path = tmp_path / "m.ome.zarr"
    first, second = noisy((64, 75), np.uint16, seed=18), noisy((64, 75), np.uint16, seed=19)
    fiji.new_session()
    results = []
    for pixels in (first, second):
        create_ome_zarr(path, ijb.as_image(pixels), {"row": 32, "col": 32}, {})[...] = pixels
        results.append(fiji.median(ijb.open_image(path), 2).compute())
    macro = fiji.recorded_macro()
    listed = [line.split('"')[1] for line in macro.splitlines() if line.startswith("//   ")]
    assert len(listed) == 2, macro
    replay = fiji.run_macro(macro, inputs=dict(zip(listed, (first, second), strict=True)),
                            timeout=120)
    for result in results:
        np.testing.assert_array_equal(replay[result.attrs["title"]].values, result.values)


def test_a_rolling_ball_imagej_fails_on_is_refused_before_it_is_recorded(fiji):
    from ij_bgcorr.errors import MacroError

    whole, lazy = as_lazy(noisy((30, 1), np.uint8, seed=20), {"row": 10})
    with pytest.raises(MacroError):  # ImageJ's own failure on the image in memory
        fiji.subtract_background(whole, 30)
    fiji.new_session()
    before = fiji.recorded_macro()
    with pytest.raises(MacroError, match="rolling=30 on an image of width 1: shrunk by 2"):
        fiji.subtract_background(lazy, 30)
    assert fiji.recorded_macro() == before
    assert fiji.subtract_background(lazy, 10).shape == (30, 1)  # not shrunk: it runs


def test_a_macro_takes_a_lazy_engine_result_as_input(fiji):
    """Its tiles run in this engine: they are computed before the macro takes the engine."""
    import threading

    whole, lazy = as_lazy(noisy((64, 75), np.uint16, seed=21), {"row": 32, "col": 32})
    result = fiji.median(lazy, 2)
    outcome: dict = {}
    worker = threading.Thread(target=lambda: outcome.update(run=fiji.run_macro(
        'return "" + getWidth();', inputs={"x": result}, outputs=[])), daemon=True)
    worker.start()
    worker.join(120)
    assert not worker.is_alive(), "run_macro waited for itself"
    assert outcome["run"].returned == "75"
