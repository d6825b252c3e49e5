"""The PostgreSQL MES target: production events written to staging tables an MES or ERP
reads, with views of production per order and of downtime.

```yaml
mes:
  targets:
    plant_db:
      kind: postgres
      host: db.plant.local
      database: plant
      user: linea
      password: {secret: plant_db}
      ca: certs/plant-ca.pem        # sslmode: verify-full (the default)
      schema: linea                 # tables and views go here (made when missing)
      batch: 1000                   # events per transaction (the default)
```

Connection settings, TLS and the words for a server's errors are ``hmi.core.postgres``'s,
shared with the historian's central history. A batch is one transaction of one
``INSERT ... ON CONFLICT (key) DO NOTHING``, acknowledged after its commit: a resend after
a lost answer is dropped by key, so each event is kept once. Whatever says "not now"
(refused connection, credentials, TLS, a restart, a timeout) raises ``TargetError`` for
the batch; only an event the database will never take as it is (a NaN or a NUL
character in its payload, a time out of range) is refused, alone.

The tables (``<schema>.``): ``production_events`` (one row per event: key, ``arrival``
(a number growing in the order events were taken, for a reader that follows the table),
stream, seq, kind, ts, payload jsonb, station, line, order_no, received_at); the views
``production`` (pieces good, scrap and uninspected per event, for time buckets),
``production_per_order`` (each order's totals, state and target), ``order_runs`` (when
each order ran) and ``downtime`` (each stop as last told, with its reason split into
planned/unplanned, category and name; a stop merged into another is left out).
"""

from __future__ import annotations

import json
import logging
import math
import socket
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..outbox import OutboxEvent
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
from ..project.fields import Fields, as_number
from ..project.models import Problem
from ..secrets import SecretStore
from .target import COMMON_KEYS, Outcome, TargetError

log = logging.getLogger(__name__)

#: events per transaction: each costs a round trip, a commit on the server and the
#: worker's durable commit of its outcome here (bench_pg_drain)
DEFAULT_BATCH = 1000
MAX_TS = 253_402_300_799.0  # 9999-12-31T23:59:59Z: beyond it a time is a fault


def _ddl(s: str) -> list[str]:
    """The tables and views in schema ``s`` (made when missing, views replaced)."""
    return [
        f"CREATE SCHEMA IF NOT EXISTS {s}",
        f"""CREATE TABLE IF NOT EXISTS {s}.production_events (
            key text PRIMARY KEY,
            arrival bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
            stream text NOT NULL,
            seq bigint NOT NULL,
            kind text NOT NULL,
            ts timestamptz NOT NULL,
            payload jsonb NOT NULL,
            station text NOT NULL,
            line text,
            order_no text,
            received_at timestamptz NOT NULL DEFAULT now())""",
        f"CREATE INDEX IF NOT EXISTS production_events_stream ON {s}.production_events "
        "(stream, seq)",
        f"CREATE INDEX IF NOT EXISTS production_events_kind_ts ON {s}.production_events (kind, ts)",
        f"CREATE INDEX IF NOT EXISTS production_events_order ON {s}.production_events "
        "(order_no) WHERE order_no IS NOT NULL",
        f"""CREATE OR REPLACE VIEW {s}.production AS
        SELECT ts, line, order_no, station,
          CASE kind WHEN 'count' THEN coalesce((payload->'counts'->>'good')::bigint, 0)
            WHEN 'correction' THEN CASE WHEN payload->>'counter' = 'good'
              THEN (payload->>'after')::bigint - (payload->>'before')::bigint ELSE 0 END
            ELSE 0 END AS good,
          CASE kind WHEN 'count' THEN coalesce((payload->'counts'->>'scrap')::bigint, 0)
            WHEN 'scrap' THEN coalesce((payload->>'quantity')::bigint, 0)
            WHEN 'correction' THEN CASE WHEN payload->>'counter' = 'scrap'
              THEN (payload->>'after')::bigint - (payload->>'before')::bigint ELSE 0 END
            ELSE 0 END AS scrap,
          CASE kind WHEN 'count' THEN coalesce((payload->'counts'->>'uninspected')::bigint, 0)
            ELSE 0 END AS uninspected
        FROM {s}.production_events WHERE kind IN ('count', 'scrap', 'correction')""",
        f"""CREATE OR REPLACE VIEW {s}.production_per_order AS
        WITH latest AS (
          SELECT DISTINCT ON (order_no) order_no, line, payload->>'state' AS state,
            (payload->>'target')::bigint AS target, payload->'product' AS product
          FROM {s}.production_events
          WHERE kind = 'order.state' AND order_no IS NOT NULL
          ORDER BY order_no, seq DESC),
        sums AS (
          SELECT order_no, max(line) AS line, sum(good) AS good, sum(scrap) AS scrap,
            sum(uninspected) AS uninspected, min(ts) AS first_ts, max(ts) AS last_ts
          FROM {s}.production WHERE order_no IS NOT NULL GROUP BY order_no)
        SELECT coalesce(l.order_no, p.order_no) AS order_no, coalesce(l.line, p.line) AS line,
          l.state, l.target, coalesce(p.good, 0)::bigint AS good,
          coalesce(p.scrap, 0)::bigint AS scrap,
          coalesce(p.uninspected, 0)::bigint AS uninspected,
          CASE WHEN l.target > 0 THEN round(100.0 * coalesce(p.good, 0) / l.target, 1)
            END AS progress_pct,
          p.first_ts, p.last_ts, l.product
        FROM latest l FULL JOIN sums p ON p.order_no = l.order_no""",
        f"""CREATE OR REPLACE VIEW {s}.order_runs AS
        SELECT order_no, line, ts AS start_ts, end_ts FROM (
          SELECT order_no, line, ts, payload->>'state' AS state,
            lead(ts) OVER (PARTITION BY stream ORDER BY seq) AS end_ts
          FROM {s}.production_events
          WHERE kind = 'order.state' AND order_no IS NOT NULL) e
        WHERE state = 'running'""",
        f"""CREATE OR REPLACE VIEW {s}.downtime AS
        WITH told AS (
          SELECT e.station, e.ts, e.seq, e.received_at, x.stop
          FROM {s}.production_events e,
            jsonb_array_elements(CASE WHEN e.payload ? 'stops' THEN e.payload->'stops'
              ELSE jsonb_build_array(e.payload) END) AS x(stop)
          WHERE e.kind LIKE 'downtime.%'),
        latest AS (
          SELECT DISTINCT ON (station, stop->>'line', stop->>'id') station, stop
          FROM told ORDER BY station, stop->>'line', stop->>'id', ts DESC, received_at DESC,
            seq DESC),
        merged AS (
          SELECT e.station, x.stop->>'line' AS line, e.payload->>'removed' AS id
          FROM {s}.production_events e, jsonb_array_elements(e.payload->'stops') AS x(stop)
          WHERE e.kind = 'downtime.merge' AND e.payload ? 'removed')
        SELECT l.station, l.stop->>'line' AS line, (l.stop->>'id')::bigint AS stop_id,
          nullif(l.stop->>'order', '') AS order_no,
          to_timestamp((l.stop->>'start')::float8) AS start_ts,
          to_timestamp((l.stop->>'end')::float8) AS end_ts,
          (coalesce((l.stop->>'end')::float8, extract(epoch FROM now()))
            - (l.stop->>'start')::float8) AS duration_s,
          l.stop->>'state' AS machine_state, coalesce((l.stop->>'micro')::boolean, false)
            AS micro,
          nullif(l.stop->>'reason', '') AS reason,
          coalesce(nullif(split_part(l.stop->>'reason', '/', 1), ''), 'unassigned')
            AS reason_kind,
          nullif(split_part(l.stop->>'reason', '/', 2), '') AS category,
          nullif(substr(l.stop->>'reason', length(split_part(l.stop->>'reason', '/', 1))
            + length(split_part(l.stop->>'reason', '/', 2)) + 3), '') AS reason_name,
          nullif(l.stop->>'by', '') AS assigned_by, nullif(l.stop->>'comment', '') AS comment
        FROM latest l
        WHERE NOT EXISTS (SELECT 1 FROM merged m WHERE m.station = l.station
          AND m.line = l.stop->>'line' AND m.id = l.stop->>'id')""",
    ]


def _insert(s: str) -> str:
    return (
        f"INSERT INTO {s}.production_events "
        "(key, stream, seq, kind, ts, payload, station, line, order_no) "
        "SELECT k, st, sq, kd, to_timestamp(t), p::jsonb, %s, l, o FROM unnest("
        "%s::text[], %s::text[], %s::bigint[], %s::text[], %s::float8[], %s::text[], "
        "%s::text[], %s::text[]) WITH ORDINALITY AS x(k, st, sq, kd, t, p, l, o, n) "
        "ORDER BY n ON CONFLICT (key) DO NOTHING"
    )


def _fill_lines(s: str) -> str:
    """Events that do not name their line (a correction) take their order's."""
    return (
        f"UPDATE {s}.production_events e SET line = o.line FROM ("
        f"SELECT DISTINCT ON (order_no) order_no, line FROM {s}.production_events "
        "WHERE order_no = ANY(%s) AND line IS NOT NULL ORDER BY order_no, seq) o "
        "WHERE e.line IS NULL AND e.order_no = o.order_no AND e.key = ANY(%s)"
    )


def row_of(event: OutboxEvent) -> tuple[Any, ...]:
    """The event's columns; ``ValueError`` names what the database could never store."""
    try:
        payload = json.dumps(event.payload, allow_nan=False, separators=(",", ":"))
    except ValueError:
        raise ValueError(
            "its payload holds NaN or infinity, which PostgreSQL's JSON cannot store"
        ) from None
    except TypeError as error:
        raise ValueError(f"its payload is not JSON ({error})") from None
    if "\\u0000" in payload or "\x00" in event.key + event.stream + event.kind:
        raise ValueError("it holds a NUL character (\\u0000), which PostgreSQL text cannot store")
    ts = as_number(event.ts)
    if ts is None or not math.isfinite(ts) or not 0 <= ts <= MAX_TS:
        raise ValueError(f"its time {event.ts!r} is not a time PostgreSQL can store")
    line = event.payload.get("line") if isinstance(event.payload, Mapping) else None
    if not line and event.stream.startswith("line:"):
        line = event.stream[5:]
    order = None if event.stream.startswith("line:") else event.stream
    return (event.key, event.stream, int(event.seq), event.kind, ts, payload,
            str(line) if line else None, order)  # fmt: skip


class PostgresTarget:
    """Production events into a PostgreSQL database (see the module's doc)."""

    kind = "postgres"

    def __init__(
        self,
        name: str,
        settings: PgSettings,
        *,
        batch: int = DEFAULT_BATCH,
        station: str = "",
        secrets: SecretStore | None = None,
    ) -> None:
        if not IDENTIFIER.match(settings.schema):
            raise ValueError(f"schema {settings.schema!r} is not a plain name")
        self.name = name
        self.settings = settings
        self.max_batch = batch
        self.station = station or socket.gethostname() or "station"
        self._secrets = secrets
        self._conn: Any = None
        self._ready = False  # the tables were made on this connection
        self.transactions = 0  # batches committed, for the tests

    @classmethod
    def read(
        cls,
        name: str,
        data: Mapping[str, Any],
        fields: Fields,
        *,
        root: str | Path | None = None,
        station: str = "",
    ) -> tuple[PostgresTarget | None, list[Problem]]:
        """The target from its entry, and every problem of its keys at its line."""
        problems: list[Problem] = []
        own = Fields(problems.append, data, fields.file, fields.line, fields.label)
        own.unknown_keys(CONNECTION_FIELDS, hidden=COMMON_KEYS)
        folder = Path(root) if root is not None else Path(fields.file).parent
        settings = read_settings(own, folder)
        batch = as_number(own.get("batch"))
        size = int(batch) if batch is not None and batch.is_integer() and batch >= 1 else None
        if settings is None or own.failed:
            return None, problems
        return cls(name, settings, batch=size or DEFAULT_BATCH, station=station), problems

    # -- connection ----------------------------------------------------------------------

    def open(self) -> None:
        """Connect and make the tables when missing; ``TargetError`` says what is wrong."""
        if self._conn is not None and not self._conn.closed:
            return
        self._ready = False
        try:
            self._conn = connect(self.settings, secrets=self._secrets, application="linea-mes")
        except PgError as error:
            raise TargetError(str(error)) from None
        self._prepare()

    def _prepare(self) -> None:
        import psycopg

        conn = self._conn
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                for statement in _ddl(self.settings.schema):
                    conn.execute(statement)  # the schema name was checked
        except psycopg.Error as error:
            self._drop()
            raise self._error(error, "making the tables") from None
        self._ready = True

    def close(self) -> None:
        self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        self._ready = False
        if conn is not None:
            try:
                conn.close()
            except Exception:
                log.debug("MES target %s: closing failed", self.name, exc_info=True)

    def _error(self, error: BaseException, doing: str) -> TargetError:
        said = explain(error, self.settings)
        return TargetError(f"{said}" if said.transient else f"{doing}: {said}")

    # -- sending -------------------------------------------------------------------------

    def send(self, events: Sequence[OutboxEvent]) -> list[Outcome]:
        """One outcome per event, in order; the batch is one transaction."""
        import psycopg

        outcomes: list[Outcome | None] = [None] * len(events)
        rows: list[tuple[int, tuple[Any, ...]]] = []
        for i, event in enumerate(events):
            try:
                rows.append((i, row_of(event)))
            except ValueError as error:
                outcomes[i] = Outcome(False, f"the database cannot store it: {error}")
        if rows:
            self.open()
            try:
                self._write([r for _, r in rows])
                for i, _ in rows:
                    outcomes[i] = Outcome(True)
            except psycopg.errors.DataError:  # one of them: find it alone
                for (i, _), outcome in zip(rows, self._one_by_one(rows), strict=True):
                    outcomes[i] = outcome
            except psycopg.Error as error:
                self._drop()
                raise self._error(error, "writing events") from None
        return [o if o is not None else Outcome(False, "not sent") for o in outcomes]

    def _write(self, rows: list[tuple[Any, ...]]) -> None:
        """The rows in one transaction, committed before this returns."""
        s = self.settings.schema
        columns = list(zip(*rows, strict=True))
        conn = self._conn
        try:
            with conn.transaction():
                conn.execute(_insert(s), (self.station, *[list(c) for c in columns]))
                missing = [r[0] for r in rows if r[6] is None and r[7] is not None]
                if missing:
                    orders = sorted({r[7] for r in rows if r[6] is None and r[7] is not None})
                    conn.execute(_fill_lines(s), (orders, missing))
        except Exception:
            if conn.closed or conn.broken:
                self._drop()
            raise
        self.transactions += 1

    def _one_by_one(self, rows: list[tuple[int, tuple[Any, ...]]]) -> list[Outcome]:
        """Each row in a transaction of its own; those the database refuses as data."""
        import psycopg

        outcomes = []
        for _, row in rows:
            try:
                self._write([row])
                outcomes.append(Outcome(True))
            except psycopg.errors.DataError as error:
                why = " ".join(str(error).split())[:200]
                outcomes.append(Outcome(False, f"refused by the database: {why}"))
            except psycopg.Error as error:
                self._drop()
                raise self._error(error, "writing events") from None
        return outcomes
