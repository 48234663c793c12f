"""The lesson's images, shipped with the package (CC BY 4.0; see ``ATTRIBUTION.md`` here).

The three images the NEUBIAS lesson "Local background correction" works on,
from the NEUBIAS training resources, used under the Creative Commons
Attribution 4.0 license:

* ``xy_8bit__some_spots_with_uneven_bg``: 256 x 256, 8-bit, spots on an uneven
  background (the median activity);
* ``xyt_8bit_polyp``: 3 frames of 313 x 313, 8-bit, a time series (the
  maximum-projection activity);
* ``xy_8bit__two_spots_noisy_uneven_background``: 400 x 400, 8-bit, two spots,
  noise and an uneven background.
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
#: Where the lesson's published macros open these images from (each name + ``.tif``).
LESSON_URLS = ("https://github.com/NEUBIAS/training-resources/raw/master/image_data/",
               "https://raw.githubusercontent.com/NEUBIAS/training-resources/master/image_data/")


def names() -> list[str]:
    """Return the shipped images' names (their file stems), sorted.

    Returns
    -------
    list of str
    """
    return sorted(p.name.removesuffix(".tif") for p in resources.files(__name__).iterdir()
                  if p.name.endswith(".tif"))


def path(name: str) -> Path:
    """Return the file of a shipped image.

    Parameters
    ----------
    name : str
        One of :func:`names`.

    Returns
    -------
    pathlib.Path
        The TIFF file, inside the installed package.

    Raises
    ------
    KeyError
        For a name that is not shipped; the message lists the names.
    """
    if name not in names():
        raise KeyError(f"No shipped image {name!r}; the images are {', '.join(names())}")
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
    """
    return {f"{base}{name}.tif": path(name) for base in LESSON_URLS for name in names()}


def load(name: str) -> xr.DataArray:
    """Read a shipped image, as :func:`ij_bgcorr.open_image` reads a file.

    Parameters
    ----------
    name : str
        One of :func:`names`, e.g. ``"xy_8bit__some_spots_with_uneven_bg"``.

    Returns
    -------
    xarray.DataArray
        The image, 8-bit, with its calibration; ``attrs["source"]`` is its file.

    Raises
    ------
    KeyError
        For a name that is not shipped.
    """
    return open_image(path(name))
