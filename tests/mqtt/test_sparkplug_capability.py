"""A project with a ``kind: sparkplug`` target, run by the MES capability: the node is born
with the project's devices when the sync starts, the engine's values reach the host as
DDATA, and the station's stop is the node's NDEATH."""

from __future__ import annotations

import queue

import pytest

from hmi.core.tags import good
from tests.mqtt.test_sparkplug_node import Host

PROJECT = """\
project:
  name: Sparkplug live
  lines:
    line1: Line 1
devices:
  press: {{protocol: simulator, model: press, line: line1}}
tags:
  - {{name: speed, device: press, address: ram_speed_sp, units: m/min}}
mes:
  targets:
    scada:
      kind: sparkplug
      host: 127.0.0.1
      port: {port}
      username: {user}
      password_secret: broker
      group_id: turin
      edge_node_id: press-pc-1
"""


def test_the_mes_capability_runs_the_node_from_the_project(mosquitto, tmp_path, monkeypatch):
    from hmi.core.access import Access
    from hmi.core.capability import CapabilityContext
    from hmi.core.engine import TagEngine
    from hmi.core.i18n import Translator
    from hmi.core.live import LiveTags
    from hmi.core.mes.capability import MesCapability
    from hmi.core.mes.sparkplug import SparkplugTarget
    from hmi.core.project.loader import load_project
    from hmi.core.secrets import open_store
    from tests.mes.conftest import store
    from tests.mosquitto import PASSWORD, USER

    monkeypatch.setenv("LINEA_HMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LINEA_HMI_SECRETS", "file")
    open_store().set("broker", PASSWORD)
    folder = tmp_path / "project"
    folder.mkdir()
    text = PROJECT.format(port=mosquitto.port, user=USER)
    (folder / "project.yaml").write_text(text, encoding="utf-8")
    project = load_project(folder)
    access = Access()
    engine = TagEngine(project, access=access)
    live = LiveTags(engine)
    writer = store(tmp_path / "hmi.db")
    context = CapabilityContext(
        MesCapability, project, tmp_path, writer, live, access, Translator(), None
    )
    host = Host(mosquitto)
    capability = MesCapability(context)
    capability.start()
    try:
        assert capability.mes is not None
        target = capability.mes.deliveries["scada"].target
        assert isinstance(target, SparkplugTarget)
        nbirth, press = host.births(devices=1)
        assert nbirth.topic == "spBv1.0/turin/NBIRTH/press-pc-1"
        assert press.topic == "spBv1.0/turin/DBIRTH/press-pc-1/press"
        speed = press.metric("speed")
        engine.publish({"speed": good(3.5)})
        ddata, _ = host.until("DDATA")
        (metric,) = ddata.payload.metrics
        assert metric.alias == speed.alias and metric.value == 3.5
    finally:
        capability.stop()
        writer.stop()
    death, _ = host.until("NDEATH")
    assert death.metric("bdSeq").value == nbirth.metric("bdSeq").value  # a clean stop says so
    host.close()


def test_a_console_retry_never_speaks_for_the_node_beside_the_running_station(
    mosquitto, tmp_path, monkeypatch, capsys
):
    """While the station runs (its folder locked), ``hmi mes retry`` of the Sparkplug
    target is refused before it connects: the broker would hand the node's session to the
    console and the host would see the station's NDEATH. Stopped, the console may."""
    from hmi.cli import main
    from hmi.core.secrets import open_store
    from hmi.core.station_lock import LOCK_FILE, StationLock
    from tests.mosquitto import PASSWORD, USER

    monkeypatch.setenv("LINEA_HMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LINEA_HMI_SECRETS", "file")
    open_store().set("broker", PASSWORD)
    folder, data = tmp_path / "project", tmp_path / "data"
    folder.mkdir()
    data.mkdir()
    text = PROJECT.format(port=mosquitto.port, user=USER)
    (folder / "project.yaml").write_text(text, encoding="utf-8")
    command = ["mes", "retry", str(folder), "--data-dir", str(data), "scada", "--all"]
    host = Host(mosquitto)
    running = StationLock(data).acquire("hmi run")
    try:
        code = main(command)
    finally:
        running.release()
    _, err = capsys.readouterr()
    assert code == 1
    assert err.startswith("mes retry: scada is the station's Sparkplug edge node and the ")
    assert "from its MES sync page, or stop the station first" in err
    with pytest.raises(queue.Empty):  # no birth, no death: the node was never spoken for
        host.next(1.0)
    assert main(command) == 0  # the station stopped: the console may
    assert capsys.readouterr().out.strip() == "scada: 0 accepted, 0 refused again"
    assert (data / LOCK_FILE).read_text() == ""  # let go again
    host.close()
