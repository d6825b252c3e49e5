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
