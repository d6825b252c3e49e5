"""The ISA-101 symbol library: one QGraphicsItem class per symbol type of the screen files."""

from __future__ import annotations

from hmi.core.screens import SymbolDef

from .base import Symbol, SymbolContext
from .controls import Command, Frame, Nav, Setpoint, Text
from .equipment import Conveyor, Motor, Pipe, Press, Pump, Tank, Valve
from .indicators import Analog, Bar, Value
from .sparkline import Sparkline
from .states import Device, State

SYMBOL_CLASSES: dict[str, type[Symbol]] = {
    "tank": Tank,
    "pipe": Pipe,
    "valve": Valve,
    "pump": Pump,
    "motor": Motor,
    "conveyor": Conveyor,
    "press": Press,
    "analog": Analog,
    "bar": Bar,
    "value": Value,
    "state": State,
    "setpoint": Setpoint,
    "command": Command,
    "nav": Nav,
    "sparkline": Sparkline,
    "text": Text,
    "frame": Frame,
    "device": Device,
}


def create_symbol(definition: SymbolDef, context: SymbolContext) -> Symbol:
    return SYMBOL_CLASSES[definition.type](definition, context)


__all__ = ["SYMBOL_CLASSES", "Symbol", "SymbolContext", "create_symbol"]
