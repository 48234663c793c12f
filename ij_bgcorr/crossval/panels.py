"""Panels of the cross-validation figure: who computed each image, and how far apart they are.

The figure itself is laid out by :mod:`ij_bgcorr.crossval.report`; these
functions draw single panels and name their authors: the engine by its
provenance attrs, the references by their library and version.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import numpy as np
from matplotlib import patheffects
from matplotlib.ticker import MaxNLocator
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from ij_bgcorr.crossval.compare import Comparison
from ij_bgcorr.image.calibration import Calibration

#: The colour map of difference maps: white at 0, red where the engine is higher.
DIFF_CMAP = "RdBu_r"
#: Line style of each reference's curve in the profile panels.
REFERENCE_STYLES = {"lesson": "-", "imagej": "--"}
OUTLINE = [patheffects.withStroke(linewidth=2.5, foreground="black")]
_BOX = {"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": "0.5", "alpha": 0.92}


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "(version unknown)"


def imagej_version(version: str) -> str:
    """Return an ImageJ version as users read it: ``"1.53t99"`` (a release) is ``"1.53t"``.

    Parameters
    ----------
    version : str
        ``IJ.getFullVersion()``: the version, then two digits of daily build, ``99`` for a
        release.

    Returns
    -------
    str
    """
    release = re.fullmatch(r"(\d+\.\d+[a-z]?)99", version.strip())
    return release[1] if release else version.strip()


def engine_label(attrs: Mapping[str, Any]) -> str:
    """Name the engine that computed a result, from the result's provenance attrs.

    Parameters
    ----------
    attrs : mapping of str to object
        The result's attrs: ``engine`` (``"embedded"`` or ``"fiji"``), ``imagej_version``
        and, where known, ``fiji_version``.

    Returns
    -------
    str
        E.g. ``"ImageJ 1.53t (embedded)"``, ``"Fiji 2.14.0 / ImageJ 1.54m"``,
        ``"Fiji (ImageJ 1.54m)"``; ``"engine (no provenance)"`` without a version.
    """
    version = imagej_version(str(attrs.get("imagej_version") or ""))
    kind = str(attrs.get("engine") or "")
    if not version:
        return "engine (no provenance)"
    if kind == "fiji":
        fiji = str(attrs.get("fiji_version") or "").split("/")[0]
        return f"Fiji {fiji} / ImageJ {version}" if fiji else f"Fiji (ImageJ {version})"
    return f"ImageJ {version}" + (f" ({kind})" if kind else "")


def reference_label(kind: str, method: str) -> str:
    """Name the code that computed a reference background, with its version.

    Parameters
    ----------
    kind : str
        ``"lesson"`` (the lesson's own code) or ``"imagej"`` (the ImageJ-matched reference).
    method : str
        The method; the lesson's maximum projection is numpy's, the others scikit-image's.

    Returns
    -------
    str
        E.g. ``"scikit-image 0.26.0 (lesson)"`` (the lesson's code) or
        ``"ImageJ-matched (ij_bgcorr 0.1.0)"`` (:mod:`ij_bgcorr.reference`).
    """
    if kind == "imagej":
        return f"ImageJ-matched (ij_bgcorr {_version('ij-bgcorr')})"
    if method == "maxproj":
        return f"numpy {np.__version__} (lesson)"
    return f"scikit-image {_version('scikit-image')} (lesson)"


@dataclass(frozen=True)
class DifferenceSummary:
    """How many pixels (or line samples) of one difference differ, and by how much.

    Attributes
    ----------
    n_different, total : int
        Differing pixels, and all pixels.
    max_abs : float
        The largest absolute difference (NaN when a value is NaN in one image only).
    noun : str
        What is counted: ``"pixels"`` or ``"samples"``.
    """

    n_different: int
    total: int
    max_abs: float
    noun: str = "pixels"

    @classmethod
    def of(cls, comparison: Comparison, noun: str = "pixels") -> DifferenceSummary:
        """Summarise a :class:`~ij_bgcorr.crossval.compare.Comparison`."""
        return cls(comparison.n_different, int(np.prod(comparison.shape)),
                   float(comparison.max_abs_diff), noun)

    def text(self) -> str:
        """Say it in one or two lines, e.g. ``"453 of 65,536 pixels differ (0.69 %)"``."""
        if self.n_different == 0:
            return f"identical: 0 {self.noun} differ (of {self.total:,})"
        return (f"{self.n_different:,} of {self.total:,} {self.noun} differ "
                f"({percent(self.n_different, self.total)} %)\nmax |difference| {self.max_abs:g}")


def percent(part: int, whole: int) -> str:
    """Write ``part`` as a percentage of ``whole``, never 100 (or 0) unless all (or none).

    Two significant digits below 10 %, else one decimal.

    Parameters
    ----------
    part, whole : int
        The count and the total it is out of (> 0).

    Returns
    -------
    str
        E.g. ``"0.69"``, ``"6.2"``, ``"99.8"``, ``"> 99.9"``.
    """
    value = 100 * part / whole
    if 0 < part < whole and value >= 99.95:
        return "> 99.9"
    if 0 < value < 0.001:
        return "< 0.001"
    return f"{value:.2g}" if value < 10 else f"{value:.1f}"


def _limit(diff: np.ndarray) -> float:
    """Return the colour or axis limit of a difference: its max abs value, at least 1."""
    finite = np.abs(diff[np.isfinite(diff)])
    return max(1.0, float(finite.max()) if finite.size else 0.0)


def draw_difference(ax: Any, host: Any, comparison: Comparison, title: str) -> DifferenceSummary:
    """Draw a difference map, its colour bar and its counts; return the counts.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel.
    host : matplotlib.figure.Figure or SubFigure
        Where the colour bar goes.
    comparison : Comparison
        ``compare(engine plane, reference plane)``: its ``diff`` is drawn.
    title : str
        The panel's title.

    Returns
    -------
    DifferenceSummary
        What the panel says.
    """
    diff = comparison.diff
    limit = _limit(diff)
    im = ax.imshow(diff, cmap=DIFF_CMAP, vmin=-limit, vmax=limit, interpolation="nearest")
    ax.set_title(title)
    bar = host.colorbar(im, ax=ax, label="engine − reference (grey value)", shrink=0.8)
    if np.all(np.isfinite(diff)) and np.array_equal(diff, np.round(diff)):
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
    summary = DifferenceSummary.of(comparison)
    if summary.n_different:
        ax.text(0.02, 0.98, summary.text(), transform=ax.transAxes, ha="left", va="top",
                fontsize=12, bbox=_BOX)
    else:
        ax.text(0.5, 0.97, summary.text().replace(" (", "\n("), transform=ax.transAxes,
                ha="center", va="top", fontsize=14, fontweight="bold", bbox=_BOX)
    return summary


def draw_line_differences(ax: Any, distance: np.ndarray, diffs: Mapping[str, np.ndarray],
                          labels: Mapping[str, str], x_label: str) -> list[DifferenceSummary]:
    """Plot engine minus each reference along the line, with the counts written on the panel.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel.
    distance : numpy.ndarray
        Each sample's distance from the line's start.
    diffs : mapping of str to numpy.ndarray
        Engine minus reference along the line, by reference kind.
    labels : mapping of str to str
        The reference kinds' names, for the legend and the counts.
    x_label : str
        The distance axis' label.

    Returns
    -------
    list of DifferenceSummary
        One per reference, in ``diffs``' order.
    """
    ax.axhline(0, color="0.6", linewidth=0.8)
    summaries, lines = [], []
    for kind, diff in diffs.items():
        ax.plot(distance, diff, drawstyle="steps-mid", linestyle=REFERENCE_STYLES.get(kind, "-"),
                linewidth=2, label=f"engine − {labels[kind]}")
        nonzero = diff[diff != 0]
        summary = DifferenceSummary(int(nonzero.size), int(diff.size),
                                    float(np.abs(nonzero).max()) if nonzero.size else 0.0,
                                    "samples")
        summaries.append(summary)
        lines.append(f"{labels[kind].split(' (')[0]}: " + (
            f"{summary.n_different} of {summary.total} samples differ, max |difference| "
            f"{summary.max_abs:g}" if summary.n_different
            else f"identical, 0 of {summary.total} samples differ"))
    limit = 2.4 * max(_limit(d) for d in diffs.values())
    ax.set_ylim(-limit, limit)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.set_title("difference along the line (engine − reference)")
    ax.set_xlabel(x_label)
    ax.set_ylabel("difference (grey value)")
    ax.text(0.01, 0.03, "\n".join(lines), transform=ax.transAxes, ha="left", va="bottom",
            fontsize=11, bbox=_BOX)
    ax.legend(loc="upper left", fontsize=11)
    return summaries


def join_segments(parts: list[np.ndarray]) -> np.ndarray:
    """Concatenate the samples of a polyline's consecutive segments, each shared vertex once."""
    return np.concatenate([parts[0]] + [p[1:] for p in parts[1:]])


def segment_distances(parts: list[np.ndarray], vertices: Sequence[tuple[float, float]],
                      calibration: Calibration) -> np.ndarray:
    """Return each sample's distance from the first vertex, in the calibration's unit.

    Parameters
    ----------
    parts : list of numpy.ndarray
        The samples of each segment, both ends included.
    vertices : sequence of (float, float)
        The polyline's ``(x, y)`` vertices, in pixels.
    calibration : Calibration
        Distances in its unit when calibrated, else in pixels.

    Returns
    -------
    numpy.ndarray
        1-D, as long as :func:`join_segments` of ``parts``.
    """
    scale = ((calibration.pixel_width, calibration.pixel_height) if length_unit(calibration)
             else (1, 1))
    out, start = [], 0.0
    for k, part in enumerate(parts):
        (x0, y0), (x1, y1) = vertices[k], vertices[k + 1]
        length = math.hypot((x1 - x0) * scale[0], (y1 - y0) * scale[1])
        out.append(np.linspace(start, start + length, len(part)))
        start += length
    return join_segments(out)


def length_unit(calibration: Calibration) -> str | None:
    """Return the length unit to show (``µm`` for microns), None when uncalibrated."""
    unit = calibration.unit.strip()
    if unit.lower() in ("", "pixel", "pixels") or calibration.pixel_width <= 0:
        return None
    return "µm" if unit.lower() in ("micron", "microns", "um", "µm", "\u03bcm") else unit


def scale_bar(ax: Any, cols: int, calibration: Calibration, color: str) -> None:
    """Add a bar of a round length (1, 2 or 5 x 10^k units), about a fifth of the width."""
    unit = length_unit(calibration)
    if unit is None:
        return
    target = 0.2 * cols * calibration.pixel_width
    power = 10.0 ** math.floor(math.log10(target))
    length = max(m * power for m in (1, 2, 5) if m * power <= target)
    ax.add_artist(AnchoredSizeBar(ax.transData, length / calibration.pixel_width,
                                  f"{length:g} {unit}", "lower right", frameon=False, pad=0.4,
                                  color=color, size_vertical=max(1, cols // 100), sep=4))


def draw_line(ax: Any, vertices: tuple[tuple[float, float], ...]) -> None:
    """Draw the profile line on an image panel, its start marked."""
    xs, ys = zip(*vertices, strict=True)
    ax.plot(xs, ys, color="yellow", linewidth=1.5, path_effects=OUTLINE)
    ax.plot(xs[0], ys[0], "o", color="yellow", markersize=8, path_effects=OUTLINE)
    ax.annotate("start", (xs[0], ys[0]), xytext=(6, 6), textcoords="offset points",
                color="yellow", fontweight="bold", path_effects=OUTLINE)
