"""MES sync (no Qt): the outbox's events forwarded to the plant's MES targets, store and
forward, in order per stream, with quarantine for what a target refuses.

The package, by what each module is for:

- ``target``: the contract every target keeps (``Target``, ``Outcome``, ``TargetError``)
  and the kinds known (``TARGET_KINDS``); ``http``: the HTTP/REST target; ``postgres``:
  the PostgreSQL target (staging tables and the views an MES or ERP reads);
- ``sparkplug``: the Sparkplug B target (the station as an edge node: births, live
  values, production events); ``sparkplug_payload``: the Sparkplug B payload codec, which
  the MQTT driver reads births and data with (``decode_sparkplug``, ``sparkplug_typed``)
  and asks a node's rebirth with (``encode_sparkplug``);
- ``mqtt``: the MQTT Unified Namespace target (events, live values, order, alarm and
  health state under ``{root}/{line}/...``); ``mqtt_link``: the MQTT connection keys and
  client every MQTT user shares (``MqttSettings``, ``read_mqtt_settings``,
  ``connect_client``);
- ``config``: the ``mes:`` section (targets, their common keys; each kind reads its own)
  and its ``file:line`` checks;
- ``delivery``: one target's worker (live and backlog lanes, durable cursor, quarantine,
  backoff); ``schema``: its tables (migration component ``mes``);
- ``service``: ``Mes``, the workers' figures, the released orders refused, and what a
  supervisor does with refused events (retry, discard, export);
- ``orders_in``: what an order source is (``OrderSource``; ``ORDER_SOURCES`` per kind)
  and the HTTP one (``GET /orders`` with ETags); ``orders_pg``: the PostgreSQL one (a
  ``released_orders`` table); ``orders_mqtt``: the MQTT one (retained job orders under
  ``{root}/{line}/orders/released/``); ``intake``: released orders checked into
  the line's queue, revised, withdrawn or refused and reported (``mes_orders_in``);
- ``audit_head``: the audit chain's head sent upstream, and a trail checked against it;
- ``capability``: plugs the service into the runtime (system tags, health);
- ``console``: ``hmi mes status|retry|discard|export|orders``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .capability import HEALTH_TAG, MesCapability, target_tag
from .config import MesConfig, TargetConfig, mes_problems, read_mes
from .delivery import Status
from .intake import RefusedOrder
from .service import DISCARD, EXPORT, RETRY, Mes, MesError, Quarantined, RetryResult
from .sparkplug_payload import DataType as SparkplugType
from .sparkplug_payload import Metric as SparkplugMetric
from .sparkplug_payload import Payload as SparkplugPayload
from .sparkplug_payload import decode as decode_sparkplug
from .sparkplug_payload import encode as encode_sparkplug
from .sparkplug_payload import typed as sparkplug_typed
from .target import COMMON_KEYS, TARGET_KINDS, Outcome, Target, TargetError

if TYPE_CHECKING:
    from .mqtt_link import MqttSettings, connect_client, read_mqtt_settings

# Loaded at first use, so a project without an MQTT target or driver never loads paho
_LAZY = {name: ".mqtt_link" for name in ("MqttSettings", "connect_client", "read_mqtt_settings")}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "COMMON_KEYS",
    "DISCARD",
    "EXPORT",
    "HEALTH_TAG",
    "RETRY",
    "TARGET_KINDS",
    "Mes",
    "MesCapability",
    "MesConfig",
    "MesError",
    "MqttSettings",
    "Outcome",
    "Quarantined",
    "RefusedOrder",
    "RetryResult",
    "SparkplugMetric",
    "SparkplugPayload",
    "SparkplugType",
    "Status",
    "Target",
    "TargetConfig",
    "TargetError",
    "connect_client",
    "decode_sparkplug",
    "encode_sparkplug",
    "mes_problems",
    "read_mes",
    "read_mqtt_settings",
    "sparkplug_typed",
    "target_tag",
]
