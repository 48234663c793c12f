"""Pixel arithmetic between images: the lesson's image minus background."""

from __future__ import annotations

import numpy as np

from ij_bgcorr.errors import CommandError
from ij_bgcorr.image.layout import read_image
from ij_bgcorr.reference.kinds import check_kind
from ij_bgcorr.reference.results import Image, in_layout, refuse_rgb


def subtract(image1: Image, image2: Image, kind: str = "imagej") -> Image:
    """Difference ``image1 - image2`` of two images of the same shape.

    Parameters
    ----------
    image1, image2 : numpy.ndarray or xarray.DataArray
        Images under the package's image contract (`ij_bgcorr.image.layout`)
        with the same sizes; uint8, uint16 or float32.
    kind : {"imagej", "lesson"}, default "imagej"
        ``"imagej"`` is ImageJ's ``imageCalculator("Subtract create 32-bit",
        image1, image2)``: both converted to float32, then subtracted, so the
        result can be negative and nothing wraps.
        ``"lesson"`` is the lesson's ``image1.astype(np.int16) -
        image2.astype(np.int16)``: exact for 8-bit images, but a uint16 value
        above 32767 wraps to a negative number when cast, and a difference
        outside -32768..32767 wraps too.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        float32 (``"imagej"``) or int16 (``"lesson"``) pixels of the common
        shape; a DataArray (with ``image1``'s layout) when ``image1`` is one
        (``image2`` may be either).

    Raises
    ------
    CommandError
        When ``image1`` and ``image2`` differ in shape (the message gives both), or
        ``kind`` is unknown.

    Examples
    --------
    >>> from ij_bgcorr import reference
    >>> a = np.array([[10, 20], [30, 40]], dtype=np.uint8)
    >>> b = np.array([[15, 5], [30, 50]], dtype=np.uint8)
    >>> print(reference.subtract(a, b))
    [[ -5.  15.]
     [  0. -10.]]
    >>> reference.subtract(a, b).dtype, reference.subtract(a, b, kind="lesson").dtype
    (dtype('float32'), dtype('int16'))
    """
    kind = check_kind(kind)
    first, layout = read_image(image1)
    second, _ = read_image(image2)
    if kind == "imagej":
        refuse_rgb(first, "ImageJ's 32-bit Image Calculator turns an RGB image into grey")
    if dict(first.sizes) != dict(second.sizes):
        raise CommandError(f"image1 and image2 differ in shape: image1 {dict(first.sizes)}, "
                           f"image2 {dict(second.sizes)}")
    arr_a, arr_b = first.values, second.values
    if kind == "imagej":
        out = arr_a.astype(np.float32) - arr_b.astype(np.float32)
        text = 'ImageJ imageCalculator("Subtract create 32-bit", a, b): float32(a) - float32(b)'
    else:
        out = arr_a.astype(np.int16) - arr_b.astype(np.int16)
        text = "a.astype(np.int16) - b.astype(np.int16)"
    return in_layout(out, first, layout, text)
