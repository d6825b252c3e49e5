"""Operator screen: 500 bound symbols while the engine changes 10,000 values a second.

The bridge way: a latest-only subscription flushed to the widgets at 10 Hz. The naive way,
measured in the same run: a queued signal per value change, each applied to its widget at
once. Reported: the GUI thread's CPU share, frame (paint) time, event-loop lag (how late a
10 ms heartbeat timer fires: what an operator feels as a frozen screen), the same with the
screen hidden (delivery alone, without painting), and the time to switch between two
500-symbol screens.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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
SECONDS = 4.0
COLUMNS = 20


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
    """Two screens of 500 symbols: analog indicators, values and bars in a grid."""
    kinds = ("analog", "value", "bar")
    for screen in ("a", "b"):
        lines = [f"screen: {{name: {screen}, level: 1}}", "symbols:"]
        for i in range(SYMBOLS):
            col, row = i % COLUMNS, i // COLUMNS
            kind = kinds[(i + (screen == "b")) % len(kinds)]
            extra = ", normal: [30, 70], limits: {hi: 90}" if kind != "value" else ""
            lines.append(
                f"  - {{type: {kind}, at: [{col * 96}, {row * 38}], size: [92, 36], "
                f"tag: t{i}{extra}}}"
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
    project = make_project()
    engine = TagEngine(project)
    engine.publish({f"t{i}": TagValue(float(i % 100)) for i in range(SYMBOLS)})
    bridge = TagBridge(engine)
    bridge.start()
    host = ScreenHost(project, bridge, folder, SymbolContext(project), watch=False)
    host.resize(1920, 1000)
    host.show()
    times = []
    for i in range(12):
        started = time.perf_counter()
        host.show_screen("ab"[i % 2])
        host.view.viewport().repaint()  # until the new screen is drawn
        times.append(time.perf_counter() - started)
    bridge.stop()
    host.close()
    return times[2:]


def main() -> None:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_screens(folder)
        bridge = run(app, folder, naive=False)
        naive = run(app, folder, naive=True)
        bridge_delivery = run(app, folder, naive=False, painted=False)
        naive_delivery = run(app, folder, naive=True, painted=False)
        switches = switch_times(app, folder)
    report(
        "ui",
        symbols=SYMBOLS,
        changes_per_s=RATE,
        bridge_gui_cpu_share=bridge["gui_cpu_share"],
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
        bridge_delivery_cpu_share=bridge_delivery["gui_cpu_share"],
        naive_delivery_cpu_share=naive_delivery["gui_cpu_share"],
        delivery_cpu_ratio_naive_over_bridge=naive_delivery["gui_cpu_share"]
        / max(bridge_delivery["gui_cpu_share"], 1e-9),
        naive_delivery_loop_lag_ms_p99=naive_delivery["loop_lag_ms_p99"],
        bridge_delivery_loop_lag_ms_p99=bridge_delivery["loop_lag_ms_p99"],
        switch_ms_median=median(switches) * 1000,
        switch_ms_p99=percentile(switches, 99) * 1000,
    )


if __name__ == "__main__":
    main()
