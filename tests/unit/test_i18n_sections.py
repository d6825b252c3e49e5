"""The words of the capabilities' own sections are checked like the rest of a project's:
each capability lists them through the contract, the catalogue check names those without
an entry (the demo's orders words among them)."""

from __future__ import annotations

import importlib.util
import logging
import shutil
from pathlib import Path

import pytest

from hmi.core.capability import Capability, CapabilityRegistry, default_capabilities
from hmi.core.i18n import Translator, project_words, untranslated
from hmi.core.orders import OrdersCapability
from hmi.core.paths import install_root
from hmi.core.project.loader import load_project
from hmi.core.project.models import Project

DEMO = install_root() / "resources" / "demo"
UPDATE = install_root() / "resources" / "i18n" / "update.py"


def demo_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    shutil.copytree(DEMO, folder)
    return folder


def orders_words(folder: Path) -> set[str]:
    return OrdersCapability.project_words(load_project(folder / "project.yaml"))["Orders"]


def test_the_orders_capability_lists_its_reasons_scrap_reasons_shifts_and_products():
    words = orders_words(DEMO)
    assert {"Mechanical", "Electrical", "Changeover", "Break", "No order", "People"} <= words
    assert {"Die jam", "Run-out table full", "No order released"} <= words  # reasons
    assert {"Start-up scrap", "Underfilled", "Loose cap"} <= words  # scrap reasons
    assert {"Morning", "Afternoon", "Night"} <= words  # shifts
    assert {"Cola", "Cola Zero", "Orange", "Still Water"} <= words  # orders.csv
    assert "planned" not in words and "6060" not in words  # kinds are Linea's; alloys codes


def test_a_capability_lists_nothing_by_default_and_a_failing_one_is_left_out(caplog):
    class Quiet(Capability):
        name = "quiet"

    class Broken(Capability):
        name = "broken"

        @classmethod
        def project_words(cls, project: Project) -> dict[str, set[str]]:
            raise RuntimeError("cannot read")

    project = Project(name="p", root=".")
    assert Quiet.project_words(project) == {}
    with caplog.at_level(logging.ERROR):
        found = CapabilityRegistry([Quiet, Broken, OrdersCapability]).project_words(project)
    assert found == {} and "listing the broken texts failed" in caplog.text


def test_a_reason_without_an_italian_entry_is_listed(tmp_path):
    folder = demo_copy(tmp_path)
    source = folder / "project.yaml"
    text = source.read_text(encoding="utf-8")
    assert "People: [No operator]" in text
    source.write_text(
        text.replace("People: [No operator]", "People: [No operator, Forklift late]"),
        encoding="utf-8",
    )
    project = load_project(source)
    sections = default_capabilities().project_words(project)
    italian = Translator(project.root)
    assert italian.set_language("it")
    assert untranslated(project_words(project, sections=sections), italian) == [
        "Orders: Forklift late"
    ]
    # the demo as shipped: every orders word has its Italian, which a bare catalogue lacks
    shipped = default_capabilities().project_words(load_project(DEMO / "project.yaml"))
    assert untranslated(shipped, italian) == []
    nothing = Translator(None, app_folder=tmp_path / "no catalogues")
    assert len(untranslated(shipped, nothing)) == len(shipped["Orders"]) > 60


@pytest.fixture
def update():
    spec = importlib.util.spec_from_file_location("i18n_update", UPDATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_catalogue_check_names_a_shift_without_an_entry(tmp_path, update):
    folder = demo_copy(tmp_path)
    source = folder / "project.yaml"
    text = source.read_text(encoding="utf-8")
    assert "{name: Night," in text
    source.write_text(text.replace("{name: Night,", "{name: Late,"), encoding="utf-8")
    found = update.project_problems(folder)
    assert found == ["demo/i18n/it.yaml: no entry for Orders: Late"]
    assert update.project_problems(DEMO) == []
