"""The historian's points forwarded to a real PostgreSQL: numbers, bools, texts and a NaN
with their quality, kept once when sent again (at least once delivery), an outage that
only makes the points wait, and the ``historian: forward:`` entry read with its mistakes
at their ``file:line``."""

from __future__ import annotations

import math
import time

import pytest

from hmi.core.historian import Forwarder
from hmi.core.historian.config import read_config
from hmi.core.historian.forward import ForwardRow, MemoryCursor
from hmi.core.historian.postgres import PostgresHistory
from hmi.core.historian.storage import SCHEMA, InsertJob, encode, register_tags
from hmi.core.postgres import PgError
from hmi.core.store import Writer, migrate
from hmi.core.tags import Quality

from .test_postgres_target import rows, secrets, settings

__all__ = ["secrets"]  # the fixture, shared

T0 = 1_796_364_000_000  # 2026-12-04 06:00 UTC, ms


@pytest.fixture
def history(tmp_path):
    writer = Writer(tmp_path / "hmi.db", flush_interval=0.01)
    migrate(writer.conn, "historian", SCHEMA)
    ids = register_tags(writer.conn, {"line1.temp": 0, "line1.running": 1, "line1.recipe": 2})
    writer.start()

    def write(name, points):
        batch = [(ids[name], t, *encode(v)) for t, v in points]
        writer.submit(InsertJob(batch, [], [], 1, frozenset()))
        assert writer.flush(5)

    yield writer, write
    writer.stop()


def drain(forwarder: Forwarder, limit: int = 50) -> None:
    for _ in range(limit):
        if forwarder.step() == 0:
            return
    raise AssertionError("the forwarder did not run out of points")


def test_points_reach_the_samples_table_once_with_their_quality(history, postgres, secrets):
    writer, write = history
    write("line1.temp", [(T0 + i * 1000, 400.0 + i) for i in range(6000)])
    write("line1.temp", [(T0 + 7_000_000, math.nan)])
    write("line1.running", [(T0, True), (T0 + 5000, False)])
    write("line1.recipe", [(T0, "6060-A")])
    central = PostgresHistory("central", settings(postgres), secrets=secrets)
    forwarder = Forwarder(writer.path, central, writer, batch=2500)
    drain(forwarder)
    assert forwarder.problem is None and forwarder.sent == 6004
    got = rows(
        postgres,
        "SELECT tag, count(*), min(value), max(value), min(text), min(quality) "
        "FROM linea.samples GROUP BY tag ORDER BY tag",
    )
    assert got == [
        ("line1.recipe", 1, None, None, "6060-A", "good"),
        ("line1.running", 2, 0.0, 1.0, None, "good"),
        ("line1.temp", 6001, 400.0, 400.0 + 5999, None, "good"),
    ]
    nan = rows(postgres, "SELECT value FROM linea.samples WHERE ts = to_timestamp(%s)",
               (T0 + 7_000_000) / 1000)  # fmt: skip
    assert nan == [(None,)]  # stored as no value, the point itself kept
    forwarder.stop()
    again = Forwarder(writer.path, central, cursor=MemoryCursor())  # a lost cursor: all again
    drain(again)
    assert again.sent == 6004
    assert rows(postgres, "SELECT count(*) FROM linea.samples") == [(6004,)]
    assert not central.hypertable  # no TimescaleDB here: the plain table
    again.stop()
    central.close()


def test_an_outage_makes_the_points_wait_and_they_go_when_it_ends(history, postgres, secrets):
    writer, write = history
    write("line1.temp", [(T0 + i * 1000, float(i)) for i in range(100)])
    central = PostgresHistory("central", settings(postgres), secrets=secrets)
    forwarder = Forwarder(writer.path, central, writer)
    postgres.stop()
    assert forwarder.step() == 0
    assert "connection refused" in (forwarder.problem or ""), forwarder.problem
    postgres.start()
    drain(forwarder)
    assert forwarder.problem is None
    assert rows(postgres, "SELECT count(*) FROM linea.samples") == [(100,)]
    postgres.kill()  # the connection it holds dies with the server
    write("line1.temp", [(T0 + 200_000, 1.5)])
    with pytest.raises(PgError, match="restarted or went away"):
        central.send(forwarder.pending_rows()[0])
    postgres.start()
    drain(forwarder)
    assert rows(postgres, "SELECT count(*) FROM linea.samples") == [(101,)]
    forwarder.stop()
    central.close()


def test_a_running_station_forwards_its_history_as_the_project_says(
    tmp_path, postgres, monkeypatch
):
    from hmi.core.historian import Historian
    from hmi.core.runtime import Runtime
    from hmi.core.secrets import open_store
    from tests.integration.test_historian_runtime import sim_project

    monkeypatch.setenv("LINEA_HMI_SECRETS", "file")
    open_store().set("history_forward_db", postgres.password)
    project = sim_project()
    project.extra["historian"]["forward"] = {
        "central": {"kind": "postgres", "host": postgres.host, "port": postgres.port,
                    "database": postgres.database, "user": postgres.user,
                    "password": {"secret": "history_forward_db"}, "sslmode": "disable"}
    }  # fmt: skip

    def forwarded() -> set[str]:
        try:
            return {r[0] for r in rows(postgres, "SELECT DISTINCT tag FROM linea.samples")}
        except Exception:  # the table is made with the first batch
            return set()

    with Runtime(project, tmp_path) as rt:
        historian = Historian(rt.project, rt.engine, rt.store).start()
        try:
            assert historian.problems == []
            deadline = time.monotonic() + 30
            while forwarded() < {"p.temp", "p.alloy"} and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            historian.stop()
    assert {"p.temp", "p.pressure", "p.alloy"} <= forwarded()
    texts = rows(postgres, "SELECT count(*) FROM linea.samples WHERE tag = 'p.alloy' "
                           "AND text IS NOT NULL")  # fmt: skip
    assert texts[0][0] >= 1


def test_stations_starting_together_make_the_shared_schema_once(postgres, secrets):
    import threading

    from hmi.core.mes.postgres import PostgresTarget
    from hmi.core.outbox import OutboxEvent

    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def history(i: int) -> None:
        central = PostgresHistory(f"h{i}", settings(postgres), secrets=secrets)
        try:
            start.wait(10)
            central.send([ForwardRow(f"tag{i}", T0, 1.0, Quality.GOOD)])
        except BaseException as error:
            errors.append(error)
        finally:
            central.close()

    def mes(i: int) -> None:
        target = PostgresTarget(f"m{i}", settings(postgres), secrets=secrets)
        try:
            start.wait(10)
            target.send([OutboxEvent(1, f"key{i}", "O-1", i, "count", {}, T0 / 1000)])
        except BaseException as error:
            errors.append(error)
        finally:
            target.close()

    threads = [threading.Thread(target=f, args=(i,)) for i in range(3) for f in (history, mes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert rows(postgres, "SELECT count(*) FROM linea.samples") == [(3,)]
    assert rows(postgres, "SELECT count(*) FROM linea.production_events") == [(3,)]


PROJECT = """\
project:
  name: History forward
devices:
  press: {protocol: simulator, model: press}
tags:
  - {name: speed, device: press, address: ram_speed_sp}
historian:
  tags:
    speed: exception
  forward:
    central:
      kind: postgres
      host: db.plant.local
      database: plant
      user: linea
      password: {secret: plant_db}
    spare:
      kind: postgress
    clear:
      kind: postgres
      host: db2.plant.local
      database: plant
      user: linea
      password: hunter2
      sslmode: disable
"""


def test_the_forward_entries_are_read_with_each_mistake_at_its_line(tmp_path):
    from hmi.core.checks import check_all

    (tmp_path / "project.yaml").write_text(PROJECT, encoding="utf-8")
    project, problems = check_all(tmp_path)
    shown = [str(p) for p in problems]
    assert any(s.startswith("project.yaml:18:") and "did you mean 'postgres'" in s
               for s in shown), shown  # fmt: skip
    assert any(s.startswith("project.yaml:24:") and "never written" in s for s in shown), shown
    assert any(s.startswith("project.yaml:25:") and "server on this computer" in s
               for s in shown), shown  # fmt: skip
    assert not any("hunter2" in s for s in shown)
    assert project is not None
    config, _ = read_config(project)
    assert [(f.name, f.settings.host) for f in config.forward] == [("central", "db.plant.local")]
    assert isinstance(config.forward[0].make(), PostgresHistory)
