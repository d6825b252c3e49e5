"""Central history in PostgreSQL (TimescaleDB when the server has it): the stored points
forwarded into one time-series table that Grafana and the plant's reports read.

```yaml
historian:
  forward:
    central:                     # a name of the plant's choosing
      kind: postgres
      host: db.plant.local       # the connection keys of hmi.core.postgres
      database: plant
      user: linea
      password: {secret: plant_db}
      ca: certs/plant-ca.pem
      schema: linea              # the table <schema>.samples is made when missing
```

``<schema>.samples``: tag, ts, value (numbers; a bool as 0/1), text (a text tag's
value), quality (good, uncertain, bad), station; the key is (tag, ts), so a point sent
again after a lost answer is kept once (the forwarder delivers at least once). When the
server offers the ``timescaledb`` extension it is created (if this role may) and the table
made a hypertable on ts; without it the table is a plain one with the same key.
"""

from __future__ import annotations

import logging
import math
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..postgres import FIELDS as CONNECTION_FIELDS
from ..postgres import (
    IDENTIFIER,
    SCHEMA_LOCK,
    PgError,
    PgSettings,
    connect,
    explain,
    read_settings,
)
from ..project.fields import Fields
from ..secrets import SecretStore
from ..tags import Quality
from ..words import did_you_mean
from .forward import ForwardRow

log = logging.getLogger(__name__)

KINDS = ("postgres",)
QUALITY_WORDS = {Quality.GOOD: "good", Quality.UNCERTAIN: "uncertain", Quality.BAD: "bad"}


@dataclass(frozen=True)
class ForwardTarget:
    """A central history store as configured: ``make`` builds its target."""

    name: str
    kind: str
    settings: PgSettings

    def make(self, secrets: SecretStore | None = None) -> PostgresHistory:
        return PostgresHistory(self.name, self.settings, secrets=secrets)


def read_forward(top: Fields, root: Path) -> tuple[ForwardTarget, ...]:
    """The ``forward:`` entries of the ``historian:`` section (``top``), each problem at
    its line; a wrong entry is left out."""
    if top.get("forward") is None:
        return ()
    entries = top.child("forward", "{central: {kind: postgres, host: db.plant.local, ...}}")
    if entries is None:
        return ()
    targets = []
    for name, value in entries.data.items():
        if not isinstance(value, Mapping):
            entries.wrong(name, "a mapping such as {kind: postgres, host: ..., database: ...}")
            continue
        entry = entries.nested(name, value, f"historian: forward: {name}")
        kind = entry.text("kind")
        if kind is None:
            entry.problem(None, f"kind: missing; use one of {', '.join(KINDS)}")
            continue
        if kind not in KINDS:
            hint = did_you_mean(kind, KINDS, "kinds")
            entry.problem("kind", f"kind: unknown kind '{kind}'; {hint}")
            continue
        entry.unknown_keys((*CONNECTION_FIELDS, "kind"))
        settings = read_settings(entry, root)
        if settings is not None and not entry.failed:
            targets.append(ForwardTarget(str(name), kind, settings))
    return tuple(targets)


def _ddl(s: str) -> list[str]:
    return [
        f"CREATE SCHEMA IF NOT EXISTS {s}",
        f"""CREATE TABLE IF NOT EXISTS {s}.samples (
            tag text NOT NULL,
            ts timestamptz NOT NULL,
            value double precision,
            text text,
            quality text NOT NULL,
            station text NOT NULL,
            PRIMARY KEY (tag, ts))""",
        f"CREATE INDEX IF NOT EXISTS samples_ts ON {s}.samples (ts)",
    ]


def _insert(s: str) -> str:
    return (
        f"INSERT INTO {s}.samples (tag, ts, value, text, quality, station) "
        "SELECT tag, to_timestamp(t / 1000.0), v, x, q, %s FROM unnest("
        "%s::text[], %s::float8[], %s::float8[], %s::text[], %s::text[]) AS r(tag, t, v, x, q) "
        "ON CONFLICT (tag, ts) DO NOTHING"
    )


def columns(row: ForwardRow) -> tuple[str, float, float | None, str | None, str]:
    """A point as the table's columns: a number (a bool as 0/1) or a text; a value the
    table cannot hold (NaN, infinity, a NUL character) is kept as NULL with its quality."""
    value, text = None, None
    if isinstance(row.value, bool):
        value = 1.0 if row.value else 0.0
    elif isinstance(row.value, int | float):
        value = float(row.value) if math.isfinite(row.value) else None
    elif row.value is not None:
        text = str(row.value).replace("\x00", "")
    quality = QUALITY_WORDS.get(Quality(row.quality), "bad")
    return row.tag.replace("\x00", ""), float(row.t), value, text, quality


class PostgresHistory:
    """A ``HistoryTarget``: ``send`` writes a batch in one transaction, or raises
    ``PgError`` saying why (the points wait in the local store)."""

    def __init__(
        self,
        name: str,
        settings: PgSettings,
        *,
        station: str = "",
        secrets: SecretStore | None = None,
    ) -> None:
        if not IDENTIFIER.match(settings.schema):
            raise ValueError(f"schema {settings.schema!r} is not a plain name")
        self.name = name
        self.settings = settings
        self.station = station or socket.gethostname() or "station"
        self._secrets = secrets
        self._conn: Any = None
        self.hypertable = False  # the table is a TimescaleDB hypertable

    def send(self, rows: Sequence[ForwardRow]) -> None:
        import psycopg

        if not rows:
            return
        conn = self._open()
        data = list(zip(*(columns(r) for r in rows), strict=True))
        try:
            with conn.transaction():
                conn.execute(_insert(self.settings.schema), (self.station, *map(list, data)))
        except psycopg.Error as error:
            self.close()
            raise explain(error, self.settings) from None

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                log.debug("central history %s: closing failed", self.name, exc_info=True)

    def _open(self) -> Any:
        import psycopg

        if self._conn is not None and not self._conn.closed:
            return self._conn
        conn = connect(self.settings, secrets=self._secrets, application="linea-history")
        try:
            self._prepare(conn)
        except psycopg.Error as error:
            conn.close()
            raise PgError(f"making the samples table: {explain(error, self.settings)}") from None
        self._conn = conn
        return conn

    def _prepare(self, conn: Any) -> None:
        import psycopg

        s = self.settings.schema
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            for statement in _ddl(s):
                conn.execute(statement)  # the schema name was checked
            offered = conn.execute(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'"
            ).fetchone()
            if offered:
                try:
                    with conn.transaction():  # a savepoint: a refusal leaves the table plain
                        conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
                        conn.execute(
                            "SELECT create_hypertable(%s, 'ts', if_not_exists => TRUE, "
                            "migrate_data => TRUE)",
                            (f"{s}.samples",),
                        )
                    self.hypertable = True
                except psycopg.Error as error:
                    log.warning(
                        "central history %s: TimescaleDB is offered but not usable (%s); "
                        "samples go to a plain table",
                        self.name,
                        " ".join(str(error).split()),
                    )
