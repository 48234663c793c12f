"""Images as labelled arrays: dims, pixel types, calibration, layouts and TIFF files.

No Java here. :func:`as_image` gives an image its canonical form;
:mod:`~ij_bgcorr.image.layout` is the one image contract every function that
takes an image follows; :mod:`~ij_bgcorr.image.tiff` reads and writes ImageJ
hyperstack TIFFs.
"""

from ij_bgcorr._lazy import offer

#: Where each name is defined; imported when first used.
_WHERE = {
    "DIM_ORDER": "ij_bgcorr.image.arrays",
    "as_image": "ij_bgcorr.image.arrays",
    "Calibration": "ij_bgcorr.image.calibration",
    "check_tiff": "ij_bgcorr.image.tiff",
    "open_image": "ij_bgcorr.image.tiff",
    "save_image": "ij_bgcorr.image.tiff",
}
offer(__name__, _WHERE)

__all__ = ["DIM_ORDER", "Calibration", "as_image", "check_tiff", "open_image", "save_image"]
