"""Soak: many macro runs in one engine; prints open images and JVM heap in use.

Run: .venv/bin/python benchmarks/macro_soak.py [--runs 100]
"""

from __future__ import annotations

import argparse

from tqdm import tqdm


def used_heap_mb() -> float:
    from jpype import JClass

    runtime = JClass("java.lang.Runtime").getRuntime()
    JClass("java.lang.System").gc()
    return (runtime.totalMemory() - runtime.freeMemory()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100)
    opts = parser.parse_args()

    import ij_bgcorr as ijb
    from ij_bgcorr.crossval import synthetic

    fiji = ijb.start()
    image = synthetic.spots_on_uneven_background((512, 512))
    fiji.run_macro("median_background", inputs={"input": image}, args={"radius": 5})
    before = used_heap_mb()
    open_counts = []
    for _ in tqdm(range(opts.runs), desc="macro runs"):
        fiji.run_macro("median_background", inputs={"input": image}, args={"radius": 5})
        open_counts.append(int(fiji.run_macro("return d2s(nImages, 0);").returned))
    after = used_heap_mb()
    print(f"runs: {opts.runs}; images open between runs: max {max(open_counts)}")
    print(f"JVM heap in use: {before:.1f} MB before, {after:.1f} MB after "
          f"(growth {after - before:+.1f} MB; one 512x512 8-bit + 32-bit result set is "
          f"{512 * 512 * 6 / 2**20:.1f} MB)")


if __name__ == "__main__":
    main()
