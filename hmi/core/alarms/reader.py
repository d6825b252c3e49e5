"""Reading and checking the ``alarms:`` section (format: see ``definitions``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..capability import project_system_tags
from ..engine import device_status_tag
from ..expr import ExprError, compile_expr
from ..project.limits import DELAY
from ..project.models import DeviceConfig, Problem, Project, Source, TagConfig
from ..project.yamlsrc import line_of
from ..systemtags import SYSTEM_PREFIX, capability_tag, system_tag_line
from ..words import describe_value, did_you_mean
from . import kinds
from .definitions import DEFAULT_PRIORITY, FALLBACK_PRIORITY, AlarmDef, AlarmKind
from .fields import Entry
from .kinds import HELP_FIELDS, LIMITS, NO_HELP, Help, Spec
from .messages import escape, message_problem

K = AlarmKind
COMMON_FIELDS = (
    "id",
    "priority",
    "message",
    "on_delay",
    "off_delay",
    "condition",
    "latch",
    "line",
    "area",
    "screen",
    "enabled",
    *HELP_FIELDS,
)
TAG_FIELDS = (
    "tag",
    *COMMON_FIELDS,
    *(kind.value for kind in LIMITS),
    "deadband",
    "state",
    "equals",
    "deviation",
    "rate",
    "bad_quality",
)
DEVICE_FIELDS = ("device", *COMMON_FIELDS)


@dataclass(frozen=True, slots=True)
class _Common:
    base: str
    priority: int | None
    message: str | None
    on_delay: float
    off_delay: float
    condition: str | None
    latch: bool
    line: str
    area: str
    screen: str
    help: Help = NO_HELP


class AlarmReader:
    def __init__(self, project: Project):
        self.project = project
        self.problems: list[Problem] = []
        self.alarms: list[AlarmDef] = []
        self.ids: dict[str, Source] = {}
        self.configured_devices: set[str] = set()
        self._screens: set[str] | None = None

    def read(self) -> list[AlarmDef]:
        section = self.project.extra.get("alarms")
        if section is not None and section.data is not None:
            data, source = section.data, section.source
            if not isinstance(data, list):
                self.problems.append(
                    Problem(
                        source,
                        "alarms: expected a list of entries (- tag: line1.ram_pressure ...), "
                        f"got {describe_value(data)}",
                    )
                )
            else:
                for index, item in enumerate(data):
                    line = line_of(data, index, source.line)
                    self.read_entry(item, source.file, line, index + 1)
        for device in self.project.devices.values():
            if device.enabled and device.name not in self.configured_devices:
                common = _Common(f"{device.name}.comm", None, None, 0, 0, None, False, "", "", "")
                self.add_comm(device, common)
        return self.alarms

    # -- entries -----------------------------------------------------------------------

    def read_entry(self, data: Any, file: str, line: int, number: int) -> None:
        if not isinstance(data, Mapping):
            message = f"alarm #{number}: expected a mapping such as 'tag: line1.ram_pressure'"
            self.problems.append(
                Problem(Source(file, line), f"{message}, got {describe_value(data)}")
            )
            return
        entry = Entry(self.problems.append, data, file, line, f"alarm #{number}")
        if "tag" in data and "device" in data:
            entry.problem("device", "give either 'tag:' (a tag's alarms) or 'device:', not both")
        elif "tag" in data:
            self.read_tag_entry(entry)
        elif "device" in data:
            self.read_device_entry(entry)
        else:
            entry.problem(None, "needs 'tag: <tag name>' or 'device: <device name>'")

    def read_device_entry(self, entry: Entry) -> None:
        name = entry.text("device") or ""
        entry.label = f"communication alarm of '{name}'"
        entry.unknown_keys(DEVICE_FIELDS)
        device = self.project.devices.get(name)
        if device is None:
            hint = did_you_mean(name, self.project.devices, "devices")
            message = f"unknown device '{name}'; {hint}"
            entry.unknown("device", message, self.project.missing_device_explained(name))
            return
        self.configured_devices.add(name)
        common = self.common(entry, f"{name}.comm", device.line)
        if not entry.failed and entry.flag("enabled", True):
            self.add_comm(device, common, entry)

    def read_tag_entry(self, entry: Entry) -> None:
        name = entry.text("tag") or ""
        entry.label = f"alarm on '{name}'"
        entry.unknown_keys(TAG_FIELDS)
        tag = self.tag(entry, name)
        if tag is None:
            return
        common = self.common(entry, name, self.line_of_tag(tag))
        deadband = entry.not_negative("deadband") or 0.0
        found = [
            *kinds.limits(entry, tag, deadband),
            *kinds.state(entry, tag),
            *kinds.deviation(entry, tag, self.project),
            *kinds.rate(entry, tag),
            *kinds.bad_quality(entry),
        ]
        if not found and not entry.failed:
            entry.problem(None, f"gives no alarm; add {kinds.KINDS_HELP}")
        if entry.failed or not entry.flag("enabled", True):
            return
        for kind, spec, extra in found:
            self.add_tag_alarm(tag, kind, spec, common, extra, deadband, entry)

    def common(self, entry: Entry, base: str, default_line: str) -> _Common:
        message = entry.text("message")
        if message is not None and (reason := message_problem(message)) is not None:
            entry.problem("message", f"message: {reason}")
        return _Common(
            base=entry.text("id") or base,
            priority=entry.priority(),
            message=message,
            on_delay=entry.duration("on_delay", 0.0, within=DELAY),
            off_delay=entry.duration("off_delay", 0.0, within=DELAY),
            condition=self.condition(entry),
            latch=entry.flag("latch"),
            line=self.line(entry, default_line),
            area=entry.text("area") or "",
            screen=self.screen(entry),
            help=kinds.read_help(entry),
        )

    # -- references to the rest of the project -----------------------------------------

    def tag(self, entry: Entry, name: str) -> TagConfig | None:
        """A project tag, or a system tag a capability declares for this project (a
        camera's defect rate), typed either way; an unknown one is reported."""
        tag = self.project.tags.get(name)
        if tag is not None:
            return tag
        if capability_tag(name):
            system = project_system_tags(self.project)
            tag = system.get(name)
            if tag is None:
                entry.problem("tag", system.refusal(name))
            return tag
        hint = did_you_mean(name, self.project.tags, "tags")
        message = f"unknown tag '{name}'; {hint}"
        entry.unknown("tag", message, self.project.missing_tag_explained(name))
        return None

    def condition(self, entry: Entry) -> str | None:
        text = entry.text("condition")
        if text is None:
            return None
        try:
            names = compile_expr(text).names
        except ExprError as error:
            entry.problem("condition", f"condition: {error}")
            return None
        known = set(self.project.tags) | {device_status_tag(d) for d in self.project.devices}
        for name in sorted(names - known):
            if capability_tag(name):
                system = project_system_tags(self.project)
                if name not in system.tags:
                    entry.problem("condition", f"condition: {system.refusal(name)}")
                continue
            hint = did_you_mean(name, self.project.tags, "tags")
            message = f"condition reads unknown tag '{name}'; {hint}"
            entry.unknown("condition", message, self.project.missing_tag_explained(name))
        return text

    def line(self, entry: Entry, default: str) -> str:
        line = entry.text("line")
        if line is None:
            return default
        if self.project.lines and line not in self.project.lines:
            entry.problem(
                "line", f"unknown line '{line}'; {did_you_mean(line, self.project.lines, 'lines')}"
            )
        return line

    def line_of_tag(self, tag: TagConfig) -> str:
        if tag.name.startswith(SYSTEM_PREFIX):
            return system_tag_line(tag)
        device = self.project.devices.get(tag.device or "")
        if device is not None and device.line:
            return device.line
        prefix = tag.name.split(".", 1)[0]
        return prefix if prefix in self.project.lines else ""

    def screen(self, entry: Entry) -> str:
        screen = entry.text("screen")
        if screen is None:
            return ""
        known = self.screen_names()
        if known is not None and screen not in known:
            entry.problem(
                "screen",
                f"unknown screen '{screen}'; {did_you_mean(screen, sorted(known), 'screens')}",
            )
        return screen

    def screen_names(self) -> set[str] | None:
        """The project's screens, or None when it has none to check against."""
        if self._screens is None:
            from ..screens import load_screens, screens_folder

            folder = screens_folder(self.project)
            if not folder.is_dir():
                return None
            self._screens = {screen.name for screen in load_screens(folder, self.project)[0]}
        return self._screens

    # -- building ---------------------------------------------------------------------

    def add_tag_alarm(
        self,
        tag: TagConfig,
        kind: AlarmKind,
        spec: Spec,
        common: _Common,
        extra: dict[str, Any],
        deadband: float,
        entry: Entry,
    ) -> None:
        template = spec.message or (common.message if kind is not K.BAD_QUALITY else None)
        priority = spec.priority or common.priority or DEFAULT_PRIORITY.get(kind, FALLBACK_PRIORITY)
        values = {"limit": spec.limit} | extra
        # the entry's help is about the process; a lost signal has only its own
        help = spec.help if kind is K.BAD_QUALITY else spec.help.over(common.help)
        alarm = AlarmDef(
            id=spec.id or f"{common.base}.{kind.value}",
            tag=tag.name,
            kind=kind,
            priority=priority,
            message=template or kinds.default_message(tag, kind, values),
            deadband=0.0 if kind in (K.RATE_HI, K.RATE_LO) else deadband,
            on_delay=common.on_delay,
            off_delay=common.off_delay,
            condition=common.condition,
            latch=common.latch,
            line=common.line,
            area=common.area,
            screen=common.screen,
            device=tag.device,
            units=tag.units,
            source=spec.source,
            cause=help.cause,
            consequence=help.consequence,
            action=help.action,
            **values,
        )
        self.add(alarm, entry)

    def add_comm(self, device: DeviceConfig, common: _Common, entry: Entry | None = None) -> None:
        label = escape(device.description or device.name)
        alarm = AlarmDef(
            id=common.base,
            tag=device_status_tag(device.name),
            kind=K.COMM,
            priority=common.priority or DEFAULT_PRIORITY[K.COMM],
            message=common.message or f"Communication lost with {label}: {{reason}}",
            on_delay=common.on_delay,
            off_delay=common.off_delay,
            condition=common.condition,
            latch=common.latch,
            line=common.line or device.line,
            area=common.area,
            screen=common.screen,
            device=device.name,
            source=entry.source() if entry else device.source,
            cause=common.help.cause,
            consequence=common.help.consequence,
            action=common.help.action,
        )
        self.add(alarm, entry)

    def add(self, alarm: AlarmDef, entry: Entry | None) -> None:
        first = self.ids.get(alarm.id)
        if first is not None:
            message = (
                f"duplicate alarm id '{alarm.id}' (the first is at {first}); give one an 'id:'"
            )
            label = f"{entry.label}: " if entry is not None else ""
            self.problems.append(Problem(alarm.source, label + message))
            return
        self.ids[alarm.id] = alarm.source
        self.alarms.append(alarm)
