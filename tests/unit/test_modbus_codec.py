"""Register encoding and decoding of every type in every byte and word order."""

import math
import struct

import pytest

from drivers.modbus.codec import (
    BitDecoder,
    BlockDecoder,
    EncodeError,
    Field,
    bit_values,
    changed,
    decode,
    encode,
    register_count,
    same_value,
    set_bit,
)
from hmi.core.project.models import DataType as T

ORDERS = [("big", "big"), ("big", "little"), ("little", "big"), ("little", "little")]

# The same value as the four common layouts of a 32-bit value (A = most significant byte).
LAYOUTS_32 = {
    ("big", "big"): [0x0102, 0x0304],  # ABCD
    ("big", "little"): [0x0304, 0x0102],  # CDAB
    ("little", "big"): [0x0201, 0x0403],  # BADC
    ("little", "little"): [0x0403, 0x0201],  # DCBA
}


def field(data_type, byte_order="big", word_order="big", offset=0, key="v", **kwargs):
    return Field(key, offset, data_type, byte_order=byte_order, word_order=word_order, **kwargs)


@pytest.mark.parametrize("orders", ORDERS)
def test_uint32_layouts_match_the_plc_conventions(orders):
    registers = LAYOUTS_32[orders]
    assert decode(field(T.UINT32, *orders), registers) == 0x01020304
    assert encode(T.UINT32, 0x01020304, byte_order=orders[0], word_order=orders[1]) == registers


@pytest.mark.parametrize("orders", ORDERS)
def test_float32_layouts(orders):
    abcd = struct.unpack(">f", bytes([0x01, 0x02, 0x03, 0x04]))[0]
    assert decode(field(T.FLOAT32, *orders), LAYOUTS_32[orders]) == abcd


def test_known_wire_values():
    assert encode(T.FLOAT32, 1.5) == [0x3FC0, 0x0000]
    assert encode(T.INT16, -2) == [0xFFFE]
    assert encode(T.INT16, -2, byte_order="little") == [0xFEFF]
    assert encode(T.UINT64, 0x0102030405060708) == [0x0102, 0x0304, 0x0506, 0x0708]
    assert encode(T.INT64, 0x0102030405060708, word_order="little") == [
        0x0708,
        0x0506,
        0x0304,
        0x0102,
    ]
    assert encode(T.FLOAT64, 1.0) == [0x3FF0, 0, 0, 0]
    assert encode(T.STRING, "ABC", length=3) == [0x4142, 0x4300]
    assert encode(T.STRING, "ABC", length=4, byte_order="little") == [0x4241, 0x0043]


SAMPLES = [
    (T.INT16, -12345),
    (T.UINT16, 54321),
    (T.INT32, -123456789),
    (T.UINT32, 4_000_000_000),
    (T.INT64, -(2**62) + 7),
    (T.UINT64, 2**64 - 1),
    (T.FLOAT32, 0.15625),
    (T.FLOAT64, math.pi),
    (T.STRING, "LOT-42"),
]


@pytest.mark.parametrize("orders", ORDERS)
@pytest.mark.parametrize(("data_type", "value"), SAMPLES)
def test_every_type_round_trips_in_every_order(data_type, value, orders):
    length = 7 if data_type is T.STRING else 0
    registers = encode(data_type, value, byte_order=orders[0], word_order=orders[1], length=length)
    assert len(registers) == register_count(data_type, length)
    assert all(0 <= r <= 0xFFFF for r in registers)
    decoded = decode(field(data_type, *orders, length=length), registers)
    assert decoded == value
    assert type(decoded) is type(value)


def test_strings_stop_at_the_first_nul_and_bytes_outside_ascii_do_not_crash():
    assert decode(field(T.STRING, length=6), [0x4F4B, 0, 0x5858]) == "OK"
    assert decode(field(T.STRING, length=2), [0x41FF]) == "A\ufffd"


def test_an_odd_length_string_ignores_the_pad_byte():
    # 3 characters take 2 registers; the 4th byte is padding, whatever the PLC keeps there
    assert decode(field(T.STRING, length=3), [0x4142, 0x4344]) == "ABC"
    assert decode(field(T.STRING, length=3, byte_order="little"), [0x4241, 0x4443]) == "ABC"


def test_a_bit_of_a_register_uses_the_register_value():
    assert decode(field(T.BOOL, bit=0), [0x0001]) is True
    assert decode(field(T.BOOL, bit=15), [0x8000]) is True
    assert decode(field(T.BOOL, bit=14), [0x8000]) is False
    assert decode(field(T.BOOL, "little", bit=0), [0x0100]) is True
    assert set_bit(0x00F0, 3, True) == 0x00F8
    assert set_bit(0xFFFF, 15, False) == 0x7FFF
    assert set_bit(0x0000, 0, True, "little") == 0x0100
    assert set_bit(0x0100, 0, False, "little") == 0x0000


def test_a_uniform_block_decodes_in_one_struct_pass():
    fields = [field(T.FLOAT32, key=f"f{i}", offset=2 * i) for i in range(62)]
    registers = []
    for i in range(62):
        registers += encode(T.FLOAT32, i / 4)
    decoder = BlockDecoder(124, fields)
    assert decoder.passes == 1
    assert decoder.decode(registers) == {f"f{i}": i / 4 for i in range(62)}


def test_a_mixed_block_with_gaps_and_overlaps():
    registers = [0] * 20
    registers[0:2] = encode(T.INT32, -5, word_order="little")
    registers[5] = 0x0009  # uint16 and two bits of it
    registers[8:12] = encode(T.FLOAT64, -2.5)
    registers[15:18] = encode(T.STRING, "HELLO", length=5)
    registers[19] = 0x0102
    fields = [
        field(T.INT32, word_order="little", key="i32", offset=0),
        field(T.UINT16, key="u16", offset=5),
        field(T.BOOL, key="bit0", offset=5, bit=0),
        field(T.BOOL, key="bit1", offset=5, bit=1),
        field(T.FLOAT64, key="f64", offset=8),
        field(T.STRING, key="text", offset=15, length=5),
        field(T.UINT16, "little", key="swapped", offset=19),
    ]
    decoded = BlockDecoder(20, fields).decode(registers)
    assert decoded == {
        "i32": -5,
        "u16": 9,
        "bit0": True,
        "bit1": False,
        "f64": -2.5,
        "text": "HELLO",
        "swapped": 0x0201,
    }


def test_a_block_refuses_a_short_answer_and_fields_outside_it():
    decoder = BlockDecoder(4, [field(T.FLOAT32, offset=2)])
    with pytest.raises(ValueError, match="expected 4 registers, got 3"):
        decoder.decode([0, 0, 0])
    with pytest.raises(ValueError, match="outside the block"):
        BlockDecoder(3, [field(T.FLOAT32, offset=2)])


def test_bits_of_a_coil_block():
    assert bit_values([False, True, True], [("a", 1), ("b", 0)]) == {"a": True, "b": False}
    assert BitDecoder([("only", 2)]).values([0, 0, 1]) == (True,)
    assert BitDecoder([]).values([True]) == ()


def test_a_block_decodes_from_the_bytes_as_they_came():
    """The values of a mixed block from its wire bytes, in ``keys`` order, equal the
    values decoded from its registers, in every arrangement."""
    registers = [0] * 24
    fields = []
    for n, orders in enumerate(ORDERS):
        registers[6 * n : 6 * n + 2] = encode(T.FLOAT32, n - 1.5, byte_order=orders[0],
                                               word_order=orders[1])  # fmt: skip
        registers[6 * n + 2 : 6 * n + 4] = encode(T.INT32, -n, byte_order=orders[0],
                                                   word_order=orders[1])  # fmt: skip
        registers[6 * n + 4] = 0x0102 + n
        fields += [
            field(T.FLOAT32, *orders, key=f"f{n}", offset=6 * n),
            field(T.INT32, *orders, key=f"i{n}", offset=6 * n + 2),
            field(T.UINT16, orders[0], key=f"u{n}", offset=6 * n + 4),
            field(T.BOOL, orders[0], key=f"b{n}", offset=6 * n + 4, bit=n),
        ]
    decoder = BlockDecoder(24, fields)
    wire = struct.pack(">24H", *registers)
    values = dict(zip(decoder.keys, decoder.values(wire), strict=True))
    assert values == decoder.decode(registers)
    assert values["f3"] == 1.5 and values["i2"] == -2 and values["u0"] == 0x0102
    with pytest.raises(ValueError, match="expected 48 bytes, got 46"):
        decoder.values(wire[:-2])


def test_what_changed_since_the_last_values():
    keys = ("a", "b", "c", "d")
    before = (1.0, math.nan, math.nan, "x")
    assert changed(keys, (1.0, math.nan, 2.0, "y"), before) == {"c": 2.0, "d": "y"}
    assert changed(keys, (math.nan, math.nan, math.nan, "x"), before).keys() == {"a"}
    assert changed(keys, before, None).keys() == set(keys)  # nothing before: every value
    assert changed(keys, (-0.0, math.nan, math.nan, "x"), (0.0, *before[1:])) == {}


@pytest.mark.parametrize(
    ("data_type", "value", "message"),
    [
        (T.INT16, 40000, "40000 is outside the int16 range -32768..32767"),
        (T.UINT16, -1, "-1 is outside the uint16 range 0..65535"),
        (T.UINT64, 2**64, "outside the uint64 range"),
        (T.INT32, 1.5, "int32 takes whole numbers, not 1.5"),
        (T.FLOAT32, 1e39, "1e+39 is too large for float32"),
        (T.FLOAT32, "12", "float32 needs a number, not '12'"),
        (T.INT16, True, "int16 needs a number, not True"),
        (T.STRING, 12, "string needs text, not int"),
        (T.STRING, "TOO LONG", "longer than 4 characters"),
        (T.STRING, "Grüße", "characters outside ASCII"),
        (T.BOOL, True, "a bool is written as a coil or a bit"),
    ],
)
def test_values_that_cannot_be_encoded(data_type, value, message):
    with pytest.raises(EncodeError) as caught:
        encode(data_type, value, length=4)
    assert message in str(caught.value)


def test_whole_floats_are_accepted_for_integer_types():
    assert encode(T.INT16, 7.0) == [7]


def test_read_back_comparison():
    written = decode(field(T.FLOAT32), encode(T.FLOAT32, 0.1))
    assert same_value(T.FLOAT32, 0.1, written)
    assert not same_value(T.FLOAT32, 0.1, 0.1001)
    assert same_value(T.FLOAT64, math.nan, math.nan)
    assert not same_value(T.FLOAT64, 1.0, math.nan)
    assert same_value(T.INT16, 5, 5)
    assert not same_value(T.INT16, 5, 6)
    assert same_value(T.STRING, "AB", "AB")
