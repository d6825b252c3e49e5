"""Users at the operator window, over a real runtime (users, audit, engine): sign-in by
PIN on the own keypad and by badge, lockout, inactivity, the write gate following the
session, critical writes signed by two people, the users and audit pages."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QPushButton

from hmi.core.access import WRITE_TAG
from hmi.core.users import FAST, Hasher, Method
from hmi.ui.shell import Profile

from .conftest import dev_tag, make_project
from .windows import write_screens

TOUCH = Profile("touch", True, 60, 20)
CRITICAL = "line1.speed_sp"


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def project():
    p = make_project(
        dev_tag("line1.temp", units="°C", eng_range=(0.0, 600.0)),
        dev_tag("line1.speed", units="mm/s", eng_range=(0.0, 25.0)),
        dev_tag("line1.speed_sp", units="mm/s", eng_range=(1.0, 25.0), writable=True),
        dev_tag("line1.count"),
        dev_tag("line1.running"),
        dev_tag("line1.cmd_start", writable=True),
    )
    p.extra["users"] = {
        "auto_sign_out": {"desk": "10m", "touch": "1m"},
        "lockout": {"after": 3, "delay": "10s", "max": "1m"},
        "signatures": [
            {
                "permission": "tags.write",
                "targets": [CRITICAL],
                "meaning": "Recipe setpoint change",
                "reasons": ["Alloy change", "Die change"],
                "second": "supervisor",
            }
        ],
    }
    return p


@pytest.fixture
def users(runtime):
    users = runtime.services["users"]
    users.hasher = Hasher(FAST)
    users.clock = Clock()
    by = users.console = "os:tester"
    users.add_user("op1", "operator", by=by, full_name="Olga Op", pin="1111", badge="00421337")
    users.add_user("lead", "shift_lead", by=by, full_name="Lars Lead", pin="2222")
    users.add_user(
        "sup", "supervisor", by=by, full_name="Sara Sup", pin="3333", password="super-pass"
    )
    return users


def window_of(qtbot, project, runtime, tmp_path, profile):
    folder = write_screens(tmp_path / "screens")
    return _window(qtbot, project, runtime, folder, profile)


def _window(qtbot, project, runtime, folder, profile):
    from hmi.ui.bridge import TagBridge
    from hmi.ui.shell import MainWindow

    bridge = TagBridge(runtime.live, rate_hz=20)
    window = MainWindow(
        project,
        bridge,
        folder,
        profile=profile,
        writer=runtime,
        watch=False,
        services=runtime.services,
    )
    qtbot.addWidget(window)
    bridge.start()
    window.resize(1280, 800)
    window.start()
    window.show()
    return window


def header_text(window) -> str:
    return window.header.user_item.text()


def test_pin_on_the_keypad_signs_in_and_the_header_follows(
    qtbot, project, runtime, users, tmp_path
):
    window = window_of(qtbot, project, runtime, tmp_path, TOUCH)
    views = window.view("users")
    assert header_text(window) == "Signed out"
    dialog = views.open_sign_in()
    assert set(dialog.user_buttons) == {"op1", "lead", "sup"}
    before = {k: b.geometry() for k, b in dialog.keypad.keys.items()}
    QTest.mouseClick(dialog.user_buttons["op1"], Qt.MouseButton.LeftButton)
    for key in "1111":
        QTest.mouseClick(dialog.keypad.keys[key], Qt.MouseButton.LeftButton)
    assert dialog.secret.echoMode() is QLineEdit.EchoMode.Password
    assert dialog.secret.displayText() != "1111"
    assert {k: b.geometry() for k, b in dialog.keypad.keys.items()} == before  # keys never move
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert users.current.user == "op1"
    qtbot.waitUntil(lambda: header_text(window) == "Olga Op (Operator)", timeout=3000)
    assert window.operator.user == "op1"


def test_a_badge_typed_fast_then_enter_signs_in_without_showing_its_digits(
    qtbot, project, runtime, users, tmp_path
):
    window = window_of(qtbot, project, runtime, tmp_path, TOUCH)
    dialog = window.view("users").open_sign_in()
    dialog.secret.setFocus()
    QTest.keyClicks(dialog.secret, "00421337")
    assert dialog.secret.text() == ""  # held back: nothing of the badge is shown
    QTest.keyClick(dialog.secret, Qt.Key.Key_Return)
    assert users.current is not None and users.current.user == "op1"
    assert users.current.method == Method.BADGE.value
    qtbot.waitUntil(lambda: "Olga Op" in header_text(window), timeout=3000)


def test_a_wrong_pin_says_so_and_repeated_ones_lock_the_user_out(
    qtbot, project, runtime, users, tmp_path
):
    window = window_of(qtbot, project, runtime, tmp_path, TOUCH)
    dialog = window.view("users").open_sign_in()
    dialog.choose("op1")
    dialog.secret.setText("9999")
    assert not dialog.try_sign_in()
    assert "wrong user name or PIN (2 more before a lockout)" in dialog.problem.text()
    for _ in range(2):
        dialog.secret.setText("9999")
        dialog.try_sign_in()
    assert "op1 is locked after too many failed attempts; try again in 10" in dialog.problem.text()
    dialog.secret.setText("1111")  # the right PIN, but locked
    assert not dialog.try_sign_in()
    assert users.current is None and dialog.isVisible()


def test_inactivity_signs_out_and_writes_are_refused_until_sign_in(
    qtbot, project, runtime, users, tmp_path
):
    window = window_of(qtbot, project, runtime, tmp_path, TOUCH)
    gate = window.operator.gate
    assert gate.refusal("line1.cmd_start") == "nobody is signed in; sign in first"
    users.sign_in("op1", "1111", method=Method.PIN, profile="touch")
    qtbot.waitUntil(lambda: gate.refusal("line1.cmd_start") is None, timeout=3000)
    users.clock.now += 50
    QTest.mouseClick(window.header, Qt.MouseButton.LeftButton)  # activity keeps it alive
    users.clock.now += 50
    users.expire_idle()
    assert users.current is not None
    users.clock.now += 61
    qtbot.waitUntil(lambda: header_text(window) == "Signed out", timeout=3000)  # its timer
    assert "sign in first" in (gate.refusal("line1.cmd_start") or "")
    window.go_to("line")
    panel = window.panel
    window.operator.write("line1.cmd_start", True, panel)
    assert window.writes.pending == 0  # refused, never sent


def test_a_critical_write_needs_a_signature_and_a_second_person(
    qtbot, project, runtime, users, tmp_path
):
    window = window_of(qtbot, project, runtime, tmp_path, TOUCH)
    users.sign_in("lead", "2222", method=Method.PIN, profile="touch")
    qtbot.waitUntil(lambda: window.operator.user == "lead", timeout=3000)
    assert window.operator.gate.refusal(CRITICAL) is None  # offered: the lead may sign
    window.go_to("line")
    window.operator.write(CRITICAL, 12.0, window.panel)
    dialog = window.operator.dialog
    assert dialog.objectName() == "signatureDialog" and window.writes.pending == 0
    dialog.reason.setCurrentText("Alloy change")
    dialog.secret.setText("2222")
    offered = [dialog.second_name.itemText(i) for i in range(dialog.second_name.count())]
    assert "lead" not in offered and "sup" in offered  # never the first signer
    dialog.second_name.setCurrentText("sup")
    dialog.second_secret.setText("0000")
    assert not dialog.try_sign()
    assert "wrong user name or PIN" in dialog.problem.text()
    assert window.writes.pending == 0 and not window.writes.results
    dialog.second_name.setCurrentText("sup")
    dialog.second_secret.setText("3333")
    assert dialog.try_sign()
    qtbot.waitUntil(lambda: window.writes.results != [], timeout=5000)
    assert window.writes.results[-1].ok
    assert runtime.access.refusal("lead", WRITE_TAG, CRITICAL)  # the signature was used


def test_the_users_and_audit_pages_list_real_rows(qtbot, project, runtime, users, tmp_path):
    window = window_of(qtbot, project, runtime, tmp_path, Profile("desk", False, 36, 16))
    page = window.view("users").page
    assert not page.buttons["add"].isEnabled()  # nobody signed in: no managing
    assert "sign in first" in page.buttons["add"].toolTip()
    users.add_user("admin", "administrator", by="os:tester", password="admin-pass")
    users.sign_in("admin", "admin-pass")
    qtbot.waitUntil(lambda: page.buttons["add"].isEnabled(), timeout=3000)
    opens = window.view("users").open_sign_in().findChildren(QPushButton, "openPage")
    assert [b.text() for b in opens] == ["Users…", "Audit trail…"]
    manage = opens[0]
    assert manage.isEnabled()
    QTest.mouseClick(manage, Qt.MouseButton.LeftButton)
    assert window.pages.isVisible()
    names = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    assert names == ["admin", "lead", "op1", "sup"]
    page.table.selectRow(names.index("op1"))
    page.disable()
    assert page.table.item(names.index("op1"), 3).text() == "disabled"
    audit = window.view("audit").page
    assert opens[1].isEnabled()  # an administrator may view the trail
    window.open_page("audit")
    assert runtime.services["audit"].path  # the trail is the runtime's
    qtbot.waitUntil(lambda: any(r.action == "users.disable" for r in audit.search()), timeout=5000)
    row = next(
        r for r in range(audit.table.rowCount()) if audit.table.item(r, 3).text() == "users.disable"
    )
    assert audit.table.item(row, 2).text() == "admin"
    assert audit.table.item(row, 4).text() == "op1"
    out = tmp_path / "audit.csv"
    count = audit.export_to(out)
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert count == len(rows) - 1 and any(r[3] == "users.disable" for r in rows)
    verdict = audit.verify()
    assert verdict.ok and "Chain intact" in audit.message.text()
