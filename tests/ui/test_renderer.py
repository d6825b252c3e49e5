from pathlib import Path

from hmi.core.tags import good
from hmi.ui.bridge import TagBridge
from hmi.ui.renderer import ScreenHost
from hmi.ui.symbols import SymbolContext
from tests.ui.pictures import count_color, render

SCREEN = """\
screen: {{name: main, level: 1}}
symbols:
  - {{type: value, at: [100, 100], tag: {tag}, label: Temperature}}
  - {{type: setpoint, at: [400, 100], size: [60, 30], tag: line1.speed_sp}}
"""


def make_host(qtbot, engine, project, folder: Path, *, watch: bool = False, touch: bool = False):
    bridge = TagBridge(engine, rate_hz=20)
    bridge.start()
    host = ScreenHost(project, bridge, folder, SymbolContext(project, touch=touch), watch=watch)
    qtbot.addWidget(host)
    host.resize(960, 540)
    host.show()
    return host, bridge


def test_screen_symbols_follow_the_engine(qtbot, engine, project, tmp_path):
    (tmp_path / "main.yaml").write_text(SCREEN.format(tag="line1.temp"), encoding="utf-8")
    host, _ = make_host(qtbot, engine, project, tmp_path)
    assert host.show_screen("main")
    value = host.current.symbols[0]
    engine.publish({"line1.temp": good(451.5)})
    qtbot.waitUntil(lambda: value.main is not None and value.main.value == 451.5, timeout=2000)
    assert not host.show_screen("nope")


def test_switching_screens_unbinds_the_old_one(qtbot, engine, project, tmp_path):
    (tmp_path / "main.yaml").write_text(SCREEN.format(tag="line1.temp"), encoding="utf-8")
    (tmp_path / "other.yaml").write_text(
        "symbols:\n  - {type: value, at: [0, 0], tag: line1.speed}\n", encoding="utf-8"
    )
    host, bridge = make_host(qtbot, engine, project, tmp_path)
    host.show_screen("main")
    assert {"line1.temp", "line1.speed_sp"} <= bridge.bound_tags
    host.show_screen("other")
    assert bridge.bound_tags == {"line1.speed"}
    assert host.switch_seconds > 0


def test_view_scales_to_fit_without_distorting(qtbot, engine, project, tmp_path):
    (tmp_path / "main.yaml").write_text(SCREEN.format(tag="line1.temp"), encoding="utf-8")
    host, _ = make_host(qtbot, engine, project, tmp_path)
    host.show_screen("main")
    for width, height in ((960, 540), (1280, 800), (600, 900)):
        host.resize(width, height)
        qtbot.waitUntil(lambda w=width: host.view.width() == w, timeout=1000)
        transform = host.view.transform()
        assert transform.m11() == transform.m22()  # uniform: circles stay circles
        visible = host.view.mapFromScene(host.current.sceneRect()).boundingRect()
        assert visible.width() <= host.view.viewport().width() + 2
        assert visible.height() <= host.view.viewport().height() + 2
        assert (
            max(
                visible.width() / host.view.viewport().width(),
                visible.height() / host.view.viewport().height(),
            )
            > 0.97
        )  # fills one side


def test_touch_targets_grow_to_the_minimum_size(qtbot, engine, project, tmp_path):
    (tmp_path / "main.yaml").write_text(SCREEN.format(tag="line1.temp"), encoding="utf-8")
    host, _ = make_host(qtbot, engine, project, tmp_path, touch=True)
    host.view.min_target_px = 48
    host.show_screen("main")
    setpoint = host.current.symbols[1]
    on_screen = host.view.mapFromScene(setpoint.mapToScene(setpoint.target_rect())).boundingRect()
    assert on_screen.width() >= 47 and on_screen.height() >= 47


def test_hot_reload_keeps_the_last_good_version_and_shows_the_problem(
    qtbot, engine, project, tmp_path
):
    path = tmp_path / "main.yaml"
    path.write_text(SCREEN.format(tag="line1.temp"), encoding="utf-8")
    host, _ = make_host(qtbot, engine, project, tmp_path, watch=True)
    host.show_screen("main")
    first = host.current
    path.write_text(SCREEN.format(tag="line1.tmep"), encoding="utf-8")
    qtbot.waitUntil(lambda: host.problems != [], timeout=5000)
    assert host.current is first  # still the good version
    assert host.current.symbols[0].tag == "line1.temp"
    assert "unknown tag 'line1.tmep'" in host.problem_label.text()
    assert host.problem_label.isVisibleTo(host)
    path.write_text(SCREEN.format(tag="line1.speed"), encoding="utf-8")
    qtbot.waitUntil(lambda: host.current is not first and host.problems == [], timeout=5000)
    assert host.current.symbols[0].tag == "line1.speed"
    assert not host.problem_label.isVisibleTo(host)


def test_a_file_broken_beyond_parsing_keeps_its_screens(qtbot, engine, project, tmp_path):
    path = tmp_path / "main.yaml"
    path.write_text(SCREEN.format(tag="line1.temp"), encoding="utf-8")
    host, _ = make_host(qtbot, engine, project, tmp_path)
    host.show_screen("main")
    path.write_text("symbols: [", encoding="utf-8")
    host.reload()
    assert "main" in host.screens and host.current.screen.name == "main"
    assert "YAML syntax error" in host.problem_label.text()


def test_an_svg_background_is_drawn_behind_the_symbols(qtbot, engine, project, tmp_path):
    (tmp_path / "plant.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="192" height="96">'
        '<rect x="0" y="0" width="192" height="96" fill="#999999"/></svg>',
        encoding="utf-8",
    )
    (tmp_path / "main.yaml").write_text(
        "screen: {background: plant.svg}\nsymbols: []\n", encoding="utf-8"
    )
    host, _ = make_host(qtbot, engine, project, tmp_path)
    host.show_screen("main")
    scene = host.current
    assert scene.svg is not None and scene.svg_rect().width() == 1920  # scaled to the design
    image = render(scene, 192, 96)
    assert count_color(image, "#999999", step=4) > 200  # drawn as the background


def test_only_visible_changes_repaint_and_static_parts_are_drawn_once(
    qtbot, engine, project, tmp_path, monkeypatch
):
    from hmi.ui.symbols.indicators import Labelled

    drawn = []
    original = Labelled.paint_static
    monkeypatch.setattr(
        Labelled,
        "paint_static",
        lambda self, painter: (drawn.append(self), original(self, painter)),
    )
    (tmp_path / "main.yaml").write_text(SCREEN.format(tag="line1.temp"), encoding="utf-8")
    host, bridge = make_host(qtbot, engine, project, tmp_path)
    host.show_screen("main")
    engine.publish({"line1.temp": good(451.5)})
    qtbot.waitUntil(lambda: host.current.symbols[0].value_text == "451.5 °C", timeout=2000)
    qtbot.waitUntil(lambda: len(host.view.paint_times) > 0, timeout=2000)
    statics_drawn = len(drawn)
    assert statics_drawn >= 1  # label and value frame went into the cached background
    frames = len(host.view.paint_times)
    engine.publish({"line1.temp": good(451.52)})  # shown with one decimal: looks the same
    qtbot.waitUntil(lambda: bridge.value("line1.temp").value == 451.52, timeout=2000)
    qtbot.wait(60)
    assert len(host.view.paint_times) == frames
    for step in range(5):
        engine.publish({"line1.temp": good(460.0 + step)})
        qtbot.waitUntil(
            lambda s=step: host.current.symbols[0].value_text == f"{460 + s:.1f} °C", timeout=2000
        )
    qtbot.waitUntil(lambda: len(host.view.paint_times) > frames, timeout=2000)
    assert len(drawn) == statics_drawn  # values changed, the background did not


def test_a_hidden_screen_lets_go_of_its_tags_and_catches_up_when_shown(
    qtbot, engine, project, tmp_path
):
    (tmp_path / "main.yaml").write_text(
        SCREEN.format(tag="line1.temp")
        + "  - {type: sparkline, at: [100, 300], tag: line1.speed}\n",
        encoding="utf-8",
    )
    host, bridge = make_host(qtbot, engine, project, tmp_path)
    host.show_screen("main")
    assert {"line1.temp", "line1.speed_sp", "line1.speed"} <= bridge.bound_tags
    host.hide()
    assert bridge.bound_tags == {"line1.speed"}  # a trend keeps its history
    engine.publish({"line1.temp": good(470.0), "line1.speed": good(3.0)})
    qtbot.waitUntil(lambda: bridge.value("line1.temp") is not None, timeout=2000)
    qtbot.waitUntil(lambda: host.current.symbols[2].main is not None, timeout=2000)
    assert host.current.symbols[0].main is None  # nothing delivered while hidden
    host.show()
    assert host.current.symbols[0].main.value == 470.0  # brought up to date at once
