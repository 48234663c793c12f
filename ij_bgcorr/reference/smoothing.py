"""The 3x3 filters ``Subtract Background...`` applies before estimating the background.

Both run along rows first, then along columns, with edge pixels repeated, in
float32 as ImageJ 1.53t does, so that results round the same way.
"""

from __future__ import annotations

import numpy as np

F32 = np.float32
_THIRD = F32(0.33333333)


def mean3x3(plane: np.ndarray) -> np.ndarray:
    """3x3 mean (rows first, then columns), edge pixels repeated.

    Parameters
    ----------
    plane : numpy.ndarray of float32, shape (row, col)
        The image.

    Returns
    -------
    numpy.ndarray of float32, shape (row, col)
        Each pass is ``(previous + this + next) * 0.33333333``, as in ImageJ.
    """
    out = _mean3(plane, axis=1)
    return _mean3(out, axis=0)


def max3x3(plane: np.ndarray) -> tuple[np.ndarray, float]:
    """3x3 maximum (rows, then columns; edges repeated) and the mean rise it caused.

    Parameters
    ----------
    plane : numpy.ndarray of float32, shape (row, col)
        The image.

    Returns
    -------
    maximum : numpy.ndarray of float32, shape (row, col)
        The filtered image.
    rise : float
        The mean over pixels of (maximum - value) of the row pass plus that of
        the column pass, in the image's value units (computed in float64).
    """
    rows = _max3(plane, axis=1)
    both = _max3(rows, axis=0)
    rise = np.mean(rows - plane, dtype=np.float64) + np.mean(both - rows, dtype=np.float64)
    return both, float(rise)


def _max3(plane: np.ndarray, axis: int) -> np.ndarray:
    """Maximum of 3 neighbours along ``axis``, edge pixels repeated."""
    p = np.moveaxis(plane, axis, 0)
    prev = np.concatenate([p[:1], p[:-1]])
    nxt = np.concatenate([p[1:], p[-1:]])
    return np.moveaxis(np.maximum(np.maximum(prev, p), nxt), 0, axis)


def _mean3(plane: np.ndarray, axis: int) -> np.ndarray:
    """Mean of 3 neighbours along ``axis``: (previous + this + next) * 0.33333333."""
    p = np.moveaxis(plane, axis, 0)
    if p.shape[0] == 1:
        out = (p + p + p) * _THIRD
    else:
        prev = np.concatenate([p[:1], p[:-1]])
        nxt = np.concatenate([p[1:], p[-1:]])
        out = (prev + p + nxt) * _THIRD
    return np.moveaxis(out.astype(F32), 0, axis)
