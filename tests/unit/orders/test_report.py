"""The shift report's figures and CSV from a ShiftReport written out by hand."""

from __future__ import annotations

import csv
from datetime import UTC

import pytest

from hmi.core.orders.model import (
    MachineState,
    Oee,
    Order,
    OrderState,
    Reason,
    ShiftReport,
    ShiftSpan,
    Stop,
    StopKind,
)
from hmi.core.orders.report import (
    SECTIONS,
    downtime_rows,
    order_oee,
    order_rows,
    pdf_command,
    product_text,
    read_csv_sections,
    report_file,
    scrap_rows,
    waterfall,
    write_csv,
)

START = 1_796_882_400.0  # 2026-12-10 06:00 UTC
HOUR = 3600.0
MEAL = Reason(StopKind.PLANNED, "Break", "Meal break", "planned")
JAM = Reason(StopKind.UNPLANNED, "Mechanical", "Die jam", "breakdown")


def make_report() -> ShiftReport:
    """An 8 h shift: order A ran 06:00-10:00 (1 h of it a meal break), B from 10:00 on."""
    span = ShiftSpan("Morning", "2026-12-10", START, START + 8 * HOUR)
    a = Order(
        "A-1",
        "line1",
        target=400,
        state=OrderState.COMPLETED,
        product={"die": "D-4711", "alloy": "6060"},
        ideal_cycle_s=40.0,
        good=270,
        scrap=10,
        started=START,
        ended=START + 4 * HOUR,
    )
    b = Order(
        "B-2",
        "line1",
        target=500,
        product={"product": "Acqua frizzante", "bottle_size_l": 1.5},
        good=300,
        scrap=20,
        started=START + 4 * HOUR,
        state=OrderState.RUNNING,
    )
    stops = [
        Stop(
            1, "line1", START + HOUR, START + 2 * HOUR, MachineState.IDLE, reason=MEAL, order="A-1"
        ),
        Stop(
            2,
            "line1",
            START + 5 * HOUR,
            START + 5 * HOUR + 1800,
            MachineState.FAULT,
            reason=JAM,
            order="B-2",
        ),
        Stop(3, "line1", START + 6 * HOUR, START + 6 * HOUR + 600, MachineState.FAULT, order="B-2"),
    ]
    # PBT 7 h = 25,200 s; losses add up to PBT x (1 - OEE)
    oee = Oee(
        planned_busy_time=25_200.0,
        actual_production_time=22_800.0,
        ideal_time=24_000.0,  # 600 pieces x 40 s
        good=570,
        scrap=30,
        availability=22_800 / 25_200,
        effectiveness=None,
        quality=570 / 600,
        oee=22_800 / 25_200,
        losses={
            "breakdown": 1800.0,
            "setup": 0.0,
            "small_stop": 600.0,
            "speed": 300.0,
            "startup_reject": 400.0,
            "production_reject": 800.0,
        },
    )
    return ShiftReport(
        line="line1",
        line_title="Line 1 - Extrusion press",
        shift=span,
        orders=[a, b],
        good=570,
        scrap=30,
        scrap_by_reason={"Surface defect": 10, "Wrong length": 20},
        downtime_by_reason={
            "unplanned/Mechanical/Die jam": (1, 1800.0),
            "planned/Break/Meal break": (1, 3600.0),
            "unassigned": (1, 600.0),
        },
        micro_stops=(12, 540.0),
        oee=oee,
        alarm_counts={"critical": 1, "high": 4, "medium": 0, "low": 9},
        stops=stops,
        generated=START + 8 * HOUR + 60,
    )


def test_products_in_a_few_words() -> None:
    report = make_report()
    assert product_text(report.orders[0]) == "D-4711 6060"
    assert product_text(report.orders[1]) == "Acqua frizzante 1.5 l"
    assert product_text(Order("X", "l", 1, product={"colour": "red"})) == "colour red"


def test_order_oee_is_ideal_time_of_good_pieces_over_its_busy_time() -> None:
    report = make_report()
    a, b = report.orders
    # A: 4 h in the shift less the 1 h meal break = 10,800 s; 270 good x 40 s = 10,800 s
    assert order_oee(report, a) == pytest.approx(1.0)
    # B: 10:00-14:00 = 14,400 s (its stops are unplanned: they stay in busy time);
    # no cycle of its own: the shift's 24,000 s / 600 pieces = 40 s; its 300 good pieces
    # were counted until the report was made at 14:01, 240 of its 241 minutes in the shift
    assert order_oee(report, b) == pytest.approx(300 * 240 / 241 * 40 / 14_400)
    never = Order("C-3", "line1", target=10)
    assert order_oee(report, never) is not None  # not started: counted from shift start
    # ran 04:00-08:00: half of its run in the shift, so half of its 180 good pieces
    # (90 x 40 s = 3600 s) over its 2 h in the shift
    across = Order(
        "E-5",
        "line1",
        10,
        good=180,
        ideal_cycle_s=40.0,
        started=START - 2 * HOUR,
        ended=START + 2 * HOUR,
    )
    assert order_oee(report, across) == pytest.approx(3600 / 7200)
    ended_before = Order("D-4", "line1", 10, started=START - 2 * HOUR, ended=START - HOUR)
    assert order_oee(report, ended_before) is None
    rows = order_rows(report)
    assert [(r.number, r.state, r.target, r.good, r.scrap) for r in rows] == [
        ("A-1", "completed", 400, 270, 10),
        ("B-2", "running", 500, 300, 20),
    ]


def test_scrap_and_downtime_ranked_with_shares() -> None:
    report = make_report()
    assert [(r.reason, r.quantity, r.share) for r in scrap_rows(report)] == [
        ("Wrong length", 20, pytest.approx(2 / 3)),
        ("Surface defect", 10, pytest.approx(1 / 3)),
    ]
    rows = downtime_rows(report)
    # 3600 + 1800 + 600 = 6000 s of stops
    assert [(r.kind, r.category, r.reason, r.stops, r.minutes) for r in rows] == [
        ("planned", "Break", "Meal break", 1, 60.0),
        ("unplanned", "Mechanical", "Die jam", 1, 30.0),
        ("", "", "unassigned", 1, 10.0),
    ]
    assert [r.share for r in rows] == pytest.approx([0.6, 0.3, 0.1])


def test_waterfall_takes_each_loss_off_in_turn() -> None:
    steps = waterfall(make_report())
    assert [s.name for s in steps] == [
        "planned_busy_time",
        "breakdown",
        "setup",
        "small_stop",
        "speed",
        "startup_reject",
        "production_reject",
        "fully_productive_time",
    ]
    # 25,200 - 1800 - 0 - 600 - 300 - 400 - 800 = 21,300 s left
    assert (steps[0].low, steps[0].high) == (0.0, 25_200.0)
    assert (steps[1].low, steps[1].high) == (23_400.0, 25_200.0)
    assert (steps[3].low, steps[3].high) == (22_800.0, 23_400.0)
    assert (steps[-1].low, steps[-1].high) == (0.0, 21_300.0)
    assert steps[-1].share == pytest.approx(21_300 / 25_200)
    assert sum(s.seconds for s in steps[1:]) == pytest.approx(25_200.0)


def test_waterfall_never_goes_below_zero() -> None:
    report = make_report()
    oee = Oee(100.0, 0.0, 0.0, 0, 0, 0.0, None, None, 0.0, {"breakdown": 80.0, "setup": 50.0})
    steps = waterfall(ShiftReport(**{**report.__dict__, "oee": oee}))
    assert [(s.low, s.high) for s in steps[1:3]] == [(20.0, 100.0), (0.0, 20.0)]
    assert steps[-1].seconds == 0.0


def test_csv_has_every_section_with_units(tmp_path) -> None:
    path = tmp_path / "r.csv"
    write_csv(make_report(), path, tz=UTC)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    sections = read_csv_sections(path)
    assert list(sections) == ["shift report", *SECTIONS]
    title = dict((row[0], row[1:]) for row in sections["shift report"])
    assert title["line"] == ["line1", "Line 1 - Extrusion press"]
    assert title["start"] == ["2026-12-10 06:00"] and title["end"] == ["2026-12-10 14:00"]
    orders = sections["orders"]
    assert orders[0] == [
        "number",
        "product",
        "state",
        "target (pcs)",
        "good (pcs)",
        "scrap (pcs)",
        "uninspected (pcs)",
        "OEE (%)",
    ]
    assert orders[1] == ["A-1", "D-4711 6060", "completed", "400", "270", "10", "0", "100.0"]
    assert orders[2][-1] == "83.0"  # 300 x 240/241 x 40 s / 14,400 s
    assert sections["scrap by reason"][1:] == [
        ["Wrong length", "20", "66.7"],
        ["Surface defect", "10", "33.3"],
    ]
    downtime = sections["downtime by reason"]
    assert downtime[0][-2:] == ["duration (min)", "share (%)"]
    assert downtime[1] == ["planned", "Break", "Meal break", "1", "60.0", "60.0"]
    assert downtime[-1] == ["micro-stops", "", "", "12", "9.0", ""]
    figures = {row[0]: row[1:] for row in sections["OEE and losses"][1:]}
    assert figures["Planned busy time"] == ["420.0", "min"]
    assert figures["Uninspected"] == ["0", "pcs"]
    assert figures["Effectiveness"] == ["", "%"]  # not known: empty, not 0
    assert figures["Quality"] == ["95.0", "%"]
    assert figures["Breakdowns"][0] == "30.0"
    assert figures["Fully productive time"][0] == "355.0"  # 21,300 s
    assert sections["alarms"] == [
        ["priority", "alarms raised"],
        ["critical", "1"],
        ["high", "4"],
        ["medium", "0"],
        ["low", "9"],
    ]
    stops = sections["stops"]
    assert stops[0][:3] == ["start", "end", "duration (min)"]
    assert stops[1] == [
        "2026-12-10 07:00:00",
        "2026-12-10 08:00:00",
        "60.00",
        "idle",
        "",
        "planned",
        "Break",
        "Meal break",
        "A-1",
        "",
    ]
    assert stops[3][4:8] == ["", "", "", "unassigned"]


def test_csv_keeps_commas_quotes_and_accents(tmp_path) -> None:
    report = make_report()
    odd = 'Bordo "rigato", lato sinistro – più di 2 mm'
    path = tmp_path / "r.csv"
    write_csv(ShiftReport(**{**report.__dict__, "scrap_by_reason": {odd: 3}}), path)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert [odd, "3", "100.0"] in rows


def test_report_files_are_named_by_line_day_and_shift(tmp_path) -> None:
    span = ShiftSpan("Night / weekend", "2026-12-10", START, START + HOUR)
    assert report_file(tmp_path, "line1", span, "pdf") == (
        tmp_path / "reports" / "line1" / "2026-12-10_Night-weekend.pdf"
    )
    assert report_file(tmp_path, "../x", span, "csv").parent.parent == tmp_path / "reports"
    command = pdf_command("/p", "line1", span, "/o.pdf", data_dir="/d", python="py")
    assert command == [
        "py",
        "-m",
        "hmi.ui.orders.report_pdf",
        "--project",
        "/p",
        "--line",
        "line1",
        "--shift",
        "2026-12-10/Night / weekend",
        "--out",
        "/o.pdf",
        "--data-dir",
        "/d",
    ]
