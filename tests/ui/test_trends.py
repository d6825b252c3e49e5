"""Trends over a real history file: axes per units, zoom resolution, cursor, bands, gaps,
CSV, live values from the engine, saved views and the ``trends:`` section."""

from __future__ import annotations

import csv
import json
import math
import threading
import time

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from hmi.core.engine import TagEngine
from hmi.core.historian import HistoryQuery
from hmi.core.historian.storage import SCHEMA, InsertJob, encode, register_tags
from hmi.core.project.loader import Section
from hmi.core.project.models import DataType, Source
from hmi.core.project.yamlsrc import parse_yaml
from hmi.core.store import Writer, migrate
from hmi.core.tags import Quality, good
from hmi.core.trendviews import (
    PenDef,
    TrendViewDef,
    read_trendviews,
    read_user_views,
    trendview_problems,
    user_views_path,
)
from hmi.ui.bridge import TagBridge
from hmi.ui.profile import Profile
from hmi.ui.symbols import SymbolContext, create_symbol
from hmi.ui.theme import DEFAULT_THEME
from hmi.ui.trends import TrendOpener, TrendView, actions, is_hold, open_trend, symbol_pens
from hmi.ui.trends.chooser import TagBrowser
from hmi.ui.trends.hold import install_trend_hold
from hmi.ui.trends.opener import screen_pens
from hmi.ui.trends.series import BUCKETS, RAW, LiveRing, minmax_decimate
from tests.ui.conftest import dev_tag, make_project
from tests.ui.pictures import coloured_pixels, screen_from_yaml

HOUR = 3600.0
T0 = 1_700_002_800.0  # seconds, a whole hour
BAD_FROM, BAD_TO = T0 + 2 * HOUR, T0 + 2 * HOUR + 600  # pressure is Bad for 10 minutes
TOUCH = Profile("touch", True, 48.0, 25.0, 10.0)
DESK = Profile("desk", False, 36.0, 17.0, 8.0)


def temp_at(t: float) -> float:
    return 300.0 + (t - T0) * 0.01  # linear: the cursor's interpolation is exact


@pytest.fixture
def plant():
    project = make_project(
        dev_tag("line1.temp", units="°C", eng_range=(0.0, 600.0), decimals=2, description="Melt"),
        dev_tag("line1.die_temp", units="°C", eng_range=(0.0, 600.0), description="Die zone"),
        dev_tag("line1.pressure", units="bar", eng_range=(0.0, 350.0), decimals=0),
        dev_tag("line1.idle", units="bar", description="Never recorded"),
        dev_tag("line1.running", data_type=DataType.BOOL),
        dev_tag("line1.recipe", data_type=DataType.STRING),
    )
    alarms = parse_yaml(
        "alarms:\n"
        "  - tag: line1.pressure\n"
        "    hihi: {limit: 310, priority: 1}\n"
        "    hi: 290\n"
        "    lo: {limit: 120, priority: 4}\n"
    )["alarms"]
    project.extra["alarms"] = Section("alarms", alarms, Source("project.yaml", 1))
    return project


@pytest.fixture
def history(tmp_path):
    """Six hours of known history, written through the store's writer."""
    writer = Writer(tmp_path / "data" / "hmi.db")
    migrate(writer.conn, "historian", SCHEMA)
    ids = register_tags(
        writer.conn, {"line1.temp": 0, "line1.die_temp": 0, "line1.pressure": 0, "x": 0}
    )
    writer.start()
    rows = []
    for s in range(0, 6 * 3600):
        t = T0 + s
        rows.append((ids["line1.temp"], int(t * 1000), *encode(temp_at(t))))
        if s % 5 == 0:
            bad = BAD_FROM <= t < BAD_TO
            value, flags = encode(999.0 if bad else 200.0 + 50 * math.sin(s / 600))
            rows.append((ids["line1.pressure"], int(t * 1000), value, flags | (2 if bad else 0)))
            rows.append((ids["line1.die_temp"], int(t * 1000), *encode(450.0)))
    writer.submit(InsertJob(rows, [], [], 1, frozenset(ids.values())))
    assert writer.flush(60)
    query = HistoryQuery(writer.path)
    yield query
    query.close()
    writer.stop()


def make_view(qtbot, plant, query, tmp_path, profile=DESK, bridge=None, **kw) -> TrendView:
    view = TrendView(
        plant, bridge=bridge, query=query, profile=profile, data_dir=tmp_path / "data", **kw
    )
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view)
    return view


def shown(qtbot, view: TrendView, t0: float, t1: float) -> None:
    """Show [t0, t1] and wait until its history is drawn."""
    with qtbot.waitSignal(view.history_applied, timeout=5000):
        view.show_range(t0, t1)
    while view.fetcher.generation != view.fetcher.queries_run and view._fetch_timer.isActive():
        qtbot.wait(20)  # pragma: no cover - a throttled refetch of the same range


def test_pens_with_two_units_get_two_axes_and_same_units_share_one(qtbot, plant, history, tmp_path):
    view = make_view(qtbot, plant, history, tmp_path)
    view.set_pens(["line1.temp", "line1.pressure", "line1.die_temp"])
    assert [axis.labelText for axis in view.plot.axes] == ["°C", "bar"]
    items = view.plot.items
    assert items["line1.temp"].view is items["line1.die_temp"].view
    assert items["line1.pressure"].view is not items["line1.temp"].view
    shown(qtbot, view, T0, T0 + HOUR)
    assert view.plot.views[0].viewRange()[1] == pytest.approx((-12.0, 612.0))  # eng range
    assert view.plot.views[1].viewRange()[1] == pytest.approx((-7.0, 357.0))


def test_zooming_out_draws_buckets_and_zooming_in_draws_raw_points(qtbot, plant, history, tmp_path):
    view = make_view(qtbot, plant, history, tmp_path)
    view.set_pens(["line1.temp"])
    shown(qtbot, view, T0, T0 + 6 * HOUR)
    data = view.history["line1.temp"]
    assert data.mode == BUCKETS
    assert len(data.t) < 6 * 3600 / 2  # far fewer than the 21,600 points
    assert view.plot.items["line1.temp"].envelope.isVisible()
    assert np.all(data.lo <= data.hi)
    rows = view.export_csv(tmp_path / "buckets.csv")
    with (tmp_path / "buckets.csv").open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header[1:] == ["line1.temp avg [°C]", "line1.temp min [°C]", "line1.temp max [°C]"]
    assert 0 < rows <= len(data.t) + 2  # one row per bucket shown, not per stored point
    shown(qtbot, view, T0 + HOUR, T0 + HOUR + 300)
    data = view.history["line1.temp"]
    assert data.mode == RAW
    inside = data.t[(data.t >= T0 + HOUR) & (data.t <= T0 + HOUR + 300)]
    assert len(inside) == 301  # every stored point of those five minutes
    assert not view.plot.items["line1.temp"].envelope.isVisible()


def test_cursor_reads_the_right_value_at_a_time(qtbot, plant, history, tmp_path):
    view = make_view(qtbot, plant, history, tmp_path)
    view.set_pens(["line1.temp", "line1.pressure"])
    shown(qtbot, view, T0 + HOUR, T0 + HOUR + 600)
    at = T0 + HOUR + 123.5
    view.set_cursor(at)
    assert view.cursor_value("line1.temp") == pytest.approx(temp_at(at))
    assert view.legend.value_text("line1.temp") == f"{temp_at(at):.2f} °C"
    assert "Cursor" in view.legend.time_label.text()
    # zoomed out to buckets, the historian's own value replaces the bucket average
    shown(qtbot, view, T0, T0 + 6 * HOUR)
    at = T0 + 4 * HOUR + 17.25
    view.set_cursor(at)
    qtbot.waitUntil(
        lambda: view.legend.value_text("line1.temp") == f"{temp_at(at):.2f} °C", timeout=3000
    )


def test_alarm_limits_and_the_normal_band_are_drawn_in_their_places(
    qtbot, plant, history, tmp_path
):
    view = make_view(qtbot, plant, history, tmp_path)
    view.set_pens([PenDef("line1.pressure", normal=(150.0, 250.0)), "line1.temp"])
    extras = view.plot.items["line1.pressure"].extras
    colors = {
        item.value(): item.pen.color().name()
        for item in extras
        if isinstance(item, pg.InfiniteLine) and item.pen.widthF() == 2
    }
    theme = DEFAULT_THEME
    assert colors == {
        310.0: theme.alarm_color(1).name(),
        290.0: theme.alarm_color(3).name(),
        120.0: theme.alarm_color(4).name(),
    }
    bands = [item for item in extras if isinstance(item, pg.LinearRegionItem)]
    assert [band.getRegion() for band in bands] == [(150.0, 250.0)]
    labels = [
        child.toPlainText()
        for item in extras
        for child in item.childItems()
        if isinstance(child, pg.TextItem)
    ]
    assert any("H 290 bar" in text and "3" in text for text in labels)
    assert view.plot.items["line1.temp"].extras == []  # no limits, no band: nothing drawn


def test_a_bad_stretch_is_a_gap_with_a_hatch_never_a_line(qtbot, plant, history, tmp_path):
    view = make_view(qtbot, plant, history, tmp_path)
    view.set_pens(["line1.pressure"])
    shown(qtbot, view, BAD_FROM - 1800, BAD_TO + 1800)
    t, y = view.drawn["line1.pressure"]
    inside = (t >= BAD_FROM) & (t < BAD_TO)
    assert inside.any() and np.isnan(y[inside]).all()
    assert not np.any(y == 999.0)  # the stale value of a Bad sample is never drawn
    line_x, line_y = view.plot.items["line1.pressure"].line.getData()
    assert np.isnan(line_y[(line_x > BAD_FROM) & (line_x < BAD_TO)]).all()
    spans = view.history["line1.pressure"].bad_spans
    assert spans == [(BAD_FROM, BAD_TO)]
    hatches = [h for h in view.plot.items["line1.pressure"].hatches if h.isVisible()]
    assert [h.getRegion() for h in hatches] == [(BAD_FROM, BAD_TO)]
    view.set_cursor(BAD_FROM + 300)
    assert view.cursor_value("line1.pressure") is None
    qtbot.waitUntil(lambda: "bad" in view.legend.note_text("line1.pressure"), timeout=3000)
    # from buckets as well: the buckets holding only bad points are gaps
    shown(qtbot, view, T0, T0 + 6 * HOUR)
    data = view.history["line1.pressure"]
    assert data.mode == BUCKETS
    middle = (data.t > BAD_FROM + 60) & (data.t < BAD_TO - 60)
    assert middle.any() and np.isnan(data.y[middle]).all()


def test_csv_export_writes_the_visible_data(qtbot, plant, history, tmp_path):
    view = make_view(qtbot, plant, history, tmp_path)
    view.set_pens(["line1.temp", "line1.pressure"])
    shown(qtbot, view, BAD_FROM - 60, BAD_FROM + 60)
    path = tmp_path / "out.csv"
    rows = view.export_csv(path)
    with path.open(encoding="utf-8") as f:
        table = list(csv.reader(f))
    assert table[0] == ["time", "line1.temp [°C]", "line1.pressure [bar]"]
    assert rows == len(table) - 1 == 121  # one row per second in the two visible minutes
    by_second = {round(_epoch(r[0])): r for r in table[1:]}
    assert float(by_second[BAD_FROM - 30][1]) == pytest.approx(temp_at(BAD_FROM - 30))
    assert by_second[BAD_FROM - 30][2] != ""  # a pressure sample, every 5 s
    assert by_second[BAD_FROM - 31][2] == ""  # no pressure sample at that second
    assert by_second[BAD_FROM + 20][2] == ""  # Bad: an empty cell, not 999
    written = actions.export_shown(view)
    assert written is not None and written.parent == tmp_path / "data" / "exports"
    assert "Exported 121 rows" in view.status.text()


def _epoch(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp).timestamp()


def test_live_values_scroll_in_from_engine_publish_through_the_bridge(qtbot, plant, tmp_path):
    engine = TagEngine(plant)
    bridge = TagBridge(engine, rate_hz=20)
    bridge.start()
    view = make_view(qtbot, plant, None, tmp_path, bridge=bridge, span=60.0)
    view.set_pens(["line1.temp"])
    assert view.live
    start = view.visible_range()
    for i in range(5):
        engine.publish({"line1.temp": good(400.0 + i, ts=time.time())})
        qtbot.waitUntil(lambda i=i: view.rings["line1.temp"].last_y == 400.0 + i, timeout=2000)
    qtbot.waitUntil(lambda: view.legend.value_text("line1.temp") == "404.00 °C", timeout=2000)
    qtbot.waitUntil(lambda: view.visible_range()[1] > start[1] + 0.2, timeout=2000)
    t, y = view.drawn["line1.temp"]
    assert list(y[-6:-1]) == [400.0, 401.0, 402.0, 403.0, 404.0]
    assert t[-1] == pytest.approx(time.time(), abs=1.0)  # held to now: it scrolls
    assert view.visible_range()[1] - view.visible_range()[0] == pytest.approx(60.0)
    engine.publish({"line1.temp": good(405.0, ts=time.time())})
    qtbot.waitUntil(lambda: view.rings["line1.temp"].last_y == 405.0, timeout=2000)
    view.close_view()
    bridge.stop()


def test_a_tag_without_history_is_an_empty_pen_with_a_note(qtbot, plant, history, tmp_path):
    view = make_view(qtbot, plant, history, tmp_path)
    view.set_pens(["line1.idle", "line1.temp"])
    shown(qtbot, view, T0, T0 + HOUR)
    assert view.history["line1.idle"].empty
    assert view.history["line1.idle"].note == "no history recorded"
    assert view.legend.note_text("line1.idle") == "no history recorded"
    assert view.legend.value_text("line1.idle") == "—"
    assert not view.history["line1.temp"].empty


def test_panning_is_done_off_the_gui_thread_and_only_the_newest_range_is_drawn(
    qtbot, plant, history, tmp_path, monkeypatch
):
    view = make_view(qtbot, plant, history, tmp_path)
    view.set_pens(["line1.temp"])
    shown(qtbot, view, T0, T0 + HOUR)
    threads = set()
    real = history.raw

    def raw(*args, **kwargs):
        threads.add(threading.get_ident())
        time.sleep(0.02)
        return real(*args, **kwargs)

    monkeypatch.setattr(history, "raw", raw)
    before = view.fetcher.queries_run
    for step in range(10):
        view.fetcher.request(["line1.temp"], T0 + step * 60, T0 + step * 60 + 300, 1000)
    last = T0 + 9 * 60
    with qtbot.waitSignal(view.history_applied, timeout=5000):
        pass
    assert threads and threading.get_ident() not in threads
    assert view.history["line1.temp"].t0 == last
    assert view.fetcher.queries_run - before <= 3  # stale requests were skipped, not run


def test_a_drag_pauses_and_moves_back_in_time_and_the_wheel_zooms(qtbot, plant, history, tmp_path):
    view = make_view(qtbot, plant, history, tmp_path)
    view.set_pens(["line1.temp"])
    t0, t1 = view.visible_range()
    viewport = view.plot.viewport()
    centre = view.plot.mapFromScene(view.plot.main.sceneBoundingRect().center())
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=centre)
    for dx in range(10, 210, 20):
        QTest.mouseMove(viewport, centre + QPoint(dx, 0))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=centre + QPoint(200, 0))
    assert not view.live
    moved = view.visible_range()
    assert moved[0] < t0 - 10 and moved[1] - moved[0] == pytest.approx(t1 - t0)
    with qtbot.waitSignal(view.history_applied, timeout=5000):
        pass
    event_pos = QPointF(centre)
    from PySide6.QtGui import QWheelEvent

    wheel = QWheelEvent(
        event_pos,
        viewport.mapToGlobal(event_pos),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QTest.qWait(10)
    from PySide6.QtWidgets import QApplication

    QApplication.sendEvent(viewport, wheel)
    zoomed = view.visible_range()
    assert zoomed[1] - zoomed[0] < (moved[1] - moved[0]) * 0.9
    assert not view.plot.main.menuEnabled()
    assert view.plot.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu


def test_touch_controls_are_finger_sized(qtbot, plant, history, tmp_path):
    view = make_view(qtbot, plant, history, tmp_path, profile=TOUCH)
    view.set_pens(["line1.temp"])
    bar = view.toolbar
    for widget in (
        bar.live,
        bar.back,
        bar.forward,
        bar.zoom_in,
        bar.zoom_out,
        bar.span,
        bar.pens,
        bar.views,
        bar.save,
        bar.export,
    ):
        assert widget.height() >= TOUCH.target_px and widget.width() >= TOUCH.target_px
    assert view.plot.main.kinetic


def test_the_tag_browser_searches_groups_by_line_and_chooses_pens(qtbot, plant, history, tmp_path):
    view = make_view(qtbot, plant, history, tmp_path)
    view.set_pens([PenDef("line1.pressure", normal=(150.0, 250.0))])
    browser = actions.choose_pens(view)
    assert isinstance(browser, TagBrowser)
    assert browser.tree.topLevelItem(0).text(0) == "Line 1"
    assert "line1.recipe" not in browser.items  # text cannot be trended
    browser.search.setText("die zone")
    visible = [name for name, item in browser.items.items() if not item.isHidden()]
    assert visible == ["line1.die_temp"]
    browser.set_checked("line1.die_temp", True)
    browser.accept()
    assert [p.tag for p in view.pens] == ["line1.pressure", "line1.die_temp"]
    assert view.pens[0].normal == (150.0, 250.0)  # kept


def test_views_saved_by_the_user_and_from_the_project(qtbot, plant, history, tmp_path):
    plant.extra["trends"] = Section(
        "trends",
        parse_yaml("- name: Press\n  span: 1h\n  pens: [line1.temp, line1.pressure]\n"),
        Source("project.yaml", 10),
    )
    view = make_view(qtbot, plant, history, tmp_path)
    assert [v.name for v in view.views] == ["Press"]
    view.apply_view(view.views[0])
    assert [p.tag for p in view.pens] == ["line1.temp", "line1.pressure"] and view.span == 3600
    view.set_pens([PenDef("line1.die_temp", normal=(440.0, 460.0))])
    actions.save_view(view, "Die", everyone=True)  # a station without users: anyone may
    saved = json.loads(user_views_path(tmp_path / "data").read_text(encoding="utf-8"))
    assert saved["views"] == [
        {"name": "Die", "span": 3600, "pens": [{"tag": "line1.die_temp", "normal": [440, 460]}]}
    ]
    assert [v.name for v in view.views] == ["Press", "Die"]
    assert view.toolbar.views.itemText(2) == "★ Die"
    views, problems = read_user_views(user_views_path(tmp_path / "data"), plant)
    assert problems == [] and views[0].pens == (PenDef("line1.die_temp", (440.0, 460.0)),)


def test_a_damaged_user_views_file_is_reported_not_fatal(tmp_path, plant):
    path = user_views_path(tmp_path)
    path.write_text("{not json", encoding="utf-8")
    views, problems = read_user_views(path, plant)
    assert views == [] and "cannot be read" in problems[0].message


TRENDS_YAML = """\
trends:
  - name: Press
    span: 1h
    pens:
      - line1.temp
      - tag: line1.pressure
        normal: [150, 250]
  - name: Broken
    spam: 2h
    span: forever
    pens:
      - line1.temperature
      - tag: line1.pressure
        normal: [250, 150]
      - line1.recipe
  - name: Press
    pens: [line1.temp]
  - pens: [line1.temp]
  - name: Empty
"""


def test_the_trends_section_is_parsed_and_mistakes_are_reported_at_file_line(plant):
    data = parse_yaml(TRENDS_YAML)
    plant.extra["trends"] = Section("trends", data["trends"], Source("project.yaml", 1))
    views, problems = read_trendviews(plant)
    assert views[0] == TrendViewDef(
        "Press", (PenDef("line1.temp"), PenDef("line1.pressure", (150.0, 250.0))), 3600.0
    )
    assert views[0].source.line == 2
    found = [(p.source.file, p.source.line, p.message) for p in problems]
    lines = {line for _, line, _ in found}
    assert {9, 10, 12, 14, 15, 16, 18, 19} <= lines, found
    text = "\n".join(str(p) for p in problems)
    assert (
        "project.yaml:9: trends: view 'Broken': unknown field 'spam'; did you mean 'span'?" in text
    )
    assert "project.yaml:12: trends: view 'Broken': unknown tag 'line1.temperature'" in text
    assert "did you mean 'line1.temp'?" in text
    assert "project.yaml:14:" in text and "low < high" in text
    assert "project.yaml:15: trends: view 'Broken': 'line1.recipe' is a text tag" in text
    assert "project.yaml:16: trends: view 'Press' is written twice (first at line 2)" in text
    assert "project.yaml:18: trends: view #4: needs a name" in text
    assert "project.yaml:19: trends: view 'Empty': needs pens" in text
    assert trendview_problems(plant) == problems


def test_a_trends_section_that_is_not_a_list_is_one_clear_problem(plant):
    plant.extra["trends"] = Section("trends", parse_yaml("name: x\n"), Source("project.yaml", 4))
    views, problems = read_trendviews(plant)
    assert views == [] and len(problems) == 1
    assert str(problems[0]).startswith("project.yaml:1: trends: expected a list of views")


def test_open_trend_shows_a_window_that_stops_its_queries_when_closed(
    qtbot, plant, history, tmp_path
):
    window = open_trend(None, plant, bridge=None, query=history, profile=DESK, tags=["line1.temp"])
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    assert window.windowTitle() == "Melt"
    assert [p.tag for p in window.view.pens] == ["line1.temp"]
    window.view.fetcher.wait()
    window.close()
    assert not window.view._live_timer.isActive()


def test_ring_and_decimation_keep_order_peaks_and_gaps():
    ring = LiveRing(capacity=8)
    for i in range(11):
        ring.append(float(i), float(i * 10))
    t, y = ring.arrays()
    assert list(t) == [3, 4, 5, 6, 7, 8, 9, 10] and list(y) == [30.0 + 10 * i for i in range(8)]
    times = np.arange(10_000, dtype=float)
    values = np.sin(times / 300)
    values[5000] = 7.0  # a one-sample peak must survive
    values[7000:7100] = np.nan
    dt, dy = minmax_decimate(times, values, 0.0, 10_000.0, 100)
    assert len(dt) <= 200 and np.all(np.diff(dt) >= 0)
    assert np.nanmax(dy) == 7.0
    assert np.isnan(dy[(dt >= 7000) & (dt < 7100)]).all()


def test_a_bad_value_from_the_bridge_is_a_gap_in_the_live_line(qtbot, plant, tmp_path):
    engine = TagEngine(plant)
    bridge = TagBridge(engine, rate_hz=20)
    bridge.start()
    view = make_view(qtbot, plant, None, tmp_path, bridge=bridge, span=60.0)
    view.set_pens(["line1.temp"])
    from hmi.core.tags import TagValue

    now = time.time()
    engine.publish({"line1.temp": good(400.0, ts=now - 3)})
    qtbot.waitUntil(lambda: view.rings["line1.temp"].count >= 1, timeout=2000)
    engine.publish({"line1.temp": TagValue(400.0, Quality.BAD, None, now - 2, "no answer")})
    qtbot.waitUntil(lambda: math.isnan(view.rings["line1.temp"].last_y), timeout=2000)
    qtbot.waitUntil(lambda: "bad" in view.legend.note_text("line1.temp"), timeout=2000)
    assert view.legend.value_text("line1.temp") == "400.00 °C"  # still shown, marked
    assert view.plot.items["line1.temp"].hatches[0].isVisible()
    view.close_view()
    bridge.stop()


def test_pens_are_calm_and_only_limits_use_alarm_colours(qtbot, plant, history, tmp_path):
    view = make_view(qtbot, plant, history, tmp_path)
    view.set_pens(["line1.temp", "line1.die_temp", "line1.running", "line1.idle"])
    shown(qtbot, view, T0, T0 + 2 * HOUR)
    calm = coloured_pixels(view.plot.grab().toImage())
    assert calm["red"] == calm["orange"] == calm["yellow"] == calm["magenta"] == 0, calm
    view.set_pens(["line1.pressure"])  # limits 310 (critical), 290 (medium), 120 (low)
    shown(qtbot, view, T0, T0 + 2 * HOUR)
    alarmed = coloured_pixels(view.plot.grab().toImage())
    assert alarmed["red"] > 100 and alarmed["yellow"] > 100 and alarmed["magenta"] > 100


def test_a_value_on_a_screen_opens_its_trend_with_its_normal_band(qtbot, plant, history, tmp_path):
    screen = screen_from_yaml(
        tmp_path / "screens",
        plant,
        "screen: {name: s, title: S}\n"
        "symbols:\n"
        "  - {type: analog, at: [0, 0], size: [290, 120], tag: line1.pressure,\n"
        "     range: [0, 350], normal: [150, 250]}\n",
    )
    symbol = create_symbol(screen.symbols[0], SymbolContext(plant))
    assert symbol_pens(plant, symbol) == [PenDef("line1.pressure", (150.0, 250.0))]
    opener = TrendOpener(plant, None, history, TOUCH, data_dir=tmp_path / "data")
    window = opener.open_for_symbol(symbol, None)
    qtbot.addWidget(window)
    assert [p.normal for p in window.view.pens] == [(150.0, 250.0)]
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint  # touch: over the kiosk
    assert is_hold(10.0, 10.7, 4.0) and not is_hold(10.0, 10.2, 0.0)
    assert not is_hold(10.0, 11.0, 40.0)  # a drag, not a hold
    window.view.fetcher.wait()
    opener.close_all()


def test_a_fling_keeps_moving_after_the_finger_lets_go_and_a_pinch_zooms(
    qtbot, plant, history, tmp_path
):
    view = make_view(qtbot, plant, history, tmp_path, profile=TOUCH)
    view.set_pens(["line1.temp"])
    viewport = view.plot.viewport()
    centre = view.plot.mapFromScene(view.plot.main.sceneBoundingRect().center())
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=centre)
    for dx in range(20, 320, 30):
        QTest.qWait(5)
        QTest.mouseMove(viewport, centre + QPoint(dx, 0))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=centre + QPoint(300, 0))
    released = view.visible_range()
    qtbot.waitUntil(lambda: view.visible_range()[0] < released[0] - 1, timeout=1000)
    qtbot.waitUntil(lambda: not view.plot.main._fling.isActive(), timeout=5000)  # it stops
    assert not view.live
    t0, t1 = view.visible_range()
    view.plot.pinched.emit(0.5, (t0 + t1) / 2)  # fingers apart: half the time span
    assert view.visible_range()[1] - view.visible_range()[0] == pytest.approx((t1 - t0) / 2)


@pytest.mark.parametrize("touch", [True, False])
def test_holding_a_value_opens_its_trend_instead_of_its_faceplate(qtbot, plant, tmp_path, touch):
    screen = screen_from_yaml(
        tmp_path / "screens",
        plant,
        "screen: {name: s, title: S}\n"
        "symbols:\n"
        "  - {type: analog, at: [0, 0], size: [290, 120], tag: line1.pressure}\n",
    )
    activated, trended = [], []
    context = SymbolContext(plant, activate=lambda s, new: activated.append(s), touch=touch)
    symbol = create_symbol(screen.symbols[0], context)
    symbol.refresh()  # as the renderer does: the symbol knows its size from then on
    scene = QGraphicsScene()
    scene.addItem(symbol)
    view = QGraphicsView(scene)
    qtbot.addWidget(view)
    view.resize(400, 200)
    view.show()
    qtbot.waitExposed(view)
    install_trend_hold(view, trended.append, touch=touch)
    on_symbol = view.mapFromScene(QPointF(100, 60))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=on_symbol)
    assert len(activated) == 1 and trended == []  # a short touch is a touch
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=on_symbol)
    qtbot.waitUntil(lambda: len(trended) == 1, timeout=2000)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=on_symbol)
    assert trended[0].tag == "line1.pressure" and len(activated) == 1  # not also a touch
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, on_symbol
    )
    assert len(trended) == (1 if touch else 2)  # Shift+click is for the desk


def test_a_pen_fitted_to_its_data_follows_the_values_shown_then_its_range_again(
    qtbot, plant, history, tmp_path
):
    view = make_view(qtbot, plant, history, tmp_path)
    view.set_pens(["line1.pressure", "line1.die_temp"])
    t0, t1 = T0 + 3 * HOUR, T0 + 3 * HOUR + 600
    shown(qtbot, view, t0, t1)
    pressure = view.plot.views[0]
    assert pressure.viewRange()[1] == pytest.approx((-7.0, 357.0))  # its engineering range
    values = [200.0 + 50 * math.sin(s / 600) for s in range(3 * 3600, 3 * 3600 + 601, 5)]
    fit = view.legend.fits["line1.pressure"]
    assert "line1.running" not in view.legend.fits  # nothing to fit for on/off
    fit.click()
    assert view.pens[0].fit_data and len(view.plot.groups) == 2
    lo, hi = view.plot.views[0].viewRange()[1]
    assert lo <= min(values) and hi >= max(values)
    assert hi - lo < 1.3 * (max(values) - min(values))  # the data, not 0..350 nor the limits
    view.add_pen("line1.temp")  # other pens come and go: it stays fitted
    assert view.pens[0].fit_data and view.legend.fits["line1.pressure"].isChecked()
    view.legend.fits["line1.pressure"].click()
    assert not view.pens[0].fit_data
    assert view.plot.views[0].viewRange()[1] == pytest.approx((-7.0, 357.0))


def test_the_trends_button_trends_a_screens_main_values_its_own_trends_first(
    qtbot, plant, history, tmp_path
):
    screen = screen_from_yaml(
        tmp_path / "screens",
        plant,
        "screen: {name: s, title: Press}\n"
        "symbols:\n"
        "  - {type: value, at: [0, 0], tag: line1.die_temp}\n"
        "  - {type: analog, at: [0, 100], tag: line1.pressure, normal: [150, 250]}\n"
        "  - {type: state, at: [0, 200], tag: line1.running, states: {false: Off}}\n"
        "  - {type: sparkline, at: [0, 300], size: [400, 100], tag: line1.temp}\n"
        "  - {type: analog, at: [0, 500], tag: line1.temp}\n",
    )
    assert screen_pens(plant, screen) == [
        PenDef("line1.temp", None),
        PenDef("line1.pressure", (150.0, 250.0)),
    ]
    opener = TrendOpener(plant, None, history, DESK, data_dir=tmp_path / "data")
    window = opener.open_for_screen(screen, None)
    qtbot.addWidget(window)
    assert [p.tag for p in window.view.pens] == ["line1.temp", "line1.pressure"]
    assert window.windowTitle() == "Press"
    empty = screen_from_yaml(
        tmp_path / "empty", plant, "screen: {name: e}\nsymbols: []\n", name="e"
    )
    bare = opener.open_for_screen(empty, None)  # nothing to trend: the tag browser asks
    qtbot.addWidget(bare)
    assert bare.view.pens == [] and isinstance(bare.view.dialog, TagBrowser)
    bare.view.dialog.reject()
    opener.close_all()
