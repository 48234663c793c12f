"""The reference flavour: one ``kind`` keyword, the same two values everywhere.

Every function of `ij_bgcorr.reference` that exists in two flavours takes
``kind: str = "imagej"``:

* ``"imagej"``: what ImageJ 1.x computes, so that a result from Fiji can be
  checked pixel for pixel;
* ``"lesson"``: the lesson's own scikit-image code, as a learner would run it.
"""

from __future__ import annotations

from ij_bgcorr.validation import choice

#: The values of ``kind``, and what each computes.
KINDS: dict[str, str] = {
    "imagej": "what ImageJ 1.x computes",
    "lesson": "the lesson's scikit-image code",
}


def check_kind(kind: object) -> str:
    """Return the reference flavour ``kind`` names.

    Parameters
    ----------
    kind : object
        What the caller passed as ``kind=``: ``"imagej"`` or ``"lesson"``
        (case-insensitive).

    Returns
    -------
    str
        ``"imagej"`` or ``"lesson"``.

    Raises
    ------
    CommandError
        When ``kind`` is neither; the message names both choices.
    """
    choice("kind", kind, KINDS)
    return str(kind).lower()
