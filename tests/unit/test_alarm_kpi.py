"""Alarm KPIs (EEMUA 191 / ISA-18.2) on activations whose answers are known."""

import csv
import io

import pytest

from hmi.core.alarms import AlarmKind, AlarmState, AlarmStatus, compute_kpis, write_kpi_csv
from hmi.core.alarms.journal import Activation
from hmi.core.alarms.kpi import flood_share, peak_in_window


def activation(t, alarm_id, line, priority=3):
    return Activation(t, alarm_id, alarm_id.split(".")[0], line, priority, f"{alarm_id} message")


def standing(alarm_id, activated_at, state=AlarmState.ACKED):
    return AlarmStatus(
        id=alarm_id,
        tag=alarm_id,
        kind=AlarmKind.HI,
        priority=2,
        line="line1",
        area="",
        screen="",
        state=state,
        active=True,
        acked=True,
        suppressed=False,
        since=activated_at,
        activated_at=activated_at,
        value=1.0,
        message=f"{alarm_id} is high",
    )


@pytest.fixture
def hour():
    # line1: 11 activations in 10 s (a flood from the 11th until the 1st is 10 min old)
    events = [activation(100 + i, "a.hi" if i % 2 else "b.hi", "line1", 3) for i in range(11)]
    # line2: one alarm chattering, 3 times within 20 s
    events += [activation(2000 + 10 * i, "c.lo", "line2", 1) for i in range(3)]
    events.append(activation(5000, "outside.hi", "line1"))  # after the period
    return events


def test_rates_floods_bad_actors_and_priorities(hour):
    end = 3600.0
    stale = standing("old.hi", end - 25 * 3600)
    kpis = compute_kpis(hour, 0.0, end, [stale, standing("new.hi", end - 3600)])
    assert kpis.activations == 14
    assert kpis.per_10min == pytest.approx(14 / 6)
    assert kpis.peak_10min == 11
    assert kpis.flood_share == pytest.approx((700 - 110) / 3600)
    line1, line2 = kpis.lines
    assert (line1.line, line1.activations, line1.peak_10min) == ("line1", 11, 11)
    assert line1.flood_share == pytest.approx(590 / 3600)
    assert (line2.line, line2.activations, line2.flood_share) == ("line2", 3, 0.0)
    assert line2.per_10min == pytest.approx(0.5)
    assert [(b.alarm_id, b.count) for b in kpis.bad_actors] == [
        ("b.hi", 6),
        ("a.hi", 5),
        ("c.lo", 3),
    ]
    assert kpis.bad_actors[0].share == pytest.approx(6 / 14)
    assert [(c.alarm_id, c.most_per_minute) for c in kpis.chattering] == [
        ("b.hi", 6),
        ("a.hi", 5),
        ("c.lo", 3),
    ]
    assert [s.alarm_id for s in kpis.stale] == ["old.hi"]
    assert kpis.stale[0].active_for_s == pytest.approx(25 * 3600)
    assert kpis.priority_counts == {1: 3, 2: 0, 3: 11, 4: 0}
    assert kpis.priority_shares[3] == pytest.approx(11 / 14)


def test_slow_repeats_are_not_chattering():
    events = [activation(i * 61.0, "slow.hi", "line1") for i in range(10)]
    kpis = compute_kpis(events, 0.0, 3600.0)
    assert kpis.chattering == () and kpis.flood_share == 0.0
    assert kpis.bad_actors[0].count == 10


def test_only_the_ten_worst_actors_are_listed():
    events = [activation(float(i), f"a{i % 15}.hi", "line1") for i in range(150)]
    assert len(compute_kpis(events, 0.0, 3600.0).bad_actors) == 10


@pytest.mark.parametrize(
    ("times", "start", "end", "expected"),
    [
        ([], 0, 100, 0.0),
        (list(range(10)), 0, 1000, 0.0),  # 10 in 10 minutes is not yet a flood
        (list(range(11)), 0, 1000, (600 - 10) / 1000),
        ([*range(11), *range(5000, 5011)], 0, 10_000, 2 * 590 / 10_000),  # two floods
        (list(range(20)), 0, 300, (300 - 10) / 300),  # clipped at the end of the period
        (list(range(0, 30, 2)), 0, 1000, (608 - 20) / 1000),  # 5 overlapping, merged
    ],
)
def test_share_of_time_in_flood(times, start, end, expected):
    assert flood_share(times, start, end) == pytest.approx(expected)


def test_peak_in_a_sliding_window():
    assert peak_in_window([0, 100, 599, 600, 1300], 600) == 3  # (0, 600] holds 3
    assert peak_in_window([], 600) == 0


def test_the_csv_report_lists_every_figure(hour):
    out = io.StringIO()
    write_kpi_csv(compute_kpis(hour, 0.0, 3600.0), out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["section", "item", "value", "detail"]
    sections = {row[0] for row in rows[1:]}
    assert sections == {"period", "overall", "line", "bad_actor", "chattering", "priority"}
    assert ["overall", "activations", "14", ""] in rows
    assert ["bad_actor", "b.hi", "6", "42.9% b.hi message"] in rows
