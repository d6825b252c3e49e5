"""OEE per ISO 22400-2 and the six big losses, from a period's busy time, stops and counts.

The definitions (ISO 22400-2:2014, KPIs for manufacturing operations management):

- PBT, planned busy time: the shift's time less breaks, planned downtime and holidays (the
  calendar's ``planned_busy_time``) and less the stops given a *planned* reason here;
- APT, actual production time: PBT less the time the line stood (breakdowns, setup, small
  stops);
- PRI, planned run time per item (the ideal cycle time); PQ produced = GQ good + SQ scrap;
- availability = APT / PBT; effectiveness = PRI × PQ / APT; quality ratio = GQ / PQ;
  OEE index = availability × effectiveness × quality ratio (= PRI × GQ / PBT).

The six big losses, in seconds of PBT, add up to PBT × (1 - OEE):

- breakdown, setup, small_stop: the stop time of each bucket (``loss_of``);
- speed: APT - PRI × PQ (negative when the line ran faster than the ideal cycle: the
  ideal cycle time is set too slow, and effectiveness is above 1);
- startup_reject, production_reject: the quality loss PRI × PQ × (1 - quality ratio), split
  by the start-up share of the scrap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from .model import MachineState, Oee, Stop, StopKind

#: the six big losses, in the order a waterfall takes them off the planned busy time
LOSSES = ("breakdown", "setup", "small_stop", "speed", "startup_reject", "production_reject")
#: the bucket of a stop that leaves the planned busy time instead of being a loss
PLANNED = "planned"
_STOP_LOSSES = frozenset({"breakdown", "setup", "small_stop"})

#: (ideal cycle seconds, pieces produced) of each order run in the period
IdealRuns = Sequence[tuple[float, int]]


def loss_of(stop: Stop) -> str:
    """Where a stop's time goes: ``planned`` (out of PBT), breakdown, setup, small_stop, or
    ``speed`` (left in APT, so it ends up in the speed loss).

    The reason's own ``loss`` decides when the project gives one (speed or a reject loss
    named on a stop reason books its time as speed: a stop is no scrap); otherwise a
    changeover is setup, a planned reason is planned time, a micro-stop is a small stop, and
    the rest (faults, starved, blocked, no data, stops nobody gave a reason) are breakdowns.
    """
    reason = stop.reason
    if reason is not None and reason.loss:
        return reason.loss if reason.loss in _STOP_LOSSES or reason.loss == PLANNED else "speed"
    if stop.state is MachineState.CHANGEOVER:
        return "setup"
    if reason is not None and reason.kind is StopKind.PLANNED:
        return PLANNED
    if stop.micro:
        return "small_stop"
    return "breakdown"


def clip_stops(stops: Iterable[Stop], start: float, end: float) -> list[Stop]:
    """The stops' parts within ``start``..``end``; an open stop lasts until ``end``."""
    clipped = []
    for stop in stops:
        stop_end = end if stop.end is None else min(stop.end, end)
        stop_start = max(stop.start, start)
        if stop_end > stop_start:
            if stop_start != stop.start or stop_end != stop.end:
                stop = replace(stop, start=stop_start, end=stop_end)
            clipped.append(stop)
    return clipped


def compute_oee(
    planned_busy_time: float,
    stops: Iterable[Stop],
    ideal_cycle_s: float | IdealRuns,
    good: int,
    scrap: int,
    startup_scrap: int,
    period: tuple[float, float],
    busy_time: Callable[[float, float], float] | None = None,
) -> Oee:
    """ISO 22400-2 figures of one period.

    ``planned_busy_time`` is the calendar's for the period; ``stops`` are clipped to
    ``period`` here (an open one lasts until its end) and, with ``busy_time`` (the
    calendar's busy seconds between two instants), only their part within busy time counts,
    so a stop running through a break is not taken off twice. Stops with a planned reason
    leave PBT (the reported ``planned_busy_time`` is what remains). ``ideal_cycle_s`` is one
    ideal cycle time, or (ideal cycle, pieces produced) per order when orders of different
    products ran. Stop time beyond PBT (inconsistent input) is scaled down to fit it.
    """
    if good < 0 or scrap < 0 or startup_scrap < 0:
        raise ValueError(
            f"negative quantities: good {good}, scrap {scrap}, startup {startup_scrap}"
        )
    start, end = period
    lost = {"breakdown": 0.0, "setup": 0.0, "small_stop": 0.0}
    planned = 0.0
    for stop in clip_stops(stops, start, end):
        assert stop.end is not None
        seconds = busy_time(stop.start, stop.end) if busy_time else stop.end - stop.start
        bucket = loss_of(stop)
        if bucket == PLANNED:
            planned += seconds
        elif bucket in lost:
            lost[bucket] += seconds
    pbt = max(planned_busy_time - planned, 0.0)
    down = sum(lost.values())
    if down > pbt:
        scale = pbt / down
        lost = {name: seconds * scale for name, seconds in lost.items()}
        down = pbt
    apt = pbt - down
    ideal = _ideal_time(ideal_cycle_s, good + scrap)
    produced = good + scrap
    startup = min(startup_scrap, scrap)
    quality_loss = ideal * scrap / produced if produced else 0.0
    startup_loss = ideal * startup / produced if produced else 0.0
    losses = {
        **lost,
        "speed": apt - ideal,
        "startup_reject": startup_loss,
        "production_reject": quality_loss - startup_loss,
    }
    availability = apt / pbt if pbt > 0 else None
    effectiveness = ideal / apt if apt > 0 else None
    quality = good / produced if produced else None
    oee: float | None
    if availability is not None and effectiveness is not None and quality is not None:
        oee = availability * effectiveness * quality
    else:
        oee = 0.0 if pbt > 0 else None  # planned time with nothing good made in it
    return Oee(
        planned_busy_time=pbt,
        actual_production_time=apt,
        ideal_time=ideal,
        good=good,
        scrap=scrap,
        availability=availability,
        effectiveness=effectiveness,
        quality=quality,
        oee=oee,
        losses={name: losses[name] for name in LOSSES},
    )


def _ideal_time(ideal_cycle_s: float | IdealRuns, produced: int) -> float:
    """PRI × PQ, summed over the orders when each has its own ideal cycle."""
    if isinstance(ideal_cycle_s, int | float):
        runs: IdealRuns = ((float(ideal_cycle_s), produced),)
    else:
        runs = ideal_cycle_s
    total = 0.0
    for cycle, pieces in runs:
        if not math.isfinite(cycle) or cycle < 0 or pieces < 0:
            raise ValueError(f"ideal cycle {cycle} s for {pieces} pieces: both must be >= 0")
        total += cycle * pieces
    return total


def pareto(losses: Mapping[str, float]) -> list[tuple[str, float, float]]:
    """The losses largest first with the cumulative share of their total (the last is 1.0);
    losses of zero or below (a speed gain) are left out."""
    ranked = sorted(
        ((name, value) for name, value in losses.items() if value > 0),
        key=lambda item: (-item[1], item[0]),
    )
    total = sum(value for _, value in ranked)
    rows = []
    running = 0.0
    for i, (name, value) in enumerate(ranked):
        running += value
        rows.append((name, value, 1.0 if i == len(ranked) - 1 else running / total))
    return rows
