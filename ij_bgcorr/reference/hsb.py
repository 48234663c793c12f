"""RGB to hue, saturation, brightness and back, as ``java.awt.Color`` converts them.

``Subtract Background...`` corrects a colour image's brightness only (unless
``separate``), through these conversions; float32 arithmetic, as in Java.
"""

from __future__ import annotations

import numpy as np

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
    c = rgb.astype(np.int32)
    r, g, b = c[..., 0], c[..., 1], c[..., 2]
    cmax, cmin = c.max(axis=-1), c.min(axis=-1)
    span = (cmax - cmin).astype(F32)
    bri = cmax.astype(F32) / F32(255)
    sat = np.where(cmax > 0, span / np.maximum(cmax, 1).astype(F32), F32(0)).astype(F32)
    safe = np.where(span > 0, span, F32(1))
    rc, gc, bc = ((cmax - x).astype(F32) / safe for x in (r, g, b))
    hue = np.where(r == cmax, bc - gc, np.where(g == cmax, F32(2) + rc - bc, F32(4) + gc - rc))
    hue = (hue.astype(F32) / F32(6)).astype(F32)
    hue = np.where(hue < 0, hue + F32(1), hue)
    hue = np.where(sat == 0, F32(0), hue)
    return np.stack([hue, sat, bri], axis=-1).astype(F32)


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
    hue, sat, bri = (hsb[..., i].astype(F32) for i in range(3))
    h = (hue - np.floor(hue)).astype(F32) * F32(6)
    f = (h - np.floor(h)).astype(F32)
    one = F32(1)
    p = bri * (one - sat)
    q = bri * (one - sat * f)
    t = bri * (one - sat * (one - f))
    sector = h.astype(np.int32)
    choices = [(bri, t, p), (q, bri, p), (p, bri, t), (p, q, bri), (t, p, bri), (bri, p, q)]
    out = np.empty(hue.shape + (3,), dtype=np.uint8)
    for ch in range(3):
        value = np.select([sector == k for k in range(6)], [c[ch] for c in choices], bri)
        value = np.where(sat == 0, bri, value)
        out[..., ch] = (value.astype(F32) * F32(255) + F32(0.5)).astype(np.int32)
    return out
