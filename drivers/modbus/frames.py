"""What arrived instead of an answer, in words: bytes the client library skipped or is
still waiting to complete when a request times out.

pymodbus drops a frame whose transaction id or unit is not the request's and waits for
more bytes while a frame is incomplete; after the timeout all that is left is the bytes.
These functions read them again the way the framing defines them, so the reason says
what happened (an answer to another request, from another unit, a short frame, a CRC
error, something that is not Modbus at all) rather than only that no valid frame came.
"""

from __future__ import annotations

import struct

from pymodbus.framer.rtu import FramerRTU

_SHOWN = 16  # bytes of a frame shown in a reason


def shown(data: bytes) -> str:
    more = " ..." if len(data) > _SHOWN else ""
    return data[:_SHOWN].hex(" ") + more


def unanswered(received: bytes, sent: bytes, *, rtu: bool, waited: str) -> str:
    """Why ``received`` (everything that came after ``sent``) is no answer to it.

    ``waited`` is the timeout as reasons show it (``0.3 s``).
    """
    if not received:
        return f"timeout after {waited}"
    return _rtu(received, sent, waited) if rtu else _tcp(received, sent, waited)


def _tcp(received: bytes, sent: bytes, waited: str) -> str:
    tid, unit = (struct.unpack_from(">H", sent)[0], sent[6]) if len(sent) >= 7 else (None, None)
    pos = 0
    while pos < len(received):
        frame = received[pos:]
        if len(frame) >= 4 and (protocol := struct.unpack_from(">H", frame, 2)[0]) != 0:
            return f"not a Modbus TCP answer: protocol id {protocol} ({shown(frame)})"
        if len(frame) < 8:
            return f"short frame: {len(frame)} bytes within {waited} ({shown(frame)})"
        length = struct.unpack_from(">H", frame, 4)[0] + 6
        if len(frame) < length:
            return (
                f"short frame: {len(frame)} of the {length} bytes its header announces "
                f"within {waited} ({shown(frame)})"
            )
        answer_tid, answer_unit = struct.unpack_from(">H", frame)[0], frame[6]
        if unit is not None and unit and answer_unit != unit:
            return f"answer from unit {answer_unit} to a request for unit {unit}"
        if tid is not None and answer_tid != tid:
            # no numbers: the reason of a device that keeps doing it must not change
            return (
                "answer with another request's transaction id "
                "(a late answer to an earlier request, or another client's)"
            )
        pos += length
    return f"no valid frame in {len(received)} bytes within {waited} ({shown(received)})"


def _rtu(received: bytes, sent: bytes, waited: str) -> str:
    unit = sent[0] if sent else None
    if unit is not None and unit and received[0] != unit:
        return f"answer from unit {received[0]} to a request for unit {unit}"
    if len(received) < 5:
        return f"short frame: {len(received)} bytes within {waited} ({shown(received)})"
    function = received[1]
    expected = 5 if function & 0x80 else _rtu_length(received)
    if expected is not None and len(received) < expected:
        return (
            f"short frame: {len(received)} of {expected} bytes within {waited} ({shown(received)})"
        )
    frame = received[:expected] if expected is not None else received
    crc = int.from_bytes(frame[-2:], "big")
    if not FramerRTU.check_CRC(frame[:-2], crc):
        return f"CRC error in a {len(frame)}-byte answer ({shown(frame)})"
    return f"no valid frame in {len(received)} bytes within {waited} ({shown(received)})"


def _rtu_length(frame: bytes) -> int | None:
    """The length an RTU answer to a read or write announces, if it is one of those."""
    function = frame[1]
    if function in (1, 2, 3, 4):
        return 5 + frame[2]
    if function in (5, 6, 15, 16):
        return 8
    return None
