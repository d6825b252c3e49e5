"""English and Italian, switched while the application runs; translations never drift."""

import subprocess
import sys

import pytest
from PySide6.QtWidgets import QApplication

from hmi.core.driver import DeviceState, DeviceStatus
from hmi.core.paths import install_root
from hmi.core.tags import good
from hmi.ui.i18n import I18N_DIR, available_languages, current_language, set_language
from tests.ui.windows import click, make_window, symbol, write_screens


@pytest.fixture
def english():
    set_language("en")
    yield
    set_language("en")


def settle(qtbot) -> None:
    """Language changes arrive as posted events."""
    QApplication.processEvents()
    qtbot.wait(20)


@pytest.mark.slow
def test_every_string_is_translated_and_the_compiled_file_matches_its_source():
    done = subprocess.run(
        [sys.executable, str(I18N_DIR / "update.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=install_root(),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert available_languages() == ["en", "it"]


def test_the_language_button_switches_everything_at_once(qtbot, english, project, engine, tmp_path):
    window = make_window(qtbot, project, engine, write_screens(tmp_path))
    engine.device_state(DeviceState("plc", DeviceStatus.ONLINE))
    engine.publish({"line1.running": good(True), "line1.temp": good(455.0)})
    motor = symbol(window.host, "motor")
    qtbot.waitUntil(lambda: motor.main is not None, timeout=2000)
    chip = window.header.chips["plc"]
    qtbot.waitUntil(lambda: chip.status == "online", timeout=2000)
    assert window.nav.home.text().endswith("Home") and chip.text() == "PLC online"
    assert window.header.language.text() == "EN ▸ IT"

    window.header.language.click()
    settle(qtbot)
    assert current_language() == "it"
    assert window.nav.home.text().endswith("Inizio") and window.nav.back.text().endswith("Indietro")
    assert window.header.alarms.text() == "Nessun allarme attivo"
    assert chip.text() == "PLC in linea"
    assert motor.value_text == "acceso"  # symbols draw their words again
    assert symbol(window.host, "value").label() == "Billet"  # the engineer's words stay
    click(window.host, symbol(window.host, "value"))
    faceplate = window.dialog
    assert faceplate.close_button.text() == "Chiudi"
    assert faceplate.quality_label.text().startswith("Qualità: buona")

    window.header.language.click()
    settle(qtbot)
    assert current_language() == "en"
    assert window.nav.home.text().endswith("Home") and faceplate.close_button.text() == "Close"
    assert motor.value_text == "on" and chip.text() == "PLC online"


def test_open_dialogs_and_messages_speak_the_new_language(
    qtbot, english, project, engine, tmp_path
):
    window = make_window(qtbot, project, engine, write_screens(tmp_path))
    window.go_to("line")
    click(window.host, symbol(window.host, "setpoint"))
    dialog = window.dialog
    assert dialog.next_button.text() == "Next"
    set_language("it")
    settle(qtbot)
    assert (dialog.next_button.text(), dialog.cancel_button.text()) == ("Avanti", "Annulla")
    dialog.entry.setText("99")
    dialog.next_button.click()
    assert "99 è fuori dal campo 1 .. 25 mm/s" in dialog.error.text()
    assert not set_language("xx") and current_language() == "it"  # unknown: nothing changes
