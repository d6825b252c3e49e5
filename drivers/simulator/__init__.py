"""The simulated demo plant: two line models, their protocol servers and an in-process driver.

``SimulatorDriver`` imports no protocol library; ``Plant`` and ``run_plant`` (which serve
the models over Modbus TCP and OPC UA) are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .driver import SimulatorDriver
from .filler import FillerModel
from .press import PressModel
from .signals import MachineState, WriteRefused

if TYPE_CHECKING:
    from .plant import Plant, PlantError, run_plant

__all__ = [
    "FillerModel",
    "MachineState",
    "Plant",
    "PlantError",
    "PressModel",
    "SimulatorDriver",
    "WriteRefused",
    "run_plant",
]


def __getattr__(name: str) -> Any:
    if name in ("Plant", "PlantError", "run_plant"):
        from . import plant

        return getattr(plant, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
