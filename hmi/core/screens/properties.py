"""The checks on a symbol's properties: each value by the kind the catalogue gives it,
then what needs more than one property or the tag's configuration.

A symbol is read with the project's field reader; the kinds only screens have (tags and
devices that must exist, points, the styles of a multi-state tag, enumerations and
expressions) are added here. A wrong value is reported at its own line and leaves the
symbol out; a deprecated one is reported too, but the symbol stays (without it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

from ..enums import unknown_enum
from ..expr import ExprError, compile_expr
from ..project.fields import Fields, Report, as_number, as_pair
from ..project.models import Problem, Project
from ..systemtags import STORE_HEALTH, SYSTEM_PREFIX, matches
from ..words import describe_value, did_you_mean
from .catalogue import DEPRECATED, PRIORITIES, Prop, SymbolType, unit_factor
from .models import DEVICE_TAG_PREFIX, StateStyle, SymbolDef

PRIORITY_HELP = f"1 to 4 ({', '.join(f'{k} {v}' for k, v in PRIORITIES.items())})"
STATES_EXAMPLE = "{0: Stopped, 2: {text: Running, filled: true}, 3: Fault}"
STATE_COLOUR = (
    "priority: the colour comes from the alarm on the tag (the 'alarms:' section); remove it here"
)


def priority_of(value: Any) -> int | None:
    number = as_number(value)
    return int(number) if number is not None and number in PRIORITIES else None


def known_system_tag(name: str, project: Project | None = None) -> bool:
    """A system tag the application publishes (the store's health, a capability's counts):
    screens may show them though no project file declares them. With ``project``, those
    a capability declares for it (a camera of its ``vision:``), else any its names allow."""
    if not name.startswith(SYSTEM_PREFIX):
        return False
    from ..capability import default_capabilities, project_system_tags

    if project is not None:
        return project_system_tags(project).known(name)
    patterns = [STORE_HEALTH, *(p for cls in default_capabilities() for p in cls.system_tags)]
    return matches(name, tuple(patterns))


def unknown_tag(name: str, project: Project) -> str:
    """What is wrong with a tag name neither the project nor a capability publishes."""
    if name.startswith(SYSTEM_PREFIX):
        from ..capability import project_system_tags

        system = project_system_tags(project)
        if system.owned(name):
            return system.refusal(name)
    return f"unknown tag '{name}'; {did_you_mean(name, project.tags, 'tags')}"


class SymbolFields(Fields):
    """A symbol (or a screen's head) read field by field; ``project`` says which tags and
    devices exist."""

    def __init__(
        self,
        report: Report,
        data: Mapping,
        file: str,
        line: int,
        label: str,
        project: Project | None = None,
    ):
        super().__init__(report, data, file, line, label)
        self.project = project

    def nested(self, key: Any, value: Mapping, label: str) -> SymbolFields:
        fields = super().nested(key, value, label)
        fields.project = self.project
        return fields

    def check(self, key: str, prop: Prop) -> Any:
        """The value of ``key`` normalised by the kind of ``prop``; None if it is absent or
        empty, or wrong (then reported)."""
        return KINDS[prop.kind](self, key, prop)

    # -- names that must exist ------------------------------------------------------------

    def tag(self, key: str, prop: Prop) -> str | None:
        name = self.text(key)
        if name is None or self.project is None:
            return name
        project = self.project
        tags = project.tags
        device = name.removeprefix(DEVICE_TAG_PREFIX)
        if device != name:
            if device in project.devices:
                return name
            hint = did_you_mean(name, tags, "tags")
            message = f"unknown tag '{name}'; {hint}"
            explained = project.missing_device_explained(device)
        else:
            if name in tags or known_system_tag(name, project):
                return name
            message = unknown_tag(name, project)
            explained = project.missing_tag_explained(name)
        self.unknown(key, f"{key}: {message}", explained)
        return None

    def device(self, key: str, prop: Prop) -> str | None:
        name = self.text(key)
        project = self.project
        if name is None or project is None or name in project.devices:
            return name
        hint = did_you_mean(name, project.devices, "devices")
        message = f"{key}: unknown device '{name}'; {hint}"
        self.unknown(key, message, project.missing_device_explained(name))
        return None

    # -- geometry -------------------------------------------------------------------------

    def size(self, key: str, prop: Prop) -> tuple[float, float] | None:
        size = self.pair(key, "[width, height]")
        if size is not None and (size[0] <= 0 or size[1] <= 0):
            written = describe_value(self.get(key))
            self.problem(key, f"{key}: width and height must be above 0, got {written}")
            return None
        if size is not None and prop.within is not None:
            lowest, highest = prop.within
            if not all(lowest <= side <= highest for side in size):
                written = describe_value(self.get(key))
                self.problem(
                    key, f"{key}: width and height must be {lowest:g} to {highest:g}, got {written}"
                )
                return None
        return size

    def range(self, key: str, prop: Prop) -> tuple[float, float] | None:
        pair = self.pair(key, "[low, high]")
        if pair is not None and pair[0] >= pair[1]:
            written = describe_value(self.get(key))
            self.problem(key, f"{key}: low must be below high, got {written}")
            return None
        return pair

    def points(self, key: str, prop: Prop) -> tuple[tuple[float, float], ...] | None:
        value = self.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or len(value) < 2:
            self.problem(key, f"{key}: expected a list of at least two [x, y] points")
            return None
        points = [as_pair(point) for point in value]
        for point, pair in zip(value, points, strict=True):
            if pair is None:
                self.problem(key, f"{key}: expected [x, y], got {describe_value(point)}")
                return None
        return tuple(pair for pair in points if pair is not None)

    # -- alarm states -----------------------------------------------------------------------

    def priority(self, key: str, default: int | None = None) -> int | None:
        if self.get(key) is None:
            return default
        return self.converted(key, priority_of, PRIORITY_HELP)

    def deprecated(self, key: str, prop: Prop) -> None:
        """Reported, so ``hmi check`` says what replaced it, but the symbol stays (without
        it): an old screen file still shows everything it can."""
        self.notice(key, f"{key}: {DEPRECATED.get(key, prop.help)}")

    def notice(self, key: Any, message: str) -> None:
        """A problem that leaves the symbol in place."""
        text = f"{self.label}: {message}" if self.label else message
        self.report(Problem(self.source(key), text))

    # -- words and expressions -------------------------------------------------------------

    def enum(self, key: str, prop: Prop) -> str | None:
        name = self.text(key)
        if name is None or self.project is None:
            return name
        if (reason := unknown_enum(name, self.project)) is not None:
            self.problem(key, f"{key}: {reason}")
            return None
        return name

    def expr(self, key: str, prop: Prop) -> str | None:
        """An expression over tags (as derived tags write them), kept as text."""
        text = self.text(key)
        if text is None:
            return None
        try:
            names = compile_expr(text).names
        except ExprError as error:
            self.problem(key, f"{key}: {error}")
            return None
        project = self.project
        for name in sorted(names):
            if project is not None and name not in project.tags:
                if known_system_tag(name, project):
                    continue
                message = f"{key}: reads {unknown_tag(name, project)}"
                self.unknown(key, message, project.missing_tag_explained(name))
                return None
        return text

    def states(self, key: str, prop: Prop) -> dict[Any, StateStyle] | None:
        states = self.child(key, STATES_EXAMPLE)
        if states is None:
            return None
        if not states.data:
            self.wrong(key, f"a mapping of value -> text, e.g. {STATES_EXAMPLE}")
            return None
        out: dict[Any, StateStyle] = {}
        for value, item in states.data.items():
            if not isinstance(item, Mapping):
                out[value] = StateStyle(str(item))
                continue
            state = states.nested(value, item, f"{states.label}: state {value}")
            state.unknown_keys(("text", "priority", "filled"), "keys", "key")
            if "priority" in item:
                state.notice("priority", STATE_COLOUR)
            text = state.text("text") or ""  # none: the enum's words, else the value
            out[value] = StateStyle(text, 0, state.flag("filled"))
        return None if states.failed else out

    # -- plain values -------------------------------------------------------------------------

    def whole_number(self, key: str, prop: Prop) -> int | None:
        if prop.within is None:
            return self.whole(key, 0, sys.maxsize, "a whole number of 0 or more")
        lowest, highest = (int(bound) for bound in prop.within)
        return self.whole(key, lowest, highest, f"a whole number from {lowest} to {highest}")

    def bounded_number(self, key: str, prop: Prop) -> float | None:
        number = self.number(key)
        if number is None or prop.within is None:
            return number
        lowest, highest = prop.within
        if not lowest <= number <= highest:
            self.problem(key, f"{key}: {number:g} is out of range; use {lowest:g} to {highest:g}")
            return None
        return number

    def values(self, key: str, prop: Prop) -> tuple[Any, ...] | None:
        value = self.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not value:
            self.wrong(key, "a list of values")
            return None
        return tuple(value)

    def single(self, key: str, prop: Prop) -> Any:
        value = self.get(key)
        if isinstance(value, Mapping | list):
            self.wrong(key, "a single value")
            return None
        return value


KINDS: dict[str, Callable[[SymbolFields, str, Prop], Any]] = {
    "tag": SymbolFields.tag,
    "device": SymbolFields.device,
    "point": lambda fields, key, prop: fields.pair(key, "[x, y]"),
    "size": SymbolFields.size,
    "range": SymbolFields.range,
    "points": SymbolFields.points,
    "number": SymbolFields.bounded_number,
    "int": SymbolFields.whole_number,
    "priority": lambda fields, key, prop: fields.priority(key),
    "deprecated": SymbolFields.deprecated,
    "states": SymbolFields.states,
    "enum": SymbolFields.enum,
    "expr": SymbolFields.expr,
    "choice": lambda fields, key, prop: fields.choice(key, prop.choices),
    "list": SymbolFields.values,
    "text": lambda fields, key, prop: fields.text(key),
    "screen": lambda fields, key, prop: fields.text(key),
    "any": SymbolFields.single,
}


def check_meaning(fields: SymbolFields, spec: SymbolType, props: dict[str, Any]) -> None:
    """Checks that need more than one property, or the tag's configuration."""
    project = fields.project
    tag = project.tags.get(props.get("tag", "")) if project is not None else None
    if spec.name in ("setpoint", "command") and tag is not None and not tag.writable:
        fields.problem("tag", f"tag '{tag.name}' is read-only; a {spec.name} needs a writable tag")
    scaled = spec.name in ("analog", "bar", "tank")
    if scaled and "range" not in props and tag is not None and tag.eng_range is None:
        fields.problem(
            "tag", f"tag '{tag.name}' has no range; give the scale as 'range: [low, high]'"
        )
    scale = props.get("range") or (tag.eng_range if tag is not None else None)
    band = props.get("normal")
    if scale is not None and band and (band[0] < scale[0] or band[1] > scale[1]):
        fields.problem(
            "normal",
            f"the normal band {list(band)} lies outside the scale [{scale[0]:g}, {scale[1]:g}]",
        )
    if spec.name == "state" and not props.get("states") and not props.get("enum"):
        fields.problem(None, f"needs 'states:' (e.g. {STATES_EXAMPLE}) or 'enum: <name>'")
    if spec.name == "value":
        check_number_format(fields, props, tag)


def check_number_format(fields: SymbolFields, props: dict[str, Any], tag: Any) -> None:
    """Units, scale and format of a value symbol agree with each other and with the tag."""
    scale = props.get("scale")
    if scale == 0:
        fields.problem("scale", "scale: 0 would show every value as 0; use e.g. 0.001")
    if props.get("format") == "id" and (scale is not None or props.get("decimals") is not None):
        key = "scale" if scale is not None else "decimals"
        fields.problem(key, f"{key}: an identifier (format: id) is shown as written; remove it")
    units = props.get("units")
    if units is None or scale is not None or tag is None or not tag.units:
        return
    if unit_factor(tag.units, units) is None and unit_factor(units, units) is not None:
        fields.problem(
            "units",
            f"units: '{tag.name}' is in {tag.units}, which cannot be shown in {units}; "
            "give 'scale:' to convert it yourself",
        )


def bounds_problem(symbol: SymbolDef, size: tuple[float, float]) -> Problem | None:
    """A problem if ``symbol`` reaches outside a screen of ``size``."""
    points = list(symbol.props.get("points", ()))
    if "at" in symbol.props:
        x, y = symbol.at
        w, h = symbol.size
        points += [(x, y), (x + w, y + h)]
    for x, y in points:
        if not (-1 <= x <= size[0] + 1 and -1 <= y <= size[1] + 1):
            return Problem(
                symbol.source,
                f"{symbol.type} reaches ({x:g}, {y:g}), "
                f"outside the {size[0]:g} x {size[1]:g} design area",
            )
    return None
