"""The Sparkplug B payload codec: every scalar type both ways, and interoperability with
Eclipse Tahu's ``sparkplug_b.proto`` as Google's protobuf runtime reads and writes it
(the ``sparkplug-b-packets`` package's generated module and Tahu's helpers): what this
station publishes on a real broker parses there, and what Tahu encodes decodes here.
Malformed bytes are a ``PayloadError`` that says where, never another exception."""

from __future__ import annotations

import queue
import random

import paho.mqtt.client as mqtt
import pytest
from sparkplub_b_packets.core import sparkplug_b as tahu
from sparkplub_b_packets.core import sparkplug_b_pb2 as pb

from hmi.core.mes.sparkplug_payload import (
    DataType,
    Metric,
    Payload,
    PayloadError,
    Property,
    decode,
    encode,
    typed,
)
from hmi.core.secrets import FileStore
from tests.mosquitto import PASSWORD, USER
from tests.mqtt.test_sparkplug_node import VALUES, node, plant

EVERY_TYPE = [
    Metric("i8", 1, 1, DataType.INT8, -128),
    Metric("i16", 2, 2, DataType.INT16, -2),
    Metric("i32", 3, 3, DataType.INT32, -(2**31)),
    Metric("i64", 4, 4, DataType.INT64, -(2**63)),
    Metric("u8", 5, 5, DataType.UINT8, 255),
    Metric("u16", 6, 6, DataType.UINT16, 65535),
    Metric("u32", 7, 7, DataType.UINT32, 2**32 - 1),
    Metric("u64", 8, 8, DataType.UINT64, 2**64 - 1),
    Metric("f", 9, 9, DataType.FLOAT, -1.5),
    Metric("d", 10, 10, DataType.DOUBLE, 1e300),
    Metric("b", 11, 11, DataType.BOOLEAN, False),
    Metric("s", 12, 12, DataType.STRING, "Pressa 1 — °C"),
    Metric("t", 13, 13, DataType.DATETIME, 1_700_000_000_123),
    Metric("x", 14, 14, DataType.TEXT, ""),
    Metric("u", 15, 15, DataType.UUID, "0b5c7c1e-3f7b-4c8e-9a51-6f7d2b1c0a99"),
    Metric("y", 16, 16, DataType.BYTES, b"\x00\xff"),
    Metric("n", 17, 17, DataType.INT32, None, is_null=True),
    Metric("h", 18, 18, DataType.DOUBLE, 2.5, is_historical=True, is_transient=True),
    Metric(
        "q",
        19,
        19,
        DataType.FLOAT,
        0.25,
        properties={
            "Quality": Property(DataType.INT32, 192),
            "Unit": Property(DataType.STRING, "bar"),
            "Low": Property(DataType.DOUBLE, -1.0),
            "Gone": Property(DataType.INT64, None),
        },
    ),
]


def full_payload() -> Payload:
    return Payload(1_700_000_000_000, list(EVERY_TYPE), seq=42, uuid="linea", body=b"\x01")


def test_every_type_comes_back_as_it_went():
    assert decode(encode(full_payload())) == full_payload()


def test_what_this_station_encodes_parses_with_the_tahu_schema():
    parsed = pb.Payload.FromString(encode(full_payload()))
    assert (parsed.timestamp, parsed.seq, parsed.uuid, parsed.body) == (
        1_700_000_000_000, 42, "linea", b"\x01")  # fmt: skip
    by_name = {m.name: m for m in parsed.metrics}
    assert by_name["i8"].int_value == 128 and by_name["i8"].datatype == tahu.MetricDataType.Int8
    assert by_name["i64"].long_value == 2**63  # two's complement of -2**63
    assert by_name["u32"].int_value == 2**32 - 1
    assert by_name["u64"].long_value == 2**64 - 1
    assert by_name["f"].float_value == -1.5 and by_name["d"].double_value == 1e300
    assert by_name["b"].HasField("boolean_value") and by_name["b"].boolean_value is False
    assert by_name["s"].string_value == "Pressa 1 — °C"
    assert by_name["t"].long_value == 1_700_000_000_123
    assert by_name["y"].bytes_value == b"\x00\xff"
    assert by_name["n"].is_null and by_name["n"].WhichOneof("value") is None
    assert by_name["h"].is_historical and by_name["h"].is_transient
    props = by_name["q"].properties
    assert list(props.keys) == ["Quality", "Unit", "Low", "Gone"]
    assert props.values[0].type == 3 and props.values[0].int_value == 192
    assert props.values[1].string_value == "bar" and props.values[2].double_value == -1.0
    assert props.values[3].is_null
    assert [m.alias for m in parsed.metrics] == list(range(1, 20))


def test_what_tahu_encodes_decodes_here():
    payload = tahu.getNodeBirthPayload()
    tahu.addMetric(payload, "Node Control/Rebirth", 1, tahu.MetricDataType.Boolean, False, 5)
    tahu.addMetric(payload, "temp", 2, tahu.MetricDataType.Float, 21.5, 6)
    tahu.addMetric(payload, "delta", 3, tahu.MetricDataType.Int16, -300, 7)
    tahu.addMetric(payload, "big", 4, tahu.MetricDataType.Int64, -(2**40), 8)
    tahu.addMetric(payload, "name", 5, tahu.MetricDataType.String, "filler", 9)
    tahu.addHistoricalMetric(payload, "old", 6, tahu.MetricDataType.Double, 0.125)
    tahu.addNullMetric(payload, "none", 7, tahu.MetricDataType.UInt32)
    payload.uuid = "abc"
    got = decode(payload.SerializeToString())
    assert got.seq == 0 and got.timestamp == payload.timestamp and got.uuid == "abc"
    by_name = {m.name: m for m in got.metrics}
    assert by_name["bdSeq"].datatype is DataType.INT64
    assert by_name["Node Control/Rebirth"].value is False
    assert (by_name["temp"].value, by_name["temp"].timestamp) == (21.5, 6)
    assert by_name["delta"].value == -300 and by_name["delta"].datatype is DataType.INT16
    assert by_name["big"].value == -(2**40)
    assert by_name["name"].value == "filler"
    assert by_name["old"].is_historical and by_name["old"].value == 0.125
    assert by_name["none"].is_null and by_name["none"].value is None
    assert [m.alias for m in got.metrics[1:]] == [1, 2, 3, 4, 5, 6, 7]


def test_a_32_bit_negative_small_integer_from_another_writer_reads_right():
    payload = pb.Payload()
    metric = payload.metrics.add()
    metric.name, metric.datatype, metric.int_value = "t", 1, 2**32 - 5  # Int8 -5, 32-bit
    assert decode(payload.SerializeToString()).metrics[0].value == -5
    assert typed(2**64 - 1, DataType.INT64) == -1 and typed(7, DataType.UNKNOWN) == 7


def test_the_births_and_data_a_node_publishes_parse_with_the_tahu_schema(mosquitto, tmp_path):
    secrets = FileStore(tmp_path / "config")
    secrets.set("broker", PASSWORD)
    raw: queue.Queue = queue.Queue()
    host = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="raw-host")
    host.username_pw_set(USER, PASSWORD)
    host.on_message = lambda c, u, m: raw.put((m.topic, bytes(m.payload)))
    subscribed: queue.Queue = queue.Queue()
    host.on_subscribe = lambda *a: subscribed.put(True)
    host.connect("127.0.0.1", mosquitto.port)
    host.loop_start()
    host.subscribe("spBv1.0/#", qos=1)
    assert subscribed.get(timeout=10)
    target = node(mosquitto, secrets)
    target.attach(plant(), VALUES)
    try:
        messages = [raw.get(timeout=10) for _ in range(3)]
        target.on_values({"line1.count": VALUES["line1.count"]._replace(value=-9)})
        messages.append(raw.get(timeout=10))
    finally:
        target.detach()
        host.disconnect()
        host.loop_stop()
    parsed = {topic.split("/", 2)[2]: pb.Payload.FromString(data) for topic, data in messages}
    nbirth = parsed["NBIRTH/press-pc-1"]
    names = {m.name: m for m in nbirth.metrics}
    assert names["bdSeq"].datatype == tahu.MetricDataType.Int64 and names["bdSeq"].long_value == 0
    assert names["Node Control/Rebirth"].datatype == tahu.MetricDataType.Boolean
    press = {m.name: m for m in parsed["DBIRTH/press-pc-1/press"].metrics}
    assert press["line1.speed"].float_value == 12.5
    assert press["line1.count"].datatype == tahu.MetricDataType.Int32
    assert press["line1.count"].int_value == 2**32 - 3  # -3, two's complement of Int32
    ddata = parsed["DDATA/press-pc-1/press"]
    (metric,) = ddata.metrics
    assert not metric.name and metric.alias == press["line1.count"].alias
    assert metric.int_value == 2**32 - 9 and ddata.seq == 3


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"\x08", "payload: cut short inside a number at byte 1"),
        (b"\x12\x05\x0a\x01", "says 5 bytes, 2 are left"),
        (b"\x12\x03\x0a\x01\xff", "metric 0: name: not UTF-8 text"),
        (b"\x0b", "wire type 3 of field 1 at byte 0"),
        (b"\x12\x02\x10\x80", "metric 0: cut short inside a number"),
        (b"\x12\x04\x65\x00\x00\x80", "metric 0: cut short in field 12"),
        (b"\x0a\x00", "payload timestamp: wire type 2, expected 0"),
        (b"\x08" + b"\xff" * 11, "a number longer than 10 bytes"),
    ],
)
def test_malformed_bytes_say_what_and_where(data, said):
    with pytest.raises(PayloadError, match=said.replace("(", r"\(")):
        decode(data)


def test_random_bytes_never_raise_anything_but_a_payload_error():
    rng = random.Random(7)
    good = encode(full_payload())
    for _ in range(3000):
        data = bytearray(good)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        cut = bytes(data[: rng.randrange(len(data) + 1)])
        try:
            decode(cut)
        except PayloadError:
            pass


@pytest.mark.parametrize(
    ("metric", "said"),
    [
        (Metric("p", None, None, DataType.INT8, 128), "metric p: 128 is outside INT8 (-128..127)"),
        (Metric("p", None, None, DataType.UINT16, -1), "metric p: -1 is outside UINT16"),
        (Metric("p", None, None, DataType.INT32, 1.5), "INT32 needs a whole number, got 1.5"),
        (Metric("p", None, None, DataType.BOOLEAN, 1), "Boolean needs true or false, got 1"),
        (Metric("p", None, None, DataType.FLOAT, 1e39), "metric p: 1e\\+39 is beyond a FLOAT"),
        (Metric("p", None, None, DataType.STRING, 3), "STRING needs text, got 3"),
        (Metric(None, 9, None, DataType.DATASET, []), "metric 9: a DATASET value is not written"),
    ],
)
def test_a_value_its_datatype_cannot_carry_is_refused_by_name(metric, said):
    with pytest.raises(PayloadError, match=said.replace("(", r"\(").replace(")", r"\)")):
        encode(Payload(metrics=[metric]))
