"""The MES sync's own tables, as numbered migration steps (component ``mes``).

``mes_cursors``: per target, every outbox id up to ``after_id`` was taken or quarantined.
``mes_ahead``: ids above a cursor the live lane already delivered (the backlog lane skips
them; rows below the cursor are removed as it passes). ``mes_quarantine``: events a target
refused, kept with the reason until they are retried into acceptance or discarded; the
outbox row stays while any target holds it here. ``mes_sparkplug_nodes``: the last
``bdSeq`` each Sparkplug edge node (group, node) connected with, so the sequence goes on
across restarts and a host tells a stale NDEATH from the current one. The outbox tables
themselves are the orders'.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils

from ..store import Step, migrate

COMPONENT = "mes"


def _v1(conn: sqlite3.Connection) -> None:
    db = sqlite_utils.Database(conn)
    db.table("mes_cursors").create(
        {
            "target": str,
            "after_id": int,
            "last_success": float,
            "last_error": str,
            "state": str,
        },
        pk="target",
        not_null={"after_id"},
        defaults={"after_id": 0},
    )
    db.table("mes_ahead").create({"target": str, "outbox_id": int}, pk=("target", "outbox_id"))
    db.table("mes_quarantine").create(
        {
            "target": str,
            "outbox_id": int,
            "key": str,
            "stream": str,
            "seq": int,
            "kind": str,
            "reason": str,
            "attempts": int,
            "first_ts": float,
            "last_ts": float,
        },
        pk=("target", "outbox_id"),
    )
    db.table("mes_quarantine").create_index(["outbox_id"])


def _v2(conn: sqlite3.Connection) -> None:
    sqlite_utils.Database(conn).table("mes_sparkplug_nodes").create(
        {"group_id": str, "edge_node_id": str, "bd_seq": int, "ts": float},
        pk=("group_id", "edge_node_id"),
        not_null={"bd_seq"},
    )


STEPS: list[Step] = [_v1, _v2]


def create(conn: sqlite3.Connection) -> None:
    migrate(conn, COMPONENT, STEPS)
