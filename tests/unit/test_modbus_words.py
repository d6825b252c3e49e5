"""The link decodes register responses itself (one unpack, the bytes kept): every frame
gives what pymodbus's own decoder gives, and a frame it does not take goes to pymodbus."""

import struct

import pytest
from pymodbus.pdu import DecodePDU
from pymodbus.pdu.register_message import (
    ReadHoldingRegistersResponse,
    ReadInputRegistersResponse,
)

from drivers.modbus.link import _TolerantDecoder, _Undecodable, _Words


def frame(function_code: int, registers: list[int]) -> bytes:
    response = ReadHoldingRegistersResponse(registers=registers)
    return bytes([function_code]) + response.encode()


@pytest.mark.parametrize("function_code", [3, 4])
@pytest.mark.parametrize("registers", [[], [0], [1, 0xFFFF, 0x8000], list(range(125))])
def test_register_responses_decode_as_pymodbus_does(function_code, registers):
    data = frame(function_code, registers)
    ours = _TolerantDecoder(False).decode(data)
    theirs = DecodePDU(False).decode(data)
    kind = ReadHoldingRegistersResponse if function_code == 3 else ReadInputRegistersResponse
    assert isinstance(ours, kind) and isinstance(ours, _Words)
    assert ours.function_code == theirs.function_code == function_code
    assert ours.registers == theirs.registers == registers
    assert ours.raw == struct.pack(f">{len(registers)}H", *registers)


@pytest.mark.parametrize(
    "data",
    [
        bytes([3, 4, 0, 1]),  # a byte count beyond the frame
        bytes([3, 3, 0, 1, 2]),  # an odd byte count
        bytes([4]),  # no byte count at all
        bytes([0x83, 2]),  # an exception response
        bytes([1, 1, 0b101]),  # coils
    ],
)
def test_other_frames_are_left_to_pymodbus(data):
    ours = _TolerantDecoder(False).decode(data)
    theirs = DecodePDU(False).decode(data)
    assert not isinstance(ours, _Words)
    if theirs is None:
        assert isinstance(ours, _Undecodable) and ours.frame == data
    else:
        assert type(ours) is type(theirs)
        assert ours.function_code == theirs.function_code
        assert getattr(ours, "registers", None) == getattr(theirs, "registers", None)
        assert getattr(ours, "bits", None) == getattr(theirs, "bits", None)
