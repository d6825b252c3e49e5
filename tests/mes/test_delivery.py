"""The delivery worker against a target in the test's process: every event taken exactly
once after de-duplication by key and in order per stream, through transient errors, a
poison event, a second target that is down, a restart, a full disk, a backlog with live
events, and the outbox of a real orders service."""

from __future__ import annotations

import time

from hmi.core import outbox
from hmi.core.access import Access
from hmi.core.mes.config import MesConfig
from hmi.core.mes.service import Mes
from hmi.core.store import Writer, connect

from .conftest import (
    FakeTarget,
    assert_in_order_once,
    outbox_ids,
    store,
    target_config,
    wait_until,
    write_events,
)

STREAMS = ("O-1", "O-2", "O-3", "line:line1")


def mes_over(writer: Writer, *fakes: FakeTarget, **options) -> Mes:
    config = MesConfig({f.name: target_config(f, **options) for f in fakes})
    return Mes(config, writer, Access(), poll=0.05).load()


def mixed(n: int, kinds=("count",)) -> list[tuple[str, str]]:
    return [(STREAMS[i % len(STREAMS)], kinds[i % len(kinds)]) for i in range(n)]


def per_stream(events: list[tuple[str, str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for stream, _ in events:
        counts[stream] = counts.get(stream, 0) + 1
    return counts


def taken_all(fake: FakeTarget, n: int):
    return lambda: len(fake.kept) >= n


def test_transient_errors_are_retried_with_backoff_and_nothing_is_lost_or_doubled(writer):
    events = mixed(400)
    write_events(writer, events)
    fake = FakeTarget(max_batch=40)
    fake.fail_times = 4
    mes = mes_over(writer, fake).start()
    try:
        assert wait_until(taken_all(fake, 400), 20)
        assert fake.errors == 4
        assert_in_order_once(fake, per_stream(events))
        assert wait_until(lambda: mes.status()[0].backlog == 0)
        status = mes.status()[0]
        assert status.state == "ok" and status.quarantined == 0 and status.last_success
        assert fake.closes >= 4  # the connection is opened again after each failure
        # cleanup: every row went but the newest (the id high-water mark)
        assert wait_until(lambda: len(outbox_ids(writer.path)) == 1)
    finally:
        mes.stop()


def test_retry_after_is_honoured_and_a_target_that_keeps_failing_is_failing(writer):
    write_events(writer, mixed(10))
    fake = FakeTarget()
    fake.retry_after = 0.6
    fake.fail_times = 1
    mes = mes_over(writer, fake)
    first_try = time.monotonic()
    mes.start()
    try:
        assert wait_until(taken_all(fake, 10), 10)
        waited = fake.times[min(fake.kept, key=lambda k: fake.times[k])] - first_try
        assert waited >= 0.55  # the backoff alone would have been 0.02..0.04 s
        fake.retry_after = None
        fake.down = True
        write_events(writer, mixed(5))
        assert wait_until(lambda: mes.status()[0].state == "failing", 10)
        status = mes.status()[0]
        assert status.last_error == "503 unavailable" and status.backlog == 5
        fake.down = False
        assert wait_until(lambda: mes.status()[0].state == "ok" and len(fake.kept) == 15, 10)
    finally:
        mes.stop()


def test_a_poison_event_is_quarantined_while_the_rest_flows(writer):
    events = mixed(200, kinds=("count", "count", "scrap", "count", "count"))
    write_events(writer, events)
    fake = FakeTarget(max_batch=30, refuse_kinds=["scrap"])
    mes = mes_over(writer, fake).start()
    try:
        expected_kept = sum(1 for _, k in events if k != "scrap")
        assert wait_until(taken_all(fake, expected_kept), 20)
        assert wait_until(lambda: mes.status()[0].backlog == 0)
        gaps: dict[str, set[int]] = {}
        seqs: dict[str, int] = {}
        for stream, kind in events:
            seqs[stream] = seqs.get(stream, 0) + 1
            if kind == "scrap":
                gaps.setdefault(stream, set()).add(seqs[stream])
        assert_in_order_once(fake, seqs, gaps)
        rows = mes.quarantined("fake")
        assert len(rows) == 40 and mes.status()[0].quarantined == 40
        assert {r.kind for r in rows} == {"scrap"} and rows[0].reason == "scrap not taken"
        assert all(r.event is not None and r.attempts == 1 for r in rows)
        # the quarantined rows stay in the outbox; the delivered ones went (but the newest)
        assert wait_until(lambda: len(outbox_ids(writer.path)) == 41)
        assert {r.outbox_id for r in rows} <= set(outbox_ids(writer.path))
    finally:
        mes.stop()


def test_two_targets_rows_stay_until_both_took_them(writer):
    events = mixed(120)
    write_events(writer, events)
    up, down = FakeTarget("up", max_batch=25), FakeTarget("down", max_batch=25)
    down.down = True
    mes = mes_over(writer, up, down).start()
    try:
        assert wait_until(taken_all(up, 120), 10)
        assert wait_until(lambda: down.errors >= 3, 10)
        time.sleep(0.3)  # cleanup had its chance: nothing may go while one target lacks it
        assert len(outbox_ids(writer.path)) == 120
        states = {s.target: s for s in mes.status()}
        assert states["up"].backlog == 0 and states["down"].backlog == 120
        down.down = False
        assert wait_until(taken_all(down, 120), 10)
        assert_in_order_once(up, per_stream(events))
        assert_in_order_once(down, per_stream(events))
        assert wait_until(lambda: len(outbox_ids(writer.path)) == 1)
    finally:
        mes.stop()


def test_a_new_service_resumes_from_the_cursor_after_a_crash_resending_at_most_a_batch(
    tmp_path,
):
    path = tmp_path / "hmi.db"
    writer = store(path)
    events = mixed(600)
    write_events(writer, events)
    fake = FakeTarget(max_batch=50)
    fake.delay = 0.01
    mes = mes_over(writer, fake).start()
    assert wait_until(lambda: len(fake.kept) >= 200, 20)
    writer.stop()  # the process dies: the cursor of the batch in flight never lands
    mes.stop(2)
    sent_before = fake.sent
    assert sent_before < 600
    writer = store(path)
    fake.delay = 0.0
    mes = mes_over(writer, fake).start()
    try:
        assert wait_until(taken_all(fake, 600), 20)
        assert wait_until(lambda: mes.status()[0].backlog == 0)
        resent = fake.sent - 600
        assert 0 <= resent <= 50
        assert_in_order_once(fake, per_stream(events))
    finally:
        mes.stop()
        writer.stop()


def test_a_new_streams_event_goes_out_while_a_large_backlog_drains(writer):
    backlog = [(f"O-{i % 10}", "count") for i in range(20_000)]
    write_events(writer, backlog)
    fake = FakeTarget(max_batch=100)
    fake.delay = 0.03  # a slow MES: the backlog takes several seconds
    mes = mes_over(writer, fake).start()
    try:
        assert wait_until(lambda: len(fake.kept) >= 500, 20)
        written = time.monotonic()
        write_events(writer, [("O-new", "order.state"), ("O-3", "count")])
        new_key = next(k for k, e in fake_events(writer) if e == ("O-new", 1))
        old_key = next(k for k, e in fake_events(writer) if e == ("O-3", 2001))
        assert wait_until(lambda: new_key in fake.kept, 10)
        latency = fake.times[new_key] - written
        left = 20_000 - len(fake.kept)
        assert left > 5_000, "the new stream's event waited for the backlog"
        assert latency < 3.0
        assert old_key not in fake.kept  # O-3's new event waits for O-3's older ones
        assert wait_until(taken_all(fake, 20_002), 60)
        expected = per_stream(backlog) | {"O-new": 1}
        expected["O-3"] += 1
        assert_in_order_once(fake, expected)
        assert fake.sent == 20_002
    finally:
        mes.stop()


def fake_events(writer: Writer) -> list[tuple[str, tuple[str, int]]]:
    conn = connect(writer.path, readonly=True)
    try:
        return [(k, (s, q)) for k, s, q in conn.execute("SELECT key, stream, seq FROM outbox")]
    finally:
        conn.close()


def test_a_full_disk_holds_the_worker_and_nothing_is_lost_or_doubled(writer):
    writer.submit(lambda conn: conn.execute("CREATE TABLE filler (data BLOB)"))
    events = mixed(400)
    write_events(writer, events)
    fake = FakeTarget(max_batch=20)
    fake.delay = 0.01
    mes = mes_over(writer, fake).start()
    try:
        assert wait_until(lambda: len(fake.kept) >= 60, 10)
        pages = writer.conn.execute("PRAGMA page_count").fetchone()[0]
        writer.submit(lambda conn: conn.execute(f"PRAGMA max_page_count = {pages}"))
        assert writer.flush(5)  # alone: a retried batch must not set the limit again
        writer.submit(lambda conn: conn.execute("INSERT INTO filler VALUES (?)", (b"x" * 10**6,)))
        assert wait_until(lambda: writer.problem is not None, 5)
        assert "full" in writer.problem
        write_events_later = mixed(40)
        pending = len(write_events_later)
        batch = [
            outbox.event(s, k, {"late": i}, time.time())
            for i, (s, k) in enumerate(write_events_later)
        ]
        writer.submit(lambda conn: outbox.write(conn, batch), durable=True)
        held = fake.sent
        time.sleep(0.5)
        assert fake.sent - held <= 20  # at most the batch whose cursor is waiting
        writer.conn.execute("PRAGMA max_page_count = 1073741823")  # space returns
        assert wait_until(lambda: writer.problem is None, 10)
        assert wait_until(taken_all(fake, 400 + pending), 20)
        assert_in_order_once(fake, per_stream(events + write_events_later))
        assert fake.sent == 400 + pending
    finally:
        mes.stop()


def test_the_events_of_a_real_orders_service_reach_the_target_in_order(tmp_path):
    from tests.unit.orders.service_setup import Clock, close, press_order, service

    clock = Clock()
    orders = service(tmp_path / "hmi.db", clock)
    orders.create(press_order("P-1", 500), "sup1")
    clock.advance(5)
    orders.start("P-1", "op1")
    fake = FakeTarget(max_batch=3)
    mes = mes_over(orders.store, fake).start()
    try:
        for raw in (100, 104, 111, 120):
            orders.feed_counter("line1", "good", raw, ts=clock.advance(2))
            orders.tick()
        clock.advance(5)
        orders.hold("P-1", "op1", "Waiting for billets")
        assert orders.store.flush(5)

        def held() -> bool:
            with fake.lock:
                return any(e.payload.get("action") == "hold" for e in fake.kept.values())

        assert wait_until(held, 10)
        taken = sorted((e for e in fake.kept.values() if e.stream == "P-1"), key=lambda e: e.seq)
        assert fake.streams["P-1"] == list(range(1, len(taken) + 1))  # in order, no gap
        actions = [e.payload["action"] for e in taken if e.kind == "order.state"]
        assert actions == ["create", "start", "hold"]
        assert taken[0].kind == taken[1].kind == taken[-1].kind == "order.state"
        assert sum(e.payload["counts"]["good"] for e in taken if e.kind == "count") == 20
    finally:
        mes.stop()
        close(orders)


def test_a_disabled_target_sends_nothing_and_holds_no_row(writer):
    write_events(writer, mixed(30))
    on, off = FakeTarget("on"), FakeTarget("off")
    config = MesConfig({"on": target_config(on), "off": target_config(off, enabled=False)})
    mes = Mes(config, writer, Access(), poll=0.05).load().start()
    try:
        assert wait_until(taken_all(on, 30), 10)
        assert wait_until(lambda: len(outbox_ids(writer.path)) == 1)
        states = {s.target: s.state for s in mes.status()}
        assert states == {"on": "ok", "off": "stopped"} and off.sent == 0 and off.opens == 0
    finally:
        mes.stop()
