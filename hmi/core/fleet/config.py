"""The ``fleet:`` section: the broker the supervisor station follows the plant's lines on,
the Unified Namespace roots it follows and the project's words for each line.

```yaml
fleet:
  broker:                         # the MQTT connection keys every MQTT entry shares
    host: broker.plant.local
    tls: {ca_file: certs/plant-ca.pem}
    username: supervisor
    password_secret: broker_supervisor
  roots: [acme/+/+]               # enterprise/site/area patterns (+ for any one level)
  offline_after: 30s              # a line heard nothing of this long shows offline
  local: acme/turin/extrusion     # optional: this station's own lines, from its values
  lines:                          # optional: per line topic, its name and its screen
    acme/turin/extrusion/line1: {name: Press 1, screen: line1_press}
```

``broker: simulated`` follows a plant simulated in this process instead (the demo: no
broker to install). ``local:`` shows the station's own lines under that root without a
broker in between (each opens the screen of its line unless ``lines:`` names another).
Reading never raises; every problem is at its ``file:line``.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..project.fields import Fields
from ..project.limits import DurationRange
from ..project.models import Problem, Project, Section
from ..project.problems import internal_fault
from ..words import describe_value, did_you_mean, shorten
from .lines import Naming

SECTION_FIELDS = ("broker", "roots", "root", "offline_after", "local", "lines")
LINE_FIELDS = ("name", "screen")
SIMULATED = "simulated"
OFFLINE_AFTER = DurationRange(5.0, 86400.0, "30s")
ROOT_EXAMPLE = "acme/+/+"


@dataclass(frozen=True)
class FleetConfig:
    """What the fleet follows; ``broker`` is the shared MQTT settings, None when simulated."""

    roots: tuple[str, ...]
    broker: Any = None  # hmi.core.mes.MqttSettings
    simulated: bool = False
    offline_after: float = 30.0
    lines: dict[str, Naming] = field(default_factory=dict)
    local: str = ""  # the root this station's own lines are shown under ("": not shown)


def fleet_problems(project: Project) -> list[Problem]:
    return read_fleet(project)[1]


def read_fleet(project: Project) -> tuple[FleetConfig | None, list[Problem]]:
    """The section (None when the project has none or it is unusable) and its problems."""
    section = project.extra.get("fleet")
    if section is None:
        return None, []
    if not isinstance(section, Section):
        section = Section("fleet", section, project.source)
    problems: list[Problem] = []
    data = section.data if isinstance(section.data, Mapping) else {}
    top = Fields(problems.append, data, section.source.file, section.source.line, "fleet")
    config: FleetConfig | None = None
    try:
        if not isinstance(section.data, Mapping):
            top.problem(None, f"expected a mapping with broker: and roots:, got "
                        f"{describe_value(section.data)}")  # fmt: skip
        else:
            config = _fleet(top, project)
    except Exception as error:  # never a traceback for a project file
        top.problem(None, internal_fault("the fleet section", error))
        config = None
    unique = list(dict.fromkeys(problems))
    return (None if top.failed else config), sorted(unique, key=lambda p: p.source.line)


def _fleet(top: Fields, project: Project) -> FleetConfig:
    top.unknown_keys(SECTION_FIELDS)
    roots = _roots(top)
    offline_after = top.duration("offline_after", 30.0, within=OFFLINE_AFTER)
    broker, simulated = _broker(top, Path(project.root))
    screens = _screens(project)
    local = _local(top, roots, project, screens)
    lines = {**local[1], **_lines(top, roots, screens)}
    return FleetConfig(tuple(roots), broker, simulated, offline_after, lines, local[0])


def _roots(top: Fields) -> list[str]:
    key = "roots" if "roots" in top.data else "root"
    value = top.get(key)
    if value is None:
        top.problem(None, f"roots: missing; the UNS roots to follow, e.g. roots: [{ROOT_EXAMPLE}]")
        return []
    written = [value] if isinstance(value, str) else value
    if not isinstance(written, list) or not written:
        top.wrong(key, f"a list of topic patterns such as [{ROOT_EXAMPLE}]")
        return []
    roots: list[str] = []
    for root in written:
        why = root_problem(root)
        if why:
            top.problem(key, f"{key}: {why}")
        elif root not in roots:
            roots.append(root)
    return roots


def root_problem(root: Any) -> str | None:
    """Why ``root`` is not a UNS root pattern (``enterprise/site/area``, ``+`` for any)."""
    if not isinstance(root, str) or not root.strip():
        return f"expected a topic pattern such as {ROOT_EXAMPLE}, got {describe_value(root)}"
    parts = root.split("/")
    if "#" in root:
        return f"'{shorten(root)}': # would follow every topic; use + per level ({ROOT_EXAMPLE})"
    if any(p == "" for p in parts):
        return f"'{shorten(root)}' has an empty level; write it as {ROOT_EXAMPLE}"
    if any("+" in p and p != "+" for p in parts):
        return f"'{shorten(root)}': + stands for a whole level, such as {ROOT_EXAMPLE}"
    return None


def _broker(top: Fields, root: Path) -> tuple[Any, bool]:
    value = top.get("broker")
    if value is None:
        top.problem(None, "broker: missing; the MQTT broker, e.g. broker: {host: broker.plant."
                    "local, tls: true}, or broker: simulated")  # fmt: skip
        return None, False
    if isinstance(value, str) and value.strip().lower() == SIMULATED:
        return None, True
    if not isinstance(value, Mapping):
        top.wrong("broker", "a mapping such as {host: broker.plant.local, tls: true} or simulated")
        return None, False
    from ..mes import read_mqtt_settings  # the connection keys all MQTT users share

    entry = top.nested("broker", value, "fleet: broker")
    station = socket.gethostname() or "station"
    return read_mqtt_settings(value, entry, root, client_id=f"linea-{station}-fleet"), False


def _local(
    top: Fields, roots: list[str], project: Project, screens: dict[str, Any] | None
) -> tuple[str, dict[str, Naming]]:
    """The root of the station's own lines, and each line's name and screen (its line's
    screen of the lowest level)."""
    from .model import Roots

    root = top.text("local")
    if root is None:
        return "", {}
    why = root_problem(root)
    if why is None and "+" in root:
        why = f"'{shorten(root)}' is where this station's lines go: no +, e.g. acme/turin/press"
    if why is None and roots and Roots(roots).split(f"{root}/line/health") is None:
        why = f"'{shorten(root)}' is under none of the roots ({', '.join(roots)})"
    if why:
        top.problem("local", f"local: {why}")
        return "", {}
    shown = sorted((s.level, s.name, s.line) for s in (screens or {}).values() if s.line)
    naming = {}
    for line, name in project.lines.items():
        screen = next((n for _, n, on in shown if on == line), "")
        naming[f"{root}/{line}"] = Naming(name, screen)
    return root, naming


def _lines(top: Fields, roots: list[str], screens: dict[str, Any] | None) -> dict[str, Naming]:
    if top.get("lines") is None:
        return {}
    entries = top.child("lines", "{acme/turin/extrusion/line1: {name: Press 1}}")
    if entries is None:
        return {}
    from .model import Roots

    under = Roots(roots)
    lines: dict[str, Naming] = {}
    for key, value in entries.data.items():
        topic = str(key)
        found = under.split(topic + "/health")
        if found is None or len(found[1]) != 2:
            entries.problem(key, f"{shorten(topic)}: not a line under the roots "
                            f"({', '.join(roots) or 'none'}); write root/line, such as "
                            "acme/turin/extrusion/line1")  # fmt: skip
            continue
        if isinstance(value, str):
            lines[topic] = Naming(value.strip())
            continue
        if not isinstance(value, Mapping):
            entries.problem(key, f"{shorten(topic)}: expected a name or {{name: ..., screen: "
                            f"...}}, got {describe_value(value)}")  # fmt: skip
            continue
        entry = entries.nested(key, value, f"fleet: lines: {shorten(topic)}")
        entry.unknown_keys(LINE_FIELDS)
        screen = entry.text("screen") or ""
        if screen and screens is not None and screen not in screens:
            entry.problem("screen", f"unknown screen '{shorten(screen)}'; "
                          f"{did_you_mean(screen, sorted(screens), 'screens')}")  # fmt: skip
            screen = ""
        lines[topic] = Naming(entry.text("name") or "", screen)
    return lines


def _screens(project: Project) -> dict[str, Any] | None:
    """The project's screens by name, or None when it has none to check against."""
    from ..screens import load_screens, screens_folder

    folder = screens_folder(project)
    if not folder.is_dir():
        return None
    return {screen.name: screen for screen in load_screens(folder, project)[0]}
