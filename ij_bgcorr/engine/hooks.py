"""What ImageJ is told before each command it runs, so that macros behave as in Fiji.

A command listener (ImageJ calls it on the command's thread, just before the
command) tells the :class:`~ij_bgcorr.engine.unread.OptionWatch` which command
starts, in both modes; it cancels ``Quit`` (which would close every window and
dispose of ImageJ's main window, for later runs too) and tells the runner, which
ends the macro there as quitting ImageJ would; and it does two things in batch
mode (headless Fiji's way), on both engines alike; a GUI run needs neither (its
Results window keeps every row, and a command run without options opens its
dialog, as in the GUI):

* before ``Measure``, it marks the Results table as ImageJ marks a table one
  of whose columns was deleted. ImageJ's ``Analyzer.displayResults`` then
  leaves the table alone instead of deleting the rows its (absent) Results
  window does not show, so that every Measure adds a row, as in the Fiji GUI;
* a command run without options (``run("Median...")``) gets empty options, so
  that its dialog takes its default values instead of waiting for a person:
  what headless Fiji does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ij_bgcorr.engine.java import java
from ij_bgcorr.engine.unread import OptionWatch

#: The commands whose rows ImageJ would delete without a Results window.
_MEASURING = frozenset({"Measure"})


class CommandHooks:
    """The command listener; one per engine, removed with :meth:`close`.

    Attributes
    ----------
    batch : bool
        Whether the current run is in batch mode (the hooks act only then).
    line_of : callable
        Returns the macro line running now.
    watch : OptionWatch
        Keeps each command's dialogs, to tell keys they did not read.
    on_quit : callable
        Called, on the command's thread, instead of ImageJ's ``Quit``.
    """

    def __init__(self) -> None:
        self.batch = True
        self.line_of: Callable[[], int] = lambda: 0
        self.on_quit: Callable[[], None] = lambda: None
        self.watch = OptionWatch()
        hooks = self
        from jpype import JImplements, JOverride

        mark = java.ResultsTable.class_.getDeclaredField("columnDeleted")
        mark.setAccessible(True)

        @JImplements("ij.CommandListener")
        class _Listener:
            @JOverride
            def commandExecuting(self, command: Any) -> Any:
                if command is None:
                    return command
                if str(command) == "Quit":
                    hooks.on_quit()
                    return None  # not run
                hooks.watch.command_starts(str(command), hooks.line_of() or None)
                if not hooks.batch:
                    return command
                if str(command) in _MEASURING:
                    mark.setBoolean(java.ResultsTable.getResultsTable(), True)
                if java.Macro.getOptions() is None:
                    java.Macro.setOptions(" ")
                return command

        self._listener = _Listener()
        java.Executer.addCommandListener(self._listener)

    def close(self) -> None:
        """Stop listening (before the JVM shuts down)."""
        java.Executer.removeCommandListener(self._listener)
        self.watch.close()
