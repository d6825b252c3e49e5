"""Everything the operator reads follows a switch of language at once, on a live window of
the demo plant: screen titles and labels, alarm messages (banner, list, journal), column
headers, quality reasons; a project's text without a translation stays as written; the
demo's project catalogue has an Italian entry for every text; the journal replays from a
chosen entry."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from hmi.core.alarms import load_alarms
from hmi.core.driver import DeviceState, DeviceStatus
from hmi.core.i18n import Translator, project_words, untranslated
from hmi.core.paths import demo_project_dir, install_root
from hmi.core.project.models import DeviceConfig, Project
from hmi.core.screens import load_screens
from hmi.core.tags import bad, good
from hmi.ui.i18n import current_language, project_text, reason_text, set_language
from tests.ui.conftest import dev_tag
from tests.ui.test_stations import (
    LABEL_PX,
    PANEL_DPI,
    TOUCH_SCREENS,
    VALUE_PX,
    RecordingTheme,
    open_window,
    plant,
    text_sizes,
)
from tests.ui.windows import click_widget, make_window

__all__ = ["plant"]  # the demo on in-memory devices, shared with the station tests

DEMO = demo_project_dir()
H = Qt.Orientation.Horizontal


@pytest.fixture
def english():
    set_language("en")
    yield
    set_language("en")


def switch(qtbot, code: str) -> None:
    """As the header's button does; Qt delivers the change as posted events."""
    assert set_language(code) and current_language() == code
    QApplication.processEvents()
    qtbot.wait(30)


def column(model, name: str) -> int:
    return model.column(name)


def cell(model, row: int, name: str) -> str:
    return model.data(model.index(row, column(model, name)), Qt.ItemDataRole.DisplayRole)


def header(model, name: str) -> str:
    return model.headerData(column(model, name), H, Qt.ItemDataRole.DisplayRole)


def labelled(window, label: str):
    return next(s for s in window.host.current.symbols if s.props.get("label") == label)


def test_a_live_window_speaks_italian_at_once_and_english_again(qtbot, english, plant):
    window = open_window(qtbot, plant, "desk", (1920, 1080))
    views = window.view("alarms").views
    window.go_to("line1_press")
    # a formatted alarm message, and a communication alarm whose {reason} is a driver's
    plant.call(plant.engine.publish, {"line2.fault_code": good(202)})
    lost = DeviceState("filler_plc", DeviceStatus.OFFLINE, "timeout after 1.0 s", time.time())
    plant.call(plant.engine.device_state, lost)
    plant.call(
        plant.engine.publish,
        {"line1.die_temp": bad("Modbus exception 2: illegal data address", 461.0)},
    )
    wanted = {"line2.fault_code.state", "filler_plc.comm"}
    qtbot.waitUntil(
        lambda: wanted <= {a.id for a in plant.service("alarms").active()}, timeout=5000
    )
    qtbot.waitUntil(lambda: {a.id for a in views.banner.lines.alarms} >= wanted, timeout=5000)
    summary = views.open_summary()
    summary.refresh(force=True)
    journal = views.open_journal()
    qtbot.waitUntil(lambda: len(journal.search()) >= 2, timeout=3000)
    views.close_pages()
    faceplate = window.operator.open_faceplate("line1.die_temp", window.panel, window)
    pressure = labelled(window, "Ram pressure")

    def banner_says(alarm_id: str) -> str:
        alarm = next(a for a in views.banner.lines.alarms if a.id == alarm_id)
        return views.banner.lines.message(alarm)

    def listed(alarm_id: str) -> str:
        row = next(i for i, a in enumerate(summary.model.rows) if a.id == alarm_id)
        return cell(summary.model, row, "message")

    def journal_says(alarm_id: str) -> str:
        row = next(i for i, e in enumerate(journal.model.rows) if e.alarm_id == alarm_id)
        return cell(journal.model, row, "message")

    english_words = {
        "title": "Line 1 - Extrusion press",
        "path": "Plant overview  ›  Line 1 - Extrusion press",
        "label": "Ram pressure",
        "banner": "▶ FIRST OUT · Filler fault 202",  # it tripped its line
        "comm": "Communication lost with Filling line PLC: timeout after 1.0 s",
        "list": "▶ FIRST OUT · Filler fault 202",
        "journal": "Filler fault 202",
        "column": "Message",
        "quality": "Quality: ? bad: Modbus exception 2: illegal data address",
    }
    italian_words = {
        "title": "Linea 1 - Pressa di estrusione",
        "path": "Panoramica impianto  ›  Linea 1 - Pressa di estrusione",
        "label": "Pressione pistone",
        "banner": "▶ PRIMA CAUSA · Guasto riempitrice 202",
        "comm": "Comunicazione persa con il PLC riempitrice: nessuna risposta entro 1.0 s",
        "list": "▶ PRIMA CAUSA · Guasto riempitrice 202",
        "journal": "Guasto riempitrice 202",
        "column": "Messaggio",
        "quality": "Qualità: ? cattiva: eccezione Modbus 2: indirizzo dati non ammesso",
    }

    def shown() -> dict[str, str]:
        return {
            "title": window.header.title.full_text,
            "path": window.nav.path.full_text,
            "label": pressure.label(),
            "banner": banner_says("line2.fault_code.state"),
            "comm": listed("filler_plc.comm"),
            "list": listed("line2.fault_code.state"),
            "journal": journal_says("line2.fault_code.state"),
            "column": header(journal.model, "message"),
            "quality": faceplate.quality_label.text(),
        }

    assert shown() == english_words
    switch(qtbot, "it")
    assert shown() == italian_words
    assert window.windowTitle().startswith("Linea 1 - Pressa di estrusione — Impianto")
    assert window.header.chips["filler_plc"].text().startswith("PLC riempitrice")
    assert faceplate.title.text() == "Temperatura matrice"
    # the KPI page's headers and the journal's buttons were built in English
    kpis = views.kpis
    assert kpis.export_button.text() == "Esporta rapporto CSV…"
    assert kpis.actors_table.horizontalHeaderItem(4).text() == "Messaggio"
    assert journal.search_button.text().endswith("Cerca")
    switch(qtbot, "en")
    assert shown() == english_words
    assert kpis.actors_table.horizontalHeaderItem(4).text() == "Message"


def test_a_projects_text_without_a_translation_stays_as_written(qtbot, english, tmp_path):
    root = tmp_path / "plant"
    (root / "i18n").mkdir(parents=True)
    (root / "i18n" / "it.yaml").write_text(
        "Screens:\n"
        "  Plant: Impianto\n"
        "  Billet: Billetta\n"
        "  '{what} - last 2 min': '{what} - ultimi 2 min'\n",
        encoding="utf-8",
    )
    project = Project(
        name="Test plant",
        root=str(root),
        devices={"plc": DeviceConfig("plc", "fake", line="line1")},
        tags={t.name: t for t in (dev_tag("line1.temp", units="°C"),)},
        lines={"line1": "Line 1"},
    )
    screens = root / "screens"
    screens.mkdir()
    (screens / "top.yaml").write_text(
        "screen: {name: top, title: Plant, level: 1}\n"
        "symbols:\n"
        "  - {type: value, at: [10, 10], tag: line1.temp, label: Billet}\n"
        "  - {type: value, at: [10, 200], tag: line1.temp, label: Die}\n"
        "  - {type: sparkline, at: [400, 10], tag: line1.temp, label: Billet - last 2 min}\n"
        "  - {type: sparkline, at: [400, 300], tag: line1.temp, label: Die - last 2 min}\n",
        encoding="utf-8",
    )
    from hmi.core.engine import TagEngine

    window = make_window(qtbot, project, TagEngine(project), screens)
    labels = lambda: sorted(s.label() for s in window.host.current.symbols)  # noqa: E731
    assert labels() == ["Billet", "Billet - last 2 min", "Die", "Die - last 2 min"]
    switch(qtbot, "it")
    # translated, filled from a template (its value too), and as written where no entry is
    assert labels() == ["Billetta", "Billetta - ultimi 2 min", "Die", "Die - ultimi 2 min"]
    assert window.header.title.full_text == "Impianto"
    assert project_text(project, "Never translated", "Screens") == "Never translated"
    switch(qtbot, "en")
    assert labels() == ["Billet", "Billet - last 2 min", "Die", "Die - last 2 min"]


def test_quality_reasons_are_translated_where_they_are_known_phrases(english, qapp):
    assert set_language("it")
    assert reason_text("timeout after 0.2 s") == "nessuna risposta entro 0.2 s"
    assert reason_text("connection refused; waiting for line1.temp") == (
        "connessione rifiutata; in attesa di line1.temp"
    )
    assert reason_text("device filler_plc offline: not connected") == (
        "dispositivo filler_plc non in linea: non connesso"
    )
    assert reason_text("line1.x: Modbus exception 3: illegal data value") == (
        "line1.x: eccezione Modbus 3: valore dati non ammesso"
    )
    assert reason_text("the PLC is on fire") == "the PLC is on fire"  # unknown: as given
    assert set_language("en") and reason_text("timeout after 0.2 s") == "timeout after 0.2 s"


def test_the_demo_has_an_italian_word_for_every_text_the_operator_reads():
    from hmi.core.capability import default_capabilities
    from hmi.core.project.loader import load_project

    project = load_project(DEMO / "project.yaml")
    screens, problems = load_screens(install_root() / "screens", project)
    assert problems == []
    alarms, _ = load_alarms(project)
    words = project_words(project, screens, alarms, default_capabilities().project_words(project))
    assert {"Project", "Screens", "Tags", "Enums", "Alarms", "Orders"} <= set(words)
    assert len(words["Screens"]) > 50 and len(words["Alarms"]) > 40
    italian = Translator(project.root)
    assert italian.set_language("it")
    missing = untranslated(words, italian)
    assert missing == [], "no Italian entry in resources/demo/i18n/it.yaml:\n" + "\n".join(missing)
    # and the check can fail: an empty catalogue misses them all
    nothing = Translator(None, app_folder=DEMO / "no such folder")
    assert len(untranslated(words, nothing)) > 100


@pytest.mark.parametrize("dpi", [None, PANEL_DPI], ids=["monitor-dpi", "panel-149dpi"])
def test_italian_touch_screens_keep_their_sizes(qtbot, english, plant, dpi):
    """The Italian words are longer: at 1280 x 800 every label stays at 16 px or more and
    every value at 22 px or more."""
    theme = RecordingTheme()
    window = open_window(qtbot, plant, "touch", (1280, 800), dpi, theme)
    switch(qtbot, "it")
    small = []
    measured = 0
    for screen in TOUCH_SCREENS:
        labels, values = text_sizes(qtbot, window, theme, screen)
        measured += len(labels)
        small += [f"{what}: {px:.1f} px" for what, px in labels if px < LABEL_PX]
        small += [f"{what}: {px:.1f} px" for what, px in values if px < VALUE_PX]
    assert measured > 40
    assert labelled(window, "Fault code").label() == "Codice guasto"  # Italian, measured
    assert small == [], "\n".join(small)


def test_replay_from_a_journal_entry_starts_a_minute_before_it(qtbot, english, plant):
    window = open_window(qtbot, plant, "desk", (1920, 1080))
    views = window.view("alarms").views
    controller = window.view("replay").controller
    assert callable(window.operator.replay_at)
    plant.call(plant.engine.publish, {"line2.fault_code": good(203)})
    journal = views.open_journal()
    qtbot.waitUntil(
        lambda: any(e.alarm_id == "line2.fault_code.state" for e in journal.search()),
        timeout=5000,
    )
    assert journal.replay_button.isVisible() and not journal.replay_button.isEnabled()
    row = next(
        i for i, e in enumerate(journal.model.rows) if e.alarm_id == "line2.fault_code.state"
    )
    event = journal.model.rows[row]
    journal.table.selectRow(row)
    assert journal.replay_button.isEnabled()
    click_widget(journal.replay_button)
    qtbot.waitUntil(lambda: controller.active, timeout=3000)
    assert abs(controller.now - (event.time - 60.0)) < 0.01
    assert not views.pages_open  # the screen is shown, on the alarm's own screen
    assert window.host.current_screen.name == "line2_filling"
    assert controller.bar.isVisible()
    controller.go_live()


def test_without_a_replay_the_journal_offers_none(qtbot, english, plant):
    window = open_window(qtbot, plant, "desk", (1920, 1080))
    journal = window.view("alarms").views.open_journal()
    window.operator.replay_at = None
    journal.search()
    assert journal.isVisible() and not journal.replay_button.isVisible()
    assert journal.replay_selected() is None


def test_journal_rows_whose_alarm_changed_stay_as_they_were_written(qtbot, english, plant):
    window = open_window(qtbot, plant, "desk", (1920, 1080))
    words = window.view("alarms").views.journal.words
    set_language("it")
    try:
        assert words.stored("line2.fault_code.state", "Filler fault 204") == (
            "Guasto riempitrice 204"
        )
        # written by an older message, or by an alarm no longer defined: as stored
        assert words.stored("line2.fault_code.state", "Filler stop 204") == "Filler stop 204"
        assert words.stored("gone.alarm", "Filler fault 204") == "Filler fault 204"
    finally:
        set_language("en")
