"""The Plant page, the top of the display hierarchy on the supervisor station: how many
lines run, stand, are offline or in alarm, then a tile per line by site (``board``); a
tile opens the line's screen where the project names one, else what the broker says
about the line (``LineDialog``). On the touch panel the tiles scroll, a button per site
brings its heading to the top.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from hmi.core.fleet import OFFLINE, RUNNING, STOPPED, UNKNOWN, LineState, counts
from hmi.ui.i18n import project_text, translate

from .board import FleetBoard
from .words import age_text, clock_text, percent, pieces, reason_text, state_text

REFRESH_MS = 500  # changes are drawn at most twice a second, however many lines talk
AGES_MS = 5000  # "heard 12 s ago" moves with time


class Changes(QObject):
    """The service's ``watch`` (any thread) as a signal on the GUI thread."""

    changed = Signal()

    def __init__(self, service: Any, parent: QObject | None = None):
        super().__init__(parent)
        self._stop = service.watch(self.changed.emit) if service is not None else None

    def stop(self) -> None:
        if self._stop is not None:
            self._stop()
            self._stop = None


class FleetPage(QWidget):
    """The fleet's tiles under a summary; ``open_line(key)`` as a tile does."""

    def __init__(self, views: Any, service: Any):
        super().__init__()
        self.setObjectName("fleetPage")
        self.views, self.service = views, service
        profile = views.operator.profile
        self.touch = bool(profile.touch)
        layout = QVBoxLayout(self)
        gap = round(profile.gap_px)
        layout.setContentsMargins(gap, gap // 2, gap, 0)
        layout.setSpacing(gap // 2)
        self.only_abnormal = QPushButton(self)  # fifty lines: what needs a look, alone
        self.only_abnormal.setObjectName("fleetFilter")
        self.only_abnormal.setCheckable(True)
        self.only_abnormal.setMinimumHeight(round(profile.target_px))
        self.only_abnormal.toggled.connect(lambda _: self.refresh())
        top = QHBoxLayout()
        self.summary = QLabel(self)
        self.summary.setObjectName("fleetSummary")
        top.addWidget(self.summary, 1)
        if not self.touch:
            top.addWidget(self.only_abnormal)
            top.addSpacing(gap * 2)
        self.source = QLabel(self)
        self.source.setObjectName("fleetSource")
        top.addWidget(self.source)
        layout.addLayout(top)
        self.link = QLabel(self)  # the broker out of reach: the first thing to read
        self.link.setObjectName("fleetLink")
        self.link.setWordWrap(True)
        self.link.hide()
        layout.addWidget(self.link)
        self.site_row = QHBoxLayout()  # touch: a button per site, then the filter
        self.site_row.setSpacing(gap)
        self.site_buttons: dict[str, QPushButton] = {}
        if self.touch:
            row = QHBoxLayout()
            row.addLayout(self.site_row)
            row.addStretch(1)
            row.addWidget(self.only_abnormal)
            layout.addLayout(row)
        self.board = FleetBoard(views.operator.theme, profile)
        project = getattr(views.operator, "project", None)
        if project is not None:
            self.board.project_words = lambda text: project_text(project, text, "Project")
        self.board.opened.connect(self.open_line)
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("fleetScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.board)
        if self.touch:  # a finger drags the tiles; no tiny scroll bar to aim at
            self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            QScroller.grabGesture(
                self.scroll.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
            )
        layout.addWidget(self.scroll, 1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.changes = Changes(None, self)
        self.stale = False  # changed while hidden: drawn when shown
        self.follow(service)
        self.ages = QTimer(self)
        self.ages.setInterval(AGES_MS)
        self.ages.timeout.connect(self.board.update)
        self.ages.start()
        self.refresh()

    def follow(self, service: Any) -> None:
        """Show ``service``'s lines (the station's fleet, or the gallery's rehearsal)."""
        self.changes.stop()
        self.service = service
        self.changes = Changes(service, self)
        self.changes.changed.connect(self._soon)

    def _soon(self) -> None:
        if not self.isVisible():  # nobody looks: no work until the page is shown
            self.stale = True
        elif not self.timer.isActive():
            self.timer.start()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.stale:
            self.stale = False
            self.refresh()

    def refresh(self) -> None:
        if not self.isVisible():  # nobody looks: no work until the page is shown
            self.stale = True
            return
        lines = self.service.lines() if self.service is not None else []
        if not self.touch:
            self.board.fit_height = float(self.scroll.viewport().height())
        abnormal = [line for line in lines if line.abnormal]
        self.board.show_lines(abnormal if self.only_abnormal.isChecked() else lines)
        self.summary.setText(summary_text(lines))
        self.only_abnormal.setText(
            translate("Fleet", "Only abnormal ({n})").format(n=len(abnormal))
        )
        source = self.service.source if self.service is not None else ""
        if source == "simulated":
            source = translate("Fleet", "simulated lines")
        if getattr(self.service, "local", ""):
            source = translate("Fleet", "{source} and this station").format(source=source)
        self.source.setText(translate("Fleet", "Source: {source}").format(source=source))
        problem = self.service.problem if self.service is not None else None
        self.link.setVisible(bool(problem))
        if problem:
            self.link.setText(
                translate("Fleet", "No news from the broker: {problem}").format(problem=problem)
            )
        self._sites()

    def _sites(self) -> None:
        if not self.touch:
            return
        for site in self.board.sites():
            if site not in self.site_buttons:
                button = QPushButton(site.upper(), self)
                button.setObjectName(f"fleetSite_{site}")
                button.setMinimumHeight(round(self.views.operator.profile.target_px))
                button.clicked.connect(lambda _=False, s=site: self.show_site(s))
                self.site_row.addWidget(button)
                self.site_buttons[site] = button

    def show_site(self, site: str) -> None:
        """Scroll the site's heading to the top."""
        self.scroll.verticalScrollBar().setValue(self.board.site_top(site))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if not self.touch:
            QTimer.singleShot(0, self, self.refresh)  # not after the page is gone

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()

    def open_line(self, key: str) -> QDialog | None:
        """The line's screen where the project names one, else what the broker says."""
        line = self.service.line(key) if self.service is not None else None
        if line is None:
            return None
        window = self.window()
        if line.screen and hasattr(window, "go_to"):
            if hasattr(window, "close_page"):
                window.close_page()
            if window.go_to(line.screen):
                return None
        return self.views.show_dialog(LineDialog(self.views, line, self), self)

    def close(self) -> bool:
        self.changes.stop()
        self.timer.stop()
        self.ages.stop()
        return super().close()


def summary_text(lines: list[LineState]) -> str:
    """``50 lines · 44 running · 2 stopped · 3 offline · 5 in alarm``."""
    figures = counts(lines)
    running = sum(1 for x in lines if x.state == RUNNING)
    parts = [
        translate("Fleet", "{n} lines").format(n=figures["lines"]),
        translate("Fleet", "{n} running").format(n=running),
        translate("Fleet", "{n} stopped").format(n=figures["stopped"]),
        translate("Fleet", "{n} offline").format(n=figures["offline"]),
        translate("Fleet", "{n} in alarm").format(n=figures["in_alarm"]),
    ]
    return "   ·   ".join(parts)


class LineDialog(QDialog):
    """Everything the broker says about one line, in rows of words."""

    def __init__(self, views: Any, line: LineState, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("fleetDialog")
        self.line = line
        project = getattr(views.operator, "project", None)
        name = project_text(project, line.name, "Project") if project and line.name else ""
        self.setWindowTitle(name or line.title)
        layout = QVBoxLayout(self)
        title = QLabel(name or line.title, self)
        title.setObjectName("fleetDialogTitle")
        layout.addWidget(title)
        grid = QGridLayout()
        grid.setHorizontalSpacing(round(views.operator.profile.gap_px * 2))
        for row, (label, value) in enumerate(facts(line)):
            name = QLabel(label, self)
            name.setProperty("fleetNote", True)
            shown = QLabel(value, self)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(shown, row, 1)
        layout.addLayout(grid)
        close = QPushButton(translate("Fleet", "Close"), self)
        close.setMinimumHeight(round(views.operator.profile.target_px))
        close.clicked.connect(self.accept)
        row_layout = QHBoxLayout()
        row_layout.addStretch(1)
        row_layout.addWidget(close)
        layout.addLayout(row_layout)
        self.setMinimumWidth(round(views.operator.profile.font_px * 42))


def facts(line: LineState) -> list[tuple[str, str]]:
    """The rows of the line's dialog: what it is, its state and why, its order, alarms,
    devices, the station and when it was last heard of."""
    state = state_text(line)
    if line.reason and line.state in (STOPPED, OFFLINE, UNKNOWN):
        state += f": {reason_text(line.reason)}"
    if line.state in (OFFLINE, UNKNOWN):
        state += "\n" + translate("Fleet", "(what follows is as last heard)")
    rows = [
        (translate("Fleet", "Line"), f"{line.key}"),
        (translate("Fleet", "State"), state),
    ]
    if line.problem:
        rows.append((translate("Fleet", "Unreadable"), line.problem))
    order = line.order
    if order is not None:
        text = f"{order.number}  {order.product}  ({order.state})"
        rows.append((translate("Fleet", "Order"), text))
        rows.append(
            (
                translate("Fleet", "Produced"),
                translate("Fleet", "{good} good, {scrap} scrap of {target} ({progress})").format(
                    good=pieces(order.good),
                    scrap=pieces(order.scrap),
                    target=pieces(order.target),
                    progress=percent(order.progress),
                ),
            )
        )
    rows.append((translate("Fleet", "OEE"), percent(line.oee)))
    active = [a for a in line.alarms.values() if a.active]
    alarms = "\n".join(
        f"P{a.priority}  {a.message}"
        + ("" if a.acknowledged else "  " + translate("Fleet", "(unacknowledged)"))
        for a in sorted(active, key=lambda a: a.priority)
    )
    rows.append((translate("Fleet", "Alarms"), alarms or translate("Fleet", "none active")))
    devices = "\n".join(f"{name}: {why}" for name, why in line.devices.items())
    rows.append((translate("Fleet", "Devices"), devices or "—"))
    rows.append((translate("Fleet", "MES backlog"), pieces(line.backlog)))
    station = line.station or "—"
    if line.version:
        station += f"  (Linea {line.version})"
    rows.append((translate("Fleet", "Station"), station))
    rows.append(
        (
            translate("Fleet", "Last heard"),
            f"{clock_text(line.heard)}  ({age_text(line.age(time.time()))})",
        )
    )
    return rows
