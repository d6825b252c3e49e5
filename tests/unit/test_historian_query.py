"""Queries for trends: buckets at any zoom agree with the points, edges and cursor values."""

from __future__ import annotations

import math
import random

import pytest

from hmi.core.historian import HistoryQuery, HistoryUnavailable
from hmi.core.historian.query import bucket_plan
from hmi.core.historian.storage import SCHEMA, InsertJob, encode, register_tags
from hmi.core.store import connect, migrate
from hmi.core.tags import Quality

DAY = 86_400_000
HOUR = 3_600_000
T0 = 1_699_999_200_000  # a whole hour


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "hmi.db"
    conn = connect(path)
    migrate(conn, "historian", SCHEMA)
    ids = register_tags(conn, {"num": 0, "flag": 1, "text": 2})

    def write(name, points, tails=()):
        """Store ``points`` of (t, value[, quality]) as the recorder would."""
        rows = []
        for point in points:
            t, value, quality = (*point, 0)[:3]
            stored, flags = encode(value)
            rows.append((ids[name], t, stored, quality | flags))
        tail_rows = [(ids[name], t, *encode(v)) for t, v in tails]
        conn.execute("BEGIN")
        InsertJob(rows, [], tail_rows, 1, frozenset({ids["num"], ids["flag"]}))(conn)
        conn.execute("COMMIT")

    query = HistoryQuery(path)
    yield write, query
    query.close()
    conn.close()


def assert_same(a, b):
    assert [x._replace(avg=None) for x in a] == [x._replace(avg=None) for x in b]
    for x, y in zip(a, b, strict=True):
        assert x.avg == pytest.approx(y.avg)


@pytest.mark.parametrize(
    ("span", "n", "expected"),
    [
        (DAY, 2000, (30_000, 30_000)),  # 2,880 buckets from 30 s rollups
        (8 * HOUR, 2000, (10_000, 10_000)),
        (365 * DAY, 2000, (4 * HOUR, HOUR)),  # a year from hourly rollups
        (30 * DAY, 2000, (1_200_000, 300_000)),
        (HOUR, 2000, (1800, 0)),  # below 10 s: from the points
    ],
)
def test_the_coarsest_level_that_still_gives_enough_buckets(span, n, expected):
    width, level = bucket_plan(T0, T0 + span, n, None)
    assert (width, level) == expected
    assert span / width >= n


def test_a_given_bucket_width_uses_a_level_that_divides_it():
    assert bucket_plan(0, DAY, None, 120_000) == (120_000, 30_000)
    assert bucket_plan(0, DAY, None, 45_000) == (45_000, 0)


def test_a_year_from_rollups_equals_the_same_buckets_from_the_points(store):
    write, query = store
    rng = random.Random(5)
    points = []
    for i in range(365 * 24 * 6):  # one point per 10 minutes, with faults sprinkled in
        t = T0 + i * 600_000 + rng.randrange(600_000)
        value = math.sin(i / 500) * 100 + rng.gauss(0, 1)
        if rng.random() < 0.01:
            value = math.nan
        points.append((t, value, 2 if rng.random() < 0.01 else 0))
    write("num", points)
    for n in (500, 2000, 20_000):
        fast = query.buckets("num", T0, T0 + 365 * DAY, n_buckets=n)
        slow = query.buckets("num", T0, T0 + 365 * DAY, n_buckets=n, use_rollups=False)
        assert len(fast) >= n * 0.99 and all(math.isfinite(b.avg) for b in fast if b.count)
        assert_same(fast, slow)
    for width in (300_000, HOUR):  # buckets that are rollup rows themselves
        fast = query.buckets("num", T0, T0 + 30 * DAY, bucket_ms=width)
        assert_same(
            fast, query.buckets("num", T0, T0 + 30 * DAY, bucket_ms=width, use_rollups=False)
        )
    total = query.buckets("num", T0, T0 + 365 * DAY, bucket_ms=365 * DAY)
    assert sum(b.count + b.bad for b in total) == len(points)


def test_raw_adds_the_points_beyond_both_edges_and_respects_the_limit(store):
    write, query = store
    write("num", [(T0 + i * 1000, float(i)) for i in range(100)])
    inside = query.raw("num", T0 + 10_500, T0 + 20_500)
    assert [p.value for p in inside] == [float(v) for v in range(10, 22)]
    assert query.raw("num", T0 + 10_500, T0 + 20_500, bounds=False)[0].t == T0 + 11_000
    assert len(query.raw("num", T0, T0 + DAY, limit=5, bounds=False)) == 5
    assert query.raw("num", T0 + DAY, T0 + 2 * DAY)[0].value == 99  # the last known value


def test_the_tail_extends_raw_buckets_and_the_cursor_to_the_newest_sample(store):
    write, query = store
    write("num", [(T0, 0.0), (T0 + 10_000, 10.0)], tails=[(T0 + 20_000, 30.0)])
    assert [p.value for p in query.raw("num", T0, T0 + 60_000)] == [0, 10, 30]
    assert query.raw("num", T0, T0 + 15_000)[-1].value == 30  # the right-hand bound
    (bucket,) = query.buckets("num", T0, T0 + 59_000, bucket_ms=60_000)
    assert (bucket.max, bucket.last, bucket.count) == (30, 30, 3)
    assert query.value_at("num", T0 + 15_000).value == pytest.approx(20.0)
    assert query.value_at("num", T0 + 25_000).value == 30


def test_the_cursor_interpolates_numbers_and_holds_everything_else(store):
    write, query = store
    write("num", [(T0, 0.0), (T0 + 1000, 10.0), (T0 + 2000, 0.0, int(Quality.BAD))])
    write("text", [(T0, "Cola"), (T0 + 1000, "Water")])
    write("flag", [(T0, True), (T0 + 1000, False)])
    assert query.value_at("num", T0 - 1) is None
    middle = query.value_at("num", T0 + 250)
    assert (middle.t, middle.value) == (T0 + 250, pytest.approx(2.5))
    held = query.value_at("num", T0 + 1500)  # the next point is Bad: no line to it
    assert (held.t, held.value) == (T0 + 1000, 10)
    assert query.value_at("num", T0 + 5000).quality is Quality.BAD
    assert query.value_at("text", T0 + 999).value == "Cola"
    assert query.value_at("flag", T0 + 500).value == 1


def test_text_buckets_give_first_last_and_count(store):
    write, query = store
    write("text", [(T0, "a"), (T0 + 1000, "b"), (T0 + 61_000, "c"), (T0 + 62_000, None, 2)])
    buckets = query.buckets("text", T0, T0 + 120_000, bucket_ms=60_000)
    assert [(b.first, b.last, b.count, b.bad, b.min, b.avg) for b in buckets] == [
        ("a", "b", 2, 0, None, None),
        ("c", "c", 1, 1, None, None),
    ]


def test_infinity_counts_as_a_gap_and_nan_never_spoils_an_aggregate(store):
    write, query = store
    write("num", [(T0, 1.0), (T0 + 1, math.nan), (T0 + 2, math.inf), (T0 + 3, 3.0)])
    for use_rollups in (True, False):
        (bucket,) = query.buckets("num", T0, T0 + 10, bucket_ms=10_000, use_rollups=use_rollups)
        assert (bucket.min, bucket.max, bucket.avg, bucket.count, bucket.bad) == (1, 3, 2.0, 2, 2)


def test_a_damaged_file_gives_a_readable_error(tmp_path):
    path = tmp_path / "hmi.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(HistoryUnavailable, match=r"history cannot be read from hmi\.db"):
        HistoryQuery(path).raw("num", 0, 1)
