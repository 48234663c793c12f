"""A digest of an image's pixels, to recognise the same image when it comes back."""

from __future__ import annotations

import numpy as np
import xarray as xr
import xxhash

from ij_bgcorr.image.chunks import CHUNK_BYTES, in_chunks


def fingerprint(image: xr.DataArray) -> str:
    """Return a digest of an image's dims, shape, dtype and every pixel value.

    Parameters
    ----------
    image : xarray.DataArray
        Any dims and dtype. Dims of size 1 are left out of the digest; whether
        the image is RGB (``attrs["rgb"]``) is part of it. A Dask-backed image
        is not read: its graph's name (Dask's token of the source and of every
        step that made it) stands for its pixels, so it has another digest than
        the same pixels in memory.

    Returns
    -------
    str
        The digest, 32 hexadecimal characters.
    """
    # XXH3 (128 bits) rather than a cryptographic hash: it tells accidental changes apart
    # as surely and runs at memory speed (about 30x blake2b), and every engine call takes
    # two fingerprints
    digest = xxhash.xxh3_128()
    # dims of size 1 are left out: a result handed back with them restored is the same image
    kept = [(d, n) for d, n in zip(image.dims, image.shape, strict=True) if n > 1]
    header = (kept, str(image.dtype), bool(image.attrs.get("rgb")))
    digest.update(repr(header).encode())
    graph = getattr(image.data, "name", None) if image.chunks is not None else None
    if graph is not None:
        digest.update(b"dask:" + str(graph).encode())
        return digest.hexdigest()
    data = memoryview(np.ascontiguousarray(image.values)).cast("B")
    # the pixels are hashed in chunks, on every core; their digests, in order, make the digest
    parts = in_chunks(lambda start, stop: xxhash.xxh3_128(data[start:stop]).digest(),
                      data.nbytes, CHUNK_BYTES)
    digest.update(b"".join(parts))
    return digest.hexdigest()
