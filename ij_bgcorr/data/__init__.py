"""The lesson's images and a calibrated sample, shipped with the package (see ``ATTRIBUTION.md``).

The three images the NEUBIAS lesson "Local background correction" works on,
from the NEUBIAS training resources, used under the Creative Commons
Attribution 4.0 license:

* ``xy_8bit__some_spots_with_uneven_bg``: 256 x 256, 8-bit, spots on an uneven
  background (the median activity);
* ``xyt_8bit_polyp``: 3 frames of 313 x 313, 8-bit, a time series (the
  maximum-projection activity);
* ``xy_8bit__two_spots_noisy_uneven_background``: 400 x 400, 8-bit, two spots,
  noise and an uneven background.

Beside them, one calibrated 16-bit sample (CC0, from scikit-image's sample
data), not one of the lesson's images:

* ``xy_16bit__cell_qpi`` (:data:`CELL`): 660 x 550, 16-bit, 0.107 µm pixels, a
  quantitative phase image of a cell with a banded, uneven background.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import xarray as xr

from ij_bgcorr.image.tiff import open_image

#: The spots image the lesson's median, rolling-ball and top-hat activities use.
SPOTS = "xy_8bit__some_spots_with_uneven_bg"
#: The time series the lesson's maximum-projection activity uses.
POLYP = "xyt_8bit_polyp"
#: A calibrated 16-bit sample (0.107 µm pixels, CC0): a cell in a quantitative phase image.
CELL = "xy_16bit__cell_qpi"
#: The shipped images that are not the lesson's (:func:`path` and :func:`load` take them).
SAMPLES = (CELL,)
#: Where the lesson's published macros open these images from (each name + ``.tif``).
LESSON_URLS = ("https://github.com/NEUBIAS/training-resources/raw/master/image_data/",
               "https://raw.githubusercontent.com/NEUBIAS/training-resources/master/image_data/")


def names() -> list[str]:
    """Return the lesson's shipped images' names (their file stems), sorted.

    The calibrated samples (:data:`SAMPLES`) are not listed here.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from ij_bgcorr import data
    >>> names = data.names()
    >>> data.SPOTS in names, data.POLYP in names
    (True, True)
    >>> names == sorted(names)
    True
    """
    return sorted(p.name.removesuffix(".tif") for p in resources.files(__name__).iterdir()
                  if p.name.endswith(".tif") and p.name.removesuffix(".tif") not in SAMPLES)


def path(name: str) -> Path:
    """Return the file of a shipped image.

    Parameters
    ----------
    name : str
        One of :func:`names` or :data:`SAMPLES`.

    Returns
    -------
    pathlib.Path
        The TIFF file, inside the installed package.

    Raises
    ------
    KeyError
        For a name that is not shipped; the message lists the names.

    Examples
    --------
    >>> from ij_bgcorr import data
    >>> data.path(data.SPOTS).name
    'xy_8bit__some_spots_with_uneven_bg.tif'
    >>> data.path("cells")
    Traceback (most recent call last):
    ...
    KeyError: "No shipped image 'cells'; the images are ..."
    """
    if name not in (*names(), *SAMPLES):
        raise KeyError(f"No shipped image {name!r}; the images are "
                       f"{', '.join((*names(), *SAMPLES))}")
    return Path(str(resources.files(__name__).joinpath(f"{name}.tif")))


def local_copies() -> dict[str, Path]:
    """Return the shipped file of each URL the lesson's published macros open an image from.

    The lesson's macros open their images from the NEUBIAS training resources on
    GitHub; these files are the same bytes (checksums in ``ATTRIBUTION.md``), so
    the macros run unchanged without a network.

    Returns
    -------
    dict of str to pathlib.Path
        By URL (``https://github.com/NEUBIAS/training-resources/raw/master/image_data/
        xyt_8bit_polyp.tif`` and its raw.githubusercontent.com form).

    Examples
    --------
    >>> from ij_bgcorr import data
    >>> copies = data.local_copies()
    >>> len(copies) == len(data.LESSON_URLS) * len(data.names())
    True
    >>> copies[data.LESSON_URLS[0] + "xyt_8bit_polyp.tif"] == data.path(data.POLYP)
    True
    """
    return {f"{base}{name}.tif": path(name) for base in LESSON_URLS for name in names()}


def load(name: str) -> xr.DataArray:
    """Read a shipped image, as :func:`ij_bgcorr.open_image` reads a file.

    Parameters
    ----------
    name : str
        One of :func:`names`, e.g. ``"xy_8bit__some_spots_with_uneven_bg"``, or of
        :data:`SAMPLES`, e.g. :data:`CELL`.

    Returns
    -------
    xarray.DataArray
        The image with its calibration (the lesson's 8-bit, uncalibrated;
        :data:`CELL` 16-bit, 0.107 µm pixels); ``attrs["source"]`` is its file.

    Raises
    ------
    KeyError
        For a name that is not shipped.

    Examples
    --------
    >>> from ij_bgcorr import data
    >>> spots = data.load(data.SPOTS)
    >>> spots.dims, spots.shape, spots.dtype, spots.attrs["title"]
    (('row', 'col'), (256, 256), dtype('uint8'), 'xy_8bit__some_spots_with_uneven_bg.tif')
    >>> data.load("xy_8bit__two_spots_noisy_uneven_background").shape
    (400, 400)
    """
    return open_image(path(name))
