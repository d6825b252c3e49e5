"""The MES sync page: each target's state, backlog, oldest unsent event, last success and
last error in words; below, the events the chosen target refused (when, order, what,
why) and what a supervisor does with them: send them again (the selected ones or all),
export them to a file (JSON lines) or discard them with a reason. Each action asks the
permission (and the signatures the project's users section names) for that target; a
refusal says why. Everything that reads or writes the store runs on the views' jobs
thread, so the page never holds the screen."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hmi.core.mes import DISCARD, EXPORT, RETRY, Quarantined, RefusedOrder, Status
from hmi.ui.entry import EntryDialog
from hmi.ui.i18n import project_text, refusal_text, translate
from hmi.ui.notice import set_flag
from hmi.ui.writes import Permission

from .refused_orders import RefusedOrders
from .table import list_table
from .words import (
    FAILING,
    age_text,
    clock_text,
    count_text,
    kind_text,
    offline_for,
    state_text,
)

REFRESH_MS = 2000  # the figures move while the page is looked at
MAX_ROWS = 500  # refused events listed (all of them are sent again, exported, counted)
FACTS = ("backlog", "oldest", "success", "error")
#: what a refresh brings: the chosen target, every target's figures, its refused events
#: (None: as shown) and the released orders refused (None: no order source)
Answer = tuple[str, list[Status], list[Quarantined] | None, list[RefusedOrder] | None]


def signed(
    views: Any,
    permission: str,
    target: str,
    what: str,
    parent: QWidget,
    action: Callable[[], object],
    refused: Callable[[str], object],
) -> Any:
    """Do ``action`` if the station's user may, after the signatures the project's users
    section asks for ``permission`` on ``target``; ``refused(reason)`` otherwise."""
    operator = views.operator
    signatures = getattr(getattr(operator, "gate", None), "signatures", None)
    if signatures is not None and signatures.needed(permission, target):
        reason = signatures.refusal(permission, target)
        if reason:
            refused(refusal_text(reason) or reason)
            return None
        return signatures.ask(permission, target, what, parent, action)
    reason = refusal(views, permission, target)
    if reason:
        refused(reason)
        return None
    return action()


def refusal(views: Any, permission: str, target: str) -> str | None:
    """Why the station's user may not do ``permission`` on ``target`` (naming it), or None;
    an action that needs signatures is allowed here while the user may sign for it."""
    operator = views.operator
    signatures = getattr(getattr(operator, "gate", None), "signatures", None)
    if signatures is not None and signatures.needed(permission, target):
        reason = signatures.refusal(permission, target)
    else:
        access = getattr(operator, "access", None)
        reason = access.refusal(views.user(), permission, target) if access else None
    if not reason:
        return None
    reason = refusal_text(reason) or reason
    if permission in reason:
        return reason
    return translate("Mes", "{reason} (needs the permission {permission})").format(
        reason=reason, permission=permission
    )


class ReasonDialog(EntryDialog):
    """Why events are discarded: the answer may not be empty (it is kept in the audit
    trail with the events' keys)."""

    def __init__(self, title: str, detail: str, profile: Any, parent: QWidget | None = None):
        super().__init__(
            title,
            profile=profile,
            details=(detail,),
            hint=translate("Mes", "The reason is kept in the audit trail"),
            check=self.check_reason,
            accept_text=translate("Mes", "Discard"),
            parent=parent,
        )
        self.setObjectName("mesReasonDialog")

    @staticmethod
    def check_reason(text: str) -> str:
        if not text.strip():
            raise ValueError(translate("Mes", "Say why they are discarded, in a few words"))
        return text.strip()


class TargetTile(QFrame):
    """One target's figures; touching it shows its refused events below."""

    def __init__(self, page: MesPage, name: str):
        super().__init__(page)
        self.setObjectName("mesTarget")
        self.page, self.name = page, name
        self.status: Status | None = None
        gap = page.gap
        layout = QVBoxLayout(self)
        layout.setSpacing(round(gap / 2))
        top = QHBoxLayout()
        top.setSpacing(gap)
        self.title = QLabel(name, self)
        self.title.setProperty("heading", True)
        self.title.setProperty("mesFigure", True)
        self.state = QLabel("", self)
        self.state.setObjectName("mesState")
        self.state.setProperty("mesFigure", True)
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.state)
        layout.addLayout(top)
        grid = QGridLayout()
        grid.setHorizontalSpacing(gap * 2)
        grid.setVerticalSpacing(round(gap / 2))
        self.names: dict[str, QLabel] = {}
        self.facts: dict[str, QLabel] = {}
        for row, key in enumerate(FACTS):
            name_label, value = QLabel("", self), QLabel("", self)
            name_label.setProperty("mesNote", True)
            value.setWordWrap(True)
            value.setProperty("fact", True)
            if key in ("backlog", "oldest"):
                value.setProperty("mesFigure", True)
            grid.addWidget(name_label, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self.names[key], self.facts[key] = name_label, value
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        layout.addStretch(1)
        self.retranslate()

    def mouseReleaseEvent(self, event: Any) -> None:
        super().mouseReleaseEvent(event)
        self.page.choose(self.name)

    def show_status(self, status: Status | None) -> None:
        self.status = status
        self.retranslate()

    def retranslate(self) -> None:
        self.names["backlog"].setText(translate("Mes", "Waiting to be sent"))
        self.names["oldest"].setText(translate("Mes", "Oldest unsent event"))
        self.names["success"].setText(translate("Mes", "Last taken"))
        self.names["error"].setText(translate("Mes", "Last error"))
        status = self.status
        if status is None:
            self.state.setText("…")
            for value in self.facts.values():
                value.setText("…")
            return
        now = time.time()
        down = status.state == FAILING
        state = state_text(status.state)
        if down:
            state = "⚠ " + translate("Mes", "{state} for {since}").format(
                state=state, since=age_text(offline_for(status, now))
            )
        self.state.setText(state)
        set_flag(self.state, "abnormal", down)
        self.facts["backlog"].setText(
            translate("Mes", "{n} events").format(n=count_text(status.backlog))
        )
        self.facts["oldest"].setText(
            translate("Mes", "{age} old").format(age=age_text(status.oldest_s))
            if status.backlog
            else translate("Mes", "none waiting")
        )
        success = clock_text(status.last_success, now)
        if status.last_success:
            success = translate("Mes", "{time} ({age} ago)").format(
                time=success, age=age_text(now - status.last_success)
            )
        self.facts["success"].setText(success)
        self.facts["error"].setText(status.last_error or translate("Mes", "none"))


class MesPage(QWidget):
    """See the module. ``views`` gives ``service``, ``operator``, ``user()``, ``jobs``,
    ``stylesheet`` and ``show_dialog``."""

    def __init__(self, views: Any, window: Any = None):
        super().__init__(window.pages if window is not None and hasattr(window, "pages") else None)
        self.setObjectName("mesPage")
        self.views = views
        profile = views.operator.profile
        self.touch = profile.touch
        self.gap = gap = round(profile.gap_px)
        self.setStyleSheet(views.stylesheet)
        self.targets = list(views.service.deliveries) if views.service is not None else []
        self.chosen = self.targets[0] if self.targets else ""
        self.rows: list[Quarantined] = []  # the first MAX_ROWS of them
        self.total = 0  # how many the chosen target refused
        self.reload = True  # read the refused events again (else only when their count moved)
        self.loaded = False  # the first answer came
        outer = QVBoxLayout(self)
        outer.setContentsMargins(gap, gap, gap, gap)
        outer.setSpacing(gap)
        self.tiles: dict[str, TargetTile] = {}
        strip = QScrollArea(self)
        strip.setWidgetResizable(True)
        strip.setFrameShape(QFrame.Shape.NoFrame)
        strip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget(strip)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(gap)
        for name in self.targets:
            tile = TargetTile(self, name)
            row.addWidget(tile, 1)
            self.tiles[name] = tile
        strip.setWidget(holder)
        self.strip = strip
        outer.addWidget(strip)
        events = QWidget(self)
        events_layout = QVBoxLayout(events)
        events_layout.setContentsMargins(0, 0, 0, 0)
        events_layout.setSpacing(gap)
        self.heading = QLabel("", events)
        self.heading.setProperty("heading", True)
        self.heading.setWordWrap(True)
        events_layout.addWidget(self.heading)
        body = QHBoxLayout()
        body.setSpacing(gap)
        self.table = list_table(5, 3, profile, events)
        self.table.setObjectName("mesRefused")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # a touch picks or unpicks one row: no Ctrl on a touch panel
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        self.table.itemSelectionChanged.connect(self.mark_buttons)
        body.addWidget(self.table, 1)
        column = QVBoxLayout()
        column.setSpacing(gap)
        self.buttons: dict[str, QPushButton] = {}
        for key, slot in (
            ("retry", lambda: self.retry(self.selected())),
            ("retry_all", lambda: self.retry(None)),
            ("export", lambda: self.ask_export()),
            ("discard", lambda: self.ask_discard()),
        ):
            button = QPushButton("", events)
            button.setObjectName(f"mes_{key}")
            button.setMinimumHeight(round(profile.target_px))
            button.clicked.connect(lambda _=False, s=slot: s())
            column.addWidget(button)
            self.buttons[key] = button
        column.addStretch(1)
        body.addLayout(column)
        events_layout.addLayout(body, 1)
        self.add_lists(outer, events)
        self.message = QLabel("", self)
        self.message.setObjectName("mesMessage")
        self.message.setWordWrap(True)
        self.message.setProperty("empty", True)
        outer.addWidget(self.message)
        self.permissions = {
            key: Permission(getattr(views.operator, "access", None), views.user, permission, "")
            for key, permission in (("retry", RETRY), ("export", EXPORT), ("discard", DISCARD))
        }
        for watcher in self.permissions.values():
            watcher.setParent(self)
            watcher.changed.connect(self.mark_buttons)
        for button in self.buttons.values():
            button.installEventFilter(self)
        gate = getattr(views.operator, "gate", None)
        if gate is not None and hasattr(gate, "user_changed"):
            gate.user_changed.connect(lambda _name: self.mark_buttons())
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.retranslate()

    def add_lists(self, outer: QVBoxLayout, events: QWidget) -> None:
        """The refused events; where orders come from the MES, the released orders refused
        too, one list at a time behind two tabs that carry their counts."""
        views = self.views
        source = getattr(views.service, "orders_from", "") if views.service is not None else ""
        self.orders: RefusedOrders | None = None
        self.tabs: dict[str, QPushButton] = {}
        if not source:
            outer.addWidget(events, 1)
            return
        profile = views.operator.profile
        self.orders = RefusedOrders(source, views.operator.project, profile, self)
        self.lists = QStackedWidget(self)
        self.lists.addWidget(events)
        self.lists.addWidget(self.orders)
        row = QHBoxLayout()
        row.setSpacing(self.gap)
        group = QButtonGroup(self)
        for index, key in enumerate(("events", "orders")):
            tab = QPushButton("", self)
            tab.setObjectName(f"mes_tab_{key}")
            tab.setProperty("tab", True)
            tab.setCheckable(True)
            tab.setChecked(index == 0)
            tab.setMinimumHeight(round(profile.target_px))
            tab.clicked.connect(lambda _=False, i=index: self.lists.setCurrentIndex(i))
            group.addButton(tab)
            row.addWidget(tab)
            self.tabs[key] = tab
        row.addStretch(1)
        outer.addLayout(row)
        outer.addWidget(self.lists, 1)

    def show_list(self, key: str) -> None:
        """Show the refused ``events`` or ``orders`` (as touching its tab does)."""
        if key in self.tabs:
            self.tabs[key].click()

    def retranslate_tabs(self) -> None:
        if not self.tabs or self.orders is None:
            return
        orders = self.orders
        events_text = translate("Mes", "Events refused: {n}").format(n=count_text(self.total))
        orders_text = translate("Mes", "Orders refused: {n}").format(n=count_text(len(orders.rows)))
        self.tabs["events"].setText(events_text if self.loaded else "…")
        self.tabs["orders"].setText(orders_text if orders.loaded else "…")
        set_flag(self.tabs["events"], "abnormal", self.total > 0)
        set_flag(self.tabs["orders"], "abnormal", bool(orders.rows))

    # -- showing -------------------------------------------------------------------------

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()
        self.timer.start(REFRESH_MS)

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self.timer.stop()

    def refresh(self) -> bool:
        """Ask the service for the figures and the chosen target's refused events (on the
        jobs' thread); False when a refresh is already on its way."""
        service, target = self.views.service, self.chosen
        if service is None:
            return False

        def work() -> Answer:
            # asked when the job runs: a reload wanted while a refresh waited is not lost
            reload, known = self.reload or not self.loaded, self.total
            self.reload = False
            statuses = service.status()
            orders = service.refused_orders() if self.orders is not None else None
            count = next((s.quarantined for s in statuses if s.target == target), 0)
            if not target or (not reload and count == known):
                return target, statuses, None, orders  # the events as shown are still right
            return target, statuses, service.quarantined(target), orders

        return self.views.jobs.run(work, self.refreshed, self.failed, key="refresh")

    def refreshed(self, answer: Answer) -> None:
        target, statuses, rows, orders = answer
        self.loaded = True
        shown = self.orders
        if shown is not None and orders is not None and (not shown.loaded or orders != shown.rows):
            shown.show_orders(orders)
            self.retranslate_tabs()
        for status in statuses:
            tile = self.tiles.get(status.target)
            if tile is not None:
                tile.show_status(status)
        if target == self.chosen and rows is not None:
            self.total = len(rows)
            self.show_rows(rows[:MAX_ROWS])

    def show_rows(self, rows: Sequence[Quarantined]) -> None:
        kept = set(self.selected())
        self.rows = list(rows)
        table = self.table
        table.blockSignals(True)
        table.clearSelection()
        table.setRowCount(len(rows))
        for n, row in enumerate(rows):
            when = row.event.ts if row.event is not None else row.first_ts
            cells = (
                clock_text(when),
                self.order_text(row.stream),
                kind_text(row.kind),
                row.reason,
                count_text(row.attempts),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3:
                    item.setToolTip(text)
                table.setItem(n, column, item)
            if row.outbox_id in kept:
                table.selectRow(n)
        table.blockSignals(False)
        self.retranslate_heading()
        self.retranslate_tabs()
        self.mark_buttons()

    def order_text(self, stream: str) -> str:
        """An order's number as written; a line's own events under the line's name."""
        if stream.startswith("line:"):
            project = self.views.operator.project
            line = stream[len("line:") :]
            name = project.lines.get(line, line) if project is not None else line
            return translate("Mes", "{line} (no order)").format(
                line=project_text(project, name, "Project") if project is not None else name
            )
        return stream

    def choose(self, target: str) -> None:
        if target not in self.tiles:
            return
        if target != self.chosen:
            self.chosen = target
            self.total, self.reload = 0, True
            self.show_rows([])
        for name, tile in self.tiles.items():
            set_flag(tile, "chosen", name == target and len(self.tiles) > 1)
        self.refresh()

    def selected(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.rows[r].outbox_id for r in rows if r < len(self.rows)]

    # -- who may -------------------------------------------------------------------------

    def why_not(self, key: str) -> str | None:
        """Why the button ``key`` cannot be used now: the permission first, then what it
        needs (events refused, a selection)."""
        permission = {"retry": RETRY, "retry_all": RETRY, "export": EXPORT, "discard": DISCARD}
        reason = refusal(self.views, permission[key], self.chosen) if self.chosen else None
        if reason:
            return reason
        if not self.rows:
            return translate("Mes", "No refused events")
        if key in ("retry", "discard") and not self.selected():
            return translate("Mes", "Touch the events first")
        return None

    def mark_buttons(self) -> None:
        for key, button in self.buttons.items():
            reason = self.why_not(key)
            button.setEnabled(reason is None)
            button.setToolTip(reason or "")

    def eventFilter(self, watched: Any, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(watched, QPushButton)
            and not watched.isEnabled()
            and watched.toolTip()
        ):
            self.say(watched.toolTip(), True)
            return True
        return False

    # -- actions -------------------------------------------------------------------------

    def retry(self, ids: list[int] | None) -> Any:
        """Send the events ``ids`` (all for None) to the chosen target again."""
        target, service = self.chosen, self.views.service
        count = self.total if ids is None else len(ids)
        what = translate("Mes", "Send the refused events to {target} again: {n}").format(
            n=count_text(count), target=target
        )

        def done(result: Any) -> None:
            text = translate("Mes", "{target} took {accepted}; {refused} refused again").format(
                target=target,
                accepted=count_text(result.accepted),
                refused=count_text(result.refused),
            )
            self.say(text, bool(result.refused))
            self.reload = True
            self.refresh()

        def act() -> None:
            user = self.views.user()
            self.say(translate("Mes", "Sending to {target}…").format(target=target))
            self.views.jobs.run(lambda: service.retry(target, ids, user), done, self.failed)

        return signed(self.views, RETRY, target, what, self, act, lambda r: self.say(r, True))

    def ask_discard(self) -> Any:
        """Why the selected events are discarded (asked first; the dialog refuses none)."""
        reason = self.why_not("discard")
        if reason:
            self.say(reason, True)
            return None
        return self.discard_question(self.selected())

    def discard_question(self, ids: list[int]) -> QDialog:
        dialog = ReasonDialog(
            translate("Mes", "Discard the refused events selected: {n}?").format(
                n=count_text(len(ids))
            ),
            translate(
                "Mes", "{target} will never get them. Export them first if the MES needs them."
            ).format(target=self.chosen),
            self.views.operator.profile,
            parent=self.window(),
        )
        dialog.accepted.connect(lambda: self.discard(ids, str(dialog.value)))
        return self.views.show_dialog(dialog, self)

    def discard(self, ids: list[int], reason: str) -> Any:
        target, service = self.chosen, self.views.service
        what = translate("Mes", "Discard events {target} refused ({n}): {reason}").format(
            n=count_text(len(ids)), target=target, reason=reason
        )

        def done(count: Any) -> None:
            self.say(translate("Mes", "Events discarded: {n}").format(n=count_text(count)))
            self.table.clearSelection()
            self.reload = True
            self.refresh()

        def act() -> None:
            user = self.views.user()
            self.views.jobs.run(
                lambda: service.discard(target, ids, user, reason), done, self.failed
            )

        return signed(self.views, DISCARD, target, what, self, act, lambda r: self.say(r, True))

    def ask_export(self) -> Any:
        reason = self.why_not("export")
        if reason:
            self.say(reason, True)
            return None
        folder = Path(getattr(self.views.operator, "data_dir", None) or Path.home())
        name = f"mes-refused-{self.chosen}-{time.strftime('%Y%m%d-%H%M')}.jsonl"
        path, _ = QFileDialog.getSaveFileName(
            self,
            translate("Mes", "Export the refused events"),
            str(folder / name),
            translate("Mes", "JSON lines (*.jsonl)"),
            options=QFileDialog.Option.DontUseNativeDialog,
        )
        return self.export_to(path) if path else None

    def export_to(self, path: str | Path) -> Any:
        target, service = self.chosen, self.views.service
        what = translate("Mes", "Export the events refused by {target} to {path}").format(
            target=target, path=str(path)
        )

        def done(count: Any) -> None:
            self.say(
                translate("Mes", "Events written to {path}: {n}").format(
                    n=count_text(count), path=str(path)
                )
            )

        def act() -> None:
            user = self.views.user()
            self.views.jobs.run(lambda: service.export(target, path, user), done, self.failed)

        return signed(self.views, EXPORT, target, what, self, act, lambda r: self.say(r, True))

    # -- words ---------------------------------------------------------------------------

    def failed(self, error: BaseException) -> None:
        text = str(error) or type(error).__name__
        self.say(refusal_text(text) or text, True)
        self.reload = True
        self.refresh()

    def say(self, text: str, problem: bool = False) -> None:
        self.message.setText(text)
        set_flag(self.message, "problem", problem)
        set_flag(self.message, "empty", not text)

    def retranslate_heading(self) -> None:
        if not self.chosen:
            self.heading.setText(translate("Mes", "No MES targets"))
        elif not self.loaded:
            self.heading.setText(
                translate("Mes", "Reading the events {target} refused…").format(target=self.chosen)
            )
        elif not self.rows:
            self.heading.setText(
                translate("Mes", "{target} refused no events").format(target=self.chosen)
            )
        elif self.total > len(self.rows):
            self.heading.setText(
                translate(
                    "Mes", "Events {target} refused: {n}, the oldest {shown} listed. None lost."
                ).format(target=self.chosen, n=count_text(self.total), shown=len(self.rows))
            )
        else:
            self.heading.setText(
                translate("Mes", "Events {target} refused: {n}. They wait here, none lost.").format(
                    target=self.chosen, n=count_text(self.total)
                )
            )

    def retranslate(self) -> None:
        words = {
            "retry": translate("Mes", "Send selected again"),
            "retry_all": translate("Mes", "Send all again"),
            "export": translate("Mes", "Export…"),
            "discard": translate("Mes", "Discard selected…"),
        }
        for key, button in self.buttons.items():
            button.setText(words[key])
        self.table.setHorizontalHeaderLabels(
            [
                translate("Mes", "Time"),
                translate("Mes", "Order"),
                translate("Mes", "Event"),
                translate("Mes", "Why refused"),
                translate("Mes", "Tries"),
            ]
        )
        for tile in self.tiles.values():
            tile.retranslate()
        if self.orders is not None:
            self.orders.retranslate()
        self.retranslate_tabs()
        if self.rows:
            self.show_rows(self.rows)
        self.retranslate_heading()
        self.mark_buttons()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
