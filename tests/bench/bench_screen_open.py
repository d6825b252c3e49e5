"""Opening a demo screen with its mini-trends filled from the history (target <= 150 ms).

The history holds the last hour of every sparkline tag of the demo at 10 points a second
(an uncompressed fast scan: the worst case). Each open is timed from ``show_screen`` until
the screen is drawn and every sparkline holds its past. Measured in the same run: the
same open without history (the cost of the screen alone, its trends empty), and the
naive way: one value look-up per point drawn, on the GUI thread.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from hmi.core.engine import TagEngine
from hmi.core.historian import HistoryQuery
from hmi.core.historian.storage import SCHEMA, InsertJob, encode, register_tags
from hmi.core.paths import demo_project_dir, install_root
from hmi.core.project.loader import load_project
from hmi.core.store import Writer, migrate
from hmi.core.tags import TagValue
from hmi.ui.bridge import TagBridge
from hmi.ui.renderer import ScreenHost
from hmi.ui.symbols import SymbolContext
from hmi.ui.symbols.history import SHOWN
from tests.bench.common import median, percentile, report
from tests.ui.demo_values import NORMAL

SCREENS = ["line1_press", "line2_filling", "overview"]
ROUNDS = 5  # each screen this many times, per way
HISTORY_S = 3600
RATE_HZ = 10


def sparkline_tags(project) -> list[str]:
    from hmi.core.screens import load_screens

    screens, _ = load_screens(install_root() / "screens", project)
    return sorted({s.tag for screen in screens for s in screen.symbols if s.type == "sparkline"})


def write_history(path: Path, tags: list[str], end: float) -> Writer:
    writer = Writer(path)
    migrate(writer.conn, "historian", SCHEMA)
    ids = register_tags(writer.conn, dict.fromkeys(tags, 0))
    writer.start()
    for tag in tags:
        base = float(NORMAL.get(tag, 50.0))
        rows = []
        for i in range(HISTORY_S * RATE_HZ):
            t = end - HISTORY_S + i / RATE_HZ
            value, flags = encode(base + (i % 97) / 10)
            rows.append((ids[tag], int(t * 1000), value, flags))
        writer.submit(InsertJob(rows, [], [], 1, frozenset(ids.values())))
    assert writer.flush(120)
    return writer


def naive_fill(scene, query: HistoryQuery, now: float) -> None:
    """One look-up per point drawn (as many as the prefill gives), on the GUI thread."""
    for spark in scene.sparklines:
        samples = []
        for i in range(SHOWN, 0, -1):
            t = now - spark.window * i / SHOWN
            point = query.value_at(spark.tag, int(t * 1000))
            if point is not None and isinstance(point.value, int | float):
                samples.append((t, float(point.value)))
        spark.fill(samples)


def opens(app, project, engine, query, way: str, now: float) -> tuple[list[float], list[float]]:
    """Wall time of each open, and the GUI thread's CPU time in it (the prefill reads on a
    worker: the screen stays responsive while its trends fill)."""
    bridge = TagBridge(engine)
    bridge.start()
    context = SymbolContext(project, clock=lambda: now)
    context.history = query if way == "prefill" else None
    host = ScreenHost(project, bridge, install_root() / "screens", context, watch=False)
    host.resize(1920, 1000)
    host.show()
    app.processEvents()
    times, cpu = [], []
    for name in ["overview", *SCREENS * ROUNDS]:
        started, cpu0 = time.perf_counter(), time.thread_time()
        host.show_screen(name)
        scene = host.current
        if way == "naive":
            naive_fill(scene, query, now)
        elif way == "prefill":
            while not scene.history_fill.done:
                app.processEvents()
                if time.perf_counter() - started > 10:
                    raise RuntimeError("the history never came")
            assert all(len(s.samples) > 60 for s in scene.sparklines)
        host.view.viewport().repaint()  # until the screen is drawn with its trends
        times.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - cpu0)
    bridge.stop()
    host.close()
    host.deleteLater()
    app.processEvents()
    return times[1:], cpu[1:]  # the first warms the caches


def main() -> None:
    app = QApplication.instance() or QApplication([])
    project = load_project(demo_project_dir() / "project.yaml")
    engine = TagEngine(project)
    engine.publish({k: TagValue(v) for k, v in NORMAL.items() if k in project.tags})
    tags = sparkline_tags(project)
    now = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        writer = write_history(Path(tmp) / "hmi.db", tags, now)
        query = HistoryQuery(writer.path)
        runs: dict[str, list[float]] = {"prefill": [], "none": [], "naive": []}
        gui: dict[str, list[float]] = {way: [] for way in runs}
        for _ in range(2):  # alternating, as the machine is shared
            for way in runs:
                wall, cpu = opens(app, project, engine, query, way, now)
                runs[way] += wall
                gui[way] += cpu
        query.close()
        writer.stop()
    prefill, none, naive = (median(runs[w]) * 1000 for w in ("prefill", "none", "naive"))
    report(
        "screen_open",
        screens=SCREENS,
        sparkline_tags=len(tags),
        history_points_per_tag=HISTORY_S * RATE_HZ,
        prefill_ms_median=prefill,
        prefill_ms_p99=percentile(runs["prefill"], 99) * 1000,
        no_history_ms_median=none,
        naive_per_point_ms_median=naive,
        prefill_gui_cpu_ms_median=median(gui["prefill"]) * 1000,
        naive_gui_cpu_ms_median=median(gui["naive"]) * 1000,
        target_ms=150,
        ratio_naive_over_prefill=naive / max(prefill, 1e-9),
        prefill_cost_over_no_history_ms=prefill - none,
    )


if __name__ == "__main__":
    main()
