"""A ``kind: sparkplug`` entry in the project: its defaults, and every mistake at its
``file:line`` as ``hmi check`` shows it, a password in clear never repeated."""

from __future__ import annotations

import socket

from hmi.core.checks import check_all
from hmi.core.mes.config import read_mes
from hmi.core.mes.sparkplug import DEFAULT_BUFFER, SparkplugTarget
from tests.mes.conftest import project_text

SECTION = """\
mes:
  targets:
    ok:
      kind: sparkplug
      host: broker.plant.local
      tls: true
      username: line1
      password_secret: broker_line1
      root: acme/turin/extrusion
    named:
      kind: sparkplug
      host: broker.plant.local
      group_id: Extrusion
      edge_node_id: press-pc-1
      buffer: 5000
      batch: 50
      primary_host: scada-1
    clear:
      kind: sparkplug
      host: broker.plant.local
      username: line1
      password: hunter2
      group_id: turin
    ids:
      kind: sparkplug
      host: broker.plant.local
      group_id: turin/north
      edge_node_id: "press#1"
      primary_host: "scada/+"
    nogroup:
      kind: sparkplug
      host: broker.plant.local
      bufer: 10
    small:
      kind: sparkplug
      host: broker.plant.local
      group_id: turin
      buffer: 3
      root: acme
"""


def test_each_mistake_at_its_line_and_the_good_entries_built(tmp_path):
    (tmp_path / "project.yaml").write_text(project_text("sparkplug", SECTION), encoding="utf-8")
    project, problems = check_all(tmp_path)
    shown = [str(p) for p in problems]
    expected = [
        "project.yaml:28: mes: targets: clear: password: a password is never written",
        "project.yaml:33: mes: targets: ids: group_id: 'turin/north' cannot hold '/', '+' or '#'",
        "project.yaml:34: mes: targets: ids: edge_node_id: 'press#1' cannot hold",
        "project.yaml:35: mes: targets: ids: primary_host: 'scada/+' cannot hold",
        "project.yaml:36: mes: targets: nogroup: group_id: missing; the Sparkplug group",
        "project.yaml:39: mes: targets: nogroup: unknown field 'bufer'; did you mean 'buffer'?",
        "project.yaml:44: mes: targets: small: buffer: expected a whole number from 100 to",
        "project.yaml:45: mes: targets: small: root: 'acme' is not enterprise/site",
    ]
    for words in expected:
        assert any(s.startswith(words) for s in shown), (words, shown)
    assert len(shown) == len(expected), shown
    assert not any("hunter2" in s for s in shown)
    assert project is not None
    config, _ = read_mes(project)
    assert config is not None and list(config.targets) == ["ok", "named"]
    ok = config.targets["ok"].make()
    assert isinstance(ok, SparkplugTarget)
    station = socket.gethostname()
    assert (ok.group, ok.node, ok.buffer) == ("turin", station, DEFAULT_BUFFER)
    assert ok.settings.client_id == f"linea-{station}-ok" and ok.settings.port == 8883
    assert ok.settings.password_secret == "broker_line1"
    named = config.targets["named"]
    made = named.make()
    assert (made.group, made.node, made.buffer) == ("Extrusion", "press-pc-1", 5000)
    assert made.primary_host == "scada-1" and ok.primary_host is None
    assert named.batch == 50
