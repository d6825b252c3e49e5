"""The alarm views on a real AlarmManager (its own thread), a real engine and a real SQLite
store: banner, horn, alarm list actions, filters, a flood, the journal and the KPIs."""

from __future__ import annotations

import csv
import dataclasses
import itertools
import sqlite3
import threading
import time

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QVBoxLayout, QWidget

from hmi.core.alarms import Action, AlarmEvent, AlarmManager, AlarmState
from hmi.core.alarms.definitions import AlarmDef, AlarmKind
from hmi.core.engine import TagEngine
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.store import Writer
from hmi.core.tags import TagValue
from hmi.ui.alarms import AlarmFeed, install_alarm_views
from hmi.ui.profile import Profile
from tests.ui.pictures import coloured_pixels

S = AlarmState
DESK = Profile("desk", False, 36, 16, 8)
TOUCH = Profile("touch", True, 48, 20, 12)
LINES = {"line1": "Line 1 - Press", "line2": "Line 2 - Filler"}


def alarm(i: int, priority: int, line: str = "line1", screen: str = "") -> AlarmDef:
    return AlarmDef(
        id=f"t{i}.hi",
        tag=f"t{i}",
        kind=AlarmKind.HI,
        priority=priority,
        message=f"Zone {i} too hot: {{value:.0f}} °C",
        limit=100.0,
        line=line,
        screen=screen,
        units="°C",
    )


class StandInWindow(QMainWindow):
    """A window shaped like the operator's: a header with its placeholder, then a body."""

    def __init__(self):
        super().__init__()
        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.header = QWidget(central)
        self.header.alarms = QLabel("No active alarms", self.header)
        self.body = QLabel("the screen", central)
        layout.addWidget(self.header)
        layout.addWidget(self.body, 1)
        self.setCentralWidget(central)
        self.visited: list[str] = []

    def go_to(self, name: str) -> bool:
        self.visited.append(name)
        return True


class Plant:
    """Engine, store, manager on its own thread, and the views installed on a window."""

    def __init__(self, qtbot, tmp_path, alarms, *, profile=DESK, user="anna"):
        count = max(int(a.tag[1:]) for a in alarms) + 1
        tags = [TagConfig(f"t{i}", DataType.FLOAT32, "plc", str(i)) for i in range(count)]
        self.project = Project(
            "test",
            ".",
            devices={"plc": DeviceConfig("plc", "simulator", line="line1", enabled=False)},
            tags={t.name: t for t in tags},
            lines=dict(LINES),
        )
        self.engine = TagEngine(self.project)
        self.writer = Writer(tmp_path / "hmi.db", flush_interval=0.01).start()
        self.manager = AlarmManager(
            self.project, self.writer, alarms=alarms, publish=lambda batch: None
        )
        self.manager.attach(self.engine)
        self.manager.start()
        self.user = user
        self.window = StandInWindow()
        qtbot.addWidget(self.window)
        self.views = install_alarm_views(
            self.window, self.manager, lambda: self.user, profile=profile
        )
        self.window.resize(1280, 800)
        self.window.show()
        self.qtbot = qtbot

    def put(self, **values: float) -> None:
        now = time.time()
        self.engine.publish({name: TagValue(v, ts=now) for name, v in values.items()})

    def wait_for(self, predicate, timeout: float = 5.0) -> None:
        self.qtbot.waitUntil(predicate, timeout=int(timeout * 1000))

    def journal(self, sql: str) -> list[tuple]:
        assert self.writer.flush(10)
        with sqlite3.connect(self.writer.path) as conn:
            return conn.execute(sql).fetchall()

    def journal_when(self, sql: str, ready) -> list[tuple]:
        """The rows of ``sql`` once ``ready(rows)``: an action's events reach the journal
        through the manager's thread, a moment later."""
        found: list[list[tuple]] = [[]]

        def check() -> bool:
            found[0] = self.journal(sql)
            return ready(found[0])

        self.wait_for(check)
        return found[0]

    def close(self) -> None:
        self.views.close()
        self.window.close()
        self.manager.stop()
        self.writer.stop()


@pytest.fixture
def plant(qtbot, tmp_path):
    made = Plant(
        qtbot,
        tmp_path,
        [
            alarm(0, 3),
            alarm(1, 1, screen="press"),
            alarm(2, 2, line="line2"),
            alarm(3, 4, line="line2"),
        ],
    )
    yield made
    made.close()


def test_the_banner_sits_under_the_header_and_shows_the_most_urgent_first(plant):
    window, views = plant.window, plant.views
    window.resize(1920, 1080)
    assert views.banner.lines.rows == 3  # a tall window: three alarms in the banner
    layout = window.centralWidget().layout()
    assert layout.indexOf(views.banner) == layout.indexOf(window.header) + 1
    assert window.header.alarms.isHidden()  # the placeholder gives way
    banner = views.banner
    assert banner.lines.alarms == [] and banner.counts_now.listed == 0
    assert banner.lines.empty_text == "No active alarms"
    assert sum(coloured_pixels(banner.grab().toImage()).values()) == 0  # calm grey

    delivered_on = []
    views.feed.changed.connect(lambda _: delivered_on.append(threading.current_thread().name))
    plant.put(t0=150)
    plant.wait_for(lambda: banner.counts_now.listed == 1)
    plant.put(t2=150, t3=150)
    plant.wait_for(lambda: banner.counts_now.listed == 3)
    plant.put(t1=150)
    plant.wait_for(lambda: banner.counts_now.listed == 4)
    assert [a.id for a in banner.lines.alarms] == ["t1.hi", "t2.hi", "t0.hi"]
    assert {p: w.count for p, w in banner.counts.items()} == {1: 1, 2: 1, 3: 1, 4: 1}
    assert "+1 more" in banner.more.text() and "4 unack." in banner.more.text()
    assert set(delivered_on) == {threading.main_thread().name}  # marshalled to the GUI
    colours = coloured_pixels(banner.grab().toImage())
    assert colours["red"] > 0 and colours["magenta"] > 0  # priority 1 and 4 shapes

    plant.put(t0=50, t1=50, t2=50, t3=50)
    plant.wait_for(lambda: plant.manager.get("t3.hi").state is S.RTN_UNACKED)
    assert banner.acknowledge_shown() == ["t1.hi", "t2.hi", "t0.hi"]
    plant.wait_for(lambda: banner.counts_now.listed == 1)  # only t3, not yet seen
    assert [a.id for a in banner.lines.alarms] == ["t3.hi"]
    window.resize(1280, 800)
    assert banner.lines.rows == 2


def test_the_horn_sounds_for_new_high_alarms_until_silenced_or_acknowledged(plant):
    banner, horn = plant.views.banner, plant.views.horn
    plant.put(t0=150)  # priority 3: no sound
    plant.wait_for(lambda: banner.counts_now.listed == 1)
    assert not horn.sounding and not banner.silence_button.isEnabled()
    plant.put(t1=150)
    plant.wait_for(lambda: horn.sounding)
    assert horn.sounds >= 1 and banner.silence_button.isEnabled()
    banner.silence_button.click()
    assert not horn.sounding and not banner.silence_button.isEnabled()
    plant.put(t2=150)  # a new priority 2 alarm sounds again
    plant.wait_for(lambda: horn.sounding)
    plant.manager.acknowledge(["t1.hi", "t2.hi"], "anna")
    plant.wait_for(lambda: not horn.sounding)  # nothing loud waits any more


def test_acknowledging_a_selection_from_the_list_writes_user_and_comment(plant):
    plant.put(t0=150, t1=150, t2=150)
    plant.wait_for(lambda: plant.views.banner.counts_now.listed == 3)
    summary = plant.views.open_summary("t1.hi")
    assert plant.window.body.isHidden() and summary.isVisible()
    assert summary.selected_ids() == ["t1.hi"]
    summary.buttons["ack"].click()
    dialog = summary.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.title.text() == "Acknowledge: Zone 1 too hot: 150 °C"  # what is acted on
    dialog.entry.setText("valve checked on site")
    dialog.try_accept()
    assert plant.manager.get("t1.hi").state is S.ACKED
    assert "1 alarm(s) acknowledged" in summary.message.text()
    wanted = ("t1.hi", "acknowledge", "anna", "valve checked on site")
    sql = "SELECT alarm_id, action, user_name, comment FROM alarm_journal"
    assert wanted in plant.journal_when(sql, lambda rows: wanted in rows)

    summary.buttons["ack_all"].click()
    summary.dialog.try_accept()  # the comment is optional
    assert {a.state for a in plant.manager.active()} == {S.ACKED}
    plant.views.close_pages()
    assert plant.window.body.isVisible() and not summary.isVisible()


def test_a_refused_action_is_a_message_not_a_traceback(plant):
    plant.user = ""  # nobody named
    plant.put(t0=150)
    plant.wait_for(lambda: plant.views.banner.counts_now.listed == 1)
    summary = plant.views.open_summary("t0.hi")
    summary.ask_acknowledge().try_accept()
    assert "name of the user" in summary.message.text()
    assert summary.message.property("problem") is True
    assert plant.manager.get("t0.hi").state is S.UNACKED


def test_shelving_needs_a_reason_and_takes_the_chosen_time(plant):
    plant.put(t0=150, t2=150)
    plant.wait_for(lambda: plant.views.banner.counts_now.listed == 2)
    summary = plant.views.open_summary("t0.hi")
    dialog = summary.ask_shelve()
    dialog.choose(4 * 3600)
    dialog.try_accept()  # no reason yet
    assert dialog.isVisible() and dialog.error.text() == "Give a reason for shelving"
    dialog.entry.setText("sensor being replaced")
    before = time.time()
    dialog.try_accept()
    shelved = plant.manager.get("t0.hi")
    assert shelved.state is S.SHELVED and shelved.shelve_reason == "sensor being replaced"
    assert before + 4 * 3600 - 5 < shelved.shelved_until < time.time() + 4 * 3600 + 5
    assert [a.id for a in summary.model.rows] == ["t2.hi"]  # gone from the alarm list
    summary.state_filter.setCurrentIndex(2)  # "Shelved"
    assert [a.id for a in summary.model.rows] == ["t0.hi"]
    summary.table.selectRow(0)
    assert summary.ask_unshelve() == ["t0.hi"]
    assert plant.manager.get("t0.hi").state is S.UNACKED  # still active: announced again


def test_out_of_service_needs_a_reason_and_returns(plant):
    plant.put(t3=150)
    plant.wait_for(lambda: plant.views.banner.counts_now.listed == 1)
    summary = plant.views.open_summary("t3.hi")
    dialog = summary.ask_out_of_service()
    dialog.try_accept()
    assert dialog.isVisible()
    dialog.entry.setText("transmitter removed")
    dialog.try_accept()
    assert plant.manager.get("t3.hi").state is S.OUT_OF_SERVICE
    summary.state_filter.setCurrentIndex(4)  # "Out of service"
    summary.table.selectRow(0)
    summary.ask_return_to_service().try_accept()
    assert plant.manager.get("t3.hi").state is S.UNACKED


def test_filters_sorting_and_the_jump_to_the_alarms_screen(plant):
    plant.put(t0=150, t1=150, t2=150, t3=150)
    plant.wait_for(lambda: plant.views.banner.counts_now.listed == 4)
    summary = plant.views.open_summary()
    assert [a.id for a in summary.model.rows] == ["t1.hi", "t2.hi", "t0.hi", "t3.hi"]
    summary.line_filter.setCurrentIndex(summary.line_filter.findData("line2"))
    assert [a.id for a in summary.model.rows] == ["t2.hi", "t3.hi"]
    summary.priority_buttons[4].setChecked(False)
    assert [a.id for a in summary.model.rows] == ["t2.hi"]
    summary.line_filter.setCurrentIndex(0)
    summary.priority_buttons[4].setChecked(True)
    summary.table.sortByColumn(summary.model.column("priority"), Qt.SortOrder.DescendingOrder)
    assert [a.priority for a in summary.model.rows] == [4, 3, 2, 1]
    summary.table.sortByColumn(summary.model.column("message"), Qt.SortOrder.AscendingOrder)
    assert [a.id for a in summary.model.rows] == ["t0.hi", "t1.hi", "t2.hi", "t3.hi"]
    summary.table.selectRow(1)  # t1: it belongs to the screen "press"
    assert summary.buttons["screen"].isEnabled()
    summary.buttons["screen"].click()
    assert plant.window.visited == ["press"]
    assert not plant.views.pages_open and plant.window.body.isVisible()


def test_journal_search_pages_and_export_to_the_chosen_file(plant, tmp_path, monkeypatch):
    plant.put(t0=150, t1=150, t2=150)
    plant.wait_for(lambda: plant.views.banner.counts_now.listed == 3)
    plant.manager.acknowledge("t1.hi", "anna", "valve checked")
    plant.put(t0=50)
    plant.journal_when("SELECT count(*) FROM alarm_journal", lambda rows: rows[0][0] == 5)
    journal = plant.views.open_journal()
    journal.page_size = 2
    rows = journal.search()
    assert len(rows) == 2 and journal.has_more and journal.older_button.isEnabled()
    assert rows[0].action.value == "clear"  # newest first
    journal.older()
    journal.older()
    assert journal.page == 2 and not journal.has_more  # 5 entries: 3 raised, ack, clear
    assert len(journal.model.rows) == 1
    journal.page_size = 100
    journal.text_edit.setText("valve")
    journal.search_button.click()
    assert [(e.alarm_id, e.user, e.comment) for e in journal.model.rows] == [
        ("t1.hi", "anna", "valve checked")
    ]
    journal.text_edit.clear()
    journal.tag_edit.setText("t0")
    journal.search()
    assert {e.alarm_id for e in journal.model.rows} == {"t0.hi"} and len(journal.model.rows) == 2
    journal.tag_edit.clear()
    journal.priority_combo.setCurrentIndex(journal.priority_combo.findData(2))
    journal.search()
    assert [e.alarm_id for e in journal.model.rows] == ["t2.hi"]
    journal.priority_combo.setCurrentIndex(0)

    target = tmp_path / "journal.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    with plant.qtbot.waitSignal(journal.exported, timeout=5000) as blocker:
        journal.export_button.click()
    assert blocker.args == [str(target), 5, ""]
    with open(target, newline="", encoding="utf-8") as handle:
        exported = list(csv.DictReader(handle))
    assert [r["action"] for r in exported] == ["activate"] * 3 + ["acknowledge", "clear"]
    assert exported[3]["user"] == "anna" and exported[3]["comment"] == "valve checked"
    assert "5 entries written" in journal.message.text()

    journal.export_csv(str(tmp_path / "missing" / "folder" / "x.csv"))
    plant.wait_for(lambda: journal.message.property("problem") is True)
    assert "Export failed" in journal.message.text()


def test_the_kpi_view_counts_and_writes_its_report(plant, tmp_path, monkeypatch):
    for _ in range(3):  # t0 chatters
        plant.put(t0=150)
        plant.wait_for(lambda: plant.manager.get("t0.hi").active)
        plant.put(t0=50)
        plant.wait_for(lambda: not plant.manager.get("t0.hi").active)
        plant.manager.acknowledge("t0.hi", "anna")
    plant.put(t1=150)
    activations = "SELECT count(*) FROM alarm_journal WHERE action = 'activate'"
    plant.journal_when(activations, lambda rows: rows[0][0] == 4)
    kpis_view = plant.views.open_kpis()
    kpis = kpis_view.kpis
    assert kpis is not None and kpis.activations == 4
    assert kpis_view.figures["activations"][0].text() == "4"
    assert kpis_view.actors_table.item(0, 1).text() == "t0.hi"
    assert kpis_view.actors_table.item(0, 2).text() == "3"
    assert kpis_view.chatter_table.item(0, 0).text() == "t0.hi"
    assert kpis_view.bars.counts == {1: 1, 2: 0, 3: 3, 4: 0}
    target = tmp_path / "kpis.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    kpis_view.export_button.click()
    with open(target, newline="", encoding="utf-8") as handle:
        report = list(csv.reader(handle))
    assert ["overall", "activations", "4", ""] in report
    assert any(row[:3] == ["bad_actor", "t0.hi", "3"] for row in report)


def test_touch_rows_are_finger_sized_and_comments_come_with_a_keyboard(qtbot, tmp_path):
    plant = Plant(qtbot, tmp_path, [alarm(0, 2), alarm(1, 3)], profile=TOUCH)
    try:
        assert plant.views.kpis is None  # the supervisor's page is for the desk
        plant.put(t0=150, t1=150)
        plant.wait_for(lambda: plant.views.banner.counts_now.listed == 2)
        summary = plant.views.open_summary()
        assert summary.table.verticalHeader().defaultSectionSize() >= TOUCH.target_px
        assert all(b.minimumHeight() >= TOUCH.target_px for b in summary.buttons.values())
        assert plant.views.banner.lines.row_px >= TOUCH.target_px
        for row in (0, 1):  # a tap adds a row; no Ctrl on a touchscreen
            rect = summary.table.visualRect(summary.model.index(row, 2))
            qtbot.mouseClick(summary.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert summary.selected_ids() == ["t0.hi", "t1.hi"]
        dialog = summary.ask_acknowledge()
        assert dialog.keypad is not None  # the on-screen keyboard
        dialog.keypad.press("o")
        dialog.keypad.press("k")
        dialog.try_accept()
        sql = "SELECT comment FROM alarm_journal WHERE action = 'acknowledge'"
        assert plant.journal_when(sql, lambda rows: len(rows) >= 2) == [("ok",), ("ok",)]
    finally:
        plant.close()


@pytest.mark.parametrize("batches", [10, 1])
def test_a_flood_of_1000_alarms_leaves_the_gui_responsive_and_the_banner_right(
    qtbot, tmp_path, batches
):
    count = 1000
    plant = Plant(qtbot, tmp_path, [alarm(i, 1 + i % 4) for i in range(count)])
    try:
        plant.put(**{f"t{i}": 20.0 for i in range(count)})
        plant.views.open_summary()  # the heaviest view, open during the flood
        beats: list[float] = []
        heart = QTimer()
        heart.timeout.connect(lambda: beats.append(time.monotonic()))
        heart.start(10)

        def flood() -> None:  # 1,000 alarms within one second
            size = count // batches
            for part in range(batches):
                plant.put(**{f"t{i}": 500.0 for i in range(part * size, part * size + size)})
                time.sleep(1.0 / batches)

        started = time.monotonic()
        thread = threading.Thread(target=flood)
        thread.start()
        banner = plant.views.banner
        plant.wait_for(lambda: banner.counts_now.listed == count, timeout=20)
        plant.wait_for(lambda: len(plant.views.summary.model.rows) == count, timeout=5)
        elapsed = time.monotonic() - started
        plant.wait_for(lambda: not thread.is_alive())  # never join on the GUI thread
        qtbot.wait(200)
        heart.stop()
        gaps = [b - a for a, b in itertools.pairwise(beats)]
        print(
            f"longest event-loop gap {max(gaps) * 1000:.0f} ms, {plant.views.feed.deliveries} "
            f"GUI updates, all shown after {elapsed:.2f} s"
        )
        assert max(gaps) < 0.5, f"the event loop was blocked for {max(gaps):.3f} s"
        assert {p: w.count for p, w in banner.counts.items()} == {1: 250, 2: 250, 3: 250, 4: 250}
        assert [a.priority for a in banner.lines.alarms] == [1] * banner.lines.rows
        assert f"+{count - banner.lines.rows} more" in banner.more.text()
        feed = plant.views.feed
        assert feed.received >= count  # every event arrived ...
        assert feed.deliveries <= 2 + elapsed / (feed.min_interval_ms / 1000)  # ... coalesced
        sql = "SELECT count(*) FROM alarm_journal WHERE action = 'activate'"
        assert plant.journal_when(sql, lambda rows: rows[0][0] >= count) == [(count,)]
    finally:
        plant.close()


def event(alarm_id: str, to: AlarmState, frm: AlarmState, at: float, priority: int = 1):
    action = {S.UNACKED: Action.ACTIVATE, S.ACKED: Action.ACKNOWLEDGE}.get(to, Action.CLEAR)
    return AlarmEvent(at, alarm_id, "t0", "line1", action, frm, to, priority, 150.0, "hot")


def test_the_feed_keeps_the_newest_event_per_alarm_from_another_thread_and_stops_on_close(
    qtbot, plant
):
    feed = AlarmFeed(plant.manager, min_interval_ms=100)
    got: list[list] = []
    feed.changed.connect(got.append)
    steps = [event("x.hi", S.ACKED if i % 2 else S.RTN_UNACKED, S.UNACKED, i) for i in range(2000)]

    def burst() -> None:  # 2,000 events of one alarm, one at a time
        for step in steps:
            feed._receive([step])

    thread = threading.Thread(target=burst)
    thread.start()
    thread.join(5)
    assert not thread.is_alive()
    qtbot.waitUntil(lambda: bool(got) and got[-1][-1] is steps[-1], timeout=3000)
    assert len(got) <= 3 and all(len(events) == 1 for events in got)  # one alarm: one event
    assert feed.received == 2000
    assert feed.superseded == 2000 - len(got)  # the rest were replaced by newer ones
    assert feed._receive in plant.manager._listeners
    feed.close()
    assert feed._receive not in plant.manager._listeners
    feed._receive([steps[0]])  # a late call from the manager's thread is ignored
    qtbot.wait(150)
    assert feed.deliveries == len(got)


def test_the_feed_keeps_an_activation_that_a_later_event_replaced(qtbot, plant):
    feed = AlarmFeed(plant.manager, min_interval_ms=100)
    got: list[list] = []
    feed.changed.connect(got.append)
    raised = event("a.hi", S.UNACKED, S.NORMAL, 1.0)
    acked = event("a.hi", S.ACKED, S.UNACKED, 2.0)
    other = event("b.hi", S.UNACKED, S.NORMAL, 1.5, priority=3)
    feed._receive([raised, other])
    feed._receive([acked])
    feed.deliver()
    assert got == [[raised, other, acked]]  # in the order they came; both of a.hi kept
    again = event("a.hi", S.UNACKED, S.ACKED, 3.0)
    feed._receive([event("a.hi", S.RTN_UNACKED, S.UNACKED, 2.5), again, acked])
    feed.deliver()
    assert got[-1] == [again, acked]  # newest activation, then the newest event
    assert feed.superseded == 1
    feed.close()


@pytest.mark.parametrize("then", ["acknowledged", "returned to normal"])
def test_a_new_critical_alarm_sounds_even_if_it_changes_again_before_the_views_see_it(plant, then):
    banner, horn, feed = plant.views.banner, plant.views.horn, plant.views.feed
    before = feed.received

    def settle(predicate) -> None:
        """Wait without running the GUI's event loop: nothing is delivered meanwhile."""
        deadline = time.monotonic() + 5.0
        while not predicate() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert predicate()

    plant.put(t1=150)  # priority 1
    settle(lambda: plant.manager.get("t1.hi").state is S.UNACKED)
    if then == "acknowledged":
        plant.manager.acknowledge(["t1.hi"], "bob")  # at another station
        settle(lambda: plant.manager.get("t1.hi").state is S.ACKED)
    else:
        plant.put(t1=50)
        settle(lambda: plant.manager.get("t1.hi").state is S.RTN_UNACKED)
    settle(lambda: feed.received >= before + 2)  # both events wait for one delivery
    assert horn.sounds == 0
    feed.deliver()
    assert horn.sounds == 1  # the operator hears that a critical alarm came in ...
    # ... and the horn keeps sounding only while it waits for acknowledgement
    assert horn.sounding is (then == "returned to normal")
    assert banner.counts_now.unacked == (then == "returned to normal")


def test_install_on_the_operator_main_window(qtbot, plant, tmp_path):
    from hmi.ui.bridge import TagBridge
    from hmi.ui.shell import MainWindow

    bridge = TagBridge(plant.engine, rate_hz=20)
    (tmp_path / "screens").mkdir()
    (tmp_path / "screens" / "press.yaml").write_text(
        "screen: {name: press, title: Press, level: 1}\nsymbols: []\n", encoding="utf-8"
    )
    window = MainWindow(plant.project, bridge, tmp_path / "screens", profile=DESK, watch=False)
    qtbot.addWidget(window)
    views = install_alarm_views(window, plant.manager, lambda: "anna")
    try:
        window.resize(1920, 1080)
        window.start()
        window.show()
        layout = window.header.parentWidget().layout()
        assert layout.indexOf(views.banner) == layout.indexOf(window.header) + 1
        assert views.banner.lines.rows == 3  # a tall window shows three alarms
        window.resize(1280, 800)
        window.event(QEvent(QEvent.Type.LayoutRequest))
        qtbot.waitUntil(lambda: views.banner.lines.rows == 2)
        below = (
            layout.itemAt(i).widget()
            for i in range(layout.indexOf(views.pages) + 1, layout.count())
        )
        covered = [w for w in below if w is not None and not w.isHidden()]  # what was shown
        assert window.splitter in covered  # the screens
        views.open_summary()
        assert all(w.isHidden() for w in covered if w is not None)
        views.go_to_screen("press")
        assert window.host.current_screen.name == "press"
        assert all(not w.isHidden() for w in covered if w is not None)

        other = window.open_window("press")  # a desk screen in a window of its own
        extra = views.add_window(other)
        plant.put(t1=150)
        plant.wait_for(lambda: extra.counts_now.listed == 1)
        assert [a.id for a in extra.lines.alarms] == ["t1.hi"]
        extra.lines.clicked.emit("t1.hi")  # its list opens in the main window
        assert views.pages_open and views.summary.selected_ids() == ["t1.hi"]
        other.close()
    finally:
        views.close()


def test_the_selected_alarm_shows_its_help_and_the_first_out_is_marked(qtbot, tmp_path):
    helped = dataclasses.replace(
        alarm(1, 1, screen="press"),
        cause="Billet too cold for the ram speed",
        consequence="The press trips at 320 bar",
        action="Slow the ram; raise the billet temperature",
    )
    made = Plant(qtbot, tmp_path, [alarm(0, 2), helped])
    try:
        made.put(t1=150)
        made.wait_for(lambda: made.views.banner.counts_now.listed == 1)
        made.put(t0=150)  # the cascade after the trip
        made.wait_for(lambda: made.views.banner.counts_now.listed == 2)
        summary = made.views.open_summary()
        assert "Select one alarm" in summary.details.text()
        rows = {a.id: i for i, a in enumerate(summary.model.rows)}
        message = summary.model.index(rows["t1.hi"], summary.model.column("message"))
        assert message.data().startswith("▶ FIRST OUT · Zone 1 too hot")
        other = summary.model.index(rows["t0.hi"], summary.model.column("message"))
        assert "FIRST OUT" not in other.data()
        height = summary.details.height()
        summary.table.selectRow(rows["t1.hi"])
        text = summary.details.text()
        assert "Billet too cold for the ram speed" in text and "The press trips" in text
        assert "Slow the ram" in text and summary.details.height() == height  # nothing moves
        summary.table.clearSelection()
        summary.table.selectRow(rows["t0.hi"])
        assert "No help is written" in summary.details.text()
        banner = made.views.banner
        assert banner.lines.alarms[0].first_out  # the banner marks it too
        made.manager.acknowledge("t1.hi", "anna")
        made.wait_for(lambda: not any(a.first_out for a in made.manager.active()))
    finally:
        made.close()
