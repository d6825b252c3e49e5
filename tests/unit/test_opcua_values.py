"""Variant values to Python, and Python values to what a node's data type can hold."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from asyncua import ua

from drivers.opcua.values import coerce_for_write, same_value, to_python

VT = ua.VariantType


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.5, 1.5),
        (7, 7),
        (True, True),
        ("text", "text"),
        (None, None),
        (ua.ServerState.Running, 0),
        (dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC), 1704164645.0),
        (ua.LocalizedText("Filling"), "Filling"),
        (ua.QualifiedName("Speed", 2), "2:Speed"),
        (ua.NodeId("A", 2), "ns=2;s=A"),
        (b"\x01\x02", b"\x01\x02"),
        ([1, ua.LocalizedText("x")], [1, "x"]),
    ],
)
def test_to_python(value, expected):
    result = to_python(value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("value", "vtype", "expected"),
    [
        (True, VT.Boolean, True),
        (0, VT.Boolean, False),
        ("on", VT.Boolean, True),
        (12.0, VT.Int32, 12),
        (12.6, VT.Int16, 13),
        (255, VT.Byte, 255),
        (-128, VT.SByte, -128),
        (3, VT.Double, 3.0),
        (0.1, VT.Float, 0.1),
        ("abc", VT.String, "abc"),
        (0, VT.DateTime, dt.datetime(1970, 1, 1, tzinfo=dt.UTC)),
    ],
)
def test_values_the_node_can_hold(value, vtype, expected):
    result = coerce_for_write(value, vtype)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("value", "vtype", "message"),
    [
        ("abc", VT.Double, "Double node needs a number, not str 'abc'"),
        (True, VT.Double, "Double node needs a number"),
        (70000, VT.UInt16, "70000 is outside the UInt16 range 0..65535"),
        (-1, VT.UInt32, "outside the UInt32 range"),
        (math.inf, VT.Int32, "inf cannot be stored in Int32"),
        (1e39, VT.Float, "too large for a Float node"),
        (2, VT.Boolean, "Boolean node needs true/false"),
        (5, VT.String, "String node needs text"),
        ("x", VT.ExtensionObject, "ExtensionObject is not supported"),
    ],
)
def test_values_the_node_cannot_hold_are_refused(value, vtype, message):
    with pytest.raises((TypeError, ValueError), match=message):
        coerce_for_write(value, vtype)


def test_read_back_comparison():
    assert same_value(0.1, 0.10000000149011612, VT.Float)  # 32-bit rounding is not a change
    assert not same_value(0.1, 0.10000000149011612, VT.Double)
    assert same_value(math.nan, math.nan, VT.Double)
    assert same_value(12, 12, VT.Int32)
    assert not same_value(12, 13, VT.Int32)
    assert same_value(ua.LocalizedText("a"), ua.LocalizedText("a", "en"), VT.LocalizedText)
