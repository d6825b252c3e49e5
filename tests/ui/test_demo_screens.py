"""The shipped screens against the shipped demo project, rendered and looked at."""

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from hmi.core.driver import DeviceState, DeviceStatus
from hmi.core.engine import TagEngine
from hmi.core.paths import demo_project_dir, install_root
from hmi.core.screens import load_screens
from hmi.core.tags import TagValue, bad, good
from hmi.ui.screenshot import render_screen_png
from tests.ui.demo_values import NORMAL
from tests.ui.pictures import coloured_pixels
from tests.ui.windows import make_window

DEMO = demo_project_dir() / "project.yaml"
pytestmark = pytest.mark.skipif(not DEMO.is_file(), reason="the demo project is not there")


@pytest.fixture(scope="module")
def demo():
    from hmi.core.project.loader import load_project

    return load_project(DEMO)


#: what the alarm manager publishes for the abnormal plant below
TRIPPED = {
    "_sys.alarm.line1.ram_pressure.hihi": "unacked",
    "_sys.alarm.line1.fault.state": "unacked",
    "_sys.alarm.filler_plc.comm": "unacked",
    "_sys.alarms.line1.listed_count": 2,
    "_sys.alarms.line2.listed_count": 1,
}


def demo_engine(demo, *, filler_offline=False, overpressure=False, alarms=True) -> TagEngine:
    engine = TagEngine(demo)
    values = {k: v for k, v in NORMAL.items() if k in demo.tags}
    if overpressure:
        values.update(
            {
                "line1.ram_pressure": 325.0,
                "line1.state": 3,
                "line1.fault": True,
                "line1.fault_code": 101,
            }
        )
    engine.publish({name: good(value) for name, value in values.items()})
    engine.device_state(DeviceState("press_plc", DeviceStatus.ONLINE))
    if filler_offline:
        engine.device_state(DeviceState("filler_plc", DeviceStatus.OFFLINE, "connection refused"))
        engine.publish(
            {k: bad("device offline", v) for k, v in values.items() if k.startswith("line2.")}
        )
    else:
        engine.device_state(DeviceState("filler_plc", DeviceStatus.ONLINE))
    if alarms:  # the alarm manager's word: the only source of colour
        tripped = filler_offline or overpressure
        calm = {"_sys.alarms.line1.listed_count": 0, "_sys.alarms.line2.listed_count": 0}
        states = TRIPPED if tripped else calm
        engine.publish_system({name: TagValue(value) for name, value in states.items()})
    return engine


def test_demo_screens_load_without_problems(demo):
    screens, problems = load_screens(install_root() / "screens", demo)
    assert [str(p) for p in problems] == []
    assert {"overview", "line1_press", "line2_filling", "line1_detail", "line2_detail"} <= {
        s.name for s in screens
    }
    assert screens.home.name == "overview"
    used = set().union(*(s.tags for s in screens))
    assert {"line1.billet_temp", "line1.ram_pressure", "line2.tank_level"} <= used


@pytest.mark.parametrize("name", ["overview", "line1_press", "line2_filling", "line1_detail"])
def test_a_calm_plant_has_nothing_coloured(qapp, demo, tmp_path, name):
    out = tmp_path / f"{name}.png"
    render_screen_png(demo, demo_engine(demo), name, out, size=(1280, 800))
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    assert sum(coloured_pixels(image, step=3).values()) == 0


def test_the_abnormal_stands_out_in_its_alarm_colours(qapp, demo, tmp_path):
    out = tmp_path / "overview.png"
    engine = demo_engine(demo, filler_offline=True, overpressure=True)
    render_screen_png(demo, engine, "overview", out, size=(1920, 1080))
    colours = coloured_pixels(QImage(str(out)), step=3)
    assert colours["red"] > 200  # priority 1: overpressure, press fault
    assert colours["orange"] > 100  # priority 2: the filler PLC's communication alarm
    assert colours["green"] == 0 and colours["blue"] == 0 and colours["yellow"] == 0


@pytest.mark.parametrize("name", ["overview", "line1_press", "line2_filling"])
def test_nothing_is_coloured_while_the_alarm_system_says_nothing(qapp, demo, tmp_path, name):
    """Values beyond every limit and a device down, but no alarm published: grey."""
    out = tmp_path / f"{name}.png"
    engine = demo_engine(demo, filler_offline=True, overpressure=True, alarms=False)
    engine.publish({"line1.scrap_rate": good(9.0), "line1.die_temp": good(530.0)})
    render_screen_png(demo, engine, name, out, size=(1280, 800))
    assert sum(coloured_pixels(QImage(str(out)), step=3).values()) == 0


@pytest.fixture
def press_screen(qtbot, demo):
    window = make_window(qtbot, demo, demo_engine(demo), install_root() / "screens")
    window.go_to("line1_press")
    window.bridge.flush()
    qtbot.waitUntil(lambda: symbol_of(window, "line1.die_number").main is not None)
    return window


def symbol_of(window, tag, kind=None):
    return next(
        s
        for s in window.host.current.symbols
        if s.tag == tag and (kind is None or s.definition.type == kind)
    )


def test_the_press_screen_reads_as_people_read_it(press_screen):
    window = press_screen
    assert symbol_of(window, "line1.die_number").value_text == "1204"  # an identifier
    assert symbol_of(window, "line1.alloy").value_text == "6063"
    assert symbol_of(window, "line1.extruded_length").value_text == "987.7 km"
    assert symbol_of(window, "line1.energy").value_text == "815.4 MWh"
    assert symbol_of(window, "line1.fault_code").value_text == "None"  # the code's words
    assert symbol_of(window, "line1.state").value_text == "Running"
    ratio = symbol_of(window, "line1.speed_ratio")
    assert ratio.value_text == "98 %"
    window.bridge.engine.publish({"line1.ram_advancing": good(False)})
    window.bridge.flush()
    assert ratio.value_text == "—"  # the ram retracts: no ratio to show


def test_ticks_sit_at_the_alarm_limits_of_the_project(press_screen):
    window = press_screen
    assert sorted(symbol_of(window, "line1.ram_pressure", "analog").marks()) == [290.0, 310.0]
    assert sorted(symbol_of(window, "line1.die_temp", "analog").marks()) == [420.0, 500.0, 520.0]
    billet = symbol_of(window, "line1.billet_temp", "analog")
    assert billet.marks() == []  # a deviation alarm: its ticks move with the setpoint
    assert sorted(billet.moving_marks()) == [(465.0, 3), (495.0, 3)]


def test_screenshot_of_an_unknown_screen_says_which_exist(qapp, demo, tmp_path):
    with pytest.raises(LookupError, match="overview"):
        render_screen_png(demo, demo_engine(demo), "nope", tmp_path / "x.png")
    assert not Path(tmp_path / "x.png").exists()


def test_codes_read_in_the_operators_language_and_switch_live(qtbot, press_screen):
    from PySide6.QtWidgets import QApplication

    from hmi.ui.i18n import set_language

    window = press_screen
    fault = symbol_of(window, "line1.fault_code")
    state = symbol_of(window, "line1.state")
    try:
        assert set_language("it")
        QApplication.processEvents()
        qtbot.waitUntil(lambda: fault.value_text == "Nessuno", timeout=2000)
        assert state.value_text == "In marcia"  # from the project's i18n/it.yaml
        window.bridge.engine.publish({"line1.fault_code": good(101)})
        window.bridge.flush()
        assert fault.value_text == "Sovrapressione"
    finally:
        set_language("en")
        QApplication.processEvents()
    qtbot.waitUntil(lambda: fault.value_text == "Overpressure", timeout=2000)
