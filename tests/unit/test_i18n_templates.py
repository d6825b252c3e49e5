"""Texts filled in from a template are translated once, as their template: screen texts
with macros, alarm messages with values; an exact entry wins; a text without one stays."""

from __future__ import annotations

from hmi.core.i18n import (
    Translator,
    fields_of,
    fill,
    is_template,
    project_words,
    refill,
    unit_symbols,
    untranslated,
)
from hmi.core.project.models import DeviceConfig, Project, TagConfig

CATALOGUE = (
    "Screens:\n"
    '  "Start {line}?": "Avvio {line}?"\n'
    '  "Start the press?": "Avviare la pressa?"\n'
    '  "{title} - diagnostics": "{title} - diagnostica"\n'
    "  Line 1: Linea 1\n"
    "Alarms:\n"
    '  "Ram pressure high: {value:.0f} {units} (limit {limit:g})":\n'
    '    "Pressione alta: {value:.0f} {units} (limite {limit:g})"\n'
    '  "Lost: {reason}": "Persa: {reason}"\n'
)


def italian(tmp_path) -> Translator:
    (tmp_path / "i18n").mkdir()
    (tmp_path / "i18n" / "it.yaml").write_text(CATALOGUE, encoding="utf-8")
    words = Translator(tmp_path)
    assert words.set_language("it")
    return words


def test_a_template_matches_the_texts_filled_in_from_it():
    template = "Ram pressure high: {value:.0f} {units} (limit {limit:g})"
    text = "Ram pressure high: 287 bar (limit 290)"
    assert fields_of(template, text) == {"value": "287", "units": "bar", "limit": "290"}
    assert fields_of(template, "Ram pressure low: 287 bar (limit 290)") is None
    assert fields_of("{a} and {a}", "x and x") == {"a": "x"}
    assert fields_of("{a} and {a}", "x and y") is None  # a field said twice is the same
    assert fill("{a} {{b}} {c:>5}", {"a": "1", "c": "3"}) == "1 {b} 3"  # specs already applied
    assert fill("{a} {missing}", {"a": "1"}) == "1 {missing}"  # never silently dropped
    assert refill(template, text, "Alta: {value:.0f}{units}!") == "Alta: 287bar!"
    assert not is_template("Start {") and not is_template("Plain text")


def test_screen_texts_are_translated_once_with_their_values(tmp_path):
    words = italian(tmp_path)
    assert words.translate("Start line1?", "Screens") == "Avvio line1?"
    assert words.translate("Start line2?", "Screens") == "Avvio line2?"
    assert words.translate("Start the press?", "Screens") == "Avviare la pressa?"  # its own
    assert words.translate("Line 1 - diagnostics", "Screens") == "Linea 1 - diagnostica"
    assert words.translate("Stop line1?", "Screens") == "Stop line1?"  # no entry: as written
    assert words.knows("Start line1?", "Screens") and not words.knows("Stop line1?")


def test_an_alarm_message_is_its_templates_translation_with_its_values(tmp_path):
    words = italian(tmp_path)
    template = "Ram pressure high: {value:.0f} {units} (limit {limit:g})"
    message = "Ram pressure high: 287 bar (limit 290)"
    assert words.translate_filled(template, message, "Alarms") == (
        "Pressione alta: 287 bar (limite 290)"
    )
    # a message not filled in from the template (rewritten since) stays as it is
    assert words.translate_filled(template, "Ram pressure high!", "Alarms") == (
        "Ram pressure high!"
    )
    reason = words.translate_filled(
        "Lost: {reason}", "Lost: timeout", "Alarms", values=lambda name, value: value.upper()
    )
    assert reason == "Persa: TIMEOUT"
    assert words.set_language("en")
    assert words.translate_filled(template, message, "Alarms") == message


def test_linea_s_own_templates_never_match_the_projects_texts(tmp_path):
    words = italian(tmp_path)
    # "{tag}: {reason}" is in Linea's catalogue, translated before it is filled
    assert words.translate("Die: hot", "Screens") == "Die: hot"


def test_the_check_lists_texts_without_an_entry_but_not_unit_symbols(tmp_path):
    words = italian(tmp_path)
    project = Project(
        name="Riverside works",
        root=str(tmp_path),
        devices={"plc": DeviceConfig("plc", "fake", description="Press PLC")},
        tags={
            "t": TagConfig("t", device="plc", units="mm/s", description="Ram speed"),
            "c": TagConfig("c", device="plc", units="bottles", description="Line 1"),
        },
        lines={"line1": "Line 1"},
    )
    found = project_words(project)
    assert found["Units"] == {"mm/s", "bottles"} and found["Tags"] == {"Ram speed", "Line 1"}
    assert untranslated(found, words) == [
        "Project: Press PLC",
        "Project: Riverside works",
        "Tags: Ram speed",
        "Units: bottles",
    ]
    assert unit_symbols("N·cm") and unit_symbols("m³/h") and not unit_symbols("bottles/min")
