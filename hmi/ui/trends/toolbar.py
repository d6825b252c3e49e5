"""The trend's controls: live or paused, move and zoom in time, span, pens, views, export.

Every control is a finger-sized button on touch (at least the profile's target, 9 mm),
spaced apart; nothing hides behind a right click or a hover.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QSizePolicy, QWidget

from hmi.core.trendviews import TrendViewDef
from hmi.ui.i18n import translate
from hmi.ui.profile import Profile
from hmi.ui.theme import Theme

SPANS: tuple[float, ...] = (
    60.0,
    600.0,
    3600.0,
    8 * 3600.0,
    86400.0,
    7 * 86400.0,
    30 * 86400.0,
    365 * 86400.0,
)


def span_text(seconds: float) -> str:
    """A time span in words: "10 min", "8 h", "7 days"."""
    if abs(seconds - 365 * 86400) < 0.5:
        return translate("Trend", "1 year")
    if seconds >= 2 * 86400:
        return translate("Trend", "{n} days").format(n=f"{seconds / 86400:.3g}")
    if seconds >= 3600:
        return translate("Trend", "{n} h").format(n=f"{seconds / 3600:.3g}")
    if seconds >= 60:
        return translate("Trend", "{n} min").format(n=f"{seconds / 60:.3g}")
    return translate("Trend", "{n} s").format(n=f"{seconds:.3g}")


class TrendToolbar(QWidget):
    live_clicked = Signal()
    back_clicked = Signal()
    forward_clicked = Signal()
    zoom_in_clicked = Signal()
    zoom_out_clicked = Signal()
    span_chosen = Signal(float)
    pens_clicked = Signal()
    view_chosen = Signal(int)  # index into the views given to ``set_views``
    save_clicked = Signal()
    export_clicked = Signal()

    def __init__(self, profile: Profile, theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trendToolbar")
        target = round(profile.target_px)
        gap = max(8, round(profile.gap_px))
        self.setStyleSheet(
            f"QPushButton, QComboBox {{ min-height: {target}px; min-width: {target}px; "
            f"font-size: {round(profile.font_px)}px; padding: 0 {gap}px; "
            f"background: {theme.button}; color: {theme.text}; "
            f"border: 1px solid {theme.button_border}; }}"
            f"QPushButton:checked {{ background: {theme.running}; "
            f"color: {theme.text_on_running}; }}"
            f"QComboBox QAbstractItemView::item {{ min-height: {target}px; }}"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(gap // 2, gap // 2, gap // 2, gap // 2)
        row.setSpacing(gap)
        self.live = self._button(self.live_clicked, "trendLive", row)
        self.live.setCheckable(True)
        self.back = self._button(self.back_clicked, "trendBack", row, "◀")
        self.forward = self._button(self.forward_clicked, "trendForward", row, "▶")
        self.zoom_out = self._button(self.zoom_out_clicked, "trendZoomOut", row, "−")
        self.zoom_in = self._button(self.zoom_in_clicked, "trendZoomIn", row, "+")
        self.span = QComboBox(self)
        self.span.setObjectName("trendSpan")
        for seconds in SPANS:
            self.span.addItem(span_text(seconds), seconds)
        self.span.activated.connect(lambda i: self.span_chosen.emit(self.span.itemData(i)))
        row.addWidget(self.span)
        row.addStretch(1)
        self.pens = self._button(self.pens_clicked, "trendPens", row)
        self.views = QComboBox(self)
        self.views.setObjectName("trendViews")
        # as wide as a short name: long view names must not push the buttons out of sight
        self.views.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.views.setMinimumContentsLength(10)
        self.views.activated.connect(self._view_activated)
        row.addWidget(self.views)
        self.save = self._button(self.save_clicked, "trendSave", row)
        self.export = self._button(self.export_clicked, "trendExport", row)
        self._views: list[TrendViewDef] = []
        # a project's view name in the operator's language (an operator's own stays)
        self.view_words: Callable[[str], str] = str
        self._live = True
        self.retranslate()

    def retranslate(self) -> None:
        self.set_live(self._live)
        self.back.setToolTip(translate("Trend", "Back in time by half the span"))
        self.forward.setToolTip(translate("Trend", "Forward in time by half the span"))
        self.zoom_out.setToolTip(translate("Trend", "Show twice the time"))
        self.zoom_in.setToolTip(translate("Trend", "Show half the time"))
        self.pens.setText(translate("Trend", "Pens"))
        self.save.setText(translate("Trend", "Save view"))
        self.export.setText(translate("Trend", "CSV"))
        for index in range(self.span.count()):
            self.span.setItemText(index, span_text(self.span.itemData(index)))
        self.set_views(self._views)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def _button(self, signal: Signal, name: str, row: QHBoxLayout, text: str = "") -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        button.clicked.connect(lambda: signal.emit())  # type: ignore[attr-defined]
        row.addWidget(button)
        return button

    def set_live(self, live: bool) -> None:
        self._live = live
        self.live.setChecked(live)
        self.live.setText(
            translate("Trend", "Live") if live else translate("Trend", "Back to live")
        )

    def set_span(self, seconds: float) -> None:
        text = span_text(seconds)
        index = self.span.findText(text)
        if index < 0:  # one extra entry shows a span zoomed to by hand
            if self.span.count() == len(SPANS):
                self.span.addItem(text, float(seconds))
            index = len(SPANS)
            self.span.setItemText(index, text)
            self.span.setItemData(index, float(seconds))
        if index != self.span.currentIndex():
            self.span.setCurrentIndex(index)

    def set_views(self, views: Sequence[TrendViewDef]) -> None:
        self._views = list(views)
        self.views.blockSignals(True)
        self.views.clear()
        self.views.addItem(translate("Trend", "Views…"))
        for view in views:
            if view.owner:
                text = translate("Trend", "★ {name} (only for me)").format(name=view.name)
            else:
                text = f"★ {view.name}" if view.user else self.view_words(view.name)
            self.views.addItem(text)
        self.views.setCurrentIndex(0)
        self.views.blockSignals(False)

    def _view_activated(self, index: int) -> None:
        if index > 0:
            self.view_chosen.emit(index - 1)
        self.views.setCurrentIndex(0)
