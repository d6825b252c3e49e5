"""Alarms: 2,000 definitions on 2,000 tags changing at 10,000 values/s, and a flood.

Evaluation: the CPU share of the alarm manager's thread while an engine on a loop thread
publishes 200-value batches every 20 ms, against the naive way in the same run (every
definition evaluated on every batch instead of only those whose inputs changed).

Flood: 1,000 alarms raised by one batch; the time until the UI listener has the events
and until the journal holds all 1,000 rows on disk (the store's writer commits every
200 ms), against the naive way in the same run: the alarm thread itself writes each
journal row in its own transaction before it tells the UI.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import threading
import time
from pathlib import Path

from hmi.core.alarms import ALL, AlarmManager
from hmi.core.alarms.definitions import AlarmDef, AlarmKind
from hmi.core.alarms.evaluator import Change, Evaluator
from hmi.core.alarms.journal import Journal
from hmi.core.engine import TagEngine
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.scan import run_periodic
from hmi.core.store import Writer, connect
from hmi.core.tags import Batch, TagValue
from tests.bench.common import median, percentile, report

DEFINITIONS = 2000
RATE = 10_000  # values per second
PERIOD = 0.02
SECONDS = 4.0
FLOOD = 1000
FLOOD_RUNS = 5


def make_project(count: int) -> Project:
    tags = {f"t{i}": TagConfig(f"t{i}", DataType.FLOAT32, "plc", str(i)) for i in range(count)}
    tags["run"] = TagConfig("run", DataType.BOOL, "plc", "run")
    device = DeviceConfig("plc", "bench", line="line1")
    return Project("bench", ".", devices={"plc": device}, tags=tags, lines={"line1": "L1"})


def make_alarms(count: int) -> list[AlarmDef]:
    """A plant-like mix: mostly high limits with deadband and delays, some low limits,
    deviations, rates, and a design condition on a quarter of them."""
    alarms = []
    for i in range(count):
        common = {
            "tag": f"t{i}",
            "priority": 1 + i % 4,
            "message": f"t{i}: {{value:.1f}}",
            "line": "line1",
            "condition": "run" if i % 4 == 0 else None,
        }
        kind = i % 10
        if kind == 8:
            alarm = AlarmDef(f"t{i}.dev", kind=AlarmKind.DEV_HI, limit=40.0,
                             setpoint=f"t{i - 1}", deadband=1.0, **common)  # fmt: skip
        elif kind == 9:
            alarm = AlarmDef(f"t{i}.rate", kind=AlarmKind.RATE_HI, limit=200.0, per=1.0, **common)
        elif kind == 7:
            alarm = AlarmDef(f"t{i}.lo", kind=AlarmKind.LO, limit=5.0, deadband=1.0, **common)
        else:
            alarm = AlarmDef(f"t{i}.hi", kind=AlarmKind.HI, limit=95.0, deadband=2.0,
                             on_delay=1.0, off_delay=2.0, **common)  # fmt: skip
        alarms.append(alarm)
    return alarms


class NaiveEvaluator(Evaluator):
    """The same detectors, but every one of them re-evaluated on every batch."""

    def process(self, batch: Batch, now: float) -> list[Change]:
        for name, tv in batch.items():
            if name in self.by_tag:
                self.latest[name] = tv
                if name in self.history:
                    self._sample(name, tv, now)
        changes: list[Change] = []
        self._memo.clear()
        for detector in self.detectors:
            self._evaluate(detector, now, changes)
        return changes


def value_stream():
    """Batches of RATE*PERIOD values: a random walk in 20..80, now and then above 95."""
    rng = random.Random(7)
    per_batch = int(RATE * PERIOD)
    values = [50.0] * DEFINITIONS
    k = 0
    while True:
        now = time.time()
        batch: Batch = {}
        for j in range(per_batch):
            i = (k * per_batch + j) % DEFINITIONS
            step = rng.uniform(-3, 3)
            values[i] = min(max(values[i] + step, 20.0), 80.0)
            value = 99.0 if rng.random() < 0.0005 else values[i]
            batch[f"t{i}"] = TagValue(value, ts=now)
        k += 1
        yield batch


def evaluation_cpu(naive: bool, folder: Path) -> tuple[float, int, int]:
    """CPU share of the alarm thread, values published, events raised."""
    project = make_project(DEFINITIONS)
    engine = TagEngine(project)
    writer = Writer(folder / f"cpu-{naive}.db").start()
    manager = AlarmManager(project, writer, alarms=make_alarms(DEFINITIONS), publish=lambda b: None)
    if naive:
        manager.evaluator = NaiveEvaluator(manager.evaluator.alarms)
    events = [0]
    manager.on_event(lambda batch: events.__setitem__(0, events[0] + len(batch)))
    manager.attach(engine)
    engine.publish({"run": TagValue(True, ts=time.time())})
    engine.publish(next(value_stream()))
    manager.start()
    thread = manager._thread
    assert thread is not None and thread.ident is not None
    clock_id = time.pthread_getcpuclockid(thread.ident)
    source = value_stream()
    sent = [0]

    async def cycle() -> None:
        batch = next(source)
        engine.publish(batch)
        sent[0] += len(batch)

    async def drive() -> float:
        await asyncio.sleep(0.5)  # settle
        cpu0, t0 = time.clock_gettime(clock_id), time.perf_counter()
        sent[0] = 0
        task = asyncio.create_task(run_periodic(PERIOD, cycle))
        await asyncio.sleep(SECONDS)
        task.cancel()
        return (time.clock_gettime(clock_id) - cpu0) / (time.perf_counter() - t0)

    share = asyncio.run(drive())
    manager.stop()
    writer.stop()
    return share, sent[0], events[0]


class NaiveJournal(Journal):
    """Each row written at once, in its own transaction, on the alarm thread."""

    def record(self, events, states, cleared) -> None:
        conn = getattr(self, "conn", None) or connect(self.path)
        self.conn = conn
        for event in events:
            conn.execute(
                "INSERT INTO alarm_journal (ts, alarm_id, tag, line, action, from_state, "
                "to_state, priority, value, message, user_name, comment) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (event.time, event.alarm_id, event.tag, event.line, event.action.value,
                 event.from_state.value, event.to_state.value, event.priority, event.value,
                 event.message, event.user, event.comment),
            )  # fmt: skip


def flood_times(folder: Path, naive: bool) -> tuple[list[float], list[float]]:
    """Seconds from one batch raising FLOOD alarms to the listener and to the full journal."""
    project = make_project(FLOOD)
    engine = TagEngine(project)
    alarms = [
        AlarmDef(f"t{i}.hi", f"t{i}", AlarmKind.HI, 1 + i % 4, "t{value}", limit=95.0)
        for i in range(FLOOD)
    ]
    path = folder / f"flood-{naive}.db"
    writer = Writer(path).start()
    manager = AlarmManager(project, writer, alarms=alarms, publish=lambda b: None)
    if naive:
        manager.journal = NaiveJournal(writer)
    delivered = threading.Event()
    seen = [0]

    def listener(events: list) -> None:
        seen[0] += sum(1 for e in events if e.action.value == "activate")
        if seen[0] >= FLOOD:
            delivered.set()

    manager.on_event(listener)
    manager.attach(engine)
    manager.start()
    reader = connect(path, readonly=True)
    to_ui, to_disk = [], []
    for run in range(FLOOD_RUNS):
        engine.publish({f"t{i}": TagValue(50.0, ts=time.time()) for i in range(FLOOD)})
        manager.acknowledge(ALL, "bench")
        time.sleep(0.3)
        seen[0] = 0
        delivered.clear()
        started = time.perf_counter()
        engine.publish({f"t{i}": TagValue(99.0, ts=time.time()) for i in range(FLOOD)})
        delivered.wait(10)
        to_ui.append(time.perf_counter() - started)
        sql = "SELECT count(*) FROM alarm_journal WHERE action = 'activate'"
        while reader.execute(sql).fetchone()[0] < FLOOD * (run + 1):
            time.sleep(0.002)
        to_disk.append(time.perf_counter() - started)
    reader.close()
    manager.stop()
    writer.stop()
    return to_ui, to_disk


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cpu, sent, events = evaluation_cpu(naive=False, folder=folder)
        naive_cpu, _, naive_events = evaluation_cpu(naive=True, folder=folder)
        to_ui, to_disk = flood_times(folder, naive=False)
        naive_ui, naive_disk = flood_times(folder, naive=True)
    report(
        "alarms",
        definitions=DEFINITIONS,
        values_per_s=sent / SECONDS,
        batch_values=int(RATE * PERIOD),
        alarm_thread_cpu_share=cpu,
        naive_thread_cpu_share=naive_cpu,
        cpu_ratio_naive_over_indexed=naive_cpu / cpu if cpu else None,
        target_cpu_share=0.10,
        events_raised=events,
        naive_events_raised=naive_events,
        flood_alarms=FLOOD,
        flood_to_listener_s_median=median(to_ui),
        flood_to_listener_s_p99=percentile(to_ui, 99),
        flood_to_journal_s_median=median(to_disk),
        flood_to_journal_s_p99=percentile(to_disk, 99),
        naive_flood_to_listener_s_median=median(naive_ui),
        naive_flood_to_journal_s_median=median(naive_disk),
        listener_ratio_naive_over_batched=median(naive_ui) / median(to_ui),
    )


if __name__ == "__main__":
    main()
