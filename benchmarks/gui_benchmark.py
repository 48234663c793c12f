"""GUI semantics against batch mode: the cost of running a macro as the Fiji GUI does.

Run: .venv/bin/python benchmarks/gui_benchmark.py [--repeat 7]
(with ``IJ_BGCORR_FIJI=../shared/fiji/Fiji.app`` in the environment: the Fiji engine)

Each macro runs through ``engine.run_macro`` in GUI mode (image windows, Log and
Results windows, a fresh ImageJ state before and after, the wait until ImageJ
is idle) and in batch mode (headless Fiji's way), alternately, in this one
process; the first run of each is printed apart (Java's just-in-time
compilation). Printed per macro: best and median seconds of each mode and the
ratio GUI / batch of the best times and the median of the paired ratios. The
macros: the lesson's median activity (its published macro, with each
profile's line given where it is drawn instead of ``Restore Selection``, which
batch mode cannot restore), the same unchanged in GUI mode alone, and a ten-command
macro. Prints ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import ij_bgcorr as ijb
from ij_bgcorr.macro.files import MACRO_DIR

LESSON = MACRO_DIR / "lesson" / "local_background_correction_act1_imagejmacro.ijm"
LINE = "makeLine(99,200,81,121,82,87,91,64,230,26);"

TEN_COMMANDS = """newImage("cells", "16-bit ramp", 512, 512, 1);
run("Add Specified Noise...", "standard=300");
run("Duplicate...", "title=background");
run("Median...", "radius=5");
run("Gaussian Blur...", "sigma=2");
imageCalculator("Subtract create 32-bit", "cells", "background");
rename("foreground");
run("Subtract Background...", "rolling=30 disable");
makeRectangle(100, 100, 200, 150);
run("Measure");
makeLine(10, 10, 400, 300);
run("Plot Profile");
"""


def timed(func: Callable[[], object]) -> float:
    """Return the wall-clock seconds of one call."""
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def compare(engine: ijb.Engine, name: str, code: str, repeat: int) -> None:
    """Print GUI against batch mode for one macro, runs alternating."""
    first = {mode: timed(lambda m=mode: engine.run_macro(code, mode=m))
             for mode in ("gui", "batch")}
    times: dict[str, list[float]] = {"gui": [], "batch": []}
    for _ in range(repeat):
        for mode in ("gui", "batch"):
            times[mode].append(timed(lambda m=mode: engine.run_macro(code, mode=m)))
    paired = statistics.median(g / b for g, b in zip(times["gui"], times["batch"], strict=True))
    best = {mode: min(values) for mode, values in times.items()}
    print(f"{name:<28} gui {best['gui']:.3f} s (median {statistics.median(times['gui']):.3f}) "
          f"| batch {best['batch']:.3f} s (median {statistics.median(times['batch']):.3f}) "
          f"| ratio {best['gui'] / best['batch']:.2f} (paired median {paired:.2f}) "
          f"| first runs {first['gui']:.2f} / {first['batch']:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    engine = ijb.start()
    print(f"{engine!r}: started in {time.perf_counter() - started:.1f} s")
    lesson = LESSON.read_text()
    # each profile's line given where it is drawn: batch mode keeps no selection across
    # selectWindow, and cannot restore one
    both_modes = lesson.replace('run("Restore Selection");', "").replace(
        'run("Plot Profile");', f'{LINE}\nrun("Plot Profile");')
    compare(engine, "lesson (median activity)", both_modes, args.repeat)
    compare(engine, "ten commands", TEN_COMMANDS, args.repeat)
    alone = [timed(lambda: engine.run_macro(lesson)) for _ in range(args.repeat)]
    print(f"{'lesson unchanged, GUI only':<28} gui {min(alone):.3f} s "
          f"(median {statistics.median(alone):.3f})")


if __name__ == "__main__":
    main()
