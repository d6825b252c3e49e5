"""The fleet's views as the operator windows plug them in (``hmi.ui.capability``): the
Plant page in the navigation of the main window. Without the fleet capability (a
project with no ``fleet:`` section) nothing is added.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QWidget

from hmi.core.fleet import FleetModel, SimulatedPlant
from hmi.ui.capability import CapabilityViews
from hmi.ui.theme import fill_stylesheet

from .page import FleetPage
from .words import PAGE, page_words

GALLERY_LINES = 50

STYLE = """
QWidget#fleetPage { background: @background; }
QScrollArea#fleetScroll, QScrollArea#fleetScroll > QWidget > QWidget { background: @background; }
QLabel#fleetSummary { font-weight: bold; }
QLabel#fleetSource { color: @text_dim; }
QPushButton#fleetFilter { padding: 0 @px(12); }
QPushButton#fleetFilter:checked { background: @running; color: @text_on_running; }
QLabel#fleetLink {
    background: @running; color: @text_on_running; font-weight: bold; padding: @px(6) @px(10);
}
QDialog#fleetDialog { background: @background; }
QLabel#fleetDialogTitle { font-weight: bold; }
QLabel[fleetNote="true"] { color: @text_dim; }
"""


class Rehearsal:
    """Fifty simulated lines in three sites, a few offline, in alarm or unreadable, for
    ``hmi gallery``; the station's own fleet is never touched."""

    def __init__(self, roots: tuple[str, ...] = ("acme/+/+",)):
        self.model = FleetModel(roots, offline_after=30.0)
        self.plant = SimulatedPlant(self.model, GALLERY_LINES)
        self.plant.publish_all()
        lines = self.model.lines()
        self.model.receive(f"{lines[10].key}/health", b'{"online": tru')
        self.model.receive(f"{lines[20].key}/health", b'{"online": false}')
        self.source = "simulated"
        self.problem: str | None = None

    def lines(self) -> Any:
        return self.model.lines()

    def line(self, key: str) -> Any:
        return self.model.line(key)

    def watch(self, callback: Any) -> Any:
        return self.model.watch(callback)


class FleetViews(CapabilityViews):
    name = "fleet"

    def __init__(self, service: Any | None):
        super().__init__(service)
        self.operator: Any = None
        self.window: Any = None
        self.page: FleetPage | None = None
        self.stylesheet = ""

    def configure(self, operator: Any) -> None:
        if self.service is None:
            return
        self.operator = operator
        sizes = operator.profile
        self.stylesheet = fill_stylesheet(STYLE, operator.theme, sizes.chrome_scale) + (
            f"QLabel#fleetSummary {{ font-size: {round(sizes.font_px * 1.2)}px; }}\n"
            f"QLabel#fleetDialogTitle {{ font-size: {round(sizes.font_px * 1.3)}px; }}\n"
        )

    def install(self, window: Any) -> None:
        if self.service is None:
            return
        self.window = window
        self.page = FleetPage(self, self.service)
        self.page.setStyleSheet(self.stylesheet)
        window.add_page(PAGE, self.page, page_words)

    def show_dialog(self, dialog: QDialog, over: QWidget) -> QDialog:
        dialog.setStyleSheet(self.stylesheet)
        shown = self.operator.show_dialog(dialog, over)
        dialog.setStyleSheet(dialog.styleSheet() + self.stylesheet)
        return shown

    def showcase(self, window: Any) -> list[tuple[str, Any, Any]]:
        """For ``hmi gallery``: the Plant page over fifty rehearsed lines, and a line's
        dialog (one that is offline)."""
        if self.service is None or window is not self.window or self.page is None:
            return []
        page = self.page

        def rehearse(on: bool) -> None:
            page.follow(Rehearsal() if on else self.service)
            page.refresh()

        def show() -> list[Any]:
            rehearse(True)
            window.open_page(PAGE)
            page.refresh()
            return []

        def dialog() -> list[Any] | None:
            show()
            offline = next((x for x in page.service.lines() if x.state == "offline"), None)
            opened = page.open_line(offline.key) if offline is not None else None
            return [opened] if opened is not None else None

        def close(opened: Any) -> None:
            for widget in opened or ():
                if isinstance(widget, QDialog):
                    widget.reject()
            window.close_page()
            rehearse(False)

        return [("fleet", show, close), ("fleet-line", dialog, close)]

    def close(self) -> None:
        if self.page is not None:
            self.page.changes.stop()
            self.page.timer.stop()
            self.page.ages.stop()
