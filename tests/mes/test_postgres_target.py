"""The PostgreSQL MES target against a real server on 127.0.0.1: events delivered through
the MES sync once each and in order per stream, a resend dropped by key, an event the
database can never store refused alone, credentials from the secret store (a wrong one
stops the batch and says so), TLS verified against the plant's CA, and every mistake of
a project entry at its ``file:line``."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from hmi.core.access import Access
from hmi.core.mes import TargetError
from hmi.core.mes.config import MesConfig
from hmi.core.mes.postgres import PostgresTarget
from hmi.core.mes.service import Mes
from hmi.core.outbox import OutboxEvent
from hmi.core.postgres import PgSettings
from hmi.core.project.fields import Fields
from hmi.core.secrets import FileStore
from tests.helpers import free_port

from .conftest import target_config, wait_until, write_events

SECRET = "plant_db"


@pytest.fixture
def secrets(tmp_path, postgres) -> FileStore:
    store = FileStore(tmp_path / "config")
    store.set(SECRET, postgres.password)
    return store


def settings(db, **more) -> PgSettings:
    values = {"host": db.host, "port": db.port, "database": db.database, "user": db.user,
              "password": SECRET, "sslmode": "disable", "timeout": 5.0, **more}  # fmt: skip
    return PgSettings(**values)


def target(db, secrets, **more) -> PostgresTarget:
    batch = more.pop("batch", 1000)
    return PostgresTarget("plant_db", settings(db, **more), secrets=secrets, batch=batch)


def rows(db, query: str, *args):
    with db.connect() as conn:
        return conn.execute(query, args).fetchall()


def per_stream(db, schema: str = "linea") -> dict[str, list[int]]:
    """Each stream's seqs in the order the database took them."""
    out: dict[str, list[int]] = {}
    for stream, seq in rows(
        db, f"SELECT stream, seq FROM {schema}.production_events ORDER BY arrival"
    ):
        out.setdefault(stream, []).append(seq)
    return out


def event(i: int, stream: str = "O-1", kind: str = "count", payload=None, ts=None):
    body = payload if payload is not None else {"line": "line1", "counts": {"good": 1}}
    return OutboxEvent(i, f"key-{i}", stream, i, kind, body, time.time() if ts is None else ts)


def test_events_go_through_the_mes_sync_once_each_in_order_per_stream(writer, postgres, secrets):
    streams = ("O-1", "O-2", "line:line1", "O-3")
    events = [(streams[i % 4], "count") for i in range(2500)]
    for start in range(0, len(events), 500):
        write_events(writer, events[start : start + 500])
    made = target(postgres, secrets, batch=300)
    mes = Mes(MesConfig({"plant_db": target_config(made)}), writer, Access(), poll=0.05).load()
    mes.start()
    try:
        assert wait_until(lambda: mes.status()[0].backlog == 0, 60), mes.status()
        status = mes.status()[0]
        assert status.state == "ok" and status.quarantined == 0, status
    finally:
        mes.stop()
    taken = per_stream(postgres)
    assert {s: len(v) for s, v in taken.items()} == {s: 625 for s in streams}
    assert all(seqs == list(range(1, 626)) for seqs in taken.values()), taken
    assert made.transactions >= 2500 // 300  # batches, not an insert per event
    lines = dict(rows(postgres, "SELECT stream, min(line) FROM linea.production_events "
                                "GROUP BY stream"))  # fmt: skip
    assert lines["line:line1"] == "line1"  # a line's stream names its line


def test_a_resend_is_dropped_by_key_and_counts_as_taken(postgres, secrets):
    pg = target(postgres, secrets)
    batch = [event(i) for i in range(1, 11)]
    assert all(o.accepted for o in pg.send(batch))
    assert all(o.accepted for o in pg.send(batch[3:]))  # the answer was lost: sent again
    assert rows(postgres, "SELECT count(*), count(DISTINCT key) FROM linea.production_events") == [
        (10, 10)
    ]
    pg.close()


@pytest.mark.parametrize(
    ("payload", "ts", "words"),
    [
        ({"line": "line1", "kg": math.nan}, None, "NaN or infinity"),
        ({"line": "line1", "comment": "nul \x00 here"}, None, "NUL character"),
        ({"line": "line1"}, math.inf, "not a time"),
    ],
)
def test_what_the_database_can_never_store_is_refused_alone(postgres, secrets, payload, ts, words):
    pg = target(postgres, secrets)
    batch = [event(1), event(2, payload=payload, ts=ts), event(3)]
    outcomes = pg.send(batch)
    assert [o.accepted for o in outcomes] == [True, False, True]
    assert words in outcomes[1].reason
    assert [r[0] for r in rows(postgres, "SELECT key FROM linea.production_events")] == [
        "key-1",
        "key-3",
    ]
    pg.close()


def test_a_correction_takes_its_orders_line_and_a_schema_of_its_own(postgres, secrets):
    pg = target(postgres, secrets, schema="mes_staging")
    state = {"order": "O-9", "line": "line2", "state": "running", "target": 10}
    correction = {"counter": "good", "before": 5, "after": 4, "user": "sup", "reason": "x"}
    pg.send([event(1, "O-9", "order.state", state), event(2, "O-9", "correction", correction)])
    assert rows(
        postgres, "SELECT kind, line, order_no FROM mes_staging.production_events ORDER BY seq"
    ) == [("order.state", "line2", "O-9"), ("correction", "line2", "O-9")]
    pg.close()


def test_a_wrong_password_stops_the_batch_saying_so_and_the_fixed_secret_is_used(
    writer, postgres, secrets
):
    secrets.set(SECRET, "not-the-password")
    write_events(writer, [("O-1", "count")] * 20)
    made = target(postgres, secrets)
    mes = Mes(MesConfig({"plant_db": target_config(made)}), writer, Access(), poll=0.05).load()
    mes.start()
    try:
        assert wait_until(lambda: "credentials refused" in mes.status()[0].last_error, 20)
        status = mes.status()[0]
        assert f"user {postgres.user}" in status.last_error and SECRET in status.last_error
        assert "not-the-password" not in status.last_error
        assert status.backlog == 20 and status.quarantined == 0
        secrets.set(SECRET, postgres.password)  # fixed: taken at the next attempt
        assert wait_until(lambda: mes.status()[0].backlog == 0, 30), mes.status()
    finally:
        mes.stop()
    assert per_stream(postgres) == {"O-1": list(range(1, 21))}


def test_a_server_that_is_not_there_is_refused_connection_in_words(postgres, secrets):
    pg = PostgresTarget("plant_db", settings(postgres, port=free_port()), secrets=secrets)
    with pytest.raises(TargetError, match="connection refused"):
        pg.open()


def test_a_secret_that_is_not_set_says_how_to_set_it(postgres, tmp_path):
    pg = PostgresTarget("plant_db", settings(postgres), secrets=FileStore(tmp_path / "empty"))
    with pytest.raises(TargetError, match=f"hmi secret set {SECRET}"):
        pg.open()


def test_a_role_that_may_not_make_the_tables_and_a_missing_database_say_what_to_fix(
    postgres, tmp_path
):
    with postgres.superuser() as conn:
        conn.execute("CREATE ROLE reader LOGIN PASSWORD 'reader-pass'")
    store = FileStore(tmp_path / "config")
    store.set(SECRET, "reader-pass")
    reader = PostgresTarget(
        "plant_db", settings(postgres, user="reader", schema="erp"), secrets=store
    )
    with pytest.raises(TargetError, match="user reader may not do this in plant") as refused:
        reader.open()
    assert "grant it CREATE on the database, or make schema erp" in str(refused.value)
    missing = PostgresTarget(
        "plant_db", settings(postgres, user="reader", database="nowhere"), secrets=store
    )
    with pytest.raises(TargetError, match="has no database nowhere"):
        missing.open()


def test_tls_is_verified_against_the_plants_ca_and_another_ca_is_refused(
    postgres, secrets, tmp_path
):
    from tests.integration.slapd import make_ca

    pg = target(
        postgres, secrets, host="localhost", sslmode="verify-full", ca=str(postgres.ca_file)
    )
    assert all(o.accepted for o in pg.send([event(1)]))
    assert pg._conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()[
        0
    ]
    pg.close()
    make_ca(tmp_path, "other")
    other = target(
        postgres, secrets, host="localhost", sslmode="verify-full", ca=str(tmp_path / "other.pem")
    )
    with pytest.raises(TargetError, match=r"TLS: the certificate of localhost:\d+ is not trusted"):
        other.open()


# -- the project entry -------------------------------------------------------------------


def read_entry(folder: Path, text: str):
    from hmi.core.project.yamlsrc import read_yaml_file

    path = folder / "project.yaml"
    body = "".join(f"      {line}\n" for line in text.splitlines())
    path.write_text(f"mes:\n  targets:\n    db:\n      kind: postgres\n{body}", encoding="utf-8")
    data = read_yaml_file(path)["mes"]["targets"]["db"]
    fields = Fields([].append, data, str(path), 3, "mes: targets: db")
    return PostgresTarget.read("db", data, fields, root=folder)


def test_a_valid_entry_reads_with_its_values(tmp_path, postgres):
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.pem").write_bytes(postgres.ca_file.read_bytes())
    made, problems = read_entry(
        tmp_path,
        "host: db.plant.local\nport: 6432\ndatabase: plant\nuser: linea\n"
        "password: {secret: plant_db}\nca: certs/ca.pem\nschema: mes\ntimeout: 3s\nbatch: 200\n",
    )
    assert problems == [] and made is not None
    s = made.settings
    assert (s.host, s.port, s.database, s.user, s.password) == (
        "db.plant.local", 6432, "plant", "linea", "plant_db"
    )  # fmt: skip
    assert (s.sslmode, s.ca, s.schema, s.timeout, made.max_batch) == (
        "verify-full", str(tmp_path / "certs" / "ca.pem"), "mes", 3.0, 200
    )  # fmt: skip


BASE = "host: db\ndatabase: plant\nuser: linea\n"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (BASE + "password: hunter2\n", 8, "a password is never written in the project"),
        (BASE + "sslmode: disable\n", 8, "allowed only for a server on this computer"),
        (BASE + "sslmode: require\n", 8, "sslmode: expected verify-full or disable"),
        (BASE + "ca: nowhere.pem\n", 8, "ca: no file nowhere.pem"),
        (BASE + "schema: Drop Table\n", 8, "is not a plain name"),
        (BASE + "port: 99999\n", 8, "a TCP port"),
        (BASE + "timeout: 0\n", 8, "timeout: 0 is too short"),
        (BASE + "hots: x\n", 8, "did you mean 'host'"),
        ("database: plant\nuser: linea\n", 3, "host: the database server"),
        ("host: db\nuser: linea\n", 3, "database: missing"),
    ],
)
def test_a_wrong_entry_is_refused_at_its_line(tmp_path, text, line, words):
    made, problems = read_entry(tmp_path, text)
    assert made is None
    shown = [f"{p.source.file}:{p.source.line}: {p.message}" for p in problems]
    assert any(words.lower() in s.lower() for s in shown), shown
    assert any(s.startswith(f"{tmp_path / 'project.yaml'}:{line}:") for s in shown), shown
    assert "hunter2" not in " ".join(shown)


def test_sslmode_disable_is_taken_for_a_server_on_this_computer(tmp_path):
    made, problems = read_entry(
        tmp_path, "host: 127.0.0.1\ndatabase: p\nuser: u\nsslmode: disable\n"
    )
    assert problems == [] and made is not None and made.settings.sslmode == "disable"


PROJECT = """\
project:
  name: PG check
devices:
  press: {protocol: simulator, model: press}
tags:
  - {name: speed, device: press, address: ram_speed_sp}
mes:
  targets:
    plant_db:
      kind: postgres
      host: db.plant.local
      database: plant
      user: linea
      password: hunter2
    spare_db:
      kind: postgres
      host: db2.plant.local
      database: plant
      user: linea
      password: {secret: plant_db}
"""


def test_hmi_check_names_a_plain_password_at_its_line_and_builds_the_rest(tmp_path):
    from hmi.core.checks import check_all
    from hmi.core.mes.config import read_mes

    (tmp_path / "project.yaml").write_text(PROJECT, encoding="utf-8")
    project, problems = check_all(tmp_path)
    shown = [str(p) for p in problems]
    assert any(s.startswith("project.yaml:14:") and "never written" in s for s in shown), shown
    assert not any("hunter2" in s for s in shown)
    assert project is not None
    config, _ = read_mes(project)
    assert config is not None and list(config.targets) == ["spare_db"]
    made = config.targets["spare_db"].make()
    assert isinstance(made, PostgresTarget) and made.settings.host == "db2.plant.local"
