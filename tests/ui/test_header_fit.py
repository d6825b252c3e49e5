"""The touch header at 1280 px with many devices down: their chips are shortened with "…"
(the state kept while it fits), and the user item (who is signed in, as what) and the
clock are never cut; with room again the chips say everything."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton

from hmi.core.driver import DeviceState, DeviceStatus
from hmi.core.engine import TagEngine
from hmi.core.project.models import DeviceConfig
from hmi.core.tags import good
from hmi.ui.header import DeviceChip, fair_widths
from hmi.ui.shell import Profile

from .conftest import dev_tag, make_project
from .windows import make_window, write_screens

TOUCH = Profile("touch", True, 60, 20)
NAMES = ("Extrusion press PLC", "Extruder cooling PLC", "Puller drive")


@pytest.fixture
def crowded(qtbot, tmp_path):
    project = make_project(dev_tag("line1.temp"), dev_tag("line1.speed_sp", writable=True))
    project.devices.update(
        {f"d{i}": DeviceConfig(f"d{i}", "fake", description=n) for i, n in enumerate(NAMES)}
    )
    engine = TagEngine(project)
    window = make_window(qtbot, project, engine, write_screens(tmp_path / "screens"), None, TOUCH)
    window.resize(1280, 800)
    user = QPushButton("Lars Lead (Shift lead)")
    window.header.set_user_item(user)
    engine.device_state(DeviceState("plc", DeviceStatus.ONLINE))
    for name in NAMES_OF:
        engine.device_state(DeviceState(name, DeviceStatus.OFFLINE, "no route to host"))
    chips = [window.header.chips[name] for name in NAMES_OF]
    qtbot.waitUntil(lambda: all(c.status == "offline" for c in chips), timeout=3000)
    return window, user


NAMES_OF = [f"d{i}" for i in range(len(NAMES))]


def right_edge(widget) -> int:
    return widget.mapTo(widget.window(), widget.rect().topRight()).x()


def test_down_chips_are_shortened_before_the_user_is_cut(qtbot, crowded):
    window, user = crowded
    header = window.header
    qtbot.waitUntil(lambda: any("…" in c.text() for c in header.chips.values()), timeout=2000)
    qtbot.wait(50)  # the layout applies the fit
    assert user.text() == "Lars Lead (Shift lead)"
    assert user.width() >= user.sizeHint().width()  # whole, name and role
    assert header.time_label.width() >= header.time_label.sizeHint().width()
    assert right_edge(header.language) <= window.width()
    assert not header.chips["plc"].isVisible()  # online: gave way first
    for chip in (header.chips[name] for name in NAMES_OF):
        assert chip.isVisible()  # a device that is not online always shows
        assert chip.full_text.endswith(": offline") and chip.width() <= chip.budget
    for chip in (header.chips[name] for name in NAMES_OF):
        assert chip.text() == chip.full_text or chip.text().endswith("…")
    window.resize(2400, 800)  # room again: the whole words
    qtbot.waitUntil(
        lambda: all(c.text() == c.full_text for c in header.chips.values()), timeout=2000
    )
    assert all(c.budget is None for c in header.chips.values())


def test_a_chip_shortens_its_name_before_its_state(qtbot):
    chip = DeviceChip("d1", name="Extruder cooling PLC")
    qtbot.addWidget(chip)
    chip.show_status(good("offline"))
    whole = chip.full_width()
    name_px = chip.fontMetrics().horizontalAdvance(chip.name)
    chip.set_budget(whole - name_px // 2)  # room for half the name
    assert chip.text().startswith("Extru") and chip.text().endswith("…: offline")
    assert chip.sizeHint().width() <= chip.budget
    chip.set_budget(whole - name_px)  # no room for a name: the start of the words
    assert chip.text().endswith("…") and len(chip.text()) < len(chip.full_text)
    chip.set_budget(None)
    assert chip.text() == "Extruder cooling PLC: offline"


def test_fair_widths_keep_the_narrow_and_share_the_rest():
    assert fair_widths({"a": 50, "b": 300, "c": 200}, 400, 40) == {"a": 50, "b": 175, "c": 175}
    assert fair_widths({"a": 50, "b": 60}, 500, 40) == {"a": 50, "b": 60}
    assert fair_widths({"a": 50, "b": 300}, 30, 40) == {"a": 40, "b": 40}  # never below least


def test_an_item_that_grows_makes_the_row_fit_again(qtbot, crowded):
    window, user = crowded
    header = window.header
    item = QPushButton("Stops")
    header.add_item(item)
    qtbot.wait(50)
    item.setText("Stops: 12")  # says more, later, by itself
    before = [chip.budget for chip in header.chips.values()]
    qtbot.waitUntil(lambda: [c.budget for c in header.chips.values()] != before, timeout=2000)
    qtbot.wait(50)
    assert user.width() >= user.sizeHint().width()  # the chips gave way, not the user
    assert right_edge(header.language) <= window.width()
    calls = []
    header._refit.timeout.connect(lambda: calls.append(1))
    qtbot.wait(200)
    assert calls == []  # settled: no fitting over and over
