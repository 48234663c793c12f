"""Time ij_bgcorr.reference.subtract_background against ImageJ and scikit-image.

A 2048 x 2048 uint16 image (smooth uneven background, spots and noise) at a ball
radius of 50 pixels (``--sliding``: the sliding paraboloid, which scikit-image
does not have). ImageJ's time is measured inside Java with ``getTime()``
around ``run("Subtract Background...")``; the others with ``time.perf_counter``.
Each time is the best of ``--repeats`` runs (scikit-image: a single run, it takes
tens of seconds).

    python benchmarks/rolling_ball_benchmark.py [--size 2048] [--radius 50] [--repeats 5]
        [--sliding] [--skip-skimage]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from skimage.restoration import rolling_ball

import ij_bgcorr as ijb
from ij_bgcorr.reference import subtract_background

MACRO = ('t0=getTime();\nrun("Subtract Background...", "rolling={radius}{sliding}");\n'
         'return d2s(getTime()-t0,0);')


def test_image(size: int) -> np.ndarray:
    """uint16 spots on a smooth uneven background with Gaussian noise."""
    rng = np.random.default_rng(0)
    rows, cols = np.indices((size, size), dtype=np.float32)
    bg = 2000 + 800 * np.sin(rows / 300) * np.cos(cols / 200) + 0.3 * cols
    spots = np.zeros((size, size), np.float32)
    for r, c in rng.integers(0, size, (200, 2)):
        r0, r1, c0, c1 = max(r - 12, 0), min(r + 13, size), max(c - 12, 0), min(c + 13, size)
        spots[r0:r1, c0:c1] += 3000 * np.exp(
            -((rows[r0:r1, c0:c1] - r) ** 2 + (cols[r0:r1, c0:c1] - c) ** 2) / 30)
    noisy = bg + spots + rng.normal(0, 60, (size, size))
    return np.clip(noisy, 0, 65535).astype(np.uint16)


def best_of(repeats: int, run) -> float:
    """Shortest wall-clock time of ``repeats`` calls of ``run``, in ms."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--radius", type=float, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sliding", action="store_true", help="sliding paraboloid")
    parser.add_argument("--skip-skimage", action="store_true")
    args = parser.parse_args()

    img = test_image(args.size)
    options = {"rolling": args.radius, "sliding": args.sliding}
    fiji = ijb.start()
    ours_ms = best_of(args.repeats, lambda: subtract_background(img, **options))
    macro = MACRO.format(radius=args.radius, sliding=" sliding" if args.sliding else "")
    fiji_ms = min(
        float(fiji.run_macro(macro, inputs={"image1": ijb.as_image(img)}, outputs=[]).returned)
        for _ in range(args.repeats)
    )
    same = np.array_equal(subtract_background(img, **options),
                          np.asarray(fiji.subtract_background(img, **options).values))
    method = "sliding paraboloid" if args.sliding else "rolling ball"
    print(f"{args.size}x{args.size} uint16, rolling={args.radius:g}, {method}")
    print(f"  ij_bgcorr.reference    : {ours_ms:9.1f} ms   (identical to ImageJ: {same})")
    target = "" if args.sliding else "  (target <= 2)"
    print(f"  ImageJ 1.53t (in Java) : {fiji_ms:9.1f} ms   ours/ImageJ = {ours_ms / fiji_ms:.2f}"
          + target)
    if not (args.skip_skimage or args.sliding):
        skimage_ms = best_of(1, lambda: rolling_ball(img, radius=args.radius))
        print(f"  skimage rolling_ball   : {skimage_ms:9.1f} ms   skimage/ours = "
              f"{skimage_ms / ours_ms:.1f}  (target >= 20)")


if __name__ == "__main__":
    main()
