"""Historian: insert rate, CPU share, compression on the demo plant, query times, file size.

- inserts through the store's writer (one transaction per batch of jobs) against one
  commit per sample, measured in the same run on a smaller count;
- the CPU share of the recorder and writer threads at 10,000 values/s from the engine;
- swinging door on the demo plant's signals over a simulated day (the demo's deviations):
  compression ratio and the largest error against the raw samples, as a share of the
  deviation;
- 8 pens x 24 h at 1 s bucketed to ~2000 points, and one tag x 1 year, against the same
  buckets computed from the points;
- file size per tag-year at 1 s sampling, before and after compression, from a day.
"""

from __future__ import annotations

import bisect
import math
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

from drivers.simulator import FillerModel, PressModel
from hmi.core.engine import TagEngine
from hmi.core.historian import HistoryQuery, Recorder, read_config
from hmi.core.historian.compression import SwingingDoorFilter
from hmi.core.historian.storage import SCHEMA, InsertJob, encode, register_tags
from hmi.core.paths import demo_project_dir
from hmi.core.project.loader import load_project
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.store import Writer, connect, migrate
from hmi.core.tags import TagValue
from tests.bench.common import median, percentile, report

DAY_S = 86_400
EMPTY_PAGES = 8  # an empty historian file: its schema
T0 = 1_700_000_000_000 - 1_700_000_000_000 % 3_600_000


def thread_cpu(thread: threading.Thread) -> float:
    return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))


# -- inserts -------------------------------------------------------------------------------


def writer_insert_rate(folder: Path, tags: int = 1000, total: int = 1_000_000) -> float:
    writer = Writer(folder / "inserts.db", flush_interval=0.05)
    migrate(writer.conn, "historian", SCHEMA)
    ids = list(register_tags(writer.conn, {f"t{i}": 0 for i in range(tags)}).values())
    numeric = frozenset(ids)
    writer.start()
    per_job = 5000  # one recorder cycle at 50,000 values/s
    started = time.perf_counter()
    for job in range(total // per_job):
        base = T0 + job * 100
        rows = [(ids[i % tags], base + i // tags, i * 0.37, 0) for i in range(per_job)]
        while writer.pending > 20:  # sustained: no faster than it is absorbed
            time.sleep(0.001)
        writer.submit(InsertJob(rows, [], [], job, numeric))
    writer.flush(120)
    elapsed = time.perf_counter() - started
    writer.stop()
    return total / elapsed


def naive_insert_rate(folder: Path, count: int = 2000) -> float:
    """The same rows and rollups, one transaction per value."""
    conn = connect(folder / "naive.db")
    migrate(conn, "historian", SCHEMA)
    ids = list(register_tags(conn, {f"t{i}": 0 for i in range(1000)}).values())
    numeric = frozenset(ids)
    started = time.perf_counter()
    for i in range(count):
        conn.execute("BEGIN")
        InsertJob([(ids[i % 1000], T0 + i, i * 0.37, 0)], [], [], i, numeric)(conn)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return count / elapsed


# -- the recorder at 10,000 values/s --------------------------------------------------------


def recorder_cpu_share(folder: Path, tags: int = 1000, rate: int = 10_000, seconds: float = 5.0):
    configs = {f"t{i}": TagConfig(f"t{i}", DataType.FLOAT64, "plc", str(i)) for i in range(tags)}
    project = Project(
        "b",
        ".",
        {"plc": DeviceConfig("plc", "x")},
        configs,
        extra={"historian": {"default": {"mode": "exception"}}},
    )
    engine = TagEngine(project)
    writer = Writer(folder / "cpu.db").start()
    recorder = Recorder(read_config(project)[0], writer).start(engine)
    period = tags / rate
    threads = [recorder._thread, writer._thread]
    cpu0 = sum(thread_cpu(t) for t in threads)
    started = time.perf_counter()
    k = 0
    while time.perf_counter() - started < seconds:
        now = time.time()
        engine.publish({name: TagValue(float(k + i), ts=now) for i, name in enumerate(configs)})
        k += 1
        time.sleep(max(0.0, started + k * period - time.perf_counter()))
    wall = time.perf_counter() - started
    cpu = sum(thread_cpu(t) for t in threads) - cpu0
    sent = k * tags
    burst_start = time.perf_counter()
    for j in range(200):  # then as fast as the engine can publish
        now = time.time()
        engine.publish(
            {name: TagValue(-float(k + j + i), ts=now) for i, name in enumerate(configs)}
        )
    recorder.stop(engine)
    writer.flush(60)
    burst = 200 * tags / (time.perf_counter() - burst_start)
    stored = writer.conn.execute("SELECT count(*) FROM hist_sample").fetchone()[0]
    writer.stop()
    return {
        "recorder_cpu_share_at_10k": cpu / wall,
        "recorder_values_per_s": sent / wall,
        "recorder_burst_values_per_s": burst,
        "recorder_all_stored": stored == sent + 200 * tags,
    }


# -- compression on the demo plant ----------------------------------------------------------


def demo_signals() -> dict[str, tuple[float, list[tuple[int, float]]]]:
    """A simulated day at 1 s of every swinging-door tag of the demo with a model variable."""
    project = load_project(demo_project_dir())
    config, _ = read_config(project)
    models = {"line1": PressModel(seed=3), "line2": FillerModel(seed=3)}
    wanted = {}
    for name, policy in config.policies.items():
        line, _, variable = name.partition(".")
        model = models[line]
        if policy.mode == "swinging_door" and variable in model.variable_names():
            wanted[name] = (model, variable, policy.deviation)
    series: dict[str, list] = {name: [] for name in wanted}
    for second in range(DAY_S):
        for model in models.values():
            model.advance(1.0)
        for name, (model, variable, _) in wanted.items():
            series[name].append((second * 1000, float(model.read(variable))))
    return {name: (wanted[name][2], series[name]) for name in wanted}


def compress(deviation: float, samples: list) -> list:
    filt = SwingingDoorFilter(deviation, 600_000)
    out: list = []
    for t, value in samples:
        filt.feed(t, value, 0, out)
    filt.flush(out)
    return out


def max_error(samples: list, stored: list) -> float:
    times = [p[0] for p in stored]
    worst = 0.0
    for t, value in samples:
        i = bisect.bisect_right(times, t) - 1
        t0, v0, _ = stored[i]
        if t0 != t:
            t1, v1, _ = stored[i + 1]
            v0 += (v1 - v0) * (t - t0) / (t1 - t0)
        worst = max(worst, abs(v0 - value))
    return worst


# -- queries and size -----------------------------------------------------------------------


def fill(path: Path, series: dict[str, list]) -> None:
    """Write points straight into the tables (rollups included), as the recorder would."""
    conn = connect(path)
    migrate(conn, "historian", SCHEMA)
    ids = register_tags(conn, dict.fromkeys(series, 0))
    for name, points in series.items():
        rows = [(ids[name], t, *encode(v)) for t, v in points]
        conn.execute("BEGIN")
        InsertJob(rows, [], [], 1, frozenset(ids.values()))(conn)
        conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def time_ms(fn, repeat: int = 7) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def query_figures(folder: Path) -> dict[str, float]:
    path = folder / "query.db"
    day = {
        f"pen{p}": [
            (T0 + s * 1000, 50 + 40 * math.sin(s / (600 + p * 97)) + (s % 7) * 0.1)
            for s in range(DAY_S)
        ]
        for p in range(8)
    }
    year = [(T0 + m * 60_000, 20 + 10 * math.sin(m / 1440)) for m in range(365 * 1440)]
    fill(path, {**day, "year": year})
    query = HistoryQuery(path)
    t1 = T0 + DAY_S * 1000

    def pens(use_rollups=True):
        return [query.buckets(p, T0, t1, n_buckets=2000, use_rollups=use_rollups) for p in day]

    assert all(len(b) >= 2000 for b in pens())
    fast = time_ms(pens, 15)
    slow = time_ms(lambda: pens(False), 3)
    end = T0 + 365 * DAY_S * 1000
    year_fast = time_ms(lambda: query.buckets("year", T0, end, n_buckets=2000))
    year_slow = time_ms(
        lambda: query.buckets("year", T0, end, n_buckets=2000, use_rollups=False), 3
    )
    raw_hour = time_ms(lambda: query.raw("pen0", T0, T0 + 3_600_000))
    query.close()
    return {
        "query_8pens_24h_2000_ms_median": median(fast),
        "query_8pens_24h_2000_ms_p99": percentile(fast, 99),
        "query_8pens_24h_from_points_ms": median(slow),
        "query_8pens_ratio": median(slow) / median(fast),
        "query_1tag_1year_2000_ms_median": median(year_fast),
        "query_1tag_1year_from_points_ms": median(year_slow),
        "query_1tag_1year_ratio": median(year_slow) / median(year_fast),
        "query_raw_1h_1s_ms_median": median(raw_hour),
    }


def day_size(folder: Path, name: str, points: list) -> tuple[int, int]:
    """Bytes of one tag-day in the file: with its rollups, and of the points alone."""
    path = folder / f"size-{name}.db"
    fill(path, {name: points})
    conn = sqlite3.connect(path)
    sizes = []
    for cleanup in ("", "DELETE FROM hist_rollup"):
        if cleanup:
            conn.execute(cleanup)
            conn.commit()
        conn.execute("VACUUM")
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        sizes.append((pages - EMPTY_PAGES) * page_size)
    conn.close()
    return sizes[0], sizes[1]


def main() -> None:
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rate = writer_insert_rate(folder)
        naive = naive_insert_rate(folder)
        figures.update(
            insert_values_per_s=rate,
            insert_naive_values_per_s=naive,
            insert_ratio_vs_commit_per_value=rate / naive,
        )
        figures.update(recorder_cpu_share(folder))
        signals = demo_signals()
        ratios, errors, raw_total, stored_total = {}, [], 0, 0
        compressed = {}
        for name, (deviation, samples) in signals.items():
            stored = compress(deviation, samples)
            compressed[name] = [(t, v) for t, v, _ in stored]
            ratios[name] = round(len(samples) / len(stored), 1)
            errors.append(max_error(samples, stored) / deviation)
            raw_total += len(samples)
            stored_total += len(stored)
        figures.update(
            compression_ratio_demo_day=raw_total / stored_total,
            compression_ratio_by_tag=ratios,
            compression_max_error_share_of_deviation=max(errors),
        )
        figures.update(query_figures(folder))
        raw_sizes = [day_size(folder, f"r{i}", s)[0] for i, (_, s) in enumerate(signals.values())]
        small = [day_size(folder, f"c{i}", s) for i, s in enumerate(compressed.values())]
        with_rollups = [size for size, _ in small]
        points_only = [size for _, size in small]
        figures.update(
            mb_per_tag_year_1s_uncompressed=statistics.mean(raw_sizes) * 365 / 1e6,
            mb_per_tag_year_1s_swinging_door_mean=statistics.mean(with_rollups) * 365 / 1e6,
            mb_per_tag_year_1s_swinging_door_median=statistics.median(with_rollups) * 365 / 1e6,
            rollup_share_of_compressed_size=1 - sum(points_only) / sum(with_rollups),
            bytes_per_point_uncompressed=statistics.mean(raw_sizes) / DAY_S,
        )
    report("historian", **figures)


if __name__ == "__main__":
    main()
