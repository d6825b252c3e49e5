"""Starting the operator application on a project whose runtime is already running."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QApplication, QWidget

from hmi.core.project.models import Project
from hmi.core.screens import screens_folder
from hmi.ui.bridge import TagBridge
from hmi.ui.i18n import (
    SOURCE_LANGUAGE,
    add_language_listener,
    current_language,
    set_language,
    system_language,
)
from hmi.ui.shell import MainWindow, make_profile

log = logging.getLogger(__name__)
LANGUAGE_VARIABLE = "LINEA_HMI_LANG"


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, created once; offscreen when there is no display."""
    app = QApplication.instance()
    if app is None:
        if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication(argv or [sys.argv[0]])
        app.setApplicationName("Linea HMI")
    return app  # type: ignore[return-value]


def build_window(
    project: Project,
    source: Any,
    writer: Any = None,
    *,
    profile: str = "desk",
    folder: str | Path | None = None,
    watch: bool = True,
    rate_hz: float = 10.0,
    dpi: float | None = None,
) -> MainWindow:
    """The main window on ``source``'s tags (the runtime's ``live``, or a bare engine in
    tools); ``writer`` takes the writes and, when it is the runtime, brings its data
    folder and the capabilities' services; ``dpi`` is the monitor's when it says nonsense
    (a touch panel's targets are sized in mm from it)."""
    app = application()
    bridge = TagBridge(source, rate_hz=rate_hz)
    window = MainWindow(
        project,
        bridge,
        folder if folder is not None else screens_folder(project),
        profile=make_profile(profile, app.primaryScreen(), dpi=dpi),
        writer=writer,
        watch=watch,
        data_dir=getattr(writer, "data_dir", None),
        services=getattr(writer, "services", None),
    )
    bridge.setParent(window)
    bridge.start()
    return window


def run_app(
    project: Project,
    runtime: Any,
    profile: str = "desk",
    screen: str | None = None,
    language: str | None = None,
) -> int:
    """Show the operator window until it is closed; returns the exit code.

    ``runtime`` is a started ``hmi.core.runtime.Runtime`` (its engine feeds the screens and
    its ``write`` takes the operator's writes); the caller stops it afterwards. ``language``
    (``en``, ``it``): default ``$LINEA_HMI_LANG``, else the system's if translated, else
    English; the header's language button changes it while the application runs.
    """
    app = application()
    choose_language(language)
    stop_telling = add_language_listener(runtime.translator.set_language)
    window = build_window(project, runtime.live, runtime, profile=profile)
    window.start(screen)
    show_window(window, app.primaryScreen())
    code = app.exec()
    stop_telling()
    window.bridge.stop()
    dispose(window)
    return int(code)


def show_window(window: MainWindow, screen: QScreen | None) -> None:
    """Touch: the kiosk covers the whole screen. Without a window manager a full-screen
    request alone may leave the window at its own size, so it is also given the screen's
    geometry. Desk: a large normal window."""
    if window.profile.touch:
        if screen is not None:  # first: once full screen, a new geometry would end it
            window.setGeometry(screen.geometry())
        window.showFullScreen()
    else:
        window.resize(1600, 900)
        window.show()


def choose_language(language: str | None = None) -> str:
    """Start in ``language``, ``$LINEA_HMI_LANG`` or the system's language; say which."""
    wanted = language or os.environ.get(LANGUAGE_VARIABLE) or system_language()
    if not set_language(wanted):
        log.warning("language '%s' is not available; speaking English", wanted)
        set_language(SOURCE_LANGUAGE)
    return current_language()


def dispose(widget: QWidget) -> None:
    """Delete a window now, on the GUI thread. Left to Python's garbage collector it could
    be deleted on whichever thread collects it, which Qt objects do not survive."""
    widget.close()
    shiboken6.delete(widget)
