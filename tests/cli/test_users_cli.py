"""``hmi users``, ``hmi write`` with users, ``hmi audit`` and ``hmi secret`` as an engineer
runs them: real processes on a project whose PLC is the in-process simulator, secrets on
standard input, every answer checked in the store and the audit trail."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = """\
project:
  name: Users CLI {name}
devices:
  press:
    protocol: simulator
    model: press
    faults: false
tags:
  - {{name: line1.ram_speed_sp, device: press, address: ram_speed_sp, writable: true,
     range: [1, 25]}}
  - {{name: line1.billet_temp_sp, device: press, address: billet_temp_sp, writable: true,
     range: [400, 520]}}
users:
  roles:
    viewer: []
  signatures:
    - permission: tags.write
      targets: [line1.billet_temp_sp]
      meaning: Recipe setpoint change
      second: supervisor
"""


def run(home: Path, *args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LINEA_HMI_HOME": str(home), **extra}
    return subprocess.run(
        [sys.executable, "-m", "hmi", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


@pytest.fixture
def plant(tmp_path, request):
    folder = tmp_path / "project"
    folder.mkdir()
    name = request.node.name[-30:].replace("[", "").replace("]", "")
    (folder / "project.yaml").write_text(PROJECT.format(name=name), encoding="utf-8")
    home = tmp_path / "home"
    return home, folder


def store_of(home: Path) -> Path:
    [db] = (home / "data").glob("*/hmi.db")
    return db


def add_people(home, folder):
    add = [
        ("admin", "administrator", "--password", "admin-pass\nadmin-pass\n"),
        ("op1", "operator", "--pin", "1111\n1111\n"),
        ("sup", "supervisor", "--password", "super-pass\nsuper-pass\n"),
        ("guest", "viewer", "--pin", "5555\n5555\n"),
    ]
    for name, role, how, secret in add:
        proc = run(
            home, "users", "add", str(folder), name, "--role", role, how, "--stdin", stdin=secret
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(f"added {name} (")


def test_users_are_added_listed_changed_and_disabled_with_secrets_never_echoed(plant):
    home, folder = plant
    add_people(home, folder)
    listed = run(home, "users", "list", str(folder), "--json")
    rows = {r["name"]: r for r in map(json.loads, listed.stdout.splitlines())}
    assert set(rows) == {"admin", "op1", "sup", "guest"}
    assert rows["op1"]["pin"] and not rows["op1"]["password"] and rows["op1"]["role"] == "operator"
    assert "1111" not in listed.stdout and "admin-pass" not in listed.stdout

    assert run(home, "users", "set-role", str(folder), "op1", "shift_lead").returncode == 0
    wrong = run(home, "users", "set-role", str(folder), "op1", "shiftlead")
    assert wrong.returncode == 1
    assert "unknown role 'shiftlead'; did you mean 'shift_lead'?" in wrong.stderr
    assert run(home, "users", "disable", str(folder), "guest", "--reason", "left").returncode == 0
    text = run(home, "users", "list", str(folder)).stdout
    assert "op1  Shift lead  pin  enabled" in text and "guest  Viewer  pin  DISABLED" in text

    short = run(
        home,
        "users",
        "add",
        str(folder),
        "y",
        "--role",
        "operator",
        "--pin",
        "--stdin",
        stdin="12\n12\n",
    )
    assert short.returncode == 1 and "a PIN is 4 to 12 digits" in short.stderr
    no_tty = run(home, "users", "add", str(folder), "z", "--role", "operator", "--pin")
    assert (
        no_tty.returncode == 1 and "--stdin" in no_tty.stderr and "Traceback" not in no_tty.stderr
    )

    db = store_of(home).read_bytes()
    assert b"admin-pass" not in db and b"super-pass" not in db
    rows = (
        sqlite3.connect(store_of(home))
        .execute("SELECT user, action, target FROM audit ORDER BY seq")
        .fetchall()
    )
    assert [a for _, a, _ in rows].count("users.add") == 4
    assert rows[0][0].startswith("os:") and ("users.disable" in {a for _, a, _ in rows})


def test_write_asks_who_writes_and_refuses_without_a_permitted_user(plant):
    home, folder = plant
    add_people(home, folder)
    args = ("write", str(folder), "line1.ram_speed_sp", "12.5")
    nobody = run(home, *args, "--stdin", stdin="")
    assert nobody.returncode == 1 and "give --user NAME" in nobody.stderr

    wrong = run(home, *args, "--user", "op1", "--pin", "--stdin", stdin="9999\n")
    assert wrong.returncode == 1 and "wrong user name or PIN" in wrong.stderr

    sup = run(home, *args, "--user", "sup", "--stdin", stdin="super-pass\n")
    assert sup.returncode == 0, sup.stdout + sup.stderr
    assert json.loads(sup.stdout)["status"] == "done"

    add = run(
        home,
        "users",
        "add",
        str(folder),
        "g2",
        "--role",
        "viewer",
        "--pin",
        "--stdin",
        stdin="7777\n7777\n",
    )
    assert add.returncode == 0
    viewer = run(home, *args, "--user", "g2", "--pin", "--stdin", stdin="7777\n")
    assert viewer.returncode == 1
    result = json.loads(viewer.stdout)
    assert result["status"] == "refused" and "lacks the permission tags.write" in result["message"]

    op = run(home, *args, "--user", "op1", "--pin", "--stdin", stdin="1111\n")
    assert op.returncode == 0 and json.loads(op.stdout)["status"] == "done"

    trail = (
        sqlite3.connect(store_of(home))
        .execute(
            "SELECT user, action, target, detail FROM audit WHERE action LIKE 'tags.write' "
            "ORDER BY seq"
        )
        .fetchall()
    )
    assert [(u, json.loads(d)["status"]) for u, _, _, d in trail] == [
        ("sup", "done"),
        ("g2", "refused"),
        ("op1", "done"),
    ]
    assert isinstance(json.loads(trail[2][3])["old"], float)  # read before the write
    failed = (
        sqlite3.connect(store_of(home))
        .execute("SELECT user FROM audit WHERE action = 'users.sign_in_failed'")
        .fetchall()
    )
    assert failed == [("op1",)]


def test_a_critical_write_needs_a_reason_and_a_supervisors_countersignature(plant):
    home, folder = plant
    add_people(home, folder)
    run(home, "users", "set-role", str(folder), "op1", "shift_lead")
    args = ("write", str(folder), "line1.billet_temp_sp", "480", "--user", "op1", "--pin")
    unsigned = run(home, *args, "--stdin", stdin="1111\n")
    assert unsigned.returncode == 1 and "give --reason" in unsigned.stderr
    alone = run(home, *args, "--stdin", "--reason", "Product change", stdin="1111\n")
    assert alone.returncode == 1 and "give --witness NAME" in alone.stderr
    signed = run(
        home,
        *args,
        "--stdin",
        "--reason",
        "Product change",
        "--witness",
        "sup",
        stdin="1111\nsuper-pass\n",
    )
    # the witness signs with the same kind of secret as the writer: sup has no PIN
    assert signed.returncode == 1 and "has no PIN" in signed.stderr
    run(home, "users", "reset", str(folder), "sup", "--pin", "--stdin", stdin="2222\n2222\n")
    signed = run(
        home,
        *args,
        "--stdin",
        "--reason",
        "Product change",
        "--witness",
        "sup",
        stdin="1111\n2222\n",
    )
    assert signed.returncode == 0, signed.stdout + signed.stderr
    assert json.loads(signed.stdout)["status"] == "done"
    rows = (
        sqlite3.connect(store_of(home))
        .execute("SELECT user, reason, detail FROM audit WHERE action = 'signature' ORDER BY seq")
        .fetchall()
    )
    # op1 signed twice: the first time the witness could not countersign (no PIN)
    assert [(u, r) for u, r, _ in rows] == [("op1", "Product change")] * 2 + [
        ("sup", "Product change")
    ]
    assert json.loads(rows[-1][2])["meaning"] == "Recipe setpoint change"
    assert json.loads(rows[-1][2])["second_of"] == json.loads(rows[-2][2])["signature"]


def test_audit_verify_and_export_and_a_tampered_trail(plant, tmp_path):
    home, folder = plant
    add_people(home, folder)
    ok = run(home, "audit", "verify", str(folder))
    assert ok.returncode == 0 and ok.stdout.startswith("audit trail sound: ")
    out = tmp_path / "trail.csv"
    exported = run(
        home,
        "audit",
        "export",
        str(folder),
        "--from",
        "2000-01-01",
        "--to",
        "2999-12-31",
        "--out",
        str(out),
    )
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) >= 4 and rows[0]["action"] == "users.add" and rows[0]["station"]
    bad = run(home, "audit", "export", str(folder), "--from", "yesterday", "--out", str(out))
    assert bad.returncode == 2 and "is not a date or time" in bad.stderr

    with sqlite3.connect(store_of(home)) as conn:
        conn.execute("UPDATE audit SET target = 'mallory' WHERE seq = 2")
    broken = run(home, "audit", "verify", str(folder))
    assert broken.returncode == 1
    assert "record 2 " in broken.stderr and "edited" in broken.stderr


def test_secrets_are_set_from_stdin_listed_by_name_and_a_damaged_store_is_an_error(tmp_path):
    home = tmp_path / "home"
    stored = run(
        home, "secret", "set", "mes_token", "--stdin", stdin="t0ps3cret\n", LINEA_HMI_SECRETS="file"
    )
    assert stored.returncode == 0, stored.stderr
    assert "t0ps3cret" not in stored.stdout + stored.stderr
    listed = run(home, "secret", "list", LINEA_HMI_SECRETS="file")
    assert listed.stdout.splitlines() == ["mes_token"]
    os.chmod(home / "config" / "secrets.json", 0o644)
    refused = run(home, "secret", "list", LINEA_HMI_SECRETS="file")
    assert refused.returncode == 1 and "chmod 600" in refused.stderr
    assert "t0ps3cret" not in refused.stderr and "Traceback" not in refused.stderr
    keyring = run(home, "secret", "list", LINEA_HMI_SECRETS="keyring")
    assert keyring.returncode == 1 and "no usable keyring" in keyring.stderr


def test_the_first_demo_start_creates_the_documented_users_once(tmp_path):
    from hmi.core.paths import demo_project_dir
    from tests.helpers import free_port

    home = tmp_path / "home"
    ports = ("--modbus-port", str(free_port()), "--opcua-port", str(free_port()))
    first = run(home, "demo", "--headless", "--seconds", "1", *ports)
    assert first.returncode == 0, first.stderr
    assert "demo users created: op1, lead1, sup1, eng1, admin" in first.stderr
    listed = run(home, "users", "list", str(demo_project_dir()), "--json")
    roles = {r["name"]: r["role"] for r in map(json.loads, listed.stdout.splitlines())}
    assert roles == {
        "admin": "administrator",
        "eng1": "engineer",
        "lead1": "shift_lead",
        "op1": "operator",
        "sup1": "supervisor",
    }
    again = run(home, "demo", "--headless", "--seconds", "1", *ports)
    assert again.returncode == 0 and "demo users created" not in again.stderr
