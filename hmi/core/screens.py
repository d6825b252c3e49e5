"""Screen files: declarative YAML that a plant engineer writes, validated into typed models.

A screen file places symbols at coordinates in a fixed design space (default 1920 x 960
logical units), so the renderer can scale it to any window without distorting it::

    screen:
      name: line1_press            # default: the file name
      title: Line 1 - Extrusion press
      level: 2                     # 1 plant overview, 2 line, 3 unit, 4 detail
      parent: overview             # where "up" leads
      line: line1
      background: press.svg        # optional, next to the file
    symbols:
      - type: analog
        at: [100, 200]
        tag: line1.billet_temp
        normal: [460, 500]
        limits: {hi: 510, hihi: 520}
      - use: station               # a template, placed with its macros filled in
        at: [600, 200]
        with: {unit: puller}
    templates:
      station:
        symbols:
          - {type: motor, at: [0, 0], tag: "line1.{unit}_running", label: "{unit}"}

A screen with ``instances: [{line: line1}, {line: line2}]`` is itself a template: one screen
is made per entry, with ``{line}`` replaced everywhere. Everything here is data; no Qt.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .paths import demo_project_dir, install_root
from .project.models import Problem, Project, Source
from .project.yamlsrc import YamlSyntaxError, YList, YMap, line_of, read_yaml_file

DESIGN_SIZE = (1920.0, 960.0)
LEVELS = {1: "plant overview", 2: "line", 3: "unit", 4: "detail"}
PRIORITIES = {1: "critical", 2: "high", 3: "medium", 4: "low"}
LIMIT_KEYS = ("lolo", "lo", "hi", "hihi")
DEFAULT_LIMIT_PRIORITY = {"lolo": 2, "lo": 3, "hi": 3, "hihi": 2}
DEVICE_TAG_PREFIX = "_sys.device."
MAX_TEMPLATE_DEPTH = 6
NO_SOURCE = Source("")
_MACRO = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


# -- the symbol catalogue (data, shared by the checker and the renderer) -----------------


@dataclass(frozen=True, slots=True)
class Prop:
    """One property a symbol accepts: its kind decides how it is checked and normalised."""

    kind: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    help: str = ""


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
                "width": Prop("number", default=8.0),
            },
            help="a line between points; thick and filled while the tag shows flow",
        ),
        _type("valve", (60, 60), {"tag": _TAG, **_ON, **_ORIENT}),
        _type("pump", (80, 80), {"tag": _TAG, **_ON}),
        _type("motor", (80, 80), {"tag": _TAG, **_ON}),
        _type("conveyor", (240, 50), {"tag": _TAG, **_ON}),
        _type("press", (200, 140), {"tag": _TAG, **_ON}),
        _type("analog", (300, 110), {"tag": _TAG, **_SCALE, **_ORIENT, "decimals": Prop("int")}),
        _type("bar", (60, 220), {"tag": _TAG, **_SCALE, **_ORIENT, "decimals": Prop("int")}),
        _type(
            "value",
            (220, 70),
            {
                "tag": _TAG,
                "decimals": Prop("int"),
                "units": Prop("text"),
                "limits": _SCALE["limits"],
            },
        ),
        _type("state", (220, 70), {"tag": _TAG, "states": Prop("states", required=True)}),
        _type("setpoint", (220, 70), {"tag": _TAG, "decimals": Prop("int")}, interactive=True),
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
                "seconds": Prop("number", default=60.0),
                "range": _SCALE["range"],
                "normal": _SCALE["normal"],
            },
        ),
        _type(
            "text",
            (300, 40),
            {
                "text": Prop("text", required=True),
                "font_size": Prop("number", default=22.0),
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


# -- models -------------------------------------------------------------------------------


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

    @property
    def tags(self) -> set[str]:
        return {name for s in self.symbols for name in s.tags}


@dataclass
class Screens:
    """Every screen of a project, in file order, and the display hierarchy over them."""

    by_name: dict[str, ScreenDef] = field(default_factory=dict)

    def __iter__(self):
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


# -- loading --------------------------------------------------------------------------------


def did_you_mean(word: str, known: Iterable[str], what: str, listed: int = 12) -> str:
    """A hint for a misspelt name: the closest known one, else the known ones if few."""
    known = sorted(set(known))
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if len(known) <= listed:
        return f"the {what} are {', '.join(known)}" if known else f"there are no {what}"
    return f"see the list of {what}"


def load_screens(folder: str | Path, project: Project) -> tuple[Screens, list[Problem]]:
    """Every ``*.yaml`` screen in ``folder``, checked against ``project``.

    A symbol with a problem is left out and reported; the rest of its screen still loads,
    so one typo never blanks a whole screen.
    """
    loader = _Loader(project)
    root = Path(folder)
    if not root.is_dir():
        return Screens(), [Problem(Source(str(root)), "screen folder not found")]
    files = sorted([*root.glob("*.yaml"), *root.glob("*.yml")])
    docs = [(path, loader.read(path)) for path in files]
    for path, doc in docs:
        if doc is not None:
            loader.collect_templates(path, doc)
    for path, doc in docs:
        if doc is not None:
            loader.build_screens(path, doc)
    loader.check_links()
    return Screens(loader.screens), loader.problems


class _Loader:
    def __init__(self, project: Project):
        self.project = project
        self.problems: list[Problem] = []
        self.templates: dict[str, tuple[YMap, Source]] = {}
        self.screens: dict[str, ScreenDef] = {}
        self.links: list[tuple[str, str, Source]] = []  # (kind, screen name, where)

    def problem(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(Source(self.shown(file), line), message))

    def shown(self, file: str | Path) -> str:
        """A screen file as the engineer knows it: relative to the project, if inside it."""
        if not Path(file).is_absolute():
            return str(file)
        try:
            return Path(file).resolve().relative_to(Path(self.project.root).resolve()).as_posix()
        except (ValueError, OSError):
            return str(file)

    def read(self, path: Path) -> YMap | None:
        try:
            doc = read_yaml_file(path)
        except YamlSyntaxError as exc:
            self.problem(str(path), exc.line, exc.message)
            return None
        except OSError as exc:
            self.problem(str(path), 0, f"cannot read the file: {exc.strerror or exc}")
            return None
        if doc is None:
            self.problem(str(path), 0, "the file is empty")
            return None
        if not isinstance(doc, YMap):
            self.problem(
                str(path),
                line_of(doc, default=1),
                "a screen file is a mapping with 'screen:' and 'symbols:' (and/or 'templates:')",
            )
            return None
        for key in doc:
            if key not in ("screen", "symbols", "templates"):
                hint = did_you_mean(str(key), ("screen", "symbols", "templates"), "sections")
                self.problem(str(path), line_of(doc, key), f"unknown section '{key}'; {hint}")
        return doc

    # -- templates ---------------------------------------------------------------------

    def collect_templates(self, path: Path, doc: YMap) -> None:
        templates = doc.get("templates")
        if templates is None:
            return
        file = self.shown(path)
        if not isinstance(templates, YMap):
            self.problem(
                file,
                line_of(doc, "templates"),
                "'templates' is a mapping of name -> {symbols: [...]}",
            )
            return
        for name, body in templates.items():
            line = line_of(templates, name)
            if not isinstance(body, YMap) or not isinstance(body.get("symbols"), YList):
                self.problem(file, line, f"template '{name}' needs a 'symbols:' list")
                continue
            for key in body:
                if key not in ("symbols", "params", "description"):
                    self.problem(
                        file,
                        line_of(body, key),
                        f"template '{name}': unknown key "
                        f"'{key}'; {did_you_mean(str(key), ('symbols', 'params'), 'keys')}",
                    )
            if name in self.templates:
                self.problem(
                    file,
                    line,
                    f"template '{name}' is defined twice (first at {self.templates[name][1]})",
                )
                continue
            self.templates[str(name)] = (body, Source(file, line))

    # -- screens -----------------------------------------------------------------------

    def build_screens(self, path: Path, doc: YMap) -> None:
        file = self.shown(path)
        head = doc.get("screen", YMap())
        symbols = doc.get("symbols")
        if "screen" not in doc and "symbols" not in doc:
            return  # a file of templates only
        if not isinstance(head, YMap):
            self.problem(file, line_of(doc, "screen"), "'screen' is a mapping (name, title, ...)")
            return
        if symbols is None:
            symbols = YList([], line_of(doc, "screen"))
        if not isinstance(symbols, YList):
            self.problem(file, line_of(doc, "symbols"), "'symbols' is a list")
            return
        instances = head.get("instances")
        if instances is None:
            self.build_screen(path, head, symbols, {})
            return
        if not isinstance(instances, YList) or not all(isinstance(i, YMap) for i in instances):
            self.problem(
                file,
                line_of(head, "instances"),
                "'instances' is a list of macro values, e.g. [{line: line1}, {line: line2}]",
            )
            return
        for instance in instances:
            macros = {str(k): _scalar_text(v) for k, v in instance.items()}
            self.build_screen(path, head, symbols, macros)

    def build_screen(self, path: Path, head: YMap, symbols: YList, macros: dict[str, str]) -> None:
        file = self.shown(path)
        known = {"name", "title", "level", "parent", "line", "size", "background", "instances"}
        for key in head:
            if key not in known:
                self.problem(
                    file,
                    line_of(head, key),
                    f"unknown screen property '{key}'; "
                    f"{did_you_mean(str(key), known, 'properties')}",
                )
        head = self.expand(file, head, macros)
        name = str(head.get("name") or path.stem)
        line = head.line or 1
        where = Source(file, line)
        if name in self.screens:
            self.problem(
                file,
                line,
                f"screen '{name}' is defined twice (first at {self.screens[name].source})",
            )
            return
        level = head.get("level", 2)
        if level not in LEVELS:
            self.problem(
                file,
                line_of(head, "level"),
                f"level must be 1 to 4 ({', '.join(f'{k} {v}' for k, v in LEVELS.items())})",
            )
            level = 2
        size = DESIGN_SIZE
        if "size" in head:
            checked = self.check_value(
                file, line_of(head, "size"), "size", Prop("size"), head["size"]
            )
            size = checked if checked is not None else DESIGN_SIZE
        background = None
        if head.get("background"):
            background = path.parent / str(head["background"])
            if not background.is_file():
                self.problem(
                    file,
                    line_of(head, "background"),
                    f"background '{head['background']}' not found next to the screen file",
                )
                background = None
        line_id = str(head.get("line") or "")
        if line_id and self.project.lines and line_id not in self.project.lines:
            self.problem(
                file,
                line_of(head, "line"),
                f"unknown line '{line_id}'; {did_you_mean(line_id, self.project.lines, 'lines')}",
            )
        parent = head.get("parent")
        if parent is not None:
            self.links.append(("parent", str(parent), Source(file, line_of(head, "parent"))))
        items: list[SymbolDef] = []
        self.add_symbols(file, symbols, macros, (0.0, 0.0), items, depth=0)
        for symbol in items:
            self.check_bounds(symbol, size)
        self.screens[name] = ScreenDef(
            name=name,
            title=str(head.get("title") or name),
            symbols=tuple(items),
            level=level,
            parent=str(parent) if parent is not None else None,
            line=line_id,
            size=size,
            background=background,
            source=where,
        )

    def add_symbols(
        self,
        file: str,
        symbols: YList,
        macros: dict[str, str],
        offset: tuple[float, float],
        out: list[SymbolDef],
        depth: int,
    ) -> None:
        for index, raw in enumerate(symbols):
            line = line_of(symbols, index)
            if not isinstance(raw, YMap):
                self.problem(
                    file, line, "a symbol is a mapping like {type: tank, at: [x, y], tag: ...}"
                )
                continue
            if "use" in raw:
                self.add_group(file, raw, macros, offset, out, depth)
                continue
            symbol = self.symbol(file, self.expand(file, raw, macros), offset)
            if symbol is not None:
                out.append(symbol)

    def add_group(
        self,
        file: str,
        raw: YMap,
        macros: dict[str, str],
        offset: tuple[float, float],
        out: list[SymbolDef],
        depth: int,
    ) -> None:
        line = raw.line
        for key in raw:
            if key not in ("use", "at", "with"):
                self.problem(
                    file,
                    line_of(raw, key),
                    f"a template use takes 'use', 'at' and 'with', not '{key}'",
                )
        name = str(raw["use"])
        template = self.templates.get(name)
        if template is None:
            self.problem(
                file,
                line,
                f"unknown template '{name}'; {did_you_mean(name, self.templates, 'templates')}",
            )
            return
        if depth >= MAX_TEMPLATE_DEPTH:
            self.problem(
                file,
                line,
                f"template '{name}' uses templates more than "
                f"{MAX_TEMPLATE_DEPTH} deep (does it use itself?)",
            )
            return
        values = raw.get("with", YMap())
        if not isinstance(values, YMap):
            self.problem(file, line_of(raw, "with"), "'with' is a mapping of macro values")
            return
        inner = {
            **macros,
            **{str(k): _scalar_text(self.expand(file, v, macros)) for k, v in values.items()},
        }
        body, source = template
        params = body.get("params")
        if isinstance(params, YList):
            missing = [str(p) for p in params if str(p) not in inner]
            if missing:
                self.problem(file, line, f"template '{name}' needs {', '.join(missing)} in 'with'")
                return
        at = self.check_value(file, line_of(raw, "at"), "at", Prop("point"), raw.get("at", [0, 0]))
        if at is None:
            return
        before = len(out)
        self.add_symbols(
            source.file,
            body["symbols"],
            inner,
            (offset[0] + at[0], offset[1] + at[1]),
            out,
            depth + 1,
        )
        for i in range(before, len(out)):  # report where the template was used
            out[i] = SymbolDef(out[i].type, out[i].props, Source(file, line))

    def expand(self, file: str, node: Any, macros: dict[str, str]) -> Any:
        """``node`` with every ``{macro}`` in its strings replaced; unknown macros reported."""
        if isinstance(node, str):

            def sub(match: re.Match[str]) -> str:
                key = match.group(1)
                if key in macros:
                    return macros[key]
                self.problem(
                    file,
                    0,
                    f"unknown macro {{{key}}} in '{node}'; {did_you_mean(key, macros, 'macros')}",
                )
                return match.group(0)

            return _MACRO.sub(sub, node) if "{" in node else node
        if isinstance(node, YMap):
            out = YMap(node.line)
            out.key_lines = node.key_lines
            before = len(self.problems)
            for key, value in node.items():
                out[key] = self.expand(file, value, macros)
                for i in range(before, len(self.problems)):  # give macro problems their line
                    p = self.problems[i]
                    if p.source.line == 0 and p.source.file == file:
                        self.problems[i] = Problem(Source(file, line_of(node, key)), p.message)
            return out
        if isinstance(node, YList):
            return YList([self.expand(file, v, macros) for v in node], node.line, node.item_lines)
        return node

    # -- one symbol ----------------------------------------------------------------------

    def symbol(self, file: str, raw: YMap, offset: tuple[float, float]) -> SymbolDef | None:
        line = raw.line
        type_name = raw.get("type")
        if type_name is None:
            self.problem(
                file,
                line,
                "symbol without 'type' (or 'use' for a template); "
                f"the types are {', '.join(SYMBOL_TYPES)}",
            )
            return None
        spec = SYMBOL_TYPES.get(str(type_name))
        if spec is None:
            self.problem(
                file,
                line_of(raw, "type"),
                f"unknown symbol type '{type_name}'; "
                f"{did_you_mean(str(type_name), SYMBOL_TYPES, 'symbol types')}",
            )
            return None
        before = len(self.problems)
        props: dict[str, Any] = {}
        for key, value in raw.items():
            if key == "type":
                continue
            prop = spec.props.get(key)
            if prop is None:
                self.problem(
                    file,
                    line_of(raw, key),
                    f"{spec.name}: unknown property '{key}'; "
                    f"{did_you_mean(str(key), spec.props, 'properties of ' + spec.name, 24)}",
                )
                continue
            checked = self.check_value(file, line_of(raw, key), f"{spec.name}: {key}", prop, value)
            if checked is not None:
                props[key] = checked
        for key, prop in spec.props.items():
            if key in props:
                continue
            if prop.required or (key == "at" and spec.name != "pipe"):
                if key not in raw:
                    self.problem(
                        file,
                        line,
                        f"{spec.name}: missing required property '{key}'"
                        + (f" ({prop.help})" if prop.help else ""),
                    )
            elif prop.default is not None:
                props[key] = prop.default
        if len(self.problems) > before:
            return None
        self.check_meaning(file, raw, spec, props)
        if len(self.problems) > before:
            return None
        dx, dy = offset
        if "at" in props:
            props["at"] = (props["at"][0] + dx, props["at"][1] + dy)
        if "points" in props:
            props["points"] = tuple((x + dx, y + dy) for x, y in props["points"])
        props.setdefault("size", spec.size)
        for key, prop in spec.props.items():  # checked once every screen is known
            if prop.kind == "screen" and props.get(key):
                self.links.append((key, props[key], Source(file, line_of(raw, key))))
        return SymbolDef(spec.name, props, Source(file, line))

    def check_meaning(self, file: str, raw: YMap, spec: SymbolType, props: dict[str, Any]) -> None:
        """Checks that need more than one property, or the tag's configuration."""
        tag = self.project.tags.get(props.get("tag", ""))
        if spec.name in ("setpoint", "command") and tag is not None and not tag.writable:
            self.problem(
                file,
                line_of(raw, "tag"),
                f"{spec.name}: tag '{tag.name}' is read-only; a {spec.name} needs a writable tag",
            )
        scaled = spec.name in ("analog", "bar", "tank")
        if scaled and "range" not in props and tag is not None and tag.eng_range is None:
            self.problem(
                file,
                line_of(raw, "tag"),
                f"{spec.name}: tag '{tag.name}' has no "
                "range; give the scale as 'range: [low, high]'",
            )
        rng = props.get("range") or (tag.eng_range if tag is not None else None)
        if rng is not None:
            lo, hi = rng
            for key in ("normal",):
                band = props.get(key)
                if band and (band[0] < lo or band[1] > hi):
                    self.problem(
                        file,
                        line_of(raw, key),
                        f"{spec.name}: the {key} band {list(band)} "
                        f"lies outside the scale [{lo:g}, {hi:g}]",
                    )
        limits = props.get("limits") or {}
        ordered = [limits[k].value for k in LIMIT_KEYS if k in limits]
        if ordered != sorted(ordered):
            self.problem(
                file,
                line_of(raw, "limits"),
                f"{spec.name}: limits must rise in the order lolo < lo < hi < hihi",
            )

    def check_value(self, file: str, line: int, what: str, prop: Prop, value: Any) -> Any:
        """The normalised value, or None after reporting why it is wrong."""
        try:
            return _CHECKERS[prop.kind](self, prop, value)
        except _Bad as exc:
            self.problem(file, line, f"{what}: {exc}")
            return None

    def check_bounds(self, symbol: SymbolDef, size: tuple[float, float]) -> None:
        points = list(symbol.props.get("points", ()))
        if "at" in symbol.props:
            x, y = symbol.at
            w, h = symbol.size
            points += [(x, y), (x + w, y + h)]
        for x, y in points:
            if not (-1 <= x <= size[0] + 1 and -1 <= y <= size[1] + 1):
                self.problems.append(
                    Problem(
                        symbol.source,
                        f"{symbol.type} reaches ({x:g}, {y:g}), "
                        f"outside the {size[0]:g} x {size[1]:g} design area",
                    )
                )
                return

    def check_links(self) -> None:
        for kind, name, where in self.links:
            if name not in self.screens:
                self.problems.append(
                    Problem(
                        where,
                        f"{kind}: unknown screen '{name}'; "
                        f"{did_you_mean(name, self.screens, 'screens')}",
                    )
                )


# -- value checkers -------------------------------------------------------------------------


class _Bad(ValueError):
    pass


def _number(value: Any, what: str = "a number") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(f"expected {what}, got {value!r}")
    return float(value)


def _pair(value: Any, what: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise _Bad(f"expected {what}, got {value!r}")
    return _number(value[0], what), _number(value[1], what)


def _check_tag(loader: _Loader, prop: Prop, value: Any) -> str:
    name = str(value)
    if name in loader.project.tags:
        return name
    if (
        name.startswith(DEVICE_TAG_PREFIX)
        and name[len(DEVICE_TAG_PREFIX) :] in loader.project.devices
    ):
        return name
    raise _Bad(f"unknown tag '{name}'; {did_you_mean(name, loader.project.tags, 'tags')}")


def _check_device(loader: _Loader, prop: Prop, value: Any) -> str:
    name = str(value)
    if name not in loader.project.devices:
        raise _Bad(
            f"unknown device '{name}'; {did_you_mean(name, loader.project.devices, 'devices')}"
        )
    return name


def _check_size(loader: _Loader, prop: Prop, value: Any) -> tuple[float, float]:
    w, h = _pair(value, "[width, height]")
    if w <= 0 or h <= 0:
        raise _Bad(f"width and height must be above 0, got {list(value)}")
    return w, h


def _check_range(loader: _Loader, prop: Prop, value: Any) -> tuple[float, float]:
    lo, hi = _pair(value, "[low, high]")
    if lo >= hi:
        raise _Bad(f"low must be below high, got {list(value)}")
    return lo, hi


def _check_points(loader: _Loader, prop: Prop, value: Any) -> tuple[tuple[float, float], ...]:
    if not isinstance(value, list) or len(value) < 2:
        raise _Bad("expected a list of at least two [x, y] points")
    return tuple(_pair(p, "[x, y]") for p in value)


def _check_priority(loader: _Loader, prop: Prop, value: Any) -> int:
    if value not in PRIORITIES or isinstance(value, bool):
        raise _Bad(f"priority is 1 to 4 ({', '.join(f'{k} {v}' for k, v in PRIORITIES.items())})")
    return int(value)


def _check_limits(loader: _Loader, prop: Prop, value: Any) -> dict[str, Limit]:
    if not isinstance(value, dict) or not value:
        raise _Bad("expected a mapping like {hi: 500, hihi: 520}")
    out: dict[str, Limit] = {}
    for key, item in value.items():
        if key not in LIMIT_KEYS:
            raise _Bad(f"unknown limit '{key}'; {did_you_mean(str(key), LIMIT_KEYS, 'limits')}")
        if isinstance(item, dict):
            unknown = set(item) - {"value", "priority"}
            if unknown or "value" not in item:
                raise _Bad(f"limit '{key}' is a number or {{value: N, priority: 1..4}}")
            priority = _check_priority(
                loader, prop, item.get("priority", DEFAULT_LIMIT_PRIORITY[key])
            )
            out[key] = Limit(_number(item["value"]), priority)
        else:
            out[key] = Limit(
                _number(item, f"a number for limit '{key}'"), DEFAULT_LIMIT_PRIORITY[key]
            )
    return out


def _check_states(loader: _Loader, prop: Prop, value: Any) -> dict[Any, StateStyle]:
    if not isinstance(value, dict) or not value:
        raise _Bad(
            "expected a mapping of value -> text, e.g. {0: Stopped, 2: {text: Running, "
            "filled: true}, 3: {text: Fault, priority: 1}}"
        )
    out: dict[Any, StateStyle] = {}
    for key, item in value.items():
        if isinstance(item, dict):
            unknown = set(item) - {"text", "priority", "filled"}
            if unknown:
                bad = sorted(map(str, unknown))[0]
                raise _Bad(
                    f"state {key}: unknown key '{bad}'; "
                    f"{did_you_mean(bad, ('text', 'priority', 'filled'), 'keys')}"
                )
            priority = item.get("priority", 0)
            if priority:
                priority = _check_priority(loader, prop, priority)
            out[key] = StateStyle(str(item.get("text", key)), priority, bool(item.get("filled")))
        else:
            out[key] = StateStyle(str(item))
    return out


def _check_choice(loader: _Loader, prop: Prop, value: Any) -> str:
    if value not in prop.choices:
        raise _Bad(f"'{value}' is not one of {', '.join(prop.choices)}")
    return str(value)


def _check_int(loader: _Loader, prop: Prop, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Bad(f"expected a whole number of 0 or more, got {value!r}")
    return value


def _check_list(loader: _Loader, prop: Prop, value: Any) -> tuple[Any, ...]:
    if not isinstance(value, list) or not value:
        raise _Bad(f"expected a list of values, got {value!r}")
    return tuple(value)


def _check_text(loader: _Loader, prop: Prop, value: Any) -> str:
    if isinstance(value, dict | list):
        raise _Bad("expected text")
    return "" if value is None else str(value)


def _check_plain(loader: _Loader, prop: Prop, value: Any) -> Any:
    if isinstance(value, dict | list):
        raise _Bad("expected a single value")
    return value


_CHECKERS = {
    "tag": _check_tag,
    "device": _check_device,
    "point": lambda loader, prop, v: _pair(v, "[x, y]"),
    "size": _check_size,
    "range": _check_range,
    "points": _check_points,
    "number": lambda loader, prop, v: _number(v),
    "int": _check_int,
    "priority": _check_priority,
    "limits": _check_limits,
    "states": _check_states,
    "choice": _check_choice,
    "list": _check_list,
    "text": _check_text,
    "screen": _check_text,
    "any": _check_plain,
}


def _scalar_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def screens_folder(project: Project) -> Path:
    """The project's screen files: ``screens:`` in project.yaml, else ``screens/`` beside it;
    the shipped demo keeps its screens at the top of the installation."""
    section = project.extra.get("screens")
    configured = getattr(section, "data", section)
    root = Path(project.root)
    if isinstance(configured, str) and configured:
        return (root / configured).resolve()
    local = root / "screens"
    if local.is_dir():
        return local
    try:
        if root.resolve() == demo_project_dir().resolve():
            return install_root() / "screens"
    except OSError:
        pass
    return local
