"""Which OPC UA built-in types each Linea tag type accepts, and what a node suggests."""

from __future__ import annotations

import datetime as dt

import pytest
from asyncua import ua

from drivers.opcua.monitor import tag_value
from drivers.opcua.types import ACCEPTS, LINEA_TYPE, NodeType, TypeRule, node_verdict
from hmi.core.project.models import DataType
from hmi.core.tags import Quality

VT = ua.VariantType
T = DataType


def test_every_suggested_type_accepts_its_node():
    for vtype, data_type in LINEA_TYPE.items():
        assert vtype in ACCEPTS[data_type], (vtype, data_type)


@pytest.mark.parametrize(
    ("data_type", "accepted", "refused"),
    [
        (T.BOOL, {VT.Boolean}, {VT.Byte, VT.Int32, VT.String, VT.Double}),
        (T.INT16, {VT.SByte, VT.Byte, VT.Int16}, {VT.UInt16, VT.Int32, VT.Double, VT.Boolean}),
        (T.UINT16, {VT.Byte, VT.UInt16}, {VT.SByte, VT.Int16, VT.UInt32, VT.Float}),
        (T.INT32, {VT.Int16, VT.UInt16, VT.Int32}, {VT.UInt32, VT.Int64, VT.Float, VT.String}),
        (T.UINT32, {VT.UInt16, VT.UInt32, VT.StatusCode}, {VT.Int16, VT.Int32, VT.Double}),
        (T.INT64, {VT.UInt32, VT.Int64}, {VT.UInt64, VT.Double}),
        (T.UINT64, {VT.UInt32, VT.UInt64}, {VT.Int64, VT.SByte}),
        (T.FLOAT32, {VT.Float, VT.Double, VT.Int32, VT.UInt64}, {VT.Boolean, VT.String}),
        (T.FLOAT64, {VT.Float, VT.Double, VT.Int64, VT.DateTime}, {VT.Boolean, VT.String}),
        (T.STRING, {VT.String, VT.LocalizedText, VT.NodeId}, {VT.Boolean, VT.Int32, VT.Double}),
    ],
)
def test_what_each_tag_type_accepts(data_type, accepted, refused):
    assert accepted <= ACCEPTS[data_type]
    assert not refused & ACCEPTS[data_type]


@pytest.mark.parametrize(
    ("data_type", "node", "verdict"),
    [
        (T.INT32, NodeType(VT.Int16, -1), ""),
        (T.INT32, NodeType(VT.String, -1), "server sends String, tag is int32"),
        (T.INT32, NodeType(None, -1), ""),  # abstract DataType: each value decides
        (T.INT32, NodeType(VT.Int32, 1), "server sends an array of Int32, tag is int32"),
        (T.INT32, NodeType(VT.Int32, -2), ""),  # scalar or array: each value decides
        (T.BOOL, NodeType(VT.Double, None), "server sends Double, tag is bool"),
    ],
)
def test_node_verdict(data_type, node, verdict):
    assert node_verdict(data_type, node) == verdict


def sample(value, vtype, status=0) -> ua.DataValue:
    return ua.DataValue(ua.Variant(value, vtype), StatusCode=ua.StatusCode(status))


def test_a_value_of_the_wrong_type_is_bad_and_said_once(caplog):
    said: set[tuple[str, str]] = set()
    rule = TypeRule("line2.state", T.INT32, "filler_plc", said)
    assert tag_value(sample(3, VT.Int16), 1.0, rule).value == 3
    for _ in range(3):
        tv = tag_value(sample("running", VT.String), 1.0, rule)
        assert (tv.quality, tv.value, tv.reason) == (
            Quality.BAD,
            None,
            "server sends String, tag is int32",
        )
    assert len(caplog.records) == 1
    assert "declare 'type: string'" in caplog.records[0].getMessage()
    # a new rule of the same driver (after a reconnect) does not say it again
    again = TypeRule("line2.state", T.INT32, "filler_plc", said)
    assert tag_value(sample("idle", VT.String), 2.0, again).quality is Quality.BAD
    assert len(caplog.records) == 1


def test_a_bad_status_keeps_its_own_reason_and_nothing_is_checked_without_a_rule():
    rule = TypeRule("t", T.INT32, "plc", set())
    bad = tag_value(sample("x", VT.String, ua.StatusCodes.BadSensorFailure), 1.0, rule)
    assert bad.reason.startswith("BadSensorFailure")
    assert tag_value(sample("x", VT.String), 1.0).value == "x"
    assert tag_value(ua.DataValue(ua.Variant(None)), 1.0, rule).good  # a Null value


def test_a_node_refused_by_its_data_type_makes_every_value_bad():
    rule = TypeRule("t", T.INT16, "plc", set())
    rule.refuse("server sends Int32, tag is int16", NodeType(VT.Int32, -1))
    tv = tag_value(sample(5, VT.Int16), 1.0, rule)
    assert (tv.quality, tv.reason) == (Quality.BAD, "server sends Int32, tag is int16")


def test_arrays_and_datetimes():
    rule = TypeRule("t", T.FLOAT64, "plc", set())
    assert tag_value(sample([1.0, 2.0], VT.Double), 1.0, rule).reason == (
        "server sends an array of Double, tag is float64"
    )
    stamp = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert tag_value(sample(stamp, VT.DateTime), 1.0, rule).value == 1704164645.0
