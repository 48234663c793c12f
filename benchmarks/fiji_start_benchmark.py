"""Start time of the Fiji engine against PyImageJ's own start of the same Fiji.app.

Each start runs in a fresh Python process (Java starts once per process), the
two kinds alternating, and prints the best and median of ``--rounds`` runs
and their ratio, measured side by side in this one run:

* ``ij_bgcorr.start(fiji=APP)``: the Fiji engine, ready for commands;
* ``imagej.init(APP, mode="headless")``: PyImageJ alone, with the imglyb
  endpoint and start-up hooks left out as ij-bgcorr leaves them out
  (a stock Fiji.app has no imglyb jar, and without network PyImageJ as
  shipped cannot start it at all).

The engine's time is broken down into importing ij-bgcorr, PyImageJ's
``init`` inside it, and building the engine (macro runner, AWT listener).

    python benchmarks/fiji_start_benchmark.py [--fiji ../shared/fiji/Fiji.app] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ENGINE = """
import json, sys, time
t0 = time.perf_counter()
import imagej
import ij_bgcorr as ijb
t1 = time.perf_counter()
spent = {}
original = imagej.init
def timed_init(*args, **kwargs):
    start = time.perf_counter()
    try:
        return original(*args, **kwargs)
    finally:
        spent["init"] = time.perf_counter() - start
imagej.init = timed_init
engine = ijb.start(fiji=sys.argv[1])
t2 = time.perf_counter()
print(json.dumps({"total": t2 - t0, "import": t1 - t0, "init": spent["init"],
                  "engine": t2 - t1 - spent["init"]}))
from ij_bgcorr.engine.jvm import exit_now
exit_now(0)
"""

PYIMAGEJ = """
import json, sys, time
t0 = time.perf_counter()
import imagej
import scyjava
from scyjava import _jvm
scyjava.config.endpoints[:] = [e for e in scyjava.config.endpoints if "imglyb" not in e]
_jvm._startup_callbacks[:] = [h for h in _jvm._startup_callbacks
                              if not getattr(h, "__module__", "").startswith("imglyb")]
scyjava.config.set_java_constraints(fetch="auto")
t1 = time.perf_counter()
ij = imagej.init(sys.argv[1], mode="headless")
t2 = time.perf_counter()
print(json.dumps({"total": t2 - t0, "import": t1 - t0, "init": t2 - t1}))
import os
os._exit(0)
"""


def _run(code: str, app: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", code, app], capture_output=True, text=True,
                          timeout=600, check=True, env={**os.environ, "IJ_BGCORR_FIJI": ""})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[2] / "shared" / "fiji" / "Fiji.app"
    parser.add_argument("--fiji", default=os.environ.get("IJ_BGCORR_FIJI") or str(default))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"engine": [], "pyimagej": []}
    for k in range(args.rounds):
        order = [("engine", ENGINE), ("pyimagej", PYIMAGEJ)]
        for name, code in order if k % 2 == 0 else order[::-1]:
            runs[name].append(_run(code, args.fiji))
    print(f"Fiji.app: {args.fiji}; {args.rounds} rounds, each start in a fresh process\n")
    print(f"{'start':<34}{'best s':>8}{'median s':>10}")
    for name, label in (("engine", "ij_bgcorr.start(fiji=...)"),
                        ("pyimagej", "imagej.init(..., mode='headless')")):
        totals = [r["total"] for r in runs[name]]
        print(f"{label:<34}{min(totals):>8.2f}{statistics.median(totals):>10.2f}")
    best = {n: min(r["total"] for r in runs[n]) for n in runs}
    median = {n: statistics.median(r["total"] for r in runs[n]) for n in runs}
    print(f"\nratio engine / PyImageJ: best {best['engine'] / best['pyimagej']:.2f}, "
          f"median {median['engine'] / median['pyimagej']:.2f} (goal <= 1.2)")
    print("\nwhere the engine's start goes (median s):")
    for part in ("import", "init", "engine"):
        print(f"  {part:<8}{statistics.median(r[part] for r in runs['engine']):>6.2f}")
    print(f"  PyImageJ alone: import {statistics.median(r['import'] for r in runs['pyimagej']):.2f}"
          f", init {statistics.median(r['init'] for r in runs['pyimagej']):.2f}")


if __name__ == "__main__":
    main()
