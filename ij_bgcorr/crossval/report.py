"""Figures and Markdown reports of a :class:`~ij_bgcorr.crossval.validate.CrossValidation`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.colors import Normalize  # noqa: E402
from matplotlib.figure import Figure, SubFigure  # noqa: E402
from skimage.measure import profile_line  # noqa: E402

from ij_bgcorr.crossval import panels  # noqa: E402
from ij_bgcorr.crossval.compare import compare  # noqa: E402
from ij_bgcorr.crossval.validate import CrossValidation  # noqa: E402
from ij_bgcorr.errors import CommandError  # noqa: E402
from ij_bgcorr.image.arrays import calibration_of  # noqa: E402
from ij_bgcorr.image.outputs import file_stem  # noqa: E402

#: The lesson's line profile: a polyline of (x, y) = (col, row) vertices, pixels.
LESSON_POLYLINE: tuple[tuple[int, int], ...] = ((99, 200), (81, 121), (82, 87), (91, 64),
                                                (230, 26))
#: The file name and ``(rows, cols)`` of the image :data:`LESSON_POLYLINE` was drawn on.
LESSON_IMAGE = ("xy_8bit__some_spots_with_uneven_bg.tif", (256, 256))
#: Resolution of the saved figures, dots per inch.
DPI = 150

_STYLE = {"font.size": 14, "axes.titlesize": 13, "legend.fontsize": 13, "figure.titlesize": 18}
_LINE_KINDS = {"lesson": "the lesson's polyline", "user": "the line given",
               "default": "the default line (middle row, 10 % to 90 % of the width)"}
Vertices = Sequence[tuple[float, float]]
#: The background kinds, the engine's first.
_KINDS = ("fiji", "lesson", "imagej")


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
    CommandError
        When a value is not an integer, or their number is odd or below four.
    """
    try:
        values = [int(p) for p in text.split(",")]
    except ValueError:
        raise CommandError(f"{text!r} is not a list of integers x0,y0,x1,y1[,...].") from None
    if len(values) < 4 or len(values) % 2:
        raise CommandError(f"{text!r} has {len(values)} values; a line needs an even number "
                           "of them, at least four (x0,y0,x1,y1[,...]).")
    return tuple(zip(values[::2], values[1::2], strict=True))


def _check_vertices(vertices: Vertices, rows: int, cols: int) -> None:
    if len(vertices) < 2:
        raise CommandError(f"A line needs at least two vertices; got {len(vertices)}.")
    for i, (x, y) in enumerate(vertices):
        if not (0 <= x <= cols - 1 and 0 <= y <= rows - 1):
            raise CommandError(f"Line vertex {i} ({x:g}, {y:g}) lies outside the {cols}x{rows} "
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
    CommandError
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
        is a `~ij_bgcorr.errors.CommandError` that names it.

    Returns
    -------
    numpy.ndarray
        1-D, float64: the values from the first vertex to the last.
    """
    return panels.join_segments(_segments(image, vertices))


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


def authors(result: CrossValidation) -> dict[str, str]:
    """Name who computed each background: the engine from its provenance, the references.

    Parameters
    ----------
    result : CrossValidation
        A cross-validation.

    Returns
    -------
    dict of str to str
        By background kind, e.g. ``{"fiji": "ImageJ 1.53t (embedded)", "lesson":
        "scikit-image 0.26.0 (lesson)", "imagej": "ImageJ-matched (ij_bgcorr 0.1.0)"}``.
    """
    attrs = getattr(result.backgrounds["fiji"], "attrs", {})
    return {kind: panels.engine_label(attrs) if kind == "fiji"
            else panels.reference_label(kind, result.method)
            for kind in _KINDS if kind in result.backgrounds}


def _draw_images(top: SubFigure, result: CrossValidation, planes: dict[str, np.ndarray],
                 channel: int, suffix: str) -> list[Any]:
    """Draw the input and the backgrounds in one display range, each named by its author."""
    who = authors(result)
    frames = result.image.sizes.get("t")
    shown = [("input" + (f"\nt=0 of {frames} frames" if frames else ""),
              _plane(result.image, channel))]
    what = "maximum projection" if _is_projection(result) else "background"
    shown += [(f"{who[kind]}\n{what}", planes[kind]) for kind in _KINDS if kind in planes]
    norm = Normalize(min(p.min() for _, p in shown), max(p.max() for _, p in shown))
    axes = top.subplots(1, len(shown))
    for ax, (title, plane) in zip(axes, shown, strict=True):
        im = ax.imshow(plane, cmap="gray", norm=norm)
        ax.set_title(title + suffix)
    top.colorbar(im, ax=axes, label=_grey(result), shrink=0.9)
    return list(axes)


def _grey(result: CrossValidation) -> str:
    return f"grey value ({result.image.dtype.itemsize * 8}-bit)"


def _draw_channel(top: SubFigure, bottom: SubFigure, result: CrossValidation, channel: int,
                  line: ProfileLine, suffix: str) -> None:
    """Draw one channel: images above; difference maps and the line's profiles below."""
    calibration = calibration_of(result.image)
    planes = {kind: _plane(bg, channel) for kind, bg in result.backgrounds.items()}
    image_axes = _draw_images(top, result, planes, channel, suffix)
    maps, profiles = bottom.subfigures(1, 2, width_ratios=(1.25, 1))
    refs = [kind for kind in _KINDS[1:] if kind in planes]
    map_axes = np.atleast_1d(maps.subplots(1, len(refs)))
    who = authors(result)
    for ax, kind in zip(map_axes, refs, strict=True):
        panels.draw_difference(ax, maps, compare(planes["fiji"], planes[kind]),
                               f"{who['fiji']} −\n{who[kind]}{suffix}")
    for ax in [*image_axes, *map_axes]:
        panels.draw_line(ax, line.vertices)
        panels.scale_bar(ax, planes["fiji"].shape[1], calibration,
                         "white" if ax in image_axes else "black")
        ax.set_axis_off()
    _draw_profiles(profiles, result, planes, line, suffix)


def _draw_profiles(host: SubFigure, result: CrossValidation, planes: dict[str, np.ndarray],
                   line: ProfileLine, suffix: str) -> None:
    """Draw the differences along the line above, the values along it below."""
    calibration = calibration_of(result.image)
    x_label = f"distance from start ({panels.length_unit(calibration) or 'pixels'})"
    parts = {kind: _segments(plane, line.vertices) for kind, plane in planes.items()}
    distance = panels.segment_distances(parts["fiji"], line.vertices, calibration)
    values = {kind: panels.join_segments(p) for kind, p in parts.items()}
    who = authors(result)
    upper, lower = host.subplots(2, 1, height_ratios=(1.5, 1), sharex=True)
    panels.draw_line_differences(upper, distance, {kind: values["fiji"] - values[kind]
                                            for kind in _KINDS[1:] if kind in values},
                          {kind: who[kind] for kind in _KINDS[1:]}, "")
    upper.set_title(upper.get_title() + suffix)
    for kind in _KINDS:
        if kind in values:
            lower.plot(distance, values[kind], label=who[kind],
                       linestyle=":" if kind == "fiji" else panels.REFERENCE_STYLES[kind],
                       linewidth=2)
    lower.set_title(f"values along {_LINE_KINDS[line.origin].split(' (')[0]}{suffix}")
    lower.set_xlabel(x_label)
    lower.set_ylabel(_grey(result).replace("grey value ", "value\n"))
    lower.legend(fontsize=10, loc="best")


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
    chosen = choose_line(result.image, line)
    n_channels = result.image.sizes.get("ch", 1)
    with plt.rc_context(_STYLE):
        fig = plt.figure(figsize=(17, 9.4 * n_channels + 0.8), layout="constrained")
        rows = fig.subfigures(2 * n_channels, 1, squeeze=False)[:, 0]
        for c in range(n_channels):
            suffix = f" (ch={c})" if n_channels > 1 else ""
            _draw_channel(rows[2 * c], rows[2 * c + 1], result, c, chosen, suffix)
        radius = f", radius {result.radius:g} px" if result.radius else ""
        fig.suptitle(f"{_title(result.image)}: {result.method}{radius}, "
                     f"{authors(result)['fiji']} against the references")
    return fig


def save_figure(result: CrossValidation, path: str | Path, line: Vertices | None = None) -> Path:
    """Draw input, backgrounds, difference and line profiles, and write them as a PNG.

    Two rows per channel (first time point and z plane), each panel naming who
    computed it (the engine from its provenance attrs, see :func:`authors`): the
    input and the engine's, the lesson's and the ImageJ-matched backgrounds in
    one display range; then engine minus each reference as a difference map
    (white at 0, limits at the largest absolute difference and at least ±1, a
    colour bar, the differing pixels counted on the panel or "identical" written
    across it), engine minus each reference along the line (:func:`choose_line`,
    its start marked) with the differing samples counted, and the values along
    the line. Scale bars when calibrated. For a projection (``maxproj``) the
    backgrounds are the projections, and the line runs over them.

    Parameters
    ----------
    result : CrossValidation
        A cross-validation with ``"fiji"`` and ``"lesson"`` backgrounds.
    path : str or pathlib.Path
        The PNG file to write, at :data:`DPI` dots per inch.
    line : sequence of (float, float), optional
        ``(x, y)`` vertices of the profile line in pixels (see :func:`choose_line`);
        one outside the image is a `~ij_bgcorr.errors.CommandError` that names it.

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
    who = authors(result)
    lines = [f"# {result.method}: {who['fiji']} against the references", "",
             f"Image {_title(result.image)}; radius {result.radius:g} px; "
             f"{dict(result.image.sizes)} {result.image.dtype}; the engine's line: "
             f"`{getattr(result.backgrounds['fiji'], 'attrs', {}).get('macro_line', '')}`; "
             "references: " + ", ".join(f"{kind}: {who[kind]}" for kind in _KINDS[1:]
                                        if kind in who) + ".", "",
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
    over = " (over the projections)" if _is_projection(result) else ""
    lines += ["", f"Line profile{over} along {choose_line(result.image, line).describe()}."]
    if figure:
        lines += ["", f"Figure: `{figure}`", "", f"![{result.method}]({figure})"]
    return "\n".join(lines) + "\n"
