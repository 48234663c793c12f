"""A digest of an image's pixels, to recognise the same image when it comes back."""

from __future__ import annotations

import hashlib

import numpy as np
import xarray as xr


def fingerprint(image: xr.DataArray) -> str:
    """Return a digest of an image's dims, shape, dtype and every pixel value.

    Parameters
    ----------
    image : xarray.DataArray
        Any dims and dtype. Dims of size 1 are left out of the digest; whether
        the image is RGB (``attrs["rgb"]``) is part of it.

    Returns
    -------
    str
        The digest, 32 hexadecimal characters.
    """
    digest = hashlib.blake2b(digest_size=16)
    # dims of size 1 are left out: a result handed back with them restored is the same image
    kept = [(d, n) for d, n in zip(image.dims, image.shape, strict=True) if n > 1]
    header = (kept, str(image.dtype), bool(image.attrs.get("rgb")))
    digest.update(repr(header).encode())
    digest.update(np.ascontiguousarray(image.values).data)
    return digest.hexdigest()
