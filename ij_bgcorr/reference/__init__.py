"""Reference implementations of the steps of the NEUBIAS lesson "Local background correction".

They are written with numpy, SciPy and scikit-image; the slow steps of the
ImageJ kind (median, rolling ball, sliding paraboloid) are compiled with numba.

Most steps come in two kinds, chosen by one keyword, ``kind``, everywhere
(`ij_bgcorr.reference.kinds`):

* ``kind="imagej"`` (the default) computes what ImageJ 1.x computes, so that a
  result from Fiji can be checked pixel for pixel, and
* ``kind="lesson"`` is the lesson's own Python code (scikit-image), as a
  learner would run it.

The two kinds differ for three reasons:

* Kernel shape. ``skimage.morphology.disk(r)`` holds the offsets with
  dx² + dy² <= r². ImageJ's rank filters (``Median...``, ``Minimum...``,
  ``Maximum...``) hold those with dx² + dy² <= int(r²) + 1, so at r = 1 ImageJ
  uses the full 3x3 square where ``disk(1)`` is a 5-pixel cross (see
  `imagej_kernel`).
* Border handling. ImageJ reads pixels outside the image as the nearest edge
  pixel. ``skimage.filters.median`` does the same (its default ``mode`` is
  ``'nearest'``), but the grey morphology behind ``white_tophat`` defaults to
  ``mode='reflect'``.
* Algorithm. ImageJ's ``Subtract Background...`` shrinks the image, rolls a
  trimmed ball and smooths; ``skimage.restoration.rolling_ball`` does none of it.

Conventions shared by every function:

* Radii are in pixels.
* Images follow the package's one image contract (`ij_bgcorr.image.layout`): a
  DataArray by its dim names in any order, every (row, col) plane of every
  time point, z plane and channel filtered as ImageJ filters a hyperstack; a
  numpy array as ``(row, col)``, ``(pln, row, col)``, ``(t, pln, row, col)``
  or ``(t, pln, row, col, ch)``.
* Pixel types are ImageJ's: uint8, uint16 and float32; others are converted
  with a warning saying what changed, as the engine converts them.
* A numpy array gives a numpy array of its shape. A DataArray gives a
  DataArray with its dims order, coords, name and attrs, plus
  ``attrs["reference"]`` describing the call.
* The input is never modified.
* Bad options (an unknown kind or method, a radius <= 0) raise
  `ij_bgcorr.errors.CommandError`, a ``ValueError``.

Modules: `rank` (ImageJ's rank-filter kernel and single-plane opening),
`median_filter` with `median_kernel`, `morphology` (opening, top-hat), `arithmetic` (subtract),
`projection` (Z Project), `background` (Subtract Background, both kinds),
`imagej_background` with `ball`, `smoothing`, `hsb`, `paraboloid`, `parabola` and
`corners` (ImageJ's Subtract Background), `workers` (kernels on every core),
`kinds` and `results` (shared by all); `rolling_ball` keeps a deprecated name.
"""

from ij_bgcorr.reference.arithmetic import subtract
from ij_bgcorr.reference.background import subtract_background
from ij_bgcorr.reference.median_filter import median
from ij_bgcorr.reference.morphology import opening, tophat
from ij_bgcorr.reference.projection import z_project
from ij_bgcorr.reference.rank import imagej_kernel

__all__ = [
    "imagej_kernel",
    "median",
    "opening",
    "subtract",
    "subtract_background",
    "tophat",
    "z_project",
]
