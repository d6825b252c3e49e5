"""A screen rendered to PNG without a display: for documentation, checks and review."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hmi.core.project.models import Project


def render_screen_png(
    project: Project,
    runtime_or_engine: Any,
    screen_name: str | None,
    out_path: str | Path,
    size: tuple[int, int] = (1920, 1080),
    profile: str = "desk",
    language: str | None = None,
) -> None:
    """Draw the whole window (header, navigation, screen) at ``size`` into ``out_path``.

    Raises ``LookupError`` if the screen does not exist and ``OSError`` if the PNG cannot be
    written. Values are the engine's current ones. ``language`` (or ``$LINEA_HMI_LANG``)
    picks the language of the window's own words; English otherwise.
    """
    from PySide6.QtWidgets import QApplication

    from hmi.ui.app import (
        LANGUAGE_VARIABLE,
        application,
        build_window,
        choose_language,
        dispose,
    )
    from hmi.ui.i18n import current_language, set_language

    if QApplication.instance() is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # never a window on someone's desktop

    app = application()
    spoken = current_language()
    if language or os.environ.get(LANGUAGE_VARIABLE):
        choose_language(language)
    source = getattr(runtime_or_engine, "live", runtime_or_engine)
    writer = runtime_or_engine if hasattr(runtime_or_engine, "live") else None
    window = build_window(project, source, writer, profile=profile, watch=False)
    try:
        screens = window.host.screens
        target = screens.get(screen_name) if screen_name else screens.home
        if target is None:
            known = ", ".join(s.name for s in screens) or "none"
            raise LookupError(f"no screen named '{screen_name}' (screens: {known})")
        window.resize(*size)
        window.start(target.name)
        window.show()
        app.processEvents()
        window.bridge.flush()
        app.processEvents()
        window.host.view.fit()
        image = window.grab()
        out = Path(out_path)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(out), "PNG"):
            raise OSError(f"could not write {out}")
    finally:
        set_language(spoken)
        window.bridge.stop()
        dispose(window)
        app.processEvents()
