"""The header's MES item over a real sync: "MES ok" and no colour while the target takes
everything; the abnormal colour with how long it has been offline and the backlog in words
("none lost") while it is down, calm again once it is back; refused events keep it
abnormal; a touch opens the page; the whole sentence is its tooltip; on the touch panel
it fits the header's one row beside the stops and the user without pushing anything out."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton

from hmi.core.driver import DeviceState, DeviceStatus
from hmi.core.mes import Status
from hmi.ui.mes import words
from hmi.ui.symbols.painting import THIN_SPACE as THIN

from .test_mes_page import SUPERVISOR, TOUCH, Sync, open_window, policy, touch, write_events


@pytest.fixture
def sync(tmp_path, runtime, engine):
    runtime.access.set_policy(policy)
    sync = Sync(tmp_path, runtime.access, engine, refuse=()).start(events=[("O-1", "count")] * 5)
    yield sync
    sync.stop()


def item_of(window):
    return window.findChild(QPushButton, "mesItem")


def test_calm_while_sent_abnormal_with_the_backlog_while_down(
    qtbot, project, engine, tmp_path, runtime, sync
):
    window = open_window(qtbot, project, engine, tmp_path, runtime, sync.mes)
    item = item_of(window)
    qtbot.waitUntil(lambda: item.text() == "MES ok", timeout=5000)
    assert item.property("abnormal") is False and item.property("pending") is False
    sync.fake.down = True
    write_events(sync.writer, [("O-2", "count")] * 37)
    sync.mes.wake()
    qtbot.waitUntil(lambda: item.property("abnormal") is True, timeout=8000)
    assert item.text().startswith("⚠ MES offline ")
    qtbot.waitUntil(lambda: item.text().endswith(" · 37 waiting"), timeout=5000)
    assert "37 events waiting, none lost" in item.toolTip()
    sync.fake.down = False
    qtbot.waitUntil(lambda: item.text() == "MES ok", timeout=8000)
    assert item.property("abnormal") is False
    assert sync.mes.status()[0].backlog == 0


def test_refused_events_keep_it_abnormal_and_a_touch_opens_the_page(
    qtbot, project, engine, tmp_path, runtime, sync
):
    window = open_window(qtbot, project, engine, tmp_path, runtime, sync.mes)
    window.operator.set_user(SUPERVISOR)
    item = item_of(window)
    qtbot.waitUntil(lambda: item.text() == "MES ok", timeout=5000)
    sync.fake.refuse_kinds.add("scrap")
    write_events(sync.writer, [("O-3", "scrap"), ("O-3", "scrap")])
    sync.mes.wake()
    qtbot.waitUntil(lambda: item.text() == "⚠ MES: 2 events refused", timeout=5000)
    assert item.property("abnormal") is True
    touch(item)
    assert window.pages.isVisible() and window.pages.current == "mes"


def test_the_touch_header_keeps_the_item_the_stops_the_user_and_the_line(
    qtbot, project, engine, tmp_path, runtime, sync
):
    window = open_window(qtbot, project, engine, tmp_path, runtime, sync.mes, TOUCH)
    header = window.header
    engine.device_state(DeviceState("plc", DeviceStatus.ONLINE))  # its chip gives way
    qtbot.waitUntil(lambda: header.chips["plc"].status == "online", timeout=3000)
    stops, user = QPushButton("Stops: 12"), QPushButton("Olivia (Operator)")
    header.add_item(stops)
    header.set_user_item(user)
    item = item_of(window)
    item.show_statuses([Status("plant", "failing", 123456, 5000.0, None, "refused", 12)])
    assert item.text() == "MES\noffline" and item.property("abnormal") is True
    assert "123" in item.toolTip() and "none lost" in item.toolTip()
    assert window.go_to("line")
    qtbot.waitUntil(lambda: header.title.full_text == "Line 1", timeout=2000)
    qtbot.wait(100)  # the layout applies the fit

    def fits() -> None:
        assert item.height() <= round(TOUCH.target_px) + 4  # one finger-high row
        for widget in (item, stops, user):
            assert widget.isVisible() and widget.width() >= widget.sizeHint().width()
        right = header.language.mapTo(window, header.language.rect().topRight()).x()
        assert right <= window.width()
        assert header.height() <= 0.15 * 800

    fits()
    assert header.title.text() == "Line 1"  # the line still named beside the MES item
    engine.device_state(DeviceState("plc", DeviceStatus.OFFLINE))  # a chip that stays
    qtbot.waitUntil(lambda: header.chips["plc"].isVisible(), timeout=3000)
    qtbot.wait(100)
    fits()  # the title gives way first, as the header does for any item
    chip = header.chips["plc"]
    assert chip.isVisible()
    shown = chip.text(), chip.width()
    item.hide()
    header.fit()
    qtbot.wait(100)
    assert (chip.text(), chip.width()) == shown  # the item took the title's room, not the chip's


def test_the_words_of_the_header():
    now = 10_000.0
    ok = Status("a", "ok", 3, 1.0, now - 2, "", 0)
    assert words.summary([ok], now) == "MES ok"
    draining = Status("a", "retrying", 800, 40.0, now - 50, "503", 0)
    assert words.summary([draining], now) == "MES: 800 waiting"
    down = Status("a", "failing", 3420, 900.0, now - 720, "refused", 0)
    assert (
        words.summary([down], now) == f"MES offline 12 min — 3{THIN}420 events waiting, none lost"
    )
    assert words.summary([down], now, words.DESK) == f"MES offline 12 min · 3{THIN}420 waiting"
    assert words.summary([down], now, words.TOUCH) == "MES\noffline"
    assert (
        words.summary([Status("a", "ok", 0, 0.0, now, "", 2)], now, words.TOUCH) == "MES\n2 refused"
    )
    both = [down, Status("b", "ok", 0, 0.0, now, "", 2)]
    assert words.summary(both, now) == (
        f"MES a offline 12 min — 3{THIN}420 events waiting, none lost · 2 refused"
    )
    assert words.summary([Status("a", "stopped", 0, 0.0, None, "", 0)], now) == "MES off"
