"""CSV of what a trend shows: one row per time, one column per pen (and per bucket side).

Times are local ISO 8601 with the UTC offset, so a spreadsheet and a colleague in another
time zone read the same instant. A gap (bad or missing data) is an empty cell.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np

from .pens import Pen
from .series import BUCKETS, PenData


def _inside(t: np.ndarray, t0: float, t1: float) -> np.ndarray:
    return (t >= t0) & (t <= t1)


def write_csv(
    path: str | os.PathLike[str],
    pens: Sequence[Pen],
    drawn: dict[str, tuple[np.ndarray, np.ndarray]],
    history: dict[str, PenData],
    t0: float,
    t1: float,
) -> int:
    """Write the samples of every pen in [t0, t1] to ``path``; returns the rows written.

    ``drawn`` is each pen's line as drawn (values, or bucket averages); a pen drawn from
    buckets also gets its bucket minimum and maximum.
    """
    columns: list[tuple[str, np.ndarray, np.ndarray]] = []
    for pen in pens:
        t, y = drawn.get(pen.tag, (np.empty(0), np.empty(0)))
        keep = _inside(t, t0, t1)
        units = f" [{pen.units}]" if pen.units else ""
        data = history.get(pen.tag)
        if data is not None and data.mode == BUCKETS:
            columns.append((f"{pen.tag} avg{units}", t[keep], y[keep]))
            bt = data.t
            inside = _inside(bt, t0, t1)
            columns.append((f"{pen.tag} min{units}", bt[inside], data.lo[inside]))
            columns.append((f"{pen.tag} max{units}", bt[inside], data.hi[inside]))
        else:
            columns.append((f"{pen.tag}{units}", t[keep], y[keep]))
    times = np.unique(np.concatenate([c[1] for c in columns])) if columns else np.empty(0)
    table = np.full((len(times), len(columns)), math.nan)
    for index, (_, t, y) in enumerate(columns):
        if len(t):
            table[np.searchsorted(times, t), index] = y
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["time", *(c[0] for c in columns)])
        for t, row in zip(times, table, strict=True):
            stamp = datetime.fromtimestamp(float(t)).astimezone().isoformat(timespec="milliseconds")
            writer.writerow([stamp, *("" if math.isnan(v) else f"{v:.10g}" for v in row)])
    return len(times)
