"""The historian in a running runtime: live recording, a full disk, and kill -9."""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from hmi.core.historian import Historian
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.runtime import Runtime
from hmi.core.tags import Quality

ROOT = Path(__file__).resolve().parents[2]


def sim_project() -> Project:
    press = DeviceConfig(
        "press", "simulator", {"model": "press", "seed": 1, "faults": False, "speed": 20}
    )
    tags = [
        TagConfig("p.temp", DataType.FLOAT32, "press", "billet_temp", scan_class="fast"),
        TagConfig("p.pressure", DataType.FLOAT32, "press", "ram_pressure", scan_class="fast"),
        TagConfig("p.position", DataType.FLOAT32, "press", "ram_position", scan_class="fast"),
        TagConfig("p.alloy", DataType.STRING, "press", "alloy", scan_class="fast", length=8),
    ]
    historian = {
        "default": {"mode": "exception"},
        "tags": {
            "p.temp": {"mode": "swinging_door", "deviation": 0.5},
            "p.pressure": {"mode": "swinging_door", "deviation": 1},
            "p.position": {"mode": "interval", "interval": "100ms"},
        },
    }
    return Project(
        "rt",
        ".",
        devices={"press": press},
        tags={t.name: t for t in tags},
        extra={"historian": historian},
    )


def wait_until(predicate, timeout=10.0, step=0.02):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(step)


def test_the_running_plant_is_recorded_and_a_full_disk_only_delays_it(tmp_path):
    with Runtime(sim_project(), tmp_path) as rt:
        historian = Historian(rt.project, rt.engine, rt.store).start()
        query = historian.query
        try:
            wait_until(lambda: len(query.raw("p.position", 0, 2**62, bounds=False)) > 10)
            store = rt.store
            store.submit(lambda conn: conn.execute("CREATE TABLE ballast (b BLOB)"))
            assert store.flush(5)
            pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
            store.submit(lambda conn: conn.execute(f"PRAGMA max_page_count = {pages}"))
            assert store.flush(5)
            # the disk fills up: the next write of any size fails
            store.submit(lambda conn: conn.execute("INSERT INTO ballast VALUES (zeroblob(65536))"))
            wait_until(lambda: not historian.health.ok, timeout=15)
            assert "full" in historian.health.reason
            seen = rt.engine.values["p.position"].ts
            wait_until(lambda: historian.health.backlog > 20)  # recording goes on in memory
            assert rt.engine.values["p.position"].ts > seen  # and so does polling
            store.conn.execute("PRAGMA max_page_count = 1073741823")  # space returns
            # what waited lands; only the newest cycle's points are ever in flight
            wait_until(lambda: historian.health.ok and historian.health.backlog < 50, 15)
        finally:
            historian.stop()
        points = query.raw("p.position", 0, 2**62, limit=100_000, bounds=False)
        times = [p.t for p in points]
        assert times == sorted(times) and all(p.quality is Quality.GOOD for p in points)
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert max(gaps) < 1500  # nothing lost while the disk was full
        assert query.raw("p.alloy", 0, 2**62)[0].value in ("6060", "6063", "6082", "6005A")
        temp = query.buckets("p.temp", times[0], times[-1], n_buckets=10)
        assert temp and all(400 < b.min <= b.max < 600 for b in temp if b.count)


CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    from hmi.core.engine import TagEngine
    from hmi.core.historian import Historian
    from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
    from hmi.core.store import Writer
    from hmi.core.tags import TagValue

    names = [f"t{{i}}" for i in range(200)]
    tags = {{n: TagConfig(n, DataType.FLOAT64, "plc", n) for n in names + ["ramp"]}}
    policies = {{"default": {{"mode": "exception"}},
                "tags": {{"ramp": {{"mode": "swinging_door", "deviation": 1}}}}}}
    project = Project("k", ".", {{"plc": DeviceConfig("plc", "x")}}, tags,
                      extra={{"historian": policies}})
    engine = TagEngine(project)
    writer = Writer({path!r}).start()
    Historian(project, engine, writer).start()
    k = 0
    while True:
        now = time.time()
        batch = {{n: TagValue(float(k), ts=now) for n in names}}
        batch["ramp"] = TagValue(k * 0.01, ts=now)  # a straight line: only held, never stored
        engine.publish(batch)
        print(k, now, flush=True)
        k += 1
        time.sleep(max(0.0, now + 0.02 - time.time()))  # 10,000 values/s
    """
)


def test_kill_9_while_writing_leaves_a_sound_file_missing_at_most_the_last_second(tmp_path):
    path = tmp_path / "hmi.db"
    script = CHILD.format(root=str(ROOT), path=str(path))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    sent: list[tuple[int, float]] = []
    deadline = time.monotonic() + 15
    try:
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line, "the writing process ended early"
            k, at = line.split()
            sent.append((int(k), float(at)))
            if sent[-1][1] - sent[0][1] > 2.5:
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(5)
        proc.stdout.close()
    killed_at = sent[-1][1]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    promised = max(k for k, at in sent if at <= killed_at - 1.0)
    rows = conn.execute(
        "SELECT name, count(*), max(v) FROM hist_sample JOIN hist_tag ON id = tag "
        "WHERE name != 'ramp' GROUP BY name"
    ).fetchall()
    assert len(rows) == 200
    for name, count, top in rows:
        assert count == top + 1, name  # an unbroken run from the first value: no holes
        assert top >= promised, (name, top, promised)
    conn.close()
    # the next start stores the newest sample swinging door was holding back
    from hmi.core.engine import TagEngine
    from hmi.core.store import Writer

    project = Project(
        "k",
        ".",
        {"plc": DeviceConfig("plc", "x")},
        {"ramp": TagConfig("ramp", DataType.FLOAT64, "plc", "ramp")},
        extra={"historian": {"default": {"mode": "swinging_door", "deviation": 1}}},
    )
    writer = Writer(path).start()
    historian = Historian(project, TagEngine(project), writer).start()
    historian.stop()
    writer.stop()
    newest = historian.query.raw("ramp", 0, 2**62, bounds=False)[-1]
    assert newest.value >= promised * 0.01 - 1e-9
