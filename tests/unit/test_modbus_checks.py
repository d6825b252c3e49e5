"""Modbus device options and what ``hmi check`` says about them, at the line to fix."""

from __future__ import annotations

import pytest

from drivers.modbus import ModbusDriver
from drivers.modbus.options import OptionsError, parse_options
from hmi.core.plugins import discover, driver_problems
from hmi.core.project.loader import load_project
from hmi.core.project.models import DataType, DeviceConfig, Source, TagConfig

FILE = "project.yaml"


def at(line: int) -> Source:
    return Source(FILE, line)


def problems_of(options: dict) -> list:
    with pytest.raises(OptionsError) as caught:
        parse_options(options)
    return caught.value.problems


# -- durations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("250ms", 0.25), ("1.5 s", 1.5), ("2min", 120.0), ("1m", 60.0), (3, 3.0), ("0.2", 0.2)],
)
def test_durations_are_written_as_everywhere_else_in_a_project(text, seconds):
    assert parse_options({"host": "h", "timeout": text}).timeout == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        (0, "0 is too short; use 10ms to 1h"),
        ("0ms", "0ms is too short"),
        ("1e308s", "1e308s is too long"),
        ("-1s", "is negative"),
        ("fast", "expected a duration"),
        ("10 parsecs", "unknown unit 'parsecs'"),
        (True, "expected a duration"),
    ],
)
def test_a_bad_duration_names_its_option(value, phrase):
    (problem,) = problems_of({"host": "10.0.0.5", "demote_for": value})
    assert problem.key == "demote_for"
    assert problem.message.startswith("demote_for: ") and phrase in problem.message


def test_each_problem_names_the_option_to_fix():
    problems = problems_of(
        {"host": "h", "port": 70000, "tiemout": "1s", "reconnect_min": "5s", "reconnect_max": "1s"}
    )
    assert [p.key for p in problems] == ["port", "tiemout", "reconnect_min"]
    (missing,) = problems_of({"port": 502})
    assert missing.key == "" and missing.message.startswith("host is required")


# -- problems at their own line ----------------------------------------------------------


def test_a_bad_option_is_reported_at_its_own_line():
    device = DeviceConfig(
        "press",
        "modbus",
        {"host": "10.0.0.5", "port": 70000, "tiemout": "1s"},
        source=at(4),
        field_sources={"protocol": at(5), "host": at(6), "port": at(7), "tiemout": at(8)},
    )
    assert [str(p) for p in ModbusDriver.validate_device(device)] == [
        "project.yaml:7: device 'press': port: 70000 is outside 1..65535",
        "project.yaml:8: device 'press': unknown option 'tiemout'; did you mean 'timeout'?",
    ]
    no_host = DeviceConfig("x", "modbus", {}, source=at(4), field_sources={"protocol": at(5)})
    (problem,) = ModbusDriver.validate_device(no_host)
    assert problem.source == at(4)  # a missing setting has no line of its own


DEVICE = DeviceConfig("press", "modbus", {"host": "10.0.0.5"})


def tag_at(address: str, data_type=DataType.FLOAT32, *, lines: dict[str, int], **kw):
    return TagConfig(
        "t",
        data_type,
        "press",
        address,
        source=at(10),
        field_sources={key: at(line) for key, line in lines.items()},
        **kw,
    )


@pytest.mark.parametrize(
    ("tag", "line", "phrase"),
    [
        (tag_at("hx:5", lines={"name": 10, "address": 12}), 12, "unknown area 'hx'"),
        (tag_at("co:3", lines={"address": 12, "type": 13}), 13, "holds a bool, not float32"),
        (tag_at("co:3", lines={"address": 12}), 12, "holds a bool"),  # the type is implied
        (tag_at("hr:3.1", DataType.INT16, lines={"type": 11, "address": 12}), 11, "must be bool"),
        (tag_at("hr:3", DataType.BOOL, lines={"type": 11, "address": 12}), 12, "needs a bit"),
        (
            tag_at("ir:3", DataType.UINT16, lines={"address": 12, "writable": 14}, writable=True),
            14,
            "read-only",
        ),
        (
            tag_at("hr:3", lines={"address": 12, "word_order": 15}, options={"word_order": "mid"}),
            15,
            "word_order 'mid'",
        ),
    ],
)
def test_a_bad_tag_is_reported_at_the_setting_to_fix(tag, line, phrase):
    (problem,) = ModbusDriver.validate_tag(DEVICE, tag)
    assert problem.source == at(line)
    assert problem.message.startswith("tag 't'") and phrase in problem.message


def test_hmi_check_points_at_the_lines_of_a_loaded_project(tmp_path):
    (tmp_path / FILE).write_text(
        "project:\n"
        "  name: Lines\n"
        "devices:\n"
        "  plc:\n"
        "    protocol: modbus\n"
        "    host: 127.0.0.1\n"
        "    port: 70000\n"
        "    timeout: fast\n"
        "tags:\n"
        "  - name: a\n"
        "    device: plc\n"
        "    address: hx:5\n"
        "  - name: b\n"
        "    device: plc\n"
        "    address: co:3\n"
        "    type: int16\n",
        encoding="utf-8",
    )
    project = load_project(tmp_path)
    registry = discover({"modbus": "drivers.modbus:ModbusDriver"})
    found = sorted(str(p) for p in driver_problems(project, registry))
    assert found == [
        "project.yaml:12: tag 'a': address 'hx:5': unknown area 'hx', use hr, ir, co or di",
        "project.yaml:16: tag 'b': address 'co:3' is a coil, which holds a bool, not int16",
        "project.yaml:7: device 'plc': port: 70000 is outside 1..65535",
        "project.yaml:8: device 'plc': timeout: expected a duration (e.g. 100ms, 1s, 2.5 s, 1m), "
        "got 'fast'",
    ]
