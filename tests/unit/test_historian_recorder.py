"""The recorder between the engine and the store: order, faults, the tail, health."""

from __future__ import annotations

import math
import time

import pytest

from hmi.core.engine import TagEngine
from hmi.core.historian import Historian, HistoryQuery, Recorder, read_config
from hmi.core.historian.storage import FLAG_CLOCK_BACK
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.store import Writer, connect
from hmi.core.tags import Quality, TagValue

T0 = 1_700_000_000.0  # seconds; a fixed start keeps the tests independent of today


def make_project(tags: dict, policies: dict) -> Project:
    configs = {
        name: TagConfig(name, data_type, "plc", str(i), length=20 if data_type == "string" else 0)
        for i, (name, data_type) in enumerate(tags.items())
    }
    return Project(
        "t", ".", {"plc": DeviceConfig("plc", "x")}, configs, extra={"historian": policies}
    )


class Rig:
    """An engine, a writer and a recorder whose cycles the test runs itself."""

    def __init__(self, tmp_path, tags, policies, **options):
        self.path = tmp_path / "hmi.db"
        self.project = make_project(tags, policies)
        self.now = T0
        self.engine = TagEngine(self.project, clock=lambda: self.now)
        self.writer = Writer(self.path, flush_interval=0.01, retry_interval=0.02).start()
        config, problems = read_config(self.project)
        assert problems == []
        self.recorder = Recorder(config, self.writer, clock=lambda: self.now, **options)
        self.recorder.start(self.engine, run_thread=False)
        self.query = HistoryQuery(self.path)

    def publish(self, name, value, at, quality=Quality.GOOD):
        self.engine.publish({name: TagValue(value, quality, None, at)})

    def cycle(self, at=None):
        if at is not None:
            self.now = at
        self.recorder.cycle()
        assert self.writer.flush(5)

    def close(self):
        self.recorder.stop(self.engine)
        self.writer.stop()
        self.query.close()


@pytest.fixture
def rig_factory(tmp_path):
    rigs = []

    def make(tags, policies, **options):
        rig = Rig(tmp_path, tags, policies, **options)
        rigs.append(rig)
        return rig

    yield make
    for rig in rigs:
        rig.close()


def ms(seconds: float) -> int:
    return round(seconds * 1000)


def assert_same_buckets(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x._replace(avg=None) == y._replace(avg=None)
        assert x.avg == pytest.approx(y.avg)


def test_values_of_every_kind_come_back_as_recorded(rig_factory):
    rig = rig_factory(
        {"a.temp": DataType.FLOAT64, "a.name": DataType.STRING, "a.on": DataType.BOOL},
        {"default": {"mode": "exception"}},
    )
    values = [1.5, math.nan, math.inf, -math.inf, 2.0, None, 3.0]
    qualities = [Quality.GOOD] * 5 + [Quality.UNCERTAIN, Quality.BAD]
    for i, (value, quality) in enumerate(zip(values, qualities, strict=True)):
        rig.publish("a.temp", value, T0 + i, quality)
    rig.publish("a.name", "Cola 0.5 L", T0)
    rig.publish("a.name", "Wasser", T0 + 1)
    rig.publish("a.on", True, T0)
    rig.publish("a.on", False, T0 + 2)
    rig.cycle(T0 + 10)
    temp = rig.query.raw("a.temp", ms(T0), ms(T0 + 10))
    assert [p.t for p in temp] == [ms(T0 + i) for i in range(7)]
    got = [p.value for p in temp]
    assert got[0] == 1.5 and math.isnan(got[1]) and got[2:5] == [math.inf, -math.inf, 2.0]
    assert got[5] is None and temp[5].quality is Quality.UNCERTAIN  # no value: not NaN
    assert temp[6].quality is Quality.BAD
    assert [p.value for p in rig.query.raw("a.name", ms(T0), ms(T0 + 9))] == [
        "Cola 0.5 L",
        "Wasser",
    ]
    assert [p.value for p in rig.query.raw("a.on", ms(T0), ms(T0 + 9))] == [1, 0]
    (bucket,) = rig.query.buckets("a.temp", ms(T0), ms(T0 + 9), bucket_ms=60_000)
    assert (bucket.min, bucket.max, bucket.count, bucket.bad) == (1.5, 2.0, 2, 5)
    assert bucket.avg == 1.75 and (bucket.first, bucket.last) == (1.5, 2.0)


def test_a_clock_jump_back_is_flagged_and_queries_stay_ordered_and_consistent(rig_factory):
    rig = rig_factory({"a.temp": DataType.FLOAT64}, {"default": {"mode": "exception"}})
    for i in range(120):
        rig.publish("a.temp", float(i), T0 + i)
    rig.cycle(T0 + 120)
    for i in range(60):  # the clock went back 100 s; some times meet stored points exactly
        rig.publish("a.temp", 1000.0 + i, T0 + 20 + i)
    rig.cycle(T0 + 80)
    assert rig.recorder.clock_jumps == 1
    points = rig.query.raw("a.temp", ms(T0), ms(T0 + 200), bounds=False)
    times = [p.t for p in points]
    assert times == sorted(set(times))
    flagged = [p for p in points if p.flags & FLAG_CLOCK_BACK]
    assert [(p.t, p.value) for p in flagged] == [(ms(T0 + 20) + 1, 1000.0)]
    later = [p for p in points if p.value >= 1000]
    assert len(later) == 60  # none lost: same-millisecond points land beside the old ones
    for width in (10_000, 60_000):
        from_rollups = rig.query.buckets("a.temp", ms(T0), ms(T0 + 200), bucket_ms=width)
        from_points = rig.query.buckets(
            "a.temp", ms(T0), ms(T0 + 200), bucket_ms=width, use_rollups=False
        )
        assert_same_buckets(from_rollups, from_points)
    assert sum(b.count for b in from_rollups) == len(points) == 180


def test_the_held_back_newest_sample_is_the_tail_and_survives_a_crash(rig_factory, tmp_path):
    rig = rig_factory(
        {"a.temp": DataType.FLOAT64}, {"default": {"mode": "swinging_door", "deviation": 1}}
    )
    for i in range(50):  # a straight ramp: only its two ends are worth storing
        rig.publish("a.temp", i * 0.1, T0 + i)
    rig.cycle(T0 + 50)
    stored = connect(rig.path).execute("SELECT count(*) FROM hist_sample").fetchone()[0]
    assert stored == 1  # the first point; the newest is held back
    raw = rig.query.raw("a.temp", ms(T0), ms(T0 + 100))
    assert [p.t for p in raw] == [ms(T0), ms(T0 + 49)]  # the trend reaches the newest sample
    assert rig.query.value_at("a.temp", ms(T0 + 25)).value == pytest.approx(2.5)
    (bucket,) = rig.query.buckets("a.temp", ms(T0), ms(T0 + 59), bucket_ms=3_600_000)
    assert bucket.last == pytest.approx(4.9) and bucket.count == 2
    # the process dies here: no stop(). The next run stores the tail as the trend's end.
    rig.recorder = Recorder(rig.recorder.config, rig.writer, clock=lambda: rig.now)
    rig.recorder.start(rig.engine, run_thread=False)
    assert rig.writer.flush(5)
    rows = connect(rig.path).execute("SELECT t, v FROM hist_sample ORDER BY t").fetchall()
    assert rows == [(ms(T0), 0), (ms(T0 + 49), pytest.approx(4.9))]


def test_stop_stores_every_held_point(rig_factory):
    rig = rig_factory(
        {"a.temp": DataType.FLOAT64}, {"default": {"mode": "swinging_door", "deviation": 1}}
    )
    for i in range(10):
        rig.publish("a.temp", i * 0.1, T0 + i)
    rig.cycle()
    rig.recorder.stop(rig.engine)
    assert rig.writer.flush(5)
    times = [p.t for p in rig.query.raw("a.temp", 0, ms(T0 + 100), bounds=False)]
    assert times == [ms(T0), ms(T0 + 9)]


def test_a_quiet_tag_is_stored_again_after_max_interval(rig_factory):
    rig = rig_factory(
        {"a.temp": DataType.FLOAT64},
        {"default": {"mode": "swinging_door", "deviation": 1, "max_interval": "10s"}},
    )
    rig.publish("a.temp", 5.0, T0)
    for second in range(1, 36):
        rig.cycle(T0 + second)
    times = [p.t for p in rig.query.raw("a.temp", 0, ms(T0 + 100), bounds=False)]
    assert times == [ms(T0), ms(T0 + 10), ms(T0 + 20), ms(T0 + 30)]


def test_a_full_disk_is_reported_points_wait_and_land_when_space_returns(rig_factory):
    reports = []
    rig = rig_factory(
        {"a.temp": DataType.FLOAT64},
        {"default": {"mode": "exception"}},
        on_health=reports.append,
    )
    rig.publish("a.temp", 0.0, T0)
    rig.cycle()
    pages = rig.writer.conn.execute("PRAGMA page_count").fetchone()[0]
    rig.writer.submit(lambda conn: conn.execute(f"PRAGMA max_page_count = {pages}"))
    assert rig.writer.flush(5)
    for second in range(1, 41):
        for i in range(200):
            rig.publish("a.temp", second * 1000.0 + i, T0 + second + i / 1000)
        rig.recorder.cycle()
        time.sleep(0.005)
    deadline = time.monotonic() + 5
    while rig.recorder.health.ok and time.monotonic() < deadline:
        rig.recorder.cycle()
        time.sleep(0.02)
    health = rig.recorder.health
    assert not health.ok and "full" in health.reason
    # the first second's points may still find room in the last page, as the writer's
    # commits fall; every point that did not is waiting
    stored = len(rig.query.raw("a.temp", 0, ms(T0 + 100), limit=100_000, bounds=False)) - 1
    assert stored in (0, 200)
    assert health.backlog == 40 * 200 - stored
    assert reports and not reports[-1].ok
    rig.writer.conn.execute("PRAGMA max_page_count = 1073741823")  # space returns
    assert rig.writer.flush(10)
    rig.cycle()
    assert rig.recorder.health.ok and rig.recorder.health.backlog == 0
    assert reports[-1].ok
    assert len(rig.query.raw("a.temp", 0, ms(T0 + 100), limit=100_000, bounds=False)) == 8001


def test_the_engine_never_waits_and_a_slow_recorder_is_reported(rig_factory):
    rig = rig_factory(
        {"a.temp": DataType.FLOAT64}, {"default": {"mode": "exception"}}, max_batches=10
    )
    started = time.perf_counter()
    for i in range(1000):
        rig.publish("a.temp", float(i), T0 + i / 100)
    assert time.perf_counter() - started < 1.0
    rig.cycle()
    health = rig.recorder.health
    assert health.dropped_batches == 990 and not health.ok and "not keeping up" in health.reason


def test_a_tag_without_history_and_a_missing_file_give_empty_answers(rig_factory, tmp_path):
    rig = rig_factory({"a.temp": DataType.FLOAT64}, {"default": {"mode": "exception"}})
    assert rig.query.raw("a.temp", 0, ms(T0)) == []
    assert rig.query.raw("no.such.tag", 0, ms(T0)) == []
    assert rig.query.buckets("a.temp", 0, ms(T0), n_buckets=100) == []
    assert rig.query.value_at("a.temp", ms(T0)) is None
    nowhere = HistoryQuery(tmp_path / "none" / "hmi.db")
    assert nowhere.raw("a.temp", 0, 1) == [] and nowhere.tags() == []


def test_a_file_that_cannot_take_the_tables_is_reported_and_nothing_else_stops(tmp_path):
    path = tmp_path / "hmi.db"
    conn = connect(path)
    conn.execute("CREATE TABLE hist_tag (something_else TEXT)")  # not ours: migration fails
    conn.close()
    project = make_project({"a.temp": DataType.FLOAT64}, {"default": {"mode": "exception"}})
    engine = TagEngine(project)
    writer = Writer(path).start()
    reports = []
    historian = Historian(project, engine, writer, on_health=reports.append).start()
    engine.publish({"a.temp": TagValue(1.0, ts=T0)})  # the engine is not disturbed
    assert not historian.health.ok and "history is not recorded" in historian.health.reason
    assert reports == [historian.health]
    historian.stop()
    writer.stop()
