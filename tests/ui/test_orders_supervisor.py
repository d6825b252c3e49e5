"""The supervisor's production page over the real orders service: OEE per line, the loss
Pareto, the queue re-sequenced, orders imported from a file and entered by hand, the
shift report, and the buttons refused with their permission named."""

from __future__ import annotations

import pytest

from tests.unit.orders.service_setup import press_order

from .orders_probe import make_stop, open_window, orders_service, stop_service

USER = "anna"


@pytest.fixture
def setup(runtime, tmp_path):
    orders, clock = orders_service(tmp_path, runtime.access)
    yield orders, clock
    stop_service(orders)


@pytest.fixture
def page(qtbot, project, engine, tmp_path, runtime, setup):
    window = open_window(qtbot, project, engine, tmp_path, runtime, setup[0])
    window.operator.set_user(USER)
    page = window.open_page("orders")
    qtbot.waitUntil(page.isVisible, timeout=2000)
    return page


def numbers(service, line: str = "line1") -> list[str]:
    return [o.number for o in service.queue(line)]


def test_oee_per_line_and_the_losses(qtbot, page, setup):
    service, clock = setup
    service.create(press_order("P-1"), USER)
    service.start("P-1", USER)
    make_stop(service, clock, 1800)
    service.add_count("line1", good=30, scrap=2, source="test")
    tile = page.tiles["line1"]
    # the service keeps live figures for a moment: the page shows them when they come
    qtbot.waitUntil(lambda: page.refresh() or bool(page.losses.rows), timeout=4000)
    assert "P-1" in tile.order.text()
    order_oee = tile.cells["order"][0].text()
    assert order_oee.endswith("%")
    assert page.tiles["line2"].order.text() == "No order running"
    assert page.tiles["line2"].cells["order"][0].text() == "—"
    reasons = dict((label, seconds) for label, seconds, _ in page.reasons.rows)
    assert reasons == {"No reason yet": pytest.approx(1800, abs=1)}
    assert page.losses.rows and page.losses.rows[-1][2] == pytest.approx(1.0)
    shares = [seconds for _, seconds, _ in page.losses.rows]
    assert shares == sorted(shares, reverse=True)


def test_resequence_with_up_and_down(qtbot, page, setup):
    service, _ = setup
    for number in ("P-1", "P-2", "P-3"):
        service.create(press_order(number), USER)
    page.refresh()
    assert not page.up_button.isEnabled()  # nothing chosen
    page.select("P-3")
    assert page.up_button.isEnabled() and not page.down_button.isEnabled()
    page.up_button.click()
    assert numbers(service) == ["P-1", "P-3", "P-2"]
    page.up_button.click()
    assert numbers(service) == ["P-3", "P-1", "P-2"]
    assert page.selected() == "P-3" and not page.up_button.isEnabled()
    page.down_button.click()
    assert numbers(service) == ["P-1", "P-3", "P-2"]


def test_managing_refused_names_the_permission(qtbot, page, setup, runtime):
    service, _ = setup
    service.create(press_order("P-1"), USER)
    service.create(press_order("P-2"), USER)
    runtime.access.set_policy(
        lambda user, permission, target: (
            "operators run orders" if permission == "orders.manage" else None
        )
    )
    page.refresh()
    page.select("P-2")
    for button in (page.up_button, page.create_button, page.import_button):
        assert not button.isEnabled()
        assert "orders.manage" in button.toolTip()
    assert page.report_button.isEnabled()
    assert not page.move(-1)  # the service refuses it too, in its words
    assert "operators run orders" in page.message.text()
    assert numbers(service) == ["P-1", "P-2"]


def test_import_from_a_file(qtbot, page, setup, tmp_path):
    service, _ = setup
    rows = [
        "number,line,target,die,alloy,billet_length_mm,billet_weight_kg,weight_per_m_g,"
        "profile_length_m",
        "I-1,line1,200,D-7,6060,600,30,500,6",
        "I-2,line1,150,D-7,6060,600,30,500,6",
        "I-3,line9,150,D-7,6060,600,30,500,6",
    ]
    path = tmp_path / "queue.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = page.import_file(str(path))
    assert result.created == ["I-1", "I-2"]
    assert numbers(service) == ["I-1", "I-2"]
    text = page.message.text()
    assert "2 order(s) imported" in text and "1 refused" in text and "line9" in text
    assert page.table.rowCount() == 2


def test_create_an_order_by_hand(qtbot, page, setup):
    service, _ = setup
    dialog = page.ask_create()
    assert set(dialog.fields) == {
        "number",
        "target",
        "die",
        "alloy",
        "billet_length_mm",
        "billet_weight_kg",
        "weight_per_m_g",
        "profile_length_m",
    }
    values = {
        "number": "M-1",
        "target": "lots",
        "die": "D-9",
        "alloy": "6082",
        "billet_length_mm": "650",
        "billet_weight_kg": "32.5",
        "weight_per_m_g": "480",
        "profile_length_m": "6",
    }
    for name, value in values.items():
        dialog.fields[name].setText(value)
    dialog.create_button.click()
    assert dialog.isVisible() and "whole number" in dialog.problem.text()
    dialog.fields["target"].setText("300")
    dialog.fields["weight_per_m_g"].setText("-1")
    dialog.create_button.click()
    assert dialog.isVisible() and "weight_per_m_g" in dialog.problem.text()
    dialog.fields["weight_per_m_g"].setText("480")
    dialog.create_button.click()
    assert not dialog.isVisible()
    made = service.order("M-1")
    assert made.target == 300 and made.product["die"] == "D-9"
    assert made.product["billet_weight_kg"] == 32.5


def test_shift_report_writes_a_pdf(qtbot, page, setup, tmp_path):
    pytest.importorskip("hmi.ui.orders.report_pdf")
    service, _ = setup
    service.create(press_order("P-1"), USER)
    service.start("P-1", USER)
    path = page.shift_report()
    assert path is not None and path.is_file() and path.read_bytes().startswith(b"%PDF")
    assert path.is_relative_to(tmp_path / "data")
    assert str(path) in page.message.text()


def test_the_page_never_makes_the_touch_window_taller(
    qtbot, project, engine, tmp_path, runtime, setup
):
    from .orders_probe import TOUCH

    window = open_window(qtbot, project, engine, tmp_path, runtime, setup[0], profile=TOUCH)
    page = window.open_page("orders")
    qtbot.waitUntil(page.isVisible, timeout=2000)
    assert window.height() == 800
    assert page.minimumSizeHint().height() < 200  # it scrolls instead, by dragging
