"""The legend beside a trend: each pen's look, name and value at the cursor (or now), and
a "Fit" toggle per pen: its Y axis follows the data shown instead of its engineering range
(a small change on a wide range becomes visible; the axis then says less about limits)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hmi.ui.i18n import translate
from hmi.ui.theme import Theme

from .pens import Pen


class PenSwatch(QWidget):
    """A short piece of the pen's line with its number: which line is which, at a glance."""

    def __init__(self, pen: Pen, height: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.pen = pen
        self.setFixedSize(QSize(round(height * 1.6), height))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        h, w = self.height(), self.width()
        line = QPen(QColor(self.pen.color), max(3.0, h / 9), self.pen.dash)
        line.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(line)
        painter.drawLine(QPointF(2, h * 0.72), QPointF(w - 2, h * 0.72))
        font = QFont(painter.font())
        font.setPixelSize(round(h * 0.5))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(self.pen.color))
        painter.drawText(
            self.rect().adjusted(0, 0, 0, -round(h * 0.35)),
            Qt.AlignmentFlag.AlignCenter,
            str(self.pen.number),
        )
        painter.end()


class TrendLegend(QFrame):
    """Pens in order; ``set_value`` shows a pen's value at the cursor and any note."""

    fit_toggled = Signal(str, bool)  # a pen's axis: fitted to its data, or its range

    def __init__(
        self,
        theme: Theme,
        font_px: float,
        parent: QWidget | None = None,
        target_px: float = 36.0,
    ):
        super().__init__(parent)
        self.setObjectName("trendLegend")
        self.theme = theme
        self.font_px = font_px
        self.target_px = target_px
        self.setStyleSheet(
            f"QFrame#trendLegend {{ background: {theme.panel}; "
            f"border: 1px solid {theme.outline}; }}"
            f"QLabel {{ color: {theme.text}; background: transparent; }}"
            f"QLabel#penNote {{ color: {theme.text_dim}; }}"
            f"QPushButton#penFit {{ background: {theme.button}; color: {theme.text}; "
            f"border: 1px solid {theme.button_border}; padding: 0 8px; "
            f"font-size: {round(font_px * 0.8)}px; }}"
            f"QPushButton#penFit:checked {{ background: {theme.running}; "
            f"color: {theme.text_on_running}; }}"
        )
        self.setMinimumWidth(round(font_px * 12))
        self.setMaximumWidth(round(font_px * 15))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        outer.setSpacing(6)
        self.time_label = QLabel(self)
        self.time_label.setObjectName("cursorTime")
        self.time_label.setFont(self._font(1.0, bold=True))
        self.time_label.setWordWrap(True)
        outer.addWidget(self.time_label)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(2)
        outer.addLayout(self.grid)
        outer.addStretch(1)
        self.values: dict[str, QLabel] = {}
        self.notes: dict[str, QLabel] = {}
        self.fits: dict[str, QPushButton] = {}
        self._rows: list[QWidget] = []

    def _font(self, share: float, bold: bool = False) -> QFont:
        font = QFont(self.theme.font_family)
        font.setPixelSize(round(self.font_px * share))
        font.setBold(bold)
        return font

    def set_pens(self, pens: Sequence[Pen]) -> None:
        for widget in self._rows:
            widget.deleteLater()
        self._rows.clear()
        self.values.clear()
        self.notes.clear()
        self.fits.clear()
        swatch_h = round(self.font_px * 1.6)
        for index, pen in enumerate(pens):
            row = index * 3
            swatch = PenSwatch(pen, swatch_h, self)
            name = QLabel(pen.label, self)
            name.setFont(self._font(0.8))
            name.setWordWrap(True)
            value = QLabel("—", self)
            value.setObjectName("penValue")
            value.setFont(self._font(1.15, bold=True))
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            note = QLabel("", self)
            note.setObjectName("penNote")
            note.setFont(self._font(0.7))
            note.setWordWrap(True)
            note.hide()
            self.grid.addWidget(swatch, row, 0, 2, 1, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(name, row, 1, 1, 2)
            self.grid.addWidget(value, row + 1, 1)
            self.grid.addWidget(note, row + 2, 1, 1, 2)
            self.values[pen.tag] = value
            self.notes[pen.tag] = note
            self._rows += [swatch, name, value, note]
            if not pen.step:  # on/off has nothing to fit
                fit = QPushButton(self)
                fit.setObjectName("penFit")
                fit.setCheckable(True)
                fit.setChecked(pen.fit_data)
                fit.setMinimumSize(round(self.target_px), round(self.target_px))
                fit.toggled.connect(lambda on, tag=pen.tag: self.fit_toggled.emit(tag, on))
                self.grid.addWidget(fit, row + 1, 2)
                self.fits[pen.tag] = fit
                self._rows.append(fit)
        self.grid.setColumnStretch(1, 1)
        self.retranslate()

    def show_fit(self, tag: str, fit: bool) -> None:
        button = self.fits.get(tag)
        if button is not None and button.isChecked() != fit:
            button.blockSignals(True)
            button.setChecked(fit)
            button.blockSignals(False)

    def retranslate(self) -> None:
        for button in self.fits.values():
            button.setText("↕ " + translate("Trend", "Fit"))
            button.setToolTip(
                translate("Trend", "Scale this pen to the data shown (else to its range)")
            )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def set_time(self, text: str) -> None:
        self.time_label.setText(text)

    def set_value(self, tag: str, text: str, note: str = "") -> None:
        label = self.values.get(tag)
        if label is None:
            return
        if label.text() != text:
            label.setText(text)
        note_label = self.notes[tag]
        if note_label.text() != note:
            note_label.setText(note)
            note_label.setVisible(bool(note))

    def value_text(self, tag: str) -> str:
        label = self.values.get(tag)
        return label.text() if label is not None else ""

    def note_text(self, tag: str) -> str:
        label = self.notes.get(tag)
        return label.text() if label is not None else ""
