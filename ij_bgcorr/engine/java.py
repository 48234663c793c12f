"""One lazy registry of the Java classes the engine uses.

Each class is looked up by its short name the first time it is used, so that
importing the package starts no JVM, and every Java class the engine touches
is named here once.
"""

from __future__ import annotations

from typing import Any

_CLASSES = {
    "IJ": "ij.IJ",
    "ImagePlus": "ij.ImagePlus",
    "ImageWindow": "ij.gui.ImageWindow",
    "ImageStack": "ij.ImageStack",
    "Interpreter": "ij.macro.Interpreter",
    "MultiLineLabel": "ij.gui.MultiLineLabel",
    "Prefs": "ij.Prefs",
    "ResultsTable": "ij.measure.ResultsTable",
    "TextWindow": "ij.text.TextWindow",
    "WaitForUserDialog": "ij.gui.WaitForUserDialog",
    "Executer": "ij.Executer",
    "Macro": "ij.Macro",
    "ThreadUtil": "ij.util.ThreadUtil",
    "WindowManager": "ij.WindowManager",
    "AWTEvent": "java.awt.AWTEvent",
    "Container": "java.awt.Container",
    "Dialog": "java.awt.Dialog",
    "EventQueue": "java.awt.EventQueue",
    "GraphicsEnvironment": "java.awt.GraphicsEnvironment",
    "Toolkit": "java.awt.Toolkit",
    "Window": "java.awt.Window",
    "File": "java.io.File",
    "PrintStream": "java.io.PrintStream",
    "System": "java.lang.System",
    "Thread": "java.lang.Thread",
    "ByteOrder": "java.nio.ByteOrder",
    "Channels": "java.nio.channels.Channels",
    "Collections": "java.util.Collections",
    "IdentityHashMap": "java.util.IdentityHashMap",
}


class _Registry:
    """Attribute access by short name (``java.IJ``) to the Java class, looked up once."""

    def __getattr__(self, name: str) -> Any:
        if name not in _CLASSES:
            raise AttributeError(f"no Java class registered as {name!r}")
        from jpype import JClass

        cls = JClass(_CLASSES[name])
        setattr(self, name, cls)
        return cls


#: The registry: ``java.IJ.getFullVersion()``.
java = _Registry()
