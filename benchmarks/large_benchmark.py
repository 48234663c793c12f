"""One large image, whole against tile by tile: time, peak memory and identity.

A ``--size`` x ``--size`` uint16 BigTIFF (default 16384², 512 MiB; a smooth
uneven background, spots and noise) is corrected with the rolling ball
(``--rolling``, default 50) and the median (``--radius``, default 5):

* whole: the image read into memory and the command run on it (the engine's
  ``Subtract Background...``/``Median...``, or the ImageJ-matched numpy code);
* tiled: ``ij_bgcorr.batch.large.process_large`` from the file to OME-Zarr,
  ``--chunk`` pixels a side, on this process's threads, then on a local Dask
  cluster of 1 and 2 worker processes (one engine each).

Both compute the method's background and foreground (`lazy_results`). Each
variant runs in a child process of its own; its peak resident memory
(``ru_maxrss``; with a cluster, the largest of the process and its workers) is
reported. Times include reading the input and, for the tiled runs, writing both
outputs, not starting the engines or the cluster. "throughput" is the whole
image's compute time over the tiled time; "vs saved" counts the whole image's
time to write both results to OME-Zarr too, as the tiled run does (>= 0.8 is
the goal for the rolling ball). Identity: every tiled output is
compared with the whole-image result, pixel for pixel.

    python benchmarks/large_benchmark.py [--size 16384] [--chunk 2048] [--engine|--numpy]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
import numpy as np
args = json.loads(sys.argv[1])
import ij_bgcorr as ijb
from ij_bgcorr.batch.large import lazy_results, process_large
from ij_bgcorr.image.ome_zarr import create_ome_zarr, ngff_order
from ij_bgcorr.image.tiff import open_image
engine = None if args["numpy"] else ijb.start()
params = {"rolling-ball": {"rolling": args["rolling"]}, "median": {"radius": args["radius"]}}
def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB
client = None
if args.get("workers"):  # started (one engine per worker) before the clock
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=args["workers"], threads_per_worker=1,
                           processes=True, dashboard_address=":0")
    client = Client(cluster)
    if engine is not None:
        client.run(lambda: ijb.start() and None)
start = time.perf_counter()
saved = None
if args["variant"] == "whole":  # the same two results, computed on the image in memory
    results = lazy_results(open_image(args["input"]), args["method"],
                           params[args["method"]], engine)
    computed = time.perf_counter()
    for name, result in results.items():  # then saved as the tiled run saves them
        target = create_ome_zarr(f"{args['expected']}.{name}.ome.zarr", result,
                                 {"row": args["chunk"], "col": args["chunk"]}, {})
        target[...] = ngff_order(result).values
    saved = time.perf_counter() - start
    elapsed = computed - start
    np.save(args["expected"], np.asarray(results["foreground"].values))
else:
    process_large(args["input"], args["out"], args["method"], params[args["method"]],
                  chunk=args["chunk"], engine=engine, progress=False, replace=True)
if saved is None:
    elapsed = time.perf_counter() - start
peaks = [peak_mib()]
if client is not None:
    peaks += list(client.run(peak_mib).values())
    client.close(); cluster.close()
print(json.dumps({"seconds": elapsed, "saved": saved, "peak_mib": max(peaks)}))
"""


def make_image(path: Path, size: int) -> None:
    """Write the test image band by band (never whole in memory twice)."""
    import numpy as np
    import tifffile

    rng = np.random.default_rng(0)

    def tiles():  # tifffile takes a tiled file's pixels tile by tile, row of tiles by row
        for top in range(0, size, 512):
            rows, cols = np.mgrid[top:top + 512, 0:size].astype(np.float32)
            values = 2000 + 800 * np.sin(rows / 300) * np.cos(cols / 200) + 0.3 * cols
            values += 3000 * (np.hypot((rows % 97) - 48, (cols % 113) - 56) < 6)
            values += rng.normal(0, 60, values.shape)
            band = np.clip(values, 0, 65535).astype(np.uint16)
            yield from (band[:, left:left + 512] for left in range(0, size, 512))

    if size % 512:
        raise SystemExit("--size must be a multiple of 512")
    tifffile.imwrite(path, tiles(), shape=(size, size), dtype=np.uint16, bigtiff=True,
                     tile=(512, 512))


def run_child(settings: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(settings)],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run every variant and print the table."""
    import numpy as np

    from ij_bgcorr.image.tiff import open_image

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=16384)
    parser.add_argument("--chunk", type=int, default=2048)
    parser.add_argument("--rolling", type=float, default=50.0)
    parser.add_argument("--radius", type=float, default=5.0)
    parser.add_argument("--numpy", action="store_true",
                        help="the ImageJ-matched numpy code instead of the engine")
    parser.add_argument("--methods", nargs="+", default=["rolling-ball", "median"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = work / "mosaic.tif"
        make_image(source, args.size)
        print(f"{args.size}x{args.size} uint16 ({source.stat().st_size / 2**20:.0f} MiB), "
              f"tiles of {args.chunk}, {'numpy' if args.numpy else 'ImageJ engine'}")
        print(f"{'method':<13}{'variant':<22}{'seconds':>9}{'peak MiB':>10}"
              f"{'throughput':>12}{'vs saved':>10}  identical")
        for method in args.methods:
            common = {"input": str(source), "method": method, "rolling": args.rolling,
                      "radius": args.radius, "chunk": args.chunk, "numpy": args.numpy}
            expected = work / f"{method}.npy"
            whole = run_child({**common, "variant": "whole", "expected": str(expected)})
            print(f"{method:<13}{'whole image':<22}{whole['seconds']:>9.1f}"
                  f"{whole['peak_mib']:>10.0f}{1.0:>12.2f}")
            print(f"{method:<13}{'whole image, saved':<22}{whole['saved']:>9.1f}"
                  f"{'':>10}{'':>12}{1.0:>10.2f}")
            for label, workers in (("tiled, threads", 0), ("tiled, 1 worker", 1),
                                   ("tiled, 2 workers", 2)):
                out = work / f"out-{method}-{workers}"
                tiled = run_child({**common, "variant": "tiled", "out": str(out),
                                   "workers": workers})
                got = open_image(out / "mosaic" / "foreground.ome.zarr").values
                same = bool(np.array_equal(got, np.load(expected)))
                print(f"{method:<13}{label:<22}{tiled['seconds']:>9.1f}"
                      f"{tiled['peak_mib']:>10.0f}"
                      f"{whole['seconds'] / tiled['seconds']:>12.2f}"
                      f"{whole['saved'] / tiled['seconds']:>10.2f}  {same}")


if __name__ == "__main__":
    main()
