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
    "alarm_tag": Prop("tag", help="a tag that, when true, puts the symbol in alarm"),
    "alarm_priority": Prop("priority", default=2, help="1 critical .. 4 low"),
    "faceplate": Prop("screen", help="a detail screen to open instead of the tag faceplate"),
}
_ON = {"on_values": Prop("list", help="values of the tag that mean running/open")}
_SCALE = {
    "range": Prop("range", help="[low, high] of the scale; default: the tag's range"),
    "normal": Prop("range", help="[low, high] of the normal operating band"),
    "limits": Prop(
        "limits", help="alarm limits {lolo, lo, hi, hihi}: a number or {value, priority}"
    ),
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
                "units": Prop("text"),
                "limits": _SCALE["limits"],
            },
        ),
        _type("state", (220, 70), {"tag": _TAG, "states": Prop("states", required=True)}),
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
