"""RGB to hue, saturation, brightness and back, as ``java.awt.Color`` converts them.

``Subtract Background...`` corrects a colour image's brightness only (unless
``separate``), through these conversions; float32 arithmetic, as in Java,
compiled (numba) colour by colour.
"""

from __future__ import annotations

import numpy as np

from ij_bgcorr.reference.parabola import jit
from ij_bgcorr.reference.workers import run_dealt

F32 = np.float32


def rgb_to_hsb(rgb: np.ndarray) -> np.ndarray:
    """RGB colours to hue, saturation and brightness (``java.awt.Color.RGBtoHSB``).

    Parameters
    ----------
    rgb : numpy.ndarray of uint8, shape (..., 3)
        Red, green, blue.

    Returns
    -------
    numpy.ndarray of float32, shape (..., 3)
        Hue, saturation, brightness, each in [0, 1].
    """
    flat = np.ascontiguousarray(rgb, dtype=np.uint8).reshape(-1, 3)
    out = np.empty(flat.shape, dtype=F32)
    run_dealt(_rgb_to_hsb, flat, out, items=flat.shape[0] // 4096 + 1)
    return out.reshape(rgb.shape)


@jit
def _rgb_to_hsb(rgb: np.ndarray, out: np.ndarray, worker: int, workers: int) -> None:
    """`rgb_to_hsb` of the blocks of 4096 colours ``worker``, ``worker + workers``, ..."""
    for block in range(worker, rgb.shape[0] // 4096 + 1, workers):
        for i in range(block * 4096, min((block + 1) * 4096, rgb.shape[0])):
            r, g, b = np.int32(rgb[i, 0]), np.int32(rgb[i, 1]), np.int32(rgb[i, 2])
            cmax, cmin = max(r, g, b), min(r, g, b)
            span = F32(cmax - cmin)
            sat = span / F32(cmax) if cmax > 0 else F32(0)
            hue = F32(0)
            if sat != 0:
                rc, gc, bc = F32(cmax - r) / span, F32(cmax - g) / span, F32(cmax - b) / span
                if r == cmax:
                    hue = bc - gc
                elif g == cmax:
                    hue = F32(2) + rc - bc
                else:
                    hue = F32(4) + gc - rc
                hue = hue / F32(6)
                if hue < 0:
                    hue = hue + F32(1)
            out[i, 0], out[i, 1], out[i, 2] = hue, sat, F32(cmax) / F32(255)


def hsb_to_rgb(hsb: np.ndarray) -> np.ndarray:
    """Hue, saturation and brightness to RGB colours (``java.awt.Color.HSBtoRGB``).

    Parameters
    ----------
    hsb : numpy.ndarray of float32, shape (..., 3)
        Hue, saturation, brightness, each in [0, 1].

    Returns
    -------
    numpy.ndarray of uint8, shape (..., 3)
        Red, green, blue, each ``int(value * 255 + 0.5)``.
    """
    flat = np.ascontiguousarray(hsb, dtype=F32).reshape(-1, 3)
    out = np.empty(flat.shape, dtype=np.uint8)
    run_dealt(_hsb_to_rgb, flat, out, items=flat.shape[0] // 4096 + 1)
    return out.reshape(hsb.shape)


@jit
def _hsb_to_rgb(hsb: np.ndarray, out: np.ndarray, worker: int, workers: int) -> None:
    """`hsb_to_rgb` of the blocks of 4096 colours ``worker``, ``worker + workers``, ..."""
    one = F32(1)
    for block in range(worker, hsb.shape[0] // 4096 + 1, workers):
        for i in range(block * 4096, min((block + 1) * 4096, hsb.shape[0])):
            hue, sat, bri = hsb[i, 0], hsb[i, 1], hsb[i, 2]
            r = g = b = bri
            if sat != 0:
                h = (hue - np.floor(hue)) * F32(6)
                f = h - np.floor(h)
                p = bri * (one - sat)
                q = bri * (one - sat * f)
                t = bri * (one - sat * (one - f))
                sector = int(h)
                if sector == 0:
                    r, g, b = bri, t, p
                elif sector == 1:
                    r, g, b = q, bri, p
                elif sector == 2:
                    r, g, b = p, bri, t
                elif sector == 3:
                    r, g, b = p, q, bri
                elif sector == 4:
                    r, g, b = t, p, bri
                elif sector == 5:
                    r, g, b = bri, p, q
            out[i, 0] = np.uint8(np.int32(r * F32(255) + F32(0.5)))
            out[i, 1] = np.uint8(np.int32(g * F32(255) + F32(0.5)))
            out[i, 2] = np.uint8(np.int32(b * F32(255) + F32(0.5)))
