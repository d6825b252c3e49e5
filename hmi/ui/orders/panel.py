"""The order panel: what a line makes now and how far it is, on the line's screen and on
the plant overview, with the operator's actions one touch away.

A line's panel shows the order number, the product in the line type's words (die and
alloy, product and bottle), a progress bar of good pieces against the target, what
remains, the rate, when it will be done and the order's live OEE. With no order running it
says so plainly and offers Start next: a touch, then the confirmation naming the order and
the product, and the line runs it. The band carries the panels of the lines the screen
shows (one on a line screen, every line on the overview) under the screen: the header,
the alarm banner and the navigation above it keep their place and their share.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hmi.core.orders.model import Order, OrderState
from hmi.ui.dialogs import ConfirmDialog
from hmi.ui.entry import FixedLines
from hmi.ui.i18n import translate
from hmi.ui.theme import Theme

from .common import (
    REFRESH_MS,
    SCRAP,
    START,
    VALUE_SCALE,
    Guard,
    attempt,
    clock_text,
    current_order,
    identifier,
    line_title,
    next_order,
    percent,
    pieces,
    product_text,
    rate_text,
    uninspected_text,
)
from .common import now as current


class ProgressBar(QWidget):
    """Good pieces against the target: a grey fill with the count written on it (over
    the target the bar stays full and the count says by how much)."""

    def __init__(self, theme: Theme, font_px: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("orderProgress")
        self.theme = theme
        self.font_px = font_px
        self.share = 0.0
        self.text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(round(font_px * 4))

    def sizeHint(self) -> QSize:
        return QSize(round(self.font_px * 14), round(self.font_px * 2.2))

    def show_progress(self, share: float, text: str) -> None:
        if (share, text) != (self.share, self.text):
            self.share, self.text = share, text
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        painter.fillRect(rect, self.theme.color("scale"))
        filled = QRectF(rect)
        filled.setWidth(rect.width() * min(max(self.share, 0.0), 1.0))
        painter.fillRect(filled, self.theme.color("level"))
        painter.setPen(self.theme.pen("outline", 2))
        painter.drawRect(rect)
        font, _, _, _ = self.theme.text_layout(self.text, self.font_px, True, rect.width() - 8)
        painter.setFont(font)
        painter.setPen(self.theme.color("text"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.text)
        painter.end()


class OneLine(FixedLines):
    """One line that gives way with "…"; its height follows the font the style gives it
    (the figures' size is set by the views' style sheet, after it was made)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(1, parent)

    def sizeHint(self) -> QSize:
        # a whole line of the bold figures' font: its line spacing rounds down
        return QSize(0, self.fontMetrics().height() + 2)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.updateGeometry()
            self.setText(self.full_text)


class Figure(QWidget):
    """A small word over a large number (readable at 1.5 m)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.label = QLabel("", self)
        self.label.setProperty("orderNote", True)
        self.value = QLabel("", self)
        self.value.setProperty("orderFigure", True)
        layout.addWidget(self.label)
        layout.addWidget(self.value)

    def put(self, label: str, value: str) -> None:
        self.label.setText(label)
        self.value.setText(value)
        super().show()


class OrderPanel(QFrame):
    """One line's order: figures, progress and the actions (``compact`` on the overview,
    under the line's part of the screen: on two rows, without the rate)."""

    def __init__(self, views: Any, line: str, *, compact: bool = False, parent=None):
        super().__init__(parent)
        self.setObjectName("orderPanel")
        self.views = views
        self.service = views.service
        self.line = line
        self.compact = compact
        self.order: Order | None = None
        self.next: Order | None = None
        profile = views.operator.profile
        gap = round(profile.gap_px)
        self.guard = Guard(views.operator.access, lambda: views.operator.user, self.say, self)
        grid = QGridLayout(self)
        # as low as the figures allow: every pixel of it is taken from the screen
        grid.setContentsMargins(gap, 1, gap, 1)
        grid.setHorizontalSpacing(gap * 2)
        grid.setVerticalSpacing(0)
        # long words give way ("…"), never the window's width
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.number = OneLine(self)
        self.number.setObjectName("orderNumber")
        self.number.setProperty("orderFigure", True)
        self.product = OneLine(self)
        self.product.setObjectName("orderProduct")
        self.product.setProperty("orderNote", True)
        self.held = QLabel("", self)
        self.held.setObjectName("orderHeld")
        self.held.hide()
        # pieces the camera could not decide on: someone must look at them
        self.uninspected = QLabel("", self)
        self.uninspected.setObjectName("orderUninspected")
        self.uninspected.setProperty("uninspected", True)
        self.uninspected.hide()
        # the line screen: one row (the order over its product, the bar, the figures, the
        # buttons); the overview, lines side by side under their part of the screen: the
        # order, its product and the buttons above, the bar and the figures below
        who = QHBoxLayout() if compact else QVBoxLayout()
        who.setSpacing(gap * 2 if compact else 0)
        heading = QHBoxLayout()
        heading.addWidget(self.number, 1)
        heading.addWidget(self.held)
        who.addLayout(heading, 2)
        # beside the product, not the number: the progress bar keeps its room
        below = QHBoxLayout()
        below.setSpacing(gap)
        below.addWidget(self.product, 1)
        below.addWidget(self.uninspected)
        who.addLayout(below, 3)
        # an order number of ten characters, at the figures' size
        self.number.setMinimumWidth(round(profile.font_px * VALUE_SCALE * 6.5))
        self.bar = ProgressBar(views.operator.theme, profile.font_px, self)
        self.figures = {key: Figure(self) for key in ("remaining", "rate", "eta", "oee")}
        shown = [f for key, f in self.figures.items() if not (compact and key == "rate")]
        self.figures["rate"].setVisible(not compact)
        columns: list[Any] = [self.bar, *shown]
        # no order (overview): said in large letters where the bar and figures go
        self.idle = OneLine(self)
        self.idle.setObjectName("orderIdle")
        self.idle.setProperty("orderFigure", True)
        self.idle.hide()
        if compact:
            grid.addLayout(who, 0, 0, 1, len(columns) - 1)
            grid.addWidget(self.idle, 1, 0, 1, len(columns))
        else:
            columns.insert(0, who)
            grid.setColumnStretch(0, 2)
        row = 1 if compact else 0
        for column, part in enumerate(columns):
            if isinstance(part, QWidget):
                grid.addWidget(part, row, column, Qt.AlignmentFlag.AlignVCenter)
            else:
                grid.addLayout(part, row, column)
        grid.setColumnStretch(columns.index(self.bar), 2)
        self.start_button = QPushButton("", self)
        self.start_button.setObjectName("orderStartNext")
        self.start_button.clicked.connect(lambda _=False: self.ask_start())
        self.guard.add(self.start_button, START, self._start_blocked)
        self.scrap_button = QPushButton("", self)
        self.scrap_button.setObjectName("orderScrap")
        self.scrap_button.clicked.connect(lambda _=False: self.views.record_scrap(self, self.order))
        self.guard.add(self.scrap_button, SCRAP)
        self.more_button = QPushButton("", self)
        self.more_button.setObjectName("orderMore")
        self.more_button.clicked.connect(lambda _=False: self.views.open_order(self, self.order))
        buttons = QHBoxLayout()
        buttons.setSpacing(gap * 2)
        buttons.addStretch(1)
        for button in (self.start_button, self.scrap_button, self.more_button):
            buttons.addWidget(button)
        if compact:  # above the last figure, beside the order: the bar keeps its room
            grid.addLayout(buttons, 0, len(columns) - 1)
        else:
            grid.addLayout(buttons, row, len(columns))
        self.refresh()

    # -- what it shows ---------------------------------------------------------------------

    def _start_blocked(self) -> str | None:
        if self.next is None:
            return translate("Orders", "No order is waiting in this line's queue")
        return None

    def refresh(self) -> None:
        service, project = self.service, self.views.operator.project
        self.order = order = current_order(service, self.line)
        self.next = following = next_order(service, self.line)
        idle = order is None
        self.held.setVisible(order is not None and order.state is OrderState.HELD)
        self.held.setText(translate("Orders", "HELD"))
        unseen = uninspected_text(order) if order is not None else ""
        self.uninspected.setText(unseen)
        self.uninspected.setVisible(bool(unseen))
        # the product keeps a few words beside it (the bar gives up that much room)
        keep = 0 if self.compact or not unseen else self.views.operator.profile.font_px * 7
        self.product.setMinimumWidth(round(keep))
        self.start_button.setVisible(idle)
        self.scrap_button.setVisible(not idle and not self.compact)
        self.more_button.setVisible(not idle)
        self.start_button.setText(translate("Orders", "Start next"))
        self.scrap_button.setText(translate("Orders", "Scrap"))
        self.more_button.setText(translate("Orders", "Order ▸"))
        self.guard.refresh()
        self.idle.setVisible(idle and self.compact)
        self.number.setVisible(not (idle and self.compact))
        if order is None:
            self.number.setText(translate("Orders", "No order running"))
            self.idle.setText(self.number.full_text)
            if following is not None:
                self.product.setText(
                    translate("Orders", "Next: {number} · {product}").format(
                        number=identifier(following.number),
                        product=product_text(project, following),
                    )
                )
            else:
                self.product.setText(translate("Orders", "The queue is empty"))
            self.bar.hide()
            for figure in self.figures.values():
                figure.hide()
            return
        self.number.setText(identifier(order.number))
        self.product.setText(product_text(project, order))
        self.bar.show()
        self.bar.show_progress(
            order.progress,
            translate("Orders", "{good} / {target} pcs").format(
                good=pieces(order.good), target=pieces(order.target)
            ),
        )
        oee = service.live_oee(self.line).get("order")
        figures = {
            "remaining": (translate("Orders", "Remaining"), pieces(order.remaining)),
            "rate": (translate("Orders", "Rate"), rate_text(service.rate(self.line))),
            "eta": (translate("Orders", "Done at"), clock_text(service.eta(self.line))),
            "oee": (translate("Orders", "OEE"), percent(oee.oee if oee else None)),
        }
        for key, (label, value) in figures.items():
            if not (self.compact and key == "rate"):
                self.figures[key].put(label, value)

    def say(self, text: str, problem: bool = False) -> None:
        self.views.say(self, text, problem)

    # -- start next ------------------------------------------------------------------------

    def ask_start(self) -> ConfirmDialog | None:
        """Start next: the confirmation names the order and what it makes."""
        following = self.next
        if following is None:
            return None
        project = self.views.operator.project
        question = translate("Orders", "Start order {number} on {line}?").format(
            number=identifier(following.number),
            line=line_title(project, self.service, self.line),
        )
        detail = translate("Orders", "{product} · target {target} pcs").format(
            product=product_text(project, following), target=pieces(following.target)
        )
        dialog = ConfirmDialog(question, detail, translate("Orders", "Start"), parent=self.window())
        dialog.setObjectName("orderStartDialog")
        dialog.accepted.connect(lambda: self.start(following.number))
        return self.views.show_dialog(dialog, self)

    def start(self, number: str) -> Order | None:
        started = attempt(lambda: self.service.start(number, self.views.user()), self.say)
        if started is not None:
            self.say(translate("Orders", "Order {number} started").format(number=number))
        self.refresh()
        return started


class OrdersBand(QWidget):
    """The order panels of the lines a screen panel shows, under its screen; hidden on
    screens of no line (details, diagnostics)."""

    def __init__(self, views: Any, panel: Any):
        super().__init__(panel)
        self.setObjectName("ordersBand")
        self.views = views
        self.screen_panel = panel
        self.panels: dict[str, OrderPanel] = {}
        self.row = QHBoxLayout(self)
        gap = round(views.operator.profile.gap_px)
        self.row.setContentsMargins(gap, 2, gap, 2)
        self.row.setSpacing(gap)
        self.setStyleSheet(views.stylesheet)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        panel.layout().addWidget(self)  # under the screen: the chrome above it stays calm
        panel.host.screen_changed.connect(self.show_screen)
        current = panel.host.current_screen
        self.show_screen(current) if current is not None else self.hide()

    def lines_of(self, screen: Any) -> list[str]:
        lines = list(self.views.service.config.lines)
        if screen.level <= 1:
            return lines
        return [screen.line] if screen.level == 2 and screen.line in lines else []

    def show_screen(self, screen: Any) -> None:
        lines = self.lines_of(screen)
        if list(self.panels) != lines:
            for panel in self.panels.values():
                panel.hide()
                panel.deleteLater()
            compact = len(lines) > 1  # the overview: the lines side by side
            self.panels = {
                line: OrderPanel(self.views, line, compact=compact, parent=self) for line in lines
            }
            for panel in self.panels.values():
                self.row.addWidget(panel, 1)
        self.setVisible(bool(lines))

    def rebuild(self) -> None:
        """New panels over the views' service (it was exchanged)."""
        for panel in self.panels.values():
            panel.hide()
            panel.deleteLater()
        self.panels = {}
        current = self.screen_panel.host.current_screen
        self.show_screen(current) if current is not None else self.hide()

    def changed(self, line: str) -> None:
        panel = self.panels.get(line)
        if panel is not None and self.isVisible():
            panel.refresh()

    def refresh(self) -> None:
        if self.isVisible():
            for panel in self.panels.values():
                panel.refresh()


def since_shift_start(service: Any) -> float:
    """Where "this shift" begins (the last 8 hours where the calendar has no shift now)."""
    now = current(service)
    calendar = getattr(service.config, "calendar", None)
    shift = calendar.shift_at(now) if calendar is not None else None
    return shift.start if shift is not None else now - 8 * 3600
