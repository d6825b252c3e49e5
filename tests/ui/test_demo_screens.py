"""The shipped screens against the shipped demo project, rendered and looked at."""

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from hmi.core.driver import DeviceState, DeviceStatus
from hmi.core.engine import TagEngine
from hmi.core.paths import demo_project_dir, install_root
from hmi.core.screens import load_screens
from hmi.core.tags import bad, good
from hmi.ui.screenshot import render_screen_png
from tests.ui.demo_values import NORMAL
from tests.ui.pictures import coloured_pixels

DEMO = demo_project_dir() / "project.yaml"
pytestmark = pytest.mark.skipif(not DEMO.is_file(), reason="the demo project is not there")


@pytest.fixture(scope="module")
def demo():
    from hmi.core.project.loader import load_project

    return load_project(DEMO)


def demo_engine(demo, *, filler_offline=False, overpressure=False) -> TagEngine:
    engine = TagEngine(demo)
    values = {k: v for k, v in NORMAL.items() if k in demo.tags}
    if overpressure:
        values.update({"line1.ram_pressure": 325.0, "line1.state": 3, "line1.fault": True})
    engine.publish({name: good(value) for name, value in values.items()})
    engine.device_state(DeviceState("press_plc", DeviceStatus.ONLINE))
    if filler_offline:
        engine.device_state(DeviceState("filler_plc", DeviceStatus.OFFLINE, "connection refused"))
        engine.publish(
            {k: bad("device offline", v) for k, v in values.items() if k.startswith("line2.")}
        )
    else:
        engine.device_state(DeviceState("filler_plc", DeviceStatus.ONLINE))
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
    assert colours["magenta"] > 100  # priority 4: the filler PLC is offline
    assert colours["green"] == 0 and colours["blue"] == 0


def test_screenshot_of_an_unknown_screen_says_which_exist(qapp, demo, tmp_path):
    with pytest.raises(LookupError, match="overview"):
        render_screen_png(demo, demo_engine(demo), "nope", tmp_path / "x.png")
    assert not Path(tmp_path / "x.png").exists()
