"""Addresses a device refuses (Modbus exception 2): located exactly, remembered, re-checked.

When a read of a range is refused, ``locate`` finds the first refused address by a binary
search over reads of growing prefixes and the last one over reads of shrinking suffixes,
so every readable address before and after is read, and nothing readable is marked. In
between, tags are read as they lie; the addresses between two refused ones that no tag
uses are taken as refused too (refused addresses come in unmapped ranges, and no read
would ever cross them anyway). A range is located in about ``2 * log2(size)`` reads.

A device that refuses long reads rather than addresses (some answer exception 2 past 64
or 100 registers) shows up as a refused address that reads fine on its own: ``TooLong``
says how long a read it took.

``recheck`` asks again about a known range (a PLC program change can map it): two reads
for its first and last address and one per tag inside it, and only if one of them now
reads, the range is located anew.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hmi.core.store import connect, migrate

from .planner import split_requests, touches

log = logging.getLogger(__name__)

# a read of ``count`` items from ``address``: the values, or None when the device
# answered exception 2 (illegal data address); other failures raise
Probe = Callable[[int, int], Awaitable[Sequence[Any] | None]]


class RangeSet:
    """Sorted, disjoint, half-open address ranges."""

    def __init__(self, ranges: Iterable[tuple[int, int]] = ()):
        self._ranges: list[tuple[int, int]] = []
        for start, end in ranges:
            self.add(start, end)

    @property
    def ranges(self) -> tuple[tuple[int, int], ...]:
        return tuple(self._ranges)

    def __bool__(self) -> bool:
        return bool(self._ranges)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(tuple(self._ranges))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RangeSet) and self._ranges == other._ranges

    def __repr__(self) -> str:
        return f"RangeSet({self._ranges})"

    def add(self, start: int, end: int) -> None:
        if start >= end:
            return
        kept = []
        for a, b in self._ranges:
            if b < start or a > end:
                kept.append((a, b))
            else:
                start, end = min(a, start), max(b, end)
        kept.append((start, end))
        self._ranges = sorted(kept)

    def discard(self, start: int, end: int) -> None:
        if start >= end:
            return
        kept = []
        for a, b in self._ranges:
            if b <= start or a >= end:
                kept.append((a, b))
                continue
            if a < start:
                kept.append((a, start))
            if b > end:
                kept.append((end, b))
        self._ranges = kept

    def touches(self, start: int, end: int) -> bool:
        return touches(self._ranges, start, end)

    def within(self, start: int, end: int) -> list[tuple[int, int]]:
        """The parts of the ranges inside [start, end)."""
        if start >= end:
            return []
        return [(max(a, start), min(b, end)) for a, b in self._ranges if a < end and b > start]


class TooLong(Exception):
    """The device refuses reads longer than ``limit`` items, whatever their address."""

    def __init__(self, limit: int):
        super().__init__(f"refuses reads of more than {limit}")
        self.limit = limit


@dataclass
class Located:
    data: dict[int, Any] = field(default_factory=dict)  # address -> value, all that was read
    refused: RangeSet = field(default_factory=RangeSet)


async def locate(probe: Probe, start: int, end: int, needed: RangeSet) -> Located:
    """What of [start, end) the device refuses, given that it refused the whole range.

    ``needed`` holds the addresses tags use; the range must fit one request.
    """
    found = Located()

    async def read(a: int, b: int) -> bool:
        values = await probe(a, b - a)
        if values is None:
            return False
        found.data.update(zip(range(a, b), values, strict=False))
        return True

    # first refused address r: [start, r) reads, [start, r + 1) is refused
    lo, hi = start, end - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if await read(start, mid + 1):
            lo = mid + 1
        else:
            hi = mid
    first = lo
    if first > start and await read(first, first + 1):
        raise TooLong(first - start)
    # last refused address q: [q + 1, end) reads, [q, end) is refused
    lo, hi = first, end - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if await read(mid, end):
            hi = mid - 1
        else:
            lo = mid
    last = lo
    inner = needed.within(first + 1, last)
    if inner and not await read(inner[0][0], inner[-1][1]):
        for a, b in inner:
            if not await read(a, b) and b - a > 1:
                found.data.update((await locate(probe, a, b, RangeSet([(a, b)]))).data)
    found.refused = _unread(first, last + 1, found.data)
    return found


async def recheck(
    probe: Probe, start: int, end: int, needed: RangeSet, limit: int
) -> Located | None:
    """What of a known refused range [start, end) is refused now; None when unchanged.

    Cheap while nothing changed: its first and last address and each tag inside it.
    """
    asks = [(start, start + 1), (end - 1, end), *needed.within(start, end)]
    for a, b in dict.fromkeys(asks):
        if await probe(a, b - a) is not None:
            break
    else:
        return None
    found = Located()
    for address, count in split_requests(start, end - start, limit):
        values = await probe(address, count)
        if values is not None:
            found.data.update(zip(range(address, address + count), values, strict=False))
            continue
        part = await locate(probe, address, address + count, needed)
        found.data.update(part.data)
        for a, b in part.refused:
            found.refused.add(a, b)
    return found


def _unread(start: int, end: int, data: dict[int, Any]) -> RangeSet:
    out = RangeSet()
    run = None
    for address in range(start, end):
        if address in data:
            if run is not None:
                out.add(run, address)
                run = None
        elif run is None:
            run = address
    if run is not None:
        out.add(run, end)
    return out


# -- memory across restarts -------------------------------------------------------------------

REFUSED_COMPONENT = "modbus_refused"
REFUSED_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS modbus_refused (
        device TEXT NOT NULL,
        area TEXT NOT NULL,
        start INTEGER NOT NULL,
        stop INTEGER NOT NULL,
        PRIMARY KEY (device, area, start)
    )"""
]


def load_refused(path: Path, device: str) -> dict[str, list[tuple[int, int]]]:
    """Refused ranges remembered for ``device``, by area; nothing if there is no store yet."""
    if not path.exists():
        return {}
    conn = connect(path)
    try:
        migrate(conn, REFUSED_COMPONENT, REFUSED_SCHEMA)
        rows = conn.execute(
            "SELECT area, start, stop FROM modbus_refused WHERE device = ? ORDER BY start",
            (device,),
        ).fetchall()
    finally:
        conn.close()
    out: dict[str, list[tuple[int, int]]] = {}
    for area, start, stop in rows:
        out.setdefault(area, []).append((int(start), int(stop)))
    return out


def save_refused(path: Path, device: str, ranges: dict[str, list[tuple[int, int]]]) -> None:
    """Replace what is remembered for ``device`` in one transaction."""
    conn = connect(path)
    try:
        migrate(conn, REFUSED_COMPONENT, REFUSED_SCHEMA)
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM modbus_refused WHERE device = ?", (device,))
            conn.executemany(
                "INSERT INTO modbus_refused (device, area, start, stop) VALUES (?, ?, ?, ?)",
                [(device, area, a, b) for area, pairs in ranges.items() for a, b in pairs],
            )
            conn.execute("COMMIT")
        except sqlite3.Error:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
