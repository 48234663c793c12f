"""What starting costs: importing, asking for help, and one image run from the command line.

Run: .venv/bin/python benchmarks/startup_benchmark.py [--repeat 9] [--no-run]

Each command runs in a fresh process, alternately, ``--repeat`` times; printed:
the median wall time of each and its ratio to its floor, measured side by side
in the same run:

* ``import ij_bgcorr`` and ``ij-bgcorr --help`` against ``import xarray`` (the
  library every result is made of, so the floor of any import of the package);
  goal: at most 1.3x;
* ``ij-bgcorr run`` of the lesson's median workflow on the lesson's image
  against ImageJ's own ``-batch`` of the same macro (open, Duplicate, Median,
  Image Calculator, two TIFFs saved) with the same ``ij.jar`` and Java, as
  ``java -jar ij.jar -batch`` runs it (headless AWT, no window); goal: at most 2x.

Prints ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IMPORTS = {
    "import xarray": [sys.executable, "-c", "import xarray"],
    "import ij_bgcorr": [sys.executable, "-c", "import ij_bgcorr"],
    "ij-bgcorr --help": [sys.executable, "-c",
                         "from ij_bgcorr.cli.main import main; main(['--help'])"],
}

# The lesson's median workflow as ImageJ's -batch runs it: argument "image,folder".
LESSON_MACRO = """\
args = split(getArgument(), ",");
open(args[0]);
rename("input");
run("Duplicate...", "title=background");
run("Median...", "radius=15");
imageCalculator("Subtract create 32-bit", "input", "background");
saveAs("Tiff", args[1] + "/foreground.tif");
selectWindow("background");
saveAs("Tiff", args[1] + "/background.tif");
"""


def _run_commands(work: Path) -> dict[str, list[str]]:
    """The CLI's ``run`` and ImageJ's ``-batch`` of the same workflow, writing into ``work``."""
    from ij_bgcorr import data
    from ij_bgcorr.engine.locate import find_ij_jar, find_java_home

    image = data.path(data.SPOTS)
    macro = work / "lesson_median.ijm"
    macro.write_text(LESSON_MACRO)
    java = Path(find_java_home()) / "bin" / "java"
    cli = Path(sys.executable).with_name("ij-bgcorr")
    return {
        "ImageJ -batch": [str(java), "-Djava.awt.headless=true", "-jar", str(find_ij_jar()),
                          "-batch", str(macro), f"{image},{work / 'imagej'}"],
        "ij-bgcorr run": [str(cli), "-q", "run", str(image), "--method", "median",
                          "--radius", "15", "--out", str(work / "cli")],
    }


def _seconds(command: list[str]) -> float:
    if "--out" in command:  # a fresh output folder: the CLI refuses to replace results
        shutil.rmtree(command[command.index("--out") + 1], ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env={**os.environ})
    return time.perf_counter() - started


def _measure(commands: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """Median seconds of each command, run alternately ``repeat`` times after one warm-up."""
    for command in commands.values():  # warm the file cache
        _seconds(command)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            times[name].append(_seconds(command))
    return {name: statistics.median(samples) for name, samples in times.items()}


def _print(medians: dict[str, float], floor: str) -> None:
    for name, median in medians.items():
        print(f"{name:20s} median {median:6.3f} s  ratio to {floor} "
              f"{median / medians[floor]:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--no-run", action="store_true",
                        help="measure only the imports (no Java needed)")
    options = parser.parse_args()
    _print(_measure(IMPORTS, options.repeat), "import xarray")
    if options.no_run:
        return
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "imagej").mkdir()
        _print(_measure(_run_commands(work), max(3, options.repeat // 3)), "ImageJ -batch")


if __name__ == "__main__":
    main()
