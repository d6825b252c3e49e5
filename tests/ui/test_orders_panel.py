"""The order panel on the line screen and the overview, over the real orders service:
start next in two touches, hold/resume/complete/abort with their questions, scrap with
bad quantities refused, counts corrected beside the original, refusals that name the
permission, and the sizes an operator at 1.5 m needs."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontInfo

from hmi.core.orders.model import OrderState
from tests.unit.orders.service_setup import press_order

from .orders_probe import TOUCH, Touches, band_panel, open_window, orders_service, stop_service

USER = "anna"


@pytest.fixture
def service(runtime, tmp_path):
    orders, _clock = orders_service(tmp_path, runtime.access)
    yield orders
    stop_service(orders)


@pytest.fixture
def window(qtbot, project, engine, tmp_path, runtime, service):
    window = open_window(qtbot, project, engine, tmp_path, runtime, service)
    window.operator.set_user(USER)
    window.go_to("line")
    return window


def queued(service, *numbers: str, target: int = 100) -> None:
    for number in numbers:
        service.create(press_order(number, target=target), USER)


def started(service, number: str = "P-1", target: int = 100):
    queued(service, number, target=target)
    return service.start(number, USER)


def test_start_next_takes_two_touches(qtbot, window, service):
    queued(service, "P-1", "P-2")
    panel = band_panel(window)
    qtbot.waitUntil(lambda: panel.next is not None and panel.next.number == "P-1", timeout=2000)
    assert panel.number.full_text == "No order running"
    touches = Touches()
    touches.widget(panel.start_button)
    dialog = window.operator.dialog
    assert dialog.objectName() == "orderStartDialog"
    question = f"{dialog.title.text()} {dialog.detail.text()}"
    assert "P-1" in question and "Die D-101" in question and "6060" in question
    touches.widget(dialog.confirm_button)
    assert touches.count == 2
    assert service.running("line1").number == "P-1"
    qtbot.waitUntil(lambda: panel.number.full_text == "P-1", timeout=2000)
    assert panel.start_button.isHidden() and panel.more_button.isVisible()


def test_start_refused_names_the_permission(qtbot, window, service, runtime):
    queued(service, "P-1")
    panel = band_panel(window)
    qtbot.waitUntil(lambda: panel.start_button.isEnabled(), timeout=2000)
    runtime.access.set_policy(
        lambda user, permission, target: (
            "not on this shift" if permission == "orders.start" else None
        )
    )
    qtbot.waitUntil(lambda: not panel.start_button.isEnabled(), timeout=2000)
    assert "orders.start" in panel.start_button.toolTip()
    Touches().widget(panel.start_button)  # a touch on it says why
    assert "orders.start" in window.message.text()
    assert service.running("line1") is None
    runtime.access.set_policy(None)
    qtbot.waitUntil(lambda: panel.start_button.isEnabled(), timeout=2000)


def test_nothing_to_start_says_so(qtbot, window):
    panel = band_panel(window)
    assert not panel.start_button.isEnabled()
    assert "queue" in panel.start_button.toolTip()
    assert panel.product.full_text == "The queue is empty"


def test_scrap_refuses_bad_quantities_and_records_a_good_one(qtbot, window, service):
    started(service)
    panel = band_panel(window)
    qtbot.waitUntil(lambda: panel.scrap_button.isVisible(), timeout=2000)
    Touches().widget(panel.scrap_button)
    dialog = window.operator.dialog
    assert dialog.objectName() == "scrapDialog"

    def refused(text: str) -> str:
        dialog.entry.setText(text)
        dialog.next_button.click()
        assert dialog.isVisible()
        return dialog.error.full_text

    assert "reason" in refused("3")
    dialog.reason_buttons["Surface defect"].click()
    assert "more than 0" in refused("-5")
    assert "more than 0" in refused("0")
    assert "not a whole number" in refused("abc")
    assert "not a whole number" in refused("2.5")
    assert "at most" in refused("99999999")
    assert service.order("P-1").scrap == 0
    dialog.entry.setText("3")
    dialog.next_button.click()
    assert not dialog.isVisible()
    assert service.order("P-1").scrap == 3
    assert [s.reason for s in service.scrap_records("line1")] == ["Surface defect"]
    qtbot.waitUntil(lambda: "3 pcs of scrap" in window.message.text(), timeout=2000)


def test_hold_and_abort_ask_why_complete_short_asks_to_confirm(qtbot, window, service):
    started(service)
    panel = band_panel(window)
    qtbot.waitUntil(lambda: panel.more_button.isVisible(), timeout=2000)
    Touches().widget(panel.more_button)
    order = window.operator.dialog
    assert order.objectName() == "orderDialog"
    order.buttons["hold"].click()
    why = window.operator.dialog
    why.next_button.click()  # no reason: refused in place
    assert why.isVisible() and "Say why" in why.error.full_text
    why.entry.setText("No billets at the press")
    why.next_button.click()
    assert service.order("P-1").state is OrderState.HELD
    assert service.history("P-1")[-1].reason == "No billets at the press"
    qtbot.waitUntil(lambda: order.buttons["resume"].isVisible(), timeout=2000)
    order.buttons["resume"].click()
    assert service.order("P-1").state is OrderState.RUNNING
    qtbot.waitUntil(lambda: order.buttons["complete"].isEnabled(), timeout=2000)
    order.buttons["complete"].click()
    confirm = window.operator.dialog
    assert confirm.objectName() == "orderCompleteDialog"
    assert "short of its target" in confirm.title.text()
    confirm.cancel_button.click()
    assert service.order("P-1").state is OrderState.RUNNING
    order.buttons["complete"].click()
    window.operator.dialog.confirm_button.click()
    assert service.order("P-1").state is OrderState.COMPLETED
    qtbot.waitUntil(lambda: not order.buttons["abort"].isEnabled(), timeout=2000)
    assert "completed" in order.buttons["abort"].toolTip()


def test_a_correction_shows_beside_the_original(qtbot, window, service):
    started(service)
    service.add_count("line1", good=40, source="test")
    panel = band_panel(window)
    qtbot.waitUntil(lambda: panel.more_button.isVisible(), timeout=2000)
    order = window.view("orders").open_order(panel, service.running("line1"))
    order.buttons["correct_good"].click()
    count = window.operator.dialog
    assert count.objectName() == "countDialog"
    count.entry.setText("37")
    count.next_button.click()
    why = window.operator.dialog
    assert "40 → 37" in why.details[0].text()
    why.entry.setText("three counted twice at the saw")
    why.next_button.click()
    assert service.order("P-1").good == 37
    qtbot.waitUntil(lambda: "counted 40" in order.findChild(type(order.title), "orderFact3").text())
    assert "three counted twice" in order.findChild(type(order.title), "orderFact3").text()


def test_the_service_refusal_is_told_in_its_words(qtbot, window, service):
    started(service)
    queued(service, "P-2")
    panel = band_panel(window)
    # a second start on the line: refused by the service, shown, nothing changed
    assert panel.start(service.queue("line1")[0].number) is None
    assert "P-1 is running" in window.message.text()


def test_overview_shows_every_line_and_details_none(qtbot, window, service):
    started(service)
    window.go_to("top")
    band = band_panel(window).parentWidget()
    assert sorted(band.panels) == ["line1", "line2"]
    assert all(panel.compact for panel in band.panels.values())
    qtbot.waitUntil(lambda: band.panels["line1"].number.full_text == "P-1", timeout=2000)
    assert band.panels["line2"].idle.full_text == "No order running"
    window.go_to("unit")  # level 3: no panel
    assert band.isHidden()


def test_touch_sizes_are_for_gloves_and_1_5_m(qtbot, project, engine, tmp_path, runtime, service):
    window = open_window(qtbot, project, engine, tmp_path, runtime, service, profile=TOUCH)
    window.go_to("line")
    started(service, target=500)
    panel = band_panel(window)
    qtbot.waitUntil(lambda: panel.scrap_button.isVisible(), timeout=2000)
    for figure in panel.figures.values():
        assert QFontInfo(figure.value.font()).pixelSize() >= 22
        assert QFontInfo(figure.label.font()).pixelSize() >= 16
    assert QFontInfo(panel.number.font()).pixelSize() >= 22
    for button in (panel.scrap_button, panel.more_button):
        assert TOUCH.mm(button.height()) >= 9 and TOUCH.mm(button.width()) >= 9
    gap = panel.more_button.geometry().left() - panel.scrap_button.geometry().right()
    assert TOUCH.mm(gap) >= 2


def test_the_panel_sits_under_the_screen_and_the_chrome_stays_calm(
    qtbot, project, engine, tmp_path, runtime, service
):
    window = open_window(qtbot, project, engine, tmp_path, runtime, service, profile=TOUCH)
    window.go_to("line")
    panel = band_panel(window)
    band = panel.parentWidget()
    view = window.host.view
    screen_bottom = view.mapTo(window, view.rect().bottomLeft()).y()
    assert band.mapTo(window, band.rect().topLeft()).y() > screen_bottom
    chrome = view.mapTo(window, view.rect().topLeft()).y() / window.height()
    assert chrome <= 0.15, f"header, banner and navigation take {chrome:.0%}"


def test_each_pane_side_by_side_and_each_window_has_its_own(qtbot, window, service):
    from hmi.ui.orders.panel import OrdersBand

    started(service)
    split = window.toggle_split()  # the line and the next screen of its level
    qtbot.waitUntil(lambda: split.findChild(OrdersBand) is not None, timeout=2000)
    assert split.findChild(OrdersBand).isHidden()  # "other" shows no line
    split.go_to("line")
    qtbot.waitUntil(lambda: split.findChild(OrdersBand).isVisible(), timeout=2000)
    other = window.open_window("line")
    band = other.panel.findChild(OrdersBand)
    qtbot.waitUntil(lambda: band.panels["line1"].number.full_text == "P-1", timeout=2000)
    other.close()


def test_counts_confirmed_are_kept_in_the_audit_trail(qtbot, window, service, runtime):
    started(service)
    kept = []
    runtime.access.add_recorder(kept.append)
    order = window.view("orders").open_order(band_panel(window), service.running("line1"))
    order.buttons["confirm"].click()
    confirmed = [r for r in kept if r.action == "counts.confirm"]
    assert [(r.user, r.target, r.detail["good"]) for r in confirmed] == [(USER, "P-1", 0)]
    assert "counts confirmed" in order.message.text()


def test_pieces_no_camera_decided_on_are_shown_amber(qtbot, window, service):
    """Above 0: "12 not inspected" on the panel and in the order dialog, in the amber of
    the theme; at 0: nothing."""
    started(service)
    panel = band_panel(window)
    qtbot.waitUntil(lambda: panel.number.full_text == "P-1", timeout=2000)
    assert panel.uninspected.isHidden()
    service.add_count("line1", uninspected=12, source="vision:press_cam")
    qtbot.waitUntil(lambda: service.running("line1").uninspected == 12, timeout=2000)
    panel.refresh()
    assert panel.uninspected.isVisible() and panel.uninspected.text() == "12 not inspected"
    amber = window.operator.theme.alarm[3]
    image = panel.uninspected.grab().toImage()
    assert image.pixelColor(2, image.height() // 2).name().upper() == amber.upper()
    dialog = window.view("orders").open_order(panel, panel.order)
    shown = [
        label
        for label in dialog.findChildren(type(panel.uninspected))
        if label.property("uninspected")
    ]
    assert [label.text() for label in shown] == ["12 not inspected"]
    image = shown[0].grab().toImage()
    assert image.pixelColor(2, image.height() // 2).name().upper() == amber.upper()
