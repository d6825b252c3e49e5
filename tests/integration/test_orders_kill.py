"""``kill -9`` of a station in the middle of an order, at random moments: after each
restart the order, its counts and its open stop go on exactly; nothing is counted twice
or lost, and the outbox has every event once, in gapless sequences per stream.

The PLC is a real pymodbus server on 127.0.0.1 whose counters the test advances (from
near the top of their 32-bit range, so they wrap on the way) while the stations read it.
"""

from __future__ import annotations

import json
import random
import time

import pytest

from .orders_plant import (
    FAULT,
    GOOD,
    RUNNING,
    Plc,
    hmi,
    kill9,
    query,
    recorded,
    start_station,
    wait_until,
    write_project,
)

pytestmark = pytest.mark.slow

KILLS = 5
START = 2**32 - 700  # the good counter wraps during the run


def open_stops(db) -> list[tuple[float]]:
    return query(db, "SELECT start FROM stops WHERE end IS NULL")


@pytest.mark.timeout(300)
def test_kill_9_at_random_moments_loses_and_doubles_nothing(tmp_path, port):
    rng = random.Random(12)
    plc = Plc(port)
    project = write_project(tmp_path / "project", port)
    data = tmp_path / "data"
    db = data / "hmi.db"
    log = tmp_path / "station.log"
    good, scrap = START, 10
    plc.set_counter(GOOD, good)
    plc.set_scrap(scrap)
    plc.set_state(RUNNING)
    orders_csv = tmp_path / "orders.csv"
    orders_csv.write_text(
        "number,line,target,product,bottle_size_l\nK-1,line1,100000,Water,0.5\n", encoding="utf-8"
    )
    for args in (("import", str(project), str(orders_csv)), ("start", str(project), "K-1")):
        done = hmi("orders", *args, "--data-dir", str(data))
        assert done.returncode == 0, done.stderr
    starts = []  # of the stops open when a station was killed
    station = start_station(project, data, log)
    try:
        # the first reading is the baseline: nothing before it belongs to the order
        wait_until(lambda: recorded(db, "good") == START, 30, "the first reading", station)
        for kill in range(KILLS):
            steps = rng.randint(5, 40)
            for _ in range(steps):  # the PLC counts while the station runs
                good += rng.randint(1, 9)
                plc.set_counter(GOOD, good)
                if rng.random() < 0.2:
                    scrap += 1
                    plc.set_scrap(scrap)
                time.sleep(rng.uniform(0.0, 0.06))
            stopped = kill % 2 == 0  # when killed: the stop must go on after the restart
            if stopped:
                plc.set_state(FAULT)
                wait_until(lambda: open_stops(db), 20, "the stop to be recorded", station)
                starts += [start for (start,) in open_stops(db)]
            time.sleep(rng.uniform(0.0, 0.3))
            kill9(station)
            for _ in range(rng.randint(0, 30)):  # and on while the station is down
                good += rng.randint(1, 9)
                plc.set_counter(GOOD, good)
            station = start_station(project, data, log)
            time.sleep(rng.uniform(0.5, 2.0))
            plc.set_state(RUNNING)
            if stopped:
                wait_until(lambda: not open_stops(db), 30, "the stop to end", station)
        expected_good = (good - START) % 2**32
        expected_scrap = scrap - 10
        wait_until(
            lambda: recorded(db, "good") == good % 2**32 and recorded(db, "scrap") == scrap,
            30,
            "the last readings",
            station,
        )
    finally:
        kill9(station)
        plc.close()
    [(order_good, order_scrap)] = query(db, "SELECT good, scrap FROM orders WHERE number = 'K-1'")
    assert (order_good, order_scrap) == (expected_good, expected_scrap), log.read_text()[-3000:]
    sums = dict(
        query(
            db,
            "SELECT counter, sum(delta) FROM counts WHERE order_number = 'K-1' "
            "AND kind IN ('count', 'wrap', 'reset') GROUP BY counter",
        )
    )
    assert sums == {"good": expected_good, "scrap": expected_scrap}
    assert query(db, "SELECT count(*) FROM counts WHERE kind = 'wrap'")[0][0] == 1
    assert query(db, "SELECT count(*) FROM counts WHERE kind IN ('jump', 'invalid')")[0][0] == 0
    stops = query(db, "SELECT start, end, state FROM stops ORDER BY start")
    assert [start for start, _, _ in stops] == starts  # each stop once, across its kill
    assert all(end > start and state == "fault" for start, end, state in stops)
    events = query(db, "SELECT stream, seq, kind, key, payload FROM outbox ORDER BY id")
    assert len({key for *_, key, _ in events}) == len(events)
    for stream in {s for s, *_ in events}:
        seqs = [q for s, q, *_ in events if s == stream]
        assert seqs == list(range(1, len(seqs) + 1)), stream
    counted = [json.loads(p)["counts"] for s, _, kind, _, p in events if kind == "count"]
    assert sum(c.get("good", 0) for c in counted) == expected_good
    assert sum(c.get("scrap", 0) for c in counted) == expected_scrap
    assert [k for _, _, k, _, _ in events].count("downtime.start") == len(starts)
    assert [k for _, _, k, _, _ in events].count("downtime.end") == len(starts)
