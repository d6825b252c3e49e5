"""The ``users:`` section: roles, inheritance, tag groups and signature rules, and every
mistake reported at its file:line by ``hmi check``."""

from __future__ import annotations

from pathlib import Path

from hmi.core.access import WRITE_TAG
from hmi.core.checks import check_all
from hmi.core.users import BUILTIN_ROLES, declared_permissions, read_users

HEAD = """\
project:
  name: Users config
devices:
  plc:
    protocol: simulator
    model: press
tags:
  - {name: line1.ram_speed_sp, device: plc, address: ram_speed_sp, writable: true}
  - {name: line1.billet_temp_sp, device: plc, address: billet_temp_sp, writable: true}
  - {name: line1.state, device: plc, address: state}
"""


def load(tmp_path: Path, users: str):
    (tmp_path / "project.yaml").write_text(HEAD + users, encoding="utf-8")
    project, problems = check_all(tmp_path)
    return project, [str(p) for p in problems]


def test_the_built_in_roles_each_allow_more_than_the_one_before(tmp_path):
    project, problems = load(tmp_path, "")
    assert problems == []
    config, _ = read_users(project, declared_permissions())
    table = config.table
    assert list(BUILTIN_ROLES) == ["operator", "shift_lead", "supervisor", "engineer",
                                   "administrator"]  # fmt: skip
    assert table.allows("operator", "alarms.acknowledge")
    assert not table.allows("operator", "alarms.shelve")
    assert table.allows("shift_lead", "alarms.shelve") and table.allows(
        "shift_lead", WRITE_TAG, "x"
    )
    assert not table.allows("shift_lead", "alarms.out_of_service")
    assert table.allows("supervisor", "alarms.out_of_service")
    assert not table.allows("supervisor", "users.manage")
    assert table.allows("engineer", "project.change") and not table.allows(
        "engineer", "users.manage"
    )
    assert table.allows("administrator", "users.manage")
    assert table.at_least("engineer", "supervisor") and not table.at_least("operator", "supervisor")


def test_custom_roles_inherit_and_tag_targets_limit_writes(tmp_path):
    project, problems = load(
        tmp_path,
        """\
users:
  tag_groups:
    setpoints: ["line1.*_sp"]
  roles:
    operator:
      permissions:
        - alarms.acknowledge
        - tags.write: [line1.ram_speed_sp]
    setter:
      title: Die setter
      inherits: operator
      permissions:
        - tags.write: [group:setpoints]
""",
    )
    assert problems == []
    table = read_users(project, declared_permissions())[0].table
    assert table.allows("operator", WRITE_TAG, "line1.ram_speed_sp")
    assert not table.allows("operator", WRITE_TAG, "line1.billet_temp_sp")
    assert table.allows("setter", WRITE_TAG, "line1.billet_temp_sp")
    assert table.allows("setter", "alarms.acknowledge")  # inherited
    assert table.title("setter") == "Die setter"
    assert table.title("operator") == "Operator"  # a built-in keeps what it does not say
    assert table.allows("shift_lead", WRITE_TAG, "line1.ram_speed_sp")  # through operator
    assert not table.allows("shift_lead", WRITE_TAG, "line1.billet_temp_sp")


def test_every_mistake_is_reported_at_its_line_with_a_hint(tmp_path):
    _, problems = load(
        tmp_path,
        """\
users:
  lockout: {after: 0, delay: 10 parsecs}
  auto_sign_out: {desk: 1ms, kiosk: 5m}
  tag_groups:
    setpoints: ["line9.*"]
  roles:
    operator:
      permissions:
        - alarms.acknowlege
        - tags.write: [line1.ram_sped_sp, group:setpoint]
        - "alerts.*"
    a_role:
      inherits: b_role
    b_role:
      inherits: [a_role, foreman]
    Bad Name: []
  signatures:
    - permission: tags.write
      targets: [line1.billet_temp_sp]
      second: supervsor
    - meaning: no permission
  colour: blue
""",
    )
    text = "\n".join(problems)
    expected = {
        "project.yaml:12": "lockout: after",
        "project.yaml:13": "unknown profile 'kiosk'",
        "project.yaml:15": "'line9.*' matches no tag",
        "project.yaml:19": "permission 'alarms.acknowlege'; did you mean 'alarms.acknowledge'?",
        "project.yaml:20": "unknown tag 'line1.ram_sped_sp'; did you mean 'line1.ram_speed_sp'?",
        "project.yaml:21": "permission pattern 'alerts.*' matches no permission",
        "project.yaml:22": "inheritance goes round in a circle: a_role -> b_role -> a_role",
        "project.yaml:25": "b_role: inherits unknown role 'foreman'",
        "project.yaml:26": "role name 'Bad Name'",
        "project.yaml:28": "meaning: missing",
        "project.yaml:30": "unknown role 'supervsor'; did you mean 'supervisor'?",
        "project.yaml:31": "permission: missing",
        "project.yaml:32": "unknown field 'colour'",
    }
    for where, phrase in expected.items():
        assert any(p.startswith(where + ":") and phrase in p for p in problems), (where, text)
    assert "unknown tag group 'setpoint'; did you mean 'setpoints'?" in text
    assert "delay: unknown unit" in text
    assert "desk: 1ms is too short" in text
    assert "Traceback" not in text


def test_signature_rules_apply_to_their_targets_only(tmp_path):
    project, problems = load(
        tmp_path,
        """\
users:
  signatures:
    - permission: tags.write
      targets: [line1.billet_temp_sp]
      meaning: Recipe setpoint change
      reasons: [Product change, Trial]
      second: supervisor
    - permission: alarms.out_of_service
      meaning: Alarm taken out of service
""",
    )
    assert problems == []
    config = read_users(project, declared_permissions())[0]
    rule = config.signature_rule(WRITE_TAG, "line1.billet_temp_sp")
    assert rule is not None and rule.meaning == "Recipe setpoint change"
    assert rule.second and rule.second_role == "supervisor"
    assert rule.reasons == ("Product change", "Trial")
    assert config.signature_rule(WRITE_TAG, "line1.ram_speed_sp") is None
    assert config.signature_rule("alarms.out_of_service", "any.alarm").second is False
