"""The kinds of alarm one ``tag:`` entry can give, each read and checked on its own.

Each reader returns ``(kind, spec, extra)`` triples: the kind, the limit as written
and any further fields of the AlarmDef (setpoint, match, per).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..project.fields import as_number
from ..project.limits import RATE_PERIOD
from ..project.models import DataType, Project, Source, TagConfig
from ..words import describe_value, did_you_mean
from .definitions import AlarmKind
from .fields import Entry
from .messages import escape, message_problem

K = AlarmKind
LIMITS = (K.LOLO, K.LO, K.HI, K.HIHI)
HELP_FIELDS = ("cause", "consequence", "action")  # the operator's help, per alarm
SPEC_FIELDS = ("limit", "priority", "message", "id", *HELP_FIELDS)
MAX_HELP_CHARS = 1000  # a help text is read on a panel, not a manual
KINDS_HELP = "limits (hihi, hi, lo, lolo), state, equals, deviation, rate or bad_quality"
_WORDS = {
    K.HIHI: "very high",
    K.HI: "high",
    K.LO: "low",
    K.LOLO: "very low",
    K.DEV_HI: "above its setpoint {setpoint:.DECIMALSf}",
    K.DEV_LO: "below its setpoint {setpoint:.DECIMALSf}",
    K.RATE_HI: "rising too fast",
    K.RATE_LO: "falling too fast",
}


@dataclass(frozen=True, slots=True)
class Help:
    """What the operator reads about an alarm: why it comes, what follows, what to do."""

    cause: str = ""
    consequence: str = ""
    action: str = ""

    def over(self, default: Help) -> Help:
        """These texts, with ``default``'s where none is written here."""
        return Help(
            self.cause or default.cause,
            self.consequence or default.consequence,
            self.action or default.action,
        )


NO_HELP = Help()


@dataclass(frozen=True, slots=True)
class Spec:
    """One limit as written: a number, or {limit, priority, message, id, cause, ...}."""

    limit: float
    priority: int | None
    message: str | None
    id: str | None
    source: Source
    help: Help = NO_HELP


Found = tuple[AlarmKind, Spec, dict[str, Any]]


def limits(entry: Entry, tag: TagConfig, deadband: float) -> list[Found]:
    specs = {k: s for k in LIMITS if (s := read_spec(entry, k.value)) is not None}
    if specs and not tag.data_type.numeric:
        key = next(iter(specs)).value
        entry.problem(
            key,
            f"{key}: limits need a numeric tag, but '{tag.name}' is "
            f"{tag.data_type.value}; use 'state:' or 'equals:' instead",
        )
        return []
    ordered = list(specs.items())
    for (low_kind, low), (high_kind, high) in itertools.pairwise(ordered):
        if low.limit >= high.limit:
            entry.problem(
                high_kind.value,
                f"{high_kind} {high.limit:g} must be above {low_kind} {low.limit:g} "
                "(limits go lolo < lo < hi < hihi)",
            )
    lo, hi = specs.get(K.LO) or specs.get(K.LOLO), specs.get(K.HI) or specs.get(K.HIHI)
    if lo and hi and deadband and hi.limit - lo.limit <= deadband:
        entry.problem(
            "deadband",
            f"deadband {deadband:g} must be smaller than the gap between the low limit "
            f"{lo.limit:g} and the high limit {hi.limit:g}, or the alarms cannot clear",
        )
    return [(kind, spec, {}) for kind, spec in specs.items()]


def state(entry: Entry, tag: TagConfig) -> list[Found]:
    if "state" not in entry.data and "equals" not in entry.data:
        return []
    if "state" in entry.data and "equals" in entry.data:
        entry.problem("equals", "give either 'state:' or 'equals:', not both")
        return []
    key = "state" if "state" in entry.data else "equals"
    if key == "state":
        if tag.data_type is DataType.STRING:
            entry.problem("state", "state: needs an on/off tag; use 'equals:' for text")
            return []
        matches: tuple = (entry.flag("state", True),)
    else:
        raw = entry.data.get("equals")
        values = list(raw) if isinstance(raw, list) else [raw]
        if not values or raw is None:
            entry.problem("equals", "equals: give the value in alarm, or a list of them")
            return []
        matches = tuple(state_value(entry, tag, value) for value in values)
        if None in matches:
            return []
    spec = Spec(0.0, None, None, None, entry.source(key))
    return [(K.STATE, spec, {"match": matches, "limit": None})]


def state_value(entry: Entry, tag: TagConfig, value: Any) -> Any:
    if tag.data_type is DataType.STRING:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)
    elif tag.data_type is DataType.BOOL and isinstance(value, bool):
        return value
    elif tag.data_type.numeric and (number := as_number(value)) is not None:
        return number
    want = {DataType.STRING: "text", DataType.BOOL: "true or false"}.get(tag.data_type, "a number")
    entry.problem("equals", f"equals: '{tag.name}' needs {want}, got {describe_value(value)}")
    return None


def deviation(entry: Entry, tag: TagConfig, project: Project) -> list[Found]:
    if "deviation" not in entry.data:
        return []
    sub = entry.child("deviation", "{setpoint: line1.speed_sp, hi: 2, lo: -2}")
    if sub is None:
        return []
    sub.unknown_keys(("setpoint", "hi", "lo"))
    if not tag.data_type.numeric:
        entry.problem("deviation", f"deviation: needs a numeric tag, not {tag.data_type}")
    setpoint = sub.text("setpoint")
    tags = project.tags
    sp_tag = tags.get(setpoint or "")
    if setpoint is None:
        sub.problem(None, "needs 'setpoint: <tag name>'")
    elif sp_tag is None:
        hint = did_you_mean(setpoint, tags, "tags")
        message = f"unknown setpoint tag '{setpoint}'; {hint}"
        sub.unknown("setpoint", message, project.missing_tag_explained(setpoint))
    elif not sp_tag.data_type.numeric:
        sub.problem("setpoint", f"setpoint tag '{setpoint}' is {sp_tag.data_type}, not a number")
    found = signed_pair(sub, "above", "below")
    if sub.failed:
        entry.failed = True
        return []
    extra = {"setpoint": setpoint}
    return [(K.DEV_HI if k == "hi" else K.DEV_LO, s, extra) for k, s in found]


def rate(entry: Entry, tag: TagConfig) -> list[Found]:
    if "rate" not in entry.data:
        return []
    sub = entry.child("rate", "{hi: 5, per: 1s}")
    if sub is None:
        return []
    sub.unknown_keys(("hi", "lo", "per"))
    if not tag.data_type.numeric:
        entry.problem("rate", f"rate: needs a numeric tag, not {tag.data_type}")
    per = sub.duration("per", 1.0)
    if "per" in sub.data and per <= 0 and not sub.failed:
        sub.problem("per", "per: must be longer than 0, e.g. 1s or 1m")
    elif (reason := RATE_PERIOD.problem(per, sub.get("per"))) is not None:
        sub.problem("per", f"per: {reason}")
    found = signed_pair(sub, "rise", "fall")
    if sub.failed:
        entry.failed = True
        return []
    return [(K.RATE_HI if k == "hi" else K.RATE_LO, s, {"per": per}) for k, s in found]


def signed_pair(sub: Entry, up: str, down: str) -> list[tuple[str, Spec]]:
    """``hi`` (positive: how far ``up``) and ``lo`` (negative: how far ``down``)."""
    found = []
    for key, sign, word in (("hi", 1, up), ("lo", -1, down)):
        spec = read_spec(sub, key)
        if spec is None:
            continue
        if spec.limit * sign <= 0:
            example = f"{key}: {sign * abs(spec.limit or 2):g}"
            written = "positive" if sign > 0 else "negative"
            sub.problem(
                key,
                f"{key}: how far to {word}; write it {written}, e.g. {example}",
            )
        found.append((key, spec))
    if not found and not sub.failed:
        sub.problem(None, "needs 'hi:' or 'lo:' (or both)")
    return found


def bad_quality(entry: Entry) -> list[Found]:
    value = entry.data.get("bad_quality")
    if value is None or value is False:
        return []
    if value is True:
        return [(K.BAD_QUALITY, Spec(0.0, None, None, None, entry.source("bad_quality")), {})]
    sub = entry.child("bad_quality", "{priority: 2}")
    if sub is None:
        return []
    sub.unknown_keys(("priority", "message", "id", *HELP_FIELDS))
    spec = spec_fields(sub, 0.0)
    entry.failed |= sub.failed
    return [(K.BAD_QUALITY, spec, {})]


def read_spec(entry: Entry, key: str) -> Spec | None:
    value = entry.data.get(key)
    if value is None:
        return None
    if isinstance(value, Mapping):
        sub = entry.child(key, "{limit: 270, priority: 2}")
        assert sub is not None
        sub.unknown_keys(SPEC_FIELDS)
        limit = sub.number("limit")
        if limit is None and "limit" not in sub.data:
            sub.problem(None, "needs 'limit: <number>'")
        entry.failed |= sub.failed
        return None if limit is None else spec_fields(sub, limit)
    number = entry.number(key)
    return None if number is None else Spec(number, None, None, None, entry.source(key))


def spec_fields(sub: Entry, limit: float) -> Spec:
    message = sub.text("message")
    if message is not None and (reason := message_problem(message)) is not None:
        sub.problem("message", f"message: {reason}")
    return Spec(limit, sub.priority(), message, sub.text("id"), sub.source(), read_help(sub))


def read_help(entry: Entry) -> Help:
    """The help texts written in ``entry`` (each one short enough to read on a panel)."""
    texts = []
    for key in HELP_FIELDS:
        text = entry.text(key) or ""
        if len(text) > MAX_HELP_CHARS:
            entry.problem(
                key, f"{key}: {len(text)} characters; keep it under {MAX_HELP_CHARS} to read"
            )
            text = ""
        texts.append(" ".join(text.split()))
    return Help(*texts)


def default_message(tag: TagConfig, kind: AlarmKind, values: dict[str, Any]) -> str:
    """A readable message when the engineer wrote none: the tag's description, the kind,
    the value and the limit."""
    description = tag.description.split(";")[0].strip()
    label = escape(description if 0 < len(description) <= 60 else tag.name)
    if kind is K.STATE:
        on_off = all(isinstance(match, bool) for match in values["match"])
        return label if on_off else f"{label}: {{value}}"
    if kind is K.BAD_QUALITY:
        return f"{label}: bad signal ({{reason}})"
    decimals = tag.decimals if tag.decimals is not None else 1
    value = "{value:." + str(decimals) + "f}"
    if tag.data_type.integer and tag.decimals is None:
        value = "{value}"
    units = " {units}" if tag.units else ""
    limit = "{limit:g}" + units
    if kind in (K.RATE_HI, K.RATE_LO):
        limit += f" within {values['per']:g} s"
    words = _WORDS[kind].replace("DECIMALS", str(decimals))
    return f"{label} {words}: {value}{units} (limit {limit})"
