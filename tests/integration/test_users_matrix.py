"""Every protected action is refused to every role that lacks its permission and allowed to
those that have it: through ``Access``, and through the real actions on a running station
(the engine's writes, the alarm manager's acknowledge, shelve and out-of-service, user
management), with each refusal naming the permission and landing in the audit trail."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hmi.core.access import WRITE_TAG
from hmi.core.alarms import ALL, AlarmCommandError
from hmi.core.audit import search
from hmi.core.checks import check_all
from hmi.core.driver import WriteStatus
from hmi.core.runtime import Runtime
from hmi.core.users import Method, UsersError, declared_permissions

PROJECT = """\
project:
  name: Matrix
devices:
  press:
    protocol: simulator
    model: press
    faults: false
tags:
  - {name: line1.ram_speed_sp, device: press, address: ram_speed_sp, writable: true,
     range: [1, 25]}
  - {name: line1.ram_pressure, device: press, address: ram_pressure}
alarms:
  - tag: line1.ram_pressure
    hi: -1000
users:
  roles:
    viewer:
      title: Viewer
      permissions: []
    line_tech:
      inherits: operator
      permissions: [alarms.shelve]
"""

# What each role is documented to allow (README "Users and roles"); every permission an
# installed capability declares must appear in this table's columns below.
EVERYTHING = frozenset(declared_permissions())
OPERATOR = {
    "alarms.acknowledge",
    WRITE_TAG,
    "orders.start",
    "orders.hold",
    "downtime.assign",
    "scrap.record",
}
SHIFT_LEAD = OPERATOR | {
    "alarms.shelve",
    "orders.complete",
    "orders.abort",
    "counts.correct",
    "reports.view",
}
SUPERVISOR = SHIFT_LEAD | {
    "alarms.out_of_service",
    "trends.save",
    "audit.view",
    "orders.manage",
    "vision.review",
    "mes.retry",
    "mes.discard",
    "mes.export",
}
ALLOWED = {
    "viewer": set(),
    "operator": OPERATOR,
    "line_tech": OPERATOR | {"alarms.shelve"},
    "shift_lead": SHIFT_LEAD,
    "supervisor": SUPERVISOR,
    "engineer": SUPERVISOR | {"project.change", "vision.manage"},
    "administrator": set(EVERYTHING),
}
KNOWN = {
    WRITE_TAG,
    "alarms.acknowledge",
    "alarms.shelve",
    "alarms.out_of_service",
    "trends.save",
    "audit.view",
    "project.change",
    "users.manage",
    "orders.start",
    "orders.hold",
    "orders.complete",
    "orders.abort",
    "orders.manage",
    "downtime.assign",
    "scrap.record",
    "counts.correct",
    "reports.view",
    "vision.manage",
    "vision.review",
    "mes.retry",
    "mes.discard",
    "mes.export",
}
PIN = "2468"


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    folder = tmp_path_factory.mktemp("matrix")
    (folder / "project.yaml").write_text(PROJECT, encoding="utf-8")
    project, problems = check_all(folder)
    assert problems == [] and project is not None
    runtime = Runtime(project, folder / "data")
    runtime.start()
    users = runtime.service("users")
    users.add_user("u_administrator", "administrator", by="", pin=PIN)  # the open station's first
    users.sign_in("u_administrator", PIN, method=Method.PIN)
    for role in ALLOWED:
        if role != "administrator":
            users.add_user(f"u_{role}", role, by="u_administrator", pin=PIN)
    users.sign_out()
    deadline = time.monotonic() + 10
    while "line1.ram_speed_sp" not in runtime.engine.values and time.monotonic() < deadline:
        time.sleep(0.05)
    yield runtime
    runtime.stop()


def test_the_table_covers_every_declared_permission():
    assert EVERYTHING == KNOWN, "a capability declares a permission this matrix does not test"


@pytest.mark.parametrize("role", list(ALLOWED))
def test_access_answers_each_permission_for_each_role(station, role):
    users, access = station.service("users"), station.access
    users.sign_in(f"u_{role}", PIN, method=Method.PIN)
    for permission in sorted(EVERYTHING):
        reason = access.refusal(f"u_{role}", permission, "line1.ram_speed_sp")
        if permission in ALLOWED[role]:
            assert reason is None, (role, permission, reason)
        else:
            assert reason is not None and permission in reason, (role, permission, reason)
    users.sign_out()
    assert access.refusal(f"u_{role}", "alarms.acknowledge") is not None  # signed out


@pytest.mark.parametrize("role", list(ALLOWED))
def test_the_real_actions_follow_the_table(station, role):
    users, alarms = station.service("users"), station.service("alarms")
    user = f"u_{role}"
    users.sign_in(user, PIN, method=Method.PIN)
    try:
        result = station.write("line1.ram_speed_sp", 12.5, user).result(10)
        if WRITE_TAG in ALLOWED[role]:
            assert result.status is WriteStatus.DONE, result
        else:
            assert result.status is WriteStatus.REFUSED and WRITE_TAG in result.message

        actions = {
            "alarms.acknowledge": lambda: alarms.acknowledge(ALL, user),
            "alarms.shelve": lambda: alarms.shelve(ALL, "1h", "matrix test", user),
            "alarms.out_of_service": lambda: alarms.set_out_of_service(ALL, "matrix test", user),
        }
        for permission, act in actions.items():
            if permission in ALLOWED[role]:
                act()
            else:
                with pytest.raises(AlarmCommandError, match=permission.replace(".", r"\.")):
                    act()
        if "users.manage" in ALLOWED[role]:
            users.add_user(f"x_{role}", "viewer", by=user, pin="1357")
        else:
            with pytest.raises(UsersError, match=r"users\.manage"):
                users.add_user(f"x_{role}", "viewer", by=user, pin="1357")
    finally:
        users.sign_out()
    assert station.store.flush(5)
    store = Path(station.store.path)
    writes = search(store, user=user, action=WRITE_TAG)
    assert writes and writes[0].details["status"] == result.status.value
    refused = [r for r in search(store, user=user) if r.details.get("status") == "refused"]
    expected_refusals = {WRITE_TAG, *actions} - ALLOWED[role]
    assert {r.action for r in refused} == expected_refusals


def value_of(station, tag):
    tv = station.engine.values.get(tag)
    return None if tv is None else tv.value


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()


def test_who_is_signed_in_and_the_audit_head_are_system_tags(station):
    users = station.service("users")
    users.sign_in("u_supervisor", PIN, method=Method.PIN)
    assert wait_until(lambda: value_of(station, "_sys.users.current") == "u_supervisor")
    assert value_of(station, "_sys.users.role") == "supervisor"
    users.sign_out()
    assert wait_until(lambda: value_of(station, "_sys.users.current") == "")
    assert station.store.flush(5)
    verdict = station.service("audit").verify()
    assert verdict.ok, verdict.problem
    assert wait_until(lambda: value_of(station, "_sys.audit.count") == verdict.count)
    assert value_of(station, "_sys.audit.head") == verdict.head.hash
    assert value_of(station, "_sys.audit.health") == "ok"
