"""The images ImageJ holds during a macro run: opening the inputs, finding them all.

ImageJ keeps an image either in a window (GUI mode) or in the interpreter's
batch-mode list; the runner opens inputs in one or the other and reads both.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ij_bgcorr.engine.idle import nothing
from ij_bgcorr.engine.java import java


def open_inputs(inputs: Mapping[str, Any], gui: bool) -> None:
    """Open ``inputs`` under their titles, the first one active: in windows, or in batch mode."""
    java.Interpreter.batchMode = not gui
    for title, imp in reversed(list(inputs.items())):
        imp.setTitle(title)
        if gui:
            show(imp)
        else:
            java.Interpreter.addBatchModeImage(imp)
            java.Interpreter.activateImage(imp)


def show(imp: Any, limit: float = 1.0) -> None:
    """Show an image in its window and wait (up to ``limit`` s) until the window is active.

    The window manager activates a new window a moment later, and ImageJ then
    makes it the current image: were the macro already running, that late
    activation would change the image its next command works on. ImageJ's own
    ``open()`` in a macro waits the same way.
    """
    imp.show()
    window = imp.getWindow()
    deadline = time.monotonic() + limit
    while window is not None and not window.isActive() and time.monotonic() < deadline:
        time.sleep(0.005)
    java.EventQueue.invokeAndWait(nothing())
    java.WindowManager.setCurrentWindow(window)


def open_images() -> dict[int, Any]:
    """Every image ImageJ holds, batch-mode and window images, by ID."""
    images: dict[int, Any] = {}
    for image_id in list(java.Interpreter.getBatchModeImageIDs() or []):
        imp = java.Interpreter.getBatchModeImage(int(image_id))
        if imp is not None:
            images[int(imp.getID())] = imp
    for image_id in list(java.WindowManager.getIDList() or []):
        imp = java.WindowManager.getImage(int(image_id))
        if imp is not None:
            images.setdefault(int(imp.getID()), imp)
    return images


def images_by_title() -> tuple[dict[str, Any], str | None]:
    """Return the open images by (made unique) title, and the active one's title."""
    current = java.WindowManager.getCurrentImage()
    current_id = int(current.getID()) if current is not None else None
    images: dict[str, Any] = {}
    active = None
    for image_id, imp in open_images().items():
        title = str(imp.getTitle())
        key, n = title, 2
        while key in images:
            key, n = f"{title}-{n}", n + 1
        images[key] = imp
        if image_id == current_id:
            active = key
    return images, active
