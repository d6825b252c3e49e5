"""What came instead of an answer, in words, for Modbus TCP and RTU."""

from pymodbus.framer.rtu import FramerRTU

from drivers.modbus.frames import unanswered

REQUEST_TCP = bytes.fromhex("0003 0000 0006 01 03 0000 0002")  # transaction 3, unit 1


def tcp(tid: int, pdu: bytes, unit: int = 1, protocol: int = 0) -> bytes:
    header = tid.to_bytes(2, "big") + protocol.to_bytes(2, "big")
    return header + (len(pdu) + 1).to_bytes(2, "big") + bytes([unit]) + pdu


def rtu(frame: bytes) -> bytes:
    return frame + FramerRTU.compute_CRC(frame).to_bytes(2, "big")


def why(received: bytes, sent: bytes = REQUEST_TCP, rtu_line: bool = False) -> str:
    return unanswered(received, sent, rtu=rtu_line, waited="0.3 s")


def test_nothing_at_all_is_a_timeout():
    assert why(b"") == "timeout after 0.3 s"


def test_tcp_faults_each_have_their_words():
    answer = b"\x03\x04\x00\x01\x00\x02"
    assert why(tcp(9, answer)).startswith("answer with another request's transaction id")
    assert why(tcp(3, answer, unit=7)) == "answer from unit 7 to a request for unit 1"
    assert why(tcp(3, answer)[:9]) == (
        "short frame: 9 of the 13 bytes its header announces within 0.3 s "
        "(00 03 00 00 00 07 01 03 04)"
    )
    assert why(b"\x00\x03\x00") == "short frame: 3 bytes within 0.3 s (00 03 00)"
    assert why(tcp(3, answer, protocol=1)).startswith("not a Modbus TCP answer: protocol id 1 (")
    # a late answer to an earlier request, then nothing: named by the late one
    assert "another request's" in why(tcp(2, answer))


def test_a_long_frame_is_shown_cut():
    text = why(b"\x00\x03\x00\x00\x00\xff" + bytes(40))
    assert text.startswith("short frame: 46 of the 261 bytes") and text.endswith(" ...)")


REQUEST_RTU = rtu(bytes.fromhex("01 03 0000 0002"))


def test_rtu_faults_each_have_their_words():
    good = rtu(bytes.fromhex("01 03 04 0001 0002"))
    assert why(rtu(bytes.fromhex("05 03 04 0001 0002")), REQUEST_RTU, True) == (
        "answer from unit 5 to a request for unit 1"
    )
    assert why(good[:6], REQUEST_RTU, True) == (
        f"short frame: 6 of 9 bytes within 0.3 s ({good[:6].hex(' ')})"
    )
    broken = good[:-1] + bytes([good[-1] ^ 0xFF])
    assert why(broken, REQUEST_RTU, True) == f"CRC error in a 9-byte answer ({broken.hex(' ')})"
    assert why(b"\x01\x03", REQUEST_RTU, True) == "short frame: 2 bytes within 0.3 s (01 03)"
