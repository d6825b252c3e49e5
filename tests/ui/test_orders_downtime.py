"""Downtime at the line over the real orders service: the header's count of stops without
a reason, a reason in three touches (also for a stop of an earlier shift), split and
merge, and a refusal that names the permission."""

from __future__ import annotations

import pytest

from hmi.core.orders.model import MachineState, StopKind

from .orders_probe import Touches, make_stop, open_window, orders_service, stop_service

USER = "anna"


@pytest.fixture
def setup(runtime, tmp_path):
    orders, clock = orders_service(tmp_path, runtime.access)
    yield orders, clock
    stop_service(orders)


@pytest.fixture
def window(qtbot, project, engine, tmp_path, runtime, setup):
    window = open_window(qtbot, project, engine, tmp_path, runtime, setup[0])
    window.operator.set_user(USER)
    window.go_to("line")
    return window


def header_item(window):
    return window.view("orders").items[0]


def test_reason_in_three_touches_from_the_header(qtbot, window, setup):
    service, clock = setup
    stop_id = make_stop(service, clock, 600)
    item = header_item(window)
    qtbot.waitUntil(lambda: item.count == 1, timeout=2000)
    assert "1" in item.text() and item.property("pending") is True
    item.click()  # opens the list; the three touches start there
    dialog = window.operator.dialog
    assert dialog.objectName() == "stopsDialog"
    assert "no reason yet" in dialog.list.item(0).text()
    touches = Touches()
    touches.list_row(dialog.list, 0)
    touches.widget(dialog.category_buttons[(StopKind.UNPLANNED, "Mechanical")])
    touches.widget(dialog.reason_buttons["unplanned/Mechanical/Die jam"])
    assert touches.count == 3
    stop = service.stop_by_id(stop_id)
    assert stop.reason is not None and stop.reason.name == "Die jam"
    assert stop.reason_by == USER
    qtbot.waitUntil(lambda: item.count == 0, timeout=2000)
    assert "Die jam" in dialog.list.item(0).text()


def test_planned_and_unplanned_are_two_grey_groups(qtbot, window, setup):
    service, clock = setup
    make_stop(service, clock, 300)
    dialog = window.view("orders").open_stops(window)
    dialog.show_stop(dialog.stops[0])
    assert [label.text() for label in dialog.groups.values()] == ["Unplanned", "Planned"]
    kinds = {kind for kind, _ in dialog.category_buttons}
    assert len(kinds) == 2
    # neither group has a colour of its own: same style as every other button
    assert all(not b.styleSheet() for b in dialog.category_buttons.values())


def test_a_stop_of_an_earlier_shift(qtbot, window, setup):
    service, clock = setup
    stop_id = make_stop(service, clock, 900)  # in the morning shift
    clock.advance(9 * 3600)  # the afternoon shift
    service.feed_state("line1", MachineState.RUNNING)
    dialog = window.view("orders").open_stops(window)
    assert dialog.stops == []
    dialog.earlier_button.click()
    assert [s.id for s in dialog.stops] == [stop_id]
    dialog.list.itemClicked.emit(dialog.list.item(0))
    dialog.category_buttons[(StopKind.UNPLANNED, "Material")].click()
    dialog.reason_buttons["unplanned/Material/No billets"].click()
    assert service.stop_by_id(stop_id).reason.name == "No billets"


def test_split_then_merge(qtbot, window, setup):
    service, clock = setup
    stop_id = make_stop(service, clock, 1200)
    original = service.stop_by_id(stop_id)
    dialog = window.view("orders").open_stops(window)
    dialog.show_stop(dialog.stops[0])
    split = dialog.ask_split()
    split.slider.setValue(600)
    split.minus.click()  # a minute earlier
    assert split.at == original.start + 540
    split.confirm_button.click()
    parts = [s for s in service.stops("line1", 0) if not s.micro]
    assert [(s.start, s.end) for s in parts] == [
        (original.start, original.start + 540),
        (original.start + 540, original.end),
    ]
    qtbot.waitUntil(lambda: len(dialog.stops) == 2, timeout=2000)
    first = next(s for s in dialog.stops if s.start == original.start)
    dialog.show_stop(first)
    assert not dialog.merge_prev.isEnabled() and dialog.merge_next.isEnabled()
    dialog.ask_merge(1)
    window.operator.dialog.confirm_button.click()
    merged = [s for s in service.stops("line1", 0) if not s.micro]
    assert [(s.start, s.end) for s in merged] == [(original.start, original.end)]


def test_assigning_refused_names_the_permission(qtbot, window, setup, runtime):
    service, clock = setup
    make_stop(service, clock, 300)
    runtime.access.set_policy(
        lambda user, permission, target: (
            "visitors look only" if permission == "downtime.assign" else None
        )
    )
    dialog = window.view("orders").open_stops(window)
    dialog.show_stop(dialog.stops[0])
    buttons = [*dialog.category_buttons.values(), dialog.split_button]
    assert all(not b.isEnabled() and "downtime.assign" in b.toolTip() for b in buttons)
    assert service.unassigned_stops()  # nothing was done


def test_touch_reason_buttons_are_for_gloves(qtbot, project, engine, tmp_path, runtime, setup):
    from .orders_probe import TOUCH

    service, clock = setup
    make_stop(service, clock, 300)
    window = open_window(qtbot, project, engine, tmp_path, runtime, service, profile=TOUCH)
    window.operator.set_user(USER)
    dialog = window.view("orders").open_stops(window)
    assert dialog.geometry() == window.content_area()  # the screen's room, under the banner
    dialog.show_stop(dialog.stops[0])
    dialog.show_reasons(StopKind.UNPLANNED, "Mechanical")
    for button in [*dialog.category_buttons.values(), *dialog.reason_buttons.values()]:
        assert TOUCH.mm(button.height()) >= 9


def test_the_header_follows_the_published_count(qtbot, window, engine):
    from hmi.core.tags import TagValue

    item = header_item(window)
    engine.publish_system({"_sys.orders.unassigned_stops": TagValue(4)})
    qtbot.waitUntil(lambda: item.count == 4, timeout=2000)
    assert item.text() == "4 stops without reason" and item.isEnabled()


def test_touch_stop_list_fits_and_reads_at_a_distance(
    qtbot, project, engine, tmp_path, runtime, setup
):
    """At 1280 x 800: every filter's whole words, the shift choice as one pair, rows a
    gloved finger high with the state and length first in figures' size."""
    from hmi.ui.i18n import current_language, set_language

    from .orders_probe import TOUCH

    service, clock = setup
    make_stop(service, clock, 600, "line1")
    make_stop(service, clock, 200, "line2", MachineState.BLOCKED)
    window = open_window(qtbot, project, engine, tmp_path, runtime, service, profile=TOUCH)
    dialog = window.view("orders").open_stops(window)
    buttons = [*dialog.line_buttons.values(), dialog.earlier_button, dialog.now_button]
    assert [b.full_text for b in dialog.line_buttons.values()] == ["All lines", "Line 1", "Line 2"]
    for button in buttons:
        assert button.text() == button.full_text, button.text()  # nothing gave way
        assert button.x() >= 0 and button.geometry().right() <= dialog.width()
        assert TOUCH.mm(button.height()) >= 9
    earlier, now = dialog.earlier_button, dialog.now_button
    assert now.x() == earlier.geometry().right() + 1 and now.y() == earlier.y()  # one control
    assert now.isChecked() and not earlier.isChecked()
    assert dialog.period.text().endswith("until now")
    rows = dialog.list.itemDelegate()
    assert rows.large_px >= 22 and rows.small_px >= 16  # HMI-STYLE: values and labels
    for row in range(dialog.list.count()):
        assert TOUCH.mm(dialog.list.visualItemRect(dialog.list.item(row)).height()) >= 9
    texts = [dialog.list.item(row).text() for row in range(2)]
    assert texts[0].startswith("Blocked 3 min ·") and texts[1].startswith("Fault 10 min ·")
    assert "· Line 1 ·" in texts[1]
    earlier.click()
    assert earlier.isChecked() and not now.isChecked()
    assert " to " in dialog.period.text()
    spoken = current_language()
    try:
        dialog.this_shift()
        assert set_language("it")
        qtbot.waitUntil(lambda: dialog.period.text().startswith("Dalle "), timeout=2000)
        assert dialog.period.text().endswith(" a adesso")
        # Italian fits as well, once the row is laid out again
        qtbot.waitUntil(lambda: all(b.text() == b.full_text for b in buttons), timeout=2000)
    finally:
        set_language(spoken)


def test_a_long_filter_gives_way_at_its_end(qtbot, window):
    dialog = window.view("orders").open_stops(window)
    button = dialog.line_buttons[None]
    button.set_words("A very long name for every line of the plant " * 4)
    button.resize(button.height() * 4, button.height())
    assert button.text().endswith("…") and button.full_text.startswith(button.text()[:-1])
