import pytest
from PySide6.QtWidgets import QGraphicsScene

from hmi.core.screens import SYMBOL_TYPES
from hmi.core.tags import Quality, TagValue, bad, good, uncertain
from hmi.ui.scene import SymbolScene
from hmi.ui.symbols import SYMBOL_CLASSES, SymbolContext, create_symbol
from hmi.ui.symbols.painting import format_number
from hmi.ui.theme import DEFAULT_THEME
from tests.ui.pictures import coloured_pixels, count_color, render, screen_from_yaml

ANALOG = """\
symbols:
  - type: analog
    at: [10, 10]
    size: [400, 120]
    tag: line1.temp
    label: Billet
    normal: [450, 500]
    limits: {lo: 420, hi: 510, hihi: {value: 530, priority: 1}}
"""


def build(tmp_path, project, text, qapp):
    screen = screen_from_yaml(tmp_path, project, text)
    context = SymbolContext(project)
    scene = SymbolScene()
    scene.setSceneRect(0, 0, 480, 240)
    symbols = [scene.add_symbol(create_symbol(d, context)) for d in screen.symbols]
    return scene, symbols


def test_every_symbol_type_of_the_file_format_has_a_class():
    assert set(SYMBOL_CLASSES) == set(SYMBOL_TYPES)


@pytest.mark.parametrize(
    ("value", "severity"),
    [(470.0, 0), (415.0, 3), (512.0, 3), (531.0, 1), (bad("offline", 531.0), 0)],
)
def test_analog_alarm_priority_follows_the_limits_on_good_data(
    tmp_path, project, qapp, value, severity
):
    _, (analog,) = build(tmp_path, project, ANALOG, qapp)
    tv = value if isinstance(value, TagValue) else good(value)
    analog.set_value("line1.temp", tv)
    assert analog.severity == severity


def test_normal_values_are_grey_and_an_alarm_shows_its_priority_colour(tmp_path, project, qapp):
    scene, (analog,) = build(tmp_path, project, ANALOG, qapp)
    analog.set_value("line1.temp", good(470.0))
    assert sum(coloured_pixels(render(scene)).values()) == 0
    analog.set_value("line1.temp", good(535.0))
    image = render(scene)
    assert count_color(image, DEFAULT_THEME.alarm[1], step=2) > 50
    assert coloured_pixels(image)["green"] == 0


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


def test_state_text_fill_and_alarm(tmp_path, project, qapp):
    _, (state,) = build(
        tmp_path,
        project,
        """\
symbols:
  - type: state
    at: [0, 0]
    tag: line1.state
    states: {0: Stopped, 2: {text: Running, filled: true}, 3: {text: Fault, priority: 1}}
""",
        qapp,
    )
    state.set_value("line1.state", good(2))
    assert state.style().text == "Running" and state.style().filled and state.severity == 0
    state.set_value("line1.state", good(3))
    assert state.style().text == "Fault" and state.severity == 1
    state.set_value("line1.state", good(7))
    assert state.style().text == "state 7" and state.severity == 0


def test_equipment_is_filled_when_running_and_alarm_tag_raises_its_priority(
    tmp_path, project, qapp
):
    scene, (motor, pump) = build(
        tmp_path,
        project,
        """\
symbols:
  - {type: motor, at: [0, 0], tag: line1.running, alarm_tag: line1.cmd_start, alarm_priority: 2}
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
    assert motor.severity == 2


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
