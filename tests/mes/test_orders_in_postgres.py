"""Released orders from a table of a real PostgreSQL on 127.0.0.1 (``kind: postgres`` with
``orders:``): rows taken into the queue, a bad one refused and reported, an unchanged table
read no further than one row of figures, a changed and a deleted row, and the server down
said in words while the queue stays as it was."""

from __future__ import annotations

import json

import pytest

from hmi.core.access import Access
from hmi.core.connection import ConnectionPolicy
from hmi.core.mes import TargetError
from hmi.core.mes.config import OrdersIn, TargetConfig
from hmi.core.mes.intake import Intake
from hmi.core.mes.orders_pg import PostgresOrderSource
from hmi.core.mes.postgres import PostgresTarget
from hmi.core.orders.model import OrderState
from hmi.core.postgres import PgSettings
from hmi.core.secrets import FileStore
from tests.unit.orders.service_setup import Clock, close, service

from .test_orders_in import job

SECRET = "plant_db"


@pytest.fixture
def station(tmp_path, postgres):
    secrets = FileStore(tmp_path / "config")
    secrets.set(SECRET, postgres.password)
    where = {"host": postgres.host, "port": postgres.port, "database": postgres.database}
    settings = PgSettings(**where, user=postgres.user, password=SECRET, sslmode="disable")
    target = PostgresTarget("plant_db", settings, secrets=secrets)
    clock = Clock()
    orders = service(tmp_path / "hmi.db", clock, Access(clock))
    source = PostgresOrderSource(target, ("line1", "line2"), orders.store)
    backoff = ConnectionPolicy(reconnect_min=0.05, reconnect_max=0.2, demote_after=2**31)
    config = TargetConfig("plant_db", "postgres", lambda: target, backoff=backoff,
                          orders=OrdersIn(0.05, ("line1", "line2")))  # fmt: skip
    intake = Intake(config, source, orders, orders.store, clock=clock).load()
    yield intake, postgres
    intake.stop()
    close(orders)


def release(db, *jobs: dict) -> None:
    with db.connect() as conn:
        for order in jobs:
            body = {k: v for k, v in order.items() if k not in ("ID", "EquipmentID")}
            conn.execute(
                "INSERT INTO linea.released_orders (id, line, job) VALUES (%s, %s, %s) "
                "ON CONFLICT (line, id) DO UPDATE SET job = excluded.job, changed = now()",
                (order["ID"], order["EquipmentID"], json.dumps(body)),
            )


def test_rows_of_the_table_enter_the_queue_and_follow_its_changes(station):
    intake, db = station
    orders = intake.orders
    assert intake.poll() == []  # the table is made, empty
    release(db, job("P-1"), job("P-2", target=0), job("F-1", "line2", 500))
    assert {d.number: d.action for d in intake.poll()} == {
        "P-1": "accept", "P-2": "refuse", "F-1": "accept",
    }  # fmt: skip
    assert orders.order("P-1").source == "mes" and orders.order("F-1").target == 500
    (refused,) = [e.payload for e in orders.outbox(100) if e.kind == "order.refused"]
    assert refused["order"] == "P-2" and "target must be from 1" in refused["reason"]
    reads = intake.source.reads
    for _ in range(3):
        assert intake.poll() == []
    assert intake.source.reads == reads  # one row of figures each time, no orders read
    release(db, job("P-1", target=120))
    with db.connect() as conn:
        conn.execute("DELETE FROM linea.released_orders WHERE id = 'F-1'")
    assert {d.number: d.action for d in intake.poll()} == {"P-1": "revise", "F-1": "withdraw"}
    assert orders.order("P-1").target == 120
    assert orders.order("F-1").state is OrderState.ABORTED
    assert intake.source.reads == reads + 1


def test_the_server_down_is_said_and_changes_nothing(station):
    intake, db = station
    release_later = job("P-1")
    intake.poll()
    db.stop()
    try:
        with pytest.raises(TargetError, match=r"released orders.*127\.0\.0\.1:\d+/plant"):
            intake.poll()
        assert intake.orders.queue("line1") == []
    finally:
        db.start()
    release(db, release_later)
    assert [d.action for d in intake.poll()] == ["accept"]
