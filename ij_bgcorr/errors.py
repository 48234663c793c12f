"""Exceptions raised by ij-bgcorr, all in one place.

Every failure that reaches a user is one of these, worded in the user's terms
(the file, the option, the macro line), never a raw Java stack trace.
"""

from __future__ import annotations


class IjBgcorrError(Exception):
    """Base class of every error raised by ij-bgcorr.

    Examples
    --------
    One ``except`` catches every failure the package names, whatever raised it:

    >>> try:
    ...     ijb.reference.median(np.zeros((4, 4), dtype=np.uint8), radius=-1)
    ... except ijb.IjBgcorrError as error:
    ...     print(type(error).__name__, error)
    CommandError radius must be > 0 pixels, got -1.
    """


class EngineNotAvailable(IjBgcorrError):
    """The ImageJ engine cannot start: Java, ij.jar or a display is missing.

    The message says what was tried and what to install.

    Examples
    --------
    >>> try:
    ...     ijb.start_fiji(fiji="/no/such/Fiji.app")
    ... except ijb.EngineNotAvailable as error:
    ...     print(str(error).split(". ")[0])
    Fiji was requested at /no/such/Fiji.app, which does not exist
    """


class ImageFormatError(IjBgcorrError, ValueError):
    """An image has a dtype, shape or dimension names ImageJ cannot hold.

    Examples
    --------
    >>> ijb.as_image(np.zeros((4, 4), dtype=np.complex64))
    Traceback (most recent call last):
    ...
    ij_bgcorr.errors.ImageFormatError: ImageJ cannot hold complex64 pixels; ...
    >>> isinstance(ijb.ImageFormatError("x"), ValueError)
    True
    """


class CommandError(IjBgcorrError, ValueError):
    """A command was called with a bad option (unknown method, radius <= 0, ...).

    Examples
    --------
    >>> ijb.reference.median(np.zeros((4, 4), dtype=np.uint8), radius=2, kind="fiji")
    Traceback (most recent call last):
    ...
    ij_bgcorr.errors.CommandError: ...
    """


class MacroError(IjBgcorrError):
    r"""An ImageJ macro failed.

    Attributes
    ----------
    message:
        ImageJ's own message, e.g. ``Unrecognized command: "Nope"``.
    line:
        1-based line number in the macro text where ImageJ stopped, or None
        when ImageJ did not say.
    code_line:
        The text of that line, when known.
    log:
        What the macro had printed to the Log before it failed.

    Examples
    --------
    >>> fiji = ijb.start()
    >>> try:
    ...     fiji.run_macro('print("starting");\nrun("Gaussian Blurr...", "sigma=2");')
    ... except ijb.MacroError as error:
    ...     print(error.message, error.line, error.code_line, error.log, sep="\n")
    Unrecognized command: "Gaussian Blurr..."
    2
    run("Gaussian Blurr...", "sigma=2");
    starting
    <BLANKLINE>
    """

    def __init__(
        self,
        message: str,
        line: int | None = None,
        code_line: str | None = None,
        log: str = "",
    ) -> None:
        self.message = message
        self.line = line
        self.code_line = code_line
        self.log = log
        where = f" (line {line}: {code_line.strip()})" if line and code_line else ""
        if line and not code_line:
            where = f" (line {line})"
        super().__init__(f"{message}{where}")


class MacroTimeout(MacroError):
    """A macro ran longer than its timeout and was stopped."""


class MacroWarning(UserWarning):
    r"""A macro gave a command an option key the command did not read (ImageJ ignored it).

    ImageJ ignores a misspelt key silently, in the Fiji GUI too
    (``run("Median...", "radious=6")`` runs with the default radius).

    Attributes
    ----------
    command:
        The command, e.g. ``Median...``.
    keys:
        The keys it did not read.
    line:
        The 1-based macro line of the ``run(...)`` call, when known.

    Examples
    --------
    >>> import warnings
    >>> fiji = ijb.start()
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     result = fiji.run_macro('newImage("a", "8-bit ramp", 8, 8, 1);\n'
    ...                             'run("Median...", "radious=6");')
    >>> warning = caught[0].message
    >>> type(warning).__name__, warning.command, warning.keys, warning.line
    ('MacroWarning', 'Median...', ['radious'], 2)
    """

    def __init__(self, command: str, keys: list[str], line: int | None, known: list[str],
                 code_line: str | None = None) -> None:
        self.command, self.keys, self.line = command, keys, line
        where = f"line {line}" + (f" ({code_line.strip()})" if code_line else "") \
            if line else "a macro line"
        them = "it" if len(keys) == 1 else "them"
        super().__init__(
            f"{where}: {command} does not read the option {', '.join(map(repr, keys))}; "
            f"ImageJ ignored {them} (the keys it reads: {', '.join(known) or 'none'})")


class ImageConversionWarning(UserWarning):
    """An image's pixel type was converted to one ImageJ holds; the message says what changed.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     image = ijb.as_image(np.ones((2, 2)))
    >>> image.dtype, caught[0].category.__name__
    (dtype('float32'), 'ImageConversionWarning')
    >>> print(caught[0].message)
    float64 pixels converted to 32-bit float (float32); every value is unchanged.
    """


class ParameterError(IjBgcorrError, ValueError):
    r"""A macro's script parameter (``#@ Integer radius``) is missing, unknown or has a bad value.

    The message names the parameter and what it accepts.

    Examples
    --------
    >>> fiji = ijb.start()
    >>> try:
    ...     fiji.run_macro("#@ Integer radius\nprint(radius);", args={"radius": "big"})
    ... except ijb.ParameterError as error:
    ...     print(error)
    the macro's parameter 'radius' (#@ Integer, line 1) takes a whole number (an int,
    or a str such as '3'), not 'big'
    """


class BatchBusy(IjBgcorrError):
    """Another batch is writing into the same output folder; the message names the folder."""


class DiskFull(IjBgcorrError, OSError):
    """A file could not be written: its disk (or the user's quota) is full.

    The message names the file being written and the space left on its disk; no part
    of the file is left behind.
    """


class BatchInterrupted(KeyboardInterrupt):
    """A batch was stopped by Ctrl-C; what was finished is kept and recorded.

    Attributes
    ----------
    summary:
        The :class:`~ij_bgcorr.batch.run.BatchSummary` of the files done before the interrupt.
    """

    def __init__(self, summary: object) -> None:
        self.summary = summary
        super().__init__(str(summary))
