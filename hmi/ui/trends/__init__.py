"""Trends: live and historical, several pens with their own units and axes.

``open_trend`` opens a trend window over the operator's window (from a value on a screen,
the navigation or a saved view), in the window's ``content_area`` under the header and the
alarm banner, which it never covers (on touch it follows that area when the banner grows);
``TrendOpener`` does it with the application's history,
bridge and look; ``install_trend_hold`` lets a touch and hold (or a Shift+click on the
desk) on any value of a screen open its trend; ``TrendView`` is the widget itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hmi.core.access import Access
from hmi.core.historian import HistoryQuery
from hmi.core.project.models import Project
from hmi.core.trendviews import DEFAULT_SPAN, PenDef, TrendViewDef
from hmi.ui.bridge import TagBridge
from hmi.ui.i18n import project_text, translate
from hmi.ui.profile import Profile
from hmi.ui.theme import DEFAULT_THEME, Theme

from .capability import HistoryCapabilityViews
from .hold import TrendHold, install_trend_hold
from .opener import TrendOpener, is_hold, symbol_pens
from .view import TrendView

__all__ = [
    "HistoryCapabilityViews",
    "TrendHold",
    "TrendOpener",
    "TrendView",
    "TrendWindow",
    "install_trend_hold",
    "is_hold",
    "open_trend",
    "symbol_pens",
]


class TrendWindow(QDialog):
    """A trend over the operator's window: its own window on the desk, full-screen and
    frameless on touch, with a big Close button. Closing it stops its queries and
    bindings."""

    def __init__(self, view: TrendView, title: str, touch: bool, parent: QWidget | None):
        """``title`` as the project writes it (a screen's title, a view's name): shown in
        the operator's language."""
        super().__init__(parent)
        self.setObjectName("trendWindow")
        self.title = title
        self.view = view
        self.host: QWidget | None = None
        theme = view.theme
        self.own_style = f"QDialog#trendWindow {{ background: {theme.background}; }}"
        self.setStyleSheet(self.own_style)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        self.heading = heading = QLabel(self)
        heading.setObjectName("trendTitle")
        heading.setStyleSheet(
            f"color: {theme.text}; font-weight: bold; font-size: {round(view.profile.font_px)}px;"
        )
        top.addWidget(heading, 1)
        self.close_button = close = QPushButton(self)
        close.setObjectName("trendClose")
        target = round(view.profile.target_px)
        close.setStyleSheet(
            f"min-height: {target}px; min-width: {target * 2}px; "
            f"font-size: {round(view.profile.font_px)}px; background: {theme.button}; "
            f"border: 1px solid {theme.button_border}; color: {theme.text};"
        )
        close.clicked.connect(self.close)
        top.addWidget(close)
        layout.addLayout(top)
        layout.addWidget(view, 1)
        self.retranslate()
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        if touch:
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            self.setWindowModality(Qt.WindowModality.WindowModal)

    def retranslate(self) -> None:
        title = project_text(self.view.project, self.title, "Trends")
        self.heading.setText(title)
        self.setWindowTitle(title)
        self.close_button.setText(translate("Trend", "Close"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.view.close_view()
        super().closeEvent(event)

    def place(self, host: QWidget | None, touch: bool) -> None:
        """Over ``host``'s screen area, under its header and alarm banner: filling it on
        touch (and following it), three quarters of the window on the desk."""
        if host is None:
            self.resize(1280, 800)
            return
        self.host = host
        area = content_area(host)
        if touch:
            self.setGeometry(area)
            changed = getattr(host, "content_changed", None)
            if changed is not None:
                changed.connect(self.follow)
            return
        width = min(area.width(), max(900, host.width() * 3 // 4))
        height = min(area.height(), max(600, host.height() * 3 // 4))
        self.resize(width, height)
        self.move(area.left() + (area.width() - width) // 2, area.top())

    def follow(self) -> None:
        """The screen area moved (the alarm banner grew or shrank): stay in it."""
        if self.host is not None:
            self.setGeometry(content_area(self.host))


def content_area(host: QWidget) -> QRect:
    """Where windows over ``host`` may go (global coordinates): its ``content_area`` if it
    is an operator window, else all of it."""
    area = getattr(host, "content_area", None)
    return area() if callable(area) else host.geometry()


def open_trend(
    parent: QWidget | None,
    project: Project,
    *,
    bridge: TagBridge | None,
    query: HistoryQuery | None,
    profile: Profile,
    theme: Theme = DEFAULT_THEME,
    data_dir: str | Path | None = None,
    tags: Sequence[str | PenDef] = (),
    view: TrendViewDef | None = None,
    span: float = DEFAULT_SPAN,
    title: str = "",
    prepare_dialog: Callable[[QDialog], None] | None = None,
    access: Access | None = None,
    user: Callable[[], str] = str,
) -> TrendWindow:
    """Open a trend of ``tags`` (or of a saved ``view``) and return its window.

    ``query`` is the runtime's ``historian.query`` (None: live only); ``data_dir`` the
    project's data folder (user views and CSV exports go there); ``prepare_dialog`` is
    called on every dialog the trend opens (the shell's look and on-screen keyboard);
    ``access`` and ``user`` decide who may save a view for everyone.
    """
    trend = TrendView(
        project,
        bridge=bridge,
        query=query,
        profile=profile,
        theme=theme,
        data_dir=data_dir,
        span=view.span if view is not None else span,
        prepare_dialog=prepare_dialog,
        access=access,
        user=user,
    )
    if view is not None:
        trend.apply_view(view)
    else:
        trend.set_pens(list(tags))
    if not title:
        title = view.name if view is not None else ", ".join(p.label for p in trend.pens[:3])
    window = TrendWindow(trend, title or translate("Trend", "Trend"), profile.touch, parent)
    if prepare_dialog is not None:
        prepare_dialog(window)  # the shell's look (and keyboard), with the trend's own on top
        window.setStyleSheet(window.styleSheet() + window.own_style)
    window.place(parent.window() if parent is not None else None, profile.touch)
    window.show()
    return window
