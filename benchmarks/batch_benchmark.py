"""Throughput of :func:`ij_bgcorr.batch.run.batch`: 1 worker, N worker processes, dask cluster.

Writes ``--n`` synthetic 8-bit images (``--size`` x ``--size`` pixels) to a
temporary folder and corrects them with the median method (``--radius``
pixels; ``--method rolling-ball`` or ``tophat`` instead) four ways, each
into a fresh output folder:

* 1 worker: in this process, ImageJ's filters multi-threaded (its default:
  one thread per CPU), as ``batch()`` runs with ``workers=1``;
* 1 worker with ImageJ single-threaded (``imagej_threads=1``), which is what
  each parallel worker runs;
* ``--workers`` spawned worker processes (one ImageJ engine each);
* a local dask.distributed cluster with ``--workers`` worker processes
  (one thread each) on 127.0.0.1, started before the clock starts.

Times are wall-clock seconds for the whole ``batch()`` call, so they include
starting the ImageJ engines (about 1 s each, in parallel) and writing the
TIFFs. Prints images/s per setup and the ratios to both one-worker runs;
checks that every setup wrote identical files. Other load on the machine
changes the numbers: run it on an otherwise idle machine.

Usage: ``python benchmarks/batch_benchmark.py [--n 200] [--size 256] [--radius 15]
[--method median] [--workers 2] [--no-dask]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from ij_bgcorr.batch.files import file_sha256
from ij_bgcorr.batch.run import BatchSummary, batch
from ij_bgcorr.crossval import synthetic
from ij_bgcorr.image.tiff import save_image


def make_inputs(folder: Path, n: int, size: int) -> None:
    """``n`` synthetic ``size`` x ``size`` 8-bit images in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        save_image(synthetic.spots_on_uneven_background((size, size), seed=i),
                   folder / f"img{i:04d}.tif")


def output_checksums(summary: BatchSummary) -> dict[str, str]:
    """SHA-256 of every output file, by path relative to the output folder."""
    return {str(p.relative_to(summary.out_dir)): file_sha256(p)
            for p in sorted(summary.out_dir.glob("*/*.tif"))}


def report(label: str, summary: BatchSummary, bases: dict[str, float]) -> float:
    """Print one setup's throughput (images/s) and ratios to ``bases``; return throughput."""
    if summary.failed or summary.skipped:
        raise SystemExit(f"{label}: {len(summary.failed)} failed, {len(summary.skipped)} "
                         f"skipped; expected all processed\n{summary}")
    rate = summary.throughput
    ratios = "".join(f"  x{rate / base:.2f} vs {name}" for name, base in bases.items())
    print(f"{label:<34} {len(summary.processed):4d} images in {summary.seconds:6.1f} s  "
          f"{rate:6.2f} images/s{ratios}", flush=True)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="number of images")
    parser.add_argument("--size", type=int, default=256, help="image side, pixels")
    parser.add_argument("--method", default="median", choices=["median", "rolling-ball", "tophat"])
    parser.add_argument("--radius", type=float, default=15.0,
                        help="median / top-hat radius or rolling-ball radius, pixels")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--no-dask", action="store_true", help="skip the dask cluster")
    opts = parser.parse_args()
    method = opts.method
    params = {"rolling" if method == "rolling-ball" else "radius": opts.radius}
    print(f"{opts.n} images {opts.size}x{opts.size}, {method} radius {opts.radius:g} px; "
          f"{os.cpu_count()} CPUs", flush=True)

    with tempfile.TemporaryDirectory(prefix="ijb-batch-bench-") as tmp:
        root = Path(tmp)
        make_inputs(root / "in", opts.n, opts.size)

        one = batch(root / "in", method, root / "out1", params=params, progress=False)
        bases = {"1 worker": report("1 worker, ImageJ multi-threaded", one, {})}
        reference = output_checksums(one)
        single = batch(root / "in", method, root / "out1s", params=params,
                       imagej_threads=1, progress=False)
        bases["1 single-threaded"] = report("1 worker, ImageJ single-threaded", single, bases)
        same = output_checksums(single) == reference

        many = batch(root / "in", method, root / "outN", params=params,
                     workers=opts.workers, progress=False)
        report(f"{opts.workers} worker processes", many, bases)
        same = same and output_checksums(many) == reference

        if not opts.no_dask:
            try:
                from distributed import LocalCluster
            except ImportError:
                print("dask cluster: skipped, dask.distributed is not installed")
            else:
                with LocalCluster(n_workers=opts.workers, threads_per_worker=1,
                                  processes=True, host="127.0.0.1",
                                  dashboard_address=":0") as cluster:
                    on_dask = batch(root / "in", method, root / "outD", params=params,
                                    scheduler=cluster.scheduler_address, progress=False)
                report(f"dask, {opts.workers} workers", on_dask, bases)
                same = same and output_checksums(on_dask) == reference
        print(f"outputs identical across setups: {same}")


if __name__ == "__main__":
    main()
