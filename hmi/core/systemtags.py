"""The names of the core's own system tags: one place, so no file spells them again.

System tags (``_sys.*``) are the application's own values (device states, store health,
what each capability publishes); they need no project entry. Capabilities name theirs in
their own package and declare them in their ``Capability.system_tags``, and list those
they publish for a project, with type, units and line, in ``Capability.project_tags``
(gathered by ``hmi.core.capability.project_system_tags`` as ``SystemTags``), so alarms,
history and trends check them as they check project tags.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .project.models import DataType, TagConfig
from .words import did_you_mean, shorten

SYSTEM_PREFIX = "_sys."
DEVICE_TAG_PREFIX = f"{SYSTEM_PREFIX}device."
#: "ok", or Bad with the reason while the local store cannot write (a full disk, ...)
STORE_HEALTH = f"{SYSTEM_PREFIX}store.health"


def device_status_tag(device: str) -> str:
    """The system tag that carries a device's connection state, for screens and alarms."""
    return f"{DEVICE_TAG_PREFIX}{device}"


def capability_tag(name: str) -> bool:
    """A system tag some capability publishes, not a device's state (``_sys.device.*``),
    which alarms take as ``device:`` and screens as the device's symbol."""
    return name.startswith(SYSTEM_PREFIX) and not name.startswith(DEVICE_TAG_PREFIX)


def matches(name: str, patterns: tuple[str, ...]) -> bool:
    """True if ``name`` is one of ``patterns`` or starts with one that ends in ``*``."""
    for pattern in patterns:
        if pattern.endswith("*"):
            if name.startswith(pattern[:-1]):
                return True
        elif name == pattern:
            return True
    return False


#: where a system tag's line is kept in its ``TagConfig.options`` (project tags take theirs
#: from their device or their name; a system tag has neither)
LINE_OPTION = "line"


def system_tag(
    name: str,
    data_type: DataType,
    *,
    units: str = "",
    line: str = "",
    description: str = "",
    decimals: int | None = None,
) -> TagConfig:
    """A system tag as a capability declares it for a project (``Capability.project_tags``):
    typed, so alarms, history and trends can check what they do with it."""
    options = {LINE_OPTION: line} if line else {}
    return TagConfig(
        name, data_type, units=units, description=description, decimals=decimals, options=options
    )


#: one field of a family of system tags (a camera's, a line's): type, units, decimals, what
#: it says
FieldType = tuple[DataType, str, int | None, str]


def field_tags(
    name_of: Callable[[str], str], fields: Mapping[str, FieldType], owner: str, line: str = ""
) -> list[TagConfig]:
    """The typed system tags of one ``owner`` (a camera, a line), one per field."""
    return [
        system_tag(
            name_of(field),
            kind,
            units=units,
            line=line,
            description=f"{owner}: {what}",
            decimals=decimals,
        )
        for field, (kind, units, decimals, what) in fields.items()
    ]


def system_tag_line(tag: TagConfig) -> str:
    """The line a system tag belongs to ("" for the station's own)."""
    return str(tag.options.get(LINE_OPTION, ""))


def _head(name: str) -> str:
    """``_sys.vision.`` of ``_sys.vision.press_cam.good``: whose tag it is."""
    end = name.find(".", len(SYSTEM_PREFIX))
    return name[: end + 1] if end >= 0 else name


@dataclass(frozen=True)
class SystemTags:
    """The system tags the installed capabilities publish for one project.

    ``tags`` are those declared with their type, units and line; ``patterns`` are names a
    capability publishes without listing them (the alarms' counts): screens may show them,
    but nothing that needs a type (a limit alarm, history, a trend) can take them.
    ``declared`` is every name and pattern the capabilities declare, listed or not.
    """

    tags: Mapping[str, TagConfig] = field(default_factory=dict)
    patterns: tuple[str, ...] = ()
    declared: tuple[str, ...] = ()

    def owned(self, name: str) -> bool:
        """Whether ``name`` is among the names a capability declares, published or not
        (``_sys.vision.cam.x`` without that camera), so a hint among its tags can help."""
        return matches(name, self.declared)

    def get(self, name: str) -> TagConfig | None:
        return self.tags.get(name)

    def known(self, name: str) -> bool:
        """Published, typed or not."""
        return name in self.tags or matches(name, self.patterns)

    def hint(self, name: str) -> str:
        """The did-you-mean for a system tag name nobody publishes: the capability's part
        first (``_sys.vison.`` -> ``_sys.vision.``), then the tag of that capability."""
        heads = {_head(n) for n in self.tags} | {_head(p.removesuffix("*")) for p in self.declared}
        head = _head(name)
        if head not in heads:
            return did_you_mean(head, sorted(heads), "system tag names")
        return did_you_mean(name, [n for n in self.tags if n.startswith(head)], "system tags")

    def refusal(self, name: str) -> str:
        """Why ``name`` cannot be used where a typed tag is needed."""
        if matches(name, self.patterns):
            return (
                f"system tag '{shorten(name)}' is published without a type; only the system "
                "tags a capability declares for this project (such as a camera's "
                "_sys.vision.<camera>.defect_rate) have one"
            )
        return f"unknown tag '{shorten(name)}'; {self.hint(name)}"
