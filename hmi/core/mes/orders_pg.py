"""Released orders from a PostgreSQL table the MES or ERP fills, on a ``kind: postgres``
target with ``orders:``: ``<schema>.released_orders`` (made when missing):

- ``id`` and ``line``: the job order's number and line (the key);
- ``job``: the job order as ``GET /orders`` of ``resources/mes/openapi.yaml`` has it
  (``Target``, ``ProductData``, ``Priority``, ``ReleasedTime`` ...; ``ID`` and
  ``EquipmentID`` may be left out: the columns give them);
- ``changed``: when the row was last written (``now()`` by default).

A row deleted is an order withdrawn. Each poll first asks for the count of the lines'
rows, their latest ``changed`` and a hash of their ids and times, one row back: when
that is as before, nothing else is read. Refusals go into the outbox as ``order.refused``
events (``OutboxReports``), which the target writes to ``production_events``. Connection,
credentials and TLS are the target's settings (``hmi.core.postgres``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from ..postgres import IDENTIFIER, PgError, connect, explain
from ..store import Writer
from .orders_in import UNREADABLE, OutboxReports
from .target import TargetError

log = logging.getLogger(__name__)


def _ddl(s: str) -> list[str]:
    return [
        f"CREATE SCHEMA IF NOT EXISTS {s}",
        f"""CREATE TABLE IF NOT EXISTS {s}.released_orders (
            id text NOT NULL,
            line text NOT NULL,
            job jsonb NOT NULL,
            changed timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (line, id))""",
    ]


class PostgresOrderSource(OutboxReports):
    """The released orders of a target's lines from ``<schema>.released_orders``."""

    def __init__(self, target: Any, lines: Sequence[str], store: Writer) -> None:
        super().__init__(store, target.name)
        self.settings = target.settings
        if not IDENTIFIER.match(self.settings.schema):
            raise ValueError(f"schema {self.settings.schema!r} is not a plain name")
        self.secrets = getattr(target, "secrets", None) or getattr(target, "_secrets", None)
        self.lines = tuple(lines)
        self.changed = True
        self.reads = 0  # full reads of the orders (a poll that found them as before: none)
        self._conn: Any = None
        self._signature: tuple[Any, ...] | None = None
        self._orders: list[Mapping[str, Any]] = []

    @classmethod
    def build(cls, target: Any, lines: Sequence[str], store: Writer) -> PostgresOrderSource:
        return cls(target, lines, store)

    def fetch(self) -> list[Mapping[str, Any]]:
        import psycopg

        s = self.settings.schema
        try:
            conn = self._open()
            signature = conn.execute(
                f"SELECT count(*), max(changed), coalesce(sum(hashtext(line || ' ' || id || ' ' "
                f"|| changed::text)), 0) FROM {s}.released_orders WHERE line = ANY(%s)",
                (list(self.lines),),
            ).fetchone()
            if signature == self._signature:
                self.changed = False
                return list(self._orders)
            rows = conn.execute(
                f"SELECT id, line, job FROM {s}.released_orders WHERE line = ANY(%s) "
                "ORDER BY line, id",
                (list(self.lines),),
            ).fetchall()
        except psycopg.Error as error:
            self.close()
            said = explain(error, self.settings)
            raise TargetError(f"released orders from {self.settings.where}: {said}") from None
        self.reads += 1
        self._orders = [_job(number, line, job) for number, line, job in rows]
        self._signature = tuple(signature) if signature is not None else None
        self.changed = True
        return list(self._orders)

    def _open(self) -> Any:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        try:
            conn = connect(self.settings, secrets=self.secrets, application="linea-orders")
        except PgError as error:
            raise TargetError(f"released orders: {error}") from None
        self._conn = conn
        with conn.transaction():
            for statement in _ddl(self.settings.schema):  # the schema name was checked
                conn.execute(statement)
        return conn

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                log.debug("released orders: closing failed", exc_info=True)


def _job(number: str, line: str, job: Any) -> Mapping[str, Any]:
    """The row's job order, its number and line from the columns where it has none."""
    if not isinstance(job, Mapping):
        return {"ID": number, "EquipmentID": line, UNREADABLE: "its job is not a JSON object"}
    return {"ID": number, "EquipmentID": line, **job}
