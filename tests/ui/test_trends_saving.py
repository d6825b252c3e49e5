"""Saving trend views over a real runtime (users, audit): a view for everyone asks the
permission trends.save when the dialog opens and again when Save is pressed, and lands in
the audit trail with the user; a view of one's own needs only a signed-in user."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from hmi.core.trendviews import SAVE_FOR_EVERYONE, ViewNotSaved, read_user_views, user_views_path
from hmi.core.users import FAST, SIGN_OUT, Hasher
from hmi.ui.profile import Profile
from hmi.ui.trends import TrendView, actions

from .conftest import dev_tag, make_project

TOUCH = Profile("touch", True, 60, 20)


@pytest.fixture
def project():
    p = make_project(
        dev_tag("line1.temp", units="°C", eng_range=(0.0, 600.0)),
        dev_tag("line1.speed", units="mm/s", eng_range=(0.0, 25.0)),
    )
    p.extra["users"] = {"auto_sign_out": {"desk": "10m", "touch": "10m"}}
    return p


@pytest.fixture
def users(runtime):
    users = runtime.services["users"]
    users.hasher = Hasher(FAST)
    users.console = "os:tester"
    users.add_user("op1", "operator", by="os:tester", pin="1111")
    users.add_user("sup", "supervisor", by="os:tester", pin="3333")
    return users


def sign_in(users, name: str, pin: str) -> None:
    users.sign_in(name, pin, method="pin", profile="touch")


@pytest.fixture
def trend(qtbot, runtime, users, tmp_path):
    def signed_in() -> str:
        session = users.current
        return session.user if session else ""

    view = TrendView(
        runtime.project,
        profile=TOUCH,
        data_dir=tmp_path / "views",
        access=runtime.access,
        user=signed_in,
    )
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    view.set_pens(["line1.temp"])
    return view


def audited(qtbot, runtime, status: str):
    """The trail's trends.save records with ``status``, once one is written."""
    trail = runtime.services["audit"]

    def found():
        rows = trail.search(action=SAVE_FOR_EVERYONE)
        return [r for r in rows if r.details.get("status") == status]

    qtbot.waitUntil(lambda: bool(found()), timeout=5000)
    return found()


def test_a_refused_save_for_everyone_names_the_permission_and_writes_nothing(
    qtbot, runtime, users, trend, tmp_path
):
    sign_in(users, "op1", "1111")
    trend.sharing.changed.emit()  # as the session change does, queued
    dialog = actions.ask_save_view(trend)
    assert dialog.own.isEnabled() and dialog.own.isChecked()  # one's own: free
    assert not dialog.everyone.isEnabled()  # visibly disabled, with the reason shown
    assert dialog.why.isVisibleTo(dialog) and "trends.save" in dialog.why.text()
    assert "trends.save" in dialog.everyone.toolTip()
    with pytest.raises(ViewNotSaved, match=r"lacks the permission trends\.save"):
        actions.save_view(trend, "Temperatures", everyone=True)
    assert not user_views_path(tmp_path / "views").exists()  # nothing written
    assert "trends.save" in trend.status.text()
    rows = audited(qtbot, runtime, "refused")
    assert rows[0].user == "op1" and rows[0].target == "Temperatures"
    assert "trends.save" in rows[0].details["message"]


def test_the_permission_is_asked_again_when_save_is_pressed(qtbot, runtime, users, trend, tmp_path):
    sign_in(users, "sup", "3333")
    dialog = actions.ask_save_view(trend)
    dialog.choose(True)
    assert dialog.everyone.isChecked() and dialog.save_button.isEnabled()
    dialog.name.setText("Shift view")
    users.sign_out()
    sign_in(users, "op1", "1111")  # someone else, before the dialog heard of it
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() == 0  # stays open, saying why
    assert "Not saved" in dialog.why.text() and "trends.save" in dialog.why.text()
    assert not user_views_path(tmp_path / "views").exists()
    qtbot.waitUntil(lambda: not dialog.everyone.isEnabled(), timeout=2000)
    assert dialog.own.isChecked() and dialog.own.text() == "Only for op1"


def test_a_permitted_save_for_everyone_is_stored_and_audited_with_the_user(
    qtbot, runtime, users, trend, tmp_path
):
    sign_in(users, "sup", "3333")
    trend.sharing.changed.emit()
    dialog = actions.ask_save_view(trend)
    dialog.choose(True)
    dialog.name.setText("Melt")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == 1
    saved = json.loads(user_views_path(tmp_path / "views").read_text(encoding="utf-8"))
    assert [v["name"] for v in saved["views"]] == ["Melt"] and saved["own"] == {}
    rows = audited(qtbot, runtime, "done")
    assert rows[0].user == "sup" and rows[0].target == "Melt"
    assert rows[0].details["pens"] == ["line1.temp"] and rows[0].details["replaced"] is False
    users.sign_out()
    sign_in(users, "op1", "1111")  # everyone sees it
    qtbot.waitUntil(lambda: "★ Melt" in texts(trend), timeout=2000)


def texts(trend) -> list[str]:
    views = trend.toolbar.views
    return [views.itemText(i) for i in range(views.count())]


def test_ones_own_view_is_free_and_seen_only_by_its_user(qtbot, runtime, users, trend, tmp_path):
    sign_in(users, "op1", "1111")
    trend.sharing.changed.emit()
    actions.save_view(trend, "My temps")
    path = user_views_path(tmp_path / "views")
    views, problems = read_user_views(path, runtime.project, "op1")
    assert problems == [] and [(v.name, v.owner) for v in views] == [("My temps", "op1")]
    assert texts(trend)[-1] == "★ My temps (only for me)"
    users.sign_out()
    trail = runtime.services["audit"]
    qtbot.waitUntil(lambda: bool(trail.search(action=SIGN_OUT)), timeout=5000)
    assert not trail.search(action=SAVE_FOR_EVERYONE)  # recorded in order: none before
    qtbot.waitUntil(lambda: not trend.toolbar.save.isEnabled(), timeout=2000)
    assert "sign in" in trend.toolbar.save.toolTip()  # nobody: neither own nor for everyone
    assert all("My temps" not in t for t in texts(trend))
    sign_in(users, "sup", "3333")
    qtbot.waitUntil(trend.toolbar.save.isEnabled, timeout=2000)
    assert all("My temps" not in t for t in texts(trend))  # op1's alone
    users.sign_out()
    with pytest.raises(ViewNotSaved, match="sign in"):
        actions.save_view(trend, "Nobody's")
    assert read_user_views(path, runtime.project, None)[0][0].name == "My temps"
    assert len(read_user_views(path, runtime.project, None)[0]) == 1
