"""Reading a folder of screen files into checked screens.

Every file is read first and its templates collected, then every screen is built, then
the links between screens (parent, nav targets, faceplates) are checked once all names are
known. A symbol with a problem is left out and reported; the rest of its screen still
loads, so one typo never blanks a whole screen.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..paths import demo_project_dir, install_root
from ..project.limits import SCREEN_SIDE
from ..project.models import Problem, Project, Source
from ..project.problems import cannot_read, read_yaml_source
from ..project.yamlsrc import YList, YMap, line_of
from ..words import did_you_mean
from .catalogue import SYMBOL_TYPES, Prop
from .models import DESIGN_SIZE, LEVELS, ScreenDef, Screens, SymbolDef
from .properties import SymbolFields, bounds_problem, check_meaning
from .templates import Templates, scalar_text
from .variants import attach_variants, screen_stem, split_variants

MAX_TEMPLATE_DEPTH = 6
MAX_SYMBOLS = 10_000  # on one screen, templates expanded; far more than a person can read
MAX_INSTANCES = 100  # screens made from one screen file
FILE_SECTIONS = ("screen", "symbols", "templates")
HEAD_FIELDS = ("name", "title", "level", "parent", "line", "size", "background", "instances")


def load_screens(folder: str | Path, project: Project) -> tuple[Screens, list[Problem]]:
    """Every ``*.yaml`` screen in ``folder``, checked against ``project``."""
    loader = _Loader(project)
    root = Path(folder)
    try:
        if not root.is_dir():
            return Screens(), [Problem(Source(str(root)), "screen folder not found")]
        names = os.listdir(root)
    except OSError as error:
        shown = loader.shown(root)
        return Screens(), [Problem(Source(shown), cannot_read(f"the folder '{shown}'", error))]
    files = sorted(
        root / name for name in names if name.endswith((".yaml", ".yml")) and name[0] != "."
    )
    docs = [(path, loader.read(path)) for path in files]
    for path, doc in docs:
        if doc is not None:
            loader.templates.collect(loader.shown(path), doc)
    screen_docs, variant_docs = split_variants(docs, loader.shown, loader.problem)
    for path, doc in screen_docs:
        loader.build_screens(path, doc)
    attach_variants(loader, variant_docs)
    loader.check_links()
    # a template's own mistake is found at each use, and said once
    return Screens(loader.screens), list(dict.fromkeys(loader.problems))


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


class _Loader:
    def __init__(self, project: Project):
        self.project = project
        self.problems: list[Problem] = []
        self.templates = Templates(self.problems.append)
        self.screens: dict[str, ScreenDef] = {}
        self.links: list[tuple[str, str, Source]] = []  # (kind, screen name, where)
        self.placed = 0  # symbols and template uses met on the screen being built

    def problem(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(Source(file, line), message))

    def fields(self, data: YMap, file: str, label: str = "") -> SymbolFields:
        return SymbolFields(self.problems.append, data, file, data.line, label, self.project)

    def shown(self, file: str | Path) -> str:
        """A screen file as the engineer knows it: relative to the project, if inside it."""
        if not Path(file).is_absolute():
            return str(file)
        try:
            return Path(file).resolve().relative_to(Path(self.project.root).resolve()).as_posix()
        except (ValueError, OSError):
            return str(file)

    def read(self, path: Path) -> YMap | None:
        file = self.shown(path)
        ok, doc = read_yaml_source(path, file, self.problems.append)
        if not ok:
            return None
        if doc is None:
            self.problem(file, 1, "the file is empty; a screen file has 'screen:' and 'symbols:'")
            return None
        if not isinstance(doc, YMap):
            self.problem(
                file,
                line_of(doc, default=1),
                "a screen file is a mapping with 'screen:' and 'symbols:' (and/or 'templates:')",
            )
            return None
        self.fields(doc, file).unknown_keys(FILE_SECTIONS, "sections", "section")
        return doc

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
        if len(instances) > MAX_INSTANCES:
            self.problem(
                file,
                line_of(head, "instances"),
                f"{len(instances)} instances; one screen file makes at most {MAX_INSTANCES}",
            )
            return
        for instance in instances:
            macros = {str(k): scalar_text(v) for k, v in instance.items()}
            self.build_screen(path, head, symbols, macros)

    def build_screen(self, path: Path, head: YMap, symbols: YList, macros: dict[str, str]) -> None:
        file = self.shown(path)
        self.placed = 0
        self.fields(head, file).unknown_keys(HEAD_FIELDS, "properties", "screen property")
        head = self.templates.expand(file, head, macros, head.line)
        name = str(head.get("name") or screen_stem(path))
        line = head.line or 1
        if name in self.screens:
            first = self.screens[name].source
            self.problem(file, line, f"screen '{name}' is defined twice (first at {first})")
            return
        fields = self.fields(head, file)
        levels = ", ".join(f"{k} {v}" for k, v in LEVELS.items())
        level = fields.whole("level", min(LEVELS), max(LEVELS), f"1 to 4 ({levels})") or 2
        size = fields.check("size", Prop("size", within=SCREEN_SIDE)) or DESIGN_SIZE
        background = None
        if head.get("background"):
            background = path.parent / str(head["background"])
            if not background.is_file():
                fields.problem(
                    "background",
                    f"background '{head['background']}' not found next to the screen file",
                )
                background = None
        line_id = str(head.get("line") or "")
        if line_id and self.project.lines and line_id not in self.project.lines:
            hint = did_you_mean(line_id, self.project.lines, "lines")
            fields.problem("line", f"unknown line '{line_id}'; {hint}")
        parent = head.get("parent")
        if parent is not None:
            self.links.append(("parent", str(parent), fields.source("parent")))
        items: list[SymbolDef] = []
        self.add_symbols(file, symbols, macros, (0.0, 0.0), items, depth=0)
        for symbol in items:
            if (problem := bounds_problem(symbol, size)) is not None:
                self.problems.append(problem)
        self.screens[name] = ScreenDef(
            name=name,
            title=str(head.get("title") or name),
            symbols=tuple(items),
            level=level,
            parent=str(parent) if parent is not None else None,
            line=line_id,
            size=size,
            background=background,
            source=Source(file, line),
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
            self.placed += 1
            if self.placed > MAX_SYMBOLS:
                if self.placed == MAX_SYMBOLS + 1:
                    self.problem(
                        file,
                        line,
                        f"more than {MAX_SYMBOLS:,} symbols and template uses on one screen "
                        "(templates counted each time they are used); split the screen",
                    )
                return
            if not isinstance(raw, YMap):
                self.problem(
                    file, line, "a symbol is a mapping like {type: tank, at: [x, y], tag: ...}"
                )
                continue
            if "use" in raw:
                self.add_group(file, raw, macros, offset, out, depth)
                continue
            symbol = self.symbol(file, self.templates.expand(file, raw, macros, line), offset)
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
        """A template placed at ``at`` with its macros filled from ``with``."""
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
            hint = did_you_mean(name, self.templates.by_name, "templates")
            self.problem(file, line, f"unknown template '{name}'; {hint}")
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
        filled = self.templates.expand(file, values, macros, line)
        inner = {**macros, **{str(k): scalar_text(v) for k, v in filled.items()}}
        body, source = template
        params = body.get("params")
        if isinstance(params, YList):
            missing = [str(p) for p in params if str(p) not in inner]
            if missing:
                self.problem(file, line, f"template '{name}' needs {', '.join(missing)} in 'with'")
                return
        use = self.fields(raw, file)
        at = use.pair("at", "[x, y]") if "at" in raw else (0.0, 0.0)
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

    # -- one symbol ----------------------------------------------------------------------

    def symbol(self, file: str, raw: YMap, offset: tuple[float, float]) -> SymbolDef | None:
        fields = self.fields(raw, file)
        type_name = raw.get("type")
        if type_name is None:
            fields.problem(
                None,
                "symbol without 'type' (or 'use' for a template); "
                f"the types are {', '.join(SYMBOL_TYPES)}",
            )
            return None
        spec = SYMBOL_TYPES.get(str(type_name))
        if spec is None:
            hint = did_you_mean(str(type_name), SYMBOL_TYPES, "symbol types")
            fields.problem("type", f"unknown symbol type '{type_name}'; {hint}")
            return None
        fields.label = spec.name
        known = tuple(sorted(spec.props))
        fields.unknown_keys(known, f"properties of {spec.name}", "property", hidden=("type",))
        props = {}
        for key in raw:
            prop = spec.props.get(key)
            if prop is not None and (value := fields.check(key, prop)) is not None:
                props[key] = value
        for key, prop in spec.props.items():
            if key in props:
                continue
            if prop.required or (key == "at" and spec.name != "pipe"):
                if fields.get(key) is None:
                    help = f" ({prop.help})" if prop.help else ""
                    fields.problem(None, f"missing required property '{key}'{help}")
            elif prop.default is not None:
                props[key] = prop.default
        if not fields.failed:
            check_meaning(fields, spec, props)
        if fields.failed:
            return None
        dx, dy = offset
        if "at" in props:
            props["at"] = (props["at"][0] + dx, props["at"][1] + dy)
        if "points" in props:
            props["points"] = tuple((x + dx, y + dy) for x, y in props["points"])
        props.setdefault("size", spec.size)
        for key, prop in spec.props.items():  # checked once every screen is known
            if prop.kind == "screen" and props.get(key):
                self.links.append((key, props[key], fields.source(key)))
        return SymbolDef(spec.name, props, fields.source())

    def check_links(self) -> None:
        for kind, name, where in self.links:
            if name not in self.screens:
                hint = did_you_mean(name, self.screens, "screens")
                self.problems.append(Problem(where, f"{kind}: unknown screen '{name}'; {hint}"))
