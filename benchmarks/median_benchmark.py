"""ImageJ-matched median (numpy/scikit-image) against Fiji's own Median, side by side.

Run: .venv/bin/python benchmarks/median_benchmark.py [--size 2048] [--radius 15]
For each kind of 2048x2048 image prints the reference's time, Fiji's time
(timed inside ImageJ), their ratio, and whether the pixels are identical.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--radius", type=float, default=15)
    opts = parser.parse_args()

    import ij_bgcorr as ijb
    from ij_bgcorr import reference

    fiji = ijb.start()
    rng = np.random.default_rng(0)
    shape = (opts.size, opts.size)
    images = {
        "uint16 noise around 1000 (~1400 levels)":
            rng.normal(1000, 200, shape).clip(0, 65535).astype(np.uint16),
        "uint16 12-bit uniform": rng.integers(0, 4096, shape, dtype=np.uint16),
        "uint16 full-range uniform": rng.integers(0, 65536, shape, dtype=np.uint16),
        "uint8 uniform": rng.integers(0, 256, shape, dtype=np.uint8),
    }
    line = f'run("Median...", "radius={opts.radius:g}");'
    timed = f"t0 = getTime();\n{line}\nreturn d2s(getTime() - t0, 0);"
    print(f"{opts.size}x{opts.size}, radius {opts.radius:g}")
    print(f"{'image':42s} {'reference s':>12s} {'Fiji s':>8s} {'ref/Fiji':>9s} identical")
    for name, image in images.items():
        started = time.perf_counter()
        ours = reference.median(image, opts.radius)
        t_ours = time.perf_counter() - started
        run = fiji.run_macro(timed, inputs={"image": ijb.as_image(image)}, outputs=["image"])
        t_fiji = float(run.returned) / 1000.0
        same = np.array_equal(ours, run["image"].values)
        print(f"{name:42s} {t_ours:12.2f} {t_fiji:8.2f} {t_ours / t_fiji:9.2f} {same}")


if __name__ == "__main__":
    main()
