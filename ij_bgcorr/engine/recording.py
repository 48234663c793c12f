"""An engine's recorded session: every command it ran, as a macro that replays in Fiji.

The engine's base class inherits it. Every recorded command's inputs get
their titles in the session (:meth:`~ij_bgcorr.macro.session.Session.place`)
and its result a new one; its lines are added once it has run (an image
computed tile by tile: when it is called, as the lines that make it whole).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import xarray as xr

from ij_bgcorr.image.fingerprint import fingerprint
from ij_bgcorr.macro.call import Call
from ij_bgcorr.macro.session import Session


class Recorder:
    """The session an engine records, and the lock that serializes the engine's calls.

    Attributes
    ----------
    kind, version : str
        Set by the engine: named in the recorded macro's header.
    """

    kind: str
    version: str

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._session = Session()

    def recorded_macro(self) -> str:
        """Return this session's commands as one self-contained macro that replays them in Fiji.

        Run as it is in ImageJ or Fiji, it recreates every command's result under the result's
        ``attrs["title"]``, pixel for pixel: inputs read with :func:`ij_bgcorr.open_image` are
        opened from their files; inputs that came from memory are listed in the header, to be
        open under those titles first. A result computed tile by tile is made whole.

        Returns
        -------
        str
            The macro's lines, a header of comments first.

        Examples
        --------
        Each command's result is made under its title; an input read from a file is
        opened from it:

        >>> from ij_bgcorr import data
        >>> fiji = ijb.start()
        >>> fiji.new_session()
        >>> spots = data.load(data.SPOTS)
        >>> background = fiji.median(spots, radius=15, title="background")
        >>> foreground = fiji.image_calculator("subtract", spots, background, float32=True,
        ...                                    title="foreground")
        >>> print(fiji.recorded_macro())
        // Recorded by ij-bgcorr with ImageJ ... engine)
        open(".../xy_8bit__some_spots_with_uneven_bg.tif");
        run("Duplicate...", "title=background");
        run("Median...", "radius=15");
        selectImage("xy_8bit__some_spots_with_uneven_bg.tif");
        imageCalculator("Subtract create 32-bit",
                        "xy_8bit__some_spots_with_uneven_bg.tif","background");
        rename("foreground");
        <BLANKLINE>
        """
        with self._lock:
            return self._session.macro(f"Recorded by ij-bgcorr with ImageJ {self.version} "
                                       f"({self.kind} engine)")

    def new_session(self) -> None:
        """Forget the recorded session: :meth:`recorded_macro` starts again from here.

        Titles used so far may be used again afterwards.

        Examples
        --------
        >>> fiji = ijb.start()
        >>> fiji.new_session()
        >>> print(fiji.recorded_macro())
        // Recorded by ij-bgcorr with ImageJ ... engine)
        """
        with self._lock:
            self._session = Session()

    def _step_titles(self, call: Call,
                     images: Sequence[xr.DataArray] | None = None) -> tuple[list[str], str]:
        """Return the titles of a step's inputs and a new title for its result.

        ``images`` stand for ``call.images`` when given (a lazy image, not its sample).
        """
        with self._lock:
            titles = [self._session.place(image) for image in images or call.images]
            return titles, self._session.claim(call.title or call.default_title(titles))

    def _record(self, first_input: str, body: list[str], result_title: str,
                result: xr.DataArray) -> None:
        """Add a step's lines, run with ``first_input`` active, that made ``result``."""
        digest = fingerprint(result)
        with self._lock:
            self._session.record(first_input, body, result_title, digest)
