"""``hmi check`` on MQTT devices and tags: every mistake at its file:line, and writes that
go through the engine's write path (range, permissions, audit) to the line's write topic."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hmi.core.driver import WriteStatus
from hmi.core.project.models import DataType
from tests.mqtt.test_driver_values import (
    TIMEOUT,
    UNS,
    Publisher,
    Station,
    device,
    project,
    secret,  # noqa: F401 (the fixture)
    tag,
)

PROJECT = """\
project:
  name: Supervisor
devices:
  broker:
    protocol: mqtt
    host: 127.0.0.1
    username: supervisor
    password: hunter2
    stale: 0.001s
    qos: 2
    timeout: forever
  good_broker:
    protocol: mqtt
    host: broker.plant.local
    tls: true
    username: supervisor
    password_secret: broker_supervisor
tags:
  - name: l1.wild
    device: good_broker
    address: acme/turin/+/tags/speed
  - name: l1.payload
    device: good_broker
    address: acme/line1/tags/speed payload=xml
  - name: l1.path
    device: good_broker
    address: acme/line1/tags/speed payload=raw path=data.v
  - name: l1.metric
    device: good_broker
    address: acme/line1/tags/speed payload=sparkplug metric=Speed
  - name: l1.nometric
    device: good_broker
    address: spBv1.0/turin/DDATA/press1/plc payload=sparkplug
  - name: l1.setpoint
    device: good_broker
    address: acme/line1/tags/speed_sp
    writable: true
  - name: l1.readonly
    device: good_broker
    address: acme/line1/tags/speed write_topic=acme/line1/set/speed
  - name: l1.quote
    device: good_broker
    address: 'acme/line1/tags/x metric="open'
  - name: l1.fine
    device: good_broker
    address: acme/turin/extrusion/line1/tags/speed stale=30s
"""


def hmi(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hmi", *args], capture_output=True, text=True, timeout=60
    )


def test_hmi_check_names_each_mistake_at_its_line(tmp_path: Path):
    (tmp_path / "project.yaml").write_text(PROJECT, encoding="utf-8")
    proc = hmi("check", str(tmp_path))
    assert proc.returncode == 2, proc.stdout
    assert "Traceback" not in proc.stderr
    expected = {
        8: "a password is never written in the project",
        9: "stale",
        10: "qos",
        11: "timeout",
        21: "has a wildcard (+ or #)",
        24: "payload 'xml' is not one of: json, raw, sparkplug",
        27: "path= is for payload=json only",
        30: "not a Sparkplug B data topic",
        33: "needs metric=NAME",
        37: "needs write_topic=TOPIC",
        40: "write_topic is given but the tag is not writable",
        43: "a quote is not closed",
    }
    lines = proc.stderr.splitlines()
    for line, words in expected.items():
        found = [text for text in lines if f"project.yaml:{line}:" in text]
        assert any(words in text for text in found), (line, words, proc.stderr)
    assert "hunter2" not in proc.stderr  # a password written in clear is never repeated
    assert "l1.fine" not in proc.stderr and "good_broker'" not in proc.stderr


@pytest.fixture
def plant(mosquitto):
    publisher = Publisher(mosquitto)
    yield publisher
    publisher.close()


@pytest.mark.usefixtures("secret")
def test_a_write_publishes_to_the_write_topic_and_waits_for_the_line_to_show_it(
    mosquitto, plant, tmp_path
):
    """The line takes a setpoint from its set topic and publishes it back on its tag."""
    echo = Publisher(mosquitto)
    echo.client.on_message = lambda c, u, m: c.publish(
        f"{UNS}/speed_sp", m.payload if m.topic.endswith("speed_sp") else b"", retain=True
    )
    echo.client.subscribe(f"{UNS.replace('/tags', '/set')}/speed_sp", qos=1)
    plant.send(f"{UNS}/speed_sp", {"v": 10.0})
    plant.send(f"{UNS}/mute", {"v": 1})
    set_topic = UNS.replace("/tags", "/set")
    proj = project(
        device(mosquitto, timeout="1s"),
        tag(
            "sp",
            f"{UNS}/speed_sp write_topic={set_topic}/speed_sp",
            writable=True,
            eng_range=(0.0, 50.0),
        ),
        tag("mute", f"{UNS}/mute write_topic={set_topic}/mute", DataType.INT32, writable=True),
        tag("ro", f"{UNS}/mute", DataType.INT32),
    )
    try:
        with Station(proj, tmp_path) as st:
            st.value("sp", 10.0)
            st.value("mute", 1)
            done = st.runtime.write("sp", 12.5, user="op").result(TIMEOUT)
            assert done.status is WriteStatus.DONE, done.message
            assert done.readback == 12.5
            st.value("sp", 12.5)
            refused = st.runtime.write("sp", 99, user="op").result(TIMEOUT)
            assert refused.status is WriteStatus.REFUSED and "outside the range" in refused.message
            readonly = st.runtime.write("ro", 3, user="op").result(TIMEOUT)
            assert readonly.status is WriteStatus.REFUSED
            started = time.monotonic()
            silent = st.runtime.write("mute", 5, user="op").result(TIMEOUT)
            assert silent.status is WriteStatus.FAILED
            assert f"published to {set_topic}/mute" in silent.message
            assert "did not show 5 within 1 s" in silent.message
            assert time.monotonic() - started < 3
    finally:
        echo.close()


@pytest.mark.usefixtures("secret")
def test_hmi_read_gives_the_retained_values_and_says_why_one_has_none(
    mosquitto, plant, tmp_path: Path
):
    plant.send(f"{UNS}/speed", {"v": 7.25, "q": "good", "ts": 1_796_000_000_000})
    (tmp_path / "project.yaml").write_text(
        "project:\n  name: Supervisor\n"
        "devices:\n  broker:\n    protocol: mqtt\n    host: 127.0.0.1\n"
        f"    port: {mosquitto.port}\n    username: line1\n"
        "    password_secret: broker_supervisor\n"
        "tags:\n"
        f"  - {{name: l1.speed, device: broker, address: {UNS}/speed}}\n"
        f"  - {{name: l1.none, device: broker, address: {UNS}/none}}\n",
        encoding="utf-8",
    )
    proc = hmi("read", str(tmp_path), "l1.speed", "l1.none")
    assert "Traceback" not in proc.stderr
    speed, none = (json.loads(line) for line in proc.stdout.splitlines())
    assert (speed["name"], speed["value"], speed["quality"]) == ("l1.speed", 7.25, "good")
    assert speed["source_ts"] == 1_796_000_000.0
    assert none["quality"] == "bad" and "no message on" in none["reason"]


@pytest.mark.usefixtures("secret")
def test_hmi_browse_lists_the_brokers_values_and_writes_a_tag_file_that_checks(
    mosquitto, plant, tmp_path: Path
):
    plant.send(f"{UNS}/speed", {"v": 7.25, "q": "good", "ts": 1, "units": "m/min"})
    plant.send(f"{UNS}/count", {"v": 120, "q": "good", "ts": 1})
    plant.send("plant/oven3/state", {"data": {"temp": 181.5, "door": False, "name": "Z1"}})
    plant.send("plant/oven3/blob", b"\x00\x01\x02")
    (tmp_path / "project.yaml").write_text(
        "project:\n  name: Supervisor\n"
        "devices:\n  broker:\n    protocol: mqtt\n    host: 127.0.0.1\n"
        f"    port: {mosquitto.port}\n    username: line1\n"
        "    password_secret: broker_supervisor\n    timeout: 1s\n",
        encoding="utf-8",
    )
    proc = hmi("browse", str(tmp_path), "broker")
    assert proc.returncode == 0, proc.stderr
    rows = {row["node_id"]: row for row in map(json.loads, proc.stdout.splitlines())}
    assert rows[f"{UNS}/speed"]["type"] == "float64"
    assert rows[f"{UNS}/speed"]["units"] == "m/min"
    assert rows[f"{UNS}/count"]["type"] == "int32"
    assert rows["plant/oven3/state path=data.temp"]["type"] == "float64"
    assert rows["plant/oven3/state path=data.door"]["type"] == "bool"
    assert rows["plant/oven3/state path=data.name"]["type"] == "string"
    assert not any("blob" in address for address in rows)  # binary: no tag reads it
    target = tmp_path / "tags" / "line1.yaml"
    proc = hmi(
        "browse", str(tmp_path), "broker", "--match", f"{UNS}/*", "--prefix", "line1",
        "--write", str(target),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    text = target.read_text(encoding="utf-8")
    assert "line1.speed" in text and "line1.count" in text and "oven" not in text
    with (tmp_path / "project.yaml").open("a", encoding="utf-8") as project_file:
        project_file.write("include:\n  - tags/line1.yaml\n")
    check = hmi("check", str(tmp_path))
    assert check.returncode == 0, check.stderr
    read = hmi("read", str(tmp_path), "line1.speed")
    assert json.loads(read.stdout)["value"] == 7.25


def test_an_address_reads_quoted_words_and_refuses_what_it_cannot_use():
    from drivers.mqtt.address import parse_address

    address = parse_address(
        'spBv1.0/turin/DDATA/press1/plc payload=sparkplug metric="Inputs/Temp 1" stale=2m'
    )
    assert (address.metric, address.stale, address.sparkplug_device) == (
        "Inputs/Temp 1",
        120,
        "plc",
    )
    assert parse_address("plant/oven3/state path=data.zones.0").path == ("data", "zones", "0")
    for text, words in [
        ("plant/# payload=raw", "wildcard"),
        ("plant/oven stale=1ms", "too short"),
        ("plant/oven path=a..b", "empty part"),
        ("plant/oven colour=red", "'colour' is not an address setting"),
        ("plant/oven payload=raw payload=json", "given twice"),
        ("plant/oven write_topic=plant/+/set", "write_topic 'plant/+/set' has a wildcard"),
    ]:
        with pytest.raises(ValueError, match=re.escape(words)):
            parse_address(text)
