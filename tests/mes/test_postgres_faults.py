"""The PostgreSQL MES target through faults of a real server, in the middle of a burst of
events: a clean restart (stop, start) and a kill (every server process SIGKILLed, as a
power cut), also over TLS. The backlog waits in the outbox, nothing is quarantined for
it, and once the server is back every event is in the database exactly once, in order
per stream."""

from __future__ import annotations

import threading

import pytest

from hmi.core import outbox
from hmi.core.access import Access
from hmi.core.mes.config import MesConfig
from hmi.core.mes.service import Mes

from .conftest import target_config, wait_until
from .test_postgres_target import per_stream, rows, secrets, target

__all__ = ["secrets"]  # the fixture, shared

STREAMS = ("O-1", "O-2", "O-3", "line:line1")
CHUNKS, PER_CHUNK = 60, 50  # 3,000 events


def burst(writer, done: threading.Event, paced: threading.Event) -> threading.Thread:
    """Write CHUNKS chunks of events, one each time ``paced`` allows (or 50 ms pass)."""

    def run() -> None:
        n = 0
        for _ in range(CHUNKS):
            paced.wait(0.05)
            chunk = [
                outbox.event(STREAMS[(n + i) % 4], "count", {"n": n + i}, 1.8e9 + n + i)
                for i in range(PER_CHUNK)
            ]
            n += PER_CHUNK
            writer.submit(lambda conn, c=chunk: outbox.write(conn, c), durable=True)
        writer.flush(10)
        done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def taken(db) -> int:
    try:
        return rows(db, "SELECT count(*) FROM linea.production_events")[0][0]
    except Exception:  # the server is down or the table not made yet
        return 0


@pytest.mark.parametrize("fault", ["restart", "kill", "kill over TLS"])
def test_the_server_going_away_in_a_burst_loses_and_doubles_nothing(
    writer, postgres, secrets, fault
):
    tls = {"host": "localhost", "sslmode": "verify-full", "ca": str(postgres.ca_file)}
    made = target(postgres, secrets, batch=100, **(tls if "TLS" in fault else {}))
    mes = Mes(MesConfig({"plant_db": target_config(made)}), writer, Access(), poll=0.02).load()
    mes.start()
    done, paced = threading.Event(), threading.Event()
    producer = burst(writer, done, paced)
    try:
        assert wait_until(lambda: taken(postgres) >= 300, 30), "nothing arrived before the fault"
        if fault == "restart":
            postgres.stop()
        else:
            postgres.kill()
        assert wait_until(lambda: mes.status()[0].state in ("retrying", "failing"), 30)
        down = mes.status()[0]
        assert down.quarantined == 0
        words = ("restarted or went away", "connection refused")
        assert any(w in down.last_error for w in words), down.last_error
        assert wait_until(done.is_set, 30)  # the burst went on into the outbox meanwhile
        assert mes.status()[0].backlog > 0
        postgres.start()
        assert wait_until(lambda: mes.status()[0].backlog == 0, 60), mes.status()
        assert mes.status()[0].state == "ok" and mes.status()[0].quarantined == 0
    finally:
        paced.set()
        producer.join(30)
        mes.stop()
    got = per_stream(postgres)
    expected = CHUNKS * PER_CHUNK // 4
    assert {s: len(v) for s, v in got.items()} == dict.fromkeys(STREAMS, expected)
    assert all(v == list(range(1, expected + 1)) for v in got.values())
