"""Released orders downloaded from the MES over HTTP (``GET /orders`` of the contract) into
the line's queue: each order checked as ``hmi orders import`` checks a row, refused ones
reported back as ``order.refused`` events that the receiver validates, an unchanged list
one 304, the MES down or answering nonsense, and orders changed or withdrawn upstream."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hmi.core.access import Access
from hmi.core.connection import ConnectionPolicy
from hmi.core.mes import TargetError
from hmi.core.mes.config import OrdersIn, TargetConfig
from hmi.core.mes.http import HttpTarget
from hmi.core.mes.intake import MES_USER, Intake, IntakeStatus, RefusedOrder, refused_orders
from hmi.core.mes.orders_in import HttpOrderSource
from hmi.core.orders.model import OrderState
from hmi.core.outbox import OutboxEvent
from hmi.core.store import connect
from tests.mes.receiver import Receiver
from tests.unit.orders.service_setup import (
    FILLER,
    PRESS,
    Clock,
    close,
    press_order,
    service,
)

from .conftest import wait_until

RELEASED = "2026-12-04T05:30:00Z"  # half an hour before the test's clock


def job(number: str, line: str = "line1", target: object = 100, **extra: object) -> dict:
    """A JobOrder as the MES writes it."""
    product = dict(PRESS if line == "line1" else FILLER)
    order = {
        "ID": number,
        "EquipmentID": line,
        "Target": {"QuantityString": target, "UnitOfMeasure": "pieces"},
        "ProductData": product,
        "ReleasedTime": RELEASED,
    }
    order.update(extra)
    return order


class Station:
    """An orders service on a store, the intake on an HTTP source asking ``receiver``."""

    def __init__(self, tmp_path, receiver: Receiver, *, lines=("line1", "line2"), poll=0.05):
        self.clock = Clock()
        self.access = Access(self.clock)
        self.records: list = []
        self.access.add_recorder(self.records.append)
        self.orders = service(tmp_path / "hmi.db", self.clock, self.access)
        self.target = HttpTarget("plant", receiver.url, timeout=2.0, station="press-pc")
        self.source = HttpOrderSource(self.target, lines, self.orders.store)
        self.statuses: list[IntakeStatus] = []
        backoff = ConnectionPolicy(reconnect_min=0.05, reconnect_max=0.4, demote_after=2**31)
        config = TargetConfig(
            "plant", "http", lambda: self.target, backoff=backoff, orders=OrdersIn(poll, lines)
        )
        self.intake = Intake(
            config, self.source, self.orders, self.orders.store, clock=self.clock,
            on_status=self.statuses.append,
        ).load()  # fmt: skip

    def events(self, kind: str) -> list[OutboxEvent]:
        return [e for e in self.orders.outbox(10_000) if e.kind == kind]

    def deliver(self, receiver: Receiver) -> None:
        """Send the whole outbox to the receiver (which checks it against the contract)."""
        mes = HttpTarget("plant", receiver.url, timeout=5.0, station="press-pc")
        try:
            outcomes = mes.send(self.orders.outbox(10_000))
        finally:
            mes.close()
        assert all(o.accepted for o in outcomes), [o.reason for o in outcomes if not o.accepted]
        assert receiver.invalid == []

    def close(self) -> None:
        self.intake.stop()
        close(self.orders)


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def station(tmp_path, receiver):
    s = Station(tmp_path, receiver)
    yield s
    s.close()


def refusals(station: Station) -> dict[str, str]:
    return {e.payload["order"]: e.payload["reason"] for e in station.events("order.refused")}


def standing(station: Station) -> dict[str, RefusedOrder]:
    """The refusals a supervisor is shown, by order number."""
    conn = connect(station.orders.store.path, readonly=True)
    try:
        return {r.number: r for r in refused_orders(conn)}
    finally:
        conn.close()


def test_released_orders_enter_the_queue_as_downloaded_by_the_mes(station, receiver):
    receiver.line_orders = {
        "line1": [job("P-1", Priority=2), job("P-2", target=250, Priority=1)],
        "line2": [job("F-1", "line2", 5000, IdealCycleSeconds=0.2), job("F-0", "line2")],
    }
    decisions = station.intake.poll()
    assert [d.action for d in decisions] == ["accept"] * 4
    assert [o.number for o in station.orders.queue("line1")] == ["P-2", "P-1"]  # by Priority
    assert [o.number for o in station.orders.queue("line2")] == ["F-1", "F-0"]  # as listed
    filler = station.orders.order("F-1")
    assert filler.source == "mes" and filler.target == 5000 and filler.ideal_cycle_s == 0.2
    assert filler.product == FILLER and filler.state is OrderState.RELEASED
    assert [(c.action, c.user) for c in station.orders.history("P-1")] == [("download", MES_USER)]
    audited = [(r.user, r.action, r.target) for r in station.records]
    assert (MES_USER, "orders.download", "P-2") in audited
    downloads = station.events("order.state")
    assert {e.payload["action"] for e in downloads} == {"download"} and len(downloads) == 4
    station.deliver(receiver)  # the download events follow the contract
    actions = {m["JobResponse"]["Action"] for m in receiver.messages}
    assert actions == {"download"}
    assert receiver.orders_off_contract == []
    assert station.intake.status().state == "ok" and station.intake.status().last_poll


def test_each_kind_of_bad_order_is_refused_with_its_reason_and_reported(station, receiver):
    station.orders.create(press_order("M-1"), "sup")  # made at the station
    bad = {
        "X-line": job("X-line", "line9"),
        "X-field": job("X-field", ProductData={**PRESS, "colour": "red"}),
        "X-missing": job("X-missing", ProductData={"die": "D-1"}),
        "X-weight": job("X-weight", ProductData={**PRESS, "billet_weight_kg": -3}),
        "X-zero": job("X-zero", target=0),
        "X-half": job("X-half", target=2.5),
        "X-huge": job("X-huge", target=10**9),
        "X-kg": job("X-kg", Target={"QuantityString": 30, "UnitOfMeasure": "kg"}),
        "M-1": job("M-1"),
        "X-future": job("X-future", ReleasedTime="2026-12-05T06:00:00Z"),
        "X-ends": job("X-ends", StartTime="2026-12-04T08:00:00Z", EndTime="2026-12-04T07:00:00Z"),
        "X-date": job("X-date", ReleasedTime="04/12/2026"),
        "X-cycle": job("X-cycle", IdealCycleSeconds=-1),
    }
    receiver.line_orders = {
        "line1": [job("OK-1"), *bad.values(), job("OK-1", target=7), {"EquipmentID": "line1"}],
        "line2": [],
    }
    station.intake.poll()
    assert [o.number for o in station.orders.queue("line1")] == ["M-1", "OK-1"]
    assert station.orders.order("OK-1").target == 100  # its first entry, not the second
    reasons = refusals(station)
    expected = {
        "X-line": "no line 'line9' in the orders section",
        "X-field": "unknown product field 'colour'",
        "X-missing": "alloy is missing",
        "X-weight": "billet_weight_kg must be a number above 0",
        "X-zero": "target must be from 1 to 10,000,000, not 0",
        "X-half": "target must be a whole number",
        "X-huge": "target must be from 1 to 10,000,000",
        "X-kg": "its Target is in kg; the line counts pieces",
        "M-1": "order M-1 exists already at the station (manual, released)",
        "X-future": "released in the future (2026-12-05T06:00:00.000Z)",
        "X-ends": "EndTime 2026-12-04T07:00:00.000Z is not after its StartTime",
        "X-date": "ReleasedTime '04/12/2026' is not a UTC time",
        "X-cycle": "ideal cycle time must be seconds from 0 to 86400",
        "OK-1": "listed twice by the MES",
        "": "the job order has no ID",
    }
    assert set(reasons) == set(expected)
    for number, words in expected.items():
        assert words in reasons[number], (number, reasons[number])
    status = station.intake.status()
    assert status.refused == len(expected) - 1  # the second OK-1 is no order of its own
    shown = standing(station)
    assert set(shown) == set(expected) - {"OK-1"}
    assert {(r.source, r.line, r.refused) for n, r in shown.items() if n.startswith("X-")} == {
        ("plant", "line1", "download"), ("plant", "line9", "download")
    }  # fmt: skip
    assert shown["X-kg"].reason == reasons["X-kg"] and shown["X-kg"].ts > 0
    assert status.notice.startswith("(no ID) line1: refused")
    station.deliver(receiver)  # every refusal follows the contract
    refused = [m for m in receiver.messages if m["kind"] == "order.refused"]
    sent = {m["JobResponse"]["JobOrderID"]: m for m in refused}
    assert sent["M-1"]["JobResponse"]["JobState"] == "Released"
    assert sent["X-zero"]["JobResponse"]["Refused"] == "download"
    assert sent["X-zero"]["stream"] == "X-zero" and sent[""]["stream"] == "mes:orders"
    # the same list again (a MES without ETags: a new body each time) reports nothing twice
    receiver.line_orders["line2"] = [job("F-1", "line2")]
    station.intake.poll()
    assert len(station.events("order.refused")) == len(expected)
    assert station.orders.order("F-1") is not None


def test_an_unchanged_list_costs_one_304_and_nothing_else(station, receiver):
    receiver.line_orders = {"line1": [job("P-1")], "line2": [job("F-1", "line2")]}
    station.intake.poll()
    written = len(station.orders.outbox(10_000))
    for _ in range(3):
        assert station.intake.poll() == []
    unchanged = [("line1", 304), ("line2", 304)] * 3
    assert receiver.order_gets == [("line1", 200), ("line2", 200), *unchanged]
    assert len(station.orders.outbox(10_000)) == written
    receiver.line_orders["line2"] = [job("F-1", "line2"), job("F-2", "line2")]
    assert [d.number for d in station.intake.poll()] == ["F-2"]
    assert receiver.order_gets[-2:] == [("line1", 304), ("line2", 200)]


def test_a_malformed_answer_is_a_clear_error_and_changes_nothing(station, receiver):
    receiver.line_orders = {"line1": [job("P-1")], "line2": []}
    receiver.faults.orders_body.append(b"<html>proxy error</html>")
    with pytest.raises(TargetError, match=r"malformed answer from http://127\.0\.0\.1:\d+/mes/"
                       r"orders\?line=line1: not JSON .*'<html>proxy error</html>'"):  # fmt: skip
        station.intake.poll()
    receiver.faults.orders_body.append(b'{"jobs": []}')
    expected = r'expected \{"orders": \[\.\.\.\]\}, got an object with jobs'
    with pytest.raises(TargetError, match=expected):
        station.intake.poll()
    receiver.faults.orders_body.append(b"[" * 200_000 + b"]" * 200_000)
    with pytest.raises(TargetError, match=r"JSON nested too deep"):
        station.intake.poll()
    assert station.orders.queue("line1") == [] and station.orders.outbox(100) == []
    assert [d.number for d in station.intake.poll()] == ["P-1"]


def test_the_mes_down_loses_nothing_retries_with_backoff_and_shows_the_error(tmp_path, receiver):
    station = Station(tmp_path, receiver, lines=("line1",))
    try:
        receiver.line_orders = {"line1": [job("P-1")]}
        receiver.faults.orders_status.extend([(503, None)] * 3 + [(401, None)])
        started = time.monotonic()
        station.intake.start()
        assert wait_until(lambda: station.orders.order("P-1") is not None, 10)
        assert wait_until(lambda: station.statuses[-1].state == "ok", 10)
        errors = [s.error for s in station.statuses if s.error]
        assert any("is unavailable (503)" in e for e in errors), errors
        assert any("credentials refused" in e for e in errors), errors
        assert station.statuses[-1].state == "ok" and station.statuses[-1].error == ""
        gets = [code for _, code in receiver.order_gets]
        assert gets[:5] == [503, 503, 503, 401, 200]
        # four waits of 50..400 ms growing, not a request per poll period of 50 ms
        assert time.monotonic() - started >= 0.15
        receiver.stop()  # the MES is gone altogether
        receiver.line_orders["line1"].append(job("P-2"))
        assert wait_until(lambda: "connection refused" in station.statuses[-1].error, 10)
        failing = wait_until(lambda: station.statuses[-1].state == "failing", 10)
        assert failing and station.orders.order("P-2") is None
        receiver.start()  # on the same port
        station.intake.wake()
        assert wait_until(lambda: station.orders.order("P-2") is not None, 10)
        assert wait_until(lambda: station.statuses[-1].state == "ok", 10)
    finally:
        station.close()


def test_orders_changed_or_withdrawn_upstream(station, receiver):
    receiver.line_orders = {
        "line1": [job("P-1"), job("P-2"), job("P-3", Priority=5)],
        "line2": [job("F-1", "line2")],
    }
    station.intake.poll()
    station.orders.start("P-3", "op")
    station.orders.start("F-1", "op")
    # P-1 changed while queued, P-2 withdrawn, P-3 changed while it runs, F-1 left out
    receiver.line_orders = {
        "line1": [job("P-1", target=150, Priority=9), job("P-3", target=999, Priority=5)],
        "line2": [],
    }
    decisions = {d.number: d.action for d in station.intake.poll()}
    assert decisions == {"P-1": "revise", "P-2": "withdraw", "P-3": "refuse", "F-1": "refuse"}
    revised = station.orders.order("P-1")
    assert revised.target == 150 and revised.sequence == 9
    assert revised.state is OrderState.RELEASED
    history = station.orders.history("P-1")
    assert history[-1].action == "revise" and history[-1].user == MES_USER
    assert "target 100 -> 150" in history[-1].reason
    withdrawn = station.orders.order("P-2")
    assert withdrawn.state is OrderState.ABORTED
    assert station.orders.history("P-2")[-1].reason == "withdrawn by the MES"
    running = station.orders.order("P-3")
    assert running.target == 100 and running.state is OrderState.RUNNING
    reasons = refusals(station)
    assert "a started order is never changed" in reasons["P-3"]
    assert "it is not withdrawn while it started" in reasons["F-1"]
    assert station.orders.order("F-1").state is OrderState.RUNNING
    station.deliver(receiver)
    refused = {
        m["JobResponse"]["JobOrderID"]: m["JobResponse"]
        for m in receiver.messages
        if m["kind"] == "order.refused"
    }
    assert refused["P-3"]["Refused"] == "change" and refused["P-3"]["JobState"] == "Running"
    assert refused["F-1"]["Refused"] == "withdrawal"
    shown = standing(station)
    assert {n: r.refused for n, r in shown.items()} == {"P-3": "change", "F-1": "withdrawal"}
    assert shown["P-3"].reason == reasons["P-3"] and shown["F-1"].line == "line2"
    actions = [m["JobResponse"]["Action"] for m in receiver.messages if m["kind"] == "order.state"]
    assert {"revise", "withdraw", "start"} <= set(actions)
    # nothing is reported twice, and a restart decides nothing again
    receiver.line_orders["line1"].append(job("P-4"))
    assert [d.number for d in station.intake.poll()] == ["P-4"]
    again = Intake(station.intake.config, station.source, station.orders, station.orders.store,
                   clock=station.clock).load()  # fmt: skip
    station.source._etags.clear()
    assert again.poll() == []
    # the MES lists P-3 as the line runs it again: its refusal no longer stands
    receiver.line_orders["line1"][1] = job("P-3", Priority=5)
    assert [(d.number, d.action) for d in again.poll()] == [("P-3", "keep")]
    assert set(standing(station)) == {"F-1"}


def test_the_capability_shows_the_download_as_tags(tmp_path, receiver):
    from hmi.core.capability import CapabilityContext
    from hmi.core.engine import TagEngine
    from hmi.core.i18n import Translator
    from hmi.core.live import LiveTags
    from hmi.core.mes.capability import HEALTH_TAG, MesCapability, target_tag
    from hmi.core.project.loader import load_project
    from hmi.core.tags import Quality

    from .conftest import project_text

    section = f"""\
mes:
  audit_head: false
  targets:
    plant:
      kind: http
      url: {receiver.url}
      backoff: {{min: 50ms, max: 100ms, failing_after: 0s}}
      orders: {{poll: 1s, lines: [line1]}}
"""
    text = project_text("orders", section).replace(
        "  name: MES orders\n", "  name: MES orders\n  lines: {line1: Line 1}\n"
    )
    (tmp_path / "project.yaml").write_text(text, encoding="utf-8")
    project = load_project(tmp_path)
    orders = service(tmp_path / "hmi.db", Clock(time.time()))
    writer = orders.store
    access = Access()
    live = LiveTags(TagEngine(project, access=access))
    context = CapabilityContext(
        MesCapability, project, tmp_path, writer, live, access, Translator(), None,
        services={"orders": orders}.get,
    )  # fmt: skip
    capability = MesCapability(context)
    from hmi.core.mes.http import iso

    receiver.line_orders = {"line1": [job("P-1", target=0, ReleasedTime=iso(time.time() - 60))]}
    receiver.faults.orders_status.append((503, 30.0))
    capability.start()
    try:
        values = context.values
        tag = lambda field: values[target_tag("plant", field)]  # noqa: E731
        assert wait_until(lambda: tag("orders_state").value == "failing", 10)
        assert "unavailable (503); it asks to wait 30 s" in tag("orders_error").value
        assert values[HEALTH_TAG].quality is Quality.BAD
        assert "orders from plant failing" in values[HEALTH_TAG].reason
        capability.intake.connection.next_try = 0.0  # the test does not wait 30 s
        capability.intake.wake()
        assert wait_until(lambda: tag("orders_state").value == "ok", 10)
        assert tag("orders_refused").value == 1
        assert tag("orders_notice").value.startswith("P-1 line1: refused: target must be")
        assert tag("orders_last_poll").value > 0 and values[HEALTH_TAG].value == "ok"
        assert capability.summary()[-1].startswith(
            "mes orders from plant: ok, 1 refused (latest: P-1 line1: refused: target must be"
        )
        [shown] = capability.mes.refused_orders()
        assert (shown.number, shown.line, shown.refused) == ("P-1", "line1", "download")
        assert shown.reason.startswith("target must be")
    finally:
        capability.stop()
        close(orders)


def test_the_console_shows_what_would_be_taken_and_writes_nothing(station, receiver):
    receiver.line_orders = {"line1": [job("P-1"), job("P-2", target=-1)], "line2": []}
    shown = [d.words() for d in station.intake.preview()]
    assert shown == [
        "P-1 line1: accepted, target 100",
        "P-2 line1: refused: target must be from 1 to 10,000,000, not -1",
    ]
    assert station.orders.queue("line1") == [] and station.orders.outbox(10) == []


def test_hmi_mes_orders_fetches_once_and_says_what_would_be_taken(tmp_path, receiver, capsys):
    import shutil

    from hmi.cli import main
    from hmi.core.mes.http import iso

    folder = tmp_path / "plant"
    shutil.copytree(Path(__file__).resolve().parents[2] / "resources" / "demo", folder)
    with (folder / "project.yaml").open("a", encoding="utf-8") as out:
        out.write(f"\nmes:\n  targets:\n    plant:\n      kind: http\n      url: {receiver.url}\n"
                  "      orders: {poll: 10s, lines: [line1]}\n")  # fmt: skip
    now = iso(time.time() - 60)
    listed = [job("P-9", ReleasedTime=now), job("P-8", "line2", ReleasedTime=now)]
    receiver.line_orders = {"line1": listed}
    data = ["--data-dir", str(tmp_path / "data")]
    code = main(["mes", "orders", str(folder), *data])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.splitlines() == [
        "P-9 line1: accepted, target 100",
        "P-8 line2: refused: it is released for line2, whose orders this station does not take "
        "from plant (orders: lines: line1)",
        "plant: 2 listed, 1 would be refused (nothing written)",
    ]
    receiver.stop()
    code = main(["mes", "orders", str(folder), *data])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.startswith("mes orders: plant: cannot reach 127.0.0.1:") and "refused" in err


def read_section(tmp_path, section: str, monkeypatch, with_orders: bool = True):
    from hmi.core.checks import check_all
    from hmi.core.mes import target as target_module
    from hmi.core.mes.config import read_mes

    from .conftest import project_text

    monkeypatch.setitem(target_module.TARGET_KINDS, "fake", "tests.mes.conftest:FakeTarget")
    text = project_text("orders", section).replace(
        "  name: MES orders\n", "  name: MES orders\n  lines: {line1: Line 1, line2: Line 2}\n"
    )
    (tmp_path / "project.yaml").write_text(text, encoding="utf-8")
    project, _ = check_all(tmp_path)
    assert project is not None
    if with_orders:
        project.extra.setdefault("orders", {})  # as if the project had its orders: section
    config, problems = read_mes(project)
    return config, [str(p) for p in problems]


def test_the_orders_entry_and_the_audit_head_are_read_and_checked(tmp_path, monkeypatch):
    config, problems = read_section(
        tmp_path,
        """\
mes:
  audit_head: {every: 2h, settle: 10s}
  targets:
    plant:
      kind: http
      url: https://mes.plant.local/linea
      orders: {poll: 1m, lines: [line2]}
""",
        monkeypatch,
    )
    assert problems == []
    assert config.order_source.orders.poll == 60.0 and config.order_source.orders.lines == (
        "line2",
    )
    assert (config.audit_head.every, config.audit_head.settle) == (7200.0, 10.0)
    config, problems = read_section(
        tmp_path,
        "mes:\n  audit_head: false\n  targets:\n    plant: {kind: http, url: http://mes, "
        "orders: true}\n",
        monkeypatch,
    )
    assert problems == [] and config.audit_head is None and config.order_source is not None
    _, problems = read_section(
        tmp_path,
        """\
mes:
  audit_head: {every: 10s, often: 1}
  targets:
    plant:
      kind: http
      url: https://mes.plant.local/linea
      orders: {poll: 50ms, lines: [line3], when: now}
    other: {kind: fake, orders: true}
""",
        monkeypatch,
    )
    assert problems == [
        "project.yaml:9: mes: audit_head: unknown field 'often'; the fields are every, settle",
        "project.yaml:9: mes: audit_head: every: 10s is too short; use 1min to 7 days, e.g. 1h",
        "project.yaml:14: mes: targets: plant: orders: unknown field 'when'; the fields are "
        "poll, lines",
        "project.yaml:14: mes: targets: plant: orders: poll: 50ms is too short; use 1s to 1 "
        "day, e.g. 30s",
        "project.yaml:14: mes: targets: plant: orders: lines: no line 'line3' in the project; "
        "did you mean 'line2'?",
        "project.yaml:15: mes: targets: other: orders: a fake target cannot release orders "
        "here; use a target of kind http, postgres or mqtt",
    ]
    _, problems = read_section(
        tmp_path,
        "mes:\n  targets:\n    plant: {kind: http, url: http://mes, orders: true}\n"
        "    second: {kind: http, url: http://mes2, orders: {lines: [line1]}}\n",
        monkeypatch,
    )
    assert problems == [
        "project.yaml:11: mes: targets: second: orders: come from one target only, and plant "
        "has them"
    ]
    _, problems = read_section(
        tmp_path,
        "mes:\n  targets:\n    plant: {kind: http, url: http://mes, orders: true}\n",
        monkeypatch,
        with_orders=False,
    )
    assert problems == [
        "project.yaml:10: mes: targets: plant: orders: the project has no orders: section "
        "whose lines could take them"
    ]


def test_the_list_is_asked_for_with_the_targets_credentials_and_tls(tmp_path):
    from hmi.core.mes.http import Auth
    from hmi.core.secrets import FileStore
    from tests.mes.receiver import make_tls

    secrets = FileStore(tmp_path / "config")
    secrets.set("mes_token", "t0ken-line-1")
    tls = make_tls(tmp_path / "pki")
    with Receiver(tls=tls, bearer="t0ken-line-1") as receiver:
        station = Station(tmp_path, receiver, lines=("line1",))
        station.target.auth = Auth("bearer", "mes_token")
        station.target.ca = str(tls.ca)
        station.target._secrets = secrets
        try:
            receiver.line_orders = {"line1": [job("P-1")]}
            assert [d.action for d in station.intake.poll()] == ["accept"]
            assert receiver.url.startswith("https://")
            secrets.set("mes_token", "an-old-token")  # changed at the station, not at the MES
            station.source.close()  # credentials are read again on the next connection
            with pytest.raises(TargetError, match=r"credentials refused by https://.*\(401"):
                station.intake.poll()
        finally:
            station.close()
    with Receiver(tls=make_tls(tmp_path / "other", "other")) as stranger:
        station = Station(tmp_path / "again", stranger, lines=("line1",))
        station.target.ca = str(tls.ca)  # trusts the plant's CA, not the stranger's
        try:
            with pytest.raises(TargetError, match=r"TLS: the certificate of 127\.0\.0\.1:\d+ is "
                               r"not trusted by the CA in .*plant\.pem"):  # fmt: skip
                station.intake.poll()
            assert station.orders.queue("line1") == []
        finally:
            station.close()


def test_an_order_started_while_its_change_was_on_the_way_is_reported_not_changed(
    station, receiver
):
    receiver.line_orders = {"line1": [job("P-1")], "line2": []}
    station.intake.poll()
    receiver.line_orders["line1"] = [job("P-1", target=300)]
    revise = station.orders.revise

    def operator_first(order, user):
        station.orders.start("P-1", "op")  # started at the line a moment before
        return revise(order, user)

    station.orders.revise = operator_first
    assert [d.action for d in station.intake.poll()] == ["revise"]
    started = station.orders.order("P-1")
    assert started.target == 100 and started.state is OrderState.RUNNING
    assert "only an order still waiting in its queue takes a change" in refusals(station)["P-1"]
    station.orders.revise = revise
    station.source._etags.clear()
    assert [d.action for d in station.intake.poll()] == []  # reported once
    assert len(station.events("order.refused")) == 1
