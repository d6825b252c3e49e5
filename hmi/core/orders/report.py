"""The shift report's rows and figures, its CSV, and where report files are kept (no Qt).

Everything here is computed from one ``ShiftReport``, so the CSV, the PDF
(``hmi.ui.orders.report_pdf``) and any view print the same numbers. Durations are shown in
minutes, shares in percent of the whole they belong to (downtime: of all stop minutes;
losses: of the planned busy time).
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, TextIO

from .model import UNASSIGNED, Order, ShiftReport, ShiftSpan, StopKind

#: the six big losses in the order a waterfall takes them off the planned busy time
LOSSES = ("breakdown", "setup", "small_stop", "speed", "startup_reject", "production_reject")
LOSS_TITLES = {
    "breakdown": "Breakdowns",
    "setup": "Setup and adjustments",
    "small_stop": "Small stops",
    "speed": "Reduced speed",
    "startup_reject": "Start-up rejects",
    "production_reject": "Production rejects",
}
REPORTS_DIR = "reports"  # under the project's data folder
PDF_MODULE = "hmi.ui.orders.report_pdf"  # the program that writes the PDF (needs Qt)


# -- rows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderRow:
    number: str
    product: str
    state: str
    target: int
    good: int  # made in the shift (the whole order's where the report has no counts of it)
    scrap: int
    oee: float | None  # 0..1 (more than 1 says the ideal cycle time is set too slow)
    uninspected: int = 0  # made in the shift and decided by no camera (neither good nor scrap)


@dataclass(frozen=True)
class ScrapRow:
    reason: str
    quantity: int
    share: float  # of all scrap, 0..1


@dataclass(frozen=True)
class DowntimeRow:
    key: str  # reason key ("unplanned/Mechanical/Die jam") or UNASSIGNED
    kind: str  # planned, unplanned or "" (unassigned)
    category: str
    reason: str  # the reason's own name, or UNASSIGNED
    stops: int
    minutes: float
    share: float  # of all stop minutes in the report, 0..1


@dataclass(frozen=True)
class WaterfallStep:
    """One bar of the losses waterfall: it spans ``low``..``high`` seconds."""

    name: str  # planned_busy_time, one of LOSSES, fully_productive_time
    low: float
    high: float
    share: float  # of the planned busy time, 0..1

    @property
    def seconds(self) -> float:
        return self.high - self.low

    @property
    def total(self) -> bool:
        """A bar standing on zero (the first and the last), not a loss taken off."""
        return self.name not in LOSSES


def product_text(order: Order) -> str:
    """What the order makes, in a few words (``product_words`` of its product data)."""
    return product_words(order.product)


def product_words(data: Mapping[str, Any]) -> str:
    """Product data in a few words: a filling order's product and bottle size, an
    extrusion order's die and alloy, else the data as written."""
    if data.get("product"):
        size = data.get("bottle_size_l")
        return f"{data['product']} {_number(size)} l" if size else str(data["product"])
    if data.get("die"):
        return " ".join(str(data[k]) for k in ("die", "alloy") if data.get(k))
    return ", ".join(f"{k} {v}" for k, v in data.items())


def order_oee(report: ShiftReport, order: Order) -> float | None:
    """The order's OEE within the shift: ideal time of its good pieces over its planned busy
    time (A × E × Q reduces to PRI × GQ / PBT). Its planned busy time is the part of the
    shift it ran, less its stops with a planned reason. PRI is the order's own ideal cycle
    time, else the shift's average (ideal time over pieces made). Its good pieces are those
    counted for it in the shift (``report.order_counts``); a report without them credits the
    share of the order's good pieces that its time in the shift is of its run. None when it
    did not run in the shift or nothing tells its ideal cycle time."""
    span = report.shift
    end_of_data = report.generated if report.generated > 0 else span.end
    run_start = order.started if order.started is not None else span.start
    run_end = order.ended if order.ended is not None else max(end_of_data, run_start)
    start, end = max(run_start, span.start), min(run_end, span.end)
    if end <= start:
        return None
    counted = report.order_counts.get(order.number)
    good = counted[0] if counted is not None else order.good * (end - start) / (run_end - run_start)
    planned = sum(
        _overlap(s.start, s.end if s.end is not None else end, start, end)
        for s in report.stops
        if s.order == order.number and s.reason is not None and s.reason.kind is StopKind.PLANNED
    )
    busy = end - start - planned
    produced = report.good + report.scrap
    if order.ideal_cycle_s > 0:
        ideal_cycle = order.ideal_cycle_s
    elif produced > 0 and report.oee.ideal_time > 0:
        ideal_cycle = report.oee.ideal_time / produced
    else:
        return None
    return ideal_cycle * good / busy if busy > 0 else None


def order_rows(report: ShiftReport) -> list[OrderRow]:
    """The orders that ran in the shift with what they made in it."""
    rows = []
    for o in report.orders:
        good, scrap = report.order_counts.get(o.number, (o.good, o.scrap))
        uninspected = report.order_uninspected.get(o.number, o.uninspected)
        rows.append(
            OrderRow(
                o.number,
                product_text(o),
                o.state.value,
                o.target,
                good,
                scrap,
                order_oee(report, o),
                uninspected,
            )
        )
    return rows


def scrap_rows(report: ShiftReport) -> list[ScrapRow]:
    """Scrap per reason, most first."""
    total = sum(report.scrap_by_reason.values())
    ranked = sorted(report.scrap_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    return [ScrapRow(reason, qty, qty / total if total else 0.0) for reason, qty in ranked]


def downtime_rows(report: ShiftReport) -> list[DowntimeRow]:
    """Downtime per reason, longest first; the share is of all stop minutes listed."""
    total = sum(seconds for _, seconds in report.downtime_by_reason.values())
    rows = []
    for key, (stops, seconds) in report.downtime_by_reason.items():
        kind, category, reason = split_reason_key(key)
        rows.append(
            DowntimeRow(
                key, kind, category, reason, stops, seconds / 60, seconds / total if total else 0.0
            )
        )
    rows.sort(key=lambda r: (-r.minutes, -r.stops, r.key))
    return rows


def split_reason_key(key: str) -> tuple[str, str, str]:
    """``planned/Break/Meal break`` -> (kind, category, name); a reason name may hold "/"."""
    parts = key.split("/", 2)
    if len(parts) == 3 and parts[0] in (StopKind.PLANNED.value, StopKind.UNPLANNED.value):
        return parts[0], parts[1], parts[2]
    return "", "", key


def waterfall(report: ShiftReport) -> list[WaterfallStep]:
    """Planned busy time, each of the six big losses taken off it in turn, and what is left:
    the fully productive time. A loss larger than what is left is cut at zero (so the bars
    never go below the axis), and the last bar is what the losses leave."""
    pbt = max(report.oee.planned_busy_time, 0.0)
    share = (lambda s: s / pbt) if pbt > 0 else (lambda s: 0.0)
    steps = [WaterfallStep("planned_busy_time", 0.0, pbt, share(pbt))]
    level = pbt
    for name in LOSSES:
        loss = min(max(report.oee.losses.get(name, 0.0), 0.0), level)
        steps.append(WaterfallStep(name, level - loss, level, share(loss)))
        level -= loss
    steps.append(WaterfallStep("fully_productive_time", 0.0, level, share(level)))
    return steps


def quantity_figures(report: ShiftReport) -> list[tuple[str, float | int | None, str]]:
    """(what, value, unit) of the shift's quantities and OEE figures, in reading order;
    shares as 0..1 with unit "%", durations in minutes."""
    oee = report.oee
    produced = report.good + report.scrap
    micro_count, micro_seconds = report.micro_stops
    return [
        ("Good", report.good, "pcs"),
        ("Scrap", report.scrap, "pcs"),
        ("Produced", produced, "pcs"),
        ("Scrap rate", report.scrap / produced if produced else None, "%"),
        ("Micro-stops", micro_count, "stops"),
        ("Micro-stop time", micro_seconds / 60, "min"),
        ("Planned busy time", oee.planned_busy_time / 60, "min"),
        ("Actual production time", oee.actual_production_time / 60, "min"),
        ("Availability", oee.availability, "%"),
        ("Effectiveness", oee.effectiveness, "%"),
        ("Quality", oee.quality, "%"),
        ("OEE", oee.oee, "%"),
    ]


@dataclass(frozen=True)
class StopRow:
    start: float
    end: float | None  # None: still stopped when the report was made
    minutes: float
    state: str
    micro: bool
    kind: str  # as DowntimeRow; "" without a reason
    category: str
    reason: str  # UNASSIGNED without one
    order: str
    comment: str


def stop_rows(report: ShiftReport) -> list[StopRow]:
    """Every stop of the report in time order, micro-stops included (marked)."""
    now = report.generated if report.generated > 0 else report.shift.end
    rows = []
    for stop in sorted(report.stops, key=lambda s: (s.start, s.id)):
        key = stop.reason.key if stop.reason is not None else UNASSIGNED
        kind, category, reason = split_reason_key(key)
        rows.append(
            StopRow(
                stop.start,
                stop.end,
                stop.duration(now) / 60,
                stop.state.value,
                stop.micro,
                kind,
                category,
                reason,
                stop.order or "",
                stop.comment,
            )
        )
    return rows


def alarm_rows(report: ShiftReport) -> list[tuple[str, int]]:
    """Alarms raised per priority, in the order the report lists the priorities."""
    return list(report.alarm_counts.items())


# -- files ---------------------------------------------------------------------------------


def _safe(name: str) -> str:
    """A name as one file-name part on any system (shift and line names are free text)."""
    return re.sub(r"[^\w.-]+", "-", name, flags=re.UNICODE).strip("-.") or "_"


def report_file(data_dir: str | Path, line: str, shift: ShiftSpan, kind: str) -> Path:
    """Where the report of ``line`` for ``shift`` is kept:
    ``<data dir>/reports/<line>/<day>_<shift>.<kind>`` (kind: csv or pdf)."""
    return Path(data_dir) / REPORTS_DIR / _safe(line) / f"{shift.day}_{_safe(shift.name)}.{kind}"


def pdf_command(
    project: str | Path,
    line: str,
    shift: ShiftSpan,
    out: str | Path,
    data_dir: str | Path | None = None,
    python: str = sys.executable,
) -> list[str]:
    """The command line that writes the PDF of a shift report in its own process (Qt is
    not the core's to import)."""
    command = [python, "-m", PDF_MODULE, "--project", str(project), "--line", line]
    command += ["--shift", shift.key, "--out", str(out)]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    return command


def when_text(ts: float, tz: tzinfo | None = None, seconds: bool = False) -> str:
    """A time as the report prints it: local (or ``tz``) date and time to the minute."""
    shown = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return datetime.fromtimestamp(ts, tz).astimezone(tz).strftime(shown)


def percent(share: float | None, digits: int = 1) -> str:
    return "" if share is None else f"{share * 100:.{digits}f}"


def _number(value: Any, digits: int = 1) -> str:
    if isinstance(value, float):
        return f"{value:.{digits}f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    return str(value)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(min(a1, b1) - max(a0, b0), 0.0)


# -- CSV ---------------------------------------------------------------------------------

#: the CSV's section titles, in the order written (the first cell of a section's first row)
SECTIONS = ("orders", "scrap by reason", "downtime by reason", "OEE and losses", "alarms", "stops")


def write_csv(report: ShiftReport, path: str | Path | TextIO, tz: tzinfo | None = None) -> None:
    """The report as one CSV a spreadsheet opens as it is: a title block, then one section
    per table (its title alone on a row, a header row with units, its rows), a blank row
    between sections. UTF-8 with a byte-order mark, so Excel reads accents right; numbers
    with a decimal point and no thousands separator."""
    if isinstance(path, str | Path):
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", newline="", encoding="utf-8-sig") as handle:
            _write(report, handle, tz)
    else:
        _write(report, path, tz)


def _write(report: ShiftReport, handle: TextIO, tz: tzinfo | None) -> None:
    out = csv.writer(handle)
    span = report.shift
    out.writerow(("shift report",))
    out.writerow(("line", report.line, report.line_title))
    out.writerow(("shift", span.name, span.day))
    out.writerow(("start", when_text(span.start, tz)))
    out.writerow(("end", when_text(span.end, tz)))
    if report.generated:
        out.writerow(("generated", when_text(report.generated, tz)))

    def section(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        out.writerow(())
        out.writerow((title,))
        out.writerow(header)
        out.writerows(rows)

    section(
        "orders",
        (
            "number",
            "product",
            "state",
            "target (pcs)",
            "good (pcs)",
            "scrap (pcs)",
            "uninspected (pcs)",
            "OEE (%)",
        ),
        (
            (
                r.number,
                r.product,
                r.state,
                r.target,
                r.good,
                r.scrap,
                r.uninspected,
                percent(r.oee),
            )
            for r in order_rows(report)
        ),
    )
    section(
        "scrap by reason",
        ("reason", "quantity (pcs)", "share (%)"),
        ((r.reason, r.quantity, percent(r.share)) for r in scrap_rows(report)),
    )
    micro_count, micro_seconds = report.micro_stops
    section(
        "downtime by reason",
        ("kind", "category", "reason", "stops", "duration (min)", "share (%)"),
        [
            *(
                (r.kind, r.category, r.reason, r.stops, f"{r.minutes:.1f}", percent(r.share))
                for r in downtime_rows(report)
            ),
            ("micro-stops", "", "", micro_count, f"{micro_seconds / 60:.1f}", ""),
        ],
    )
    figures: list[tuple[str, str, str]] = []
    for name, value, unit in quantity_figures(report):
        if unit == "%":
            figures.append((name, percent(None if value is None else float(value)), "%"))
        elif isinstance(value, float):
            figures.append((name, f"{value:.1f}", unit))
        else:
            figures.append((name, "" if value is None else str(value), unit))
    # beside the scrap: pieces made that no camera decided on (the PDF does not show them yet)
    figures.insert(2, ("Uninspected", str(report.uninspected), "pcs"))
    figures += [
        (
            LOSS_TITLES.get(s.name, s.name.replace("_", " ").capitalize()),
            f"{s.seconds / 60:.1f}",
            f"min ({percent(s.share)} % of planned busy time)",
        )
        for s in waterfall(report)[1:]
    ]
    section("OEE and losses", ("figure", "value", "unit"), figures)
    section("alarms", ("priority", "alarms raised"), alarm_rows(report))
    section(
        "stops",
        (
            "start",
            "end",
            "duration (min)",
            "state",
            "micro-stop",
            "kind",
            "category",
            "reason",
            "order",
            "comment",
        ),
        (
            (
                when_text(r.start, tz, seconds=True),
                "" if r.end is None else when_text(r.end, tz, seconds=True),
                f"{r.minutes:.2f}",
                r.state,
                "yes" if r.micro else "",
                r.kind,
                r.category,
                r.reason,
                r.order,
                r.comment,
            )
            for r in stop_rows(report)
        ),
    )


def read_csv_sections(path: str | Path) -> dict[str, list[list[str]]]:
    """A report CSV back as section title -> its rows (header first); the title block under
    "shift report". For tools and tests that check what was written."""
    found: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.reader(handle):
            if not row:
                current = None
            elif current is None:
                current = found.setdefault(row[0], [])
            else:
                current.append(row)
    return found
