"""The ``lines:`` part of the ``orders:`` section: each line's type, ideal cycle, counter
tags, machine-state tag and the tags an order's data is written to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..capability import project_system_tags
from ..project.fields import Fields, as_number
from ..project.models import DataType, TagConfig
from ..systemtags import SYSTEM_PREFIX
from ..words import describe_value, did_you_mean, parse_flag, shorten
from .config_reader import SectionReader, name_text
from .config_types import (
    COUNTER_BITS,
    COUNTER_FIELDS,
    COUNTER_ROLES,
    DEFAULT_MAX_JUMP,
    DOWNLOAD_ALIASES,
    FILLING_ROLES,
    IDEAL_CYCLE,
    LINE_FIELDS,
    LINE_TYPES,
    MAX_JUMP,
    MICRO_STOP,
    ORDER_FIELDS,
    STATE_FIELDS,
    STATE_NAMES,
    SYSTEM_COUNTER_BITS,
    TEXT_FIELDS,
    CounterConfig,
    LineConfig,
    StateConfig,
    parse_rate,
    type_bits,
)
from .model import MachineState

#: the orders' own system tags: no line counts them (they are made from its counts)
OWN_PREFIX = f"{SYSTEM_PREFIX}orders."
_STATE_TYPES = frozenset(t for t in DataType if t.integer or t in (DataType.BOOL, DataType.STRING))


class LinesReader(SectionReader):
    """Reads ``orders: lines:``; a counter tag named twice is refused where it repeats."""

    def lines(self, micro_stop: float) -> dict[str, LineConfig]:
        top = self.top
        if top.get("lines") is None:
            top.problem(
                None,
                "lines: missing; name each line of project: lines: with its counters "
                "and state, e.g. lines: {line1: {type: extrusion, ideal_cycle: 40s, ...}}",
            )
            return {}
        fields = top.child("lines", "{line1: {type: extrusion, ideal_cycle: 40s}}")
        if fields is None:
            return {}
        out: dict[str, LineConfig] = {}
        for key, value in fields.data.items():
            name = str(key)
            if name not in self.project.lines:
                hint = did_you_mean(name, self.project.lines, "lines")
                fields.problem(
                    key,
                    f"unknown line '{shorten(name)}'; {hint} (lines are named under "
                    "project: lines:)",
                )
                continue
            if not isinstance(value, Mapping):
                fields.wrong(key, "a mapping with type:, ideal_cycle:, counters: and state:")
                continue
            line = self.line(fields.nested(key, value, f"orders: lines: {name}"), name, micro_stop)
            if line is not None:
                out[name] = line
        return out

    def line(self, fields: Fields, name: str, micro_stop: float) -> LineConfig | None:
        fields.unknown_keys(LINE_FIELDS)
        kind = fields.choice("type", tuple(LINE_TYPES))
        if kind is None and fields.get("type") is None:
            fields.problem(None, f"type: missing; one of {', '.join(LINE_TYPES)}")
        cycle = fields.duration("ideal_cycle", within=IDEAL_CYCLE)
        if cycle is None and fields.get("ideal_cycle") is None:
            fields.problem(None, "ideal_cycle: missing; the ideal time per piece, e.g. 40s")
        counters = self.counters(fields, name, kind, cycle)
        state = self.state(fields)
        micro = fields.duration("micro_stop", micro_stop, within=MICRO_STOP)
        download = self.download(fields, kind)
        if kind is None or cycle is None:
            return None
        title = str(self.project.lines.get(name) or name)
        return LineConfig(name, title, kind, cycle, counters, state, micro, download)

    def counters(
        self, parent: Fields, line: str, kind: str | None, cycle: float | None
    ) -> dict[str, CounterConfig]:
        """Each counter tag of the line (a role may name a list of them: their steps add up
        in the role), keyed by tag."""
        if parent.get("counters") is None:
            return {}
        fields = parent.child("counters", "{good: line1.profile_count, scrap: line1.scrap_count}")
        if fields is None:
            return {}
        roles = COUNTER_ROLES if kind != "filling" else FILLING_ROLES
        fields.unknown_keys(roles, "counters", "counter")
        if "good" not in fields.data:
            fields.problem(None, "good: missing; the tag that counts good pieces")
        rate = 2.0 / cycle if cycle else 0.0  # twice the ideal rate
        out: dict[str, CounterConfig] = {}
        for role in roles:
            value = fields.data.get(role)
            if value is None:
                continue
            items: list[tuple[Fields | None, Any]] = [(None, value)]
            if isinstance(value, list):
                if not value:
                    fields.problem(role, f"{role}: an empty list; name one counter tag or more")
                label = f"{fields.label}: {role}"
                items = [
                    (self.item(fields, role, value, n, f"{label}[{n + 1}]"), item)
                    for n, item in enumerate(value)
                ]
            for where, item in items:
                counter = self.counter(fields, role, item, line, rate, where)
                if counter is not None and counter.tag in out:
                    (where or fields).problem(
                        None if where else role,
                        f"{role}: tag '{counter.tag}' is listed twice; a piece would be "
                        "counted twice",
                    )
                elif counter is not None:
                    out[counter.tag] = counter
        return out

    def counter(
        self,
        fields: Fields,
        role: str,
        value: Any,
        line: str,
        rate: float,
        where: Fields | None = None,
    ) -> CounterConfig | None:
        """One counter tag of ``role``: written under ``role``, or as item ``where`` of
        its list; a name or ``{tag: NAME, max_rate:, max_jump:, bits:}``."""
        entry = place = where if where is not None else fields
        key: Any = None if where is not None else role
        if isinstance(value, Mapping):
            label = place.label if where is not None else f"{fields.label}: {role}"
            entry = place.nested(key, value, label)
            entry.unknown_keys(COUNTER_FIELDS)
            if entry.get("tag") is None:
                entry.problem(None, "tag: missing; the counter's tag")
                return None
            key, name = "tag", value.get("tag")
        else:
            name = value
        found = self.counter_tag(entry, key, name, role, line)
        if found is None:
            return None
        tag, width, kind = found
        first = self.counted.setdefault(tag, f"{line} {role}")
        if first != f"{line} {role}":
            entry.problem(
                key,
                f"{role}: tag '{tag}' already counts {first}; a piece would be counted twice",
            )
            return None
        bits, jump, max_rate = width, DEFAULT_MAX_JUMP, rate
        if isinstance(value, Mapping):
            bits = entry.count("bits", COUNTER_BITS) or width
            if bits > width:
                entry.problem(
                    "bits",
                    f"bits: {bits} is more than the {width} bits of {kind}; use {width} or fewer",
                )
                bits = width
            jump = entry.count("max_jump", MAX_JUMP) or DEFAULT_MAX_JUMP
            given = entry.converted(
                "max_rate", parse_rate, "pieces per time above 0, e.g. 5/s, 300/min or 18000/h"
            )
            max_rate = given if given is not None else rate
        return CounterConfig(role, tag, 2**bits, jump, max_rate)

    def counter_tag(
        self, fields: Fields, key: Any, value: Any, role: str, line: str
    ) -> tuple[str, int, str] | None:
        """The counter's tag name, width in bits and type: an integer project tag, or an
        integer system tag an installed capability declares for the project (a camera's
        ``_sys.vision.<camera>.good``; one it publishes without a type is taken as is)."""
        if isinstance(value, str) and value.strip().startswith(SYSTEM_PREFIX):
            name = value.strip()
            if name.startswith(OWN_PREFIX):
                fields.problem(
                    key,
                    f"{role}: '{shorten(name)}' is the orders' own tag; a line counts the "
                    "tags of its machines or of a capability such as vision",
                )
                return None
            system = project_system_tags(self.project)
            if not system.known(name):
                fields.problem(
                    key,
                    f"{role}: no installed capability publishes '{shorten(name)}'; "
                    f"{system.hint(name)}",
                )
                return None
            tag = system.get(name)
            if tag is not None and not tag.data_type.integer:
                fields.problem(
                    key,
                    f"{role}: system tag '{shorten(name)}' is {tag.data_type.value}; a counter "
                    "must be an integer tag (such as a camera's good, scrap or uninspected)",
                )
                return None
            return name, SYSTEM_COUNTER_BITS, "a system counter"
        tag = self.tag(fields, key, value, role)
        if tag is None:
            return None
        if not tag.data_type.integer:
            fields.problem(
                key,
                f"{role}: tag '{tag.name}' is {tag.data_type.value}; a counter must be an "
                "integer tag (int16, uint16, int32, uint32, int64 or uint64)",
            )
            return None
        return tag.name, type_bits(tag.data_type), tag.data_type.value

    def state(self, parent: Fields) -> StateConfig | None:
        value = parent.get("state")
        if value is None:
            return None
        if isinstance(value, str):  # a bool tag alone: true is running
            value = {"tag": value}
        fields = self.mapping(parent, "state", value, "{tag: line1.state, values: {2: running}}")
        if fields is None:
            return None
        fields.unknown_keys(STATE_FIELDS)
        tag = None
        if fields.get("tag") is not None:
            tag = self.tag(fields, "tag", fields.get("tag"), "tag")
            if tag is not None and tag.data_type not in _STATE_TYPES:
                fields.problem(
                    "tag",
                    f"tag: '{tag.name}' is {tag.data_type.value}; a state tag is an "
                    "integer, bool or string tag",
                )
                tag = None
        flags = self.flags(fields)
        values = self.values(fields, tag)
        default = fields.data.get("default")
        state_default = MachineState.IDLE
        if default is not None:
            state_default = self.state_name(fields, "default", default) or state_default
        if fields.get("tag") is None and not flags and not fields.failed:
            fields.problem(
                None,
                "expected tag: (with values:) or flag tags such as starved: "
                f"line2.infeed_starved; the states are {', '.join(STATE_NAMES)}",
            )
        if fields.failed:
            return None
        return StateConfig(tag.name if tag else None, values, flags, state_default)

    def state_name(self, fields: Fields, key: Any, value: Any) -> MachineState | None:
        name = name_text(value)
        if name is not None and name.lower() in STATE_NAMES:
            return MachineState(name.lower())
        shown = shorten(name) if name is not None else describe_value(value)
        hint = did_you_mean(shown, STATE_NAMES, "states")
        fields.problem(key, f"{key}: unknown state '{shown}'; {hint}")
        return None

    def values(self, fields: Fields, tag: TagConfig | None) -> dict[Any, MachineState]:
        value = fields.get("values")
        if value is None:
            if tag is not None and tag.data_type is DataType.BOOL:
                return {True: MachineState.RUNNING, False: MachineState.IDLE}
            if tag is not None:
                fields.problem(
                    "tag",
                    "values: missing; map the tag's values to states, e.g. "
                    "{2: running, 1: idle, 3: fault, 4: changeover}",
                )
            return {}
        if fields.get("tag") is None:
            fields.problem("values", "values: there is no tag: whose values they map")
            return {}
        values = self.mapping(fields, "values", value, "{2: running, 1: idle, 3: fault}")
        if values is None or tag is None:
            return {}
        out: dict[Any, MachineState] = {}
        for raw, name in values.data.items():
            key = _state_key(raw, tag.data_type)
            if key is None:
                kind = "true or false" if tag.data_type is DataType.BOOL else "a whole number"
                values.problem(
                    raw,
                    f"'{shorten(raw)}': expected {kind}, the values of {tag.data_type.value} "
                    f"tag '{tag.name}'",
                )
                continue
            state = self.state_name(values, raw, name)
            if state is None:
                continue
            if key in out:
                values.problem(raw, f"the value {shorten(raw)} is mapped twice")
                continue
            out[key] = state
        return out

    def flags(self, fields: Fields) -> dict[MachineState, str]:
        given: list[tuple[Fields, str, Any]] = [
            (fields, name, fields.data[name]) for name in STATE_NAMES if name in fields.data
        ]
        if fields.get("flags") is not None:
            nested = fields.child("flags", "{starved: line2.infeed_starved}")
            if nested is not None:
                nested.unknown_keys(STATE_NAMES, "states", "state")
                given += [(nested, n, nested.data[n]) for n in STATE_NAMES if n in nested.data]
        out: dict[MachineState, str] = {}
        for where, name, value in given:
            tag = self.tag(where, name, value, name)
            if tag is None:
                continue
            if tag.data_type is not DataType.BOOL:
                where.problem(
                    name,
                    f"{name}: tag '{tag.name}' is {tag.data_type.value}; "
                    "a state flag is a bool tag",
                )
                continue
            if MachineState(name) in out:
                where.problem(name, f"{name}: the flag is given twice; keep one")
                continue
            out[MachineState(name)] = tag.name
        return out

    def download(self, parent: Fields, kind: str | None) -> dict[str, str]:
        if parent.get("download") is None:
            return {}
        fields = parent.child("download", "{target: line1.order_target}")
        if fields is None:
            return {}
        # a line of no known type: any product field may be right
        products = LINE_TYPES[kind] if kind in LINE_TYPES else sum(LINE_TYPES.values(), ())
        known = (*ORDER_FIELDS, *products)
        out: dict[str, str] = {}
        for key, value in fields.data.items():
            name = DOWNLOAD_ALIASES.get(str(key), str(key))
            if name not in known:
                aliases = [a for a, field in DOWNLOAD_ALIASES.items() if field in known]
                hint = did_you_mean(str(key), [*known, *aliases], "order fields")
                fields.problem(key, f"unknown order field '{shorten(key)}'; {hint}")
                continue
            tag = self.tag(fields, key, value, str(key))
            if tag is None:
                continue
            if not tag.writable:
                fields.problem(
                    key,
                    f"{key}: tag '{tag.name}' is not writable; write "
                    "writable: true on the tag, or leave it out",
                )
            elif tag.data_type is DataType.BOOL or (
                name not in TEXT_FIELDS and not tag.data_type.numeric
            ):
                expected = "a text or number" if name in TEXT_FIELDS else "a number"
                fields.problem(
                    key,
                    f"{key}: tag '{tag.name}' is {tag.data_type.value}; "
                    f"{name} needs {expected} tag",
                )
            elif name in out:
                fields.problem(key, f"{key}: {name} is downloaded twice; keep one")
            else:
                out[name] = tag.name
        return out


def _state_key(raw: Any, data_type: DataType) -> Any:
    """A key of ``values:`` as the tag's values compare: a whole number, a bool or text."""
    if data_type is DataType.BOOL:
        return parse_flag(raw)
    if data_type is DataType.STRING:
        return name_text(raw)
    number = as_number(raw)
    return int(number) if number is not None and number.is_integer() else None
