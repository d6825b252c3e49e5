"""The MES sync views as the operator windows plug them in (``hmi.ui.capability``): one item
in every window's header (the sync's state in a phrase, coloured only while a target is
offline or events were refused) and the MES sync page, where a supervisor handles what a
target refused. Without MES targets (no ``mes:`` section) nothing is added.

The page gets this object as its ``views``: ``service``, ``operator``, ``user()``,
``jobs``, ``stylesheet`` and ``show_dialog(dialog, over)``."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QWidget

from hmi.ui.capability import CapabilityViews
from hmi.ui.i18n import translate

from .item import MesItem
from .jobs import Jobs
from .page import MesPage
from .words import mes_stylesheet

PAGE = "mes"


def page_words() -> tuple[str, str]:
    return "⇅", translate("Mes", "MES sync")


class MesViews(CapabilityViews):
    name = "mes"

    def __init__(self, service: Any | None):
        super().__init__(service)
        self.operator: Any = None
        self.window: Any = None
        self.stylesheet = ""
        self.jobs: Jobs | None = None
        self.items: list[MesItem] = []
        self.page: MesPage | None = None
        self.nav_entry: QWidget | None = None
        self.rehearsal: Any = None  # the gallery's target offline with refused events

    @property
    def targets(self) -> list[str]:
        return list(self.service.deliveries) if self.service is not None else []

    def configure(self, operator: Any) -> None:
        self.operator = operator
        self.stylesheet = mes_stylesheet(operator.theme, operator.profile)
        self.jobs = Jobs()

    def install(self, window: Any) -> None:
        self.window = window
        if not self.targets:
            return
        self.add_window(window)
        self.add_page(window)

    def add_page(self, window: Any) -> None:
        """The page, and on the desk its navigation entry (the touch panel's header row has
        no room for one more: its header item opens the page)."""
        self.page = MesPage(self, window)
        entry = window.add_page(PAGE, self.page, page_words)
        if self.operator.profile.touch:
            entry.hide()
        else:
            self.nav_entry = entry

    def add_window(self, window: Any) -> None:
        if not self.targets:
            return
        item = MesItem(self, window, self.targets)
        item.setStyleSheet(self.stylesheet)
        window.add_header_item(item)
        self.items.append(item)
        item.destroyed.connect(lambda *_, i=item: self.items.remove(i) if i in self.items else None)

    # -- what the views share ------------------------------------------------------------

    def user(self) -> str:
        return self.operator.user if self.operator is not None else ""

    def open_page(self, window: Any) -> QWidget | None:
        main = self.window
        if self.page is None or main is None:
            return None
        if window is not main:  # an extra window on the desk: the page is the main one's
            main.raise_()
            main.activateWindow()
        return main.open_page(PAGE)

    def show_dialog(self, dialog: QDialog, over: QWidget) -> QDialog:
        dialog.setStyleSheet(self.stylesheet)
        shown = self.operator.show_dialog(dialog, over)
        dialog.setStyleSheet(dialog.styleSheet() + self.stylesheet)
        return shown

    # -- the gallery ---------------------------------------------------------------------

    def rehearse(self, on: bool) -> None:
        """For a project without MES targets, ``hmi gallery`` shows the item and the page
        over a rehearsal (a target offline with a backlog, refused events and orders); off,
        they are hidden again."""
        window = self.window
        if on and self.rehearsal is None:
            from .rehearsal import Rehearsal

            self.rehearsal = Rehearsal()
            self.service = self.rehearsal.service
            if self.page is None:
                self.add_window(window)
                self.add_page(window)
        if self.rehearsal is None:
            return
        for item in self.items:
            item.show_statuses(self.rehearsal.statuses)
            item.setVisible(on)
        if self.nav_entry is not None:
            self.nav_entry.setVisible(on)
        window.header.fit()

    def showcase(self, window: Any) -> list[tuple[str, Any, Any]]:
        """For ``hmi gallery``: the header item (on the home screen), the page's refused
        events with a discard's question and its refused orders; a project without
        targets shows them over a rehearsal."""
        if window is not self.window or self.operator is None:
            return []
        rehearsed = not self.targets or self.rehearsal is not None

        def header() -> list[Any]:
            if rehearsed:
                self.rehearse(True)
            window.close_page()
            window.go_home()
            return []

        def page() -> list[Any]:
            header()
            shown = self.open_page(window)
            if shown is not None and self.page is not None and self.rehearsal is not None:
                self.page.refreshed(self.rehearsal.answer(self.page.chosen))
                self.page.table.clearSelection()
                self.page.table.selectRow(0)
            if self.page is not None:
                self.page.show_list("events")
            return []

        def orders() -> list[Any]:
            page()
            if self.page is not None:
                self.page.show_list("orders")
            return []

        def discard() -> Any:
            page()
            if self.page is None or not self.page.rows:
                return None
            return self.page.discard_question(self.page.selected())

        def close(opened: Any) -> None:
            for widget in opened or ():
                if isinstance(widget, QDialog):
                    widget.reject()
            window.close_page()
            if rehearsed:
                self.rehearse(False)

        return [
            ("mes-header", header, close),
            ("mes-page", page, close),
            ("mes-orders", orders, close),
            ("mes-discard", discard, close),
        ]

    def close(self) -> None:
        if self.jobs is not None:
            self.jobs.stop()
        if self.rehearsal is not None:
            self.rehearsal.close()
            self.rehearsal = None
