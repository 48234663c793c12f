"""Fiji against scikit-image: comparisons, cross-validation, sweeps, reports, test images.

:func:`compare` says pixel by pixel (and plane by plane) how two images
differ; :func:`cross_validate` computes one lesson method's background with
the engine and with the references and compares them; :mod:`report` draws
and writes the result; :mod:`synthetic` makes lesson-like images.
"""

from ij_bgcorr._lazy import offer

#: Where each name is defined; imported when first used.
_WHERE = {
    "Comparison": "ij_bgcorr.crossval.compare",
    "compare": "ij_bgcorr.crossval.compare",
    "CrossValidation": "ij_bgcorr.crossval.validate",
    "cross_validate": "ij_bgcorr.crossval.validate",
    "sweep": "ij_bgcorr.crossval.validate",
}
offer(__name__, _WHERE)

__all__ = ["Comparison", "CrossValidation", "compare", "cross_validate", "sweep"]
