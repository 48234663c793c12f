"""Engine benchmark: start time, transfer speed, and API overhead per command.

Run: PYTHONPATH=. .venv/bin/python benchmarks/engine_benchmark.py [--size 2048]
     [--large 8192] [--stack 50 1024] [--repeat 5]
(with ``IJ_BGCORR_FIJI=../shared/fiji/Fiji.app`` in the environment: the Fiji engine)

The API overhead is the time of an engine command (``fiji.median(arr, 5)``:
conversion to Java, the ``Duplicate...`` that keeps the input unchanged, the
command, conversion back, fingerprints for the recorded session) over the
time of the same command line in Java on an ImagePlus already there (measured
with ``getTime()`` inside the macro). Both are measured alternately in this
one run, best of ``--repeat``; the first API call of each case (Java's
just-in-time compilation, first use of the heap) is printed apart. Java's own
time of one command varies by 10-40 % between runs (the just-in-time
compiler's choices, the heap's state), so the overhead is also printed in
milliseconds (best API time less best Java time) and as the median of the
ratios of each API call to the Java run right after it. Cases: a
``--size`` square uint16 image, a ``--large`` one (0: none) and a stack of
``--stack`` planes of that size (0: none). Prints ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np


def best_of(func: Callable[[], object], repeat: int = 5) -> float:
    """Shortest wall-clock time of ``repeat`` calls, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - started)
    return best


def transfer_speeds(ijb, size: int) -> None:
    """Print the speeds of numpy <-> Java conversions of a ``size`` square uint16 image."""
    from ij_bgcorr.engine.convert import from_imageplus, java_arrays, to_imageplus

    img = np.random.default_rng(0).integers(0, 65536, (size, size), dtype=np.uint16)
    image = ijb.as_image(img)
    gb = img.nbytes / 1e9
    t_copy = best_of(img.copy)
    t_array = best_of(lambda: java_arrays(img[None]))
    t_to = best_of(lambda: to_imageplus(image))
    imp = to_imageplus(image)
    t_back = best_of(lambda: from_imageplus(imp))
    print(f"numpy copy            {gb / t_copy:7.2f} GB/s")
    print(f"numpy -> Java array   {gb / t_array:7.2f} GB/s   ({t_copy / t_array:.2f}x numpy copy)")
    print(f"numpy -> ImagePlus    {gb / t_to:7.2f} GB/s   (with ImageJ's own min/max scan)")
    print(f"ImageJ -> numpy       {gb / t_back:7.2f} GB/s   (one bulk copy per plane; a "
          f"zero-copy view of the Java heap is not possible through JPype)")


def overheads(fiji, label: str, img: np.ndarray, radius: int, repeat: int) -> None:
    """Print API time, Java time and their ratio for each command on ``img``."""
    stack = " stack" if img.ndim > 2 else ""
    calls = {
        f"Median radius={radius}": (lambda: fiji.median(img, radius),
                                    f'run("Median...", "radius={radius}{stack}");'),
        "Subtract Background rolling=50": (lambda: fiji.subtract_background(img, 50),
                                           f'run("Subtract Background...", "rolling=50{stack}");'),
        "Duplicate": (lambda: fiji.duplicate(img, "d"),
                      'run("Duplicate...", "title=d' + (" duplicate" if stack else "") + '");'),
    }
    for name, (api_call, line) in calls.items():
        timed = f't0 = getTime();\n{line}\nreturn d2s(getTime() - t0, 0);'
        started = time.perf_counter()
        api_call()
        first = time.perf_counter() - started
        apis, javas = [], []
        for _ in range(repeat):  # alternately, so that both see the same load
            apis.append(best_of(api_call, 1))
            run = fiji.run_macro(timed, inputs={"image1": img}, outputs=[])
            javas.append(float(run.returned) / 1000.0)
        t_api, t_java = min(apis), min(javas)
        ratio = t_api / t_java if t_java > 0 else float("nan")
        paired = float(np.median(np.divide(apis, javas)))
        print(f"{label:20s} {name:32s} {first:8.3f} {t_api:8.3f} {t_java:10.3f} {ratio:9.2f} "
              f"{paired:8.2f} {1000 * (t_api - t_java):9.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--large", type=int, default=8192, help="0: none")
    parser.add_argument("--stack", type=int, nargs=2, default=[50, 1024],
                        metavar=("PLANES", "SIZE"), help="0 0: none")
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()

    started = time.perf_counter()
    import ij_bgcorr as ijb

    fiji = ijb.start()
    print(f"engine start (import + Xvfb + JVM + ImageJ): {time.perf_counter() - started:.2f} s; "
          f"ImageJ {fiji.version}")
    transfer_speeds(ijb, opts.size)

    rng = np.random.default_rng(0)
    cases = [(f"{opts.size}x{opts.size}", (opts.size, opts.size), 5)]
    if opts.large:
        cases.append((f"{opts.large}x{opts.large}", (opts.large, opts.large), 2))
    planes, side = opts.stack
    if planes and side:
        cases.append((f"stack {planes}x{side}x{side}", (planes, side, side), 2))
    print(f"\nuint16; best of {opts.repeat}, API and Java alternately; times in s")
    print(f"{'image':20s} {'command':32s} {'1st API':>8s} {'API':>8s} {'in Java':>10s} "
          f"{'API/Java':>9s} {'median':>8s} {'extra ms':>9s}")
    for label, shape, radius in cases:
        overheads(fiji, label, rng.integers(0, 65536, shape, dtype=np.uint16), radius,
                  opts.repeat)


if __name__ == "__main__":
    main()
