"""The order history's words for what the MES did to an order waiting in the queue
(downloaded, revised, withdrawn), in English and Italian, never the raw action."""

import pytest

from hmi.ui.i18n import set_language
from hmi.ui.orders.dialogs import action_text

#: every action the orders service records in an order's history
ACTIONS = ("create", "import", "download", "revise", "withdraw", "start", "hold", "resume",
           "complete", "abort", "resequence")  # fmt: skip


@pytest.fixture
def italian(qapp):
    set_language("it")
    yield
    set_language("en")


def test_the_mes_actions_have_words_in_english(qapp):
    set_language("en")
    words = {a: action_text(a) for a in ("download", "revise", "withdraw")}
    assert words == {"download": "downloaded", "revise": "revised", "withdraw": "withdrawn"}


def test_the_mes_actions_have_words_in_italian(italian):
    words = {a: action_text(a) for a in ("download", "revise", "withdraw")}
    assert words == {"download": "scaricato", "revise": "modificato", "withdraw": "ritirato"}
    assert all(action_text(a) != a for a in ACTIONS)  # none shown raw
    assert action_text("teleport") == "teleport"  # an action unknown here is still shown
