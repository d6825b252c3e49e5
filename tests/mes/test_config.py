"""The ``mes:`` section: targets with their common keys, the kind's own keys read by its
class, and every mistake at its ``file:line`` (``hmi check``), never a traceback."""

from __future__ import annotations

import pytest

from hmi.core.checks import check_all
from hmi.core.mes import target as target_module
from hmi.core.mes.config import read_mes

from .conftest import project_text


@pytest.fixture(autouse=True)
def fake_kind(monkeypatch):
    monkeypatch.setitem(target_module.TARGET_KINDS, "fake", "tests.mes.conftest:FakeTarget")


def read(tmp_path, section: str):
    path = tmp_path / "project.yaml"
    path.write_text(project_text("config", section), encoding="utf-8")
    project, problems = check_all(tmp_path)
    assert project is not None, problems
    config, mine = read_mes(project)
    return config, [str(p) for p in mine], [str(p) for p in problems], path.name


def test_targets_with_common_and_own_keys(tmp_path):
    config, problems, checked, _ = read(
        tmp_path,
        """\
mes:
  targets:
    plant:
      kind: fake
      batch: 25
      backoff: {min: 200ms, max: 30s, failing_after: 2m}
      max_batch: 80
    spare: {kind: fake, enabled: false}
""",
    )
    assert problems == [] and checked == []
    plant, spare = config.targets["plant"], config.targets["spare"]
    assert plant.batch == 25 and plant.enabled and not spare.enabled
    assert plant.backoff.reconnect_min == 0.2 and plant.backoff.reconnect_max == 30.0
    assert plant.failing_after == 120.0
    made = plant.make()
    assert made.name == "plant" and made.max_batch == 80  # the class read its own key
    assert spare.batch is None and list(config.enabled) == ["plant"]


def test_no_section_is_no_config(tmp_path):
    config, problems, _, _ = read(tmp_path, "")
    assert config is None and problems == []


def test_every_mistake_at_its_line(tmp_path):
    _, problems, checked, path = read(
        tmp_path,
        """\
mes:
  target: {}
  targets:
    a: {kind: fakee}
    b: {batch: 10}
    c:
      kind: fake
      batch: 0
      backoff: {min: 2m, max: 1s, often: 3}
    d: {kind: fake, max_bach: 3}
    e: 12
    f: {kind: fake, enabled: maybe, backoff: fast}
""",
    )
    expected = [
        f"{path}:8: mes: unknown field 'target'; did you mean 'targets'?",
        f"{path}:10: mes: targets: a: kind: unknown kind 'fakee'; did you mean 'fake'?",
        f"{path}:11: mes: targets: b: kind: missing; use one of",
        f"{path}:14: mes: targets: c: batch: expected a whole number from 1 to 10000, got 0",
        f"{path}:15: mes: targets: c: backoff: unknown field 'often'",
        f"{path}:15: mes: targets: c: backoff: min (120 s) is longer than max (1 s)",
        f"{path}:16: mes: targets: d: unknown field 'max_bach'; did you mean 'max_batch'?",
        f"{path}:17: mes: targets: e: expected a mapping",
        f"{path}:18: mes: targets: f: enabled: expected true or false, got 'maybe'",
        f"{path}:18: mes: targets: f: backoff: expected a mapping",
    ]
    for want in expected:
        assert any(p.startswith(want) for p in problems), (want, problems)
    assert len(problems) == len(expected), problems
    assert set(problems) <= set(checked)  # hmi check says the same


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("mes: [1, 2]\n", "mes: expected a mapping with targets:"),
        ("mes: {}\n", "mes: targets: missing"),
        ("mes: {targets: [a]}\n", "mes: targets: expected a mapping"),
    ],
)
def test_a_wrong_shape_is_one_line(tmp_path, section, message):
    config, problems, _, path = read(tmp_path, section)
    assert config is not None and config.targets == {}
    assert len(problems) == 1 and problems[0].startswith(f"{path}:7: {message}"), problems


def test_each_targets_system_tags_are_typed_and_an_alarm_may_take_them(tmp_path):
    from hmi.core.mes import MesCapability
    from hmi.core.project.models import DataType

    section = """\
mes:
  targets:
    plant: {kind: fake}
alarms:
  - {tag: _sys.mes.plant.backlog, id: mes_backlog, hi: 5000, priority: 2, message: Backlog}
"""
    _, problems, checked, _ = read(tmp_path, section)
    assert problems == [] and checked == []
    project = check_all(tmp_path)[0]
    tags = {t.name: t for t in MesCapability.project_tags(project)}
    assert tags["_sys.mes.plant.backlog"].data_type is DataType.INT64
    assert tags["_sys.mes.plant.oldest_s"].data_type is DataType.FLOAT64
    assert tags["_sys.mes.plant.state"].data_type is DataType.STRING
    assert tags["_sys.mes.health"].data_type is DataType.STRING
    misspelt = section.replace("plant.backlog", "plant.backlgo")
    _, _, checked, _ = read(tmp_path, misspelt)
    assert len(checked) == 1 and "_sys.mes.plant.backlgo" in checked[0], checked
    assert "_sys.mes.plant.backlog" in checked[0]  # the closest name offered
