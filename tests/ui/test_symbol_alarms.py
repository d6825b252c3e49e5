"""A symbol shows the alarm state of its tag as the alarm manager has it."""

from hmi.core.project.loader import Section
from hmi.core.project.models import Source
from hmi.core.project.yamlsrc import parse_yaml
from hmi.core.tags import TagValue, good
from tests.ui.windows import make_window, write_screens


def test_a_symbol_takes_the_priority_of_its_standing_alarm(qtbot, project, engine, tmp_path):
    project.extra["alarms"] = Section(
        "alarms", parse_yaml("- {tag: line1.speed, hi: 20, priority: 2}"), Source("p.yaml", 1)
    )
    window = make_window(qtbot, project, engine, write_screens(tmp_path))
    window.show()
    window.host.show_screen("other")
    speed = next(s for s in window.host.current.symbols if s.tag == "line1.speed")
    engine.publish({"line1.speed": good(22.0)})
    qtbot.waitUntil(lambda: speed.main is not None, timeout=2000)
    assert speed.severity == 0  # the screen file gives no limits: only the manager says

    engine.publish_system({"_sys.alarm.line1.speed.hi": TagValue("unacked")})
    qtbot.waitUntil(lambda: speed.severity == 2, timeout=2000)
    engine.publish_system({"_sys.alarm.line1.speed.hi": TagValue("shelved")})
    qtbot.waitUntil(lambda: speed.severity == 0, timeout=2000)
    engine.publish_system({"_sys.alarm.line1.speed.hi": TagValue("acked")})
    qtbot.waitUntil(lambda: speed.severity == 2, timeout=2000)
    engine.publish_system({"_sys.alarm.line1.speed.hi": TagValue("normal")})
    qtbot.waitUntil(lambda: speed.severity == 0, timeout=2000)


ALARMS = """\
- tag: line1.temp
  hi: {limit: 510, cause: Heater runs away, action: Switch the heater off}
  hihi: {limit: 530, priority: 1}
  consequence: The billet sticks in the container
- device: plc
  priority: 2
"""


def test_limits_help_and_device_chips_come_from_the_alarm_definitions(
    qtbot, project, engine, tmp_path
):
    project.extra["alarms"] = Section("alarms", parse_yaml(ALARMS), Source("p.yaml", 1))
    (tmp_path / "gauge.yaml").write_text(
        "screen: {name: gauge, level: 1}\nsymbols:\n"
        "  - {type: analog, at: [10, 10], size: [400, 120], tag: line1.temp, label: Billet}\n",
        encoding="utf-8",
    )
    window = make_window(qtbot, project, engine, tmp_path)
    window.go_to("gauge")
    gauge = window.host.current.symbols[0]
    assert sorted(gauge.marks()) == [510.0, 530.0]  # ticks where the alarms are
    engine.publish({"line1.temp": good(520.0)})
    qtbot.waitUntil(lambda: gauge.main is not None, timeout=2000)
    assert gauge.severity == 0  # beyond the limit, but the alarm system says nothing yet

    faceplate = window.operator.open_faceplate("line1.temp", window.panel, window, symbol=gauge)
    help_text = faceplate.alarm_help.text()
    assert "high 510 °C · priority 3" in help_text and "very high 530 °C" in help_text
    assert "Heater runs away" in help_text and "Switch the heater off" in help_text
    assert help_text.count("The billet sticks in the container") == 1  # shared: read once
    assert "ACTIVE" not in help_text
    engine.publish_system({"_sys.alarm.line1.temp.hi": TagValue("unacked")})
    qtbot.waitUntil(lambda: "ACTIVE" in faceplate.alarm_help.text(), timeout=2000)
    assert faceplate.alarm_help.text().index("ACTIVE") < faceplate.alarm_help.text().index(
        "very high"
    )  # the active one first
    qtbot.waitUntil(lambda: gauge.severity == 3, timeout=2000)
    faceplate.close()

    chip = window.header.chips["plc"]
    assert chip.text().startswith("PLC")  # a readable name, not the configuration key
    engine.publish_system({"_sys.alarm.plc.comm": TagValue("unacked")})
    qtbot.waitUntil(lambda: chip.alarm == 2, timeout=2000)
    engine.publish_system({"_sys.alarm.plc.comm": TagValue("normal")})
    qtbot.waitUntil(lambda: chip.alarm == 0 and chip.property("severity") == 0, timeout=2000)
