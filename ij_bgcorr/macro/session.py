"""An engine session as a macro that replays it in Fiji: titles, inputs and steps.

Every image an engine touches gets a window title that is unique within the
session, and every step is recorded as the macro lines that made its result.
:meth:`Session.macro` joins them into one self-contained macro: inputs that
came from a file are opened with ``open(path)``; inputs that came from memory
are listed in the header as images to open first; results are made under
their titles, so the macro run in ImageJ recreates each one pixel for pixel.

An input is recognised by its title *and* its pixels (a fingerprint of its
values): an array changed after it was returned or opened is a new input,
never mistaken for the image it was copied from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import xarray as xr

from ij_bgcorr.image.arrays import plane_sizes
from ij_bgcorr.image.fingerprint import fingerprint
from ij_bgcorr.macro.text import quote

# "name.tif" → ("name", ".tif"); ImageJ numbers duplicates before the extension.
_EXTENSION = re.compile(r"^(?P<stem>.+?)(?P<ext>\.[A-Za-z][A-Za-z0-9]{0,4})$")
_BIT_DEPTHS = {"uint8": "8-bit", "uint16": "16-bit", "float32": "32-bit"}


def unique_title(base: str, taken: set[str] | dict[str, str]) -> str:
    """Return ``base``, or the first free ``stem-N.ext`` (N = 1, 2, ...) as ImageJ numbers copies.

    Parameters
    ----------
    base : str
        The title wanted, e.g. ``"x.tif"``.
    taken : set of str or dict of str to str
        The titles in use.

    Returns
    -------
    str
        ``base`` when it is free, else e.g. ``"x-1.tif"``.
    """
    if base not in taken:
        return base
    match = _EXTENSION.match(base)
    stem, ext = (match["stem"], match["ext"]) if match else (base, "")
    n = 1
    while f"{stem}-{n}{ext}" in taken:
        n += 1
    return f"{stem}-{n}{ext}"


def window_title(text: str) -> str:
    """Make ``text`` a window title a macro can name: one line, no square brackets.

    ImageJ's options strings cannot quote ``[`` or ``]`` (``title=[...]``), and
    a macro string cannot hold a line break.

    Parameters
    ----------
    text : str
        Any text, e.g. an image's ``attrs["title"]``.

    Returns
    -------
    str
        ``text`` with its whitespace runs as single spaces and ``[``, ``]`` as
        ``(``, ``)``; ``"image"`` when nothing is left.
    """
    cleaned = " ".join(text.split()).translate(str.maketrans("[]", "()"))
    return cleaned or "image"


def describe(image: xr.DataArray) -> str:
    """Describe an image as ImageJ would: ``256x256, 8-bit, 3 slices``.

    Parameters
    ----------
    image : xarray.DataArray
        An image in canonical form: uint8, uint16, float32, or RGB.

    Returns
    -------
    str
        Width x height, the pixel type, then the channels, slices and frames
        there are more than one of.
    """
    nc, nz, nt = plane_sizes(image)
    kind = "RGB" if image.attrs.get("rgb") else _BIT_DEPTHS.get(str(image.dtype), "?")
    parts = [f"{image.sizes['col']}x{image.sizes['row']}", kind]
    parts += [f"{n} {word}" for n, word in ((nc, "channels"), (nz, "slices"), (nt, "frames"))
              if n > 1]
    return ", ".join(parts)


@dataclass
class Session:
    """The titles and macro lines of one engine's calls, in order.

    Not thread-safe by itself: the engine serializes calls.

    Attributes
    ----------
    titles : dict of str to str
        Each title in use, with the fingerprint of its image (empty while a
        claimed title has no image yet).
    lines : list of str
        The macro lines so far.
    needs_open : list of str
        The images from memory the replay needs open first, as
        ``"title": description``.
    active : str or None
        The title of the image active after the last line.
    """

    titles: dict[str, str] = field(default_factory=dict)  # title → fingerprint
    lines: list[str] = field(default_factory=list)
    needs_open: list[str] = field(default_factory=list)
    active: str | None = None

    def place(self, image: xr.DataArray) -> str:
        """Return the title ``image`` has in this session; a new one is opened or listed.

        A known title with the same pixels is the same image; an image whose
        pixels equal the file it was read from is opened with ``open(path)``
        (and renamed when its title is not the file's name); anything else
        came from memory and is listed among the images the replay needs open.

        Parameters
        ----------
        image : xarray.DataArray
            An input in canonical form; its ``attrs`` may hold ``title``,
            ``source`` and ``source_fingerprint`` (see
            :func:`~ij_bgcorr.image.tiff.open_image`).

        Returns
        -------
        str
            Its window title, unique within the session.
        """
        digest = fingerprint(image)
        lazy, _, pixels = str(image.attrs.get("computed_from", "")).partition(":")
        if lazy and pixels == digest:  # computed from a Dask-backed image, unchanged since
            digest = lazy
        if not image.attrs.get("title"):  # an untitled array seen before is that image
            known = next((t for t, d in self.titles.items() if d == digest), None)
            if known is not None:
                return known
        wanted = window_title(str(image.attrs.get("title") or "image"))
        if self.titles.get(wanted) == digest:
            return wanted
        title = unique_title(wanted, self.titles)
        self.titles[title] = digest
        source = image.attrs.get("source")
        if source and image.attrs.get("source_fingerprint") == digest:
            self.lines.append(f"open({quote(str(source))});")
            if title != Path(str(source)).name:
                self.lines.append(f"rename({quote(title)});")
            self.active = title
        else:
            self.needs_open.append(f"{quote(title)}: {describe(image)}")
        return title

    def claim(self, base: str) -> str:
        """Claim a new title for a result, unique within the session, based on ``base``.

        Parameters
        ----------
        base : str
            The title wanted.

        Returns
        -------
        str
            ``base``, or a numbered copy of it (see :func:`unique_title`).
        """
        title = unique_title(base, self.titles)
        self.titles[title] = ""
        return title

    def record(self, first_input: str, body: list[str], result: str,
               result_fingerprint: str) -> None:
        """Add one step: its own lines, run with ``first_input`` active, making ``result``.

        Parameters
        ----------
        first_input : str
            The title of the step's first input.
        body : list of str
            The step's macro lines.
        result : str
            The title of the image they make.
        result_fingerprint : str
            That image's fingerprint (:func:`~ij_bgcorr.image.fingerprint.fingerprint`).
        """
        if first_input != self.active:
            self.lines.append(f"selectImage({quote(first_input)});")
        self.lines += body
        self.titles[result] = result_fingerprint
        self.active = result

    def macro(self, header: str) -> str:
        """Return the session as one macro, ``header`` its first comment line.

        Parameters
        ----------
        header : str
            The first comment's text.

        Returns
        -------
        str
            The macro: the header, the images to open first (as comments), then
            every line, ending with a line break.
        """
        out = [f"// {header}"]
        if self.needs_open:
            out.append("// Open these images first, under these titles (they came from memory):")
            out += [f"//   {item}" for item in self.needs_open]
        return "\n".join(out + self.lines) + "\n"
