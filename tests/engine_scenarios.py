"""The same calls on whichever engine this process runs, for comparing the two engines.

Imported by the tests, and run as a script in a child process (Java starts
once per process, so the other engine runs there):

    python tests/engine_scenarios.py OUT.pkl

starts the engine ``$IJ_BGCORR_FIJI`` selects and pickles ``{"kind",
"version", "results": {name: DataArray}, "macro": recorded macro, "macros":
{name: outcome}}`` to OUT.pkl.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr

import ij_bgcorr as ijb
from ij_bgcorr import workflows
from ij_bgcorr.crossval import synthetic
from ij_bgcorr.image.calibration import Calibration

MICRONS = Calibration(pixel_width=0.2, pixel_height=0.25, voxel_depth=0.5, unit="micron",
                      frame_interval=2.0, time_unit="sec", x_origin=3.0, y_origin=1.0)


def images() -> dict[str, xr.DataArray]:
    """Test images of every layout and pixel type, deterministic, titled by their key."""
    rng = np.random.default_rng(2024)
    made = {
        "spots8": synthetic.spots_on_uneven_background(),
        "zstack16": ijb.as_image(rng.integers(0, 4096, (3, 40, 50), dtype=np.uint16),
                                 calibration=MICRONS),
        "zstack32": ijb.as_image(rng.normal(100, 20, (4, 21, 19)).astype(np.float32)),
        "noise32": ijb.as_image(rng.normal(50, 10, (37, 41)).astype(np.float32)),
        "rgb": ijb.as_image(rng.integers(0, 256, (30, 40, 3), dtype=np.uint8),
                            dims=("row", "col", "ch"), rgb=True),
        "hyper16": ijb.as_image(rng.integers(0, 60000, (2, 3, 20, 24, 2), dtype=np.uint16),
                                calibration=MICRONS),
        "series8": ijb.as_image(rng.integers(0, 256, (5, 30, 33), dtype=np.uint8),
                                dims=("t", "row", "col"), calibration=MICRONS),
    }
    return {key: image.assign_attrs(title=key) for key, image in made.items()}


def _background_options() -> list[dict[str, Any]]:
    return [{}, {"light_background": True}, {"sliding": True}, {"disable_smoothing": True},
            {"create_background": True}, {"sliding": True, "light_background": True,
                                          "create_background": True, "disable_smoothing": True}]


def calls() -> dict[str, Callable[[Any], Any]]:
    """Named calls, each taking an engine and returning a DataArray or a tuple of them."""
    im = images()
    out: dict[str, Callable[[Any], Any]] = {}
    for key in ("spots8", "zstack16", "noise32", "rgb", "hyper16", "series8"):
        out[f"median r2 {key}"] = lambda e, k=key: e.median(im[k], 2)
        for n, options in enumerate(_background_options()):
            out[f"background {n} {key}"] = lambda e, k=key, o=options: e.subtract_background(
                im[k], rolling=10, **o)
        out[f"duplicate {key}"] = lambda e, k=key: e.duplicate(im[k], title=f"copy of {k}")
    out["median r15 spots8"] = lambda e: e.median(im["spots8"], 15)
    out["background separate rgb"] = lambda e: e.subtract_background(im["rgb"], 5, separate=True)
    for method in ("avg", "max", "min", "sum", "sd", "median"):
        for key in ("zstack16", "zstack32", "hyper16", "series8"):
            out[f"zproject {method} {key}"] = lambda e, k=key, m=method: e.z_project(im[k], m)
    out["zproject range"] = lambda e: e.z_project(im["zstack16"], "max", start=2, stop=3)
    planes = im["zstack16"]
    for op in ("subtract", "add", "difference", "average", "max", "and"):
        out[f"calculator {op}"] = lambda e, o=op: e.image_calculator(o, planes, planes[0])
    out["calculator divide 32-bit"] = lambda e: e.image_calculator(
        "divide", im["noise32"], im["noise32"] * 0 + 3, float32=True)
    out["calculator in place"] = lambda e: e.image_calculator(
        "subtract", im["spots8"], im["spots8"] // 2, create=False)
    out["workflow median"] = lambda e: workflows.median_background(e, im["spots8"], 15)
    out["workflow maxproj"] = lambda e: workflows.max_projection_background(e, im["series8"])
    out["workflow rolling"] = lambda e: workflows.rolling_ball_background(e, im["zstack16"], 20)
    out["workflow tophat"] = lambda e: workflows.tophat_background(e, im["spots8"], 5)
    return out


MACROS = {
    "measure": ('newImage("r", "8-bit ramp", 30, 20, 1);\nrun("Measure");\n'
                'makeRectangle(2, 3, 7, 5);\nrun("Measure");\nrun("Clear Results");\n'
                'run("Measure");\nrun("Measure");', {}),
    "parameters": ('#@ Integer n\n#@ Double (value=0.25) x\n#@ String s\n#@ Boolean b\n'
                   '#@output String out\nout = s + n * x + b;\nprint(out);',
                   {"n": 3, "s": 'a "b" [c]', "b": True}),
    "arguments": ('print(getArgument());\nprint(call("ij.Macro.getValue", getArgument(), '
                  '"t", ""));', {"t": "a]b c", "r": 2}),
    "waitForUser": ('print("a");\nwaitForUser("x");\nprint("b");', {}),
    "getBoolean": ('b = getBoolean("x");', {}),
    "Dialog": ('Dialog.create("d");\nDialog.addNumber("n", 1);\nDialog.show();', {}),
    "getDirectory": ('d = getDirectory("Pick");', {}),
    "showMessage": ('showMessage("hello");\nprint("after");', {}),
    "batch false": ('newImage("a", "8-bit ramp", 8, 8, 1);\nnewImage("b", "8-bit", 4, 4, 1);\n'
                    'selectImage("a");\nsetBatchMode(false);', {}),
    "exit and display": ('newImage("a", "8-bit ramp", 8, 8, 1);\n'
                         'newImage("b", "8-bit", 4, 4, 1);\nsetBatchMode("exit and display");',
                         {}),
    "exits": ('newImage("a", "8-bit", 4, 4, 1);\n{ print("done"); exit(); } // end', {}),
    "no options": ('newImage("a", "8-bit ramp", 32, 32, 1);\nrun("Median...");\n'
                   'run("Gaussian Blur...");', {}),
    "syntax error": ('x = 1;\ny = ;', {}),
    "undefined": ('#@ Integer n\nx = n;\ny = nope;', {"n": 1}),
    "named table": ('Table.create("T");\nTable.set("v", 0, 1/3);\nTable.update;', {}),
    "&variable": ('s = 1.5;\nnewImage("a", "8-bit ramp", 8, 8, 1);\nsetPixel(3, 3, 255);\n'
                  'run("Gaussian Blur...", "sigma=&s");', {}),
    "sigma written": ('newImage("a", "8-bit ramp", 8, 8, 1);\nsetPixel(3, 3, 255);\n'
                      'run("Gaussian Blur...", "sigma=1.5");', {}),
    "text1": ('newImage("a", "8-bit ramp", 8, 8, 1);\nsetPixel(3, 3, 255);\n'
              'run("Duplicate...", "title=b");\n'
              'run("Convolve...", "text1=[0 -1 0\\n-1 4 -1\\n0 -1 0\\n] normalize");', {}),
}


def macro_outcomes(engine: Any) -> dict[str, dict[str, Any]]:
    """Each macro's outcome on ``engine``: images, log, tables, outputs, or its error."""
    outcomes: dict[str, dict[str, Any]] = {}
    for name, (code, args) in MACROS.items():
        try:
            r = engine.run_macro(code, args=args, timeout=60)
        except ijb.MacroError as exc:
            outcomes[name] = {"error": (type(exc).__name__, exc.message, exc.line, exc.log)}
            continue
        outcomes[name] = {"images": {t: im.values for t, im in r.images.items()}, "log": r.log,
                          "tables": {t: df.to_dict("list") for t, df in r.all_tables().items()},
                          "outputs": r.outputs, "returned": r.returned}
    return outcomes


def run_all(engine: Any) -> dict[str, xr.DataArray]:
    """Every call's results on ``engine``, by name (a tuple's parts as ``name/0``, ``name/1``)."""
    engine.new_session()
    results: dict[str, xr.DataArray] = {}
    for name, call in calls().items():
        value = call(engine)
        parts = value if isinstance(value, tuple) else (value,)
        for i, part in enumerate(parts):
            results[name if len(parts) == 1 else f"{name}/{i}"] = part
    return results


def main(out: str) -> None:
    engine = ijb.start()
    results = run_all(engine)
    with open(out, "wb") as stream:
        pickle.dump({"kind": engine.kind, "version": engine.version, "results": results,
                     "macro": engine.recorded_macro(), "macros": macro_outcomes(engine)},
                    stream)


if __name__ == "__main__":
    main(sys.argv[1])
    from ij_bgcorr.engine.jvm import exit_now

    exit_now(0)
