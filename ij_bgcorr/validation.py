"""Checks of the numbers users pass, one place for both the engine and the numpy side.

Each check raises :class:`~ij_bgcorr.errors.CommandError` (a ``ValueError``)
naming the parameter, so a bad radius reads the same whichever side refused it.
"""

from __future__ import annotations

import math
import numbers
import os
from pathlib import Path

from ij_bgcorr.errors import CommandError


def positive_pixels(name: str, value: object) -> float:
    """Return ``value`` as a float number of pixels, finite and > 0.

    Parameters
    ----------
    name : str
        The parameter's name, for the message (``"radius"``, ``"rolling"``).
    value : object
        What the caller passed.

    Returns
    -------
    float
        The value, in pixels.

    Raises
    ------
    CommandError
        When ``value`` is not a real number (booleans included), not finite,
        or not above 0.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise CommandError(f"{name} must be a number of pixels, got {value!r}.")
    number = float(value)
    if not math.isfinite(number):
        raise CommandError(f"{name} must be a finite number of pixels, got {value!r}.")
    if number <= 0:
        raise CommandError(f"{name} must be > 0 pixels, got {value!r}.")
    return number


def whole_pixels(name: str, value: object) -> int:
    """Return ``value`` as a whole, positive number of pixels (for ``skimage.morphology.disk``).

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : object
        What the caller passed.

    Returns
    -------
    int
        The value, in pixels.

    Raises
    ------
    CommandError
        When ``value`` is not a positive whole number.
    """
    number = positive_pixels(name, value)
    if not number.is_integer():
        raise CommandError(f"{name} must be a whole number of pixels for scikit-image's disk, "
                           f"got {value!r}.")
    return int(number)


def choice(kind: str, value: object, choices: dict[str, str]) -> str:
    """Return the entry of ``choices`` that ``value`` names (case-insensitive).

    Parameters
    ----------
    kind : str
        What is chosen, for the message (``"projection method"``).
    value : object
        The caller's choice.
    choices : dict of str to str
        Accepted names (lower case) and what each stands for.

    Returns
    -------
    str
        ``choices[value]``.

    Raises
    ------
    CommandError
        When ``value`` is not one of the names.
    """
    key = str(value).lower()
    if key not in choices:
        raise CommandError(f"Unknown {kind} {value!r}; choose one of {', '.join(choices)}.")
    return choices[key]


def timeout_seconds(value: object) -> float | None:
    """Return a timeout in seconds: a finite number > 0, or None for no limit.

    Parameters
    ----------
    value : object
        What the caller passed as ``timeout``.

    Returns
    -------
    float or None
        The timeout, in seconds; None when there is no limit.

    Raises
    ------
    CommandError
        When ``value`` is neither None nor a finite real number above 0.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(float(value)) or float(value) <= 0:
        raise CommandError(f"timeout must be a number of seconds > 0, or None for no limit; "
                           f"got {value!r}.")
    return float(value)


def existing_file(value: object) -> Path:
    """Return ``value`` as the absolute path of an existing file.

    Parameters
    ----------
    value : object
        A ``str`` or ``os.PathLike`` naming a file (``~`` is expanded).

    Returns
    -------
    pathlib.Path
        The absolute path.

    Raises
    ------
    FileNotFoundError
        When no file of that name exists (a folder is not a file).
    CommandError
        When ``value`` is not a path.
    """
    if not isinstance(value, str | os.PathLike):
        raise CommandError(f"A file must be given as a path, got {value!r}.")
    path = Path(value).expanduser().absolute()
    if not path.is_file():
        raise FileNotFoundError(f"No file {path}" + (" (it is a folder)" if path.is_dir() else ""))
    return path
