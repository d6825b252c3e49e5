"""The Sparkplug node's bdSeq across restarts of the station, on a real Mosquitto with a
host application watching: each start goes on from the bdSeq kept in the station's store
(one more, 255 wrapping to 0), each edge node keeps its own, and a store that cannot be
read is said and the node still comes online."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from hmi.core.mes import schema
from hmi.core.mes.sparkplug import stored_bd_seq
from hmi.core.store import connect
from tests.mes.conftest import store
from tests.mqtt.test_sparkplug_node import GROUP, NODE, VALUES, Host, node, plant, secrets

__all__ = ["secrets"]  # the fixture, shared


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


def session(mosquitto, secrets, host: Host, context, edge_node: str = NODE) -> tuple[int, int]:
    """One start and clean stop of the station: the bdSeq of its NBIRTH and its NDEATH."""
    target = node(mosquitto, secrets)
    target.node = edge_node
    target.attach(plant(), VALUES, context=context)
    try:
        birth = host.births()[0]
    finally:
        target.detach()
    death, _ = host.until("NDEATH")
    return birth.metric("bdSeq").value, death.metric("bdSeq").value


def test_each_start_goes_on_from_the_bdseq_kept_in_the_store(mosquitto, secrets, host, writer):
    context = SimpleNamespace(store=writer)
    assert session(mosquitto, secrets, host, context) == (0, 0)
    assert stored_bd_seq(writer, GROUP, NODE) == 0
    assert session(mosquitto, secrets, host, context) == (1, 1)  # a restart: one more
    assert session(mosquitto, secrets, host, context) == (2, 2)
    assert stored_bd_seq(writer, GROUP, NODE) == 2


def test_a_lost_connection_is_kept_too_and_255_wraps_to_0(mosquitto, secrets, host, writer):
    conn = connect(writer.path)
    schema.create(conn)  # as the MES sync's start makes it
    conn.execute(
        "INSERT INTO mes_sparkplug_nodes (group_id, edge_node_id, bd_seq, ts) "
        "VALUES (?, ?, 254, 0)",
        (GROUP, NODE),
    )
    conn.close()
    context = SimpleNamespace(store=writer)
    target = node(mosquitto, secrets)
    target.attach(plant(), VALUES, context=context)
    try:
        assert host.births()[0].metric("bdSeq").value == 255
        mosquitto.stop()  # the node reconnects by itself with the next bdSeq
        mosquitto.start()
        assert host.subscribed.wait(10.0)
        again, _ = host.until("NBIRTH", timeout=20.0)
        assert again.metric("bdSeq").value == 0
    finally:
        target.detach()
    assert stored_bd_seq(writer, GROUP, NODE) == 0


def test_each_edge_node_keeps_its_own_bdseq(mosquitto, secrets, host, writer):
    context = SimpleNamespace(store=writer)
    assert session(mosquitto, secrets, host, context) == (0, 0)
    assert session(mosquitto, secrets, host, context) == (1, 1)
    assert session(mosquitto, secrets, host, context, edge_node="press-pc-2") == (0, 0)
    assert session(mosquitto, secrets, host, context) == (2, 2)
    assert stored_bd_seq(writer, GROUP, "press-pc-2") == 0


def test_a_store_that_cannot_be_read_is_said_and_the_node_starts_from_0(
    mosquitto, secrets, host, tmp_path, caplog
):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database, only some text " * 200)
    context = SimpleNamespace(store=SimpleNamespace(path=broken, problem=None))
    with caplog.at_level(logging.WARNING, logger="hmi.core.mes.sparkplug"):
        assert session(mosquitto, secrets, host, context) == (0, 0)
    said = [r.getMessage() for r in caplog.records if "bdSeq" in r.getMessage()]
    assert said and str(broken) in said[0] and "cannot be read" in said[0]
    assert broken.read_bytes().startswith(b"this is not a database")  # left as it was
