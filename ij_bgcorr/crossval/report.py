"""Figures and Markdown reports of a :class:`~ij_bgcorr.crossval.validate.CrossValidation`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from skimage.measure import profile_line  # noqa: E402

from ij_bgcorr.crossval.validate import CrossValidation  # noqa: E402

#: The lesson's line profile: a polyline of (x, y) = (col, row) vertices, pixels.
LESSON_POLYLINE: tuple[tuple[int, int], ...] = ((99, 200), (81, 121), (82, 87), (91, 64),
                                                (230, 26))


def polyline_profile(image: np.ndarray, vertices=LESSON_POLYLINE) -> np.ndarray:
    """Return the values along a polyline of (x, y) vertices, nearest-pixel sampling.

    Vertices are clipped to the image; shared vertices are counted once.

    Parameters
    ----------
    image : numpy.ndarray
        A ``(row, col)`` plane, any real dtype.
    vertices : sequence of (int, int), default LESSON_POLYLINE
        ``(x, y)`` = ``(col, row)`` vertices, in pixels.

    Returns
    -------
    numpy.ndarray
        1-D, float64: the values from the first vertex to the last.
    """
    rows, cols = image.shape[-2:]
    pts = [(min(max(y, 0), rows - 1), min(max(x, 0), cols - 1)) for x, y in vertices]
    parts = [profile_line(image.astype(np.float64), a, b, order=0, mode="constant")
             for a, b in zip(pts[:-1], pts[1:], strict=True)]
    return np.concatenate([parts[0]] + [p[1:] for p in parts[1:]])


def _plane(image: Any, channel: int) -> np.ndarray:
    """Return the first time point and z plane of one channel, as (row, col) float64."""
    if not isinstance(image, xr.DataArray):
        values = np.asarray(image)
        while values.ndim > 2:
            values = values[0]
        return values.astype(np.float64)
    first = {d: 0 for d in ("t", "pln") if d in image.dims}
    if "ch" in image.dims:
        first["ch"] = channel
    return image.isel(first).transpose("row", "col").values.astype(np.float64)


def _channels(result: CrossValidation) -> list[int]:
    return list(range(result.image.sizes.get("ch", 1)))


def save_figure(result: CrossValidation, path: str | Path) -> Path:
    """Draw input, Fiji background, scikit-image background, difference, line profiles (PNG).

    One row of panels per channel (the first time point and z plane of each).

    Parameters
    ----------
    result : CrossValidation
        A cross-validation with ``"fiji"`` and ``"lesson"`` backgrounds.
    path : str or pathlib.Path
        The PNG file to write.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    channels = _channels(result)
    fig, grid = plt.subplots(len(channels), 5, figsize=(22, 4.6 * len(channels)),
                             constrained_layout=True, squeeze=False)
    for channel, axes in zip(channels, grid, strict=True):
        label = f" (ch={channel})" if len(channels) > 1 else ""
        fiji = _plane(result.backgrounds["fiji"], channel)
        lesson = _plane(result.backgrounds["lesson"], channel)
        diff = fiji - lesson
        shown = [(_plane(result.image, channel), "input"), (fiji, "Fiji background"),
                 (lesson, "scikit-image (lesson) background")]
        for ax, (img, title) in zip(axes[:3], shown, strict=True):
            ax.imshow(img, cmap="gray")
            ax.set_title(title + label)
        limit = max(float(np.abs(diff).max()), 1e-9)
        im = axes[3].imshow(diff, cmap="coolwarm", vmin=-limit, vmax=limit)
        axes[3].set_title("Fiji - scikit-image" + label)
        fig.colorbar(im, ax=axes[3], shrink=0.8)
        xs, ys = zip(*LESSON_POLYLINE, strict=True)
        for ax in axes[:4]:
            ax.plot(xs, ys, color="yellow", linewidth=0.8)
            ax.set_axis_off()
        axes[4].plot(polyline_profile(fiji), label="Fiji")
        axes[4].plot(polyline_profile(lesson), label="scikit-image", linestyle="--")
        axes[4].set_title("background along the lesson's line" + label)
        axes[4].set_xlabel("position along the line (pixels)")
        axes[4].set_ylabel("grey value")
        axes[4].legend()
    fig.suptitle(f"{result.method}, radius {result.radius:g} px")
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def markdown(result: CrossValidation, figure: str | None = None) -> str:
    """Write a Markdown report: the comparison table, the reasons, the figure.

    Parameters
    ----------
    result : CrossValidation
        The cross-validation to report.
    figure : str, optional
        The figure's file name or address, linked at the end.

    Returns
    -------
    str
        The report's text.
    """
    lines = [f"# {result.method}: Fiji against scikit-image", "",
             f"Radius {result.radius:g} px; image {dict(result.image.sizes)} "
             f"{result.image.dtype}; Fiji line: "
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
    if figure:
        lines += ["", f"![{result.method}]({figure})"]
    return "\n".join(lines) + "\n"
