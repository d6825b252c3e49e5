"""``hmi mes status|retry|discard|export`` on the store of a stopped station: figures per
target, the quarantine acted on, bad input one line and an exit code, never a traceback."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3

import pytest

from hmi.cli import main
from hmi.core.access import Access
from hmi.core.mes import target as target_module
from hmi.core.mes.config import read_mes
from hmi.core.mes.service import Mes
from hmi.core.project.loader import load_project
from hmi.core.store import migrate

from .conftest import project_text, store, wait_until, write_events

PROJECT = project_text(
    "console",
    """\
mes:
  targets:
    plant: {kind: fake, refuse_kinds: [scrap]}
""",
)


@pytest.fixture
def station(tmp_path, monkeypatch):
    """A project whose station ran: 12 events sent, 3 scrap events quarantined."""
    monkeypatch.setitem(target_module.TARGET_KINDS, "fake", "tests.mes.conftest:FakeTarget")
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "project.yaml").write_text(PROJECT, encoding="utf-8")
    data = tmp_path / "data"
    writer = store(data / "hmi.db")
    config = read_mes(load_project(folder))[0]
    mes = Mes(config, writer, Access(), poll=0.05).load().start()
    write_events(writer, [("O-1", "scrap" if i % 4 == 0 else "count") for i in range(12)])
    assert wait_until(lambda: mes.status()[0].quarantined == 3 and mes.status()[0].backlog == 0)
    mes.stop()
    writer.stop()
    return folder, data


def hmi(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["mes", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_status_lists_each_target(station, capsys):
    folder, data = station
    code, out, err = hmi(capsys, "status", str(folder), "--data-dir", str(data))
    assert code == 0, err
    assert out.startswith("plant: stopped, 0 to send (oldest 0 s), last success 20")
    assert out.rstrip().endswith("3 quarantined")
    code, out, _ = hmi(capsys, "status", str(folder), "--data-dir", str(data), "--json")
    line = json.loads(out)
    assert line["target"] == "plant" and line["quarantined"] == 3 and line["backlog"] == 0
    code, out, _ = hmi(capsys, "status", str(folder), "--data-dir", str(data), "--quarantined")
    assert len(out.splitlines()) == 4 and '"reason": "scrap not taken"' in out


def test_status_lists_the_released_orders_refused_newest_first(station, capsys):
    from hmi.core.mes import intake

    folder, data = station
    conn = sqlite3.connect(data / "hmi.db")
    with conn:  # as the intake of a running station recorded its decisions
        migrate(conn, intake.COMPONENT, intake.SCHEMA)
        conn.executemany(
            "INSERT INTO mes_orders_in VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                ("plant", "P-1", "line1", "f1", intake.REFUSED, "target must be whole", 1e9),
                ("plant", "P-2", "line1", "f2", intake.ACCEPTED, "", 1e9 + 1),
                ("plant", "P-3", "line1", "f3", intake.KEPT, "it is never changed", 1e9 + 2),
                ("plant", "P-4", "line2", "withdrawn", intake.KEPT, "it started", 1e9 + 3),
                ("plant", "P-5", "line1", "f5", intake.KEPT, "", 1e9 + 4),  # listed as it runs
            ],
        )  # fmt: skip
    conn.close()
    code, out, err = hmi(capsys, "status", str(folder), "--data-dir", str(data))
    assert code == 0, err
    listed = out.splitlines()[1:]
    assert listed[0] == "released orders refused: 3"
    assert [line.strip().split(" ", 2)[2] for line in listed[1:]] == [
        "P-4 line2 from plant (withdrawal not applied): it started",
        "P-3 line1 from plant (change not applied): it is never changed",
        "P-1 line1 from plant: target must be whole",
    ]
    code, out, _ = hmi(capsys, "status", str(folder), "--data-dir", str(data), "--json")
    assert [json.loads(line)["target"] for line in out.splitlines()] == ["plant"]


def test_export_discard_and_retry_act_on_the_quarantine(station, capsys, tmp_path):
    folder, data = station
    common = (str(folder), "--data-dir", str(data))
    out_file = tmp_path / "refused.jsonl"
    code, out, err = hmi(capsys, "export", *common, "plant", str(out_file))
    assert code == 0, err
    assert out.strip() == f"plant: wrote 3 event(s) to {out_file}"
    ids = [json.loads(line)["event"]["id"] for line in out_file.read_text().splitlines()]
    code, out, err = hmi(capsys, "discard", *common, "plant", str(ids[0]), "--reason", "typo")
    assert (code, out.strip()) == (0, "plant: discarded 1 event(s)"), err
    code, out, err = hmi(capsys, "retry", *common, "plant", "--all")
    assert (code, out.strip()) == (0, "plant: 0 accepted, 2 refused again"), err
    code, out, _ = hmi(capsys, "status", *common, "--quarantined")
    rows = [json.loads(line) for line in out.splitlines()[1:]]
    assert [r["event"]["id"] for r in rows] == ids[1:] and {r["attempts"] for r in rows} == {2}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("retry", "plant"), "mes retry: name the outbox ids to retry, or --all (not both)"),
        (("retry", "plant", "1", "--all"), "mes retry: name the outbox ids to retry, or --all"),
        (("discard", "plnt", "1", "--reason", "x"), "mes discard: no MES target 'plnt'"),
        (("discard", "plant", "4242", "--reason", "x"), "not in plant's quarantine: 4242"),
        (("export", "plant", "/nonexistent/dir/x.jsonl"), "mes export: cannot write"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(station, capsys, args, message):
    folder, data = station
    action, *rest = args
    code, out, err = hmi(capsys, action, str(folder), "--data-dir", str(data), *rest)
    assert code == 1 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_an_id_that_is_no_number_is_refused_by_the_parser(station, capsys):
    folder, _ = station
    with pytest.raises(SystemExit) as exit_:
        main(["mes", "discard", str(folder), "plant", "abc", "--reason", "x"])
    assert exit_.value.code == 2
    assert "'abc' is not an outbox id (a whole number)" in capsys.readouterr().err


def test_a_project_without_mes_says_so(tmp_path, capsys):
    (tmp_path / "project.yaml").write_text(PROJECT.split("mes:")[0], encoding="utf-8")
    code, _, err = hmi(capsys, "status", str(tmp_path), "--data-dir", str(tmp_path / "d"))
    assert code == 1 and "the project has no mes: section" in err


def test_where_the_project_has_users_who_acts_signs_in_and_the_audit_trail_keeps_it(
    station, capsys, monkeypatch
):
    folder, data = station
    common = (str(folder), "--data-dir", str(data))
    for name, role, pin in (("op1", "operator", "1111"), ("lead", "supervisor", "2222")):
        monkeypatch.setattr("sys.stdin", io.StringIO(f"{pin}\n{pin}\n"))
        added = main(["users", "add", *common, name, "--role", role, "--pin", "--stdin"])
        assert added == 0, capsys.readouterr().err
    capsys.readouterr()
    _, out, _ = hmi(capsys, "status", *common, "--quarantined")
    first = json.loads(out.splitlines()[1])["event"]["id"]
    discard = ("discard", *common, "plant", str(first), "--reason", "typo", "--pin", "--stdin")
    monkeypatch.setattr("sys.stdin", io.StringIO("1111\n"))
    code, _, err = hmi(capsys, *discard, "--user", "op1")
    assert code == 1 and "may not" in err and "Traceback" not in err
    monkeypatch.setattr("sys.stdin", io.StringIO("2222\n"))
    code, out, err = hmi(capsys, *discard, "--user", "lead")
    assert (code, out.strip()) == (0, "plant: discarded 1 event(s)"), err
    with contextlib.closing(sqlite3.connect(data / "hmi.db")) as conn:
        audit = conn.execute(
            "SELECT user, action, reason, detail FROM audit WHERE action LIKE 'mes.%' "
            "ORDER BY rowid"
        ).fetchall()
    assert [(u, a) for u, a, _, _ in audit] == [("op1", "mes.discard"), ("lead", "mes.discard")]
    assert "refused" in audit[0][3] and audit[1][2] == "typo" and f"[{first}]" in audit[1][3]


def test_a_console_command_leaves_the_sending_stations_record_alone(station, capsys):
    folder, data = station
    with contextlib.closing(sqlite3.connect(data / "hmi.db")) as conn, conn:
        conn.execute("UPDATE mes_cursors SET state = 'failing', last_error = 'gone'")
    for _ in range(2):  # the second reads what the first left
        code, out, _ = hmi(capsys, "status", str(folder), "--data-dir", str(data))
        assert code == 0 and out.startswith("plant: failing,") and "last error: gone" in out
