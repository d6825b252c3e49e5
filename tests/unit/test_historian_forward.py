"""Store and forward to a central history: outages wait, restarts resume, late points go too."""

from __future__ import annotations

import math
import time

import pytest

from hmi.core.historian import Forwarder, MemoryTarget
from hmi.core.historian.forward import MemoryCursor
from hmi.core.historian.storage import SCHEMA, InsertJob, encode, register_tags
from hmi.core.store import Writer, migrate
from hmi.core.tags import Quality

T0 = 1_700_000_000_000


@pytest.fixture
def store(tmp_path):
    writer = Writer(tmp_path / "hmi.db", flush_interval=0.01)
    migrate(writer.conn, "historian", SCHEMA)
    ids = register_tags(writer.conn, {"a": 0, "b": 2})
    writer.start()

    def write(name, points, late=()):
        def rows(items):
            return [(ids[name], t, *encode(v)) for t, v in items]

        writer.submit(InsertJob(rows(points), rows(late), [], 1, frozenset({ids["a"]})))
        assert writer.flush(5)

    yield writer, write
    writer.stop()


def drain(forwarder: Forwarder, limit: int = 50) -> None:
    for _ in range(limit):
        if forwarder.step() == 0:
            return
    raise AssertionError("the forwarder did not run out of points")


def test_every_point_reaches_the_target_once_it_answers(store):
    writer, write = store
    write("a", [(T0 + i, float(i)) for i in range(12_000)] + [(T0 + 20_000, math.nan)])
    write("b", [(T0, "Cola"), (T0 + 5, "Water")])
    target = MemoryTarget("central")
    target.failing = "connection refused"
    forwarder = Forwarder(writer.path, target, writer, batch=5000)
    assert forwarder.step() == 0 and "connection refused" in forwarder.problem
    target.failing = None
    drain(forwarder)
    assert forwarder.problem is None and len(target.rows) == 12_003
    assert math.isnan(target.rows[("a", T0 + 20_000)].value)
    assert target.rows[("b", T0 + 5)].value == "Water"
    assert target.rows[("a", T0 + 7)].quality is Quality.GOOD
    forwarder.stop()
    again = Forwarder(writer.path, target, writer)  # a restart resumes from the saved cursor
    calls = target.calls
    assert again.step() == 0 and target.calls == calls
    again.stop()


def test_points_stored_late_after_a_clock_jump_are_sent_as_well(store):
    writer, write = store
    write("a", [(T0 + i * 1000, float(i)) for i in range(10)])
    target = MemoryTarget()
    forwarder = Forwarder(writer.path, target, writer)
    drain(forwarder)
    write("a", [], late=[(T0 + 2500, 99.0)])
    drain(forwarder)
    assert target.rows[("a", T0 + 2500)].value == 99
    forwarder.stop()


def test_the_thread_forwards_until_stopped_with_a_cursor_in_memory(store):
    writer, write = store
    write("a", [(T0 + i, float(i)) for i in range(300)])
    target = MemoryTarget()
    forwarder = Forwarder(writer.path, target, cursor=MemoryCursor(), interval=0.01).start()
    deadline = time.monotonic() + 5
    while len(target.rows) < 300 and time.monotonic() < deadline:
        time.sleep(0.01)
    forwarder.stop()
    assert len(target.rows) == 300 and forwarder.sent == 300
