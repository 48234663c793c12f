"""A batch method's full parameter set: the registry's defaults, the caller's values, checked."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ij_bgcorr.batch.files import file_sha256
from ij_bgcorr.errors import CommandError
from ij_bgcorr.macro.files import read_macro
from ij_bgcorr.macro.prepare import prepare_macro
from ij_bgcorr.methods import METHODS
from ij_bgcorr.validation import positive_pixels


def method_params(method: str, params: Mapping[str, Any] | None = None,
                  macro: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Return the method's full parameter set: its defaults, overridden by ``params``.

    The result is what the manifest records, so a rerun redoes a file
    exactly when this set changes.

    Parameters
    ----------
    method : str
        A name in :data:`ij_bgcorr.methods.METHODS` (``"median"``, ``"maxproj"``,
        ``"rolling-ball"``, ``"tophat"``, ``"macro"``).
    params : mapping of str to object, optional
        The caller's parameters. Radii (``radius``, ``rolling``) are in
        pixels. For ``macro`` any names are accepted: they become the macro's
        arguments.
    macro : str or os.PathLike, optional
        The ``.ijm`` file, for method ``macro`` only.

    Returns
    -------
    dict of str to object
        Every parameter of the method; radii as ``float`` pixels. For
        ``macro``: the caller's parameters plus ``macro_sha256``, the macro
        file's SHA-256, so that an edited macro reruns.

    Raises
    ------
    CommandError
        For an unknown method, an unknown parameter, a radius that is not a
        positive number of pixels, ``macro`` without a macro file, a
        macro file with another method, or a macro argument ImageJ cannot read.
    ParameterError
        For a macro's script parameter without a value, or with one that does not fit.
    FileNotFoundError
        When the macro file does not exist.
    """
    if method not in METHODS:
        raise CommandError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    given = dict(params or {})
    if method == "macro":
        return _macro_params(given, macro)
    if macro is not None:
        raise CommandError(f"macro= is only used with method 'macro', not {method!r}.")
    defaults = METHODS[method].params
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise CommandError(f"Method {method!r} takes {sorted(defaults) or 'no'} "
                           f"parameters, not {unknown}.")
    full = {**defaults, **given}
    for key, default in defaults.items():
        # a number by default is a size in pixels (radius, rolling); flags stay as given
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            full[key] = positive_pixels(key, full[key])
    return full


def _macro_params(given: dict[str, Any], macro: str | os.PathLike[str] | None
                  ) -> dict[str, Any]:
    if macro is None:
        raise CommandError("method 'macro' needs macro= (an .ijm file).")
    path = Path(macro)
    if not path.is_file():
        raise FileNotFoundError(f"No such macro file: {path}")
    # the arguments are checked against the macro's parameters before any file is read
    prepare_macro(read_macro(path)[0], given, headless=False)
    return {**given, "macro_sha256": file_sha256(path)}
