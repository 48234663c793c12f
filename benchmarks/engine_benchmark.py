"""Engine benchmark: start time, transfer speed, and API overhead per command.

Run: .venv/bin/python benchmarks/engine_benchmark.py [--size 2048]
Prints ratios measured side by side in this one run; asserts nothing.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def best_of(func, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()

    started = time.perf_counter()
    import ij_bgcorr as ijb
    from ij_bgcorr.engine.convert import _java_array, from_imageplus, to_imageplus

    fiji = ijb.start()
    print(f"engine start (import + Xvfb + JVM + ImageJ): {time.perf_counter() - started:.2f} s; "
          f"ImageJ {fiji.version}")

    rng = np.random.default_rng(0)
    img = rng.integers(0, 65536, (opts.size, opts.size), dtype=np.uint16)
    image = ijb.as_image(img)
    gb = img.nbytes / 1e9
    t_copy = best_of(img.copy)
    t_array = best_of(lambda: _java_array(img))
    t_to = best_of(lambda: to_imageplus(image))
    imp = to_imageplus(image)
    t_back = best_of(lambda: from_imageplus(imp))
    print(f"numpy copy            {gb / t_copy:7.2f} GB/s")
    print(f"numpy -> Java array   {gb / t_array:7.2f} GB/s   ({t_copy / t_array:.2f}x numpy copy)")
    print(f"numpy -> ImagePlus    {gb / t_to:7.2f} GB/s   (with ImageJ's own min/max scan)")
    print(f"ImageJ -> numpy       {gb / t_back:7.2f} GB/s   (one bulk copy; a zero-copy view "
          f"of the Java heap is not possible through JPype)")

    calls = {
        "Median radius=15": (lambda: fiji.median(img, 15), 'run("Median...", "radius=15");'),
        "Subtract Background rolling=50": (
            lambda: fiji.subtract_background(img, 50),
            'run("Subtract Background...", "rolling=50");'),
        "Duplicate": (lambda: fiji.duplicate(img, "d"), 'run("Duplicate...", "title=d");'),
    }
    print(f"\n{'command':32s} {'API s':>8s} {'in Java s':>10s} {'API/Java':>9s}")
    for name, (api_call, line) in calls.items():
        t_api = best_of(api_call, opts.repeat)
        timed = f't0 = getTime();\n{line}\nreturn d2s(getTime() - t0, 0);'

        def java_only(timed=timed) -> float:
            return float(fiji.run_macro(timed, inputs={"image1": image}, outputs=[]).returned)

        t_java = min(java_only() for _ in range(opts.repeat)) / 1000.0
        ratio = t_api / t_java if t_java > 0 else float("nan")
        print(f"{name:32s} {t_api:8.3f} {t_java:10.3f} {ratio:9.2f}")


if __name__ == "__main__":
    main()
