"""A screen rendered to PNG without a display: for documentation, checks and review.

``render_screen_png`` draws one screen; ``hmi.ui.gallery`` draws every screen and view
with the same pieces: ``offscreen_app``, ``settle`` and ``compose``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hmi.core.project.models import Project


def offscreen_app() -> Any:
    """The QApplication; created offscreen when there is none yet (never a window on
    someone's desktop)."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from hmi.ui.app import application

    return application()


def settle(app: Any, window: Any, seconds: float = 0.0) -> None:
    """Let live values, trends and layouts come in for ``seconds``, then take what the
    bridge holds and lay the screen out once more."""
    deadline = time.monotonic() + seconds
    while True:
        app.processEvents()
        if time.monotonic() >= deadline:
            break
        time.sleep(0.02)
    window.bridge.flush()
    app.processEvents()
    window.host.view.fit()


def compose(window: Any, over: Sequence[Any] = ()) -> Any:
    """The window as the operator sees it (a QImage), with the windows ``over`` it (its
    dialogs, a trend) drawn in their places."""
    from PySide6.QtGui import QPainter

    image = window.grab().toImage()
    origin = window.geometry().topLeft()
    painter = QPainter(image)
    for widget in over:
        if alive(widget) and widget is not window and widget.isVisible():
            painter.drawPixmap(widget.geometry().topLeft() - origin, widget.grab())
    painter.end()
    return image


def alive(widget: Any) -> bool:
    """``widget`` is there to draw (not None, not deleted on closing)."""
    import shiboken6

    return widget is not None and shiboken6.isValid(widget)


def save_png(image: Any, out_path: str | Path) -> Path:
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out), "PNG"):
        raise OSError(f"could not write {out}")
    return out


def render_screen_png(
    project: Project,
    runtime_or_engine: Any,
    screen_name: str | None,
    out_path: str | Path,
    size: tuple[int, int] = (1920, 1080),
    profile: str = "desk",
    language: str | None = None,
    dpi: float | None = None,
) -> None:
    """Draw the whole window (header, navigation, screen) at ``size`` into ``out_path``.

    Raises ``LookupError`` if the screen does not exist and ``OSError`` if the PNG cannot be
    written. Values are the engine's current ones. ``language`` (or ``$LINEA_HMI_LANG``)
    picks the language of the window's own words; English otherwise. ``dpi``: the touch
    panel's, where the monitor says nonsense.
    """
    app = offscreen_app()
    from hmi.ui.app import LANGUAGE_VARIABLE, build_window, choose_language, dispose
    from hmi.ui.i18n import current_language, set_language

    spoken = current_language()
    if language or os.environ.get(LANGUAGE_VARIABLE):
        choose_language(language)
    source = getattr(runtime_or_engine, "live", runtime_or_engine)
    writer = runtime_or_engine if hasattr(runtime_or_engine, "live") else None
    window = build_window(project, source, writer, profile=profile, watch=False, dpi=dpi)
    try:
        screens = window.host.screens
        target = screens.get(screen_name) if screen_name else screens.home
        if target is None:
            known = ", ".join(s.name for s in screens) or "none"
            raise LookupError(f"no screen named '{screen_name}' (screens: {known})")
        window.resize(*size)
        window.start(target.name)
        window.show()
        settle(app, window)
        save_png(compose(window), out_path)
    finally:
        set_language(spoken)
        window.bridge.stop()
        dispose(window)
        app.processEvents()
