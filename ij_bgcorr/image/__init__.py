"""Images as labelled arrays: dims, pixel types, calibration, layouts and TIFF files.

No Java here. :func:`as_image` gives an image its canonical form;
:mod:`~ij_bgcorr.image.layout` is the one image contract every function that
takes an image follows; :mod:`~ij_bgcorr.image.tiff` reads and writes ImageJ
hyperstack TIFFs.
"""

from ij_bgcorr.image.arrays import DIM_ORDER, as_image
from ij_bgcorr.image.calibration import Calibration
from ij_bgcorr.image.tiff import check_tiff, open_image, save_image

__all__ = ["DIM_ORDER", "Calibration", "as_image", "check_tiff", "open_image", "save_image"]
