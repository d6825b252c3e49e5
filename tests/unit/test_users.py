"""The users service over a real store with a real audit trail: sign-in by password, PIN
and badge, lockout with a growing delay, sessions that end by themselves, users removed or
demoted while signed in, electronic signatures with a second person."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hmi.core.access import WRITE_TAG, Access
from hmi.core.audit import AuditTrail, search
from hmi.core.checks import check_all
from hmi.core.store import Writer
from hmi.core.users import (
    FAST,
    Hasher,
    Method,
    SignInError,
    UserDatabase,
    Users,
    UsersError,
    declared_permissions,
    read_users,
)

PROJECT = """\
project:
  name: Users service
devices:
  plc:
    protocol: simulator
    model: press
tags:
  - {name: line1.ram_speed_sp, device: plc, address: ram_speed_sp, writable: true}
  - {name: line1.billet_temp_sp, device: plc, address: billet_temp_sp, writable: true}
users:
  auto_sign_out: {desk: 10m, touch: 1m}
  lockout: {after: 3, delay: 10s, max: 25s}
  signatures:
    - permission: tags.write
      targets: [line1.billet_temp_sp]
      meaning: Recipe setpoint change
      second: supervisor
"""
CONSOLE = "os:tester"


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class Station:
    """Users, access and audit over one store, as the runtime puts them together."""

    def __init__(self, folder: Path, text: str = PROJECT):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "project.yaml").write_text(text, encoding="utf-8")
        project, problems = check_all(folder)
        assert problems == [] and project is not None
        self.project = project
        self.clock = Clock()
        self.writer = Writer(folder / "hmi.db", flush_interval=0.02).start()
        self.access = Access(self.clock)
        self.trail = AuditTrail(self.writer, "test-station")
        self.trail.prepare()
        self.access.add_recorder(self.trail.record)
        self.users = self.open()

    def open(self, access: Access | None = None) -> Users:
        known = declared_permissions()
        config = read_users(self.project, known)[0]
        access = access or self.access
        users = Users(config, UserDatabase(self.writer), access, known_permissions=known,
                      hasher=Hasher(FAST), clock=self.clock, console=CONSOLE)  # fmt: skip
        return users.start(background=False)

    def records(self, action: str | None = None) -> list:
        assert self.writer.flush(5)
        return search(self.writer.path, action=action, newest_first=False)

    def close(self) -> None:
        self.users.stop()
        self.writer.stop()


@pytest.fixture
def station(tmp_path):
    s = Station(tmp_path / "p")
    users = s.users
    users.add_user("admin", "administrator", by=CONSOLE, password="admin-pass")
    users.add_user("op1", "operator", by=CONSOLE, full_name="Olga Op", pin="1111", badge="0042")
    users.add_user("sup", "supervisor", by=CONSOLE, password="super-pass", pin="2222")
    users.add_user("lead", "shift_lead", by=CONSOLE, password="lead-pass1")
    yield s
    s.close()


def test_a_station_without_users_is_open_and_the_first_user_closes_it(tmp_path):
    s = Station(tmp_path / "p")
    try:
        assert s.users.open and s.access.refusal("", WRITE_TAG, "line1.ram_speed_sp") is None
        s.users.add_user("op1", "operator", by="anyone", pin="1111")  # nobody could sign in
        assert s.access.refusal("", WRITE_TAG, "line1.ram_speed_sp") == (
            "nobody is signed in; sign in first"
        )
    finally:
        s.close()


def test_sign_in_by_password_pin_and_badge_and_switch_user(station):
    users = station.users
    session = users.sign_in("admin", "admin-pass")
    assert (session.user, session.role, session.method) == ("admin", "administrator", "password")
    assert station.access.refusal("admin", "users.manage") is None
    session = users.sign_in("op1", "1111", method=Method.PIN, profile="touch")
    assert users.current is session and session.idle_limit == 60.0
    assert station.access.refusal("admin", "users.manage") == (
        "admin is not signed in at this station; sign in first"
    )
    assert users.sign_in_badge(" 0042 ").user == "op1"
    with pytest.raises(SignInError, match="badge is not known"):
        users.sign_in_badge("9999")
    actions = [(r.user, r.action, r.reason) for r in station.records("users.sign")]
    assert ("admin", "users.sign_in", "") in actions
    assert ("admin", "users.sign_out", "switched to op1") in actions
    assert ("", "users.sign_in_failed", "") in actions  # the unknown badge, no name
    stored = Path(station.writer.path).read_bytes()
    assert b"0042" not in stored and b"admin-pass" not in stored  # hashes only


def test_wrong_secrets_lock_the_user_out_with_a_growing_delay_and_are_audited(station):
    users, clock = station.users, station.clock
    for left in (2, 1):
        with pytest.raises(SignInError, match=f"{left} more before a lockout"):
            users.sign_in("op1", "9999", method=Method.PIN)
    with pytest.raises(
        SignInError, match="locked after too many failed attempts; try again in 10s"
    ):
        users.sign_in("op1", "9999", method=Method.PIN)
    with pytest.raises(SignInError, match="locked") as locked:
        users.sign_in("op1", "1111", method=Method.PIN)  # right PIN, still locked
    assert locked.value.locked_until == clock.now + 10
    clock.now += 11
    for _ in range(3):
        with pytest.raises(SignInError):
            users.sign_in("op1", "0000", method=Method.PIN)
    with pytest.raises(SignInError, match="try again in 20s"):  # doubled
        users.sign_in("op1", "1111", method=Method.PIN)
    clock.now += 21
    for _ in range(3):
        with pytest.raises(SignInError):
            users.sign_in("op1", "0000", method=Method.PIN)
    assert users.user("op1").locked_until == clock.now + 25  # capped at max
    clock.now += 26
    assert users.sign_in("op1", "1111", method=Method.PIN).user == "op1"
    lockouts = station.records("users.locked_out")
    assert [json.loads(r.detail)["lockouts"] for r in lockouts] == [1, 2, 3]
    failed = station.records("users.sign_in_failed")
    assert len(failed) == 11 and {r.user for r in failed} == {"op1"}
    assert {r.details["why"] for r in failed} == {"wrong PIN", "locked"}


def test_a_lockout_survives_a_restart_of_the_station(station):
    for _ in range(3):
        with pytest.raises(SignInError):
            station.users.sign_in("lead", "wrong-pass")
    station.users.stop()
    assert station.writer.flush(5)
    station.users = station.open()  # as after a restart, from the store
    with pytest.raises(SignInError, match="locked"):
        station.users.sign_in("lead", "lead-pass1")


def test_a_session_ends_after_its_profiles_inactivity_and_touch_keeps_it(station):
    users, clock = station.users, station.clock
    users.sign_in("op1", "1111", method=Method.PIN, profile="touch")
    clock.now += 50
    users.touch()
    clock.now += 50
    assert station.access.refusal("op1", "alarms.acknowledge") is None
    clock.now += 11
    assert station.access.refusal("op1", "alarms.acknowledge") == (
        "op1 is not signed in at this station; sign in first"
    )
    assert users.current is None
    out = station.records("users.sign_out")[-1]
    assert out.user == "op1" and out.reason == "signed out after 1min without activity"


def test_a_user_disabled_removed_or_demoted_while_signed_in_loses_the_rights_at_once(station):
    users, access = station.users, station.access
    heard = []
    access.watch(lambda: heard.append(users.current.role if users.current else None))
    users.sign_in("lead", "lead-pass1")
    assert access.refusal("lead", "alarms.shelve") is None
    users.set_role("lead", "operator", by=CONSOLE)
    assert access.refusal("lead", "alarms.shelve") == (
        "lead (Operator) may not do this: the role lacks the permission alarms.shelve"
    )
    assert heard[-1] == "operator"
    users.disable("lead", by=CONSOLE, reason="left the company")
    assert users.current is None and "not signed in" in access.refusal("lead", WRITE_TAG, "x")
    with pytest.raises(SignInError, match="disabled"):
        users.sign_in("lead", "lead-pass1")
    users.sign_in("op1", "1111", method=Method.PIN)
    users.remove("op1", by=CONSOLE)
    assert users.current is None
    changes = [(r.user, r.action, r.target) for r in station.records("users.")]
    assert (CONSOLE, "users.set_role", "lead") in changes
    assert (CONSOLE, "users.disable", "lead") in changes
    assert (CONSOLE, "users.remove", "op1") in changes


def test_a_change_made_by_another_process_applies_at_once(station):
    users = station.users
    users.sign_in("sup", "super-pass")
    assert station.writer.flush(5)
    other = station.open(Access())  # `hmi users` beside the running station: same store
    other.set_role("sup", "operator", by=CONSOLE)
    assert station.writer.flush(5)
    users.poll()
    assert "lacks the permission alarms.out_of_service" in station.access.refusal(
        "sup", "alarms.out_of_service"
    )


def test_management_needs_users_manage(station):
    users = station.users
    users.sign_in("sup", "super-pass")
    with pytest.raises(UsersError, match=r"lacks the permission users\.manage"):
        users.add_user("x1", "operator", by="sup", pin="1234")
    users.sign_in("admin", "admin-pass")
    users.add_user("x1", "operator", by="admin", pin="1234")
    with pytest.raises(UsersError, match="a PIN is 4 to 12 digits"):
        users.reset("x1", by="admin", pin="12ab")
    with pytest.raises(UsersError, match="at least 8 characters"):
        users.reset("x1", by="admin", password="short")
    with pytest.raises(UsersError, match="that badge belongs to op1 already"):
        users.reset("x1", by="admin", badge="0042")
    with pytest.raises(UsersError, match=r"unknown role 'opertor'; did you mean 'operator'\?"):
        users.set_role("x1", "opertor", by="admin")


def test_a_critical_write_needs_a_signature_and_a_supervisors_countersignature(station):
    users, access = station.users, station.access
    target = "line1.billet_temp_sp"
    users.sign_in("lead", "lead-pass1")
    assert users.may(WRITE_TAG, target) is None  # the control shows itself enabled
    assert access.refusal("lead", WRITE_TAG, target) == (
        "tags.write on line1.billet_temp_sp needs an electronic signature and a second "
        "person's (Recipe setpoint change)"
    )
    with pytest.raises(SignInError):
        users.sign("lead", "wrong-pass", "Product change", permission=WRITE_TAG, target=target)
    first = users.sign("lead", "lead-pass1", "Product change", permission=WRITE_TAG, target=target)
    assert "needs a second person's signature" in access.refusal("lead", WRITE_TAG, target)
    with pytest.raises(UsersError, match="must be another person's"):
        users.countersign(first, "lead", "lead-pass1")
    with pytest.raises(UsersError, match="cannot countersign: it needs the role Supervisor"):
        users.countersign(first, "op1", "1111", method=Method.PIN)
    users.countersign(first, "sup", "2222", method=Method.PIN)
    assert access.refusal("lead", WRITE_TAG, target) is None
    assert access.refusal("lead", WRITE_TAG, "line1.ram_speed_sp") is None  # not critical
    access.record("lead", WRITE_TAG, target, old=480, new=500, status="done")
    assert "needs an electronic signature" in access.refusal("lead", WRITE_TAG, target)  # used
    signatures = [r for r in station.records("signature") if r.action == "signature"]
    assert [(r.user, r.reason, r.details["meaning"]) for r in signatures] == [
        ("lead", "Product change", "Recipe setpoint change"),
        ("sup", "Product change", "Recipe setpoint change"),
    ]
    assert signatures[1].details["second_of"] == first.id
    assert [r.user for r in station.records("signature_failed")] == ["lead"]


def test_a_signature_expires_and_dies_with_its_session(station):
    users, access, clock = station.users, station.access, station.clock
    target = "line1.billet_temp_sp"
    users.sign_in("sup", "super-pass")
    first = users.sign("sup", "super-pass", "Trial", permission=WRITE_TAG, target=target)
    users.countersign(first, "admin", "admin-pass")  # an administrator is above supervisor
    assert access.refusal("sup", WRITE_TAG, target) is None
    clock.now += 121  # signature_valid: 2 minutes
    assert "needs an electronic signature" in access.refusal("sup", WRITE_TAG, target)
    first = users.sign("sup", "super-pass", "Trial", permission=WRITE_TAG, target=target)
    users.countersign(first, "admin", "admin-pass")
    users.sign_out()
    users.sign_in("sup", "super-pass")
    assert "needs an electronic signature" in access.refusal("sup", WRITE_TAG, target)


def test_a_write_confirmed_after_the_session_expired_is_not_sent(station):
    import asyncio

    from hmi.core.driver import WriteStatus
    from hmi.core.engine import TagEngine

    engine = TagEngine(station.project, access=station.access)
    station.users.sign_in("op1", "1111", method=Method.PIN, profile="touch")
    station.clock.now += 61  # the confirmation dialog stayed open past auto_sign_out
    result = asyncio.run(engine.write("line1.ram_speed_sp", 12.0, "op1"))
    assert result.status is WriteStatus.REFUSED
    assert result.message == "op1 is not signed in at this station; sign in first"
    write = station.records(WRITE_TAG)[-1]
    assert (write.user, write.details["status"]) == ("op1", "refused")
