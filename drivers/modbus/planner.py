"""Block-read planning by cost: the fewest requests first, then the fewest registers.

A request costs far more than the registers it carries: one round trip takes about as
long as carrying ``request_cost`` registers (over TCP thousands, over a slow serial line
a dozen or two). A plan's cost is ``request_cost * requests + registers read``, and the
planner finds the cheapest plan exactly, by dynamic programming over where each request
starts and ends. Hard walls: a request carries at most ``limit`` registers (125, or 2000
bits), never touches an address the device refused, and, when ``max_gap`` is given,
never skips more than ``max_gap`` unused registers at once (for devices that cannot read
unmapped registers and do not say so).

Requests that follow each other without a gap form one block, decoded as one buffer, so
N contiguous registers always cost ``ceil(N / limit)`` requests whatever the tag sizes
(a tag may straddle two requests of a block, as it does in any block read of more than
``limit`` registers).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# (start, end) half-open address ranges the device refused, sorted and disjoint
Walls = Sequence[tuple[int, int]]


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


def touches(walls: Walls, start: int, end: int) -> bool:
    """Whether [start, end) shares an address with a wall."""
    i = bisect.bisect_right(walls, start, key=lambda wall: wall[0]) - 1
    if i >= 0 and walls[i][1] > start:
        return True
    return i + 1 < len(walls) and walls[i + 1][0] < end


def plan_blocks(
    spans: Iterable[Span],
    *,
    limit: int,
    request_cost: int,
    max_gap: int | None = None,
    walls: Walls = (),
) -> list[Block]:
    """The cheapest blocks covering ``spans`` (see the module docstring).

    A span that touches a wall is read alone, so its own answer says what is wrong.
    """
    readable: list[Span] = []
    alone: list[Block] = []
    for span in spans:
        if walls and touches(walls, span.start, span.end):
            requests = split_requests(span.start, span.size, limit)
            alone.append(Block(span.start, span.size, (span,), requests))
        else:
            readable.append(span)
    plan = _cheapest_requests(_runs(readable), limit, request_cost, max_gap, walls)
    blocks = _blocks(plan, readable)
    return sorted(blocks + alone, key=lambda b: (b.start, b.size))


def _runs(spans: Sequence[Span]) -> list[tuple[int, int]]:
    """Maximal ranges of used addresses: spans that overlap or touch joined."""
    runs: list[tuple[int, int]] = []
    for start, end in sorted((s.start, s.end) for s in spans):
        if runs and start <= runs[-1][1]:
            if end > runs[-1][1]:
                runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return runs


def _cheapest_requests(
    runs: list[tuple[int, int]],
    limit: int,
    request_cost: int,
    max_gap: int | None,
    walls: Walls,
) -> list[tuple[int, int]]:
    """(start, end) of each request of the cheapest plan covering ``runs``.

    A state is the address where a request starts: a run's start, or the point inside a
    run where the previous request ran out of room (it goes on from there, so the two
    requests belong to one block). From a state a request may end at the end of any run
    it can reach, or mid-run at its limit. Every request ends later than it starts, so
    evaluating states from the highest address down sees each successor first.
    """
    if not runs:
        return []
    starts = [a for a, _ in runs]
    ends = [b for _, b in runs]
    # whether a request may run on from the run before into each run
    joinable = [False] + [
        (max_gap is None or a - prev_end <= max_gap) and not (walls and touches(walls, prev_end, a))
        for prev_end, a in zip(ends, starts[1:], strict=False)
    ]
    count = len(runs)

    def choices(k: int, p: int) -> list[tuple[int, int, int | None]]:
        """(end, index of the next run, continuation address or None)."""
        reach = p + limit
        out: list[tuple[int, int, int | None]] = []
        j = k
        while True:
            if ends[j] > reach:
                out.append((reach, j, reach))
                break
            out.append((ends[j], j + 1, None))
            j += 1
            if j == count or starts[j] >= reach or not joinable[j]:
                break
        return out

    # every state, found forwards: run starts plus the continuation points they lead to
    state_run: dict[int, int] = {}
    todo = [(i, a) for i, a in enumerate(starts)]
    while todo:
        k, p = todo.pop()
        if p in state_run:
            continue
        state_run[p] = k
        for _, j, cont in choices(k, p):
            if cont is not None and cont not in state_run:
                todo.append((j, cont))

    best: dict[int, tuple[int, int, int, int | None]] = {}  # p -> (cost, requests, end, next)
    for p in sorted(state_run, reverse=True):
        k = state_run[p]
        pick: tuple[int, int, int, int | None] | None = None
        for end, j, cont in choices(k, p):
            nxt = cont if cont is not None else (starts[j] if j < count else None)
            cost, requests = (0, 0) if nxt is None else best[nxt][:2]
            option = (cost + request_cost + end - p, requests + 1, end, nxt)
            if pick is None or option[:2] < pick[:2]:
                pick = option
        assert pick is not None  # a request can always reach the end of its own run or limit
        best[p] = pick

    plan: list[tuple[int, int]] = []
    at: int | None = starts[0]
    while at is not None:
        _, _, end, nxt = best[at]
        plan.append((at, end))
        at = nxt
    return plan


def _blocks(requests: list[tuple[int, int]], spans: Sequence[Span]) -> list[Block]:
    """Requests that follow each other without a gap joined into blocks, with their spans."""
    chains: list[list[tuple[int, int]]] = []
    for start, end in requests:
        if chains and chains[-1][-1][1] == start:
            chains[-1].append((start, end))
        else:
            chains.append([(start, end)])
    bounds = [chain[0][0] for chain in chains]
    members: list[list[Span]] = [[] for _ in chains]
    for span in sorted(spans, key=lambda s: (s.start, -s.size, s.key)):
        members[bisect.bisect_right(bounds, span.start) - 1].append(span)
    return [
        Block(
            chain[0][0],
            chain[-1][1] - chain[0][0],
            tuple(spans_of),
            tuple((s, e - s) for s, e in chain),
        )
        for chain, spans_of in zip(chains, members, strict=True)
    ]
