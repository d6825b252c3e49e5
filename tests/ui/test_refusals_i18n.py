"""Refusals and role titles in the station's language: the users service words them in
English templates (hmi.core.users), the operator application shows each by its template,
over a real runtime with the users capability."""

from __future__ import annotations

import pytest

from hmi.core.i18n import fields_of
from hmi.core.users import BUILTIN_ROLES, REFUSALS, Method
from hmi.ui.i18n import current_language, refusal_text, set_language, translate
from hmi.ui.users.words import REFUSAL_WORDS, ROLE_TITLES, role_title, speak_refusals

from .test_sign_in import TOUCH, header_text, project, users, window_of

__all__ = ["project", "users"]  # the sign-in tests' project and people, used as fixtures


@pytest.fixture
def italian(qapp):
    assert set_language("it")
    yield
    set_language("en")


def test_the_views_name_every_refusal_and_role_title_the_service_words():
    assert REFUSAL_WORDS == REFUSALS  # lupdate reads the views; the service builds from these
    assert set(ROLE_TITLES) == {role.title for role in BUILTIN_ROLES.values()}


def test_every_refusal_and_role_title_has_italian(italian):
    for template in REFUSAL_WORDS:
        shown = translate("Users", template)
        assert shown != template, template
        assert set(fields_of(template, template) or {}) == set(fields_of(shown, shown) or {})
    assert [role_title(t) for t in ROLE_TITLES] == [
        "Operatore",
        "Capoturno",
        "Supervisore",
        "Ingegnere",
        "Amministratore",
    ]


def test_a_refusal_is_shown_by_its_template_with_the_role_translated(italian):
    speak_refusals()
    said = "anna (Shift lead) may not do this on line1.x: the role lacks the permission trends.save"
    assert refusal_text(said) == (
        "anna (Capoturno) non può farlo su line1.x: al ruolo manca il permesso trends.save"
    )
    assert refusal_text("nobody is signed in; sign in first") == (
        "nessuno ha effettuato l'accesso; accedere prima"
    )
    assert refusal_text("the PLC is on fire") == "the PLC is on fire"  # unknown: as given
    assert refusal_text(None) is None
    set_language("en")
    assert refusal_text(said) == said


def test_the_write_gate_the_message_and_the_header_speak_italian(
    qtbot, project, runtime, users, tmp_path, italian
):
    window = window_of(qtbot, project, runtime, tmp_path, TOUCH)
    assert current_language() == "it"
    gate = window.operator.gate
    assert gate.refusal("line1.cmd_start") == "nessuno ha effettuato l'accesso; accedere prima"
    window.go_to("line")
    assert window.operator.refuse_now("line1.cmd_start", window.panel)
    shown = window.message.text()
    assert "non si può cambiare ora: nessuno ha effettuato l'accesso" in shown
    assert "nobody" not in shown
    users.sign_in("lead", "2222", method=Method.PIN, profile="touch")
    qtbot.waitUntil(lambda: header_text(window) == "Lars Lead (Capoturno)", timeout=3000)
    # the station's language switches back: the same refusal, the same header, in English
    users.sign_out("test")
    qtbot.waitUntil(lambda: gate.refusal("line1.cmd_start") is not None, timeout=3000)
    assert set_language("en")
    qtbot.waitUntil(lambda: header_text(window) == "Signed out", timeout=3000)
    assert gate.refusal("line1.cmd_start") == "nobody is signed in; sign in first"


def test_the_order_views_show_the_demos_reasons_shifts_and_products_in_italian(italian):
    from hmi.core.orders import Order
    from hmi.core.project.loader import load_project
    from hmi.ui.i18n import project_text
    from hmi.ui.orders.common import product_text

    from .test_live_language import DEMO

    demo = load_project(DEMO / "project.yaml")
    assert project_text(demo, "Mechanical", "Orders") == "Meccanico"
    assert project_text(demo, "Run-out table full", "Orders") == "Banco di uscita pieno"
    assert project_text(demo, "Start-up scrap", "Orders") == "Scarto di avvio"
    assert project_text(demo, "Night") == "Notte"  # the shift report asks without a context
    bottles = Order(
        "WO-2006", "line2", 24000, product={"product": "Still Water", "bottle_size_l": 0.33}
    )
    assert product_text(demo, bottles) == "Acqua naturale · 0.33 l"
    set_language("en")
    assert product_text(demo, bottles) == "Still Water · 0.33 l"
