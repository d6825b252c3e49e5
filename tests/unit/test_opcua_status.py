"""OPC UA StatusCodes and client errors as Quality plus a readable reason."""

from __future__ import annotations

import socket

import pytest
from asyncua import ua

from drivers.opcua.status import describe, describe_error, quality_of, status_to_quality
from hmi.core.tags import Quality

SC = ua.StatusCodes


@pytest.mark.parametrize(
    ("code", "quality"),
    [
        (SC.Good, Quality.GOOD),
        (SC.GoodClamped, Quality.GOOD),
        (SC.UncertainLastUsableValue, Quality.UNCERTAIN),
        (SC.UncertainSensorCalibration, Quality.UNCERTAIN),
        (SC.BadNodeIdUnknown, Quality.BAD),
        (SC.BadCommunicationError, Quality.BAD),
        (0xC0000000, Quality.BAD),  # reserved severity 11 counts as Bad
    ],
)
def test_severity_bits_give_the_quality(code, quality):
    assert quality_of(code) is quality
    assert quality_of(ua.StatusCode(code)) is quality


def test_a_missing_status_code_means_good():
    assert status_to_quality(None) == (Quality.GOOD, "")


def test_reason_names_the_code_and_says_what_it_means():
    quality, reason = status_to_quality(ua.StatusCode(SC.BadNodeIdUnknown))
    assert quality is Quality.BAD
    assert reason == (
        "BadNodeIdUnknown: the node id refers to a node that does not exist"
        " in the server address space"
    )
    assert status_to_quality(SC.UncertainLastUsableValue)[1].startswith(
        "UncertainLastUsableValue: whatever was updating this value has stopped"
    )


def test_good_values_carry_no_reason_even_with_info_bits():
    assert status_to_quality(SC.GoodClamped) == (Quality.GOOD, "")


def test_unknown_codes_still_read_well():
    assert describe(0x80FF0000) == "Bad: unknown StatusCode value: 2164195328"
    assert quality_of(0x80FF0000) is Quality.BAD


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (ua.UaStatusCodeError(SC.BadNotWritable), "BadNotWritable: the access level does not"),
        (TimeoutError(), "no answer within 4 s"),
        (TimeoutError(), "no answer within 4 s"),
        (ConnectionRefusedError(111, "refused"), "connection refused: no OPC UA server"),
        (socket.gaierror(-2, "Name or service not known"), "host name not found (Name or"),
        (ConnectionError("transport lost"), "connection lost: transport lost"),
        (OSError(113, "No route to host"), "network error: No route to host"),
        (RuntimeError("boom"), "RuntimeError: boom"),
        (KeyError(), "KeyError"),
    ],
)
def test_errors_become_one_readable_line(exc, expected):
    assert describe_error(exc, timeout=4).startswith(expected)
