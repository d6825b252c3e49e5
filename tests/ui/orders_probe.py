"""The order views over the real orders service on a real store: a window on the small
plant of ``windows.py`` (its line screen is Line 1), touches counted as they are made."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from hmi.core.orders.model import MachineState
from hmi.ui.orders import OrdersViews
from hmi.ui.shell import Profile
from tests.unit.orders.service_setup import Clock, close, config, writer

from .windows import views_window

TOUCH = Profile("touch", True, 60, 20, 12, px_per_mm=6.0)  # 60 px = 10 mm
DESK = Profile("desk", False, 36, 17)


class Touches:
    """Clicks made on real widgets, counted: what the operator's finger does."""

    def __init__(self) -> None:
        self.count = 0

    def widget(self, widget: QWidget) -> None:
        assert widget.isVisible(), f"{widget.objectName() or widget} is not on screen"
        self.count += 1
        QTest.mouseClick(
            widget,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            QPoint(widget.width() // 2, widget.height() // 2),
        )

    def list_row(self, view, row: int) -> None:
        rect = view.visualItemRect(view.item(row))
        self.count += 1
        QTest.mouseClick(
            view.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            rect.center(),
        )


def orders_service(folder: Path, access, clock: Clock | None = None):
    """The real service with two lines (press and filler), on a store in ``folder``."""
    from hmi.core.orders.service import Orders

    clock = clock or Clock()
    orders = Orders(config(), writer(folder / "orders.db"), access, clock=clock)
    orders.load()
    return orders, clock


def stop_service(orders) -> None:
    close(orders)


def open_window(qtbot, project, engine, folder: Path, runtime, service, profile=DESK):
    """The main window with only the order views, the runtime's access and data folder."""
    return views_window(
        qtbot, project, engine, folder, {"orders": service}, [OrdersViews], runtime, profile
    )


def make_stop(service, clock: Clock, seconds: float, line: str = "line1", state=None) -> int:
    """The line runs, stops for ``seconds`` and runs again; the stop's id."""
    service.feed_state(line, MachineState.RUNNING)
    clock.advance(5)
    service.feed_state(line, state or MachineState.FAULT)
    clock.advance(seconds)
    service.feed_state(line, MachineState.RUNNING)
    clock.advance(5)
    return max(s.id for s in service.stops(line, 0))


def band_panel(window, line: str = "line1"):
    from hmi.ui.orders.panel import OrdersBand

    band = window.panel.findChild(OrdersBand)
    return band.panels[line]
