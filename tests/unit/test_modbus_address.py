"""Modbus tag addresses: every accepted form, and a clear message for every wrong one."""

import pytest

from drivers.modbus.address import Address, AddressError, Area, parse_address, resolve_point
from hmi.core.project.models import DataType, TagConfig


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hr:0", Address(Area.HOLDING, 0)),
        ("ir:5", Address(Area.INPUT, 5)),
        ("co:7", Address(Area.COIL, 7)),
        ("di:65535", Address(Area.DISCRETE, 65535)),
        (" HR:10 ", Address(Area.HOLDING, 10)),
        ("hr:5.3", Address(Area.HOLDING, 5, 3)),
        ("ir:1.15", Address(Area.INPUT, 1, 15)),
        ("40001", Address(Area.HOLDING, 0)),
        ("30010", Address(Area.INPUT, 9)),
        ("00001", Address(Area.COIL, 0)),
        ("10002", Address(Area.DISCRETE, 1)),
        ("400001", Address(Area.HOLDING, 0)),
        ("465536", Address(Area.HOLDING, 65535)),
        ("40101.4", Address(Area.HOLDING, 100, 4)),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hx:5", "address 'hx:5': unknown area 'hx', use hr, ir, co or di"),
        ("hr:65536", "address 'hr:65536': 65536 is outside 0..65535"),
        ("hr:5.16", "address 'hr:5.16': bit 16 is outside 0..15"),
        ("co:3.1", "address 'co:3.1': a coil is already a single bit, drop '.1'"),
        ("hr:abc", "address 'hr:abc': 'abc' is not a number; write e.g. hr:100 or hr:100.3"),
        ("hr:5.", "'5.' is not a number"),
        ("40000", "address '40000': Modicon addresses start at 1 (40001)"),
        ("4001", "a Modicon address has 5 or 6 digits"),
        ("50001", "a Modicon address starts with 4 (holding), 3 (input), 0 (coil) or 1"),
        ("465537", "65536 is outside 0..65535"),
        ("", "address is empty"),
        ("temperature", "address 'temperature': not understood, use hr:N"),
    ],
)
def test_wrong_addresses_say_what_is_wrong(text, message):
    with pytest.raises(AddressError) as caught:
        parse_address(text)
    assert message in str(caught.value)


@pytest.mark.parametrize("text", ["hr:0", "ir:12.7", "co:65535", "di:3"])
def test_an_address_prints_as_it_is_written(text):
    assert str(parse_address(text)) == text


def tag(address, data_type=DataType.FLOAT32, **kwargs):
    return TagConfig("t", data_type, "plc", address, **kwargs)


def test_area_properties():
    assert [a for a in Area if a.writable] == [Area.HOLDING, Area.COIL]
    assert [a for a in Area if a.is_bits] == [Area.COIL, Area.DISCRETE]
    assert Area.INPUT.label == "an input register"


@pytest.mark.parametrize(
    ("address", "data_type", "length", "size"),
    [
        ("hr:65534", DataType.FLOAT32, 0, 2),
        ("hr:65532", DataType.FLOAT64, 0, 4),
        ("hr:65535", DataType.INT16, 0, 1),
        ("hr:10", DataType.STRING, 5, 3),
        ("hr:10.4", DataType.BOOL, 0, 1),
        ("co:65535", DataType.BOOL, 0, 1),
    ],
)
def test_a_value_that_fits_resolves_to_its_size(address, data_type, length, size):
    point = resolve_point(tag(address, data_type, length=length))
    assert point.size == size
    assert point.field.offset == parse_address(address).offset


@pytest.mark.parametrize(
    ("address", "data_type", "length", "message"),
    [
        ("hr:65535", DataType.FLOAT32, 0, "a float32 needs 2 registers from 65535, past the last"),
        ("hr:65533", DataType.UINT64, 0, "a uint64 needs 4 registers from 65533"),
        ("hr:65535", DataType.STRING, 4, "a string needs 2 registers"),
        ("co:5", DataType.INT16, 0, "'co:5' is a coil, which holds a bool, not int16"),
        ("di:5", DataType.FLOAT32, 0, "is a discrete input, which holds a bool"),
        ("hr:5", DataType.BOOL, 0, "a bool in a holding register needs a bit, write hr:5.B"),
        ("ir:5.2", DataType.UINT16, 0, "is a single bit, so the type must be bool, not uint16"),
        ("hr:5", DataType.STRING, 0, "a string tag needs length"),
    ],
)
def test_a_value_that_does_not_fit_is_refused_clearly(address, data_type, length, message):
    with pytest.raises(AddressError) as caught:
        resolve_point(tag(address, data_type, length=length))
    assert message in str(caught.value)


def test_tag_options_override_the_device_orders():
    plain = resolve_point(tag("hr:0"), "big", "little")
    assert (plain.field.byte_order, plain.field.word_order) == ("big", "little")
    own = resolve_point(tag("hr:0", options={"word_order": "Big", "byte_order": "little"}))
    assert (own.field.byte_order, own.field.word_order) == ("little", "big")
    with pytest.raises(AddressError, match="word_order 'middle': use big or little"):
        resolve_point(tag("hr:0", options={"word_order": "middle"}))
