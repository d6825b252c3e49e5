"""Small shared pieces of the benchmarks: percentiles and the one-line JSON report."""

from __future__ import annotations

import json
import statistics
import sys


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
