"""A ready tag file from browsed variables: ``hmi browse PROJECT DEVICE --write FILE``.

The nodes whose browse path or NodeId match a pattern become tags of the device: a name
made from the browse names (valid in expressions, unique in the project), the address,
the Linea type of the node's data type, and units, range, writable and description where
the server says them. YAML or CSV by the file's suffix. Nodes no tag type can hold
(arrays, structures, ByteStrings, abstract types) and nodes the project already has a tag
for are left out and counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import keyword
import math
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from asyncua import ua

from hmi.core.expr import FUNCTIONS
from hmi.core.project.models import DeviceConfig, Project
from hmi.core.project.tags import name_problem

from .options import parse_address

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}
CSV_HEADER = (
    "name",
    "device",
    "address",
    "type",
    "units",
    "range_lo",
    "range_hi",
    "scan",
    "writable",
    "length",
    "description",
)
# A string tag's length bounds what a write may send; a server that states no
# MaxStringLength gets this, and the file says it can be changed.
STRING_LENGTH = 255
_YAML_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


class TagFileError(ValueError):
    """Why no file was written: a message for the command line."""


@dataclass
class TagPlan:
    """The tags a file will hold, and the nodes left out with the reason."""

    tags: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (browse path, why)


def matches(row: dict[str, Any], patterns: list[str]) -> bool:
    """Shell-style patterns (``*``, ``?``, ``[..]``, case-sensitive) against the browse path
    (``Filler/Tank/Level``, or dotted ``Filler.Tank.Level``), the NodeId
    (``ns=2;s=Filler.Tank.Level``) or the NodeId's identifier (``Filler.Tank.Level``)."""
    if not patterns:
        return True
    path, node_id = str(row["browse_path"]), str(row["node_id"])
    forms = (path, path.replace("/", "."), node_id, node_id.split(";")[-1].split("=", 1)[-1])
    return any(fnmatchcase(form, p) for p in patterns for form in forms)


def plan_tags(
    rows: list[dict[str, Any]],
    project: Project,
    device: DeviceConfig,
    target: Path,
    prefix: str | None = None,
    scan: str | None = None,
) -> TagPlan:
    """Tags for ``rows`` (already chosen), unique among the project's other tags.

    ``prefix`` goes before every name (default: the device's line, e.g. ``line2``); an
    empty one puts none. Tags the project has in ``target`` itself are not counted as
    taken, so the file can be written again with ``--force``.
    """
    prefix = device.line if prefix is None else prefix.strip().strip(".")
    if prefix and name_problem(prefix):
        raise TagFileError(
            f"--prefix '{prefix}' cannot start a tag name: use letters, digits and '_' "
            "in dot-separated parts, e.g. line2"
        )
    if scan is not None and scan not in project.scan_classes:
        known = ", ".join(project.scan_classes)
        raise TagFileError(f"--scan '{scan}' is not a scan class of the project ({known})")
    root = Path(project.root)
    elsewhere = [t for t in project.tags.values() if not _same_file(root, t.source.file, target)]
    taken = {t.name for t in elsewhere}
    mapped = {
        (t.device, key): t.name
        for t in elsewhere
        if t.device and (key := _address_key(t.address)) is not None
    }
    plan = TagPlan()
    importable = []
    for row in rows:
        path = str(row["browse_path"])
        other = mapped.get((device.name, _address_key(str(row["node_id"])) or ""))
        if row.get("type") is None:
            kind = row.get("data_type") or "unknown"
            plan.skipped.append((path, f"no tag type holds data type {kind}"))
        elif other is not None:
            plan.skipped.append((path, f"the project has it already as {other}"))
        else:
            importable.append(row)
    bodies = _name_bodies([str(r["browse_path"]) for r in importable])
    for row, body in zip(importable, bodies, strict=True):
        name = _unique(f"{prefix}.{body}" if prefix else body, taken)
        taken.add(name)
        plan.tags.append(_entry(row, name, device.name, scan))
    return plan


def render(plan: TagPlan, kind: str, header: str) -> str:
    """The file's text: ``kind`` is ``yaml`` or ``csv``; ``header`` is a comment (YAML)."""
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for tag in plan.tags:
            lo, hi = tag.get("range") or ("", "")
            cells = {**tag, "range_lo": _number(lo), "range_hi": _number(hi)}
            cells["writable"] = "true" if tag.get("writable") else "false"
            writer.writerow([cells.get(column, "") for column in CSV_HEADER])
        return out.getvalue()
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += ["", "tags:"]
    for tag in plan.tags:
        first = True
        for key, value in tag.items():
            lines.append(f"{'  - ' if first else '    '}{key}: {_yaml(value)}")
            first = False
    return "\n".join(lines) + "\n"


def write_tag_file(
    project: Project,
    device: DeviceConfig,
    rows: list[dict[str, Any]],
    target: Path,
    patterns: list[str],
    *,
    prefix: str | None = None,
    scan: str | None = None,
    force: bool = False,
) -> tuple[TagPlan, str | None]:
    """Write the tags of the rows matching ``patterns`` to ``target``; returns the plan
    and the line to add under ``include:`` in ``project.yaml`` (None when the project
    includes the file already). TagFileError when nothing is written: an unknown suffix,
    an existing file without ``force``, no match."""
    kind = SUFFIXES.get(target.suffix.lower())
    if kind is None:
        raise TagFileError(f"--write {target}: the name must end in .yaml, .yml or .csv")
    if target.is_dir():
        raise TagFileError(f"--write {target}: that is a folder; give a file name")
    if target.exists() and not force:
        raise TagFileError(f"{target} exists; add --force to replace it")
    chosen = [r for r in rows if matches(r, patterns)]
    if not chosen:
        wanted = " or ".join(repr(p) for p in patterns)
        sample = ", ".join(str(r["browse_path"]) for r in rows[:5]) or "none"
        raise TagFileError(
            f"no variable of {device.name} matches {wanted} "
            f"({len(rows)} browsed, e.g. {sample}); patterns are like Filler.* or *Level"
        )
    plan = plan_tags(chosen, project, device, target, prefix, scan)
    root = Path(project.root)
    included = any(_same_file(root, t.source.file, target) for t in project.tags.values())
    if not plan.tags:
        raise TagFileError(
            f"none of the {len(chosen)} matching variables can be a tag: "
            + "; ".join(f"{path}: {why}" for path, why in plan.skipped[:5])
        )
    endpoint = device.options.get("endpoint", "")
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    header = (
        f"Tags of {device.name} ({endpoint}), written by `hmi browse` on {when}\n"
        f"from the variables matching {' '.join(patterns) or '*'}. A string's length is the\n"
        f"server's MaxStringLength, or {STRING_LENGTH} where it states none: the longest text"
        " a write may send."
    )
    text = render(plan, kind, header)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise TagFileError(f"cannot write {target}: {exc.strerror or exc}") from None
    return plan, None if included else _include_line(project, target)


def _entry(row: dict[str, Any], name: str, device: str, scan: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": name,
        "device": device,
        "address": str(row["node_id"]),
        "type": str(row["type"]),
    }
    if row.get("units"):
        entry["units"] = str(row["units"])
    numeric = row["type"] not in ("bool", "string")
    span = row.get("range")
    if numeric and span and all(math.isfinite(x) for x in span) and span[0] < span[1]:
        entry["range"] = [span[0], span[1]]
    if scan:
        entry["scan"] = scan
    if row.get("writable"):
        entry["writable"] = True
    if row["type"] == "string":
        entry["length"] = min(int(row.get("max_length") or STRING_LENGTH), 65535)
    description = _printable(str(row.get("description") or ""))
    if description and description != str(row["browse_path"]).rsplit("/", 1)[-1]:
        entry["description"] = description  # many servers repeat the browse name here
    return entry


def _name_bodies(paths: list[str]) -> list[str]:
    """Names from browse paths, without the folders all of them share (``Filler/Tank/Level``
    and ``Filler/Speed`` give ``tank_level`` and ``speed``)."""
    split = [p.split("/") for p in paths]
    common = 0
    if split:
        shortest = min(len(parts) for parts in split)
        while common < shortest - 1 and len({parts[common] for parts in split}) == 1:
            common += 1
    return [_identifier("_".join(_snake(p) for p in parts[common:])) for parts in split]


def _snake(text: str) -> str:
    """``FaultCode`` -> ``fault_code``, ``Tank Level`` -> ``tank_level``, ``PV.Value`` ->
    ``pv_value``."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    return re.sub(r"_+", "_", re.sub(r"\W", "_", text.lower())).strip("_")


def _identifier(body: str) -> str:
    body = re.sub(r"_+", "_", body).strip("_") or "node"
    if body[0].isdigit():
        body = f"n{body}"
    if keyword.iskeyword(body) or body in FUNCTIONS:
        body = f"{body}_"
    return body


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken and not name_problem(name):
        return name
    for n in range(2, len(taken) + 3):
        candidate = f"{name}_{n}"
        if candidate not in taken and not name_problem(candidate):
            return candidate
    raise AssertionError("unreachable: a free suffix always exists")


def _address_key(address: str) -> str | None:
    try:
        node_id: ua.NodeId = parse_address(address)
    except ValueError:
        return None
    return str(node_id.to_string())


def _same_file(root: Path, source: str, target: Path) -> bool:
    """Whether a tag written in ``source`` (relative to the project folder) is in ``target``."""
    if not source:
        return False
    try:
        return (root / source).resolve() == target.resolve()
    except OSError:
        return False


def _include_line(project: Project, target: Path) -> str:
    try:
        return target.resolve().relative_to(Path(project.root).resolve()).as_posix()
    except ValueError:
        return str(target.resolve())


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else " " for c in text).strip()


def _number(value: Any) -> str:
    if value == "" or value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _yaml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, list):
        return "[" + ", ".join(_number(v) for v in value) + "]"
    text = str(value)
    if _YAML_PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)
