"""Which keys of a command's options string its dialog read, as ImageJ reads them.

ImageJ fills a command's dialog from its options string: a number, text or
choice field looks up ``key=`` (the first one not preceded by a letter), a
checkbox looks up `` key `` outside ``[...]`` (``GenericDialog.isMatch``), the
key being the first word of the field's label. A key nothing looks up is
ignored silently, in the Fiji GUI too: ``run("Median...", "radious=6")`` runs
with the default radius. Given the keys a command's dialogs have, these
functions tell which of the given keys were not read.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Keys ImageJ reads outside the dialogs: ``stack``/``slice`` (``IJ.setupDialog``, for a
#: stack), the file dialogs' ``open``, ``save`` and ``path``.
READ_ELSEWHERE = frozenset({"stack", "slice", "open", "save", "path"})
#: Keys a command reads itself, besides its dialog's.
READ_BY_COMMAND = {"Duplicate...": frozenset({"duplicate", "use"})}


def option_keys(options: str) -> list[tuple[str, int, int]]:
    """Split an options string into its items: ``(key, start, end)`` of each.

    Parameters
    ----------
    options : str
        ``key=value``, ``key=[a value]``, ``key='a value'`` and bare ``key`` items.

    Returns
    -------
    list of (str, int, int)
        Each item's key and the span of the whole item in ``options``.
    """
    out, i, n = [], 0, len(options)
    while i < n:
        if options[i] == " ":
            i += 1
            continue
        start = i
        while i < n and options[i] not in " =":
            i += 1
        key = options[start:i]
        if i < n and options[i] == "=":
            i = _value_end(options, i + 1)
        out.append((key, start, i))
    return out


def _value_end(options: str, i: int) -> int:
    """Return where the value starting at ``i`` ends, as ImageJ's ``Macro.getValue`` reads it."""
    n = len(options)
    if options[i:i + 1] == "[":
        depth = 0
        while i < n:
            depth += {"[": 1, "]": -1}.get(options[i], 0)
            i += 1
            if depth == 0:
                break
        return i
    if options[i:i + 1] == "'":
        closing = options.find("'", i + 1)
        return n if closing < 0 else closing + 1
    while i < n and options[i] != " ":
        i += 1
    return i


def value_position(options: str, key: str) -> int:
    """Return where ``Macro.getValue`` finds ``key=``: the first one not after a letter; -1."""
    index = options.find(key + "=")
    while index > 0 and options[index - 1].isalpha():
        index = options.find(key + "=", index + 1)
    return index


def flag_position(options: str, key: str) -> int:
    """Return where a checkbox finds ``key``: a word outside ``[...]``, not after ``=``; -1.

    ImageJ's options end with a space (``Macro.setOptions`` adds one); so does
    ``options`` here.
    """
    options = options if options.endswith(" ") else options + " "
    if options.startswith(key + " "):
        return 0
    word, inside = f" {key} ", False
    for i, char in enumerate(options[:len(options) - len(word) + 1]):
        if inside and char == "]":
            inside = False
        elif char == "[":
            inside = True
        if char == " " and not inside and not (i > 1 and options[i - 1] == "=") \
                and options.startswith(word, i):
            return i + 1
    return -1


def unread_keys(command: str, given: str,
                dialogs: Iterable[tuple[str, Iterable[tuple[str, bool]]]]) -> list[str]:
    """Return the keys of ``given`` that none of the command's dialogs read, in order.

    Parameters
    ----------
    command : str
        The command's name (``"Median..."``).
    given : str
        The options the macro gave.
    dialogs : iterable of (str, iterable of (str, bool))
        For each dialog the command filled: the options string it read (a command may
        rewrite old keys into new ones first) and its fields' keys, each with whether it
        is a checkbox.

    Returns
    -------
    list of str
        Empty when every key was read, or when no dialog was filled (nothing to tell).
    """
    names = [key for key, _, _ in option_keys(given)]
    read: set[str] = set()
    seen = False
    for read_options, fields in dialogs:
        seen = True
        items = option_keys(read_options)
        if read_options.strip() != given.strip():  # rewritten: a key it dropped was taken
            read |= set(names) - {key for key, _, _ in items}
        for key, checkbox in fields:
            at = flag_position(read_options, key) if checkbox else \
                value_position(read_options, key)
            read |= {name for name, start, end in items if start <= at < end}
    if not seen:
        return []
    known = READ_ELSEWHERE | READ_BY_COMMAND.get(command, frozenset())
    return [name for name in dict.fromkeys(names) if name not in read and name not in known]
