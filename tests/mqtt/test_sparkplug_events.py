"""Production events through the MES sync to a Sparkplug host: each an NDATA
``Production/Event`` with the event as JSON, in order per stream, each once; an outbox
row leaves only after the broker's PUBACK, and a broker away in the middle loses none."""

from __future__ import annotations

import json
import time
from collections import defaultdict

import pytest

from hmi.core.access import Access
from hmi.core.mes.config import MesConfig
from hmi.core.mes.service import Mes
from hmi.core.mes.sparkplug import EVENT, EVENT_ALIAS
from hmi.core.mes.sparkplug_payload import DataType
from hmi.core.secrets import FileStore
from tests.mes.conftest import outbox_ids, store, target_config, wait_until, write_events
from tests.mosquitto import PASSWORD
from tests.mqtt.test_sparkplug_node import VALUES, Host, Message, node, plant

TIMEOUT = 15.0


@pytest.fixture
def secrets(tmp_path) -> FileStore:
    keys = FileStore(tmp_path / "config")
    keys.set("broker", PASSWORD)
    return keys


@pytest.fixture
def writer(tmp_path):
    w = store(tmp_path / "hmi.db")
    yield w
    w.stop()


@pytest.fixture
def host(mosquitto):
    watcher = Host(mosquitto)
    yield watcher
    watcher.close()


def events_of(host: Host, count: int) -> tuple[list[dict], list[Message]]:
    """The events the host read (in arrival order) until ``count`` distinct keys came,
    and every node message it got meanwhile."""
    events: list[dict] = []
    seen: list[Message] = []
    keys: set[str] = set()
    while len(keys) < count:
        message = host.next(TIMEOUT)
        seen.append(message)
        if message.kind != "NDATA":
            continue
        for metric in message.payload.metrics:
            if metric.alias == EVENT_ALIAS:
                events.append(json.loads(metric.value))
                keys.add(events[-1]["key"])
    return events, seen


def per_stream(events: list[dict]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for e in events:
        out[e["stream"]].append(e["seq"])
    return dict(out)


def mes_over(target, writer) -> Mes:
    config = MesConfig({target.name: target_config(target)})
    return Mes(config, writer, Access(), poll=0.05).load()


def test_each_event_is_one_ndata_taken_once_and_leaves_the_outbox(
    mosquitto, secrets, host, writer, tmp_path
):
    target = node(mosquitto, secrets)
    target.attach(plant(), VALUES)
    host.births()
    mes = mes_over(target, writer)
    write_events(writer, [("A-1", "count")] * 5 + [("line:line1", "downtime.start")] * 2)
    mes.start()
    try:
        events, seen = events_of(host, 7)
        assert wait_until(lambda: len(outbox_ids(tmp_path / "hmi.db")) <= 1, TIMEOUT)
    finally:
        mes.stop()
        target.detach()
    assert len(events) == 7  # each once
    assert per_stream(events) == {"A-1": [1, 2, 3, 4, 5], "line:line1": [1, 2]}
    first = events[0]
    assert first["kind"] == "count" and first["station"] == "st1" and first["payload"] == {"n": 0}
    downtime = next(e for e in events if e["stream"] == "line:line1")
    assert downtime["line"] == "line1"
    ndata = next(m for m in seen if m.kind == "NDATA")
    (metric,) = ndata.payload.metrics
    assert metric.name == EVENT and metric.datatype is DataType.UNKNOWN  # born in NBIRTH
    assert metric.timestamp == round(first["ts"] * 1000)
    seqs = [m.payload.seq for m in seen]
    assert seqs == list(range(3, 3 + len(seen)))  # after NBIRTH 0 and the two DBIRTHs


def test_a_broker_gone_in_the_middle_loses_no_event(mosquitto, secrets, host, writer, tmp_path):
    target = node(mosquitto, secrets)
    target.attach(plant(), VALUES)
    host.births()
    mes = mes_over(target, writer)
    mes.start()
    try:
        write_events(writer, [("A-1", "count")] * 3)
        before, _ = events_of(host, 3)
        mosquitto.stop()
        write_events(writer, [("A-1", "count")] * 4 + [("B-2", "scrap")] * 2)
        delivery = mes.deliveries["scada"]
        assert wait_until(lambda: delivery.state in ("retrying", "failing"), TIMEOUT)
        assert "mqtt://127.0.0.1" in delivery.last_error
        assert len(outbox_ids(tmp_path / "hmi.db")) >= 6  # nothing left while away
        mosquitto.start()
        assert host.subscribed.wait(TIMEOUT)
        after, _ = events_of(host, 6)
        assert wait_until(lambda: len(outbox_ids(tmp_path / "hmi.db")) <= 1, TIMEOUT)
        assert wait_until(lambda: delivery.state == "ok", TIMEOUT)
    finally:
        mes.stop()
        target.detach()
    streams = per_stream(before + after)
    assert streams["A-1"] == [1, 2, 3, 4, 5, 6, 7] and streams["B-2"] == [1, 2]


def test_an_event_that_is_not_json_is_refused_alone(mosquitto, secrets, host, writer, tmp_path):
    from hmi.core import outbox

    target = node(mosquitto, secrets)
    target.attach(plant(), VALUES)
    host.births()
    mes = mes_over(target, writer)
    now = time.time()
    pending = [
        outbox.event("A-1", "count", {"n": 1}, now),
        outbox.event("A-1", "count", {"rate": float("nan")}, now),  # no JSON number
        outbox.event("A-1", "count", {"n": 3}, now),
    ]
    writer.submit(lambda conn: outbox.write(conn, pending), durable=True)
    assert writer.flush(10)
    mes.start()
    try:
        events, _ = events_of(host, 2)
        assert wait_until(lambda: mes.quarantined("scada"), TIMEOUT)
        quarantined = mes.quarantined("scada")
    finally:
        mes.stop()
        target.detach()
    assert per_stream(events) == {"A-1": [1, 3]}
    (refused,) = quarantined
    assert refused.seq == 2 and "cannot be written as JSON" in refused.reason
