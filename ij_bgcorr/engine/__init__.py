"""ImageJ running in this process: the only code that imports jpype, scyjava or imagej.

Two engines behind one API (:class:`Engine`): the embedded ImageJ 1.x
(:mod:`~ij_bgcorr.engine.embedded`) and the user's Fiji through PyImageJ
(:mod:`~ij_bgcorr.engine.fiji`), started by :func:`start`
(:mod:`~ij_bgcorr.engine.startup`). Images cross into Java and back through
:mod:`~ij_bgcorr.engine.convert`; macro code runs through
:mod:`~ij_bgcorr.engine.runner`, watched by :mod:`~ij_bgcorr.engine.watchdog`.
"""

from ij_bgcorr._lazy import offer

#: Where each name is defined; imported when first used.
_WHERE = {
    "Engine": "ij_bgcorr.engine.base",
    "EmbeddedEngine": "ij_bgcorr.engine.embedded",
    "FijiEngine": "ij_bgcorr.engine.fiji",
    "MacroResult": "ij_bgcorr.engine.results",
    "start": "ij_bgcorr.engine.startup",
    "start_fiji": "ij_bgcorr.engine.startup",
}
offer(__name__, _WHERE)

__all__ = ["EmbeddedEngine", "Engine", "FijiEngine", "MacroResult", "start", "start_fiji"]
