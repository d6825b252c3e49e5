"""What the PLC is told about an order: its data when it starts, a target of 0 (no order)
when it completes or is aborted, so a line completed short of its target stops making it."""

from __future__ import annotations

import pytest

from hmi.core.orders import Order

from .orders_plant import Plc, wait_until, write_project
from .test_orders_day import FILLER, station

TARGET = 10  # holding register of line1.order_target (uint32, two registers)


def plc_target(plc: Plc) -> int:
    high, low = plc.read(TARGET)
    return high << 16 | low


@pytest.mark.timeout(120)
def test_the_plc_gets_the_target_at_start_and_zero_when_the_order_ends(tmp_path, port):
    plc = Plc(port)
    runtime = station(write_project(tmp_path / "project", port, "download"), tmp_path / "data")
    try:
        orders = runtime.service("orders")
        orders.create(Order("T-1", "line1", 70_000, product=dict(FILLER)), "sup1")
        orders.create(Order("T-2", "line1", 1_200, product=dict(FILLER)), "sup1")
        orders.start("T-1", "op1")
        wait_until(lambda: plc_target(plc) == 70_000, 20, "the order's target in the PLC")
        orders.complete("T-1", "op1", "short of target: end of the batch")
        wait_until(lambda: plc_target(plc) == 0, 20, "target 0 after completing")
        orders.start("T-2", "op1")
        wait_until(lambda: plc_target(plc) == 1_200, 20, "the next order's target")
        orders.abort("T-2", "op1", "wrong product")
        wait_until(lambda: plc_target(plc) == 0, 20, "target 0 after aborting")
    finally:
        runtime.stop()
        plc.close()
