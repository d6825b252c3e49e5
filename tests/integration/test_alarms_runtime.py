"""Alarms on a running runtime: a simulated press, a Modbus PLC that does not answer, and
a flood of alarms through the engine, evaluated on the alarm manager's own thread."""

import sqlite3
import threading
import time

from hmi.core.alarms import ALL, AlarmManager, AlarmState
from hmi.core.alarms.definitions import load_alarms
from hmi.core.project.loader import Section
from hmi.core.project.models import DataType, DeviceConfig, Project, Source, TagConfig
from hmi.core.project.yamlsrc import parse_yaml
from hmi.core.runtime import Runtime
from hmi.core.tags import TagValue

S = AlarmState


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def alarms_section(text: str) -> Section:
    return Section("alarms", parse_yaml(text), Source("project.yaml", 1))


def plant_project(dead_port: int) -> Project:
    press = DeviceConfig(
        "press", "simulator", {"model": "press", "seed": 3, "faults": False}, line="line1"
    )
    dead = DeviceConfig(
        "dead",
        "modbus",
        {"host": "127.0.0.1", "port": dead_port, "timeout": 0.2, "reconnect_min": 0.2},
        line="line2",
    )
    tags = [
        TagConfig(
            "line1.speed_sp",
            DataType.FLOAT32,
            "press",
            "ram_speed_sp",
            writable=True,
            eng_range=(1.0, 25.0),
            scan_class="fast",
        ),
        TagConfig("line1.running", DataType.BOOL, "press", "running", scan_class="fast"),
        *(TagConfig(f"line2.t{i}", DataType.UINT16, "dead", f"hr:{i}") for i in range(5)),
    ]
    project = Project(
        "rt",
        ".",
        devices={"press": press, "dead": dead},
        tags={t.name: t for t in tags},
        lines={"line1": "Press", "line2": "Filler"},
    )
    alarms = "\n".join(
        [
            "- tag: line1.speed_sp",
            "  hi: 20",
            "  message: 'Speed setpoint high: {value:.0f}'",
            *(f"- {{tag: line2.t{i}, bad_quality: true}}" for i in range(5)),
        ]
    )
    project.extra["alarms"] = alarms_section(alarms)
    return project


class Wired:
    """A runtime, with the alarm manager it wires itself, and what its listeners saw."""

    def __init__(self, project: Project, tmp_path):
        self.runtime = Runtime(project, tmp_path)
        self.event_threads: set[str] = set()
        self.events = []

    @property
    def manager(self) -> AlarmManager:
        return self.runtime.service("alarms")

    def published(self, name):
        tv = self.runtime.engine.values.get(name)
        return tv.value if tv else None

    def on_events(self, events):
        self.event_threads.add(threading.current_thread().name)
        self.events.extend(events)

    def __enter__(self):
        self.runtime.start()
        self.manager.on_event(self.on_events)
        return self

    def __exit__(self, *exc):
        self.runtime.stop()

    def state(self, alarm_id):
        return self.manager.get(alarm_id).state


def test_a_dead_plc_gives_one_alarm_and_process_alarms_flow_on_the_alarm_thread(tmp_path, port):
    project = plant_project(dead_port=port)  # nothing listens on this port
    assert load_alarms(project)[1] == []
    with Wired(project, tmp_path) as wired:
        wait_until(lambda: wired.state("dead.comm") is S.UNACKED)
        wait_until(lambda: wired.state("line2.t4.bad_quality") is S.SUPPRESSED)
        listed = wired.manager.active()
        assert [a.id for a in listed] == ["dead.comm"]  # one alarm, not one per tag
        assert "Communication lost with dead" in listed[0].message
        assert wired.state("press.comm") is S.NORMAL

        result = wired.runtime.write("line1.speed_sp", 22.0, user="op").result(5)
        assert result.ok, result.message
        wait_until(lambda: wired.state("line1.speed_sp.hi") is S.UNACKED)
        assert wired.manager.get("line1.speed_sp.hi").message == "Speed setpoint high: 22"
        assert wired.event_threads == {"hmi-alarms"}  # the UI is called from that thread
        wait_until(lambda: wired.published("_sys.alarms.listed_count") == 2)
        assert wired.published("_sys.alarms.line2.listed_count") == 1

        wired.manager.acknowledge(ALL, "op", "on it")
        wired.runtime.write("line1.speed_sp", 12.0, user="op").result(5)
        wait_until(lambda: wired.state("line1.speed_sp.hi") is S.NORMAL)
        assert wired.state("dead.comm") is S.ACKED
    with sqlite3.connect(tmp_path / "hmi.db") as conn:
        rows = conn.execute(
            "SELECT alarm_id, action, user_name FROM alarm_journal WHERE action != 'suppress'"
        ).fetchall()
    assert ("line1.speed_sp.hi", "acknowledge", "op") in rows
    assert ("line1.speed_sp.hi", "clear", "") in rows
    assert sum(1 for row in rows if row[1] == "activate") == 2


def test_a_flood_through_the_engine_reaches_the_journal_complete(tmp_path):
    count = 1000
    device = DeviceConfig("plc", "modbus", {"host": "127.0.0.1"}, line="line1", enabled=False)
    tags = {
        f"t{i}": TagConfig(f"t{i}", DataType.FLOAT32, "plc", f"hr:{2 * i}") for i in range(count)
    }
    project = Project("flood", ".", devices={"plc": device}, tags=tags, lines={"line1": "L1"})
    project.extra["alarms"] = alarms_section(
        "\n".join(f"- {{tag: t{i}, hi: 100, priority: {1 + i % 4}}}" for i in range(count))
    )
    with Wired(project, tmp_path) as wired:
        now = time.time()
        normal = {name: TagValue(1.0, ts=now) for name in tags}
        wired.runtime.call(wired.runtime.engine.publish, normal)
        flood = {name: TagValue(500.0, ts=now) for name in tags}
        started = time.monotonic()
        wired.runtime.call(wired.runtime.engine.publish, flood)

        def journaled():
            with sqlite3.connect(tmp_path / "hmi.db") as conn:
                return conn.execute("SELECT count(*) FROM alarm_journal").fetchone()[0]

        wait_until(lambda: journaled() == count, timeout=15)
        elapsed = time.monotonic() - started
        assert wired.manager.counts().unacked == count
        assert [a.priority for a in wired.manager.active()[:1]] == [1]
        assert elapsed < 15


def test_alarm_counts_are_published_from_the_start_even_with_nothing_in_alarm(tmp_path):
    project = plant_project(dead_port=0)
    project.devices.pop("dead")
    for i in range(5):
        project.tags.pop(f"line2.t{i}")
    project.extra["alarms"] = alarms_section("- {tag: line1.speed_sp, hi: 20}")
    with Wired(project, tmp_path) as wired:
        wait_until(lambda: wired.published("_sys.alarms.listed_count") == 0, timeout=5)
        assert wired.published("_sys.alarms.unacked_count") == 0
