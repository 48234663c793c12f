"""ij-bgcorr: local background correction with Fiji's own commands, from Python.

>>> import ij_bgcorr as ijb
>>> from ij_bgcorr import data
>>> fiji = ijb.start()
>>> img = ijb.open_image(data.path(data.SPOTS))  # or your own TIFF
>>> bg = fiji.median(img, radius=15)
>>> fg = fiji.image_calculator("subtract", img, bg, create=True, float32=True)
>>> fg.dtype, fg.attrs["macro_line"].startswith('imageCalculator("Subtract create 32-bit"')
(dtype('float32'), True)
>>> int((bg.values != ijb.reference.median(img, 15).values).sum())  # ImageJ's own numbers
0

The subpackages are the layers, each importing only those below it:

* ``image`` — images as labelled arrays, calibration, layouts, TIFF files;
* ``macro`` — the lesson's commands as macro lines, sessions, macro errors;
* ``reference`` — the ImageJ-matched and lesson numpy implementations;
* ``engine`` — ImageJ in this process (the only code that touches Java);
* ``crossval`` — Fiji against scikit-image; ``batch`` — whole experiments;
* ``cli`` — the ``ij-bgcorr`` command.

``options``, ``methods``, ``validation`` and ``errors`` are shared by all.
"""

import typing as _typing
from importlib import metadata as _metadata

from ij_bgcorr._lazy import offer as _offer
from ij_bgcorr.errors import (
    BatchBusy,
    CommandError,
    DiskFull,
    EngineNotAvailable,
    IjBgcorrError,
    ImageConversionWarning,
    ImageFormatError,
    MacroError,
    MacroTimeout,
    MacroWarning,
    ParameterError,
)

if _typing.TYPE_CHECKING:  # for type checkers and editors; at run time they load on first use
    from ij_bgcorr import reference, workflows
    from ij_bgcorr.batch.large import process_large
    from ij_bgcorr.batch.run import BatchSummary, batch
    from ij_bgcorr.crossval import Comparison, compare
    from ij_bgcorr.engine import (
        EmbeddedEngine,
        Engine,
        FijiEngine,
        MacroResult,
        start,
        start_fiji,
    )
    from ij_bgcorr.image import DIM_ORDER, Calibration, as_image, open_image, save_image

try:  # the version is written once, in pyproject.toml
    __version__ = _metadata.version("ij-bgcorr")
except _metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

#: Where each public name is defined. They are imported when first used, so that
#: ``import ij_bgcorr`` loads neither the engine, nor numba, scikit-image or Dask.
_WHERE = {
    "process_large": "ij_bgcorr.batch.large",
    "BatchSummary": "ij_bgcorr.batch.run", "batch": "ij_bgcorr.batch.run",
    "Comparison": "ij_bgcorr.crossval", "compare": "ij_bgcorr.crossval",
    **dict.fromkeys(("EmbeddedEngine", "Engine", "FijiEngine", "MacroResult", "start",
                     "start_fiji"), "ij_bgcorr.engine"),
    **dict.fromkeys(("DIM_ORDER", "Calibration", "as_image", "open_image", "save_image"),
                    "ij_bgcorr.image"),
}

__all__ = [
    "DIM_ORDER", "BatchBusy", "BatchSummary", "Calibration", "CommandError", "Comparison",
    "DiskFull", "EmbeddedEngine", "Engine", "EngineNotAvailable", "FijiEngine", "IjBgcorrError",
    "ImageConversionWarning", "ImageFormatError", "MacroError", "MacroResult", "MacroTimeout",
    "MacroWarning", "ParameterError", "as_image", "batch", "compare", "open_image",
    "process_large", "reference", "save_image", "start", "start_fiji", "workflows",
]

_offer(__name__, _WHERE, modules=("reference", "workflows"))
