"""Images larger than memory, or than ImageJ: computed tile by tile, lazily, exactly.

A Dask-backed DataArray given to an ImageJ-matched function of
`ij_bgcorr.reference` (median, opening, top-hat, Subtract Background) or to the
engine's Median and Subtract Background gives a Dask-backed DataArray back.
Nothing is computed until the result is: then each output chunk (the input's
own chunks, whatever their size) is computed from a window of the input that
holds every pixel the chunk's pixels depend on (`reach`), aligned on the grid
of the rolling ball's shrinking, and cropped. The result is therefore identical,
pixel for pixel, to the whole-image result: the tests prove it on sizes and
chunks that are multiples of nothing, through numpy and through ImageJ.

Modules: `reach` (how far each command looks), `windows` (the window of each
chunk), `lazy` (the Dask graph), `zarr_store` (reading and writing OME-Zarr and
large TIFF files chunk by chunk).
"""

from ij_bgcorr.tiled.lazy import is_lazy, map_tiles
from ij_bgcorr.tiled.reach import Reach, background_reach, rank_reach

__all__ = ["Reach", "background_reach", "is_lazy", "map_tiles", "rank_reach"]
