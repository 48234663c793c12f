"""Batch background correction: one method on many files, resumable, in parallel.

The entry point is :func:`ij_bgcorr.batch.run.batch` (also ``ij_bgcorr.batch``
and ``ij-bgcorr batch``). Its parts, one job each:

* :mod:`~ij_bgcorr.batch.inputs`: the input files named by a folder, glob,
  list file or paths, and each one's output folder;
* :mod:`~ij_bgcorr.batch.params`: a method's parameters, defaulted and checked;
* :mod:`~ij_bgcorr.batch.files`: checksums, atomic writes, stale temporaries, inputs
  kept safe from the macro that reads them;
* :mod:`~ij_bgcorr.batch.guards`: no output over an input (links followed), one run
  per output folder (a lock);
* :mod:`~ij_bgcorr.batch.manifest`: the records (``Job``, ``FileResult``),
  ``manifest.json`` and which inputs are already done;
* :mod:`~ij_bgcorr.batch.work`: the work on one file, in whichever process runs it;
* :mod:`~ij_bgcorr.batch.executors`: this process, a process pool, or dask.distributed;
* :mod:`~ij_bgcorr.batch.run`: :func:`~ij_bgcorr.batch.run.batch` and its summary.
"""
