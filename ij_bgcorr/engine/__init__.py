"""ImageJ running in this process: the only code that imports jpype, scyjava or imagej.

Two engines behind one API (:class:`Engine`): the embedded ImageJ 1.x
(:mod:`~ij_bgcorr.engine.embedded`) and the user's Fiji through PyImageJ
(:mod:`~ij_bgcorr.engine.fiji`), started by :func:`start`
(:mod:`~ij_bgcorr.engine.startup`). Images cross into Java and back through
:mod:`~ij_bgcorr.engine.convert`; macro code runs through
:mod:`~ij_bgcorr.engine.runner`, watched by :mod:`~ij_bgcorr.engine.watchdog`.
"""

from ij_bgcorr.engine.base import Engine
from ij_bgcorr.engine.embedded import EmbeddedEngine
from ij_bgcorr.engine.fiji import FijiEngine
from ij_bgcorr.engine.results import MacroResult
from ij_bgcorr.engine.startup import start, start_fiji

__all__ = ["EmbeddedEngine", "Engine", "FijiEngine", "MacroResult", "start", "start_fiji"]
