"""The symbol catalogue: every kind of symbol a screen may place, and what it accepts.

Data shared by the screen checker and the renderer, so a property the renderer draws is
always one the checker knows, with the same default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..project.limits import DECIMALS, FONT_SIZE

PRIORITIES = {1: "critical", 2: "high", 3: "medium", 4: "low"}
LIMIT_KEYS = ("lolo", "lo", "hi", "hihi")
DEFAULT_LIMIT_PRIORITY = {"lolo": 2, "lo": 3, "hi": 3, "hihi": 2}
#: what replaced a property a screen file may still have; ``hmi check`` says so
DEPRECATED = {
    "limits": "the alarm limits come from the 'alarms:' section of the project; remove them here",
    "alarm_priority": "the priority comes from the alarm on 'alarm_tag' in the 'alarms:' "
    "section; remove it here",
}
FORMATS = ("number", "id")  # id: digits as written (die, alloy, order), never grouped

#: units a symbol can convert a tag's value to: unit -> (quantity, size in its base unit)
UNITS: dict[str, tuple[str, float]] = {
    **{u: ("length", f) for u, f in (("mm", 1e-3), ("cm", 1e-2), ("m", 1.0), ("km", 1e3))},
    **{u: ("mass", f) for u, f in (("g", 1e-3), ("kg", 1.0), ("t", 1e3))},
    **{u: ("time", f) for u, f in (("ms", 1e-3), ("s", 1.0), ("min", 60.0), ("h", 3600.0))},
    **{u: ("energy", f) for u, f in (("Wh", 1.0), ("kWh", 1e3), ("MWh", 1e6), ("GWh", 1e9))},
    **{u: ("volume", f) for u, f in (("ml", 1e-3), ("l", 1.0), ("hl", 100.0), ("m³", 1e3))},
    **{u: ("pressure", f) for u, f in (("Pa", 1.0), ("kPa", 1e3), ("bar", 1e5), ("MPa", 1e6))},
}


def unit_factor(source: str, shown: str) -> float | None:
    """What a value in ``source`` units is multiplied by to read in ``shown`` units; None
    when either is unknown or they measure different things."""
    a, b = UNITS.get(source.strip()), UNITS.get(shown.strip())
    if a is None or b is None or a[0] != b[0]:
        return None
    return a[1] / b[1]


@dataclass(frozen=True, slots=True)
class Prop:
    """One property a symbol accepts: its kind decides how it is checked and normalised."""

    kind: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    help: str = ""
    within: tuple[float, float] | None = None  # the sane range of a number


@dataclass(frozen=True, slots=True)
class SymbolType:
    name: str
    props: dict[str, Prop]
    size: tuple[float, float]
    interactive: bool = False
    help: str = ""


_COMMON = {
    "at": Prop("point", help="[x, y] of the top-left corner in design units"),
    "size": Prop("size", help="[width, height] in design units"),
    "label": Prop("text", default=""),
    "alarm_tag": Prop(
        "tag", help="a tag whose alarms (from the 'alarms:' section) the symbol shows too"
    ),
    "alarm_priority": Prop("deprecated", help=DEPRECATED["alarm_priority"]),
    "faceplate": Prop("screen", help="a detail screen to open instead of the tag faceplate"),
}
_ON = {"on_values": Prop("list", help="values of the tag that mean running/open")}
_SCALE = {
    "range": Prop("range", help="[low, high] of the scale; default: the tag's range"),
    "normal": Prop("range", help="[low, high] of the normal operating band"),
    "limits": Prop("deprecated", help=DEPRECATED["limits"]),
}
_ORIENT = {"orientation": Prop("choice", default="horizontal", choices=("horizontal", "vertical"))}


def _type(
    name: str,
    size: tuple[float, float],
    props: dict[str, Prop],
    *,
    interactive: bool = False,
    help: str = "",
) -> SymbolType:
    return SymbolType(name, {**_COMMON, **props}, size, interactive, help)


_TAG = Prop("tag", required=True)
_DECIMALS = Prop("int", within=(DECIMALS.lowest, DECIMALS.highest))
SYMBOL_TYPES: dict[str, SymbolType] = {
    t.name: t
    for t in (
        _type("tank", (140, 220), {"tag": _TAG, **_SCALE}, help="vessel with its level"),
        _type(
            "pipe",
            (0, 0),
            {
                "points": Prop("points", required=True),
                "tag": Prop("tag"),
                "flow_above": Prop("number", default=0.0),
                "width": Prop("number", default=8.0, within=(0.1, 1000.0)),
            },
            help="a line between points; thick and filled while the tag shows flow",
        ),
        _type("valve", (60, 60), {"tag": _TAG, **_ON, **_ORIENT}),
        _type("pump", (80, 80), {"tag": _TAG, **_ON}),
        _type("motor", (80, 80), {"tag": _TAG, **_ON}),
        _type("conveyor", (240, 50), {"tag": _TAG, **_ON}),
        _type("press", (200, 140), {"tag": _TAG, **_ON}),
        _type("analog", (300, 110), {"tag": _TAG, **_SCALE, **_ORIENT, "decimals": _DECIMALS}),
        _type("bar", (60, 220), {"tag": _TAG, **_SCALE, **_ORIENT, "decimals": _DECIMALS}),
        _type(
            "value",
            (220, 70),
            {
                "tag": _TAG,
                "decimals": _DECIMALS,
                "units": Prop("text", help="shown units; a tag's mm shows as m or km, s as h"),
                "scale": Prop("number", help="multiplies the value, for units not known"),
                "format": Prop("choice", default="number", choices=FORMATS),
                "enum": Prop("enum", help="a table of the 'enums:' section: codes as text"),
                "idle_when": Prop("expr", help="an expression; while true the value shows —"),
                "limits": _SCALE["limits"],
            },
        ),
        _type(
            "state",
            (220, 70),
            {
                "tag": _TAG,
                "states": Prop("states", help="value -> text or {text, filled}"),
                "enum": Prop("enum", help="a table of the 'enums:' section: the state's words"),
            },
            help="a state in words: from 'states:', else from 'enum:'",
        ),
        _type("setpoint", (220, 70), {"tag": _TAG, "decimals": _DECIMALS}, interactive=True),
        _type(
            "command",
            (180, 70),
            {"tag": _TAG, "value": Prop("any", default=True), "confirm": Prop("text")},
            interactive=True,
        ),
        _type("nav", (240, 70), {"target": Prop("screen", required=True)}, interactive=True),
        _type(
            "sparkline",
            (300, 90),
            {
                "tag": _TAG,
                "seconds": Prop("number", default=60.0, within=(1.0, 86400.0)),
                "range": _SCALE["range"],
                "normal": _SCALE["normal"],
            },
        ),
        _type(
            "text",
            (300, 40),
            {
                "text": Prop("text", required=True),
                "font_size": Prop("number", default=22.0, within=FONT_SIZE),
                "align": Prop("choice", default="left", choices=("left", "center", "right")),
            },
        ),
        _type("frame", (400, 300), {}, help="a titled area grouping symbols"),
        _type(
            "device",
            (240, 60),
            {"device": Prop("device", required=True)},
            help="a device's connection state",
        ),
    )
}
