"""What a lab needs to adopt the package: its version, licence, citation and types."""

from __future__ import annotations

import importlib.resources
import types
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import ij_bgcorr as ijb
from ij_bgcorr.cli.main import main
from ij_bgcorr.engine.results import MacroResult

REPO = Path(__file__).resolve().parents[1]


def test_the_version_is_written_once_and_shown_everywhere() -> None:
    in_pyproject = next(line.split('"')[1] for line in
                        (REPO / "pyproject.toml").read_text().splitlines()
                        if line.startswith("version = "))
    assert ijb.__version__ == in_pyproject
    shown = CliRunner().invoke(main, ["--version"], standalone_mode=False)
    assert shown.output.strip() == f"ij-bgcorr, version {in_pyproject}"
    assert f"version: {in_pyproject}" in (REPO / "CITATION.cff").read_text()


def test_licence_changelog_citation_and_types_ship() -> None:
    assert "BSD 3-Clause License" in (REPO / "LICENSE").read_text()
    assert (REPO / "CHANGELOG.md").read_text().startswith("# Changelog")
    assert importlib.resources.files("ij_bgcorr").joinpath("py.typed").is_file()


def test_a_macro_result_prints_as_a_summary() -> None:
    import numpy as np
    import pandas as pd

    result = MacroResult({"fg": ijb.as_image(np.zeros((4, 5), np.float32))}, "a\nb",
                         pd.DataFrame({"Area": [1.0, 2.0]}), "done", mode="batch")
    assert repr(result) == ("<MacroResult (batch) images={'fg': {'row': 4, 'col': 5} float32}, "
                            "log: 2 lines, results: 2 rows x 1 columns, returned='done'>")


def test_the_lessons_images_ship_with_their_attribution() -> None:
    from ij_bgcorr import data

    assert data.names() == ["xy_8bit__some_spots_with_uneven_bg",
                            "xy_8bit__two_spots_noisy_uneven_background", "xyt_8bit_polyp"]
    spots = data.load(data.SPOTS)
    assert spots.shape == (256, 256) and str(spots.dtype) == "uint8"
    assert dict(data.load(data.POLYP).sizes) == {"t": 3, "row": 313, "col": 313}
    attribution = (data.path(data.SPOTS).parent / "ATTRIBUTION.md").read_text()
    assert "Creative" in attribution and "Attribution 4.0" in attribution
    with pytest.raises(KeyError, match="No shipped image 'nope'"):
        data.load("nope")


def test_the_package_holds_real_files_not_links() -> None:
    package = Path(ijb.__file__).parent
    assert [p for p in package.rglob("*") if p.is_symlink()] == []
    from ij_bgcorr.macro.files import shipped_macros

    assert all(p.is_file() and not p.is_symlink() for p in shipped_macros().values())


def test_the_top_level_offers_the_public_names_and_nothing_private() -> None:
    import ij_bgcorr as ijb

    for name in ijb.__all__:
        assert getattr(ijb, name) is not None, name
    for name in ("ParameterError", "BatchBusy", "DiskFull", "process_large", "workflows",
                 "reference"):
        assert name in ijb.__all__, name
    assert callable(ijb.batch) and callable(ijb.reference.median)
    # the package's own subpackages are attributes too (the import system sets them);
    # nothing else leaks
    leaked = {name for name, value in vars(ijb).items() if not name.startswith("_")
              and not (isinstance(value, types.ModuleType)
                       and value.__name__.startswith("ij_bgcorr."))}
    assert leaked <= set(ijb.__all__), leaked - set(ijb.__all__)


def _public_callables() -> dict[str, Any]:
    import inspect

    import ij_bgcorr as ijb
    from ij_bgcorr import crossval, image, reference, tiled, workflows

    found: dict[str, Any] = {}
    for owner in (ijb, reference, workflows, crossval, image, tiled):
        for name in getattr(owner, "__all__", [n for n in dir(owner) if not n.startswith("_")]):
            obj = getattr(owner, name, None)
            if inspect.isfunction(obj):
                found[f"{owner.__name__}.{name}"] = obj
            elif inspect.isclass(obj) and obj.__module__.startswith("ij_bgcorr"):
                # inherited methods too (an engine's run_macro is defined in a base class)
                found.update({f"{obj.__name__}.{m}": f
                              for m, f in inspect.getmembers(obj, inspect.isfunction)
                              if not m.startswith("_") and f.__module__.startswith("ij_bgcorr")})
    return found


def test_boolean_options_are_keyword_only() -> None:
    import inspect

    positional = {
        name: [p.name for p in inspect.signature(f).parameters.values()
               if p.kind is p.POSITIONAL_OR_KEYWORD
               and (isinstance(p.default, bool) or p.annotation in ("bool", bool))]
        for name, f in _public_callables().items()}
    assert {name: p for name, p in positional.items() if p} == {}


#: Names other than ``image``, ``image1`` and ``image2`` that public parameters gave an image.
OTHER_NAMES_FOR_AN_IMAGE = {"img", "a", "b", "data", "source", "arr", "array"}
#: Public functions of ``ij_bgcorr.tiled`` whose image parameter is still ``img``.
NOT_YET_RENAMED = {"ij_bgcorr.tiled.is_lazy", "ij_bgcorr.tiled.map_tiles"}


def test_every_image_parameter_is_named_image() -> None:
    import inspect

    misnamed = {name: [p for p in inspect.signature(f).parameters if p in OTHER_NAMES_FOR_AN_IMAGE]
                for name, f in _public_callables().items()}
    misnamed = {name: params for name, params in misnamed.items() if params}
    assert set(misnamed) <= NOT_YET_RENAMED, {
        name: params for name, params in misnamed.items() if name not in NOT_YET_RENAMED}
    pairs = {name: [p for p in inspect.signature(f).parameters if p.startswith("image")]
             for name, f in _public_callables().items()}
    assert pairs["ij_bgcorr.reference.subtract"] == ["image1", "image2"]
    assert pairs["ij_bgcorr.compare"] == pairs["Engine.image_calculator"] == ["image1", "image2"]


def test_every_timeout_defaults_to_the_one_constant() -> None:
    import inspect

    from ij_bgcorr.options import DEFAULT_TIMEOUT

    defaults = {name: p.default for name, f in _public_callables().items()
                for p in inspect.signature(f).parameters.values() if p.name == "timeout"}
    assert {"Engine.run_macro", "ij_bgcorr.batch", "ij_bgcorr.start"} <= defaults.keys()
    assert {name: d for name, d in defaults.items() if d != DEFAULT_TIMEOUT} == {}


HEAVY = ("jpype", "scyjava", "numba", "skimage", "scipy", "dask", "matplotlib", "tifffile",
         "ij_bgcorr.engine.base")


@pytest.mark.parametrize("code", [
    "import ij_bgcorr",
    "from ij_bgcorr.cli.main import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n"
    "    pass\nfor command in main.commands:\n    try:\n"
    "        main([command, '--help'])\n    except SystemExit:\n        pass",
])
def test_importing_the_package_or_asking_for_help_loads_no_heavy_library(code: str) -> None:
    import subprocess
    import sys

    probe = f"{code}\nimport sys\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
