"""A simulated production day through the orders capability in a running station: three
orders, a 32-bit good counter that wraps, a 16-bit scrap counter that wraps, a PLC program
that resets its counters, a PLC power cycle (tags Bad, registers back at 0), production
while an order is held, and two restarts of the HMI while the line goes on producing.
The recorded totals equal what the PLC truly produced, per order and in all."""

from __future__ import annotations

import random
import time

import pytest

from hmi.core.checks import check_all
from hmi.core.orders import Order, OrderState
from hmi.core.runtime import Runtime

from .orders_plant import GOOD, RUNNING, Plc, query, recorded, wait_until, write_project

pytestmark = pytest.mark.slow

FILLER = {"product": "Water", "bottle_size_l": 0.5}


class Line:
    """The PLC's true production, and the raw counters it shows."""

    def __init__(self, plc: Plc, rng: random.Random):
        self.plc, self.rng = plc, rng
        self.good_raw, self.scrap_raw = 2**32 - 2_000, 65_400  # both wrap during the first order
        self.good = self.scrap = 0
        plc.set_counter(GOOD, self.good_raw)
        plc.set_scrap(self.scrap_raw)

    def produce(self, pieces: int, scrap_share: float = 0.05) -> tuple[int, int]:
        made = [0, 0]
        while pieces > 0:
            n = min(pieces, self.rng.randint(5, 60))
            pieces -= n
            bad = sum(self.rng.random() < scrap_share for _ in range(n))
            self.good_raw = (self.good_raw + n - bad) % 2**32
            self.scrap_raw = (self.scrap_raw + bad) % 2**16
            made[0] += n - bad
            made[1] += bad
            self.plc.set_counter(GOOD, self.good_raw)
            self.plc.set_scrap(self.scrap_raw)
            time.sleep(0.06)  # about one poll of the fast scan class
        self.good += made[0]
        self.scrap += made[1]
        return made[0], made[1]

    def reset_counter(self) -> None:
        """The PLC program sets its good counter back to 0 (a new batch, say). (Not the
        16-bit scrap counter: near its top, a reset to 0 is a wrap to anyone reading it.)"""
        self.good_raw = 0
        self.plc.set_counter(GOOD, 0)

    def power_cycle(self) -> None:
        self.plc.power_cycle(1.0)
        self.good_raw = self.scrap_raw = 0
        self.plc.set_state(RUNNING)

    def recorded(self, db) -> bool:
        return recorded(db, "good") == self.good_raw and recorded(db, "scrap") == self.scrap_raw


def station(folder, data) -> Runtime:
    project, problems = check_all(str(folder))
    assert project is not None and not problems, problems
    runtime = Runtime(project, data)
    runtime.start()
    return runtime


@pytest.mark.timeout(300)
def test_a_day_of_production_is_recorded_exactly(tmp_path, port):
    rng = random.Random(7)
    plc = Plc(port)
    plc.set_state(RUNNING)
    folder = write_project(tmp_path / "project", port, "day")
    data = tmp_path / "data"
    db = data / "hmi.db"
    line = Line(plc, rng)
    expected: dict[str | None, list[int]] = {}

    def book(order, made):
        got = expected.setdefault(order, [0, 0])
        got[0] += made[0]
        got[1] += made[1]

    def settle():
        wait_until(lambda: line.recorded(db), 30, "the station to read the PLC")

    runtime = station(folder, data)
    try:
        orders = runtime.service("orders")
        for number in ("D-1", "D-2", "D-3"):
            orders.create(Order(number, "line1", 5000, product=dict(FILLER)), "sup1")
        wait_until(lambda: recorded(db, "good") == line.good_raw, 30, "the first readings")
        book(None, line.produce(40))  # before any order: the line's own count
        settle()
        orders.start("D-1", "op1")
        book("D-1", line.produce(2_600))  # the good counter wraps
        settle()
        line.reset_counter()
        book("D-1", line.produce(300))
        settle()
        orders.complete("D-1", "op1")
        orders.start("D-2", "op1")
        book("D-2", line.produce(500))
        runtime.stop()  # the HMI restarts while the line goes on
        book("D-2", line.produce(150))
        runtime = station(folder, data)
        orders = runtime.service("orders")
        book("D-2", line.produce(400))
        settle()
        line.power_cycle()
        book("D-2", line.produce(600))
        settle()
        orders.hold("D-2", "op1", "Quality check")
        book(None, line.produce(120))  # held: counted, but for the line, not the order
        settle()
        orders.resume("D-2", "op1")
        book("D-2", line.produce(300, scrap_share=0.3))
        settle()
        orders.complete("D-2", "op1")
        orders.start("D-3", "op1")
        book("D-3", line.produce(700))
        runtime.stop()
        book("D-3", line.produce(200))
        runtime = station(folder, data)
        orders = runtime.service("orders")
        book("D-3", line.produce(250))
        settle()
        orders.complete("D-3", "op1")
        finals = {n: orders.order(n) for n in ("D-1", "D-2", "D-3")}
    finally:
        runtime.stop()
        plc.close()
    for number, order in finals.items():
        assert order.state is OrderState.COMPLETED
        assert [order.good, order.scrap] == expected[number], number
    rows = query(
        db,
        "SELECT order_number, counter, sum(delta) FROM counts "
        "WHERE kind IN ('count', 'wrap', 'reset') GROUP BY order_number, counter",
    )
    recorded_total = {"good": 0, "scrap": 0}
    for _, counter, total in rows:
        recorded_total[counter] += total
    assert recorded_total == {"good": line.good, "scrap": line.scrap}
    by_order = {(n, c): t for n, c, t in rows}
    assert [by_order.get((None, "good"), 0), by_order.get((None, "scrap"), 0)] == expected[None]
    kinds = dict(query(db, "SELECT kind, count(*) FROM counts GROUP BY kind"))
    assert kinds.get("wrap", 0) >= 2 and kinds.get("reset", 0) >= 2, kinds
