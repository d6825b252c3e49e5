"""The plant-wide view (no Qt): every line's state as its station publishes it to the
plant's MQTT broker in the Unified Namespace, for the supervisor station.

- ``config``: the ``fleet:`` section (broker, roots, the lines' names and screens) and
  its ``file:line`` checks;
- ``lines``: ``LineState``, a line as the fleet knows it; ``payloads``: what a station
  publishes, read into one; ``model``: ``FleetModel``, every line from the topics;
- ``link``: the subscription to the broker; ``simulation``: a plant of simulated lines
  for the demo (``broker: simulated``); ``local``: the station's own lines from its own
  values (``local:``);
- ``service``: ``Fleet``, what the views read; ``capability``: plugs it in.
"""

from __future__ import annotations

from .capability import HEALTH_TAG, FleetCapability, counts, fleet_tag
from .config import FleetConfig, fleet_problems, read_fleet
from .lines import IDLE, OFFLINE, RUNNING, STOPPED, UNKNOWN, Alarm, LineState, Naming, Order
from .model import FleetModel
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
