"""The MES sync page over a real ``Mes`` on a real store with an outbox, its target the
test target of ``tests/mes`` (it refuses scrap events, and can be down), the capability's
own system tags published into the window's engine as the station publishes them: each
target's figures; the refused events listed; send again (selected, all), discard (never
without a reason) and export change the store and are recorded; a user without the mes.*
permissions sees the buttons greyed with the reason, and a try is refused and changes
nothing; an action the project signs runs only once signed."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from hmi.core.mes import Mes, MesConfig, intake
from hmi.core.mes.capability import status_batch
from hmi.core.mes.config import OrdersIn
from hmi.core.store import migrate
from hmi.ui.mes import MesViews
from hmi.ui.shell import MainWindow, Profile
from tests.mes.conftest import FakeTarget, store, target_config, wait_until, write_events

from .windows import views_window

DESK = Profile("desk", False, 36, 17)
TOUCH = Profile("touch", True, 60, 20, 12, px_per_mm=6.0)  # 60 px = 10 mm
SUPERVISOR, OPERATOR = "sup", "op"
EVENTS = [(f"O-{i % 4}", "scrap" if i % 5 == 0 else "count") for i in range(40)]  # 8 scrap


def policy(user: str, permission: str, target: str) -> str | None:
    """The supervisor may act on refused events; anyone else may not."""
    if permission.startswith("mes.") and user != SUPERVISOR:
        return f"{user} may not {permission}"
    return None


class Sync:
    """A running sync whose target refuses scrap events; ``publish`` is the station's."""

    def __init__(self, folder: Path, access, engine, refuse=("scrap",)):
        self.writer = store(folder / "hmi.db")
        self.fake = FakeTarget("plant", max_batch=10, refuse_kinds=refuse)
        config = MesConfig({"plant": target_config(self.fake)})
        self.engine = engine
        self.mes = Mes(config, self.writer, access, poll=0.05, on_status=self.publish)

    def publish(self, status) -> None:
        self.engine.publish_system(status_batch(status))

    def start(self, events=EVENTS) -> Sync:
        write_events(self.writer, events)
        self.mes.load().start()
        refused = sum(1 for _, kind in events if kind in self.fake.refuse_kinds)
        assert wait_until(lambda: self.state().quarantined == refused and self.state().backlog == 0)
        return self

    def state(self):
        return self.mes.status()[0]

    def stop(self) -> None:
        self.mes.stop()
        self.writer.stop()


def open_window(qtbot, project, engine, folder: Path, runtime, mes, profile=DESK) -> MainWindow:
    """The main window with the MES views only, over the runtime's access."""
    return views_window(qtbot, project, engine, folder, {"mes": mes}, [MesViews], runtime, profile)


def touch(widget) -> None:
    QTest.mouseClick(
        widget,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(widget.width() // 2, widget.height() // 2),
    )


def touch_row(table, row: int) -> None:
    rect = table.visualItemRect(table.item(row, 0))
    QTest.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center()
    )


@pytest.fixture
def sync(tmp_path, runtime, engine):
    runtime.access.set_policy(policy)
    records = []
    runtime.access.add_recorder(records.append)
    sync = Sync(tmp_path, runtime.access, engine).start()
    sync.records = records
    yield sync
    sync.stop()


@pytest.fixture
def page(qtbot, project, engine, tmp_path, runtime, sync):
    window = open_window(qtbot, project, engine, tmp_path, runtime, sync.mes)
    window.operator.set_user(SUPERVISOR)
    page = window.open_page("mes")
    qtbot.waitUntil(lambda: page.isVisible() and len(page.rows) == 8, timeout=5000)
    return page


def quarantined(sync) -> list[int]:
    return [r.outbox_id for r in sync.mes.quarantined("plant")]


def test_the_page_shows_the_target_and_what_it_refused(qtbot, page, sync):
    tile = page.tiles["plant"]
    qtbot.waitUntil(lambda: tile.status is not None, timeout=3000)
    assert tile.state.text() == "Sending" and tile.state.property("abnormal") is False
    assert tile.facts["backlog"].text() == "0 events"
    assert tile.facts["oldest"].text() == "none waiting"
    assert "ago" in tile.facts["success"].text()
    assert page.table.rowCount() == 8
    assert {page.table.item(r, 2).text() for r in range(8)} == {"scrap"}
    assert page.table.item(0, 3).text() == "scrap not taken"
    assert page.table.item(0, 1).text() == "O-0"
    assert page.heading.text().startswith("Events plant refused: 8.")
    # nothing chosen yet: the actions on a selection say what they need
    assert not page.buttons["retry"].isEnabled()
    assert page.buttons["retry"].toolTip() == "Touch the events first"
    assert page.buttons["retry_all"].isEnabled() and page.buttons["export"].isEnabled()
    assert page.orders is None and page.tabs == {}  # no orders come from this MES


def test_the_target_offline_shows_in_words_with_its_backlog(qtbot, page, sync):
    sync.fake.down = True
    write_events(sync.writer, [("O-9", "count")] * 5)
    sync.mes.wake()
    assert sync.mes.status()[0].backlog == 5
    page.refresh()
    tile = page.tiles["plant"]
    failing = lambda: tile.status is not None and tile.status.state == "failing"  # noqa: E731
    qtbot.waitUntil(failing, timeout=8000)
    assert tile.state.text().startswith("⚠ Offline for")
    assert tile.state.property("abnormal") is True
    assert tile.facts["backlog"].text() == "5 events"
    assert tile.facts["error"].text() == "503 unavailable"


def test_send_again_the_selected_events_from_the_page(qtbot, page, sync):
    before = quarantined(sync)
    touch_row(page.table, 0)
    touch_row(page.table, 1)
    assert page.selected() == before[:2]
    sync.fake.refuse_kinds.clear()  # the MES was fixed
    touch(page.buttons["retry"])
    qtbot.waitUntil(lambda: quarantined(sync) == before[2:], timeout=5000)
    qtbot.waitUntil(lambda: page.table.rowCount() == 6, timeout=5000)
    assert page.message.text() == "plant took 2; 0 refused again"
    assert page.message.property("problem") is False
    record = sync.records[-1]
    assert (record.action, record.user, record.detail["accepted"]) == ("mes.retry", "sup", 2)


def test_send_all_again_counts_what_is_still_refused(qtbot, page, sync):
    sync.fake.refuse_kinds.clear()
    sync.fake.refuse_keys = {r.key for r in sync.mes.quarantined("plant")[:3]}
    touch(page.buttons["retry_all"])
    qtbot.waitUntil(lambda: len(quarantined(sync)) == 3, timeout=5000)
    qtbot.waitUntil(lambda: "refused again" in page.message.text(), timeout=3000)
    assert page.message.text() == "plant took 5; 3 refused again"
    assert page.message.property("problem") is True
    qtbot.waitUntil(lambda: page.table.rowCount() == 3, timeout=5000)


def test_a_target_that_cannot_take_them_now_changes_nothing(qtbot, page, sync):
    before = quarantined(sync)
    sync.fake.down = True
    touch(page.buttons["retry_all"])
    qtbot.waitUntil(lambda: "cannot take them now" in page.message.text(), timeout=8000)
    assert page.message.property("problem") is True
    assert quarantined(sync) == before


def test_a_discard_needs_a_reason_and_removes_them_from_the_store(qtbot, page, sync):
    before = quarantined(sync)
    for row in range(3):
        touch_row(page.table, row)
    touch(page.buttons["discard"])
    dialog = page.window().operator.dialog
    assert dialog is not None and dialog.objectName() == "mesReasonDialog"
    touch(dialog.next_button)  # no reason given
    assert dialog.isVisible() and "Say why" in dialog.error.text()
    dialog.entry.setText("   ")
    touch(dialog.next_button)
    assert dialog.isVisible() and quarantined(sync) == before
    dialog.entry.setText("wrong scrap code, booked by hand in the MES")
    touch(dialog.next_button)
    qtbot.waitUntil(lambda: quarantined(sync) == before[3:], timeout=5000)
    qtbot.waitUntil(lambda: page.message.text() == "Events discarded: 3", timeout=3000)
    record = sync.records[-1]
    assert record.action == "mes.discard" and record.detail["ids"] == before[:3]
    assert record.detail["reason"] == "wrong scrap code, booked by hand in the MES"
    qtbot.waitUntil(lambda: page.table.rowCount() == 5, timeout=5000)


def test_export_writes_the_refused_events_as_json_lines(qtbot, page, sync, tmp_path):
    out = tmp_path / "refused.jsonl"
    page.export_to(out)
    qtbot.waitUntil(lambda: "written to" in page.message.text(), timeout=5000)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 8 and {line["reason"] for line in lines} == {"scrap not taken"}
    assert sync.records[-1].action == "mes.export"
    assert quarantined(sync) and len(quarantined(sync)) == 8  # exported, still kept
    page.export_to(tmp_path / "no" / "such" / "folder.jsonl")
    qtbot.waitUntil(lambda: "cannot write" in page.message.text(), timeout=5000)
    assert page.message.property("problem") is True


def test_an_operator_without_the_permissions_is_refused_with_the_reason(
    qtbot, page, sync, tmp_path
):
    window = page.window()
    window.operator.set_user(OPERATOR)
    qtbot.waitUntil(lambda: not page.buttons["retry_all"].isEnabled(), timeout=3000)
    for key, permission in (("retry_all", "mes.retry"), ("export", "mes.export")):
        assert page.buttons[key].toolTip() == f"op may not {permission}"
    touch_row(page.table, 0)
    assert page.buttons["discard"].toolTip() == "op may not mes.discard"
    touch(page.buttons["retry_all"])  # greyed: the touch says why
    assert page.message.text() == "op may not mes.retry"
    assert page.message.property("problem") is True
    before = quarantined(sync)
    sent = sync.fake.sent
    page.retry(None)
    page.export_to(tmp_path / "op.jsonl")
    assert page.ask_discard() is None
    assert page.message.text() == "op may not mes.discard"
    assert quarantined(sync) == before and sync.fake.sent == sent
    assert not (tmp_path / "op.jsonl").exists()
    assert window.operator.dialog is None or not window.operator.dialog.isVisible()


class Signatures:
    """What a users capability asks before a critical action: here every mes.discard."""

    def __init__(self):
        self.asked = []
        self.sign = None

    def needed(self, permission, target):
        return permission == "mes.discard"

    def refusal(self, permission, target):
        return None

    def ask(self, permission, target, what, parent, signed):
        self.asked.append((permission, target, what))
        self.sign = signed


def test_a_discard_the_project_signs_is_done_only_once_signed(qtbot, page, sync):
    signatures = Signatures()
    page.window().operator.gate.signatures = signatures
    before = quarantined(sync)
    touch_row(page.table, 0)
    touch(page.buttons["discard"])
    dialog = page.window().operator.dialog
    dialog.entry.setText("duplicate of a hand booking")
    touch(dialog.next_button)
    assert signatures.asked == [
        ("mes.discard", "plant", "Discard events plant refused (1): duplicate of a hand booking")
    ]
    qtbot.wait(200)
    assert quarantined(sync) == before  # not signed yet: nothing done
    signatures.sign()
    qtbot.waitUntil(lambda: quarantined(sync) == before[1:], timeout=5000)


def test_a_long_quarantine_lists_the_oldest_and_sends_them_all(qtbot, page, sync, monkeypatch):
    monkeypatch.setattr("hmi.ui.mes.page.MAX_ROWS", 5)
    page.choose("plant")
    page.reload = True
    page.refresh()
    qtbot.waitUntil(lambda: page.table.rowCount() == 5, timeout=5000)
    assert page.total == 8
    assert page.heading.text() == "Events plant refused: 8, the oldest 5 listed. None lost."
    assert [r.outbox_id for r in page.rows] == quarantined(sync)[:5]
    sync.fake.refuse_kinds.clear()
    touch(page.buttons["retry_all"])
    qtbot.waitUntil(lambda: quarantined(sync) == [], timeout=5000)
    qtbot.waitUntil(lambda: page.message.text() == "plant took 8; 0 refused again", timeout=3000)


def test_the_store_is_read_and_written_off_the_screens_thread(qtbot, page, sync):
    threads = []
    for name in ("status", "quarantined", "retry"):
        original = getattr(sync.mes, name)

        def spy(*args, _original=original, **kwargs):
            threads.append(threading.current_thread().name)
            return _original(*args, **kwargs)

        setattr(sync.mes, name, spy)
    page.reload = True
    page.refresh()
    touch(page.buttons["retry_all"])
    qtbot.waitUntil(lambda: "refused again" in page.message.text(), timeout=5000)
    assert threads and set(threads) == {"hmi-mes-views"}


def test_each_target_has_its_tile_and_touching_one_shows_what_it_refused(
    qtbot, project, engine, tmp_path, runtime
):
    runtime.access.set_policy(policy)
    writer = store(tmp_path / "two.db")
    plant = FakeTarget("plant", max_batch=10, refuse_kinds=["scrap"])
    erp = FakeTarget("erp", max_batch=10, refuse_kinds=["count"])
    config = MesConfig({"plant": target_config(plant), "erp": target_config(erp)})
    mes = Mes(config, writer, runtime.access, poll=0.05)
    write_events(writer, [("O-1", "scrap"), ("O-1", "count"), ("O-1", "count")])
    mes.load().start()
    try:
        assert wait_until(lambda: [s.quarantined for s in mes.status()] == [1, 2])
        window = open_window(qtbot, project, engine, tmp_path, runtime, mes)
        page = window.open_page("mes")
        qtbot.waitUntil(lambda: len(page.rows) == 1, timeout=5000)
        assert list(page.tiles) == ["plant", "erp"] and page.chosen == "plant"
        touch(page.tiles["erp"])
        qtbot.waitUntil(lambda: len(page.rows) == 2, timeout=5000)
        assert page.chosen == "erp" and page.tiles["erp"].property("chosen") is True
        assert {page.table.item(r, 2).text() for r in range(2)} == {"count"}
        assert page.heading.text().startswith("Events erp refused: 2.")
    finally:
        mes.stop()
        writer.stop()


def record_decisions(path: Path, rows: list[tuple]) -> None:
    """Decisions on released orders as a station's intake keeps them."""
    conn = sqlite3.connect(path)
    with conn:
        migrate(conn, intake.COMPONENT, intake.SCHEMA)
        conn.executemany("INSERT OR REPLACE INTO mes_orders_in VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.close()


def test_the_released_orders_refused_are_listed_behind_their_tab(
    qtbot, project, engine, tmp_path, runtime
):
    writer = store(tmp_path / "orders.db")
    plant = FakeTarget("plant", max_batch=10, refuse_kinds=["scrap"])
    config = MesConfig({"plant": target_config(plant, orders=OrdersIn(30.0, ("line1",)))})
    mes = Mes(config, writer, runtime.access, poll=0.05).load().start()
    write_events(writer, [("O-1", "scrap"), ("O-1", "count")])
    now = time.time()
    record_decisions(writer.path, [("plant", "P-1", "line1", "f1", intake.ACCEPTED, "", now)])
    try:
        assert wait_until(lambda: mes.status()[0].quarantined == 1)
        window = open_window(qtbot, project, engine, tmp_path, runtime, mes)
        page = window.open_page("mes")
        block, tabs = page.orders, page.tabs
        assert block is not None and block.source == "plant"
        qtbot.waitUntil(lambda: block.loaded and page.loaded, timeout=5000)
        # the events first; each tab carries its count, flagged while it is not zero
        assert page.table.isVisible() and not block.isVisible()
        assert tabs["events"].text() == "Events refused: 1" and tabs["events"].isChecked()
        assert tabs["orders"].text() == "Orders refused: 0"
        assert tabs["orders"].property("abnormal") is False
        touch(tabs["orders"])
        assert block.isVisible() and not page.table.isVisible()
        assert tabs["orders"].isChecked() and not tabs["events"].isChecked()
        assert block.heading.text() == "Every order plant released was taken"
        assert not block.table.isVisible()
        record_decisions(
            writer.path,
            [
                ("plant", "P-2", "line1", "f2", intake.REFUSED, "target must be whole", now + 1),
                ("plant", "P-1", "line1", "f1b", intake.KEPT, "it started", now + 2),
            ],
        )
        page.refresh()
        qtbot.waitUntil(lambda: block.table.rowCount() == 2, timeout=5000)
        assert block.table.isVisible()
        assert block.heading.text() == "Orders from plant refused: 2. plant was told why."
        assert tabs["orders"].text() == "Orders refused: 2"
        assert tabs["orders"].property("abnormal") is True
        cells = [[block.table.item(r, c).text() for c in range(1, 5)] for r in range(2)]
        assert cells == [
            ["P-1", "Line 1", "change not applied", "it started"],  # the newest first
            ["P-2", "Line 1", "not taken", "target must be whole"],
        ]
        assert block.table.item(1, 4).toolTip() == "target must be whole"
        # the MES listed P-1 as the line runs it: its refusal no longer stands
        record_decisions(writer.path, [("plant", "P-1", "line1", "f1", intake.KEPT, "", now + 3)])
        page.refresh()
        qtbot.waitUntil(lambda: block.table.rowCount() == 1, timeout=5000)
        assert block.table.item(0, 1).text() == "P-2"
        assert tabs["orders"].text() == "Orders refused: 1"
        touch(tabs["events"])
        assert page.table.isVisible() and not block.isVisible()
    finally:
        mes.stop()
        writer.stop()
