"""Screens made for their station, measured on the real widgets: the demo's screens at
1280 x 800 in the touch profile (at the offscreen monitor's dpi and at a 10.1" panel's),
and at 1920 x 1080 on the desk; the chrome, the alarm banner growing and shrinking, the
kiosk window, and trend windows that keep clear of the banner."""

from __future__ import annotations

import dataclasses
import itertools
import time
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMenu, QPushButton

from hmi.core.paths import demo_project_dir, install_root
from hmi.core.plugins import DriverRegistry
from hmi.core.project.loader import load_project
from hmi.core.runtime import Runtime
from hmi.core.tags import good
from hmi.ui.app import show_window
from hmi.ui.bridge import TagBridge
from hmi.ui.profile import make_profile
from hmi.ui.shell import MainWindow
from hmi.ui.theme import Theme
from tests.ui.conftest import MemoryDriver
from tests.ui.demo_values import NORMAL

DEMO = demo_project_dir() / "project.yaml"
PANEL_DPI = 149.0  # a 10.1" 1280 x 800 touch panel
LABEL_PX, VALUE_PX, TARGET_MM, GAP_MM, CHROME_SHARE = 16, 22, 9.0, 2.0, 0.15
TOUCH_SCREENS = ("overview", "line1_press", "line2_filling", "line1_detail", "line2_detail")
DESK_SCREENS = ("overview", "line1_press", "line2_filling")  # the details are popups
NOT_TARGETS = ("pipe", "frame", "text")  # drawn, not touched

pytestmark = pytest.mark.skipif(not DEMO.is_file(), reason="the demo project is not there")


@dataclass(frozen=True)
class RecordingTheme(Theme):
    """The theme, noting the smallest pixel size (design units) each text is drawn at."""

    drawn: dict = field(default_factory=dict, compare=False, repr=False)

    def text_layout(self, text, pixel_size, bold, width):
        found = super().text_layout(text, pixel_size, bold, width)
        size = found[0].pixelSize()
        self.drawn[text] = min(size, self.drawn.get(text, size))
        return found


@pytest.fixture
def plant(tmp_path):
    """The demo project on in-memory devices: its real runtime (alarms, history) with
    every tag at a normal value."""
    demo = load_project(DEMO)
    devices = {
        name: dataclasses.replace(device, protocol="memory", options={})
        for name, device in demo.devices.items()
    }
    project = dataclasses.replace(demo, devices=devices)
    runtime = Runtime(project, tmp_path / "data", registry=DriverRegistry({"memory": MemoryDriver}))
    runtime.start()
    runtime.engine.publish({k: good(v) for k, v in NORMAL.items() if k in project.tags})
    yield runtime
    runtime.stop()


def open_window(qtbot, runtime, station: str, size, dpi=None, theme=None) -> MainWindow:
    bridge = TagBridge(runtime.live, rate_hz=20)
    window = MainWindow(
        runtime.project,
        bridge,
        install_root() / "screens",
        profile=make_profile(station, dpi=dpi),
        writer=runtime,
        theme=theme or Theme(),
        watch=False,
        services=runtime.services,
    )
    qtbot.addWidget(window)
    bridge.start()
    window.resize(*size)
    window.start()
    window.show()
    qtbot.waitExposed(window)
    return window


def settle(qtbot, window) -> None:
    qtbot.wait(150)
    window.bridge.flush()
    qtbot.wait(50)


def banner(window):
    return window.view("alarms").views.banner


def chrome_share(window) -> float:
    """Everything above the screen is chrome: header, navigation, banner."""
    return window.host.view.mapTo(window, QPoint(0, 0)).y() / window.height()


def text_sizes(qtbot, window, theme: RecordingTheme, screen: str) -> tuple[list, list]:
    """The labels and the values on ``screen`` as drawn: (what, device px) each."""
    window.go_to(screen)
    settle(qtbot, window)
    theme.drawn.clear()
    window.host.view.resetCachedContent()  # draw it all again, the background too
    for symbol in window.host.current.symbols:
        symbol.update()
    window.grab()
    scale = window.host.view.scale_factor
    labels, values = [], []
    for symbol in window.host.current.symbols:
        name = f"{screen}: {symbol.definition.type} '{symbol.label() or symbol.tag}'"
        label = symbol.label()
        if label and label in theme.drawn:
            labels.append((f"{name} label", theme.drawn[label] * scale))
        value = symbol.value_text
        if value and value in theme.drawn and value != label:
            values.append((f"{name} value '{value}'", theme.drawn[value] * scale))
    return labels, values


@pytest.mark.parametrize("dpi", [None, PANEL_DPI], ids=["monitor-dpi", "panel-149dpi"])
def test_touch_screens_at_1280x800_are_read_from_a_metre_and_a_half(qtbot, plant, dpi):
    theme = RecordingTheme()
    window = open_window(qtbot, plant, "touch", (1280, 800), dpi, theme)
    small = []
    for screen in TOUCH_SCREENS:
        labels, values = text_sizes(qtbot, window, theme, screen)
        assert len(labels) >= 5 and len(values) >= 4, f"{screen}: too little measured"
        small += [f"{what}: {px:.1f} px" for what, px in labels if px < LABEL_PX]
        small += [f"{what}: {px:.1f} px" for what, px in values if px < VALUE_PX]
    assert small == [], "\n".join(small)


@pytest.mark.parametrize("dpi", [None, PANEL_DPI], ids=["monitor-dpi", "panel-149dpi"])
def test_touch_targets_are_9_mm_at_the_panels_dpi_and_the_calm_chrome_15_percent(qtbot, plant, dpi):
    window = open_window(qtbot, plant, "touch", (1280, 800), dpi)
    profile = window.profile
    assert profile.dpi == pytest.approx(
        dpi or QGuiApplication.primaryScreen().physicalDotsPerInch()
    )
    small = []
    for screen in TOUCH_SCREENS:
        window.go_to(screen)
        settle(qtbot, window)
        assert banner(window).calm, "a normal plant has no alarm"
        assert chrome_share(window) <= CHROME_SHARE, f"{screen}: chrome {chrome_share(window):.1%}"
        scale = window.host.view.scale_factor
        for symbol in window.host.current.symbols:
            touched = symbol.interactive or symbol.activatable
            if not touched or symbol.definition.type in NOT_TARGETS:
                continue
            body = symbol.body()
            w, h = profile.mm(body.width() * scale), profile.mm(body.height() * scale)
            if min(w, h) < TARGET_MM:
                small.append(
                    f"{screen}: {symbol.definition.type} {symbol.label()}: {w:.1f} x {h:.1f} mm"
                )
    buttons = [b for b in window.findChildren(QPushButton) if b.isVisible()]
    assert len(buttons) >= 6  # navigation, language, alarm list at least
    for button in buttons:
        w, h = profile.mm(button.width()), profile.mm(button.height())
        if min(w, h) < TARGET_MM:
            small.append(f"button {button.objectName()} '{button.text()}': {w:.1f} x {h:.1f} mm")
    nav = [b for b in window.nav.findChildren(QPushButton) if b.isVisible()]
    nav.sort(key=lambda b: b.x())
    for left, right in itertools.pairwise(nav):
        gap = profile.mm(right.x() - left.geometry().right() - 1)
        if gap < GAP_MM:
            small.append(f"gap {left.objectName()} / {right.objectName()}: {gap:.1f} mm")
    assert small == [], "\n".join(small)
    assert window.header.nav is window.nav  # one row for header and navigation
    assert "trends" in window.nav.extra_buttons  # a Trends button on every screen


def test_the_banner_is_one_row_when_calm_and_grows_while_alarms_stand(qtbot, plant):
    window = open_window(qtbot, plant, "touch", (1280, 800), PANEL_DPI)
    window.go_to("line1_press")
    settle(qtbot, window)
    alarms = banner(window)
    calm_height, calm_share = alarms.height(), chrome_share(window)
    assert alarms.calm and not alarms.ack_button.isVisible()
    assert calm_height <= window.profile.target_px + 12
    plant.engine.publish({"line1.ram_pressure": good(330.0)})  # over its HH limit
    qtbot.waitUntil(lambda: not alarms.calm, timeout=5000)
    qtbot.waitUntil(lambda: alarms.height() > calm_height * 1.5, timeout=2000)
    assert alarms.ack_button.isVisible() and alarms.lines.alarms
    assert chrome_share(window) > calm_share  # the screen gives the banner its room
    plant.engine.publish({"line1.ram_pressure": good(236.0)})
    manager = plant.services["alarms"]
    deadline = time.monotonic() + 5
    while manager.counts().listed and time.monotonic() < deadline:
        ids = [a.id for a in manager.active() if a.needs_ack]
        if ids:
            manager.acknowledge(ids, "anna")
        qtbot.wait(50)
    qtbot.waitUntil(lambda: alarms.calm, timeout=5000)
    qtbot.waitUntil(lambda: chrome_share(window) == pytest.approx(calm_share), timeout=2000)


def test_a_trend_window_keeps_clear_of_the_banner_and_follows_it(qtbot, plant):
    window = open_window(qtbot, plant, "touch", (1280, 800))
    window.go_to("line1_press")
    settle(qtbot, window)
    window.nav.extra_buttons["trends"].click()
    trend = window.operator.trends.windows[-1]
    qtbot.waitUntil(trend.isVisible, timeout=2000)
    alarms = banner(window)

    def banner_bottom() -> int:
        return alarms.mapToGlobal(QPoint(0, alarms.height())).y()

    assert trend.geometry().top() >= banner_bottom()
    assert trend.geometry().bottom() <= window.geometry().bottom()
    pens = [p.tag for p in trend.view.pens]  # the screen's main values, its trends first
    assert pens[:2] == ["line1.billet_temp", "line1.ram_pressure"] and len(pens) == 4
    plant.engine.publish({"line1.ram_pressure": good(330.0)})
    qtbot.waitUntil(lambda: not alarms.calm, timeout=5000)
    qtbot.waitUntil(lambda: trend.geometry().top() >= banner_bottom(), timeout=2000)
    trend.close()


@pytest.mark.parametrize("screen", DESK_SCREENS)
def test_desk_screens_fill_the_width_of_1920x1080(qtbot, plant, screen):
    window = open_window(qtbot, plant, "desk", (1920, 1080))
    window.go_to(screen)
    settle(qtbot, window)
    view = window.host.view
    drawn = view.mapFromScene(view.sceneRect()).boundingRect()
    bands = (drawn.left(), view.viewport().width() - drawn.right() - 1)
    assert max(bands) <= 0.02 * window.width(), f"side bands {bands} px"


def test_side_by_side_panes_share_one_scale_and_keep_their_words(qtbot, plant):
    window = open_window(qtbot, plant, "desk", (1920, 1080))
    window.go_to("line1_press")
    split = window.toggle_split()
    split.go_to("line1_detail")  # a smaller screen would come out larger on its own
    settle(qtbot, window)
    left, right = window.host.view, split.host.view
    assert left.scale_factor == pytest.approx(right.scale_factor)
    assert right.scale_factor < right.fit_scale()  # it gave way to the other pane
    for nav in (window.nav, split.nav):
        extras = [b for b in nav.extra_buttons.values() if b.isVisible()]
        assert extras and all(" " in b.text() for b in extras), [b.text() for b in extras]
        shown = [b for b in nav.findChildren(QPushButton) if b.isVisible()]
        right_edge = max(b.geometry().right() for b in shown)
        assert right_edge < nav.width()  # nothing pushed out of sight
        more = nav.more  # what did not fit is one touch away, with its words
        assert more.isVisible() == bool(nav.overflow)
        assert all(not b.isVisible() and " " in b.text() for b in nav.overflow)
    assert "trends" in split.nav.extra_buttons
    window.toggle_split()
    qtbot.waitUntil(lambda: window.split is None, timeout=1000)
    settle(qtbot, window)
    assert window.host.view.group is None
    assert all(" " in b.text() for b in window.nav.findChildren(QPushButton) if b.isVisible())


def test_the_kiosk_fills_the_screen_without_a_window_manager(qtbot, plant):
    screen = QGuiApplication.primaryScreen()
    bare = QMainWindow()  # what a full-screen request alone gives without a window manager
    qtbot.addWidget(bare)
    bare.showFullScreen()
    window = open_window(qtbot, plant, "touch", (640, 400))
    window.hide()
    show_window(window, screen)
    qtbot.waitExposed(window)
    assert window.isFullScreen() and window.geometry() == screen.geometry()
    if QGuiApplication.platformName() == "offscreen":  # no window manager: the case covered
        assert bare.geometry() != screen.geometry()


def test_a_crowded_touch_header_folds_pages_into_more_and_keeps_the_title(qtbot, plant):
    window = open_window(qtbot, plant, "touch", (1280, 800), PANEL_DPI)
    for screen in TOUCH_SCREENS:
        window.go_to(screen)
        settle(qtbot, window)
        title = window.header.title
        assert "…" not in title.text(), f"{screen}: title cut to {title.text()!r}"
        assert title.text() in (title.full_text, title.short_text)
    nav = window.nav
    assert nav.overflow and nav.more.isVisible(), "the panel's header has no room for all"
    assert all(not b.isVisible() for b in nav.overflow)
    nav.show_more()
    menu = nav.findChild(QMenu, "navMoreMenu")
    assert [a.text() for a in menu.actions()] == [b.accessibleName() for b in nav.overflow]
    height = menu.actionGeometry(menu.actions()[0]).height()
    assert window.profile.mm(height) >= TARGET_MM, "a menu entry is a finger's target"
    chosen = nav.overflow[-1]
    clicked = []
    chosen.clicked.connect(lambda *_: clicked.append(True))
    menu.actions()[-1].trigger()
    assert clicked == [True]
    menu.close()
