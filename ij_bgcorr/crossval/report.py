"""Figures and Markdown reports of a :class:`~ij_bgcorr.crossval.validate.CrossValidation`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib import patheffects  # noqa: E402
from matplotlib.colors import Normalize  # noqa: E402
from matplotlib.figure import Figure, SubFigure  # noqa: E402
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar  # noqa: E402
from skimage.measure import profile_line  # noqa: E402

from ij_bgcorr.crossval.validate import CrossValidation  # noqa: E402
from ij_bgcorr.image.arrays import calibration_of  # noqa: E402
from ij_bgcorr.image.calibration import Calibration  # noqa: E402
from ij_bgcorr.image.outputs import file_stem  # noqa: E402

#: The lesson's line profile: a polyline of (x, y) = (col, row) vertices, pixels.
LESSON_POLYLINE: tuple[tuple[int, int], ...] = ((99, 200), (81, 121), (82, 87), (91, 64),
                                                (230, 26))
#: The file name and ``(rows, cols)`` of the image :data:`LESSON_POLYLINE` was drawn on.
LESSON_IMAGE = ("xy_8bit__some_spots_with_uneven_bg.tif", (256, 256))
#: Resolution of the saved figures, dots per inch.
DPI = 150

_STYLE = {"font.size": 14, "axes.titlesize": 15, "legend.fontsize": 13, "figure.titlesize": 18}
_OUTLINE = [patheffects.withStroke(linewidth=2.5, foreground="black")]
_LINE_KINDS = {"lesson": "the lesson's polyline", "user": "the line given",
               "default": "the default line (middle row, 10 % to 90 % of the width)"}
_NO_PROFILE = ("No line profile: the backgrounds are projections over t,\n"
               "with no plane that matches one of the input's frames.")
Vertices = Sequence[tuple[float, float]]
_BACKGROUNDS = {"fiji": ("Fiji background", "Fiji", "-"),
                "lesson": ("scikit-image (lesson) background", "scikit-image", "--"),
                "imagej": ("ImageJ-matched background", "ImageJ-matched", ":")}


@dataclass(frozen=True)
class ProfileLine:
    """The polyline a figure's profile follows, and where it came from.

    Attributes
    ----------
    vertices : tuple of (float, float)
        ``(x, y)`` = ``(col, row)`` vertices, in pixels.
    origin : str
        ``"lesson"`` (the lesson's polyline), ``"default"`` or ``"user"`` (given).
    """

    vertices: tuple[tuple[float, float], ...]
    origin: str

    def describe(self) -> str:
        """Return the line in words, e.g. ``"the lesson's polyline (99, 200) → ..."``."""
        path = " → ".join(f"({x:g}, {y:g})" for x, y in self.vertices)
        return f"{_LINE_KINDS[self.origin]} {path} (x, y in pixels)"


def parse_line(text: str) -> tuple[tuple[int, int], ...]:
    """Read ``"x0,y0,x1,y1[,...]"`` into ``(x, y)`` vertices.

    Parameters
    ----------
    text : str
        Comma-separated integers, an even number of them, at least four.

    Returns
    -------
    tuple of (int, int)
        The vertices, in order.

    Raises
    ------
    ValueError
        When a value is not an integer, or their number is odd or below four.
    """
    try:
        values = [int(p) for p in text.split(",")]
    except ValueError:
        raise ValueError(f"{text!r} is not a list of integers x0,y0,x1,y1[,...].") from None
    if len(values) < 4 or len(values) % 2:
        raise ValueError(f"{text!r} has {len(values)} values; a line needs an even number "
                         "of them, at least four (x0,y0,x1,y1[,...]).")
    return tuple(zip(values[::2], values[1::2], strict=True))


def _check_vertices(vertices: Vertices, rows: int, cols: int) -> None:
    if len(vertices) < 2:
        raise ValueError(f"A line needs at least two vertices; got {len(vertices)}.")
    for i, (x, y) in enumerate(vertices):
        if not (0 <= x <= cols - 1 and 0 <= y <= rows - 1):
            raise ValueError(f"Line vertex {i} ({x:g}, {y:g}) lies outside the {cols}x{rows} "
                             f"image (x from 0 to {cols - 1}, y from 0 to {rows - 1}).")


def choose_line(image: xr.DataArray, line: Vertices | None = None) -> ProfileLine:
    """Pick the profile line for an image: the given one, the lesson's, or the default.

    Parameters
    ----------
    image : xarray.DataArray
        The input, with ``row`` and ``col`` dims.
    line : sequence of (float, float), optional
        ``(x, y)`` vertices in pixels. Without it, the lesson's polyline on the
        lesson's own image (file name and 256x256 size), elsewhere a horizontal
        line through the middle row from 10 % to 90 % of the width.

    Returns
    -------
    ProfileLine
        The vertices and where they came from.

    Raises
    ------
    ValueError
        When ``line`` has a vertex outside the image (named) or fewer than two.
    """
    rows, cols = image.sizes["row"], image.sizes["col"]
    if line is not None:
        chosen = ProfileLine(tuple((x, y) for x, y in line), "user")
    elif (Path(str(image.attrs.get("source", ""))).name, (rows, cols)) == LESSON_IMAGE:
        chosen = ProfileLine(LESSON_POLYLINE, "lesson")
    else:
        chosen = ProfileLine(((int(0.1 * cols), rows // 2), (int(0.9 * cols), rows // 2)),
                             "default")
    _check_vertices(chosen.vertices, rows, cols)
    return chosen


def _segments(image: np.ndarray, vertices: Vertices) -> list[np.ndarray]:
    """Sample each segment of a polyline, nearest pixel, both ends included."""
    _check_vertices(vertices, *image.shape[-2:])
    pts = [(y, x) for x, y in vertices]
    return [profile_line(image.astype(np.float64), a, b, order=0, mode="constant")
            for a, b in zip(pts[:-1], pts[1:], strict=True)]


def polyline_profile(image: np.ndarray, vertices=LESSON_POLYLINE) -> np.ndarray:
    """Return the values along a polyline of (x, y) vertices (nearest pixel; joins once).

    Parameters
    ----------
    image : numpy.ndarray
        A ``(row, col)`` plane, any real dtype.
    vertices : sequence of (float, float), default LESSON_POLYLINE
        ``(x, y)`` = ``(col, row)`` vertices, in pixels; one outside the image
        is a ValueError that names it.

    Returns
    -------
    numpy.ndarray
        1-D, float64: the values from the first vertex to the last.
    """
    return _join(_segments(image, vertices))


def _join(parts: list[np.ndarray]) -> np.ndarray:
    """Concatenate the samples of consecutive segments, each shared vertex once."""
    return np.concatenate([parts[0]] + [p[1:] for p in parts[1:]])


def _distances(parts: list[np.ndarray], vertices: Vertices,
               calibration: Calibration) -> np.ndarray:
    """Return each sample's distance from the first vertex, in the calibration's unit."""
    scale = (calibration.pixel_width, calibration.pixel_height) if _unit(calibration) else (1, 1)
    out, start = [], 0.0
    for k, part in enumerate(parts):
        (x0, y0), (x1, y1) = vertices[k], vertices[k + 1]
        length = math.hypot((x1 - x0) * scale[0], (y1 - y0) * scale[1])
        out.append(np.linspace(start, start + length, len(part)))
        start += length
    return _join(out)


def _unit(calibration: Calibration) -> str | None:
    """Return the length unit to show (``µm`` for microns), None when uncalibrated."""
    unit = calibration.unit.strip()
    if unit.lower() in ("", "pixel", "pixels") or calibration.pixel_width <= 0:
        return None
    return "µm" if unit.lower() in ("micron", "microns", "um", "µm", "\u03bcm") else unit


def _scale_bar(ax: Any, cols: int, calibration: Calibration, color: str) -> None:
    """Add a bar of a round length (1, 2 or 5 x 10^k units), about a fifth of the width."""
    unit = _unit(calibration)
    if unit is None:
        return
    target = 0.2 * cols * calibration.pixel_width
    power = 10.0 ** math.floor(math.log10(target))
    length = max(m * power for m in (1, 2, 5) if m * power <= target)
    ax.add_artist(AnchoredSizeBar(ax.transData, length / calibration.pixel_width,
                                  f"{length:g} {unit}", "lower right", frameon=False, pad=0.4,
                                  color=color, size_vertical=max(1, cols // 100), sep=4))


def _draw_line(ax: Any, line: ProfileLine) -> None:
    xs, ys = zip(*line.vertices, strict=True)
    ax.plot(xs, ys, color="yellow", linewidth=1.5, path_effects=_OUTLINE)
    ax.plot(xs[0], ys[0], "o", color="yellow", markersize=8, path_effects=_OUTLINE)
    ax.annotate("start", (xs[0], ys[0]), xytext=(6, 6), textcoords="offset points",
                color="yellow", fontweight="bold", path_effects=_OUTLINE)


def _is_projection(result: CrossValidation) -> bool:
    """Tell whether the backgrounds have fewer dims than the input (``maxproj``: no ``t``)."""
    return np.ndim(result.backgrounds["fiji"]) < result.image.ndim


def _plane(image: xr.DataArray, channel: int) -> np.ndarray:
    """Return the first time point and z plane of one channel, as (row, col) float64."""
    first = {d: channel if d == "ch" else 0 for d in ("t", "pln", "ch") if d in image.dims}
    return image.isel(first).transpose("row", "col").values.astype(np.float64)


def _title(image: xr.DataArray) -> str:
    source = image.attrs.get("source")
    return str(image.attrs.get("title") or (Path(str(source)).name if source else "image"))


def _draw_channel(top: SubFigure, bottom: SubFigure, result: CrossValidation, channel: int,
                  line: ProfileLine | None, suffix: str) -> None:
    """Draw one channel: images and colour bars above, difference and profile below."""
    calibration = calibration_of(result.image)
    grey = f"grey value ({result.image.dtype.itemsize * 8}-bit)"
    planes = {kind: _plane(bg, channel) for kind, bg in result.backgrounds.items()}
    shown = [("input" + (", t=0" if "t" in result.image.dims else ""),
              _plane(result.image, channel))]
    shown += [(_BACKGROUNDS[kind][0], planes[kind]) for kind in _BACKGROUNDS if kind in planes]
    norm = Normalize(min(p.min() for _, p in shown), max(p.max() for _, p in shown))
    images = top.subplots(1, len(shown))
    for ax, (title, plane) in zip(images, shown, strict=True):
        im = ax.imshow(plane, cmap="gray", norm=norm)
        ax.set_title(title + suffix)
    top.colorbar(im, ax=images, label=grey, shrink=0.9)
    lower = bottom.subplots(1, 2, width_ratios=(1, 1.6))
    diff = planes["fiji"] - planes["lesson"]
    limit = float(np.abs(diff).max()) or 1.0
    im = lower[0].imshow(diff, cmap="coolwarm", vmin=-limit, vmax=limit)
    lower[0].set_title("Fiji − scikit-image" + suffix)
    bottom.colorbar(im, ax=lower[0], label="Fiji − scikit-image (grey value)", shrink=0.9)
    for ax in [*images, lower[0]]:
        if line is not None:
            _draw_line(ax, line)
        _scale_bar(ax, diff.shape[1], calibration, "black" if ax is lower[0] else "white")
        ax.set_axis_off()
    if line is not None:
        _draw_profile(lower[1], planes, line, calibration, grey, suffix)
    else:
        lower[1].set_axis_off()
        lower[1].text(0.5, 0.5, _NO_PROFILE, ha="center")


def _draw_profile(ax: Any, planes: dict[str, np.ndarray], line: ProfileLine,
                  calibration: Calibration, grey: str, suffix: str) -> None:
    for kind, (_, label, style) in _BACKGROUNDS.items():
        if kind in planes:
            parts = _segments(planes[kind], line.vertices)
            ax.plot(_distances(parts, line.vertices, calibration), _join(parts), label=label,
                    linestyle=style, linewidth=2)
    ax.set_title(f"backgrounds along the line ({line.origin})" + suffix)
    ax.set_xlabel(f"distance from start ({_unit(calibration) or 'pixels'})")
    ax.set_ylabel(grey)
    ax.legend()


def build_figure(result: CrossValidation, line: Vertices | None = None) -> Figure:
    """Draw the figure :func:`save_figure` writes, and return it unsaved.

    Parameters
    ----------
    result, line
        As for :func:`save_figure`.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; close it (``matplotlib.pyplot.close``) when done.
    """
    chosen = None if _is_projection(result) else choose_line(result.image, line)
    n_channels = result.image.sizes.get("ch", 1)
    with plt.rc_context(_STYLE):
        fig = plt.figure(figsize=(17, 8.6 * n_channels + 0.8), layout="constrained")
        rows = fig.subfigures(2 * n_channels, 1, squeeze=False)[:, 0]
        for c in range(n_channels):
            suffix = f" (ch={c})" if n_channels > 1 else ""
            _draw_channel(rows[2 * c], rows[2 * c + 1], result, c, chosen, suffix)
        radius = f", radius {result.radius:g} px" if result.radius else ""
        fig.suptitle(f"{_title(result.image)}: {result.method}{radius}, Fiji against "
                     "scikit-image and the ImageJ-matched reference")
    return fig


def save_figure(result: CrossValidation, path: str | Path, line: Vertices | None = None) -> Path:
    """Draw input, backgrounds, difference and line profiles, and write them as a PNG.

    Two rows per channel (first time point and z plane): the input and the Fiji,
    scikit-image and ImageJ-matched backgrounds in one display range; then Fiji
    minus scikit-image in a symmetric range, and the backgrounds along the line
    (:func:`choose_line`), its start marked. Scale bars when calibrated. A
    projection (``maxproj``) has a note instead of a profile: no plane matches a frame.

    Parameters
    ----------
    result : CrossValidation
        A cross-validation with ``"fiji"`` and ``"lesson"`` backgrounds.
    path : str or pathlib.Path
        The PNG file to write, at :data:`DPI` dots per inch.
    line : sequence of (float, float), optional
        ``(x, y)`` vertices of the profile line in pixels (see :func:`choose_line`);
        one outside the image is a ValueError that names it.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    fig = build_figure(result, line)
    with plt.rc_context(_STYLE):
        fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def output_name(result: CrossValidation) -> str:
    """Return ``<input stem>.<method>`` (the input named by its title), to name report files.

    Parameters
    ----------
    result : CrossValidation
        A cross-validation.

    Returns
    -------
    str
        E.g. ``"xy_8bit__some_spots_with_uneven_bg.median"``.
    """
    return f"{file_stem(_title(result.image))}.{result.method}"


def markdown(
    result: CrossValidation, figure: str | None = None, line: Vertices | None = None
) -> str:
    """Write a Markdown report: the comparison table, the reasons, the line, the figure.

    Parameters
    ----------
    result : CrossValidation
        The cross-validation to report.
    figure : str, optional
        The figure's file name or address, named and linked at the end.
    line : sequence of (float, float), optional
        The profile line given to :func:`save_figure`, if any.

    Returns
    -------
    str
        The report's text.
    """
    lines = [f"# {result.method}: Fiji against scikit-image", "",
             f"Image {_title(result.image)}; radius {result.radius:g} px; "
             f"{dict(result.image.sizes)} {result.image.dtype}; Fiji line: "
             f"`{result.backgrounds['fiji'].attrs.get('macro_line', '')}` "
             f"(ImageJ {result.backgrounds['fiji'].attrs.get('imagej_version', '?')}).", "",
             "| reference | identical | pixels different | fraction | max abs | mean abs "
             "| RMSE | PSNR dB | border / interior different |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in result.table():
        split = (f"{row['border_n_different']} / {row['interior_n_different']}"
                 if row["border_n_different"] is not None else "-")
        lines.append(
            f"| {row['reference']} | {row['identical']} | {row['n_different']} | "
            f"{row['fraction_different']:.4f} | {row['max_abs_diff']:.4g} | "
            f"{row['mean_abs_diff']:.4g} | {row['rmse']:.4g} | {row['psnr']:.1f} | {split} |")
    planes = {row["reference"]: row["plane_n_different"] for row in result.table()
              if row["plane_n_different"]}
    if planes:
        lines += ["", "Pixels different by plane (planes not listed are identical):", "",
                  "| reference | plane | pixels different |", "|---|---|---|"]
        lines += [f"| {kind} | {plane} | {n} |"
                  for kind, counts in planes.items() for plane, n in counts.items()]
    lines += ["", "Why they differ:", ""]
    lines += [f"- **{row['reference']}**: {row['why']}" for row in result.table()]
    if _is_projection(result):
        lines += ["", _NO_PROFILE.replace("\n", " ")]
    else:
        lines += ["", f"Line profile along {choose_line(result.image, line).describe()}."]
    if figure:
        lines += ["", f"Figure: `{figure}`", "", f"![{result.method}]({figure})"]
    return "\n".join(lines) + "\n"
