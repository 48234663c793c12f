"""The median filter, as ImageJ's ``Median...`` or as the lesson's scikit-image code."""

from __future__ import annotations

from functools import partial

from skimage import filters, morphology

from ij_bgcorr.image.layout import map_planes, read_image
from ij_bgcorr.reference.kinds import check_kind
from ij_bgcorr.reference.median_kernel import median_plane
from ij_bgcorr.reference.rank import imagej_kernel
from ij_bgcorr.reference.results import Image, in_layout, tile_by_tile
from ij_bgcorr.tiled import is_lazy, rank_reach
from ij_bgcorr.validation import whole_pixels


def median(image: Image, radius: float, kind: str = "imagej") -> Image:
    """Median filter of every (row, col) plane.

    Parameters
    ----------
    image : numpy.ndarray or xarray.DataArray
        Image under the package's image contract (`ij_bgcorr.image.layout`);
        uint8, uint16 or float32 (other pixel types are converted with a warning).
    radius : float
        Kernel radius in pixels, > 0. For ``kind="lesson"`` a whole number.
    kind : {"imagej", "lesson"}, default "imagej"
        ``"imagej"`` reproduces ImageJ 1.x ``run("Median...", "radius=R")``: the
        kernel of `imagej_kernel`, pixels outside the image read as the nearest
        edge pixel. Checked equal, pixel for pixel, to ImageJ 1.53t on random
        uint8, uint16 and float32 images for radii 0.3 to 50, also on images
        smaller than the kernel.
        ``"lesson"`` is the lesson's ``skimage.filters.median(img,
        skimage.morphology.disk(r))``; scikit-image 0.26's default border mode
        there is ``'nearest'`` too, so only the kernel differs.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        The filtered image, same type, shape and dtype as ``image``; a DataArray
        carries ``attrs["reference"]`` describing the call. A Dask-backed
        DataArray gives a Dask-backed one, computed tile by tile, identical to
        the whole image's result (`ij_bgcorr.tiled`).

    Raises
    ------
    CommandError
        When ``radius`` is not a number of pixels above 0 (a whole one for
        ``"lesson"``), or ``kind`` is unknown.

    Notes
    -----
    In float images ImageJ leaves NaN out of the median (a NaN pixel stays NaN),
    and so does the ImageJ kind, with ImageJ's own answer when an even number
    of values is left (`ij_bgcorr.reference.median_kernel`).

    Examples
    --------
    At radius 1 ImageJ's kernel is the full 3x3 square; the lesson's ``disk(1)``
    is a 5-pixel cross, which leaves this ramp as it is:

    >>> from ij_bgcorr import reference
    >>> ramp = np.arange(25, dtype=np.uint8).reshape(5, 5)
    >>> print(reference.median(ramp, radius=1))
    [[ 1  2  3  4  4]
     [ 5  6  7  8  9]
     [10 11 12 13 14]
     [15 16 17 18 19]
     [20 20 21 22 23]]
    >>> int((reference.median(ramp, radius=1, kind="lesson") != ramp).sum())
    0

    The lesson's background of the spots image, with the call in its attrs:

    >>> from ij_bgcorr import data
    >>> reference.median(data.load(data.SPOTS), radius=15).attrs["reference"]
    'ImageJ run("Median...", "radius=15"): 717-pixel kernel, nearest-edge border'
    """
    kind = check_kind(kind)
    if is_lazy(image):
        return tile_by_tile(partial(median, radius=radius, kind=kind), image, rank_reach(radius))
    canonical, layout = read_image(image)
    if kind == "imagej":
        footprint = imagej_kernel(radius)
        out = map_planes(canonical, lambda plane: median_plane(plane, footprint))
        text = (
            f'ImageJ run("Median...", "radius={radius}"): '
            f"{footprint.sum()}-pixel kernel, nearest-edge border"
        )
    else:
        disk_radius = whole_pixels("radius", radius)
        disk = morphology.disk(disk_radius)
        out = map_planes(canonical, lambda plane: filters.median(plane, disk))
        text = f"skimage.filters.median(img, skimage.morphology.disk({disk_radius}))"
    return in_layout(out, canonical, layout, text)
