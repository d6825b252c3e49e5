"""The historian: section: per-tag policies, and every mistake as file:line with a remedy."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hmi.core.historian import Kind, Mode, historian_problems, read_config
from hmi.core.project.durations import parse_duration
from hmi.core.project.loader import check_project

TAGS = """\
devices:
  plc: {protocol: modbus, host: 127.0.0.1}
tags:
  - {name: line1.temp, device: plc, address: "hr:0", type: float32}
  - {name: line1.speed, device: plc, address: "hr:2", type: float32}
  - {name: line1.running, device: plc, address: "co:0", type: bool}
  - {name: line1.cmd_start, device: plc, address: "co:1", type: bool, writable: true}
  - {name: line2.product, device: plc, address: "hr:10", type: string, length: 20}
  - {name: line2.level, device: plc, address: "hr:30", type: float32}
"""


def load(tmp_path: Path, historian: str):
    (tmp_path / "project.yaml").write_text(TAGS + textwrap.dedent(historian))
    project, problems = check_project(tmp_path)
    assert problems == [], problems
    return project


def messages(tmp_path: Path, historian: str) -> list[str]:
    return [str(p) for p in historian_problems(load(tmp_path, historian))]


def test_default_then_patterns_in_order_then_the_exact_entry(tmp_path):
    project = load(
        tmp_path,
        """
        historian:
          default: {mode: exception, max_interval: 10m, retention: 90d}
          tags:
            "line1.*": {mode: swinging_door, deviation: 2}
            line1.temp: {deviation: 0.5}
            "line1.cmd_*": off
            line2.level: {mode: interval, interval: 10s, retention: 1y}
        """,
    )
    config, problems = read_config(project)
    assert problems == []
    temp = config.policies["line1.temp"]
    assert (temp.mode, temp.deviation, temp.max_interval) == (Mode.SWINGING_DOOR, 0.5, 600.0)
    assert config.policies["line1.speed"].deviation == 2
    assert "line1.cmd_start" not in config.policies  # off: not recorded
    # a bool matched by a swinging_door pattern stores every change instead
    running = config.policies["line1.running"]
    assert (running.mode, running.kind) == (Mode.EXCEPTION, Kind.BOOL)
    assert config.policies["line2.product"].kind is Kind.TEXT
    level = config.policies["line2.level"]
    assert (level.mode, level.interval, level.retention) == (Mode.INTERVAL, 10.0, 365 * 86400)
    assert temp.retention == 90 * 86400 and config.default_retention == 90 * 86400
    assert config.retention_of("gone.tag") == 90 * 86400


def test_no_section_records_nothing(tmp_path):
    config, problems = read_config(load(tmp_path, ""))
    assert config.policies == {} and problems == []


def test_each_mistake_names_its_line_and_what_would_be_right(tmp_path):
    found = messages(
        tmp_path,
        """
        historian:
          default:
            mode: swinging
            retention: 90 days please
          retention: 30d
          tags:
            line1.tmep: {deviation: 1}
            "line3.*": {mode: exception}
            line1.speed: {deviation: -1, max_interval: 10 parsecs}
            line2.product: {mode: swinging_door, deviation: 1}
            line2.level: {mode: interval}
            line1.temp: {mode: swinging_door, interval: 5s, deviaton: 1}
        """,
    )
    base = len(TAGS.splitlines())
    expected = [
        (3, "mode 'swinging' unknown; did you mean 'swinging_door'?"),
        (4, "retention: expected a duration"),
        (5, "unknown field 'retention'; put 'retention' under 'default:'"),
        (7, "unknown tag 'line1.tmep'; did you mean 'line1.temp'?"),
        (8, "pattern 'line3.*' matches no tag"),
        (9, "deviation -1 is negative; use 0 or more"),
        (9, "max_interval: unknown unit 'parsecs'"),
        (10, "'line2.product' is a string tag; swinging_door needs a number; use mode: exception"),
        (10, "deviation is only for numeric tags ('line2.product' is string)"),
        (11, "'line2.level' has mode interval but no interval; add e.g. interval: 10s"),
        (12, "interval is used only with mode: interval"),
        (12, "unknown field 'deviaton'; did you mean 'deviation'?"),
    ]
    for offset, text in expected:
        line = f"project.yaml:{base + 1 + offset}: historian: "
        assert any(m.startswith(line) and text in m for m in found), (line, text, found)
    assert len(found) == len(expected), found


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("historian: [1, 2]", "expected default: and tags:, got [1, 2]"),
        ("historian:\n  tags: [line1.temp]", "tags: expected tag names or patterns"),
        ("historian:\n  tags: {line1.temp: 5}", "expected a policy such as"),
        ("historian:\n  default: {interval: 10ms, mode: interval}", "interval 10ms is too short"),
        ("historian:\n  default: {mode: interval}", "mode interval needs an interval"),
        ("historian:\n  default: {retention: 10m}", "retention 10m is too short; use 1h"),
        ("historian:\n  default: {deviation: lots}", "deviation: expected a number"),
    ],
)
def test_malformed_sections_are_problems_not_tracebacks(tmp_path, section, message):
    found = messages(tmp_path, section)
    assert len(found) == 1 and message in found[0], found


def test_long_spans_and_forever():
    assert parse_duration("90d") == 90 * 86400
    assert parse_duration("2w") == 14 * 86400
    assert parse_duration("10m") == 600
    with pytest.raises(ValueError, match="expected a duration"):
        parse_duration("soon")


def test_retention_forever_keeps_everything(tmp_path):
    config, problems = read_config(
        load(tmp_path, "historian:\n  default: {mode: exception, retention: forever}\n")
    )
    assert problems == [] and config.default_retention is None
    assert config.policies["line1.temp"].retention is None


def test_the_demo_project_is_valid_and_records_its_important_tags():
    demo = Path(__file__).resolve().parents[2] / "resources" / "demo"
    project, problems = check_project(demo)
    assert problems == []
    config, problems = read_config(project)
    assert problems == []
    assert {"line1.billet_temp", "line1.ram_pressure", "line2.tank_level"} <= set(config.policies)
