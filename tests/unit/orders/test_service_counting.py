"""Counting and downtime through the service: readings in, steps, totals, stops and
outbox rows out; a restart from the store resumes exactly; a clock set back changes no
order of records and makes no negative duration."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest

from hmi.core.access import Access
from hmi.core.orders import flow
from hmi.core.orders.model import MachineState, OrderState
from hmi.core.orders.report import order_oee, order_rows
from hmi.core.orders.service import Orders, OrdersError

from .service_setup import Clock, close, config, press_order, service, writer

M = MachineState


def events(db, kind=None):
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT stream, seq, kind, payload FROM outbox ORDER BY id").fetchall()
    return [(s, q, k, json.loads(p)) for s, q, k, p in rows if kind is None or k == kind]


def test_wraps_resets_and_jumps_are_counted_once_and_the_raw_readings_are_kept(tmp_path):
    clock = Clock()
    db = tmp_path / "hmi.db"
    orders = service(db, clock, modulus=2**16)
    orders.create(press_order("P-1", 10_000), "sup1")
    orders.start("P-1", "op1")
    readings = [65_530, 65_535, 3, 10, None, 4, 9, 5_000, 12]
    for raw in readings:
        clock.advance(1)
        orders.feed_counter("line1", "good", raw, raw is not None)
        orders.tick()
    assert orders.store.flush(5)
    # 65530 first (baseline), +5, wrap +4, +7, Bad, reset after the outage +4, +5,
    # 5000 is a jump (flagged, nothing added), 12 follows on from 9: a glitch, +3
    assert orders.order("P-1").good == 5 + 4 + 7 + 4 + 5 + 3
    with sqlite3.connect(db) as conn:
        kinds = conn.execute(
            "SELECT kind, delta, raw_before, raw_after FROM counts ORDER BY id"
        ).fetchall()
        stored = conn.execute("SELECT good FROM orders WHERE number = 'P-1'").fetchone()[0]
    assert [k for k, *_ in kinds] == [
        "first",
        "count",
        "wrap",
        "count",
        "reset",
        "count",
        "jump",
        "count",
    ]
    assert ("wrap", 4, 65_535, 3) in kinds
    assert stored == 28
    flagged = [p for *_, p in events(db, "count") if any(s[4] == "jump" for s in p["steps"])]
    assert flagged and flagged[0]["counts"].get("good", 0) == 0
    close(orders)


def test_a_restart_resumes_from_the_stored_readings_nothing_counted_twice(tmp_path):
    clock = Clock()
    db = tmp_path / "hmi.db"
    orders = service(db, clock)
    orders.create(press_order("P-1", 1000), "sup1")
    orders.start("P-1", "op1")
    for raw in (100, 110, 125):
        orders.feed_counter("line1", "good", raw, ts=clock.advance(1))
    orders.tick()
    orders.feed_counter("line1", "good", 140, ts=clock.advance(1))  # never written: "killed"
    orders.store.stop()  # the batch above is lost with the process
    orders = service(db, clock)
    assert orders.order("P-1").good == 25
    orders.feed_counter("line1", "good", 150, ts=clock.advance(1))
    orders.tick()
    assert orders.order("P-1").good == 50  # 125 -> 150, the lost 15 counted once
    close(orders)
    orders = service(db, clock)
    assert orders.order("P-1").good == 50
    close(orders)


def test_counts_without_a_running_order_go_to_the_line_and_each_stream_is_gapless(tmp_path):
    clock = Clock()
    db = tmp_path / "hmi.db"
    orders = service(db, clock)
    orders.feed_counter("line1", "good", 0, ts=clock.advance(1))
    orders.feed_counter("line1", "good", 7, ts=clock.advance(1))
    orders.tick()
    orders.create(press_order("P-1", 100), "sup1")
    orders.start("P-1", "op1")
    for raw in (9, 12, 20):
        orders.feed_counter("line1", "good", raw, ts=clock.advance(1))
        orders.tick()
    orders.hold("P-1", "op1", "Die change")
    orders.feed_counter("line1", "good", 22, ts=clock.advance(1))
    orders.tick()
    assert orders.store.flush(5)
    assert orders.order("P-1").good == 13
    found = events(db)
    by_stream: dict[str, list[int]] = {}
    for stream, seq, _, _ in found:
        by_stream.setdefault(stream, []).append(seq)
    assert set(by_stream) == {"line:line1", "P-1"}
    for seqs in by_stream.values():
        assert seqs == list(range(1, len(seqs) + 1))
    line_counts = [p["counts"]["good"] for s, _, k, p in found if (k, s) == ("count", "line:line1")]
    assert line_counts == [7, 2]
    close(orders)


def test_vision_counts_take_the_same_path(tmp_path):
    orders = service(tmp_path / "hmi.db", Clock())
    orders.create(press_order("P-1", 100), "sup1")
    orders.start("P-1", "op1")
    orders.add_count("line1", good=3, scrap=1, source="vision:cam1")
    assert orders.store.flush(5)
    order = orders.order("P-1")
    assert (order.good, order.scrap) == (3, 1)
    with pytest.raises(OrdersError, match="whole number"):
        orders.add_count("line1", good="many", source="vision:cam1")
    with pytest.raises(OrdersError, match="no line"):
        orders.add_count("line7", good=1, source="vision:cam1")
    close(orders)


def test_stops_are_detected_kept_open_over_a_restart_and_get_their_reasons(tmp_path):
    clock = Clock()
    db = tmp_path / "hmi.db"
    orders = service(db, clock)
    orders.create(press_order("P-1", 100), "sup1")
    orders.start("P-1", "op1")
    orders.feed_state("line1", M.RUNNING, clock.advance(1))
    orders.feed_state("line1", M.FAULT, clock.advance(60))
    orders.feed_state("line1", M.RUNNING, clock.advance(30))  # 30 s < 90 s: micro
    orders.feed_state("line1", M.IDLE, clock.advance(60))
    started = clock.now
    assert orders.store.flush(5)
    close(orders)
    orders = service(db, clock)  # restarted during the stop
    [open_stop] = [s for s in orders.stops("line1", 0) if s.open]
    assert open_stop.start == started and open_stop.order == "P-1"
    orders.feed_state("line1", M.FAULT, clock.advance(100))
    orders.feed_state("line1", M.RUNNING, clock.advance(500))
    stops = orders.stops("line1", 0)
    assert [(s.micro, s.state, s.end - s.start) for s in stops] == [
        (True, M.FAULT, 30.0),
        (False, M.FAULT, 600.0),  # the same stop, across the restart; its worst state
    ]
    assert [s.id for s in orders.unassigned_stops("line1")] == [stops[1].id]
    with pytest.raises(OrdersError, match="did you mean"):
        orders.assign_reason(stops[1].id, "unplanned/Mechanical/Die jamm", "op1")
    orders.assign_reason(stops[1].id, "unplanned/Mechanical/Die jam", "op1", "again")
    assert orders.unassigned_stops() == []
    first, second = orders.split_stop(stops[1].id, stops[1].start + 200, "lead1")
    assert (first.end - first.start, second.end - second.start) == (200.0, 400.0)
    merged = orders.merge_stops(second.id, first.id, "lead1")
    assert (merged.id, merged.end - merged.start) == (first.id, 600.0)
    with pytest.raises(OrdersError, match="two different stops"):
        orders.merge_stops(stops[0].id, stops[0].id, "lead1")
    with pytest.raises(OrdersError, match="no stop 99"):
        orders.merge_stops(stops[0].id, 99, "lead1")
    assert orders.store.flush(5)
    kinds = [k for _, _, k, _ in events(db) if k.startswith("downtime")]
    assert kinds == [
        "downtime.start",
        "downtime.end",
        "downtime.start",
        "downtime.end",
        "downtime.reason",
        "downtime.split",
        "downtime.merge",
    ]
    close(orders)
    orders = service(db, clock)
    assert [(s.end - s.start, s.reason.name) for s in orders.stops("line1", 0) if not s.micro] == [
        (600.0, "Die jam")
    ]
    close(orders)


def test_a_clock_set_back_makes_no_negative_duration_and_keeps_the_record_order(tmp_path):
    clock = Clock()
    db = tmp_path / "hmi.db"
    orders = service(db, clock)
    orders.create(press_order("P-1", 100), "sup1")
    orders.start("P-1", "op1")
    orders.feed_state("line1", M.RUNNING, clock.advance(10))
    orders.feed_state("line1", M.FAULT, clock.advance(10))
    clock.advance(-3600)  # the clock is set back an hour
    orders.feed_state("line1", M.RUNNING, None)
    orders.feed_counter("line1", "good", 5, ts=None)
    orders.feed_counter("line1", "good", 9, ts=None)
    orders.tick()
    done = orders.complete("P-1", "op1")
    assert done.ended >= done.started
    assert all(s.end >= s.start for s in orders.stops("line1", 0))
    assert orders.store.flush(5)
    with sqlite3.connect(db) as conn:
        stamps = [r[0] for r in conn.execute("SELECT ts FROM outbox ORDER BY id")]
        changes = [r[0] for r in conn.execute("SELECT ts FROM order_changes ORDER BY id")]
    assert stamps == sorted(stamps) and changes == sorted(changes)
    close(orders)


def test_a_shift_change_while_an_order_runs_closes_the_shift_once_and_the_order_goes_on(
    tmp_path,
):
    clock = Clock()  # 06:00, the Morning shift starts
    db = tmp_path / "hmi.db"
    orders = service(db, clock)
    orders.create(press_order("P-1", 1000), "sup1")
    orders.start("P-1", "op1")
    orders.feed_counter("line1", "good", 0, ts=clock.now)
    orders.feed_counter("line1", "good", 300, ts=clock.advance(7.9 * 3600))
    orders.tick()
    clock.advance(0.2 * 3600)  # 14:06: the Morning shift ended
    [shift] = orders.shifts_to_close("line1", clock.now)
    assert shift.name == "Morning"
    report = orders.close_shift("line1", shift)
    assert report.good == 300 and [o.number for o in report.orders] == ["P-1"]
    assert orders.close_shift("line1", shift) is None  # once
    orders.feed_counter("line1", "good", 350, ts=clock.advance(60))
    orders.tick()
    assert orders.order("P-1").state is OrderState.RUNNING and orders.order("P-1").good == 350
    assert orders.store.flush(5)
    [(stream, _, _, payload)] = events(db, "shift.end")
    assert stream == "line:line1" and payload["good"] == 300 and payload["orders"] == ["P-1"]
    close(orders)
    orders = service(db, clock)
    assert orders.shifts_to_close("line1", clock.now) == []  # not again after a restart
    afternoon = orders.config.calendar.shift_at(clock.now)
    assert orders.shift_report("line1", afternoon).good == 50
    close(orders)


def test_a_watcher_reading_figures_on_a_commit_never_holds_up_an_action(tmp_path):
    """Watchers are told on the writer's thread; one that reads live figures there while an
    action waits for its own commit (in the same batch, after a count) must not stall it."""
    clock = Clock()
    orders = Orders(
        config(), writer(tmp_path / "hmi.db"), Access(clock), clock=clock, commit_timeout=3.0
    )
    orders.load()
    read = []
    orders.watch(lambda line: read.append((orders.now(), orders.rate(line), orders.live_oee(line))))
    orders.create(press_order("P-1", 1000), "sup1")
    orders.start("P-1", "op1")
    orders.feed_counter("line1", "good", 0, ts=clock.now)
    for raw in (10, 20, 30):
        blocker = threading.Event()
        orders.store.submit(lambda conn, b=blocker: b.wait(5))  # holds the writer a moment
        orders.feed_counter("line1", "good", raw, ts=clock.advance(1))
        orders.tick()  # a count job, queued before the action's
        threading.Timer(0.2, blocker.set).start()
        began = time.monotonic()
        if raw == 20:
            orders.resume("P-1", "op1")
        else:
            orders.hold("P-1", "op1", "check")
        assert time.monotonic() - began < 2.0
    assert len(read) >= 6
    close(orders)


def test_an_order_across_a_shift_end_is_credited_in_each_shift_what_it_made_there(tmp_path):
    """Morning 06:00-14:00, Afternoon 14:00-22:00; P-1 runs 06:00-16:00 with PLC counts,
    scrap recorded by hand and a correction, some on each side of 14:00."""
    clock = Clock()  # 06:00
    orders = service(tmp_path / "hmi.db", clock)
    orders.create(press_order("P-1", 1000, ideal_cycle_s=40.0), "sup1")
    orders.start("P-1", "op1")
    start = clock.now
    orders.feed_counter("line1", "good", 0, ts=start)
    orders.feed_counter("line1", "scrap", 0, ts=start)
    orders.feed_counter("line1", "good", 100, ts=clock.advance(3600))
    orders.feed_counter("line1", "scrap", 5, ts=clock.now)
    orders.tick()
    orders.record_scrap("P-1", 3, "Surface defect", "op1")
    orders.feed_counter("line1", "good", 250, ts=start + 8 * 3600 - 1)  # 13:59:59
    orders.tick()
    orders.feed_counter("line1", "good", 260, ts=start + 8 * 3600)  # 14:00:00: Afternoon's
    orders.tick()
    orders.feed_counter("line1", "good", 400, ts=clock.advance(8 * 3600))  # 15:00
    orders.feed_counter("line1", "scrap", 9, ts=clock.now)
    orders.tick()
    clock.advance(1800)
    orders.correct_count("P-1", "good", 395, "five counted twice", "lead1")
    clock.advance(1800)
    done = orders.complete("P-1", "op1")  # 16:00
    calendar = orders.config.calendar
    morning = orders.shift_report("line1", calendar.shift_at(start + 3600))
    afternoon = orders.shift_report("line1", calendar.shift_at(start + 9 * 3600))
    assert (morning.shift.name, afternoon.shift.name) == ("Morning", "Afternoon")
    assert morning.order_counts == {"P-1": (250, 8)}
    assert afternoon.order_counts == {"P-1": (145, 4)}
    both = [r for report in (morning, afternoon) for r in order_rows(report)]
    assert sum(r.good for r in both) == done.good == 395
    assert sum(r.scrap for r in both) == done.scrap == 12
    # the order's OEE over its part in each shift: 40 s x its good pieces there / that time
    assert order_oee(morning, done) == pytest.approx(40 * 250 / (8 * 3600))
    assert order_oee(afternoon, done) == pytest.approx(40 * 145 / (2 * 3600))
    close(orders)


def test_a_count_goes_to_disk_at_once_and_gathers_while_the_disk_is_busy(tmp_path, monkeypatch):
    """No tick here: a line's batch is written as soon as its step is made while the line's
    previous batch is on disk; readings meanwhile wait in one batch, written with the next
    reading after that commit (at most one batch per line waits for the disk)."""
    monkeypatch.setattr(flow, "MIN_BATCH_S", 0.0)
    clock = Clock()
    db = tmp_path / "hmi.db"
    orders = service(db, clock)
    orders.create(press_order("P-1", 1000), "sup1")
    orders.start("P-1", "op1")
    orders.feed_counter("line1", "good", 0, ts=clock.now)  # the baseline, no event
    assert orders.store.flush(5)
    orders.feed_counter("line1", "good", 10, ts=clock.advance(1))
    assert orders.store.flush(5)
    blocker = threading.Event()
    orders.store.submit(lambda conn: blocker.wait(5))  # the disk is busy a moment
    for raw in (20, 30, 40):
        orders.feed_counter("line1", "good", raw, ts=clock.advance(1))
    blocker.set()
    assert orders.store.flush(5)
    orders.feed_counter("line1", "good", 50, ts=clock.advance(1))
    assert orders.store.flush(5)
    batches = [[s[3] for s in p["steps"]] for _, _, _, p in events(db, "count")]
    assert batches == [[10], [20], [30, 40, 50]]
    assert orders.order("P-1").good == 50
    close(orders)
