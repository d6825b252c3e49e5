"""Small shared pieces of the benchmarks: percentiles, the one-line JSON report, and what
Linux's /proc says of a process (CPU time, resident memory, its children)."""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

CLOCK_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(name: str, **figures: object) -> None:
    """Print the benchmark's figures as one JSON line (floats rounded for reading)."""
    out = {"bench": name}
    for key, value in figures.items():
        out[key] = round(value, 4) if isinstance(value, float) else value
    print(json.dumps(out), flush=True)
    sys.stdout.flush()


# -- /proc (Linux; None or empty where there is none) -------------------------------------------


def stat_fields(text: str) -> list[str]:
    """The fields of a ``/proc/<pid>/stat`` line after the command name, which may hold
    spaces and parentheses: index 0 is the state (field 3 in proc(5)), 1 the parent's pid,
    11 and 12 the user and system CPU time in clock ticks."""
    return text.rsplit(")", 1)[1].split()


def _stat(pid: int | str, tid: int | None = None) -> list[str] | None:
    path = f"/proc/{pid}/task/{tid}/stat" if tid is not None else f"/proc/{pid}/stat"
    try:
        return stat_fields(Path(path).read_text())
    except (OSError, IndexError):  # gone, or not Linux
        return None


def cpu_seconds(pid: int | str = "self", tid: int | None = None) -> float | None:
    """User + system CPU seconds of a process, or of one of its threads; None once gone."""
    fields = _stat(pid, tid)
    return None if fields is None else (int(fields[11]) + int(fields[12])) / CLOCK_TICK


def thread_cpu_seconds() -> dict[str, float]:
    """CPU seconds of each of this process's Python threads by name (Python does not give
    the OS its threads' names, so /proc alone cannot tell them apart)."""
    import threading

    out: dict[str, float] = {}
    for thread in threading.enumerate():
        seconds = None if thread.native_id is None else cpu_seconds("self", thread.native_id)
        if seconds is not None:
            out[thread.name] = out.get(thread.name, 0.0) + seconds
    return out


def status_number(pid: int | str = "self", key: str = "VmRSS") -> int | None:
    """A figure of ``/proc/<pid>/status``: VmRSS (resident memory now, kB), VmHWM (its
    peak, kB), Threads ..."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name == key and value.split():
            return int(value.split()[0])
    return None


def command_line(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (children, their children ...), parents first."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(entry.name)
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop(0)
        found.append(current)
        todo.extend(sorted(children.get(current, [])))
    return found
