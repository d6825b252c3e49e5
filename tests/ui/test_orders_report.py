"""The shift report's PDF: written, every section in its text, more pages for more stops,
long names wrapped (never cut), every word translated."""

from __future__ import annotations

import dataclasses
import time

import pytest

from hmi.core.orders.model import Order, ShiftReport
from hmi.core.orders.report import order_oee
from hmi.ui.orders.report_pdf import (
    SECTIONS,
    ReportError,
    find_shift,
    parse_shift,
    render_images,
    render_pdf,
)
from hmi.ui.symbols.painting import format_number
from tests.bench.bench_shift_report import big_report


def english(context: str, text: str) -> str:
    return text


def pdf_text(path) -> list[str]:
    """The text of each page, with the words of a wrapped cell joined by spaces."""
    pypdf = pytest.importorskip("pypdf", reason="pypdf (a test dependency) reads the PDF text")
    PdfReader = pypdf.PdfReader
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def test_pdf_has_every_section_and_page_numbers(qapp, tmp_path) -> None:
    path = tmp_path / "report.pdf"
    pages = render_pdf(big_report(4, 20), path, english, plant="Demo plant", generated_by="anna")
    texts = pdf_text(path)
    assert len(texts) == pages
    whole = " ".join(texts)
    for title in ("Shift report", *SECTIONS):
        assert title in whole, title
    for number, text in enumerate(texts, 1):
        assert f"Page {number} of {pages}" in text
    assert "Demo plant" in whole and "anna" in whole and "Line 1 - Extrusion press" in whole
    assert "Fully productive time" in whole  # the waterfall's last bar
    assert "WO-2026-120001" in whole


def test_more_stops_and_orders_take_more_pages(qapp, tmp_path) -> None:
    few = render_pdf(big_report(20, 10), tmp_path / "few.pdf", english)
    big = render_pdf(big_report(20, 500), tmp_path / "big.pdf", english)
    assert few >= 2  # 20 orders do not fit on the first page
    assert big >= few + 5  # 500 stops in the stop list, ~45 to a page
    # every stop reason and every order of the big one is printed somewhere, whole
    whole = " ".join(pdf_text(tmp_path / "big.pdf"))
    report = big_report(20, 500)
    for order in report.orders:
        assert order.number.replace("-", "") in whole.replace("-", "").replace(" ", "")
    assert "Hydraulic leak on the main cylinder seal" in whole
    assert "Stops (continued)" in whole
    last = max(report.stops, key=lambda s: s.start)
    assert time.strftime("%H:%M:%S", time.localtime(last.start)) in whole


def test_orders_table_shows_what_each_order_made_in_the_shift(qapp, tmp_path) -> None:
    """An order that began before the shift shows its counts of the shift, not its whole
    run's, and its OEE over its part in the shift."""
    report = big_report(2, 10)
    first, second = report.orders
    across = dataclasses.replace(first, good=4321, scrap=321, started=report.shift.start - 3600)
    counts = {across.number: (123, 17), second.number: (second.good, second.scrap)}
    report = dataclasses.replace(report, orders=[across, second], order_counts=counts)
    path = tmp_path / "counts.pdf"
    render_pdf(report, path, english)
    whole = " ".join(pdf_text(path))
    oee = order_oee(report, across)
    doubled = dataclasses.replace(report, order_counts={**counts, across.number: (246, 17)})
    assert order_oee(doubled, across) == pytest.approx(2 * oee)  # from the shift's 123 alone
    assert f"{across.target} 123 17 {format_number(oee * 100, 1)} %" in whole
    assert "4321" not in whole.replace(",", "").replace(".", "")


def test_hundreds_of_reasons_run_over_pages_under_their_header(qapp, tmp_path) -> None:
    report = big_report(3, 20)
    reasons = {f"unplanned/Mechanical/Reason number {i:03d}": (1, 60.0 + i) for i in range(300)}
    report = dataclasses.replace(report, downtime_by_reason=reasons)
    path = tmp_path / "many.pdf"
    pages = render_pdf(report, path, english)
    texts = pdf_text(path)
    assert pages == len(texts) >= 4
    whole = " ".join(texts)
    for i in (0, 150, 299):
        assert f"Reason number {i:03d}" in whole
    assert "Downtime by reason (continued)" in whole


def test_text_stays_inside_the_page(qapp) -> None:
    """Everything painted (a long order number, a long product) stays in the margins:
    the page's outer 10 mm are white on every page."""
    long_name = "Profile " + "very-long-product-name-without-spaces" * 3
    report = big_report(3, 30)
    orders = [dataclasses.replace(o, product={"product": long_name}) for o in report.orders]
    orders.append(Order("N" * 60, "line1", 5, started=report.shift.start))
    report = dataclasses.replace(report, orders=orders)
    images = render_images(report, english, dpi=60)
    border = round(10 / 25.4 * 60)
    for image in images:
        width, height = image.width(), image.height()
        for x in range(0, width, 3):
            for y in (*range(border), *range(height - border, height)):
                assert image.pixelColor(x, y).lightness() == 255, (x, y)
        for y in range(0, height, 3):
            for x in (*range(border), *range(width - border, width)):
                assert image.pixelColor(x, y).lightness() == 255, (x, y)


def test_long_cells_wrap_instead_of_being_cut(qapp, tmp_path) -> None:
    """Every word of a long product and every character of a long order number is printed."""
    report = big_report(2, 10)
    product = " ".join(f"word{i}" for i in range(60))
    number = "WO-" + "".join(str(i % 10) for i in range(70))
    orders = [dataclasses.replace(report.orders[0], number=number, product={"product": product})]
    path = tmp_path / "long.pdf"
    render_pdf(dataclasses.replace(report, orders=orders), path, english)
    whole = " ".join(pdf_text(path))
    assert product in whole
    assert number in whole.replace(" ", "")


def test_every_word_goes_through_translate(qapp, tmp_path) -> None:
    asked: list[tuple[str, str]] = []

    def shout(context: str, text: str) -> str:
        asked.append((context, text))
        return text.upper()

    path = tmp_path / "it.pdf"
    render_pdf(big_report(2, 20), path, shout)
    whole = " ".join(pdf_text(path))
    for title in SECTIONS:
        assert title.upper() in whole
    assert {context for context, _ in asked} == {"ShiftReport"}
    assert ("ShiftReport", "Fully productive time") in asked
    assert "Orders" not in whole.replace("ORDERS", "")


def test_empty_shift_says_so(qapp, tmp_path) -> None:
    report = big_report(1, 1)
    empty = dataclasses.replace(
        report,
        orders=[],
        scrap_by_reason={},
        downtime_by_reason={},
        micro_stops=(0, 0.0),
        alarm_counts={},
        oee=dataclasses.replace(report.oee, planned_busy_time=0.0, losses={}),
    )
    path = tmp_path / "empty.pdf"
    assert render_pdf(empty, path, english) == 1
    whole = " ".join(pdf_text(path))
    for said in (
        "No orders ran in this shift.",
        "No scrap recorded.",
        "No stops.",
        "No alarms.",
        "No planned busy time in this shift.",
    ):
        assert said in whole


def test_unwritable_file_is_an_os_error(qapp, tmp_path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    with pytest.raises(OSError):
        render_pdf(big_report(1, 1), folder, english)  # a folder, not a file


def test_shift_argument_is_checked() -> None:
    day, name = parse_shift("2026-12-10/Night / weekend")
    assert (day.isoformat(), name) == ("2026-12-10", "Night / weekend")
    with pytest.raises(ReportError, match="2026-12-10/Morning"):
        parse_shift("yesterday/Morning")
    with pytest.raises(ReportError, match="name is missing"):
        parse_shift("2026-12-10")


def test_shift_is_found_in_the_calendar() -> None:
    from datetime import date

    from hmi.core.orders.calendar import Shift, ShiftCalendar

    shifts = [Shift("Morning", 6 * 60, 14 * 60), Shift("Night", 22 * 60, 6 * 60)]
    calendar = ShiftCalendar.from_config(shifts, days=[0, 1, 2, 3, 4], timezone="Europe/Rome")
    span = find_shift(calendar, date(2026, 12, 10), "Night")  # a Thursday
    assert span.day == "2026-12-10" and span.end - span.start == 8 * 3600
    with pytest.raises(ReportError, match="did you mean 'Morning'"):
        find_shift(calendar, date(2026, 12, 10), "Mornin")
    with pytest.raises(ReportError, match="no Morning shift starts on 2026-12-12"):
        find_shift(calendar, date(2026, 12, 12), "Morning")  # a Saturday


def test_report_is_a_shift_report() -> None:
    assert isinstance(big_report(1, 1), ShiftReport)


def test_orders_table_has_a_not_inspected_column_where_a_camera_missed_pieces(
    qapp, tmp_path
) -> None:
    report = big_report(2, 10)
    first, second = report.orders
    counts = {first.number: (123, 17), second.number: (second.good, second.scrap)}
    plain = dataclasses.replace(report, orders=[first, second], order_counts=counts)
    path = tmp_path / "plain.pdf"
    render_pdf(plain, path, english)
    assert "Not inspected" not in " ".join(pdf_text(path))  # no camera missed any
    missed = dataclasses.replace(plain, order_uninspected={first.number: 9, second.number: 0})
    path = tmp_path / "missed.pdf"
    render_pdf(missed, path, english)
    whole = " ".join(pdf_text(path))
    oee = order_oee(missed, first)
    assert "Not inspected" in whole
    assert f"{first.target} 123 17 9 {format_number(oee * 100, 1)} %" in whole
