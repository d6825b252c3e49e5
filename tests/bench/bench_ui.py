"""Operator screen: 500 bound symbols while the engine changes 10,000 values a second.

Every symbol gets a new value at every flush (10 Hz), the worst case. The bridge way: a
latest-only subscription flushed to the widgets at 10 Hz, symbols that repaint only what a
value changes over a cached background. The naive way, measured in the same run: a queued
signal per value change, each applied to its widget at once. Reported (medians over
alternating runs, since the machine is shared): the GUI thread's CPU share (target <= 25 %
of one core), frame (paint) time, event-loop lag (how late a 10 ms heartbeat fires: what an
operator feels as a frozen screen), the CPU share while the screen is hidden (it lets go of
its tags), the time to switch screens (500-symbol screens and the demo screens, target
<= 150 ms) and the cold start of the demo application to its first painted screen, in a
process of its own (target <= 2 s).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication

from hmi.core.engine import TagEngine
from hmi.core.project.models import DeviceConfig, Project, TagConfig
from hmi.core.tags import TagValue
from hmi.ui.bridge import TagBridge
from hmi.ui.renderer import ScreenHost
from hmi.ui.symbols import SymbolContext
from tests.bench.common import median, percentile, report

SYMBOLS = 500
RATE = 10_000  # value changes per second
BATCH_PERIOD = 0.01
SECONDS = 3.0
ROUNDS = 3  # alternating bridge / naive runs; medians are reported
COLD_STARTS = 3
COLUMNS = 20
CELL = (192, 80)  # design units per symbol


def make_project() -> Project:
    tags = {
        f"t{i}": TagConfig(
            name=f"t{i}",
            device="plc",
            address=str(i),
            units="bar",
            eng_range=(0.0, 100.0),
            decimals=1,
        )
        for i in range(SYMBOLS)
    }
    return Project(name="bench", root=".", devices={"plc": DeviceConfig("plc", "x")}, tags=tags)


def write_screens(folder: Path) -> None:
    """Two screens of 500 symbols (analog indicators, values and bars in a grid), drawn in a
    design space twice the window's size so each symbol keeps a readable layout."""
    kinds = ("analog", "value", "bar")
    width, height = CELL[0] * COLUMNS, CELL[1] * (SYMBOLS // COLUMNS)
    for screen in ("a", "b"):
        lines = [f"screen: {{name: {screen}, level: 1, size: [{width}, {height}]}}", "symbols:"]
        for i in range(SYMBOLS):
            col, row = i % COLUMNS, i // COLUMNS
            kind = kinds[(i + (screen == "b")) % len(kinds)]
            extra = ", normal: [30, 70]" if kind != "value" else ""
            extra += ", orientation: horizontal" if kind == "bar" else ""
            lines.append(
                f"  - {{type: {kind}, at: [{col * CELL[0]}, {row * CELL[1]}], "
                f"size: [{CELL[0] - 8}, {CELL[1] - 6}], tag: t{i}, label: T{i}{extra}}}"
            )
        (folder / f"{screen}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


class NaiveRelay(QObject):
    """The naive way: every single value change becomes a queued signal to its widget."""

    changed = Signal(str, object)

    def __init__(self, engine: TagEngine, host: ScreenHost):
        super().__init__()
        self.targets: dict[str, list] = {}
        for symbol in host.current.symbols:
            for tag in symbol.tags:
                self.targets.setdefault(tag, []).append(symbol)
        self.changed.connect(self.apply, Qt.ConnectionType.QueuedConnection)
        self.sub = engine.subscribe(
            "naive", latest_only=False, wake=self.relay, max_batches=1_000_000
        )

    def relay(self) -> None:
        for batch in self.sub.take():
            for tag, tv in batch.items():
                self.changed.emit(tag, tv)

    def apply(self, tag: str, tv: TagValue) -> None:
        for symbol in self.targets.get(tag, ()):
            symbol.set_value(tag, tv)


def publish_for(engine: TagEngine, seconds: float, stop: threading.Event) -> int:
    per_batch = int(RATE * BATCH_PERIOD)
    sent = 0
    start = time.monotonic()
    k = 0
    while not stop.is_set():
        deadline = start + k * BATCH_PERIOD
        if deadline - start >= seconds:
            break
        delay = deadline - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        now = time.time()
        engine.publish(
            {
                f"t{(k * per_batch + j) % SYMBOLS}": TagValue(float((k * 7 + j) % 100), ts=now)
                for j in range(per_batch)
            }
        )
        sent += per_batch
        k += 1
    return sent


def run(app: QApplication, folder: Path, naive: bool, painted: bool = True) -> dict[str, float]:
    project = make_project()
    engine = TagEngine(project)
    bridge = TagBridge(engine, rate_hz=10)
    host = ScreenHost(project, bridge, folder, SymbolContext(project), watch=False)
    host.resize(1920, 1000)
    host.show()
    host.show_screen("a")
    if not painted:  # delivery alone: symbols take values, nothing is drawn
        host.hide()
    relay = None
    if naive:
        for scene_binding in list(host.current._bindings):  # the naive relay replaces the bridge
            scene_binding.unbind()
        relay = NaiveRelay(engine, host)
    else:
        bridge.start()
    app.processEvents()
    host.view.paint_times.clear()
    lags: list[float] = []
    expected = [time.perf_counter() + 0.01]

    def heartbeat() -> None:
        now = time.perf_counter()
        lags.append(max(0.0, now - expected[0]))
        expected[0] = now + 0.01

    beat = QTimer()
    beat.setTimerType(Qt.TimerType.PreciseTimer)
    beat.timeout.connect(heartbeat)
    beat.start(10)
    stop = threading.Event()
    sent = [0]
    publisher = threading.Thread(
        target=lambda: sent.__setitem__(0, publish_for(engine, SECONDS, stop))
    )
    loop = QEventLoop()
    watchdog = QTimer()
    watchdog.timeout.connect(lambda: None if publisher.is_alive() else loop.quit())
    watchdog.start(50)
    give_up = QTimer()
    give_up.setSingleShot(True)
    give_up.timeout.connect(loop.quit)
    give_up.start(int((SECONDS + 30) * 1000))
    cpu0, wall0 = time.thread_time(), time.perf_counter()
    publisher.start()
    loop.exec()  # the GUI thread runs its event loop, as in the application
    cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
    watchdog.stop()
    give_up.stop()
    stop.set()
    publisher.join(5)
    beat.stop()
    frames = list(host.view.paint_times)
    figures = {
        "gui_cpu_share": cpu / wall,
        "frames_per_s": len(frames) / wall,
        "frame_ms_median": median(frames) * 1000,
        "frame_ms_p99": percentile(frames, 99) * 1000,
        "loop_lag_ms_p99": percentile(lags, 99) * 1000,
        "values_sent": float(sent[0]),
    }
    if relay is not None:
        engine.unsubscribe(relay.sub)
    bridge.stop()
    host.close()
    host.deleteLater()
    app.processEvents()
    return figures


def switch_times(app: QApplication, folder: Path) -> list[float]:
    """Two 500-symbol screens, back and forth, until the new one is drawn."""
    project = make_project()
    engine = TagEngine(project)
    engine.publish({f"t{i}": TagValue(float(i % 100)) for i in range(SYMBOLS)})
    return timed_switches(app, project, engine, folder, ["a", "b"] * 6)


def demo_switch_times(app: QApplication) -> list[float]:
    """The demo project's screens, each in turn, with plausible values."""
    from hmi.core.paths import demo_project_dir, install_root
    from hmi.core.project.loader import load_project
    from tests.ui.demo_values import NORMAL

    project = load_project(demo_project_dir() / "project.yaml")
    engine = TagEngine(project)
    engine.publish({k: TagValue(v) for k, v in NORMAL.items() if k in project.tags})
    names = ["overview", "line1_press", "line2_filling", "line1_detail", "line2_detail"]
    return timed_switches(app, project, engine, install_root() / "screens", names * 3)


def timed_switches(app, project, engine, folder, names: list[str]) -> list[float]:
    bridge = TagBridge(engine)
    bridge.start()
    host = ScreenHost(project, bridge, folder, SymbolContext(project), watch=False)
    host.resize(1920, 1000)
    host.show()
    app.processEvents()
    times = []
    for name in names:
        started = time.perf_counter()
        host.show_screen(name)
        host.view.viewport().repaint()  # until the new screen is drawn
        times.append(time.perf_counter() - started)
    bridge.stop()
    host.close()
    host.deleteLater()
    app.processEvents()
    return times[2:]  # the first two warm the caches


def cold_starts() -> list[float]:
    """Process start to the demo's first painted screen, each in a fresh interpreter."""
    from hmi.core.paths import install_root

    times = []
    for _ in range(COLD_STARTS):
        done = subprocess.run(
            [sys.executable, "-m", "tests.ui.app_probe", "demo", "desk"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=install_root(),
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode or not lines:
            raise RuntimeError(f"the demo did not start: {done.stderr[-500:]}")
        times.append(json.loads(lines[-1])["first_screen_s"])
    return times


def medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: median([r[key] for r in runs]) for key in runs[0]}


def main() -> None:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_screens(folder)
        bridge_runs, naive_runs = [], []
        for _ in range(ROUNDS):
            bridge_runs.append(run(app, folder, naive=False))
            naive_runs.append(run(app, folder, naive=True))
        bridge, naive = medians(bridge_runs), medians(naive_runs)
        hidden = run(app, folder, naive=False, painted=False)
        switches = switch_times(app, folder)
    demo_switches = demo_switch_times(app)
    starts = cold_starts()
    report(
        "ui",
        symbols=SYMBOLS,
        changes_per_s=RATE,
        bridge_gui_cpu_share=bridge["gui_cpu_share"],
        bridge_gui_cpu_share_runs=[round(r["gui_cpu_share"], 3) for r in bridge_runs],
        bridge_frames_per_s=bridge["frames_per_s"],
        bridge_frame_ms_median=bridge["frame_ms_median"],
        bridge_frame_ms_p99=bridge["frame_ms_p99"],
        bridge_loop_lag_ms_p99=bridge["loop_lag_ms_p99"],
        naive_gui_cpu_share=naive["gui_cpu_share"],
        naive_frames_per_s=naive["frames_per_s"],
        naive_frame_ms_median=naive["frame_ms_median"],
        naive_frame_ms_p99=naive["frame_ms_p99"],
        naive_loop_lag_ms_p99=naive["loop_lag_ms_p99"],
        cpu_ratio_naive_over_bridge=naive["gui_cpu_share"] / max(bridge["gui_cpu_share"], 1e-9),
        hidden_screen_gui_cpu_share=hidden["gui_cpu_share"],
        switch_ms_median=median(switches) * 1000,
        switch_ms_p99=percentile(switches, 99) * 1000,
        demo_switch_ms_median=median(demo_switches) * 1000,
        demo_switch_ms_p99=percentile(demo_switches, 99) * 1000,
        cold_start_s_median=median(starts),
        cold_start_s_max=max(starts),
    )


if __name__ == "__main__":
    main()
