"""The demo's MES on 127.0.0.1: the real HTTP target's every kind of event taken (and
checked against the contract here), resends dropped by key, batches that break the
envelope refused with where, released orders with an ETag and a 304, a wrong order whose
refusal comes back, an outage; and ``hmi demo`` running on it with no service."""

from __future__ import annotations

import json
import socket
import sqlite3
import time

import pytest

from drivers.simulator.demo_mes import (
    RETRY_AFTER_S,
    WRONG_ORDER,
    DemoMes,
    Outages,
    target_section,
)
from hmi.cli import _with_demo_mes
from hmi.core.checks import check_all
from hmi.core.mes import TargetError
from hmi.core.mes.http import HttpTarget, idempotency_key
from hmi.core.outbox import OutboxEvent
from hmi.core.paths import demo_project_dir
from tests.cli.test_check import hmi
from tests.helpers import free_port
from tests.mes.receiver import production_events, validator


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def events(tmp_path_factory) -> list[OutboxEvent]:
    return production_events(tmp_path_factory.mktemp("day"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def mes(clock):
    with DemoMes(0, release_every=240.0, clock=clock) as server:
        yield server


def target(mes: DemoMes) -> HttpTarget:
    return HttpTarget("demo_mes", mes.url, station="press-pc", timeout=5.0)


def refusal(order: str, reason: str) -> OutboxEvent:
    payload = {"order": order, "line": "line2", "refused": "download", "reason": reason,
               "state": None, "source": "demo_mes"}  # fmt: skip
    return OutboxEvent(0, f"refused-{order}", order, 1, "order.refused", payload, time.time())


def post(mes: DemoMes, body: bytes, key: str | None) -> tuple[int, dict]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", mes.port, timeout=5)
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    try:
        conn.request("POST", "/linea/events", body=body, headers=headers)
        answer = conn.getresponse()
        return answer.status, json.loads(answer.read() or b"{}")
    finally:
        conn.close()


def test_every_event_the_target_sends_is_taken_once_and_resends_are_duplicates(mes, events):
    sent = [*events, refusal(WRONG_ORDER, "product is missing")]
    link = target(mes)
    try:
        first = link.send(sent)
        assert all(o.accepted for o in first), [o.reason for o in first if not o.accepted]
        assert mes.accepted == len(sent) and mes.duplicates == 0
        outcomes = link.send(sent[:10])  # the answer was lost: the same batch again
    finally:
        link.close()
    assert all(o.accepted for o in outcomes)
    assert mes.accepted == len(sent) and mes.duplicates == 10
    assert mes.refused_batches == 0
    check = validator("Message")
    for m in mes.events:  # what it took is what the contract describes, nothing looser
        assert not list(check.iter_errors(m)), m["kind"]
    assert [r["JobOrderID"] for r in mes.refusals] == [WRONG_ORDER]


def test_a_batch_that_breaks_the_envelope_is_refused_whole_with_where(mes):
    good = {"key": "k1", "stream": "WO-1", "seq": 1, "kind": "count"}
    cases = [
        ({"messages": [good, {**good, "key": "k2", "seq": 0}]}, "messages/1/seq"),
        ({"messages": [{**good, "stream": ""}]}, "messages/0/stream"),
        ({"messages": [{**good, "seq": True}]}, "messages/0/seq"),
        ({"messages": []}, "1 to 1000"),
        ({"events": [good]}, '{"messages": [...]}'),
    ]
    for body, where in cases:
        keys = [m.get("key", "") for m in body.get("messages", [])]
        status, answer = post(mes, json.dumps(body).encode(), idempotency_key(keys))
        assert status == 422 and where in answer["error"], (body, answer)
    status, answer = post(mes, json.dumps({"messages": [good]}).encode(), "0" * 64)
    assert status == 422 and "Idempotency-Key" in answer["error"]
    status, answer = post(mes, b"{not json", idempotency_key(["k1"]))
    assert status == 400 and "not JSON" in answer["error"]
    assert mes.accepted == 0 and not mes.events  # nothing half-taken
    status, answer = post(mes, json.dumps({"messages": [good]}).encode(), idempotency_key(["k1"]))
    assert status == 200 and answer == {"results": [{"key": "k1", "status": "accepted"}]}


def orders(link: HttpTarget, line: str, etag: str | None = None) -> tuple[int, list, str]:
    headers = {"If-None-Match": etag} if etag else {}
    status, body, head = link.request("GET", f"/orders?line={line}", headers)
    listed = json.loads(body)["orders"] if status == 200 else []
    return status, listed, head.get("ETag") or ""


def test_orders_are_released_with_an_etag_and_leave_the_list_once_completed(mes, clock):
    link = target(mes)
    schema = validator("JobOrderList")
    try:
        status, line1, etag = orders(link, "line1")
        assert status == 200 and etag
        assert not list(schema.iter_errors({"orders": line1}))
        assert [o["ID"] for o in line1] == ["MES-1101", "MES-1102"]
        assert {o["EquipmentID"] for o in line1} == {"line1"}
        assert orders(link, "line1", etag)[0] == 304
        _, line2, _ = orders(link, "line2")
        assert [o["ID"] for o in line2] == [WRONG_ORDER, "MES-2101", "MES-2102"]
        assert "alloy" in line2[0]["ProductData"]  # a press's product, for the filler

        clock.now += 240.0  # one release: line1's turn
        status, line1, changed = orders(link, "line1", etag)
        assert status == 200 and changed != etag
        assert [o["ID"] for o in line1][-1] == "MES-1103"
        assert not list(schema.iter_errors({"orders": line1}))
        clock.now += 240.0  # then line2's
        assert [o["ID"] for o in orders(link, "line2")[1]][-1] == "MES-2103"

        done = OutboxEvent(0, "done-1101", "MES-1101", 9, "order.state", {
            "order": "MES-1101", "state": "completed", "action": "complete", "target": 120,
        }, time.time())  # fmt: skip
        assert link.send([done])[0].accepted
        assert "MES-1101" not in [o["ID"] for o in orders(link, "line1")[1]]
    finally:
        link.close()
    assert mes.order_gets >= 6


def test_down_answers_503_with_retry_after_and_nothing_is_lost(mes, clock, events):
    link = target(mes)
    try:
        mes.down = True
        with pytest.raises(TargetError) as caught:
            link.send(events[:5])
        assert (
            "unavailable (503)" in str(caught.value) and caught.value.retry_after == RETRY_AFTER_S
        )
        assert orders(link, "line1")[0] == 503
        assert mes.accepted == 0
        mes.down = False
        assert all(o.accepted for o in link.send(events[:5])) and mes.accepted == 5
    finally:
        link.close()
    mes.outages = Outages(after=60, every=300, length=60)
    assert not mes.unavailable()
    clock.now += 61  # an outage takes the event intake down; orders are still listed
    assert mes.unavailable() and not mes.unavailable(events=False)
    listed = len(mes.orders("line1") + mes.orders("line2"))
    clock.now += 5  # and one is released in it: an idle plant has an event to hold
    assert len(mes.orders("line1") + mes.orders("line2")) == listed + 1
    clock.now += 55
    assert not mes.unavailable()
    clock.now += 240
    assert mes.unavailable()


def test_a_backlog_grows_while_the_demo_mes_is_down_and_drains_in_order(mes, events, tmp_path):
    from hmi.core import outbox
    from hmi.core.access import Access
    from hmi.core.connection import ConnectionPolicy
    from hmi.core.mes import Mes, MesConfig, TargetConfig
    from tests.mes.conftest import store, wait_until

    writer = store(tmp_path / "hmi.db")
    backoff = ConnectionPolicy(reconnect_min=0.02, reconnect_max=0.2, demote_after=2**31)
    config = TargetConfig(
        "demo_mes", "http", lambda: target(mes), backoff=backoff, failing_after=1.0
    )
    sync = Mes(MesConfig({"demo_mes": config}), writer, Access(), poll=0.05).load()
    mes.down = True
    sync.start()
    try:
        pending = [outbox.event(e.stream, e.kind, e.payload, e.ts) for e in events]
        writer.submit(lambda conn: outbox.write(conn, pending), durable=True)
        assert writer.flush(10)
        assert wait_until(lambda: sync.status()[0].state == "failing", 20)
        assert sync.status()[0].backlog == len(events) and mes.accepted == 0
        assert "unavailable (503)" in sync.status()[0].last_error
        mes.down = False
        assert wait_until(lambda: sync.status()[0].backlog == 0, 20), sync.status()
    finally:
        sync.stop()
        writer.stop()
    assert sync.status()[0].quarantined == 0 and mes.accepted == len(events)
    streams: dict[str, list[int]] = {}
    for m in mes.events:
        streams.setdefault(m["stream"], []).append(m["seq"])
    assert all(seqs == sorted(seqs) for seqs in streams.values()), streams


def test_the_demo_projects_mes_section_passes_the_check(capsys):
    project, problems = check_all(demo_project_dir())
    assert project is not None and not problems
    assert "mes" not in project.extra  # runs without the demo MES: no target offline
    assert _with_demo_mes(project, 8480)
    assert capsys.readouterr().err == ""
    section = project.extra["mes"].data
    assert section == target_section(8480)


def test_headless_demo_delivers_to_the_demo_mes_and_downloads_its_orders(tmp_path):
    ports = ["--modbus-port", str(free_port()), "--opcua-port", str(free_port())]
    ports += ["--mes-port", str(free_port())]
    proc = hmi("demo", "--headless", "--seconds", "15", "--every", "5", "--data-dir",
               str(tmp_path), *ports)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().split("\n\n")[-1]
    assert "mes demo_mes: ok, 0 to send" in last, last
    assert "mes orders from demo_mes: ok, 1 refused (latest: MES-9001" in last, last
    with sqlite3.connect(tmp_path / "hmi.db") as db:
        verdicts = dict(db.execute("SELECT number, verdict FROM mes_orders_in").fetchall())
        waiting = db.execute(
            "SELECT count(*) FROM outbox WHERE id > (SELECT after_id FROM mes_cursors "
            "WHERE target = 'demo_mes') AND id NOT IN (SELECT outbox_id FROM mes_ahead)"
        ).fetchone()[0]
        sent = db.execute("SELECT after_id FROM mes_cursors").fetchone()[0]
        quarantined = db.execute("SELECT count(*) FROM mes_quarantine").fetchone()[0]
    assert verdicts.get(WRONG_ORDER) == "refused"
    downloaded = {n for n, v in verdicts.items() if v == "accepted"}
    assert {"MES-1101", "MES-2101"} <= downloaded
    # every event the station recorded (downloads, refusal, audit head) was taken
    assert sent >= 5 and waiting == 0 and quarantined == 0


def test_demo_stops_when_another_program_holds_the_mes_port():
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        taken = other.getsockname()[1]
        proc = hmi(
            "demo", "--headless", "--seconds", "5", "--modbus-port", str(free_port()),
            "--opcua-port", str(free_port()), "--mes-port", str(taken),
        )  # fmt: skip
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"port {taken} on 127.0.0.1, where the demo MES serves http" in proc.stderr
    assert f"hmi demo --mes-port {taken + 1}" in proc.stderr
    assert proc.stdout == ""


def test_demo_refuses_a_mes_port_that_a_plant_serves_on():
    port = str(free_port())
    proc = hmi("demo", "--headless", "--seconds", "5", "--modbus-port", port, "--mes-port", port)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"--mes-port {port} is a plant's port too" in proc.stderr
