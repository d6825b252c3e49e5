import math

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QGraphicsScene

from hmi.core.historian import HistoryQuery
from hmi.core.historian.storage import SCHEMA, InsertJob, encode, register_tags
from hmi.core.project.loader import Section
from hmi.core.project.models import DeviceConfig, Source
from hmi.core.project.yamlsrc import parse_yaml
from hmi.core.screens import SYMBOL_TYPES
from hmi.core.store import Writer, migrate
from hmi.core.tags import Quality, TagValue, bad, good, uncertain
from hmi.ui.capability import AlarmLink
from hmi.ui.scene import SymbolScene
from hmi.ui.symbols import SYMBOL_CLASSES, SymbolContext, create_symbol, indicators
from hmi.ui.symbols.history import HistoryFill
from hmi.ui.symbols.painting import format_number
from hmi.ui.symbols.states import device_name
from hmi.ui.theme import DEFAULT_THEME
from tests.ui.conftest import dev_tag
from tests.ui.pictures import coloured_pixels, count_color, render, screen_from_yaml

ANALOG = """\
symbols:
  - type: analog
    at: [10, 10]
    size: [400, 120]
    tag: line1.temp
    label: Billet
    normal: [450, 500]
"""


def link(alarm_id, priority, kind="", limit=None, **more):
    return AlarmLink(alarm_id, f"_sys.alarm.{alarm_id}", priority, kind, limit, **more)


#: the alarms of the test plant, as the alarm views give them from the definitions
LINKS = {
    "line1.temp": (
        link("temp.lo", 3, "lo", 420.0),
        link("temp.hi", 3, "hi", 510.0),
        link("temp.hihi", 1, "hihi", 530.0),
    ),
    "line1.speed": (link("speed.dev", 2, "dev_hi", 2.0, setpoint="line1.speed_sp"),),
    "line1.state": (link("state.fault", 1, "state", match=(3.0,)),),
    "line1.cmd_start": (link("start.stuck", 2, "state", match=(True,)),),
    "_sys.device.plc": (link("plc.comm", 2, "comm"),),
}


def links(tag):
    return LINKS.get(tag, ())


def build(tmp_path, project, text, qapp, **context):
    screen = screen_from_yaml(tmp_path, project, text)
    context = SymbolContext(project, alarm_links=links, **context)
    scene = SymbolScene()
    scene.setSceneRect(0, 0, 480, 240)
    symbols = [scene.add_symbol(create_symbol(d, context)) for d in screen.symbols]
    return scene, symbols


def test_every_symbol_type_of_the_file_format_has_a_class():
    assert set(SYMBOL_CLASSES) == set(SYMBOL_TYPES)


@pytest.mark.parametrize(
    ("states", "severity"),
    [
        ({}, 0),  # far beyond the limit, but no alarm: nothing coloured
        ({"temp.hi": "unacked"}, 3),
        ({"temp.hi": "acked", "temp.hihi": "unacked"}, 1),
        ({"temp.hihi": "shelved"}, 0),
        ({"temp.hihi": "suppressed"}, 0),
        ({"temp.hihi": "out_of_service"}, 0),
        ({"temp.hihi": "rtn_unacked"}, 0),  # cleared: in the alarm list, not on the screen
        ({"temp.hihi": "normal"}, 0),
    ],
)
def test_the_colour_is_the_priority_of_an_active_alarm_and_nothing_else(
    tmp_path, project, qapp, states, severity
):
    _, (analog,) = build(tmp_path, project, ANALOG, qapp)
    analog.set_value("line1.temp", good(580.0))
    for alarm_id, state in states.items():
        analog.set_alarm_state(alarm_id, 0, TagValue(state))
    assert analog.severity == severity


def test_normal_values_are_grey_and_an_alarm_shows_its_priority_colour(tmp_path, project, qapp):
    scene, (analog,) = build(tmp_path, project, ANALOG, qapp)
    analog.set_value("line1.temp", good(535.0))
    assert sum(coloured_pixels(render(scene)).values()) == 0  # no alarm from the manager yet
    analog.set_alarm_state("temp.hihi", 1, TagValue("unacked"))
    image = render(scene)
    assert count_color(image, DEFAULT_THEME.alarm[1], step=2) > 50
    assert coloured_pixels(image)["green"] == 0


def outline_in_columns(image, x0, x1):
    return sum(
        1
        for x in range(x0, x1)
        for y in range(0, image.height())
        if image.pixel(x, y) == 0xFF000000 | int(DEFAULT_THEME.outline[1:], 16)
    )


def test_ticks_sit_at_the_alarm_limits_of_the_definitions(tmp_path, project, qapp):
    scene, (analog,) = build(tmp_path, project, ANALOG, qapp)
    image = render(scene)  # the scene is drawn twice its size: 2 pixels per design unit
    track_left, track_width = 10 + 10, 400 - 20

    def column(value):
        return round((track_left + track_width * value / 600) * 2)

    at_limits = [outline_in_columns(image, column(v) - 2, column(v) + 3) for v in (420, 510, 530)]
    elsewhere = [outline_in_columns(image, column(v) - 2, column(v) + 3) for v in (300, 480, 570)]
    assert analog.marks() == [420.0, 510.0, 530.0]
    assert min(at_limits) > max(elsewhere) + 20


def test_a_deviation_limit_moves_with_its_setpoint(tmp_path, project, qapp):
    _, (analog,) = build(
        tmp_path,
        project,
        "symbols:\n  - {type: analog, at: [0, 0], size: [400, 120], tag: line1.speed}\n",
        qapp,
    )
    assert [tag for tag, _ in analog.followed()] == ["_sys.alarm.speed.dev", "line1.speed_sp"]
    assert analog.moving_marks() == []
    follow = dict(analog.followed())["line1.speed_sp"]
    follow(good(12.0))
    assert analog.moving_marks() == [(14.0, 2)]
    follow(bad("offline", 12.0))
    assert analog.moving_marks() == []


def test_bad_data_keeps_its_value_visible_but_marked(tmp_path, project, qapp):
    scene, (analog,) = build(tmp_path, project, ANALOG, qapp)
    analog.set_value("line1.temp", good(470.0))
    good_image = render(scene)
    analog.set_value("line1.temp", bad("device offline", 470.0))
    assert analog.quality is Quality.BAD
    assert analog.format(analog.main) == "470.0 °C"  # the last value is still shown
    assert "device offline" in analog.reason
    bad_image = render(scene)
    mark = DEFAULT_THEME.quality_mark
    assert count_color(bad_image, mark) > count_color(good_image, mark) + 200  # outline and hatch


def test_uncertain_and_missing_values_are_marked_too(tmp_path, project, qapp):
    _, (analog,) = build(tmp_path, project, ANALOG, qapp)
    assert analog.quality is None and analog.format(analog.main) == "---- °C"
    assert "no value" in analog.reason
    analog.set_value("line1.temp", uncertain(470.0, "sensor drift"))
    assert analog.quality is Quality.UNCERTAIN


def test_a_value_beyond_its_range_is_marked_with_a_shape_not_a_colour(tmp_path, project, qapp):
    scene, (analog,) = build(tmp_path, project, ANALOG, qapp)
    analog.set_value("line1.temp", good(470.0))
    assert analog.shown_range == ""
    inside = render(scene)
    analog.set_value("line1.temp", good(612.0))  # the tag's range is 0 .. 600
    assert analog.shown_range == "▲"
    above = render(scene)
    analog.set_value("line1.temp", good(-3.0))
    assert analog.shown_range == "▼"
    assert sum(coloured_pixels(above).values()) == 0
    text = DEFAULT_THEME.text
    assert count_color(above, text) > count_color(inside, text) + 30  # the ▲ is drawn


def test_state_text_fill_and_the_colour_of_its_alarm(tmp_path, project, qapp):
    _, (state,) = build(
        tmp_path,
        project,
        """\
symbols:
  - type: state
    at: [0, 0]
    tag: line1.state
    states: {0: Stopped, 2: {text: Running, filled: true}, 3: Fault}
""",
        qapp,
    )
    state.set_value("line1.state", good(2))
    assert state.style().text == "Running" and state.style().filled and state.severity == 0
    state.set_value("line1.state", good(3))
    assert state.style().text == "Fault" and state.severity == 0  # no alarm: no colour
    state.set_alarm_state("state.fault", 1, TagValue("unacked"))
    assert state.severity == 1
    state.set_value("line1.state", good(0))  # still active while its off-delay runs
    assert state.style().text == "Stopped" and state.severity == 0  # a normal state: grey
    state.set_value("line1.state", good(7))
    assert state.style().text == "state 7" and state.severity == 0


def test_equipment_is_filled_when_running_and_takes_the_alarm_of_its_alarm_tag(
    tmp_path, project, qapp
):
    scene, (motor, pump) = build(
        tmp_path,
        project,
        """\
symbols:
  - {type: motor, at: [0, 0], tag: line1.running, alarm_tag: line1.cmd_start}
  - {type: pump, at: [200, 0], tag: line1.state, on_values: [2]}
""",
        qapp,
    )
    motor.set_value("line1.running", good(False))
    motor.set_value("line1.cmd_start", good(False))
    pump.set_value("line1.state", good(1))
    stopped = count_color(render(scene), DEFAULT_THEME.running)
    assert not motor.is_on() and not pump.is_on() and motor.severity == 0
    motor.set_value("line1.running", good(True))
    pump.set_value("line1.state", good(2))
    assert motor.is_on() and pump.is_on()
    assert count_color(render(scene), DEFAULT_THEME.running) > stopped + 500
    motor.set_value("line1.cmd_start", good(True))
    assert motor.severity == 0  # the flag alone colours nothing
    motor.set_alarm_state("start.stuck", 2, TagValue("acked"))
    assert motor.severity == 2


def test_a_device_takes_the_priority_of_its_communication_alarm_and_online_is_grey(
    tmp_path, project, qapp
):
    project.devices["plc"] = DeviceConfig("plc", "fake", line="line1", description="Press PLC")
    _, (device,) = build(
        tmp_path, project, "symbols:\n  - {type: device, at: [0, 0], device: plc}\n", qapp
    )
    assert device.label() == "Press PLC"
    device.set_value("_sys.device.plc", bad("connection refused", "offline"))
    assert device.severity == 0  # down, but the alarm system has said nothing
    device.set_alarm_state("plc.comm", 2, TagValue("unacked"))
    assert device.severity == 2 and device.value_text == "offline"
    device.set_value("_sys.device.plc", good("online"))
    assert device.severity == 0


def test_device_names_are_their_description_or_a_readable_name(project):
    assert device_name(project, "press_plc") == "Press PLC"
    assert device_name(project, "filler-vfd.2") == "Filler VFD 2"
    project.devices["press_plc"] = DeviceConfig("press_plc", "fake", description="Press PLC 1")
    assert device_name(project, "press_plc") == "Press PLC 1"


def test_numbers_get_units_and_sensible_decimals(tmp_path, project, qapp):
    _, (value, count) = build(
        tmp_path,
        project,
        """\
symbols:
  - {type: value, at: [0, 0], tag: line1.speed}
  - {type: value, at: [0, 100], tag: line1.count, units: pcs}
""",
        qapp,
    )
    value.set_value("line1.speed", good(12.345))
    count.set_value("line1.count", good(1234567))
    assert value.format(value.main) == "12.3 mm/s"
    assert count.format(count.main) == "1\u2009234\u2009567 pcs"
    assert format_number(None, 2) == "----" and format_number(True, None) == "on"
    assert format_number(math.inf, 1) == "—" and format_number(math.nan, None) == "—"


def test_numbers_as_people_read_them(tmp_path, project, qapp):
    project.tags["line1.length"] = dev_tag("line1.length", units="mm")
    project.tags["line1.ratio"] = dev_tag("line1.ratio", units="%", decimals=0)
    project.extra["enums"] = Section(
        "enums", parse_yaml("fault: {0: None, 101: Overpressure}"), Source("project.yaml", 1)
    )
    _, (die, length, ratio, fault) = build(
        tmp_path,
        project,
        """\
symbols:
  - {type: value, at: [0, 0], tag: line1.count, format: id}
  - {type: value, at: [0, 100], tag: line1.length, units: km}
  - {type: value, at: [0, 200], tag: line1.ratio, idle_when: "not line1.running"}
  - {type: value, at: [0, 300], tag: line1.state, enum: fault}
""",
        qapp,
    )
    die.set_value("line1.count", good(1204))
    assert die.display_text() == "1204"  # an identifier: no separator
    length.set_value("line1.length", good(9_876_543_210_000))
    assert length.display_text() == "9\u2009876\u2009543 km"  # not 13 digits of mm
    length.set_value("line1.length", good(987_654_321))
    assert length.display_text() == "987.7 km"
    assert ratio.tags == ["line1.ratio", "line1.running"]
    ratio.set_value("line1.ratio", good(-667.0))
    ratio.set_value("line1.running", good(False))
    assert ratio.display_text() == "—"  # an idle machine has no ratio
    ratio.set_value("line1.running", good(True))
    assert ratio.display_text() == "-667 %"
    ratio.set_value("line1.ratio", good(math.inf))
    assert ratio.display_text() == "—"
    assert ratio.quality is Quality.GOOD  # the idle input is not what the symbol shows
    fault.set_value("line1.state", good(101))
    assert fault.display_text() == "Overpressure"
    fault.set_value("line1.state", good(105))
    assert fault.display_text() == "code 105"


def test_a_bar_scale_has_its_numbers(tmp_path, project, qapp, monkeypatch):
    scene, _ = build(
        tmp_path,
        project,
        "symbols:\n  - {type: bar, at: [100, 10], size: [60, 220], tag: line1.temp}\n",
        qapp,
    )
    plain = render(scene)
    drawn = []
    real = indicators.draw_text

    def draw_text(painter, theme, rect, text, *args, **kwargs):
        drawn.append(text)
        real(painter, theme, rect, text, *args, **kwargs)

    monkeypatch.setattr(indicators, "draw_text", draw_text)
    scene.redraw_statics()
    render(scene)
    assert {"0", "420", "510", "530", "600"} <= set(drawn)  # the ends and each alarm limit
    assert sum(coloured_pixels(plain).values()) == 0


def test_sparkline_keeps_only_its_window(tmp_path, project, qapp):
    screen = screen_from_yaml(
        tmp_path,
        project,
        """\
symbols:
  - {type: sparkline, at: [0, 0], tag: line1.temp, seconds: 10}
""",
    )
    now = [1000.0]
    spark = create_symbol(screen.symbols[0], SymbolContext(project, clock=lambda: now[0]))
    scene = QGraphicsScene()
    scene.addItem(spark)
    for i in range(30):
        spark.set_value("line1.temp", TagValue(float(i), ts=1000.0 + i))
    now[0] = 1030.0
    render(scene)
    assert 10 <= len(spark.samples) <= 12


@pytest.fixture
def recorded(tmp_path):
    """Ten minutes of line1.temp, one point a second, ending now; a Bad stretch in it."""
    writer = Writer(tmp_path / "data" / "hmi.db")
    migrate(writer.conn, "historian", SCHEMA)
    ids = register_tags(writer.conn, {"line1.temp": 0})
    writer.start()
    end = 1_700_000_000.0
    rows = []
    for s in range(600):
        value, flags = encode(400.0 + s / 10)
        rows.append((ids["line1.temp"], int((end - 600 + s) * 1000), value, flags))
    rows[300] = (*rows[300][:3], 2)  # Bad: left out
    writer.submit(InsertJob(rows, [], [], 1, frozenset(ids.values())))
    assert writer.flush(30)
    query = HistoryQuery(writer.path)
    yield query, end
    query.close()
    writer.stop()


def test_a_sparkline_opens_with_its_past_from_the_history(tmp_path, project, qtbot, recorded):
    query, end = recorded
    screen = screen_from_yaml(
        tmp_path,
        project,
        "symbols:\n  - {type: sparkline, at: [0, 0], tag: line1.temp, seconds: 120}\n",
    )
    context = SymbolContext(project, clock=lambda: end)
    spark = create_symbol(screen.symbols[0], context)
    spark.set_value("line1.temp", TagValue(460.0, ts=end - 0.5))  # live, before the past came
    owner = QObject()
    fill = HistoryFill([spark], query, end, owner)
    qtbot.waitUntil(lambda: fill.done, timeout=5000)
    times = [t for t, _ in spark.samples]
    assert times == sorted(times) and len(times) >= 120
    assert times[0] <= end - 120  # from the window's start (the point before it included)
    assert spark.samples[-1] == (end - 0.5, 460.0)  # the live value stays the newest
    assert spark.samples[-2][1] == pytest.approx(400.0 + 599 / 10)
