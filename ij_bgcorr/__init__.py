"""ij-bgcorr: local background correction with Fiji's own commands, from Python.

>>> import ij_bgcorr as ijb
>>> fiji = ijb.start()
>>> img = ijb.open_image("image.tif")
>>> bg = fiji.median(img, radius=15)
>>> fg = fiji.image_calculator("subtract", img, bg, create=True, float32=True)
"""

from .batch import BatchSummary, batch
from .calibration import Calibration
from .compare import Comparison, compare
from .embedded_engine import EmbeddedEngine
from .engine import Engine, MacroResult
from .errors import (
    CommandError,
    EngineNotAvailable,
    IjBgcorrError,
    ImageConversionWarning,
    ImageFormatError,
    MacroError,
    MacroTimeout,
)
from .fiji_engine import FijiEngine
from .images import DIM_ORDER, as_image
from .startup import start, start_fiji
from .tiff import open_image, save_image

__all__ = [
    "DIM_ORDER", "BatchSummary", "Calibration", "CommandError", "Comparison", "EmbeddedEngine",
    "Engine", "EngineNotAvailable", "FijiEngine", "MacroResult", "batch", "compare", "start_fiji",
    "IjBgcorrError", "ImageConversionWarning", "ImageFormatError", "MacroError", "MacroTimeout",
    "as_image", "open_image", "save_image", "start",
]
