"""What a loaded screen is: symbols with checked properties, screens, and the display
hierarchy over them. Plain frozen data; the renderer never sees a raw YAML value."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..project.models import Source
from .catalogue import SYMBOL_TYPES

DESIGN_SIZE = (1920.0, 960.0)
LEVELS = {1: "plant overview", 2: "line", 3: "unit", 4: "detail"}
DEVICE_TAG_PREFIX = "_sys.device."
NO_SOURCE = Source("")


@dataclass(frozen=True, slots=True)
class Limit:
    value: float
    priority: int


@dataclass(frozen=True, slots=True)
class StateStyle:
    """How one value of a multi-state tag is shown."""

    text: str
    priority: int = 0  # 0 = normal; 1..4 = an abnormal state of that alarm priority
    filled: bool = False


@dataclass(frozen=True)
class SymbolDef:
    type: str
    props: dict[str, Any]
    source: Source = NO_SOURCE

    @property
    def at(self) -> tuple[float, float]:
        return self.props.get("at") or (0.0, 0.0)

    @property
    def size(self) -> tuple[float, float]:
        return self.props.get("size") or SYMBOL_TYPES[self.type].size

    @property
    def tag(self) -> str | None:
        return self.props.get("tag")

    @property
    def tags(self) -> list[str]:
        """Every tag the symbol shows, main tag first."""
        spec = SYMBOL_TYPES[self.type]
        names = [
            self.props[k] for k, p in spec.props.items() if p.kind == "tag" and self.props.get(k)
        ]
        device = self.props.get("device")
        if device:
            names.append(DEVICE_TAG_PREFIX + device)
        return names


@dataclass(frozen=True)
class ScreenDef:
    name: str
    title: str
    symbols: tuple[SymbolDef, ...]
    level: int = 2
    parent: str | None = None
    line: str = ""
    size: tuple[float, float] = DESIGN_SIZE
    background: Path | None = None
    source: Source = NO_SOURCE
    #: the same screen laid out for a station (``touch``, ``desk``): ``NAME.touch.yaml``
    variants: dict[str, ScreenDef] = field(default_factory=dict)

    @property
    def tags(self) -> set[str]:
        return {name for s in self.symbols for name in s.tags}

    def for_station(self, station: str) -> ScreenDef:
        """This screen as laid out for ``station``: its variant, else itself."""
        return self.variants.get(station, self)


@dataclass
class Screens:
    """Every screen of a project, in file order, and the display hierarchy over them."""

    by_name: dict[str, ScreenDef] = field(default_factory=dict)

    def __iter__(self) -> Iterator[ScreenDef]:
        return iter(self.by_name.values())

    def __len__(self) -> int:
        return len(self.by_name)

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    def get(self, name: str | None) -> ScreenDef | None:
        return self.by_name.get(name) if name else None

    @property
    def home(self) -> ScreenDef | None:
        """The first level-1 screen, else the first screen."""
        tops = [s for s in self if s.level == 1]
        return tops[0] if tops else next(iter(self), None)

    def children(self, name: str) -> list[ScreenDef]:
        return [s for s in self if s.parent == name]

    def path_to(self, name: str) -> list[ScreenDef]:
        """The chain from the top of the hierarchy down to ``name``."""
        chain: list[ScreenDef] = []
        screen = self.get(name)
        while screen is not None and screen not in chain:
            chain.insert(0, screen)
            screen = self.get(screen.parent)
        return chain
