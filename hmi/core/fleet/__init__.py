"""The plant-wide view (no Qt): every line's state as its station publishes it to the
plant's MQTT broker in the Unified Namespace, for the supervisor station.

- ``config``: the ``fleet:`` section (broker, roots, the lines' names and screens) and
  its ``file:line`` checks;
- ``model``: ``FleetModel``, the lines (``LineState``) from the retained topics;
- ``link``: the subscription to the broker; ``simulation``: a plant of simulated lines
  for the demo (``broker: simulated``);
- ``service``: ``Fleet``, what the views read; ``capability``: plugs it in.
"""

from __future__ import annotations

from .capability import HEALTH_TAG, FleetCapability, counts, fleet_tag
from .config import FleetConfig, fleet_problems, read_fleet
from .model import (
    IDLE,
    OFFLINE,
    RUNNING,
    STOPPED,
    UNKNOWN,
    Alarm,
    FleetModel,
    LineState,
    Naming,
    Order,
)
from .service import Fleet
from .simulation import SimulatedPlant

__all__ = [
    "HEALTH_TAG",
    "IDLE",
    "OFFLINE",
    "RUNNING",
    "STOPPED",
    "UNKNOWN",
    "Alarm",
    "Fleet",
    "FleetCapability",
    "FleetConfig",
    "FleetModel",
    "LineState",
    "Naming",
    "Order",
    "SimulatedPlant",
    "counts",
    "fleet_problems",
    "fleet_tag",
    "read_fleet",
]
