"""``hmi orders`` as a planner and an operator run it: real processes on a project with
an orders section, the answers checked in the store; bad input is one line, never a
traceback; where the project has users, who acts signs in and a role without the
permission is refused."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.helpers import free_port
from tests.integration.orders_plant import write_project

CSV = """\
number,line,target,ideal_cycle,product,bottle_size_l
C-1,line1,500,0.2s,Water,0.5
C-2,line1,800,,Cola,1.5
C-3,line1,many,,Cola,1.5
C-1,line1,500,,Water,0.5
"""


def run(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hmi", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "LINEA_HMI_HOME": str(home)},
    )


def setup(tmp_path: Path) -> tuple[Path, Path]:
    home = tmp_path / "home"
    folder = write_project(tmp_path / "project", free_port(), "cli")
    (tmp_path / "orders.csv").write_text(CSV, encoding="utf-8")
    return home, folder


def store_of(home: Path) -> Path:
    [db] = (home / "data").glob("*/hmi.db")
    return db


def test_import_list_act_export_and_report(tmp_path):
    home, folder = setup(tmp_path)
    p = str(folder)
    imported = run(home, "orders", "import", p, str(tmp_path / "orders.csv"))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "imported 2 order(s): C-1, C-2; 2 refused (above)"
    assert f"{tmp_path / 'orders.csv'}:4: target must be a whole number" in imported.stderr
    assert f"{tmp_path / 'orders.csv'}:5: order C-1 exists already" in imported.stderr
    assert run(home, "orders", "start", p, "C-2").stdout.strip() == "C-2: running"
    second = run(home, "orders", "start", p, "C-1")
    assert second.returncode == 1
    assert second.stderr.strip() == (
        "orders start: order C-2 is running on line1: hold or complete it before you start C-1"
    )
    no_reason = run(home, "orders", "hold", p, "C-2")
    assert no_reason.returncode == 1 and "give the reason" in no_reason.stderr
    assert run(home, "orders", "hold", p, "C-2", "--reason", "Bottle jam").returncode == 0
    listed = run(home, "orders", "list", p, "--json")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["number"], r["state"]) for r in rows] == [("C-1", "released"), ("C-2", "held")]
    assert rows[0]["figures"] == {"filled": 0.0, "rejected": 0.0, "remaining": 500.0}
    made = run(
        home,
        "orders",
        "create",
        p,
        "L-9",
        "--line",
        "line1",
        "--target",
        "50",
        "--at-line",
        "--set",
        "product=Juice",
        "--set",
        "bottle_size_l=0.33",
    )
    assert made.returncode == 0 and made.stdout.strip() == "created L-9 for line1: 50 pieces"
    out = tmp_path / "out.json"
    exported = run(home, "orders", "export", p, "--format", "json", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert [o["source"] for o in json.loads(out.read_text())["orders"]] == [
        "import",
        "import",
        "line",
    ]
    report = tmp_path / "shift.csv"
    done = run(
        home,
        "orders",
        "report",
        p,
        "--line",
        "line1",
        "--shift",
        "2026-12-04/Day",
        "--out",
        str(report),
    )
    assert done.returncode == 0, done.stderr
    assert report.read_text(encoding="utf-8").strip()
    with sqlite3.connect(store_of(home)) as conn:
        changes = conn.execute("SELECT order_number, action, reason FROM order_changes").fetchall()
        streams = conn.execute("SELECT stream, seq FROM outbox ORDER BY id").fetchall()
    assert ("C-2", "hold", "Bottle jam") in changes
    assert [q for s, q in streams if s == "C-2"] == [1, 2, 3]


def test_bad_input_is_one_line_and_no_traceback(tmp_path):
    home, folder = setup(tmp_path)
    p = str(folder)
    cases = [
        (("orders", "import", p, str(tmp_path / "missing.csv")), "no such file"),
        (("orders", "start", p, "NOPE"), "no order 'NOPE'"),
        (("orders", "list", p, "--line", "line7"), "no line 'line7'"),
        (
            ("orders", "create", p, "X", "--line", "line1", "--target", "5", "--set", "oops"),
            "--set FIELD=VALUE",
        ),
        (
            (
                "orders",
                "create",
                p,
                "X",
                "--line",
                "line1",
                "--target",
                "-5",
                "--set",
                "product=A",
                "--set",
                "bottle_size_l=1",
            ),
            "target must be from 1",
        ),
        (("orders", "report", p, "--line", "line1", "--shift", "yesterday"), "give DAY/NAME"),
        (
            ("orders", "report", p, "--line", "line1", "--shift", "2026-12-04/Night"),
            "no shift 'Night'",
        ),
    ]
    for args, message in cases:
        proc = run(home, *args)
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        assert message in proc.stderr and "Traceback" not in proc.stderr, (args, proc.stderr)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "project.yaml").write_text("project: {name: Empty}\n", encoding="utf-8")
    none = run(home, "orders", "list", str(empty))
    assert none.returncode == 1 and "no orders: section" in none.stderr


def test_with_users_who_acts_signs_in_and_a_role_without_the_permission_is_refused(tmp_path):
    home, folder = setup(tmp_path)
    p = str(folder)
    for name, role, secret in (("op1", "operator", "1111"), ("lead", "supervisor", "2222")):
        added = run(
            home,
            "users",
            "add",
            p,
            name,
            "--role",
            role,
            "--pin",
            "--stdin",
            stdin=f"{secret}\n{secret}\n",
        )
        assert added.returncode == 0, added.stderr
    assert (
        run(
            home,
            "orders",
            "import",
            p,
            str(tmp_path / "orders.csv"),
            "--user",
            "lead",
            "--pin",
            "--stdin",
            stdin="2222\n",
        ).returncode
        == 0
    )
    nobody = run(home, "orders", "start", p, "C-1", "--stdin")
    assert nobody.returncode == 1 and "give --user NAME" in nobody.stderr
    wrong = run(
        home, "orders", "start", p, "C-1", "--user", "op1", "--pin", "--stdin", stdin="9999\n"
    )
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    ok = run(home, "orders", "start", p, "C-1", "--user", "op1", "--pin", "--stdin", stdin="1111\n")
    assert ok.returncode == 0, ok.stderr
    refused = run(
        home,
        "orders",
        "abort",
        p,
        "C-1",
        "--reason",
        "test",
        "--user",
        "op1",
        "--pin",
        "--stdin",
        stdin="1111\n",
    )
    assert refused.returncode == 1 and "may not" in refused.stderr
    with sqlite3.connect(store_of(home)) as conn:
        state = conn.execute("SELECT state FROM orders WHERE number = 'C-1'").fetchone()[0]
        audit = conn.execute(
            "SELECT user, action, detail FROM audit WHERE action LIKE 'orders.%'"
        ).fetchall()
    assert state == "running"
    assert ("op1", "orders.start") in [(u, a) for u, a, _ in audit]
    assert any(u == "op1" and a == "orders.abort" and "refused" in d for u, a, d in audit)
