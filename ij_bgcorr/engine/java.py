"""One lazy registry of the Java classes the engine uses.

Each class is looked up by its short name the first time it is used, so that
importing the package starts no JVM, and every Java class the engine touches
is named here once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_CLASSES = {
    "IJ": "ij.IJ",
    "ImageJ": "ij.ImageJ",
    "ImagePlus": "ij.ImagePlus",
    "ImageWindow": "ij.gui.ImageWindow",
    "ImageStack": "ij.ImageStack",
    "Interpreter": "ij.macro.Interpreter",
    "MultiLineLabel": "ij.gui.MultiLineLabel",
    "MessageDialog": "ij.gui.MessageDialog",
    "HTMLDialog": "ij.gui.HTMLDialog",
    "GenericDialog": "ij.gui.GenericDialog",
    "Prefs": "ij.Prefs",
    "ResultsTable": "ij.measure.ResultsTable",
    "RoiManager": "ij.plugin.frame.RoiManager",
    "PlugInDialog": "ij.plugin.frame.PlugInDialog",
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
    "URI": "java.net.URI",
    "PrintStream": "java.io.PrintStream",
    "System": "java.lang.System",
    "ExitGuard": "ijbgcorr.ExitGuard",
    "Class": "java.lang.Class",
    "Modifier": "java.lang.reflect.Modifier",
    "Arrays": "java.util.Arrays",
    "Properties": "java.util.Properties",
    "Collection": "java.util.Collection",
    "Map": "java.util.Map",
    "Thread": "java.lang.Thread",
    "StaticFields": "ijbgcorr.StaticFields",
    "ByteOrder": "java.nio.ByteOrder",
    "Channels": "java.nio.channels.Channels",
    "Collections": "java.util.Collections",
    "IdentityHashMap": "java.util.IdentityHashMap",
}


_ARRAYS = {"ThreadArray": "java.lang.Thread"}


class _Registry:
    """Attribute access by short name (``java.IJ``) to the Java class, looked up once."""

    def __getattr__(self, name: str) -> Any:
        from jpype import JArray, JClass

        if name in _ARRAYS:
            cls = JArray(JClass(_ARRAYS[name]))
        elif name in _CLASSES:
            cls = JClass(_CLASSES[name])
        else:
            raise AttributeError(f"no Java class registered as {name!r}")
        setattr(self, name, cls)
        return cls


#: The registry: ``java.IJ.getFullVersion()``.
java = _Registry()


def imagej_jar() -> Path:
    """Return the jar (or folder) ImageJ 1.x's ``ij.IJ`` was loaded from in the running JVM.

    Read from the URL of ``IJ.class`` itself (``jar:file:/.../ij-1.54m.jar!/ij/IJ.class``),
    which every class loader gives, Fiji's too.

    Returns
    -------
    pathlib.Path
        Empty (``Path()``) when the class was not loaded from a local jar or folder.
    """
    url = java.IJ.class_.getResource("IJ.class")
    if url is None:
        return Path()
    text = str(url)
    if text.startswith("jar:"):
        text = text[len("jar:"):].split("!/", 1)[0]
    elif text.endswith("/ij/IJ.class"):
        text = text[: -len("/ij/IJ.class")]
    try:
        return Path(str(java.File(java.URI(text)).getPath()))
    except Exception:  # not a local file (a remote or custom URL)
        return Path()
