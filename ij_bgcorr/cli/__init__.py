"""The ``ij-bgcorr`` command line: lesson, run, macro, compare, sweep, batch, doctor."""
