"""The order views as the operator windows plug them in (``hmi.ui.capability``): the order
band on every screen panel (line screens and the overview), the stops item in every
header, and the supervisor's page. Without the orders capability (a project with no
``orders:`` section) nothing is added."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QDialog, QWidget

from hmi.ui.capability import CapabilityViews
from hmi.ui.i18n import translate

from .common import CORRECT, ServiceEvents, attempt, needs, orders_stylesheet
from .dialogs import OrderDialog, ScrapDialog
from .downtime import DowntimeItem, StopsDialog
from .panel import OrdersBand, since_shift_start
from .supervisor import SupervisorPage

PAGE = "orders"


class _NewPanels(QObject):
    """The desk's second pane appears in the splitter later: give it a band too."""

    def __init__(self, views: OrdersViews, splitter: Any):
        super().__init__(splitter)
        self.views, self.splitter = views, splitter
        splitter.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ChildAdded:  # told while the pane is being made
            QTimer.singleShot(0, self.scan)
        return False

    def scan(self) -> None:
        for index in range(self.splitter.count()):
            pane = self.splitter.widget(index)
            if hasattr(pane, "host") and pane.findChild(OrdersBand) is None:
                self.views.add_band(pane)


class OrdersViews(CapabilityViews):
    name = "orders"

    def __init__(self, service: Any | None):
        super().__init__(service)
        self.operator: Any = None
        self.window: Any = None
        self.events: ServiceEvents | None = None
        self.bands: list[OrdersBand] = []
        self.items: list[DowntimeItem] = []
        self.page: SupervisorPage | None = None
        self.stylesheet = ""
        self.rehearsal: Any = None  # the gallery's orders running on every line
        self.station_service: Any = None  # the station's own, while a rehearsal is shown

    def configure(self, operator: Any) -> None:
        if self.service is None:
            return
        self.operator = operator
        self.stylesheet = orders_stylesheet(operator.theme, operator.profile)
        self.events = ServiceEvents(self.service)
        self.events.changed.connect(self._changed)

    def install(self, window: Any) -> None:
        if self.service is None:
            return
        self.window = window
        self.add_window(window)
        splitter = getattr(window, "splitter", None)
        if splitter is not None:
            _NewPanels(self, splitter)
        self.page = SupervisorPage(self, window)
        window.add_page(PAGE, self.page, self.page_words)

    def add_window(self, window: Any) -> None:
        if self.service is None:
            return
        self.add_band(window.panel)
        item = DowntimeItem(self, window)
        item.setStyleSheet(self.stylesheet)
        window.add_header_item(item)
        self.items.append(item)
        item.destroyed.connect(lambda *_, i=item: self.items.remove(i) if i in self.items else None)

    def add_band(self, panel: Any) -> OrdersBand:
        band = OrdersBand(self, panel)
        self.bands.append(band)
        band.destroyed.connect(lambda *_, b=band: self.bands.remove(b) if b in self.bands else None)
        return band

    @staticmethod
    def page_words() -> tuple[str, str]:
        return "◔", translate("Orders", "OEE")

    # -- what the views share ------------------------------------------------------------

    def user(self) -> str:
        return self.operator.user if self.operator is not None else ""

    def shift_start(self) -> float:
        return since_shift_start(self.service)

    def _changed(self, line: str) -> None:
        for band in list(self.bands):
            band.changed(line)
        count = len(self.service.unassigned_stops())
        for item in list(self.items):
            item.show_count(count)

    def say(self, widget: QWidget, text: str, problem: bool = False) -> None:
        """A message where the operator looks: over the bottom of the screen panel the
        widget is on, else in the window."""
        parent: Any = widget
        while parent is not None and not hasattr(parent, "show_message"):
            parent = parent.parentWidget()
        if parent is not None:
            parent.show_message(text, problem)

    def show_dialog(self, dialog: QDialog, over: QWidget) -> QDialog:
        dialog.setStyleSheet(self.stylesheet)
        shown = self.operator.show_dialog(dialog, over)
        # the window's look first, ours on top (figures, groups)
        dialog.setStyleSheet(dialog.styleSheet() + self.stylesheet)
        return shown

    # -- what the panels and the header open ---------------------------------------------

    def open_order(self, over: QWidget, order: Any) -> QDialog | None:
        if order is None:
            return None
        return self.show_dialog(OrderDialog(self, order, parent=over.window()), over)

    def record_scrap(self, over: QWidget, order: Any) -> QDialog | None:
        if order is None:
            return None
        dialog = ScrapDialog(self, order, parent=over.window())
        dialog.accepted.connect(
            lambda: self.say(
                over,
                translate("Orders", "{n} pcs of scrap recorded on order {number}").format(
                    n=dialog.value, number=order.number
                ),
            )
        )
        return self.show_dialog(dialog, over)

    def open_stops(self, window: Any) -> QDialog:
        dialog = StopsDialog(self, parent=window)
        shown = self.show_dialog(dialog, window)
        area = window.content_area() if hasattr(window, "content_area") else None
        if area is not None and window.profile.touch:  # the stop list gets the screen's room
            dialog.setGeometry(area)
        return shown

    def confirm_counts(self, order: Any) -> Any:
        """The operator says the counts are right: kept in the audit trail with them."""
        access = self.operator.access
        reason = access.refusal(self.user(), CORRECT, order.number) if access else None
        if reason:
            raise_refusal(needs(CORRECT, reason))
        if access is not None:
            access.record(
                self.user(), "counts.confirm", order.number, good=order.good, scrap=order.scrap
            )
        return order

    # -- the gallery ---------------------------------------------------------------------

    def rehearse(self, on: bool) -> None:
        """Show the panels over a rehearsal's service (orders running on every line, none
        of the station's records touched), or over the station's own service again."""
        if on and self.station_service is None:
            if self.rehearsal is None:
                from .rehearsal import Rehearsal

                self.rehearsal = Rehearsal(self.operator.project, self.service)
            self.station_service, self.service = self.service, self.rehearsal.service
        elif not on and self.station_service is not None:
            self.service, self.station_service = self.station_service, None
        else:
            return
        for band in list(self.bands):
            band.rebuild()

    def showcase(self, window: Any) -> list[tuple[str, Any, Any]]:
        if self.service is None or window is not self.window:
            return []

        def running(screen: str) -> Any:
            def show() -> list[Any]:
                self.rehearse(True)
                window.go_to(screen, remember=False)
                return []

            return show

        def close(opened: Any) -> None:
            for widget in opened or ():
                if isinstance(widget, QDialog):
                    widget.reject()
            window.close_page()

        def first_order() -> Any:
            for line in self.service.config.lines:
                order = self.service.running(line) or next(iter(self.service.queue(line)), None)
                if order is not None:
                    return order
            return None

        def order_dialog() -> Any:  # of an order running, with its figures
            self.rehearse(True)
            order = first_order()
            return self.open_order(window.panel, order) if order is not None else None

        def scrap_dialog() -> Any:
            self.rehearse(True)
            order = first_order()
            return self.record_scrap(window.panel, order) if order is not None else None

        def close_rehearsed(opened: Any) -> None:
            close(opened)
            self.rehearse(False)

        def reasons() -> Any:
            dialog = self.open_stops(window)
            if dialog.stops:
                dialog.show_stop(dialog.stops[0])
            return dialog

        # the line screens and the overview with an order running on each line
        band = window.panel.findChild(OrdersBand)
        band_screens = [s.name for s in window.library.screens if band and band.lines_of(s)]
        return [
            *(
                (f"orders-running-{name}", running(name), lambda _: self.rehearse(False))
                for name in band_screens
            ),
            ("orders-page", lambda: window.open_page(PAGE) and [], close),
            ("orders-order", order_dialog, close_rehearsed),
            ("orders-scrap", scrap_dialog, close_rehearsed),
            ("orders-stops", lambda: self.open_stops(window), close),
            ("orders-reasons", reasons, close),
        ]

    def close(self) -> None:
        if self.events is not None:
            self.events.stop()
        self.rehearse(False)
        if self.rehearsal is not None:
            self.rehearsal.close()
            self.rehearsal = None


def raise_refusal(text: str) -> None:
    from hmi.core.orders.service import OrdersError

    raise OrdersError(text)


__all__ = ["OrdersViews", "attempt"]
