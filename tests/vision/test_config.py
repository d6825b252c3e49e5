"""The ``vision:`` section: models and cameras as written, and every mistake as
``file:line: what is wrong`` with the closest right name, never a traceback."""

from __future__ import annotations

from pathlib import Path

from hmi.core.checks import check_all
from hmi.core.vision import read_vision
from hmi.core.vision.config import parse_size

HEAD = """\
project:
  name: Vision config
  lines:
    line1: Line 1
devices:
  plc: {protocol: modbus, host: 127.0.0.1}
tags:
  - {name: line1.profile_count, device: plc, address: "hr:0", type: uint32}
  - {name: line1.part_present, device: plc, address: "co:0", type: bool}
  - {name: line1.fault, device: plc, address: "co:1", type: bool}
  - {name: line1.speed, device: plc, address: "hr:2", type: float32}
"""

GOOD = """\
vision:
  models:
    surface: models/m.onnx
    fast: {file: models/m.onnx, threads: 2}
  cameras:
    press_cam:
      line: line1
      source: sim:press
      fps: 10
      roi: [0, 0, 128, 128]
      size: [256, 256]
      channels: 3
      model: surface
      threshold: 0.4
      trigger: {count: line1.profile_count}
      max_age: 500ms
      window: 50
      evidence: {folder: ev/press, quota: 2GB, good_every: 10, format: jpg}
      simulation: {fault: line1.fault, defect_rate: 0.05, fault_rate: 0.5}
    gate_cam:
      line: line1
      source: images
      model: fast
      trigger: {edge: line1.part_present, debounce: 30ms}
    belt_cam:
      line: line1
      source: 0
      model: fast
      trigger: presence
"""


def project(tmp_path: Path, vision: str):
    (tmp_path / "models").mkdir(exist_ok=True)
    (tmp_path / "models" / "m.onnx").write_bytes(b"checked when loaded")
    (tmp_path / "project.yaml").write_text(HEAD + vision)
    return check_all(tmp_path)


def test_a_section_as_written(tmp_path):
    loaded, problems = project(tmp_path, GOOD)
    assert problems == []
    config, problems = read_vision(loaded)
    assert problems == [] and config is not None
    assert set(config.models) == {"surface", "fast"}
    assert config.models["fast"].threads == 2
    assert config.models["surface"].path == tmp_path / "models" / "m.onnx"
    cam = config.cameras["press_cam"]
    assert (cam.roi, cam.size, cam.channels, cam.threshold) == (
        (0, 0, 128, 128),
        (256, 256),
        3,
        0.4,
    )
    assert (cam.trigger.kind, cam.trigger.tag) == ("count", "line1.profile_count")
    assert (cam.max_age, cam.window) == (0.5, 50)
    assert (cam.evidence.folder, cam.evidence.quota, cam.evidence.good_every) == (
        "ev/press",
        2 * 1024**3,
        10,
    )
    assert (cam.fault_tag, cam.defect_rate, cam.fault_rate) == ("line1.fault", 0.05, 0.5)
    assert config.cameras["gate_cam"].source == str(tmp_path / "images")
    assert config.cameras["gate_cam"].trigger.debounce == 0.03
    assert config.cameras["belt_cam"].source == 0
    assert config.cameras["belt_cam"].trigger.kind == "presence"


def test_every_mistake_at_its_line_with_a_hint(tmp_path):
    text = """\
vision:
  models:
    surface: models/m.onnx
    gone: models/missing.onnx
  cameras:
    press_cam:
      line: line9
      source: sim:pres
      roi: [0, 0, -5, 10]
      model: surfase
      tresholds: 0.5
      trigger: {count: line1.speed}
      evidence: {quota: lots}
    gate_cam:
      line: line1
      source: rtsp://10.0.0.9/stream
      model: surface
      trigger: {edge: line1.part_presnt}
      simulation: {fault: line1.fault}
    belt_cam:
      line: line1
      source: 0
      model: surface
"""
    _, problems = project(tmp_path, text)
    said = {p.source.line: p.message for p in problems}
    assert all(p.source.file.endswith("project.yaml") for p in problems)
    base = HEAD.count("\n")
    at = {n + 1 + base: line for n, line in enumerate(text.splitlines())}

    def line_of(fragment: str) -> int:
        return next(n for n, line in at.items() if fragment in line)

    assert "no file models/missing.onnx" in said[line_of("gone:")]
    assert "unknown line 'line9'" in said[line_of("line9")]
    assert "sim:press" in said[line_of("sim:pres")]
    assert "roi" in said[line_of("roi:")]
    assert "unknown model 'surfase'" in said[line_of("surfase")]
    assert "surface" in said[line_of("surfase")]
    assert "tresholds" in said[line_of("tresholds")] and "threshold" in said[line_of("tresholds")]
    assert "float32" in said[line_of("line1.speed")]
    assert "500MB" in said[line_of("quota: lots")]
    assert "line1.part_present" in said[line_of("part_presnt")]
    assert "only a simulated camera" in said[line_of("simulation:")]
    assert "trigger: missing" in said[line_of("belt_cam:")]
    assert len(problems) == 11, problems


def test_nonsense_is_a_problem_not_a_traceback(tmp_path):
    for text in (
        "vision: [1, 2]\n",
        "vision:\n  cameras: 7\n",
        "vision:\n  models: {a: {file: 5, threads: 99}}\n  cameras: {c: [1]}\n",
        "vision:\n  cameras: {c: {trigger: {edge: x, count: y}, source: {a: 1}, fps: -1}}\n",
    ):
        _, problems = project(tmp_path, text)
        assert problems, text
        assert all(p.source.file.endswith("project.yaml") and p.source.line for p in problems)


def test_sizes():
    assert parse_size("500MB") == 500 * 1024**2
    assert parse_size("1.5 GB") == int(1.5 * 1024**3)
    assert parse_size(4096) == 4096
    assert parse_size("lots") is None and parse_size(True) is None and parse_size(0) is None
