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

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from .commands import quote
from .images import plane_sizes

# "name.tif" → ("name", ".tif"); ImageJ numbers duplicates before the extension.
_EXTENSION = re.compile(r"^(?P<stem>.+?)(?P<ext>\.[A-Za-z][A-Za-z0-9]{0,4})$")
_BIT_DEPTHS = {"uint8": "8-bit", "uint16": "16-bit", "float32": "32-bit"}


def fingerprint(image: xr.DataArray) -> str:
    """A digest of an image's dims, shape, dtype and every pixel value (hex, 32 characters)."""
    digest = hashlib.blake2b(digest_size=16)
    # dims of size 1 are left out: a result handed back with them restored is the same image
    kept = [(d, n) for d, n in zip(image.dims, image.shape, strict=True) if n > 1]
    header = (kept, str(image.dtype), bool(image.attrs.get("rgb")))
    digest.update(repr(header).encode())
    digest.update(np.ascontiguousarray(image.values).data)
    return digest.hexdigest()


def unique_title(base: str, taken: set[str] | dict[str, str]) -> str:
    """``base``, or the first free ``stem-N.ext`` (N = 1, 2, ...) as ImageJ numbers copies."""
    if base not in taken:
        return base
    match = _EXTENSION.match(base)
    stem, ext = (match["stem"], match["ext"]) if match else (base, "")
    n = 1
    while f"{stem}-{n}{ext}" in taken:
        n += 1
    return f"{stem}-{n}{ext}"


def window_title(text: str) -> str:
    """``text`` as a window title a macro can name: one line, no square brackets.

    ImageJ's options strings cannot quote ``[`` or ``]`` (``title=[...]``), and
    a macro string cannot hold a line break.
    """
    cleaned = " ".join(text.split()).translate(str.maketrans("[]", "()"))
    return cleaned or "image"


def describe(image: xr.DataArray) -> str:
    """``256x256, 8-bit, 3 slices``: how ImageJ would describe the image."""
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
    """

    titles: dict[str, str] = field(default_factory=dict)  # title → fingerprint
    lines: list[str] = field(default_factory=list)
    needs_open: list[str] = field(default_factory=list)
    active: str | None = None

    def place(self, image: xr.DataArray) -> str:
        """The title ``image`` has in this session; a new one is opened or listed.

        A known title with the same pixels is the same image; an image whose
        pixels equal the file it was read from is opened with ``open(path)``
        (and renamed when its title is not the file's name); anything else
        came from memory and is listed among the images the replay needs open.
        """
        digest = fingerprint(image)
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
        """A new title for a result, unique within the session, based on ``base``."""
        title = unique_title(base, self.titles)
        self.titles[title] = ""
        return title

    def record(self, first_input: str, body: list[str], result: str,
               result_fingerprint: str) -> None:
        """Add one step: its own lines, run with ``first_input`` active, making ``result``."""
        if first_input != self.active:
            self.lines.append(f"selectImage({quote(first_input)});")
        self.lines += body
        self.titles[result] = result_fingerprint
        self.active = result

    def macro(self, header: str) -> str:
        """The session as one macro, ``header`` its first comment line."""
        out = [f"// {header}"]
        if self.needs_open:
            out.append("// Open these images first, under these titles (they came from memory):")
            out += [f"//   {item}" for item in self.needs_open]
        return "\n".join(out + self.lines) + "\n"
