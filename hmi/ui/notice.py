"""How an action went, told without moving anything on the screen.

``ResultToast`` floats over the bottom edge of the widget it covers (a screen): it is no
part of any layout, so showing, changing or hiding it never shifts a symbol or a button.
A problem stays until the operator dismisses it; anything else fades after a while.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QPropertyAnimation, Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsOpacityEffect,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from hmi.ui.i18n import translate
from hmi.ui.theme import Theme

HOLD_MS = 8000  # how long a good result stays before it fades
FADE_MS = 700
MARGIN = 8  # px between the toast and the edges of what it covers


def set_flag(widget: QWidget, name: str, value: Any) -> None:
    """Restyle ``widget`` after a property the stylesheet reads has changed."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def toast_style(theme: Theme) -> str:
    """The toast's own frame, in the theme's colours: an outline that separates it from the
    screen under it; inverted for a problem, like the message it carries."""
    return (
        f"QFrame#resultToast {{ background: {theme.panel}; border: 3px solid {theme.outline}; }}\n"
        f'QFrame#resultToast[problem="true"] {{ background: {theme.running}; }}\n'
        "QFrame#resultToast QLabel { border: none; padding: 0 4px; }\n"
    )


class ResultToast(QFrame):
    """A message over the bottom edge of ``over``; ``label`` holds its text."""

    def __init__(self, over: QWidget, theme: Theme, target_px: float, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("resultToast")
        self.setStyleSheet(toast_style(theme))
        self.over = over
        self.hold_ms = HOLD_MS
        self.label = QLabel("", self)
        self.label.setObjectName("messageBar")
        self.label.setWordWrap(True)
        self.dismiss_button = QPushButton("✕", self)
        self.dismiss_button.setObjectName("dismissButton")
        self.dismiss_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        size = round(target_px)
        self.dismiss_button.setMinimumSize(size, size)
        self.dismiss_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(3, 3, 3, 3)
        layout.setSpacing(MARGIN)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.effect = QGraphicsOpacityEffect(self)
        self.effect.setOpacity(1.0)
        self.setGraphicsEffect(self.effect)
        self.fade = QPropertyAnimation(self.effect, b"opacity", self)
        self.fade.setDuration(FADE_MS)
        self.fade.setStartValue(1.0)
        self.fade.setEndValue(0.0)
        self.fade.finished.connect(self.dismiss)
        self.hold = QTimer(self)
        self.hold.setSingleShot(True)
        self.hold.timeout.connect(self.fade.start)
        over.installEventFilter(self)  # follow it when it is resized or moved
        self.retranslate()
        self.dismiss()

    def retranslate(self) -> None:
        self.dismiss_button.setAccessibleName(translate("Panel", "Dismiss"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    @property
    def problem(self) -> bool:
        return bool(self.property("problem"))

    def say(self, text: str, problem: bool = False) -> None:
        """Show ``text``: a problem until dismissed, anything else until it fades."""
        self.hold.stop()
        self.fade.stop()
        self.effect.setOpacity(1.0)
        self.label.setText(text)
        set_flag(self, "problem", problem)
        set_flag(self.label, "problem", problem)
        self.label.show()
        self.place()
        self.show()
        self.raise_()
        if not problem:
            self.hold.start(self.hold_ms)

    def dismiss(self) -> None:
        self.hold.stop()
        self.fade.stop()
        self.hide()
        self.label.hide()  # nothing to read here now

    def place(self) -> None:
        """Centred over the bottom edge of ``over``: as wide as the text needs (at least a
        third of it, at most all of it), as high as the text then needs (at most a third)."""
        area = self.over.geometry()
        layout = self.layout()
        margins = layout.contentsMargins()
        chrome = (
            margins.left()
            + margins.right()
            + layout.spacing()
            + self.dismiss_button.sizeHint().expandedTo(self.dismiss_button.minimumSize()).width()
            + 2 * self.frameWidth()
            + 16  # the label's own padding
        )
        text = self.label.fontMetrics().horizontalAdvance(self.label.text()) + chrome
        widest = max(1, area.width() - 2 * MARGIN)
        width = min(widest, max(text, area.width() // 3))
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
        height = max(height, layout.totalMinimumSize().height())
        height = min(height, max(1, area.height() // 3))
        left = area.left() + (area.width() - width) // 2
        self.setGeometry(left, area.bottom() + 1 - MARGIN - height, width, height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        moved = event.type() in (QEvent.Type.Resize, QEvent.Type.Move)
        if watched is self.over and moved and self.isVisible():
            self.place()
        return False
