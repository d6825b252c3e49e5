"""The Grafana dashboard (resources/grafana/linea.json) against a real PostgreSQL filled
through the MES target and the central history: each panel's SQL, with the template
variables and macros replaced the way Grafana does for a PostgreSQL data source, runs and
gives the figures worked out here by hand from the events sent."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hmi.core.historian.forward import ForwardRow
from hmi.core.historian.postgres import PostgresHistory
from hmi.core.mes.postgres import PostgresTarget
from hmi.core.outbox import OutboxEvent
from hmi.core.tags import Quality

from .test_postgres_target import secrets, settings

__all__ = ["secrets"]  # the fixture, shared

DASHBOARD = Path(__file__).parents[2] / "resources" / "grafana" / "linea.json"
DAY = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # line 1 and line 2 start their orders
FROM, TO = DAY - timedelta(hours=1), DAY + timedelta(hours=3)
IDEAL_CYCLE = 10.0  # s per piece, the dashboard's ideal_cycle variable
A1_CYCLE = 12.0  # s per piece, order A-1's own ideal cycle (its order.state events say)


def at(minutes: float) -> float:
    return (DAY + timedelta(minutes=minutes)).timestamp()


# -- Grafana's way of filling a query in ------------------------------------------------


def quoted(values: list[str]) -> str:
    return ",".join("'" + v.replace("'", "''") + "'" for v in values)


def interpolate(sql: str, variables: dict[str, Any], interval: str = "1h") -> str:
    """Template variables as Grafana's SQL data sources format them: a multi-value or
    include-all variable as a list of quoted values, any other raw; then the macros of
    the PostgreSQL data source (``$__timeFilter``, ``$__timeFrom``, ``$__timeTo``,
    ``$__timeGroup``, ``$__timeGroupAlias``) for the range FROM..TO."""
    sql = sql.replace("${__interval}", interval).replace("$__interval", interval)

    def variable(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in variables:
            return match.group(0)
        value = variables[name]
        return quoted(value) if isinstance(value, list) else str(value)

    sql = re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(?!__)(\w+)", variable, sql)
    start = FROM.isoformat().replace("+00:00", "Z")
    end = TO.isoformat().replace("+00:00", "Z")
    sql = re.sub(r"\$__timeFilter\(([^)]+)\)", rf"\1 BETWEEN '{start}' AND '{end}'", sql)
    sql = sql.replace("$__timeFrom()", f"'{start}'").replace("$__timeTo()", f"'{end}'")

    def group(match: re.Match[str]) -> str:
        column, size = (p.strip().strip("'\"") for p in match.group(2).split(",")[:2])
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[size[-1]] * int(size[:-1])
        text = f"floor(extract(epoch from {column})/{seconds})*{seconds}"
        return text + (' AS "time"' if match.group(1) else "")

    return re.sub(r"\$__timeGroup(Alias)?\(([^)]+)\)", group, sql)


# -- what the stations sent --------------------------------------------------------------


def state(order: str, line: str, action: str, st: str, target: int = 400,
          cycle: Any = None) -> dict[str, Any]:  # fmt: skip
    return {"order": order, "line": line, "action": action, "state": st, "user": "op1",
            "reason": "", "target": target, "good": 0, "scrap": 0, "uninspected": 0,
            "product": {"die": "D-7"}, "ideal_cycle_s": cycle}  # fmt: skip


def stop(n: int, line: str, order: str, start: float, end: float | None, reason: str = "",
         micro: bool = False) -> dict[str, Any]:  # fmt: skip
    return {"id": n, "line": line, "start": start, "end": end, "state": "fault",
            "micro": micro, "reason": reason, "by": "op1" if reason else "", "comment": "",
            "order": order}  # fmt: skip


def plant_events() -> list[tuple[str, str, dict[str, Any], float]]:
    """Line 1: order A-1 06:00-08:00, a count of 3 good each minute (every tenth with one
    scrap), 2 scrapped by hand, good corrected by -2; stops: 10 min unplanned, 15 min
    planned, a micro-stop, two stops merged into one of 5 min. Line 2: order B-1, 2 good
    every 2 min, held 07:00-07:30. A shift end on line 1. A-1 has an ideal cycle of its
    own (A1_CYCLE; its last event, from a station before it was sent, says none), B-1
    the line's default (null), once a value that is no number."""
    out: list[tuple[str, str, dict[str, Any], float]] = []
    a, b = "A-1", "B-1"
    own = A1_CYCLE
    out.append((a, "order.state", state(a, "line1", "create", "released", cycle=own), at(-1)))
    out.append((a, "order.state", state(a, "line1", "start", "running", cycle=own), at(0)))
    for i in range(100):
        counts = {"good": 3, "scrap": 1} if i % 10 == 0 else {"good": 3}
        out.append((a, "count", {"line": "line1", "order": a, "counts": counts}, at(i) + 1))
    out.append((a, "scrap", {"order": a, "line": "line1", "quantity": 2, "reason": "Dent",
                             "kg": 3.0, "user": "op1"}, at(115)))  # fmt: skip
    out.append((a, "correction", {"counter": "good", "before": 300, "after": 298,
                                  "user": "sup", "reason": "recount"}, at(110)))  # fmt: skip
    jam = "unplanned/Mechanical/Die jam"
    out.append((a, "downtime.start", stop(1, "line1", a, at(30), None), at(30)))
    out.append((a, "downtime.end", stop(1, "line1", a, at(30), at(40)), at(40)))
    out.append((a, "downtime.reason", stop(1, "line1", a, at(30), at(40), jam), at(41)))
    change = "planned/Changeover/Die change"
    out.append((a, "downtime.end", stop(2, "line1", a, at(60), at(75), change), at(75)))
    out.append((a, "downtime.end", stop(3, "line1", a, at(80), at(80.5), micro=True), at(81)))
    out.append((a, "downtime.end", stop(4, "line1", a, at(90), at(92)), at(92)))
    out.append((a, "downtime.end", stop(5, "line1", a, at(93), at(95)), at(95)))
    merged = stop(4, "line1", a, at(90), at(95), "unplanned/Electrical/Sensor")
    out.append((a, "downtime.merge", {"stops": [merged], "removed": 5}, at(96)))
    out.append((a, "order.state", state(a, "line1", "complete", "completed"), at(120)))
    out.append((b, "order.state", state(b, "line2", "start", "running", 200), at(0)))
    for i in range(30):
        out.append((b, "count", {"line": "line2", "order": b, "counts": {"good": 2}}, at(2 * i)))
    out.append((b, "order.state", state(b, "line2", "hold", "held", 200, "fast"), at(60)))
    out.append((b, "order.state", state(b, "line2", "resume", "running", 200), at(90)))
    for i in range(15):
        out.append((b, "count", {"line": "line2", "order": b, "counts": {"good": 2}},
                    at(90 + 2 * i)))  # fmt: skip
    out.append((b, "order.state", state(b, "line2", "complete", "completed", 200), at(120)))
    shift = {"line": "line1", "shift": "2026-11-30/Morning", "start": at(0), "end": at(120),
             "good": 298, "scrap": 12, "stops": 4, "downtime_s": 1830.0, "micro_stops": 1,
             "oee": 0.4321, "orders": [a]}  # fmt: skip
    out.append(("line:line1", "shift.end", shift, at(120)))
    return out


def fill(db, secrets) -> None:
    seqs: dict[str, int] = {}
    events = []
    for i, (stream, kind, payload, ts) in enumerate(plant_events(), start=1):
        seqs[stream] = seqs.get(stream, 0) + 1
        events.append(OutboxEvent(i, f"k{i}", stream, seqs[stream], kind, payload, ts))
    mes = PostgresTarget("plant_db", settings(db), secrets=secrets)
    assert all(o.accepted for o in mes.send(events))
    mes.close()
    points = [ForwardRow("line1.temp", int(at(i / 6) * 1000), 400.0 + i % 6, Quality.GOOD)
              for i in range(360)]  # fmt: skip  # every 10 s 06:00-07:00
    points += [ForwardRow("line1.temp", int(at(70) * 1000), None, Quality.BAD)]
    points += [ForwardRow("line2.level", int(at(i) * 1000), float(i), Quality.GOOD)
               for i in range(0, 120, 30)]  # fmt: skip
    central = PostgresHistory("central", settings(db), secrets=secrets)
    central.send(points)
    central.close()


@pytest.fixture
def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


@pytest.fixture
def filled(postgres, secrets):
    fill(postgres, secrets)
    return postgres


VARIABLES = {"schema": "linea", "line": ["line1", "line2"], "tag": ["line1.temp", "line2.level"],
             "ideal_cycle": f"{IDEAL_CYCLE:g}", "DS": "plant"}  # fmt: skip


def run(db, panel: dict[str, Any], **override: Any) -> list[dict[str, Any]]:
    sql = interpolate(panel["targets"][0]["rawSql"], VARIABLES | override)
    assert "$" not in sql, sql
    with db.connect() as conn:
        cursor = conn.execute(sql)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def panels(dashboard) -> dict[str, dict[str, Any]]:
    return {p["title"]: p for p in dashboard["panels"]}


def figures(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Numbers as floats (PostgreSQL's numeric comes back as Decimal)."""
    return [{k: float(v) if hasattr(v, "as_integer_ratio") and not isinstance(v, bool)
             else v for k, v in r.items()} for r in rows]  # fmt: skip


def test_every_panel_and_variable_asks_the_chosen_data_source(dashboard):
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["DS"]["type"] == "datasource"
    assert variables["DS"]["query"] == "grafana-postgresql-datasource"
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == "${DS}", panel["title"]
        assert panel["targets"][0]["rawSql"].strip(), panel["title"]
        assert panel["description"], panel["title"]  # what it shows and how it is computed


def test_the_variables_list_the_lines_and_tags(filled, dashboard):
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    with filled.connect() as conn:
        lines = conn.execute(interpolate(variables["line"]["query"], VARIABLES)).fetchall()
        tags = conn.execute(interpolate(variables["tag"]["query"], VARIABLES)).fetchall()
    assert [r[0] for r in lines] == ["line1", "line2"]
    assert [r[0] for r in tags] == ["line1.temp", "line2.level"]


def test_oee_per_line_from_the_events(filled, dashboard):
    rows = figures(run(filled, panels(dashboard)["OEE per line"]))
    one, two = rows
    # line 1: busy 120 min, planned stop 15, unplanned 10 + 5 (the micro-stop is not one)
    loading, run_s = (120 - 15) * 60.0, (120 - 15 - 15) * 60.0
    good, scrap = 300 - 2, 10 + 2
    assert one["Line"] == "line1" and (one["Good"], one["Scrap"]) == (good, scrap)
    assert one["Loading min"] == 105.0 and one["Run min"] == 90.0
    assert one["Availability %"] == round(100 * run_s / loading, 1)
    # by A-1's own ideal cycle, not the variable's
    assert one["Performance %"] == round(100 * (good + scrap) * A1_CYCLE / run_s, 1)
    assert one["Quality %"] == round(100 * good / (good + scrap), 1)
    assert one["OEE %"] == round(100 * good * A1_CYCLE / loading, 1)
    # line 2: ran 06:00-07:00 and 07:30-08:00, no stops, no scrap
    assert two["Line"] == "line2" and two["Loading min"] == 90.0 and two["Run min"] == 90.0
    assert (two["Availability %"], two["Quality %"]) == (100.0, 100.0)
    assert two["Performance %"] == round(100 * 90 * IDEAL_CYCLE / 5400, 1)  # the variable
    slower = figures(run(filled, panels(dashboard)["OEE per line"], ideal_cycle="20"))
    assert slower[0]["Performance %"] == one["Performance %"]  # A-1 keeps its own
    assert slower[1]["Performance %"] == round(100 * 90 * 20 / 5400, 1)
    only = run(filled, panels(dashboard)["OEE per line"], line=["line2"])
    assert [r["Line"] for r in only] == ["line2"]


def test_production_per_order(filled, dashboard):
    rows = figures(run(filled, panels(dashboard)["Production per order"]))
    by_order = {r["Order"]: r for r in rows}
    a, b = by_order["A-1"], by_order["B-1"]
    assert (a["Line"], a["State"], a["Target"], a["Good"], a["Scrap"]) == (
        "line1", "completed", 400, 298, 12
    )  # fmt: skip
    assert a["Progress %"] == 74.5 and a["Uninspected"] == 0
    assert (b["Line"], b["State"], b["Good"], b["Scrap"], b["Progress %"]) == (
        "line2", "completed", 90, 0, 45.0
    )  # fmt: skip


def test_good_and_scrap_per_interval(filled, dashboard):
    rows = figures(run(filled, panels(dashboard)["Good and scrap"]))
    series = {(r["time"], r["metric"]): r["value"] for r in rows}
    six, seven = DAY.timestamp(), DAY.timestamp() + 3600
    assert series[(six, "line1 good")] == 180 and series[(seven, "line1 good")] == 120 - 2
    assert series[(six, "line1 scrap")] == 6 and series[(seven, "line1 scrap")] == 4 + 2
    assert series[(six, "line2 good")] == 60 and series[(seven, "line2 good")] == 30


def test_downtime_by_reason(filled, dashboard):
    rows = figures(run(filled, panels(dashboard)["Downtime by reason"]))
    assert [(r["Reason"], r["Minutes"], r["Stops"]) for r in rows] == [
        ("planned / Changeover / Die change", 15.0, 1),
        ("unplanned / Mechanical / Die jam", 10.0, 1),
        ("unplanned / Electrical / Sensor", 5.0, 1),  # two stops merged: one of 5 min
    ]


def test_oee_per_shift_as_the_station_said(filled, dashboard):
    rows = figures(run(filled, panels(dashboard)["OEE per shift (as the station computed it)"]))
    assert len(rows) == 1
    row = rows[0]
    assert (row["Line"], row["Shift"], row["OEE %"], row["Good"], row["Downtime min"]) == (
        "line1", "2026-11-30/Morning", 43.2, 298, 30.5
    )  # fmt: skip


def test_trends_and_points_not_good_from_the_samples(filled, dashboard):
    rows = figures(run(filled, panels(dashboard)["Trends"]))
    series = {(r["time"], r["metric"]): r["value"] for r in rows}
    assert series[(DAY.timestamp(), "line1.temp")] == pytest.approx(402.5)
    assert series[(DAY.timestamp(), "line2.level")] == pytest.approx(15.0)  # 0 and 30
    assert (DAY.timestamp() + 3600, "line1.temp") not in series  # the Bad point has no value
    bad = figures(run(filled, panels(dashboard)["Points not good"]))
    assert bad[0]["Tag"] == "line1.temp" and (bad[0]["Not good"], bad[0]["Points"]) == (1, 361)
