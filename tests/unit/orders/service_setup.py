"""A two-line orders configuration, a store and a service over it, for the service tests."""

from __future__ import annotations

from pathlib import Path

from hmi.core.access import Access
from hmi.core.orders.calendar import Shift, ShiftCalendar
from hmi.core.orders.config import CounterConfig, LineConfig, OrdersConfig, StateConfig
from hmi.core.orders.model import MachineState, Order, Reason, StopKind
from hmi.core.orders.service import Orders
from hmi.core.store import Writer

M = MachineState
PRESS = {
    "die": "D-101",
    "alloy": "6060",
    "billet_length_mm": 600,
    "billet_weight_kg": 30.0,
    "weight_per_m_g": 500.0,
    "profile_length_m": 6.0,
}
FILLER = {"product": "Water 0.5", "bottle_size_l": 0.5}
REASONS = (
    Reason(StopKind.PLANNED, "Changeover", "Die change", "setup"),
    Reason(StopKind.PLANNED, "Break", "Meal break", "planned"),
    Reason(StopKind.UNPLANNED, "Mechanical", "Die jam", "breakdown"),
    Reason(StopKind.UNPLANNED, "Material", "No billets", "breakdown"),
)


def config(micro_stop: float = 90.0, modulus: int = 2**32) -> OrdersConfig:
    def counters(*pairs: tuple[str, str]) -> dict[str, CounterConfig]:
        return {
            role: CounterConfig(role, tag, modulus=modulus, max_jump=1000, max_rate=0.0)
            for role, tag in pairs
        }

    values = {2: M.RUNNING, 1: M.IDLE, 0: M.IDLE, 3: M.FAULT, 4: M.CHANGEOVER}
    press = LineConfig(
        "line1",
        "Line 1 - Extrusion press",
        "extrusion",
        40.0,
        counters(
            ("good", "line1.profile_count"),
            ("scrap", "line1.scrap_count"),
            ("billets", "line1.billet_count"),
        ),
        StateConfig("line1.state", values),
        micro_stop,
        {"die": "line1.die_number", "target": "line1.order_target"},
    )
    filler = LineConfig(
        "line2",
        "Line 2 - Filling line",
        "filling",
        0.12,
        counters(("good", "line2.filled_count"), ("scrap", "line2.rejected_count")),
        StateConfig("line2.state", values),
        micro_stop,
        {},
    )
    calendar = ShiftCalendar.from_config(
        shifts=[
            Shift("Morning", 6 * 60, 14 * 60),
            Shift("Afternoon", 14 * 60, 22 * 60),
            Shift("Night", 22 * 60, 6 * 60),
        ],
        timezone="UTC",
    )
    return OrdersConfig(
        lines={"line1": press, "line2": filler},
        reasons=REASONS,
        scrap_reasons=("Surface defect", "Start-up scrap", "Underfilled"),
        startup_scrap=frozenset({"Start-up scrap"}),
        calendar=calendar,
        report_at_shift_end=False,
    )


class Clock:
    """A clock the test sets; starts at a shift change, 06:00 UTC."""

    def __init__(self, now: float = 1_796_364_000.0):  # 2026-12-04 06:00 UTC
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def writer(path: Path) -> Writer:
    return Writer(path, flush_interval=0.05, retry_interval=0.05).start()


def service(path: Path, clock: Clock, access: Access | None = None, **options) -> Orders:
    store = writer(path)
    orders = Orders(config(**options), store, access or Access(clock), clock=clock)
    orders.load()
    return orders


def close(orders: Orders) -> None:
    orders.close()
    orders.store.stop()


def press_order(number: str = "P-1", target: int = 100, **kw) -> Order:
    kw.setdefault("line", "line1")
    kw.setdefault("product", dict(PRESS))
    return Order(number, target=target, **kw)


def filler_order(number: str = "F-1", target: int = 1000, **kw) -> Order:
    kw.setdefault("line", "line2")
    kw.setdefault("product", dict(FILLER))
    return Order(number, target=target, **kw)
