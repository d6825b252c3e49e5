"""The supervisor's page: every line's OEE (running order, shift, day) with its three
factors, where the time went across lines (the six big losses and the downtime reasons,
largest first), and the order queue: re-sequence it, import orders from a file, enter
one by hand, and write the shift report.

Desk first (mouse, several lines at a glance); on the touch panel the same page with
its targets a finger wide. Buttons the user may not use are disabled with the missing
permission named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hmi.core.orders.config import LINE_TYPES
from hmi.core.orders.model import Order
from hmi.core.orders.oee import pareto
from hmi.core.orders.products import NUMERIC
from hmi.core.orders.report import report_file
from hmi.ui.i18n import project_text, translate
from hmi.ui.notice import set_flag

from .common import (
    MANAGE,
    REFRESH_MS,
    REPORTS,
    ElidedButton,
    Guard,
    attempt,
    duration_text,
    identifier,
    line_title,
    oee_parts,
    pieces,
    product_text,
    state_text,
)
from .common import now as current

PARETO_BARS = 8  # the largest losses drawn; the rest would be too small to read


def loss_title(key: str) -> str:
    return {
        "breakdown": translate("Orders", "Breakdowns"),
        "setup": translate("Orders", "Setup and adjustments"),
        "small_stop": translate("Orders", "Small stops"),
        "speed": translate("Orders", "Reduced speed"),
        "startup_reject": translate("Orders", "Start-up rejects"),
        "production_reject": translate("Orders", "Production rejects"),
    }.get(key, key)


def field_title(name: str) -> str:
    return {
        "die": translate("Orders", "Die number"),
        "alloy": translate("Orders", "Alloy"),
        "billet_length_mm": translate("Orders", "Billet length (mm)"),
        "billet_weight_kg": translate("Orders", "Billet weight (kg)"),
        "weight_per_m_g": translate("Orders", "Profile weight (g/m)"),
        "profile_length_m": translate("Orders", "Profile length (m)"),
        "product": translate("Orders", "Product"),
        "bottle_size_l": translate("Orders", "Bottle size (l)"),
    }.get(name, name)


class ParetoChart(QWidget):
    """Losses as horizontal grey bars, largest on top, with the minutes and the running
    share; no colour (a loss is not an alarm)."""

    def __init__(self, theme: Any, font_px: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("paretoChart")
        self.theme, self.font_px = theme, font_px
        self.title = ""
        self.rows: list[tuple[str, float, float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(round(self.font_px * 30), round(self.font_px * 2 * (PARETO_BARS + 1)))

    def show_rows(self, title: str, rows: list[tuple[str, float, float]]) -> None:
        self.title, self.rows = title, rows[:PARETO_BARS]
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        theme, px = self.theme, self.font_px
        painter.fillRect(self.rect(), theme.color("panel"))
        painter.setPen(theme.pen("outline", 1))
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        pad = px * 0.6
        painter.setFont(theme.font(px, bold=True))
        painter.setPen(theme.color("text"))
        painter.drawText(QRectF(pad, pad, self.width() - 2 * pad, px * 1.5), self.title)
        top = pad + px * 1.8
        if not self.rows:
            painter.setFont(theme.font(px))
            painter.setPen(theme.color("text_dim"))
            painter.drawText(
                QRectF(pad, top, self.width() - 2 * pad, px * 1.5),
                translate("Orders", "No losses recorded in this shift"),
            )
            painter.end()
            return
        row_h = min((self.height() - top - pad) / max(len(self.rows), 1), px * 2.6)
        label_w = self.width() * 0.38
        figure_w = px * 11  # "12 h 30 min · 97 %"
        bar_w = max(self.width() - label_w - figure_w - 3 * pad, 10.0)
        largest = self.rows[0][1] or 1.0
        painter.setFont(theme.font(px))
        for index, (label, seconds, cumulative) in enumerate(self.rows):
            y = top + index * row_h
            painter.setPen(theme.color("text"))
            painter.drawText(
                QRectF(pad, y, label_w - pad, row_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                label,
            )
            bar = QRectF(label_w, y + row_h * 0.15, bar_w * seconds / largest, row_h * 0.7)
            painter.fillRect(bar, theme.color("level"))
            painter.setPen(theme.pen("outline", 1))
            painter.drawRect(bar)
            painter.setPen(theme.color("text"))
            painter.drawText(
                QRectF(label_w + bar_w + pad, y, figure_w, row_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                f"{duration_text(seconds)} · {cumulative * 100:.0f} %",
            )
        painter.end()


class LineTile(QFrame):
    """One line: its order and the OEE of the order, the shift and the day."""

    PERIODS = ("order", "shift", "day")

    def __init__(self, page: SupervisorPage, line: str):
        super().__init__(page)
        self.setProperty("tile", True)
        self.page, self.line = page, line
        grid = QGridLayout(self)
        gap = round(page.views.operator.profile.gap_px)
        grid.setHorizontalSpacing(gap * 2)
        self.title = QLabel("", self)
        self.title.setProperty("heading", True)
        self.order = QLabel("", self)
        self.order.setProperty("orderNote", True)
        grid.addWidget(self.title, 0, 0, 1, 5)
        grid.addWidget(self.order, 1, 0, 1, 5)
        self.heads = [QLabel("", self) for _ in range(4)]
        for column, head in enumerate(self.heads, start=1):
            head.setProperty("orderNote", True)
            head.setAlignment(Qt.AlignmentFlag.AlignRight)
            grid.addWidget(head, 2, column)
        self.period_words: dict[str, QLabel] = {}
        self.cells: dict[str, list[QLabel]] = {}
        for row, period in enumerate(self.PERIODS, start=3):
            word = QLabel("", self)
            self.period_words[period] = word
            grid.addWidget(word, row, 0)
            self.cells[period] = []
            for column in range(1, 5):
                cell = QLabel("", self)
                cell.setObjectName(f"oee_{line}_{period}_{column}")
                cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                cell.setProperty("orderFigure" if column == 1 else "heading", True)
                grid.addWidget(cell, row, column)
                self.cells[period].append(cell)

    def refresh(self) -> None:
        views, service = self.page.views, self.page.views.service
        project = views.operator.project
        self.title.setText(line_title(project, service, self.line))
        running = service.running(self.line)
        self.order.setText(
            translate("Orders", "Order {number} · {product} · {good} / {target} pcs").format(
                number=identifier(running.number),
                product=product_text(project, running),
                good=pieces(running.good),
                target=pieces(running.target),
            )
            if running is not None
            else translate("Orders", "No order running")
        )
        heads = (
            translate("Orders", "OEE"),
            translate("Orders", "Availability"),
            translate("Orders", "Effectiveness"),
            translate("Orders", "Quality"),
        )
        for head, word in zip(self.heads, heads, strict=True):
            head.setText(word)
        words = {
            "order": translate("Orders", "Order"),
            "shift": translate("Orders", "Shift"),
            "day": translate("Orders", "Day"),
        }
        live = service.live_oee(self.line)
        for period in self.PERIODS:
            self.period_words[period].setText(words[period])
            oee = live.get(period) if not (period == "order" and running is None) else None
            for cell, text in zip(self.cells[period], oee_parts(oee), strict=True):
                cell.setText(text)


class SupervisorPage(QWidget):
    """OEE across lines, the loss Pareto and the order queue (see the module)."""

    def __init__(self, views: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("oeePage")
        self.views, self.service = views, views.service
        self.project = views.operator.project
        profile = views.operator.profile
        gap = round(profile.gap_px)
        self.setStyleSheet(views.stylesheet)
        self.guard = Guard(views.operator.access, views.user, self.say, self)
        self.line = next(iter(self.service.config.lines), "")
        # in a scroll area: under a tall alarm banner on the touch panel the page scrolls
        # (by dragging) rather than making the window taller than its screen
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget(scroll)
        content.setObjectName("oeePage")
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(gap, gap, gap, gap)
        layout.setSpacing(gap)
        tiles = QHBoxLayout()
        tiles.setSpacing(gap)
        self.tiles = {line: LineTile(self, line) for line in self.service.config.lines}
        for tile in self.tiles.values():
            tiles.addWidget(tile, 1)
        layout.addLayout(tiles)
        middle = QHBoxLayout()
        middle.setSpacing(gap)
        charts = QVBoxLayout()
        charts.setSpacing(gap)
        self.losses = ParetoChart(views.operator.theme, profile.font_px, self)
        self.reasons = ParetoChart(views.operator.theme, profile.font_px, self)
        charts.addWidget(self.losses, 1)
        charts.addWidget(self.reasons, 1)
        middle.addLayout(charts, 1)
        middle.addWidget(self._queue_box(gap), 1)
        layout.addLayout(middle, 1)
        self.message = QLabel("", self)
        self.message.setObjectName("ordersMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS * 2)
        self.timer.timeout.connect(self.refresh)
        views.events.changed.connect(self._changed)

    def _queue_box(self, gap: int) -> QWidget:
        box = QFrame(self)
        box.setProperty("tile", True)
        layout = QVBoxLayout(box)
        layout.setSpacing(gap)
        top = QHBoxLayout()
        self.queue_title = QLabel("", box)
        self.queue_title.setProperty("heading", True)
        top.addWidget(self.queue_title, 1)
        layout.addLayout(top)
        lines = QHBoxLayout()  # a row of their own: line names are long
        lines.setSpacing(gap)
        self.line_buttons: dict[str, ElidedButton] = {}
        for line in self.service.config.lines:
            button = ElidedButton(box)
            button.setCheckable(True)
            button.setProperty("toggle", True)
            button.clicked.connect(lambda _=False, li=line: self.choose_line(li))
            lines.addWidget(button, 1)
            self.line_buttons[line] = button
        layout.addLayout(lines)
        self.table = QTableWidget(0, 5, box)
        self.table.setObjectName("orderQueue")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(
            round(self.views.operator.profile.target_px)
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self.guard.refresh)
        layout.addWidget(self.table, 1)
        self.up_button = self._button(box, "queueUp", lambda: self.move(-1))
        self.down_button = self._button(box, "queueDown", lambda: self.move(1))
        self.create_button = self._button(box, "queueCreate", self.ask_create)
        self.import_button = self._button(box, "queueImport", self.ask_import)
        self.report_button = self._button(box, "shiftReport", self.shift_report)
        self.guard.add(self.up_button, MANAGE, lambda: self._cannot_move(-1))
        self.guard.add(self.down_button, MANAGE, lambda: self._cannot_move(1))
        self.guard.add(self.create_button, MANAGE)
        self.guard.add(self.import_button, MANAGE)
        self.guard.add(self.report_button, REPORTS)
        # two rows: earlier / later / new order, then import / shift report
        buttons = QVBoxLayout()
        buttons.setSpacing(gap)
        rows = (
            (self.up_button, self.down_button, self.create_button),
            (self.import_button, self.report_button),
        )
        for row in rows:
            line = QHBoxLayout()
            line.setSpacing(gap)
            for button in row:  # the arrows are short words: the new order gets their room
                line.addWidget(button, 2 if button is self.create_button else 1)
            buttons.addLayout(line)
        layout.addLayout(buttons)
        return box

    def _button(self, parent: QWidget, name: str, slot: Any) -> ElidedButton:
        button = ElidedButton(parent)
        button.setObjectName(name)
        button.clicked.connect(lambda _=False: slot())
        return button

    # -- showing -------------------------------------------------------------------------

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()
        self.timer.start()

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self.timer.stop()

    def _changed(self, _line: str) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        for tile in self.tiles.values():
            tile.refresh()
        self.show_losses()
        self.show_queue()
        self.retranslate()

    def show_losses(self) -> None:
        """The six big losses of this shift across lines, and the stop time by reason."""
        since, now = self.views.shift_start(), current(self.service)
        losses: dict[str, float] = {}
        reasons: dict[str, float] = {}
        for line in self.service.config.lines:
            shift = self.service.live_oee(line).get("shift")
            for key, seconds in (shift.losses if shift is not None else {}).items():
                title = loss_title(key)
                losses[title] = losses.get(title, 0.0) + seconds
            for stop in self.service.stops(line, since):
                if stop.micro:
                    continue
                name = (
                    project_text(self.project, stop.reason.name, "Orders")
                    if stop.reason is not None
                    else translate("Orders", "No reason yet")
                )
                reasons[name] = reasons.get(name, 0.0) + stop.duration(now)
        self.losses.show_rows(translate("Orders", "Losses this shift, all lines"), pareto(losses))
        self.reasons.show_rows(
            translate("Orders", "Downtime by reason this shift, all lines"), pareto(reasons)
        )

    def queue(self) -> list[Order]:
        return self.service.queue(self.line)

    def show_queue(self) -> None:
        chosen = self.selected()
        orders = self.queue()
        self.table.setRowCount(len(orders))
        for row, order in enumerate(orders):
            cells = (
                str(row + 1),
                identifier(order.number),
                product_text(self.project, order),
                pieces(order.target),
                state_text(order.state),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, order.number)
                self.table.setItem(row, column, item)
            if order.number == chosen:
                self.table.selectRow(row)
        self.guard.refresh()

    def selected(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def choose_line(self, line: str) -> None:
        self.line = line
        self.table.clearSelection()
        self.refresh()

    def select(self, number: str) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == number:
                self.table.selectRow(row)

    # -- re-sequencing -------------------------------------------------------------------

    def _cannot_move(self, step: int) -> str | None:
        numbers = [o.number for o in self.queue()]
        chosen = self.selected()
        if chosen is None or chosen not in numbers:
            return translate("Orders", "Choose an order in the queue first")
        if not 0 <= numbers.index(chosen) + step < len(numbers):
            return translate("Orders", "The order is already at that end of the queue")
        return None

    def move(self, step: int) -> bool:
        numbers = [o.number for o in self.queue()]
        chosen = self.selected()
        if chosen is None or chosen not in numbers:
            return False
        index = numbers.index(chosen)
        other = index + step
        if not 0 <= other < len(numbers):
            return False
        numbers[index], numbers[other] = numbers[other], numbers[index]
        done = attempt(
            lambda: self.service.resequence(self.line, numbers, self.views.user()) or True,
            self.say,
        )
        self.show_queue()
        self.select(chosen)
        return bool(done)

    # -- new orders ----------------------------------------------------------------------

    def ask_create(self) -> QDialog:
        dialog = CreateOrderDialog(self.views, self.line, parent=self)
        dialog.accepted.connect(lambda: self.created(dialog.made))
        return self.views.show_dialog(dialog, self)

    def created(self, order: Order | None) -> None:
        if order is not None:
            self.say(
                translate("Orders", "Order {number} added to the queue").format(
                    number=identifier(order.number)
                ),
                False,
            )
            self.choose_line(order.line)

    def ask_import(self) -> Any:
        path, _ = QFileDialog.getOpenFileName(
            self, translate("Orders", "Import orders"), "", "Orders (*.csv *.json)"
        )
        return self.import_file(path) if path else None

    def import_file(self, path: str) -> Any:
        result = attempt(lambda: self.service.import_file(path, self.views.user()), self.say)
        if result is None:
            return None
        made = list(getattr(result, "created", ()) or ())
        problems = list(getattr(result, "problems", ()) or ())
        text = translate("Orders", "{n} order(s) imported").format(n=len(made))
        if problems:
            text += translate("Orders", "; {n} refused: {first}").format(
                n=len(problems), first=problems[0]
            )
        self.say(text, bool(problems))
        self.refresh()
        return result

    # -- shift report --------------------------------------------------------------------

    def shift_report(self) -> Any:
        """The PDF of the running shift's report for the line chosen, into the reports
        folder of the project's data (where the automatic ones at shift end go too)."""
        refusal = self.guard.refusal(REPORTS)
        if refusal:
            self.say(refusal)
            return None
        try:
            from .report_pdf import render_pdf
        except ImportError:
            self.say(translate("Orders", "The shift report cannot be written on this station"))
            return None
        return attempt(lambda: self._write_report(render_pdf), self.say)

    def _write_report(self, render_pdf: Any) -> Path | None:
        calendar = self.service.config.calendar
        shift = calendar.shift_at(current(self.service))
        if shift is None:
            self.say(translate("Orders", "No shift is running now: there is nothing to report"))
            return None
        report = self.service.shift_report(self.line, shift)
        path = report_file(self.views.operator.data_dir or ".", self.line, shift, "pdf")
        render_pdf(
            report,
            path,
            words=lambda text: project_text(self.project, text, "Orders"),
            plant=project_text(self.project, self.project.name, "Project"),
            generated_by=self.views.user(),
        )
        self.say(translate("Orders", "Shift report written to {path}").format(path=path), False)
        return path

    # -- words ---------------------------------------------------------------------------

    def say(self, text: str, problem: bool = True) -> None:
        self.message.setText(text)
        set_flag(self.message, "problem", problem)
        self.message.setVisible(bool(text))

    def retranslate(self) -> None:
        self.queue_title.setText(translate("Orders", "Order queue"))
        for line, button in self.line_buttons.items():
            button.set_words(line_title(self.project, self.service, line))
            button.setChecked(line == self.line)
        self.table.setHorizontalHeaderLabels(
            [
                "#",
                translate("Orders", "Order"),
                translate("Orders", "Product"),
                translate("Orders", "Target"),
                translate("Orders", "State"),
            ]
        )
        self.up_button.set_words(translate("Orders", "▲ Earlier"))
        self.down_button.set_words(translate("Orders", "▼ Later"))
        self.create_button.set_words(translate("Orders", "New order…"))
        self.import_button.set_words(translate("Orders", "Import…"))
        self.report_button.set_words(translate("Orders", "Shift report"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange and self.isVisible():
            self.refresh()


class CreateOrderDialog(QDialog):
    """A new order entered by hand: number, target, and the product data of the line's
    type; what the service refuses is said in the dialog."""

    def __init__(self, views: Any, line: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("createOrderDialog")
        self.views, self.service, self.line = views, views.service, line
        self.made: Order | None = None
        gap = round(views.operator.profile.gap_px)
        layout = QVBoxLayout(self)
        layout.setSpacing(gap)
        project = views.operator.project
        title = QLabel(
            translate("Orders", "New order for {line}").format(
                line=line_title(project, self.service, line)
            ),
            self,
        )
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        grid = QGridLayout()
        grid.setSpacing(gap)
        line_type = self.service.config.lines[line].type
        names = ["number", "target", *LINE_TYPES.get(line_type, ())]
        words = {
            "number": translate("Orders", "Order number"),
            "target": translate("Orders", "Target (pcs)"),
        }
        self.fields: dict[str, QLineEdit] = {}
        for row, name in enumerate(names):
            label = QLabel(words.get(name) or field_title(name), self)
            field = QLineEdit(self)
            field.setObjectName(f"field_{name}")
            field.setAccessibleName(label.text())
            field.setMinimumHeight(round(views.operator.profile.target_px))
            field.setProperty("numeric", name == "target" or name in NUMERIC)
            grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
            self.fields[name] = field
        layout.addLayout(grid)
        self.problem = QLabel("", self)
        self.problem.setObjectName("ordersMessage")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QHBoxLayout()
        buttons.setSpacing(gap * 3)
        cancel = QPushButton(translate("Orders", "Cancel"), self)
        cancel.setObjectName("cancelButton")
        cancel.clicked.connect(self.reject)
        self.create_button = QPushButton(translate("Orders", "Add to the queue"), self)
        self.create_button.setObjectName("confirmButton")
        self.create_button.clicked.connect(lambda _=False: self.create())
        buttons.addWidget(cancel)
        buttons.addWidget(self.create_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(round(views.operator.profile.target_px * 14))

    def create(self) -> Order | None:
        values = {name: field.text().strip() for name, field in self.fields.items()}
        number, target = values.pop("number"), values.pop("target")
        try:
            quantity = int(target)
        except ValueError:
            self.say(translate("Orders", "The target must be a whole number of pieces"))
            return None
        order = Order(number=number, line=self.line, target=quantity, product=values)
        made = attempt(lambda: self.service.create(order, self.views.user()), self.say)
        if made is not None:
            self.made = made
            self.accept()
        return made

    def say(self, text: str, problem: bool = True) -> None:
        self.problem.setText(text)
        set_flag(self.problem, "problem", problem)
        self.problem.setVisible(bool(text))
