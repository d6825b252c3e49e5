"""Trends: history query and redraw for 8 pens x 24 h at 1 s, one tag x 1 year, live tick.

- query: the trend's own fetch (buckets one pixel wide from the rollups, as numpy arrays)
  for a plot 1,800 px wide, against reading every raw point of the same range;
- redraw: putting that data on a 1920 x 1080 trend and painting it, against drawing every
  raw point (the naive way, no decimation);
- one tag x 1 year at 1 min: fetch and redraw;
- live: one scroll step of 8 pens whose rings hold 16,384 samples each.
The history is written straight into a store, as the historian's benchmark does.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path

if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication

from hmi.core.historian import HistoryQuery
from hmi.core.project.models import DeviceConfig, Project, TagConfig
from hmi.ui.profile import Profile
from hmi.ui.trends import TrendView
from hmi.ui.trends.fetch import fetch_all
from hmi.ui.trends.series import from_points
from tests.bench.bench_historian import DAY_S, T0, fill, time_ms
from tests.bench.common import median, percentile, report

PENS = [f"pen{p}" for p in range(8)]
WIDTH_PX = 1800
DESK = Profile("desk", False, 36.0, 17.0, 8.0)


def project() -> Project:
    tags = {
        name: TagConfig(name, device="plc", address="x", units=f"u{i % 3}")
        for i, name in enumerate([*PENS, "year"])
    }
    return Project("bench", ".", {"plc": DeviceConfig("plc", "x")}, tags)


def fill_store(path: Path) -> None:
    day = {
        name: [
            (T0 + s * 1000, 50 + 40 * math.sin(s / (600 + p * 97)) + (s % 7) * 0.1)
            for s in range(DAY_S)
        ]
        for p, name in enumerate(PENS)
    }
    year = [(T0 + m * 60_000, 20 + 10 * math.sin(m / 1440)) for m in range(365 * 1440)]
    fill(path, {**day, "year": year})


def painted(view: TrendView) -> None:
    view.plot.grab()  # paints the whole plot, as the screen would


def redraw_ms(view: TrendView, history: dict, repeat: int = 9) -> list[float]:
    def once() -> None:
        view.history.update(history)
        view.redraw(autoscale=True)
        painted(view)

    once()  # first paint builds caches
    return time_ms(once, repeat)


def naive_redraw_ms(view: TrendView, raw: dict, repeat: int = 3) -> list[float]:
    """Every raw point as one curve per pen, no clipping or decimation."""
    curves = []
    for index in range(len(raw)):
        curve = pg.PlotCurveItem(pen=pg.mkPen("#1A1A1A", width=2.5))
        curve.setZValue(100 + index)
        view.plot.views[0].addItem(curve)
        curves.append(curve)
    for item in view.plot.items.values():
        item.line.hide()
        item.envelope.hide()

    def once() -> None:
        for curve, data in zip(curves, raw.values(), strict=True):
            curve.setData(data.t, data.y)
        painted(view)

    return time_ms(once, repeat)


def live_tick_ms(view: TrendView, repeat: int = 15) -> list[float]:
    now = time.time()
    for tag in view.rings:
        ring = view.rings[tag]
        for i in range(ring.capacity):
            ring.append(now - (ring.capacity - i) * 0.05, 50 + math.sin(i / 50))
    view.clock = lambda: now
    view.span = 600.0

    def tick() -> None:
        view._tick()
        painted(view)

    return time_ms(tick, repeat)


def main() -> None:
    app = QApplication.instance() or QApplication([])
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trends.db"
        fill_store(path)
        query = HistoryQuery(path)
        t0, t1 = T0 / 1000, T0 / 1000 + DAY_S

        history = fetch_all(query, PENS, t0, t1, WIDTH_PX)
        assert all(d.mode == "buckets" for d in history.values())
        fetch = time_ms(lambda: fetch_all(query, PENS, t0, t1, WIDTH_PX), 15)

        def raw_all() -> dict:
            a, z = T0, T0 + DAY_S * 1000
            return {p: from_points(query.raw(p, a, z, limit=10**7), t0, t1) for p in PENS}

        raw = raw_all()
        naive_fetch = time_ms(raw_all, 3)

        view = TrendView(project(), query=None, profile=DESK, span=DAY_S)
        view.resize(1920, 1080)
        view.show()
        view.set_pens(PENS)
        view.pause()
        view.plot.main.setXRange(t0, t1, padding=0)
        app.processEvents()
        draw = redraw_ms(view, history)
        points_drawn = sum(len(view.drawn[p][0]) for p in PENS)
        tick = live_tick_ms(view)
        view.pause()
        view.plot.main.setXRange(t0, t1, padding=0)
        naive_draw = naive_redraw_ms(view, raw)
        view.close_view()

        year_end = t0 + 365 * DAY_S
        year = fetch_all(query, ["year"], t0, year_end, WIDTH_PX)
        year_fetch = time_ms(lambda: fetch_all(query, ["year"], t0, year_end, WIDTH_PX), 9)
        year_view = TrendView(project(), query=None, profile=DESK, span=DAY_S)
        year_view.resize(1920, 1080)
        year_view.show()
        year_view.set_pens(["year"])
        year_view.pause()
        year_view.plot.main.setXRange(t0, year_end, padding=0)
        app.processEvents()
        year_draw = redraw_ms(year_view, year)
        year_view.close_view()
        query.close()

    ours = median(fetch) + median(draw)
    naive = median(naive_fetch) + median(naive_draw)
    figures.update(
        query_8pens_24h_ms_median=median(fetch),
        query_8pens_24h_ms_p99=percentile(fetch, 99),
        redraw_8pens_24h_ms_median=median(draw),
        redraw_8pens_24h_ms_p99=percentile(draw, 99),
        points_drawn_8pens=points_drawn,
        naive_query_8pens_24h_raw_ms=median(naive_fetch),
        naive_redraw_8pens_24h_raw_ms=median(naive_draw),
        naive_points_drawn_8pens=int(sum(len(d.t) for d in raw.values())),
        ratio_naive_vs_trend=naive / ours,
        query_1tag_1year_ms_median=median(year_fetch),
        redraw_1tag_1year_ms_median=median(year_draw),
        live_tick_8pens_ms_median=median(tick),
        live_tick_8pens_ms_p99=percentile(tick, 99),
        year_mode=year["year"].mode,
        buckets_per_pen=int(np.mean([len(d.t) for d in history.values()])),
    )
    report("trends", **figures)


if __name__ == "__main__":
    main()
