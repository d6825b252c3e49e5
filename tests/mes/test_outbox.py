"""The outbox as a core module: gapless sequences per stream, reading after a cursor."""

from __future__ import annotations

from hmi.core import outbox
from hmi.core.orders import OutboxEvent as FromOrders
from hmi.core.orders.schema import prepare
from hmi.core.store import connect


def test_read_after_gives_the_events_above_an_id_in_id_order(tmp_path):
    conn = connect(tmp_path / "hmi.db")
    prepare(conn)
    events = [outbox.event(s, "count", {"i": i}, 100.0 + i) for i, s in enumerate("abab")]
    with conn:
        conn.execute("BEGIN")
        outbox.write(conn, events)
    everything = outbox.read(conn, 100)
    assert [(e.stream, e.seq) for e in everything] == [("a", 1), ("b", 1), ("a", 2), ("b", 2)]
    after = outbox.read_after(conn, everything[1].id, 10)
    assert [e.key for e in after] == [e.key for e in events[2:]]
    assert after[0].payload == {"i": 2} and after[0].ts == 102.0
    assert outbox.read_after(conn, everything[0].id, 1) == [everything[1]]
    assert outbox.read_after(conn, everything[-1].id, 10) == []
    outbox.delete(conn, [everything[0].id])
    assert outbox.read_after(conn, 0, 10) == everything[1:]
    assert FromOrders is outbox.OutboxEvent  # the orders package still names it
    conn.close()


def test_streams_of_orders_and_lines():
    assert outbox.stream_of("P-1", "line1") == "P-1"
    assert outbox.stream_of(None, "line1") == outbox.line_stream("line1") == "line:line1"
