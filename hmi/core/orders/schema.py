"""The production records' tables, as numbered migration steps on the store's connection.

Declared with sqlite-utils (readable, and a later step can add a column the same way);
the service's hot paths use plain prepared statements on these tables. ``counter_state``
(a row per line, role and tag) is written in the same transaction as every count step:
after a restart the counters resume from exactly the readings the recorded counts used,
so nothing is counted twice or lost. ``outbox_streams`` hands out each stream's next
sequence number inside the transaction that writes the event, so a rolled-back batch
leaves no gap.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils

from ..store import Step, migrate

COMPONENT = "orders"


def _v1(conn: sqlite3.Connection) -> None:
    db = sqlite_utils.Database(conn)
    db.table("orders").create(
        {
            "number": str,
            "line": str,
            "target": int,
            "state": str,
            "product": str,  # JSON
            "sequence": int,
            "ideal_cycle_s": float,
            "source": str,
            "good": int,
            "scrap": int,
            "billets": int,
            "created": float,
            "started": float,
            "ended": float,
            "run_seconds": float,
        },
        pk="number",
        not_null={"line", "state"},
        defaults={"good": 0, "scrap": 0, "billets": 0, "run_seconds": 0.0, "sequence": 0},
    )
    db.table("orders").create_index(["line", "state"])
    db.table("order_changes").create(
        {
            "id": int,
            "order_number": str,
            "action": str,
            "state": str,
            "user": str,
            "ts": float,
            "reason": str,
        },
        pk="id",
    )
    db.table("order_changes").create_index(["order_number", "id"])
    db.table("counts").create(
        {
            "id": int,
            "line": str,
            "counter": str,
            "delta": int,
            "raw_before": int,
            "raw_after": int,
            "kind": str,
            "ts": float,
            "order_number": str,
            "source": str,
        },
        pk="id",
    )
    db.table("counts").create_index(["line", "ts"])
    db.table("counts").create_index(["order_number"])
    db.table("counter_state").create(
        {"line": str, "counter": str, "raw": int, "ts": float}, pk=("line", "counter")
    )
    db.table("stops").create(
        {
            "id": int,
            "line": str,
            "start": float,
            "end": float,
            "state": str,
            "micro": int,
            "reason": str,  # the reason's key, "" while unassigned
            "reason_by": str,
            "comment": str,
            "order_number": str,
        },
        pk="id",
    )
    db.table("stops").create_index(["line", "start"])
    db.table("scrap").create(
        {
            "id": int,
            "order_number": str,
            "line": str,
            "quantity": int,
            "reason": str,
            "user": str,
            "ts": float,
            "kg": float,
        },
        pk="id",
    )
    db.table("scrap").create_index(["line", "ts"])
    db.table("corrections").create(
        {
            "id": int,
            "order_number": str,
            "counter": str,
            "before": int,
            "after": int,
            "user": str,
            "reason": str,
            "ts": float,
        },
        pk="id",
    )
    db.table("outbox").create(
        {
            "id": int,
            "key": str,
            "stream": str,
            "seq": int,
            "kind": str,
            "payload": str,  # JSON
            "ts": float,
        },
        pk="id",
        not_null={"key", "stream", "seq", "kind"},
    )
    db.table("outbox").create_index(["key"], unique=True)
    db.table("outbox").create_index(["stream", "seq"], unique=True)
    db.table("outbox_streams").create({"stream": str, "seq": int}, pk="stream")
    db.table("shifts_closed").create(
        {"line": str, "shift": str, "start": float, "end": float, "ts": float},
        pk=("line", "shift"),
    )


def _v2(conn: sqlite3.Connection) -> None:
    """Alarms raised per line and priority, for the shift report's alarm counts."""
    db = sqlite_utils.Database(conn)
    db.table("alarms_raised").create(
        {"id": int, "line": str, "priority": int, "alarm": str, "ts": float}, pk="id"
    )
    db.table("alarms_raised").create_index(["ts"])


def _v3(conn: sqlite3.Connection) -> None:
    """Orders count uninspected pieces; a counter role may read several tags, so each
    tag's last reading is kept apart (rows written before have tag '': the role's one
    project tag then, adopted by that tag at the next start, see ``records.adopt``)."""
    db = sqlite_utils.Database(conn)
    db.table("orders").add_column("uninspected", int, not_null_default=0)
    db.table("counter_state").add_column("tag", str, not_null_default="")
    db.table("counter_state").transform(pk=("line", "counter", "tag"))


STEPS: list[Step] = [_v1, _v2, _v3]


def prepare(conn: sqlite3.Connection) -> None:
    """Create or bring up to date the tables (on the writer's connection, before it runs)."""
    migrate(conn, COMPONENT, STEPS)
