"""Block-read planning: as few requests as possible, never across refused addresses.

Tags of one area and scan class are sorted and merged into blocks while the gap between
neighbours is at most ``max_gap``. A block is read with ``ceil(size / limit)`` requests
and decoded as one buffer, so N contiguous registers always cost ``ceil(N / 125)``
requests whatever the tag sizes. Addresses a device refused (Modbus exception 2) are
never skipped over by a merge, and a tag that covers one is read alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A tag's address range: ``size`` registers (or bits) from ``start``."""

    key: str
    start: int
    size: int

    @property
    def end(self) -> int:
        return self.start + self.size


@dataclass(frozen=True, slots=True)
class Block:
    """A contiguous range read in one pass and decoded together."""

    start: int
    size: int
    spans: tuple[Span, ...]
    requests: tuple[tuple[int, int], ...]  # (address, count) each <= the request limit

    @property
    def end(self) -> int:
        return self.start + self.size


def split_requests(start: int, size: int, limit: int) -> tuple[tuple[int, int], ...]:
    """(address, count) pairs covering ``size`` items from ``start``, each at most ``limit``."""
    return tuple(
        (address, min(limit, start + size - address))
        for address in range(start, start + size, limit)
    )


def plan_blocks(
    spans: Iterable[Span], *, limit: int, max_gap: int, avoid: Set[int] = frozenset()
) -> list[Block]:
    """Blocks covering ``spans``; ``avoid`` holds addresses the device refused."""
    blocks: list[Block] = []
    members: list[Span] = []
    start = end = 0
    alone = False

    def close() -> None:
        if members:
            size = end - start
            blocks.append(Block(start, size, tuple(members), split_requests(start, size, limit)))

    for span in sorted(spans, key=lambda s: (s.start, -s.size, s.key)):
        refused = bool(avoid) and _touches(avoid, span.start, span.end)
        mergeable = (
            members
            and not alone
            and not refused
            and span.start - end <= max_gap
            and not (avoid and _touches(avoid, end, span.start))
        )
        if mergeable:
            members.append(span)
            end = max(end, span.end)
        else:
            close()
            members = [span]
            start, end, alone = span.start, span.end, refused
    close()
    return blocks


def _touches(avoid: Set[int], start: int, end: int) -> bool:
    return any(address in avoid for address in range(start, end))
