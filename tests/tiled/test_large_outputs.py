"""What ``large`` writes, replaces and deletes: only its own results, never an input.

A folder where a result (or its partial copy) would go that ``large`` did not write is
the user's: refused, with or without ``--replace``, and kept as it was.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import tifffile
from click.testing import CliRunner

from ij_bgcorr.batch.large import process_large
from ij_bgcorr.cli.main import main
from ij_bgcorr.errors import CommandError
from ij_bgcorr.image.ome_zarr import create_ome_zarr
from ij_bgcorr.image.tiff import open_image

pytest.importorskip("zarr", reason="OME-Zarr needs zarr (pip install zarr)")


@pytest.fixture
def zarr_input(tmp_path: Path) -> Path:
    """``z/img.ome.zarr``: 40 x 50 8-bit pixels, written by the package's OME-Zarr writer."""
    tifffile.imwrite(tmp_path / "src.tif", (np.arange(40 * 50) % 251).astype(np.uint8)
                     .reshape(40, 50))
    image = open_image(tmp_path / "src.tif")
    path = tmp_path / "z" / "img.ome.zarr"
    create_ome_zarr(path, image, {"row": 16, "col": 16}, {})[:] = image.values
    return path


def _mine(folder: Path) -> Path:
    """A file of the user's in ``folder``."""
    folder.mkdir()
    (folder / "notes.txt").write_text("precious")
    return folder / "notes.txt"


@pytest.mark.parametrize("replace", [[], ["--replace"]])
def test_a_users_folder_where_the_result_goes_is_refused_and_kept(zarr_input, replace):
    mine = _mine(zarr_input.parent / "img")
    done = CliRunner().invoke(main, ["large", str(zarr_input), "--method", "median",
                                     "--radius", "2", "--numpy", "--out", str(zarr_input.parent),
                                     "--no-progress", *replace])
    assert done.exit_code == 1 and "Traceback" not in done.output, done.output
    assert f"Error: {mine.parent} is not a result of ij-bgcorr large (it holds no " \
        "progress.json)" in done.output
    assert mine.read_text() == "precious"
    assert sorted(p.name for p in zarr_input.parent.iterdir()) == ["img", "img.ome.zarr"]


def test_a_users_folder_where_the_partial_result_goes_is_refused_and_kept(zarr_input):
    mine = _mine(zarr_input.parent / ".img.partial")
    with pytest.raises(CommandError, match=f"{mine.parent} is not a result of ij-bgcorr large"):
        process_large(zarr_input, zarr_input.parent, "median", {"radius": 2}, progress=False,
                      replace=True)
    assert mine.read_text() == "precious"
    assert not (zarr_input.parent / "img").exists()


def test_an_input_where_a_partial_result_goes_is_refused(zarr_input, tmp_path):
    out = tmp_path / "out"
    source = out / ".img.partial" / "img.ome.zarr"
    shutil.copytree(zarr_input, source)
    before = sorted((p.relative_to(source), p.read_bytes()) for p in source.rglob("*")
                    if p.is_file())
    with pytest.raises(CommandError, match=r"img.ome.zarr lies in the output folder .*partial"):
        process_large(source, out, "median", {"radius": 2}, progress=False)
    assert sorted((p.relative_to(source), p.read_bytes()) for p in source.rglob("*")
                  if p.is_file()) == before
