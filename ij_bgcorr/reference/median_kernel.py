"""ImageJ's ``Median...`` of one plane, compiled (numba): a sliding histogram over tile ranks.

ImageJ 1.53t (``RankFilters``) reads pixels outside the image as the nearest
edge pixel and takes, for 8- and 16-bit images, the middle value of the
kernel's (odd number of) pixels. For 32-bit images it ignores NaN
(``getNaNAwareMedian``): with ``n`` numbers left, ``h = n // 2`` and the pixel's
own value ``g`` as its first guess, the result is ``s[n - h - 1]`` of the sorted
numbers when more than ``h`` of them are above ``g``, ``s[h]`` when more than
``h`` are below, and ``g`` otherwise; NaN where the pixel itself is NaN or only
NaN is in reach. For odd ``n`` that is the middle value; for even ``n`` it
depends on ``g``, and it is reproduced here exactly.

How it is computed: the image is cut into square tiles; the pixels a tile's
kernels reach (edge pixels repeated) are sorted once, each is replaced by its
position in that order (its rank, unique within the tile), and the kernel is
slid over the tile in a snake (right along one row, down, left along the
next), adding and removing the pixels that enter and leave it. The ranks
present are held in a table of 0/1 bytes with a count per block of
`_BLOCK` ranks; the median's rank is followed from one position to the next
through the block counts. Since a median commutes with any increasing map of
the values, the median rank gives the median value exactly, for any pixel
type and value distribution. Tiles are dealt out to every core.

One documented exception, where the histogram's bookkeeping costs more than
the kernel: ImageJ's 9-pixel kernel (the 3x3 square, radii 1 to 1.5) on a
plane without NaN takes the exact 3x3 median network instead (each column of
3 sorted; the median of the largest of the columns' lowest, the middle of
their middles and the smallest of their highest), rows dealt out to every core.
"""

from __future__ import annotations

import numba
import numpy as np

from ij_bgcorr.reference.parabola import jit
from ij_bgcorr.reference.workers import run_dealt

_SHIFT = 4
_BLOCK = 1 << _SHIFT  # ranks per block of the rank table
_TILE_PER_KERNEL = 2  # tile side in kernel widths: ranks per kernel pixel stay near 10
_SMALLEST_TILE, _LARGEST_TILE = 8, 128


def median_plane(plane: np.ndarray, footprint: np.ndarray) -> np.ndarray:
    """ImageJ's ``Median...`` of one plane: the median over ``footprint``, nearest-edge border.

    Parameters
    ----------
    plane : numpy.ndarray, shape (row, col)
        uint8, uint16 or float32 pixels.
    footprint : numpy.ndarray of bool, shape (k, k), k odd
        The kernel, as `ij_bgcorr.reference.rank.imagej_kernel` gives it
        (symmetric, rows of odd length centred on the middle column).

    Returns
    -------
    numpy.ndarray, shape (row, col)
        The filtered plane, dtype of ``plane``; float32 NaN handled as ImageJ
        handles it (module docstring).
    """
    image = np.ascontiguousarray(plane)
    radii = ((footprint.sum(axis=1) - 1) // 2).astype(np.int64)
    tile = int(np.clip(_TILE_PER_KERNEL * footprint.shape[0], _SMALLEST_TILE, _LARGEST_TILE))
    out = np.empty_like(image)
    if footprint.size == 9 and footprint.all() and not (
            image.dtype.kind == "f" and np.isnan(image).any()):
        run_dealt(_median_3x3, image, out, items=image.shape[0], min_items=16)
        return out
    tiles = -(-image.shape[0] // tile) * -(-image.shape[1] // tile)
    run_dealt(_median_tiles, image, sort_keys(image), radii, tile, out, items=tiles)
    return out


@jit
def _median_3x3(image: np.ndarray, out: np.ndarray, worker: int, workers: int) -> None:
    """3x3 median (nearest-edge border) of the rows ``worker``, ``worker + workers``, ...

    A result equal to the pixel's own value is that value (ImageJ's guess), which
    keeps the sign of a zero as ImageJ does.
    """
    height, width = image.shape
    low = np.empty(width + 2, dtype=image.dtype)
    middle, high = np.empty_like(low), np.empty_like(low)
    for y in range(worker, height, workers):
        above, row, below = image[max(y - 1, 0)], image[y], image[min(y + 1, height - 1)]
        for x in range(width + 2):
            at = min(max(x - 1, 0), width - 1)
            a, b, c = above[at], row[at], below[at]
            if a > b:
                a, b = b, a
            if b > c:
                b, c = c, b
            if a > b:
                a, b = b, a
            low[x], middle[x], high[x] = a, b, c
        for x in range(width):
            value = _middle_of_3(max(low[x], low[x + 1], low[x + 2]),
                                 _middle_of_3(middle[x], middle[x + 1], middle[x + 2]),
                                 min(high[x], high[x + 1], high[x + 2]))
            out[y, x] = row[x] if value == row[x] else value


@numba.njit(inline="always")
def _middle_of_3(a: np.generic, b: np.generic, c: np.generic) -> np.generic:
    """Return the middle one of three values."""
    return max(min(a, b), min(max(a, b), c))


def sort_keys(image: np.ndarray) -> np.ndarray:
    """Unsigned 32-bit integers that sort as the pixels do (every float NaN last).

    Parameters
    ----------
    image : numpy.ndarray
        uint8, uint16 or float32 pixels.

    Returns
    -------
    numpy.ndarray of uint32, shape of ``image``
        Integers keep their value; a float's bits are flipped so that the
        integers order as the floats (negative ones: all bits, others: the sign
        bit), NaN becomes the largest key.
    """
    if image.dtype.kind == "u":
        return image.astype(np.uint32)
    bits = image.view(np.uint32)
    keys = np.where(bits >> 31, ~bits, bits | np.uint32(1 << 31))
    keys[np.isnan(image)] = np.iinfo(np.uint32).max
    return keys


@jit
def _median_tiles(image: np.ndarray, sort_keys: np.ndarray, radii: np.ndarray, tile: int,
                  out: np.ndarray, worker: int, workers: int) -> None:
    """Filter the tiles ``worker``, ``worker + workers``, ... of ``image`` into ``out``."""
    height, width = image.shape
    half = radii.size // 2
    side = tile + 2 * half
    values = np.empty(side * side, dtype=image.dtype)
    ranks = np.empty(side * side, dtype=np.int32)
    ordered = np.empty(side * side, dtype=image.dtype)
    keys, spare_keys = np.empty(side * side, np.uint32), np.empty(side * side, np.uint32)
    first_order, spare_order = np.empty(side * side, np.int32), np.empty(side * side, np.int32)
    bins = np.empty(257, dtype=np.int64)
    present = np.zeros(side * side + _BLOCK, dtype=np.uint8)
    counts = np.zeros(side * side // _BLOCK + 2, dtype=np.int32)
    across = -(-width // tile)
    for t in range(worker, across * -(-height // tile), workers):
        top, left = (t // across) * tile, (t % across) * tile
        rows, cols = min(tile, height - top), min(tile, width - left)
        pw = cols + 2 * half
        size = (rows + 2 * half) * pw
        for py in range(rows + 2 * half):
            y = min(max(top - half + py, 0), height - 1)
            for px in range(pw):
                x = min(max(left - half + px, 0), width - 1)
                values[py * pw + px] = image[y, x]
                keys[py * pw + px] = sort_keys[y, x]
        order = _radix_order(keys, size, first_order, spare_keys, spare_order, bins)
        for i in range(size):
            ranks[order[i]] = i
            ordered[i] = values[order[i]]
        numbers = size
        while numbers > 0 and ordered[numbers - 1] != ordered[numbers - 1]:  # NaN sort last
            numbers -= 1
        present[: size + _BLOCK] = 0
        counts[: size // _BLOCK + 2] = 0
        _snake(image, out, top, left, rows, cols, radii, ranks, ordered, numbers,
               present, counts, pw)


@jit
def _radix_order(keys: np.ndarray, size: int, order: np.ndarray, spare_keys: np.ndarray,
                 spare_order: np.ndarray, bins: np.ndarray) -> np.ndarray:
    """Sort the indices of ``keys[:size]`` by key (LSD radix sort, byte by byte).

    A byte that all keys share is skipped. Returns ``order`` or ``spare_order``,
    whichever holds the result; ``keys`` and the other arrays are work space.
    """
    for i in range(size):
        order[i] = i
    for shift in range(0, 32, 8):
        bins[:] = 0
        for i in range(size):
            bins[((keys[i] >> shift) & 255) + 1] += 1
        if bins.max() == size:
            continue
        for b in range(256):
            bins[b + 1] += bins[b]
        for i in range(size):
            digit = (keys[i] >> shift) & 255
            at = bins[digit]
            bins[digit] = at + 1
            spare_keys[at] = keys[i]
            spare_order[at] = order[i]
        keys, spare_keys = spare_keys, keys
        order, spare_order = spare_order, order
    return order


@jit
def _snake(image: np.ndarray, out: np.ndarray, top: int, left: int, rows: int, cols: int,
           radii: np.ndarray, ranks: np.ndarray, ordered: np.ndarray, numbers: int,
           present: np.ndarray, counts: np.ndarray, pw: int) -> None:
    """Slide the kernel over one tile in a snake, writing each median into ``out``."""
    half = radii.size // 2
    points = 2 * radii.sum() + radii.size
    # state: block holding the median, ranks present in the blocks below it, NaN present
    state = np.zeros(3, dtype=np.int64)
    cy, cx = half, half
    for j in range(radii.size):
        for dx in range(-radii[j], radii[j] + 1):
            _toggle(ranks[(cy + j - half) * pw + cx + dx], 1, present, counts, state, numbers)
    for ty in range(rows):
        if ty > 0:  # one row down
            for j in range(radii.size):
                column = cx + j - half
                _toggle(ranks[(cy - radii[j]) * pw + column], -1, present, counts, state, numbers)
                _toggle(ranks[(cy + radii[j] + 1) * pw + column], 1, present, counts, state,
                        numbers)
            cy += 1
        step = 1 if ty % 2 == 0 else -1
        for n in range(cols):
            if n > 0:  # one column right (even rows) or left (odd rows)
                for j in range(radii.size):
                    line = (cy + j - half) * pw + cx
                    _toggle(ranks[line - step * radii[j]], -1, present, counts, state, numbers)
                    _toggle(ranks[line + step * (radii[j] + 1)], 1, present, counts, state,
                            numbers)
                cx += step
            y, x = top + cy - half, left + cx - half
            out[y, x] = _median(image[y, x], ordered, present, counts, state, points)


@numba.njit(inline="always")
def _toggle(rank: int, change: int, present: np.ndarray, counts: np.ndarray,
            state: np.ndarray, numbers: int) -> None:
    """Add (``change`` 1) or remove (-1) one rank from the window."""
    present[rank] += change
    block = rank >> _SHIFT
    counts[block] += change
    if block < state[0]:
        state[1] += change
    if rank >= numbers:
        state[2] += change


@numba.njit(inline="always")
def _kth(k: int, present: np.ndarray, counts: np.ndarray, state: np.ndarray) -> int:
    """Rank of the window's value with ``k`` others below it, moving the median block there."""
    block, below = state[0], state[1]
    while below > k:
        block -= 1
        below -= counts[block]
    while below + counts[block] <= k:
        below += counts[block]
        block += 1
    state[0], state[1] = block, below
    rank = block << _SHIFT
    need = k - below
    while True:
        if present[rank]:
            if need == 0:
                return rank
            need -= 1
        rank += 1


@numba.njit(inline="always")
def _median(guess: np.generic, ordered: np.ndarray, present: np.ndarray, counts: np.ndarray,
            state: np.ndarray, points: int) -> np.generic:
    """ImageJ's median of the window (the NaN-aware rule for floats, module docstring)."""
    n = points - state[2]
    h = n // 2
    if n % 2 == 1 and state[2] == 0:
        value = ordered[_kth(h, present, counts, state)]
        return guess if value == guess else value
    if guess != guess:  # also when only NaN is in reach: the pixel itself is NaN
        return guess
    above = ordered[_kth(n - h - 1, present, counts, state)]
    below = ordered[_kth(h, present, counts, state)]
    if above > guess:
        return above
    if below < guess:
        return below
    return guess
