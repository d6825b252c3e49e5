"""Replay of the demo's press screen from a day of history: seeking to any moment of the
last 24 hours until the screen is complete (target ≤ 200 ms), and frames while playing at
60× (target ≤ 100 ms). Naive: each tag's value found by reading its history up to the
moment (what a replay without point look-ups would do)."""

from __future__ import annotations

import math
import os
import random
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hmi.core.checks import check_all
from hmi.core.engine import TagEngine
from hmi.core.historian import HistoryQuery
from hmi.core.paths import demo_project_dir
from hmi.core.project.models import DataType
from hmi.core.screens import screens_folder
from hmi.ui.app import application
from hmi.ui.bridge import TagBridge
from hmi.ui.shell import MainWindow, Profile
from tests.bench.bench_historian import fill
from tests.bench.common import median, percentile, report

DAY_S = 24 * 3600
STEP_S = 10  # one stored point per tag every 10 s: a busy day
SCREEN = "line1_press"


def day_of_history(project, now_ms: int) -> dict[str, list]:
    start = now_ms - DAY_S * 1000
    series = {}
    for i, (name, tag) in enumerate(project.tags.items()):
        if tag.data_type is DataType.STRING:
            points = [(start + s * 1000, f"v{s // 3600}") for s in range(0, DAY_S, 3600)]
        elif tag.data_type is DataType.BOOL:
            points = [(start + s * 1000, (s // 600) % 2 == 0) for s in range(0, DAY_S, 600)]
        else:
            points = [
                (start + s * 1000, 100 + 50 * math.sin(s / (900 + 37 * i)))
                for s in range(0, DAY_S, STEP_S)
            ]
        series[name] = points
    return series


def seek_ms(controller, app, moments) -> list[float]:
    times = []
    for t in moments:
        started = time.perf_counter()
        controller.seek(t)
        app.processEvents()
        controller.window.host.view.viewport().repaint()
        times.append((time.perf_counter() - started) * 1000)
    return times


def naive_state_ms(query: HistoryQuery, tags, moments) -> list[float]:
    times = []
    for t in moments:
        started = time.perf_counter()
        ms = round(t * 1000)
        for name in tags:
            points = query.raw(name, ms - DAY_S * 1000, ms, limit=1_000_000, bounds=False)
            _ = points[-1] if points else None
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    app = application()
    project, problems = check_all(demo_project_dir())
    assert project is not None and not problems, problems
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hmi.db"
        now = time.time()
        started = time.perf_counter()
        fill(path, day_of_history(project, round(now * 1000)))
        fill_s = time.perf_counter() - started
        measured = [n for n, t in project.tags.items() if t.data_type.numeric]
        query = HistoryQuery(path, interpolated=measured)
        engine = TagEngine(project)
        bridge = TagBridge(engine, rate_hz=20)
        window = MainWindow(
            project,
            bridge,
            screens_folder(project),
            profile=Profile("desk", False, 36, 16),
            watch=False,
            services={"historian": SimpleNamespace(query=query)},
        )
        bridge.start()
        window.resize(1920, 1080)
        window.start(SCREEN)
        window.show()
        app.processEvents()
        controller = window.view("replay").controller
        controller.start(now - 3600)
        tags = sorted(bridge.bound_tags)
        rng = random.Random(7)
        moments = [now - rng.uniform(60, DAY_S - 60) for _ in range(40)]
        seek = seek_ms(controller, app, moments)
        naive = naive_state_ms(query, tags, moments[:8])
        controller.seek(now - 4 * 3600)
        frames = seek_ms(controller, app, [now - 4 * 3600 + 6 * k for k in range(1, 101)])
        controller.go_live()
        report(
            "replay",
            tags_on_screen=len(tags),
            stored_points=sum(len(v) for v in day_of_history(project, 0).values()),
            fill_s=fill_s,
            seek_ms_median=median(seek),
            seek_ms_p95=percentile(seek, 95),
            seek_ms_max=max(seek),
            frame_60x_ms_median=median(frames),
            frame_60x_ms_p99=percentile(frames, 99),
            naive_state_ms_median=median(naive),
            naive_over_replay=median(naive) / median(seek),
        )
        window.close()
        query.close()


if __name__ == "__main__":
    main()
