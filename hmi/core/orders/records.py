"""Rows of the production tables <-> the shared types, and the statements that write them.

Kept apart from the service so the service reads as what happens, and this as how it is
stored. Every function here runs inside a transaction the caller owns (a Writer job, or a
read on a connection of its own).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .model import (
    Correction,
    CountStep,
    MachineState,
    Order,
    OrderChange,
    OrderState,
    Reason,
    Scrap,
    Stop,
)

ORDER_COLUMNS = (
    "number, line, target, state, product, sequence, ideal_cycle_s, source, good, scrap, "
    "billets, created, started, ended, run_seconds, uninspected"
)


def order_row(o: Order) -> tuple[Any, ...]:
    return (
        o.number,
        o.line,
        o.target,
        o.state.value,
        json.dumps(o.product, sort_keys=True),
        o.sequence,
        o.ideal_cycle_s,
        o.source,
        o.good,
        o.scrap,
        o.billets,
        o.created,
        o.started,
        o.ended,
        o.run_seconds,
        o.uninspected,
    )


def order_from(r: tuple[Any, ...]) -> Order:
    return Order(
        number=r[0],
        line=r[1],
        target=int(r[2]),
        state=OrderState(r[3]),
        product=json.loads(r[4] or "{}"),
        sequence=int(r[5] or 0),
        ideal_cycle_s=float(r[6] or 0.0),
        source=r[7] or "",
        good=int(r[8] or 0),
        scrap=int(r[9] or 0),
        billets=int(r[10] or 0),
        created=float(r[11] or 0.0),
        started=r[12],
        ended=r[13],
        run_seconds=float(r[14] or 0.0),
        uninspected=int(r[15] or 0),
    )


def insert_order(conn: sqlite3.Connection, o: Order) -> None:
    marks = ", ".join("?" * len(ORDER_COLUMNS.split(",")))
    conn.execute(f"INSERT INTO orders ({ORDER_COLUMNS}) VALUES ({marks})", order_row(o))


def update_order_state(conn: sqlite3.Connection, o: Order) -> None:
    """The fields an action changes; the counts are added by count steps, never set."""
    conn.execute(
        "UPDATE orders SET state = ?, started = ?, ended = ?, sequence = ?, run_seconds = ? "
        "WHERE number = ?",
        (o.state.value, o.started, o.ended, o.sequence, o.run_seconds, o.number),
    )


def update_order_data(conn: sqlite3.Connection, o: Order) -> None:
    """What the MES may change on an order still in the queue."""
    conn.execute(
        "UPDATE orders SET target = ?, product = ?, sequence = ?, ideal_cycle_s = ? "
        "WHERE number = ?",
        (o.target, json.dumps(o.product, sort_keys=True), o.sequence, o.ideal_cycle_s, o.number),
    )


def insert_change(conn: sqlite3.Connection, c: OrderChange) -> None:
    conn.execute(
        "INSERT INTO order_changes (order_number, action, state, user, ts, reason) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (c.order, c.action, c.state.value, c.user, c.ts, c.reason),
    )


def insert_steps(conn: sqlite3.Connection, steps: Iterable[CountStep], source: str) -> None:
    conn.executemany(
        "INSERT INTO counts (line, counter, delta, raw_before, raw_after, kind, ts, "
        "order_number, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (s.line, s.counter, s.delta, s.raw_before, s.raw_after, s.kind, s.ts, s.order, source)
            for s in steps
        ],
    )


def add_totals(
    conn: sqlite3.Connection,
    number: str,
    good: int,
    scrap: int,
    billets: int,
    uninspected: int = 0,
) -> None:
    conn.execute(
        "UPDATE orders SET good = good + ?, scrap = scrap + ?, billets = billets + ?, "
        "uninspected = uninspected + ? WHERE number = ?",
        (good, scrap, billets, uninspected, number),
    )


def set_counter_state(
    conn: sqlite3.Connection,
    rows: Iterable[tuple[str, str, str, int, float] | tuple[str, str, int, float]],
) -> None:
    """(line, role, tag, raw, ts): each counter tag's last reading; (line, role, raw, ts)
    is a role's reading without its tag, as kept before a role could read several tags."""
    conn.executemany(
        "INSERT INTO counter_state (line, counter, tag, raw, ts) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(line, counter, tag) DO UPDATE SET raw = excluded.raw, ts = excluded.ts",
        [row if len(row) == 5 else (row[0], row[1], "", row[2], row[3]) for row in rows],
    )


def stop_row(s: Stop) -> tuple[Any, ...]:
    return (
        s.id,
        s.line,
        s.start,
        s.end,
        s.state.value,
        int(s.micro),
        s.reason.key if s.reason else "",
        s.reason_by,
        s.comment,
        s.order,
    )


def save_stop(conn: sqlite3.Connection, s: Stop) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO stops (id, line, start, end, state, micro, reason, reason_by, "
        "comment, order_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        stop_row(s),
    )


def delete_stop(conn: sqlite3.Connection, stop_id: int) -> None:
    conn.execute("DELETE FROM stops WHERE id = ?", (stop_id,))


def insert_scrap(conn: sqlite3.Connection, s: Scrap) -> None:
    conn.execute(
        "INSERT INTO scrap (order_number, line, quantity, reason, user, ts, kg) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (s.order, s.line, s.quantity, s.reason, s.user, s.ts, s.kg),
    )


def insert_correction(conn: sqlite3.Connection, c: Correction) -> None:
    conn.execute(
        'INSERT INTO corrections (order_number, counter, "before", "after", user, reason, ts) '
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (c.order, c.counter, c.before, c.after, c.user, c.reason, c.ts),
    )


@dataclass
class Loaded:
    """What the service keeps in memory, as read from the store at start."""

    orders: dict[str, Order] = field(default_factory=dict)
    stops: dict[int, Stop] = field(default_factory=dict)
    scrap: list[Scrap] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    #: (line, role, tag) -> the tag's last reading and when; tag '' for a row written
    #: before roles could read several tags
    counters: dict[tuple[str, str, str], tuple[int, float]] = field(default_factory=dict)
    closed_shifts: dict[str, float] = field(default_factory=dict)  # line -> last shift end


def load(conn: sqlite3.Connection, reason: Callable[[str], Reason | None]) -> Loaded:
    out = Loaded()
    for r in conn.execute(f"SELECT {ORDER_COLUMNS} FROM orders"):
        order = order_from(r)
        out.orders[order.number] = order
    for r in conn.execute(
        "SELECT id, line, start, end, state, micro, reason, reason_by, comment, order_number "
        "FROM stops ORDER BY id"
    ):
        out.stops[r[0]] = Stop(
            id=r[0],
            line=r[1],
            start=r[2],
            end=r[3],
            state=_state(r[4]),
            micro=bool(r[5]),
            reason=reason(r[6]) if r[6] else None,
            reason_by=r[7] or "",
            comment=r[8] or "",
            order=r[9],
        )
    for r in conn.execute(
        "SELECT order_number, line, quantity, reason, user, ts, kg FROM scrap ORDER BY id"
    ):
        out.scrap.append(Scrap(r[0], r[1], int(r[2]), r[3] or "", r[4] or "", r[5], r[6] or 0.0))
    for r in conn.execute(
        'SELECT order_number, counter, "before", "after", user, reason, ts FROM corrections '
        "ORDER BY id"
    ):
        out.corrections.append(Correction(r[0], r[1], int(r[2]), int(r[3]), r[4], r[5], r[6]))
    for line, counter, tag, raw, ts in conn.execute(
        "SELECT line, counter, tag, raw, ts FROM counter_state"
    ):
        out.counters[(line, counter, tag or "")] = (int(raw), float(ts))
    for line, end in conn.execute('SELECT line, max("end") FROM shifts_closed GROUP BY line'):
        out.closed_shifts[line] = float(end)
    return out


def adopt(conn: sqlite3.Connection, line: str, role: str, tag: str) -> None:
    """The reading kept for ``role`` of ``line`` before readings were kept per tag becomes
    ``tag``'s (at start, when ``tag`` is the role's one project tag and has no row)."""
    conn.execute(
        "UPDATE counter_state SET tag = ? WHERE line = ? AND counter = ? AND tag = ''",
        (tag, line, role),
    )
    conn.commit()


def _state(text: str) -> MachineState:
    try:
        return MachineState(text)
    except ValueError:
        return MachineState.NO_DATA


def changes(conn: sqlite3.Connection, number: str) -> list[OrderChange]:
    return [
        OrderChange(r[0], r[1], OrderState(r[2]), r[3] or "", r[4], r[5] or "")
        for r in conn.execute(
            "SELECT order_number, action, state, user, ts, reason FROM order_changes "
            "WHERE order_number = ? ORDER BY id",
            (number,),
        )
    ]


def counted(
    conn: sqlite3.Connection, line: str, start: float, end: float
) -> dict[tuple[str | None, str], int]:
    """Pieces counted on ``line`` in [start, end): (order, counter) -> sum of deltas."""
    return {
        (r[0], r[1]): int(r[2])
        for r in conn.execute(
            "SELECT order_number, counter, sum(delta) FROM counts "
            "WHERE line = ? AND ts >= ? AND ts < ? GROUP BY order_number, counter",
            (line, start, end),
        )
    }


def alarms_raised(conn: sqlite3.Connection, line: str, start: float, end: float) -> dict[int, int]:
    """Priority -> alarms raised on ``line`` (or on no line) in [start, end)."""
    return {
        int(r[0]): int(r[1])
        for r in conn.execute(
            "SELECT priority, count(*) FROM alarms_raised WHERE (line = ? OR line = '') "
            "AND ts >= ? AND ts < ? GROUP BY priority",
            (line, start, end),
        )
    }
