"""The ``mqtt`` device options of a project file: the broker connection (the keys every
MQTT entry of a project shares, read by the MES package's reader) and the driver's own.

    line_broker:
      protocol: mqtt
      host: broker.plant.local
      tls: {ca_file: certs/plant-ca.pem}
      username: supervisor
      password_secret: broker_supervisor
      stale: 5m            # optional: values older than this are Uncertain (per tag: stale=)
      qos: 0               # the subscriptions' QoS (0 or 1)
      rebirth: true        # ask Sparkplug B nodes for their births (NCMD Node Control/Rebirth)
      timeout: 2s          # a write's acknowledgement and read-back
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hmi.core.connection import POLICY_OPTIONS, ConnectionPolicy, read_policy
from hmi.core.mes import MqttSettings, read_mqtt_settings
from hmi.core.project.fields import Fields
from hmi.core.project.models import DeviceConfig, Problem, Source

from .address import STALE

OWN_KEYS = ("stale", "qos", "rebirth", *POLICY_OPTIONS)
# settings every device has; a loader may leave them among the protocol options
COMMON_KEYS = ("name", "protocol", "line", "description", "enabled")
# a broker answers in milliseconds; a lost one is noticed by the socket or the keepalive
POLICY = ConnectionPolicy(timeout=2.0, connect_timeout=3.0, retries=0)


@dataclass(frozen=True, slots=True)
class MqttOptions:
    settings: MqttSettings
    connection: ConnectionPolicy = POLICY
    stale: float | None = None  # s: the device's default for its tags
    qos: int = 0
    rebirth: bool = True  # ask Sparkplug nodes for their births when none is known


class DeviceFields(Fields):
    """A device's options read with ``Fields``: each key's line is where the project
    wrote it (the loader keeps it in ``DeviceConfig.field_sources``)."""

    key_sources: Mapping[str, Source] = {}

    def line_of(self, key: Any) -> int:
        source = self.key_sources.get(str(key)) if key is not None else None
        return source.line if source is not None else self.line


def parse_options(device: DeviceConfig) -> tuple[MqttOptions | None, list[Problem]]:
    """The device's options, or None with every problem at its ``file:line``."""
    problems: list[Problem] = []
    source = device.source
    fields = DeviceFields(
        problems.append, device.options, source.file, source.line, f"device '{device.name}'"
    )
    fields.key_sources = device.field_sources
    root = Path(source.file).parent if source.file else Path(".")
    station = socket.gethostname() or "station"
    settings = read_mqtt_settings(
        device.options,
        fields,
        root,
        own=OWN_KEYS,
        hidden=COMMON_KEYS,
        client_id=f"linea-{station}-{device.name}",
    )
    stale = fields.duration("stale", within=STALE)
    qos = fields.whole("qos", 0, 1, "0 or 1")
    rebirth = fields.flag("rebirth", True)
    policy_options = {k: v for k, v in device.options.items() if k in POLICY_OPTIONS}
    connection, policy_problems = read_policy(policy_options, POLICY)
    for problem in policy_problems:
        fields.problem(problem.key, problem.message)
    if settings is None or fields.failed:
        return None, problems
    return MqttOptions(settings, connection, stale, qos or 0, rebirth), problems
