"""Shift report with 20 orders and 500 stops: generation time of the PDF and the CSV
(target <= 2 s for both) and their sizes.

The naive way measured in the same run: the same report as one QTextDocument of HTML
tables printed to a PDF (no charts, which makes it a generous comparison).
"""

from __future__ import annotations

import html
import os
import random
import tempfile
import time
from dataclasses import replace
from pathlib import Path

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
from tests.bench.common import median, report

ORDERS = 20
STOPS = 500
RUNS = 5
START = 1_796_882_400.0  # 2026-12-10 06:00 UTC
SHIFT = 8 * 3600.0
REASONS = [
    Reason(StopKind.UNPLANNED, "Mechanical", "Die jam", "breakdown"),
    Reason(StopKind.UNPLANNED, "Mechanical", "Puller fault", "breakdown"),
    Reason(
        StopKind.UNPLANNED, "Mechanical", "Hydraulic leak on the main cylinder seal", "breakdown"
    ),
    Reason(StopKind.UNPLANNED, "Material", "No billets", "breakdown"),
    Reason(StopKind.UNPLANNED, "Quality", "Surface check", "setup"),
    Reason(StopKind.PLANNED, "Changeover", "Die change", "planned"),
    Reason(StopKind.PLANNED, "Break", "Meal break", "planned"),
]
SCRAP_REASONS = ["Surface defect", "Wrong length", "Start-up scrap", "Die lines"]


def big_report(orders: int = ORDERS, stops: int = STOPS, seed: int = 12) -> ShiftReport:
    """A busy shift of line 1: ``orders`` orders one after another (long product names
    among them) and ``stops`` stops spread over the shift, some without a reason."""
    rng = random.Random(seed)
    span = ShiftSpan("Morning", "2026-12-10", START, START + SHIFT)
    made = []
    slot = SHIFT / orders
    for i in range(orders):
        good = rng.randint(10, 30)  # a 24-minute slot at 30-50 s a piece, less the stops
        made.append(
            Order(
                f"WO-2026-{120_000 + i}" if i % 7 else f"WO-2026-EXTRA-LONG-NUMBER-{i:04d}-A",
                "line1",
                target=good + rng.randint(0, 80),
                state=OrderState.COMPLETED if i < orders - 1 else OrderState.RUNNING,
                product={
                    "die": f"D-{4700 + i}",
                    "alloy": "6060 T66 anodising quality, extra long alloy name"
                    if i % 5 == 0
                    else "6063",
                },
                ideal_cycle_s=30.0 + i % 3 * 10,
                good=good,
                scrap=rng.randint(0, 25),
                started=START + i * slot,
                ended=START + (i + 1) * slot if i < orders - 1 else None,
            )
        )
    made_stops = []
    gap = SHIFT / stops
    for i in range(stops):
        begin = START + i * gap
        length = rng.uniform(5, 50) if rng.random() < 0.8 else rng.uniform(60, 150)
        reason = rng.choice([*REASONS, None])
        made_stops.append(
            Stop(
                i + 1,
                "line1",
                begin,
                begin + length,
                MachineState.FAULT
                if reason is None or reason.kind is StopKind.UNPLANNED
                else MachineState.IDLE,
                micro=length < 60,
                reason=reason,
                order=made[min(int((begin - START) / slot), orders - 1)].number,
            )
        )
    by_reason: dict[str, tuple[int, float]] = {}
    micro = [0, 0.0]
    for stop in made_stops:
        if stop.micro:
            micro[0] += 1
            micro[1] += stop.duration(0)
            continue
        key = stop.reason.key if stop.reason else "unassigned"
        count, seconds = by_reason.get(key, (0, 0.0))
        by_reason[key] = (count + 1, seconds + stop.duration(0))
    good = sum(o.good for o in made)
    scrap = sum(o.scrap for o in made)
    planned = sum(s for k, (_, s) in by_reason.items() if k.startswith("planned/"))
    pbt = SHIFT - planned
    unplanned = sum(s for k, (_, s) in by_reason.items() if not k.startswith("planned/"))
    apt = pbt - unplanned - micro[1]
    ideal = apt * 0.85  # the line ran at 85 % of its ideal speed
    cycle = ideal / (good + scrap)
    made = [replace(o, ideal_cycle_s=cycle) for o in made]
    ideal_good = cycle * good
    # the six big losses add up to PBT - ideal time of the good pieces (PBT x (1 - OEE))
    losses = {
        "breakdown": unplanned * 0.8,
        "setup": unplanned * 0.2,
        "small_stop": micro[1],
        "speed": apt - ideal,
        "startup_reject": (ideal - ideal_good) * 0.3,
        "production_reject": (ideal - ideal_good) * 0.7,
    }
    oee = Oee(
        pbt,
        apt,
        ideal,
        good,
        scrap,
        apt / pbt,
        ideal / apt,
        good / (good + scrap),
        ideal_good / pbt,
        losses,
    )
    scrap_by_reason: dict[str, int] = {}
    for o in made:
        reason = rng.choice(SCRAP_REASONS)
        scrap_by_reason[reason] = scrap_by_reason.get(reason, 0) + o.scrap
    return ShiftReport(
        line="line1",
        line_title="Line 1 - Extrusion press",
        shift=span,
        orders=made,
        good=good,
        scrap=scrap,
        scrap_by_reason=scrap_by_reason,
        downtime_by_reason=by_reason,
        micro_stops=(int(micro[0]), micro[1]),
        oee=oee,
        alarm_counts={"critical": 2, "high": 17, "medium": 40, "low": 121},
        stops=made_stops,
        generated=START + SHIFT + 30,
    )


def naive_pdf(shift: ShiftReport, path: Path) -> None:
    """The report as a first version would write it: HTML tables in a QTextDocument,
    printed to a PDF (no charts)."""
    from PySide6.QtGui import QPageSize, QPdfWriter, QTextDocument

    def table(title: str, header: list[str], rows: list[list[object]]) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
            for row in rows
        )
        return f"<h2>{html.escape(title)}</h2><table border=1><tr>{head}</tr>{body}</table>"

    parts = [f"<h1>Shift report {html.escape(shift.line_title)} {shift.shift.key}</h1>"]
    parts.append(
        table(
            "Orders",
            ["Order", "Product", "Target", "Good", "Scrap"],
            [[o.number, o.product, o.target, o.good, o.scrap] for o in shift.orders],
        )
    )
    parts.append(
        table("Scrap by reason", ["Reason", "Quantity"], list(shift.scrap_by_reason.items()))
    )
    parts.append(
        table(
            "Downtime by reason",
            ["Reason", "Stops", "Minutes"],
            [[k, n, f"{s / 60:.1f}"] for k, (n, s) in shift.downtime_by_reason.items()],
        )
    )
    parts.append(
        table(
            "OEE and losses",
            ["Loss", "Minutes"],
            [[k, f"{v / 60:.1f}"] for k, v in shift.oee.losses.items()],
        )
    )
    parts.append(
        table(
            "Stops",
            ["Start", "End", "State", "Reason"],
            [[s.start, s.end, s.state, s.reason.key if s.reason else ""] for s in shift.stops],
        )
    )
    parts.append(table("Alarms", ["Priority", "Count"], list(shift.alarm_counts.items())))
    document = QTextDocument()
    document.setHtml("".join(parts))
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    document.print_(writer)


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from hmi.core.orders.report import write_csv
    from hmi.ui.orders.report_pdf import render_pdf

    app = QGuiApplication.instance() or QGuiApplication([])
    shift = big_report()

    def english(context: str, text: str) -> str:
        return text

    timings: dict[str, list[float]] = {"pdf": [], "csv": [], "naive": []}
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        pages = 0
        for run in range(RUNS):
            started = time.perf_counter()
            pages = render_pdf(shift, base / f"r{run}.pdf", english, plant="Bench plant")
            timings["pdf"].append(time.perf_counter() - started)
            started = time.perf_counter()
            write_csv(shift, base / f"r{run}.csv")
            timings["csv"].append(time.perf_counter() - started)
            started = time.perf_counter()
            naive_pdf(shift, base / f"n{run}.pdf")
            timings["naive"].append(time.perf_counter() - started)
        pdf_kb = (base / "r0.pdf").stat().st_size / 1024
        csv_kb = (base / "r0.csv").stat().st_size / 1024
        naive_kb = (base / "n0.pdf").stat().st_size / 1024
    pdf_s, csv_s, naive_s = (median(timings[k]) for k in ("pdf", "csv", "naive"))
    del app
    report(
        "shift_report",
        orders=ORDERS,
        stops=STOPS,
        runs=RUNS,
        pdf_p50_s=pdf_s,
        csv_p50_s=csv_s,
        report_p50_s=pdf_s + csv_s,
        target_s=2.0,
        pdf_pages=pages,
        pdf_kb=pdf_kb,
        csv_kb=csv_kb,
        naive_html_pdf_p50_s=naive_s,
        naive_pdf_kb=naive_kb,
        ratio_naive_over_ours=naive_s / pdf_s if pdf_s else float("nan"),
    )


if __name__ == "__main__":
    main()
