"""The shift report as a PDF: A4 portrait, black on white, readable when printed in grey.

Pages are laid out first (every text measured and wrapped to its column, tables and bar
charts carried over to the next page with their headers) and painted after, so each page
can say "Page 2 of 5". The same pages paint onto images too (``render_images``), to look
at a report or test it without a PDF reader.

As a program it writes one line's report for one shift from the project's store::

    python -m hmi.ui.orders.report_pdf --project DIR --line LINE --shift DAY/NAME --out FILE.pdf

which is how the orders capability writes the PDF at shift end without Qt in the core.

The report is built in parts: ``report_pages`` (page layout and tables), ``report_words``
(its texts), ``report_charts`` (bars and waterfall) and ``report_layout`` (the sections,
the PDF and images); their names are importable from here.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from PySide6.QtGui import QGuiApplication

from hmi.core.access import Access
from hmi.core.commands import console_account
from hmi.core.orders.model import ShiftReport, ShiftSpan
from hmi.core.paths import data_dir_for
from hmi.core.runtime import STORE_FILE
from hmi.core.store import Writer
from hmi.core.words import describe_value, did_you_mean
from hmi.ui.i18n import project_text, set_language

from .report_charts import WATERFALL_PT, ReportCharts
from .report_layout import ReportLayout, layout, render_images, render_pdf
from .report_pages import (
    BODY_PT,
    DARK,
    HEADING_PT,
    INK,
    LIGHT,
    MARGIN_MM,
    MID,
    PAGE_MM,
    PDF_DPI,
    RULE,
    SMALL_PT,
    TITLE_PT,
    Column,
    Pages,
    Paint,
)
from .report_words import (
    ALARMS,
    CONTEXT,
    DOWNTIME,
    MACHINE_SCRAP,
    NO_FIGURE,
    OEE,
    ORDERS,
    QUANTITIES,
    SCRAP,
    SECTIONS,
    STEP_TITLES,
    STOPS,
    WORDS,
    ReportText,
    Translate,
    Words,
)

__all__ = [
    "ALARMS",
    "BODY_PT",
    "CONTEXT",
    "DARK",
    "DAY_S",
    "DOWNTIME",
    "HEADING_PT",
    "INK",
    "LIGHT",
    "MACHINE_SCRAP",
    "MARGIN_MM",
    "MID",
    "NO_FIGURE",
    "OEE",
    "ORDERS",
    "PAGE_MM",
    "PDF_DPI",
    "QUANTITIES",
    "RULE",
    "SCRAP",
    "SECTIONS",
    "SMALL_PT",
    "STEP_TITLES",
    "STOPS",
    "TITLE_PT",
    "WATERFALL_PT",
    "WORDS",
    "Column",
    "Pages",
    "Paint",
    "ReportCharts",
    "ReportError",
    "ReportLayout",
    "ReportText",
    "Translate",
    "Words",
    "find_shift",
    "layout",
    "main",
    "parse_shift",
    "render_images",
    "render_pdf",
    "report_from_store",
]

DAY_S = 86_400.0


class ReportError(Exception):
    """Why a report cannot be written, in words (printed, no traceback)."""


def parse_shift(text: str) -> tuple[date, str]:
    """``2026-12-10/Morning`` -> (day, shift name)."""
    day_text, _, name = text.partition("/")
    try:
        day = date.fromisoformat(day_text.strip())
    except ValueError:
        raise ReportError(
            f"--shift {describe_value(text)}: the day must be a date such as 2026-12-10, "
            "then / and the shift's name (2026-12-10/Morning)"
        ) from None
    if not name.strip():
        raise ReportError(f"--shift {describe_value(text)}: the shift's name is missing after /")
    return day, name.strip()


def find_shift(calendar: Any, day: date, name: str) -> ShiftSpan:
    """The shift ``name`` that starts on ``day`` in the project's calendar."""
    known = [shift.name for shift in calendar.shifts]
    if name not in known:
        raise ReportError(
            f"no shift '{name}' in the calendar: {did_you_mean(name, known, 'shifts')}"
        )
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=calendar.tz).timestamp()
    for span in calendar.shifts_between(noon - 2 * DAY_S, noon + 2 * DAY_S):
        if span.day == day.isoformat() and span.name == name:
            return cast(ShiftSpan, span)
    raise ReportError(
        f"no {name} shift starts on {day.isoformat()} (not a working day, or a holiday)"
    )


def report_from_store(project: Any, line: str, shift: str, data_dir: Path) -> ShiftReport:
    """The shift report of ``line`` for ``shift`` (DAY/NAME) from the project's store."""
    from hmi.core.orders.config import read_orders
    from hmi.core.orders.service import Orders

    config, problems = read_orders(project)
    if config is None:
        raise ReportError(f"{project.source}: the project has no orders: section")
    if problems:
        raise ReportError("\n".join(str(p) for p in problems))
    if line not in config.lines:
        raise ReportError(
            f"no line '{line}' in the orders section: {did_you_mean(line, config.lines, 'lines')}"
        )
    day, name = parse_shift(shift)
    span = find_shift(config.calendar, day, name)
    store = data_dir / STORE_FILE
    if not store.is_file():
        raise ReportError(f"no store at {store}: nothing was recorded for this project there")
    # the service over the store without its writer thread: it only reads here
    service = Orders(config, Writer(store), Access(), line_titles=project.lines)
    service.load()
    try:
        return cast(ShiftReport, service.shift_report(line, span))
    finally:
        service.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hmi.ui.orders.report_pdf",
        description="Write the shift report of one line as a PDF.",
    )
    parser.add_argument("--project", required=True, help="the project folder")
    parser.add_argument("--line", required=True, help="the line id (orders.lines)")
    parser.add_argument("--shift", required=True, help="DAY/NAME, e.g. 2026-12-10/Morning")
    parser.add_argument("--out", required=True, type=Path, help="the PDF file to write")
    parser.add_argument("--data-dir", type=Path, default=None, help="where local state is kept")
    parser.add_argument("--lang", default="", help="the report's language (en, it)")
    parser.add_argument("--user", default="", help="who asked for it (default: this account)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a file, never a window
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    if args.lang and not set_language(args.lang):
        print(f"--lang {args.lang}: no such translation", file=sys.stderr)
        return 2
    from hmi.core.checks import check_all

    project, problems = check_all(args.project)
    for problem in problems:
        print(problem, file=sys.stderr)
    if project is None or problems:
        print(f"{len(problems)} problem(s) in {args.project}", file=sys.stderr)
        return 2
    data_dir = args.data_dir or data_dir_for(project.name)
    try:
        report = report_from_store(project, args.line, args.shift, data_dir)
        pages = render_pdf(
            report,
            args.out,
            words=lambda text: project_text(project, text),
            plant=project.name,
            generated_by=args.user or console_account(),
        )
    except ReportError as error:
        print(error, file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{args.out}: cannot write the report: {error.strerror or error}", file=sys.stderr)
        return 1
    del app
    print(f"{args.out}: {pages} page(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
