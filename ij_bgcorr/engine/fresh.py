"""Every macro run starts as a freshly started ImageJ: nothing is carried over from before.

ImageJ keeps what a user did in static fields of its classes: the previous
selection (``Restore Selection``), the clipboard, the measurements chosen in
Set Measurements, binary and conversion options, colours, the last values of
many dialogs, its preferences (``Prefs``). A macro run after another would
see that state, and a result would depend on what ran before. Starting a JVM
per macro would cost seconds; instead:

* every window but ImageJ's main window is closed (images and plots, tables,
  the Log and Results windows by the runner; the ROI Manager and tool windows
  here), as in an ImageJ just started;
* every static field of ImageJ 1.x's own classes is set back to the value it
  had when the engine started (:class:`StaticState`): numbers, strings,
  colours and other values as they were, arrays copied back, ImageJ's
  preference tables refilled, and references that were unset then unset
  again. Collections ImageJ registers its parts in (menus, listeners) keep
  their content.

ImageJ's classes are all loaded and initialised when the engine starts, so
that the values recorded are the ones a fresh ImageJ has; classes of other
jars (Fiji's plugins) are not covered.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ij_bgcorr.engine.java import java

log = logging.getLogger(__name__)

# Java types whose values are immutable: a reference set back is the value set back.
_VALUE_TYPES = ("java.lang.", "java.awt.Color", "java.awt.Font", "java.awt.Point",
                "java.awt.Rectangle", "java.awt.Dimension")


@dataclass
class _Field:
    """One static field and the value it had at the engine's start."""

    field: Any
    value: Any
    kind: str  # "value", "array", "properties" or "reference"


class StaticState:
    """The static fields of ImageJ 1.x's classes as they were when the engine started.

    Parameters
    ----------
    jar : pathlib.Path
        The jar ImageJ 1.x was loaded from (its classes are the ones recorded).
    """

    def __init__(self, jar: Path) -> None:
        self._fields = [f for cls in _imagej_classes(jar) for f in _static_fields(cls)]

    def __len__(self) -> int:
        """Return the number of fields recorded."""
        return len(self._fields)

    def restore(self) -> int:
        """Set every recorded field that changed back to its recorded value.

        Returns
        -------
        int
            How many fields were set back.
        """
        changed = 0
        for f in self._fields:
            try:
                changed += _restore(f)
            except Exception as exc:  # a field ImageJ's own code keeps as it needs it
                log.debug("could not set back %s: %s", f.field, exc)
        return changed


def _restore(f: _Field) -> bool:
    current = f.field.get(None)
    if f.kind == "array":
        if current is None and f.value is None:
            return False
        if current is not None and f.value is not None and \
                java.Arrays.equals(current, f.value):
            return False
        f.field.set(None, None if f.value is None else f.value.clone())
        return True
    if f.kind == "properties":
        if current is None or current.equals(f.value):
            return False
        current.clear()
        current.putAll(f.value)
        return True
    if f.kind == "value":
        if current is None and f.value is None:
            return False
        if current is not None and f.value is not None and current.equals(f.value):
            return False
    elif current is f.value or (current is not None and current.equals(f.value)):
        return False
    f.field.set(None, f.value)
    return True


def _imagej_classes(jar: Path) -> list[Any]:
    """Load and initialise every class of ImageJ's jar that has static fields to record."""
    if jar.is_dir():
        names = [str(f.relative_to(jar).with_suffix("")).replace("/", ".")
                 for f in (jar / "ij").rglob("*.class")]
    else:
        with zipfile.ZipFile(jar) as archive:
            names = [n[:-6].replace("/", ".") for n in archive.namelist()
                     if n.startswith("ij/") and n.endswith(".class")]
    # one call into Java (ijbgcorr/StaticFields.java): from Python, a call per class and
    # field took over a second at each start
    found = java.StaticFields.recordable(names, java.IJ.class_.getClassLoader())
    return list(found)


def _recordable(field: Any) -> bool:
    modifiers = int(field.getModifiers())
    return java.Modifier.isStatic(modifiers) and not java.Modifier.isFinal(modifiers)


def _static_fields(cls: Any) -> list[_Field]:
    fields = []
    for field in cls.getDeclaredFields():
        if not _recordable(field):
            continue
        try:
            field.setAccessible(True)
            value = field.get(None)
        except Exception:
            continue
        kind_of = field.getType()
        type_name = str(kind_of.getName())
        if kind_of.isPrimitive() or type_name.startswith(_VALUE_TYPES) or kind_of.isEnum():
            fields.append(_Field(field, value, "value"))
        elif kind_of.isArray() and (kind_of.getComponentType().isPrimitive()
                                    or str(kind_of.getComponentType().getName())
                                    == "java.lang.String"):
            fields.append(_Field(field, None if value is None else value.clone(), "array"))
        elif type_name == "java.util.Properties":
            copy = java.Properties()
            if value is not None:
                copy.putAll(value)
            fields.append(_Field(field, copy, "properties"))
        elif not java.Collection.class_.isAssignableFrom(kind_of) and \
                not java.Map.class_.isAssignableFrom(kind_of):
            fields.append(_Field(field, value, "reference"))
    return fields


def close_windows() -> None:
    """Close every window but images, text windows and ImageJ's main window, asking nothing.

    The ROI Manager is emptied first; ImageJ's tool windows (B&C, Threshold) are
    dialogs, so Dialogs are closed as well as Frames. Images and text windows are
    closed by the runner (:meth:`~ij_bgcorr.engine.runner.MacroRunner.close_all_images`).
    """
    manager = java.RoiManager.getRawInstance()
    if manager is not None:
        manager.reset()
        manager.close()
    for window in list(java.WindowManager.getAllNonImageWindows() or []):
        java.WindowManager.removeWindow(window)
        window.dispose()
