"""Counter roles read from several tags (a PLC's and a camera's): each tag tracked and
stored on its own, their steps summed into the role; the uninspected role kept on the
order; a store written before readings were kept per tag resumes where it was."""

from __future__ import annotations

import dataclasses
import json
import sqlite3

from hmi.core.access import Access
from hmi.core.orders import schema
from hmi.core.orders.config import CounterConfig, OrdersConfig
from hmi.core.orders.service import Orders
from hmi.core.store import migrate

from .service_setup import Clock, close, config, press_order, writer

CAM = "_sys.vision.press_cam."
PLC_SCRAP = "line1.scrap_count"


def camera_config() -> OrdersConfig:
    """Line 1 counts good and uninspected by the camera, scrap by the PLC and the camera."""
    base = config()
    press = base.lines["line1"]
    counters = [
        CounterConfig("good", CAM + "good", 2**64),
        CounterConfig("scrap", PLC_SCRAP, 2**32),
        CounterConfig("scrap", CAM + "scrap", 2**64),
        CounterConfig("uninspected", CAM + "uninspected", 2**64),
        CounterConfig("billets", "line1.billet_count", 2**16),
    ]
    press = dataclasses.replace(press, counters={c.tag: c for c in counters})
    return dataclasses.replace(base, lines={**base.lines, "line1": press})


def start(db, clock: Clock, orders_config: OrdersConfig | None = None) -> Orders:
    orders = Orders(orders_config or camera_config(), writer(db), Access(clock), clock=clock)
    return orders.load()


def running(tmp_path) -> tuple[Orders, Clock, object]:
    """A station with order P-1 running on line 1."""
    clock = Clock()
    db = tmp_path / "hmi.db"
    orders = start(db, clock)
    orders.create(press_order("P-1", 1000), "sup1")
    orders.start("P-1", "op1")
    return orders, clock, db


def readings(db) -> dict[tuple[str, str], int]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT counter, tag, raw FROM counter_state WHERE line = 'line1'")
        return {(role, tag): raw for role, tag, raw in rows}


def test_each_tag_of_a_role_is_tracked_apart_and_their_steps_add_up(tmp_path):
    orders, clock, db = running(tmp_path)
    baselines = {CAM + "good": 40, PLC_SCRAP: 900, CAM + "scrap": 3, CAM + "uninspected": 1}
    for tag, raw in baselines.items():
        orders.feed_counter("line1", tag, raw, ts=clock.advance(1))
    moves = [
        (CAM + "good", 45), (PLC_SCRAP, 902), (CAM + "scrap", 4), (CAM + "uninspected", 3),
        (CAM + "good", 50), (CAM + "scrap", 6), (PLC_SCRAP, 903),
    ]  # fmt: skip
    for tag, raw in moves:
        orders.feed_counter("line1", tag, raw, ts=clock.advance(1))
    orders.tick()
    assert orders.store.flush(5)
    order = orders.order("P-1")
    # good 40 -> 50; scrap: PLC 900 -> 903 and camera 3 -> 6; uninspected 1 -> 3
    assert (order.good, order.scrap, order.uninspected) == (10, 6, 2)
    assert readings(db) == {
        ("good", CAM + "good"): 50,
        ("scrap", PLC_SCRAP): 903,
        ("scrap", CAM + "scrap"): 6,
        ("uninspected", CAM + "uninspected"): 3,
    }
    with sqlite3.connect(db) as conn:
        stored = conn.execute(
            "SELECT good, scrap, uninspected FROM orders WHERE number = 'P-1'"
        ).fetchone()
        sources = dict(
            conn.execute(
                "SELECT source, sum(delta) FROM counts WHERE counter = 'scrap' GROUP BY source"
            ).fetchall()
        )
        payloads = [
            json.loads(p) for (p,) in conn.execute("SELECT payload FROM outbox WHERE kind='count'")
        ]
    assert stored == (10, 6, 2)
    assert sources == {PLC_SCRAP: 3, CAM + "scrap": 3}  # each step says which tag counted it
    assert sum(p["counts"].get("uninspected", 0) for p in payloads) == 2
    assert {s[6] for p in payloads for s in p["steps"] if s[0] == "scrap"} == {
        PLC_SCRAP, CAM + "scrap"
    }  # fmt: skip
    assert orders.figures("P-1")["uninspected"] == 2.0
    close(orders)


def test_a_restart_resumes_each_tag_of_a_role_exactly(tmp_path):
    orders, clock, db = running(tmp_path)
    for tag, raw in ((PLC_SCRAP, 100), (CAM + "scrap", 10), (PLC_SCRAP, 104), (CAM + "scrap", 12)):
        orders.feed_counter("line1", tag, raw, ts=clock.advance(1))
    orders.tick()
    assert orders.store.flush(5)
    orders.feed_counter("line1", PLC_SCRAP, 109, ts=clock.advance(1))  # lost with the process
    orders.store.stop()
    orders = start(db, clock)
    assert orders.order("P-1").scrap == 6
    # both moved on while the station was down; each resumes from its own stored reading
    orders.feed_counter("line1", PLC_SCRAP, 110, ts=clock.advance(1))
    orders.feed_counter("line1", CAM + "scrap", 15, ts=clock.advance(1))
    orders.tick()
    assert orders.order("P-1").scrap == 6 + 6 + 3
    close(orders)
    orders = start(db, clock)
    assert orders.order("P-1").scrap == 15  # nothing twice
    close(orders)


def test_a_role_with_one_tag_is_fed_by_its_role_name_too(tmp_path):
    clock = Clock()
    db = tmp_path / "hmi.db"
    orders = start(db, clock)
    assert orders.feed_counter("line1", "good", 5, ts=clock.advance(1)) is not None
    assert orders.feed_counter("line1", "scrap", 5, ts=clock.advance(1)) is None  # two tags
    assert orders.feed_counter("line1", "nothing", 5) is None
    close(orders)


def v2_store(db) -> None:
    """A store as the schema before per-tag readings wrote it: an order with its counts
    and one reading per role."""
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, schema.COMPONENT, schema.STEPS[:2])
    conn.execute(
        "INSERT INTO orders (number, line, target, state, product, good, scrap, billets, "
        "created, started) VALUES ('P-1', 'line1', 1000, 'running', '{}', 25, 4, 2, 1.0, 1.0)"
    )
    conn.executemany(
        "INSERT INTO counter_state (line, counter, raw, ts) VALUES (?, ?, ?, ?)",
        [("line1", "good", 125, 5.0), ("line1", "scrap", 7, 5.0), ("line1", "billets", 9, 5.0)],
    )
    conn.close()


def test_a_store_written_before_readings_per_tag_upgrades_and_resumes(tmp_path):
    clock = Clock()
    db = tmp_path / "hmi.db"
    v2_store(db)
    # the same single-tag configuration as before: every role resumes from its reading
    orders = start(db, clock, config())
    assert orders.order("P-1").uninspected == 0
    orders.feed_counter("line1", "line1.profile_count", 130, ts=clock.advance(1))
    orders.feed_counter("line1", "line1.scrap_count", 8, ts=clock.advance(1))
    orders.feed_counter("line1", "line1.billet_count", 10, ts=clock.advance(1))
    orders.tick()
    order = orders.order("P-1")
    assert (order.good, order.scrap, order.billets) == (30, 5, 3)
    close(orders)
    assert readings(db) == {
        ("good", "line1.profile_count"): 130,
        ("scrap", "line1.scrap_count"): 8,
        ("billets", "line1.billet_count"): 10,
    }


def test_an_upgrade_gives_a_roles_reading_to_its_one_plc_tag_beside_a_camera(tmp_path):
    clock = Clock()
    db = tmp_path / "hmi.db"
    v2_store(db)
    orders = start(db, clock)  # scrap now reads the PLC's counter and the camera's
    orders.feed_counter("line1", PLC_SCRAP, 10, ts=clock.advance(1))  # 7 -> 10: counted
    orders.feed_counter("line1", CAM + "scrap", 40, ts=clock.advance(1))  # a first reading
    orders.feed_counter("line1", CAM + "good", 500, ts=clock.advance(1))  # the same
    orders.tick()
    order = orders.order("P-1")
    assert (order.good, order.scrap) == (25, 4 + 3)
    close(orders)
    stored = readings(db)
    assert stored[("scrap", PLC_SCRAP)] == 10 and stored[("scrap", CAM + "scrap")] == 40
    # the camera's good counter is no PLC tag: the old good reading (of another tag) is
    # left alone, never taken as the camera's baseline
    assert stored[("good", CAM + "good")] == 500 and stored[("good", "")] == 125
