"""What starting costs: ``import ij_bgcorr`` and ``ij-bgcorr --help`` against ``import xarray``.

Run: .venv/bin/python benchmarks/startup_benchmark.py [--repeat 9]

Each command runs in a fresh Python process, alternately, ``--repeat`` times;
printed: the median wall time of each and its ratio to ``import xarray`` (the
library every result is made of, so the floor of any import of the package).
Goals: at most 1.3x for both. Prints ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "import xarray": [sys.executable, "-c", "import xarray"],
    "import ij_bgcorr": [sys.executable, "-c", "import ij_bgcorr"],
    "ij-bgcorr --help": [sys.executable, "-c",
                         "from ij_bgcorr.cli.main import main; main(['--help'])"],
}


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    repeat = parser.parse_args().repeat
    for command in COMMANDS.values():  # warm the file cache
        _seconds(command)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(repeat):
        for name, command in COMMANDS.items():
            times[name].append(_seconds(command))
    floor = statistics.median(times["import xarray"])
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:20s} median {median:6.3f} s  ratio to import xarray {median / floor:5.2f}")


if __name__ == "__main__":
    main()
