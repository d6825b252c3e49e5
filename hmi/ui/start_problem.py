"""Why the HMI could not start, on the screen where the operator looks.

A kiosk has no terminal: a store refused at start (a newer release wrote it, an upgrade
was undone, no room for its copy) would otherwise be a blank screen that the service
restarts again and again. The window names the problem in the words the log keeps, in
type readable from a step back, with one large button; closing it ends the program.
"""

from __future__ import annotations

import signal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from hmi.ui.i18n import translate
from hmi.ui.theme import Theme

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StartProblem(QDialog):
    """The problem's own words under a heading, and a Close button."""

    def __init__(self, text: str, *, touch: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        theme = Theme()
        self.setObjectName("startProblem")
        self.setWindowTitle(translate("StartProblem", "Linea HMI cannot start"))
        scale = 1.25 if touch else 1.0
        self.setStyleSheet(
            f"#startProblem {{ background: {theme.background}; }}"
            f"QLabel {{ color: {theme.text}; font-size: {round(20 * scale)}px; }}"
            f"QLabel#heading {{ font-size: {round(30 * scale)}px; font-weight: bold; }}"
            f"QPushButton {{ font-size: {round(22 * scale)}px; min-height: {round(64 * scale)}px;"
            f" min-width: {round(220 * scale)}px; background: {theme.panel};"
            f" border: 2px solid {theme.outline}; border-radius: 6px; color: {theme.text}; }}"
        )
        heading = QLabel(translate("StartProblem", "Linea HMI cannot start"))
        heading.setObjectName("heading")
        self.message = QLabel(text)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hint = QLabel(
            translate(
                "StartProblem",
                "Tell the line's engineer what this says; the log file keeps it too.",
            )
        )
        hint.setWordWrap(True)
        self.close_button = QPushButton(translate("StartProblem", "Close"))
        self.close_button.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.setSpacing(24)
        layout.addWidget(heading)
        layout.addWidget(self.message)
        layout.addWidget(hint)
        layout.addStretch(1)
        layout.addWidget(self.close_button, alignment=Qt.AlignmentFlag.AlignRight)


def show_start_problem(
    text: str, *, touch: bool = False, close_after_ms: int | None = None
) -> None:
    """Show ``text`` until it is closed (``close_after_ms``: by itself, for pictures and
    tests); full screen on a touch panel, a large window on a desk."""
    from hmi.ui.app import application, choose_language

    app = application()
    choose_language()
    dialog = StartProblem(text, touch=touch)
    if touch and app.primaryScreen() is not None:
        dialog.setGeometry(app.primaryScreen().geometry())
        dialog.setWindowState(Qt.WindowState.WindowFullScreen)
    else:
        dialog.resize(1100, 560)
    if close_after_ms is not None:
        QTimer.singleShot(close_after_ms, dialog.accept)
    # a stopping service or Ctrl+C closes it too: Python runs its signal handlers only
    # between Qt's events, so a timer gives it the chance
    previous = {how: signal.signal(how, lambda *_: dialog.reject()) for how in STOP_SIGNALS}
    wake = QTimer(dialog)
    wake.timeout.connect(lambda: None)
    wake.start(200)
    try:
        dialog.exec()
    finally:
        for how, handler in previous.items():
            signal.signal(how, handler)
