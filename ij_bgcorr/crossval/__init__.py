"""Fiji against scikit-image: comparisons, cross-validation, sweeps, reports, test images.

:func:`compare` says pixel by pixel (and plane by plane) how two images
differ; :func:`cross_validate` computes one lesson method's background with
the engine and with the references and compares them; :mod:`report` draws
and writes the result; :mod:`synthetic` makes lesson-like images.
"""

from ij_bgcorr.crossval.compare import Comparison, compare
from ij_bgcorr.crossval.validate import CrossValidation, cross_validate, sweep

__all__ = ["Comparison", "CrossValidation", "compare", "cross_validate", "sweep"]
