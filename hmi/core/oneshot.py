"""Commissioning helpers behind ``hmi read``, ``hmi write`` and ``hmi browse``.

They start only the drivers that the request needs, wait for a first answer (bounded by
a timeout), and stop them again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .driver import DeviceStatus, WriteResult, WriteStatus
from .engine import TagEngine
from .expr import compile_expr
from .plugins import default_registry
from .project.models import Project
from .runtime import start_drivers, stop_drivers
from .tags import TagValue, bad


def _inputs_of(project: Project, names: list[str]) -> set[str]:
    """The device tags that the named tags (derived ones included) are computed from."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen or name not in project.tags:
            continue
        seen.add(name)
        tag = project.tags[name]
        if tag.derived:
            todo.extend(compile_expr(tag.expr or "").names)
    return {n for n in seen if not project.tags[n].derived}


def _subset(project: Project, tags: set[str]) -> Project:
    devices = {project.tags[t].device for t in tags}
    return Project(
        name=project.name,
        root=project.root,
        devices={k: v for k, v in project.devices.items() if k in devices},
        tags=project.tags,
        scan_classes=project.scan_classes,
        lines=project.lines,
    )


async def _settle(engine: TagEngine, done: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


async def read_tags(
    project: Project, names: list[str], data_dir: Path, timeout: float = 5.0
) -> dict[str, TagValue]:
    known = [n for n in names if n in project.tags]
    engine = TagEngine(project)
    inputs = _inputs_of(project, known)
    await start_drivers(_subset(project, inputs), engine, default_registry(), data_dir)
    try:
        await _settle(engine, lambda: all(n in engine.values for n in known), timeout)
    finally:
        await stop_drivers(engine)
    out: dict[str, TagValue] = {}
    for name in names:
        if name not in project.tags:
            out[name] = bad(f"unknown tag '{name}'")
        else:
            out[name] = engine.values.get(name) or bad(f"no answer within {timeout:g} s")
    return out


async def write_tag(
    project: Project, name: str, value: Any, data_dir: Path, timeout: float = 5.0
) -> WriteResult:
    tag = project.tags.get(name)
    if tag is None:
        return WriteResult(name, WriteStatus.REFUSED, f"unknown tag '{name}'")
    engine = TagEngine(project)
    if tag.derived or not tag.writable:
        return await engine.write(name, value)  # refused with its reason, nothing started
    await start_drivers(_subset(project, {name}), engine, default_registry(), data_dir)
    try:
        online = (DeviceStatus.ONLINE, DeviceStatus.DEGRADED)

        def answered() -> bool:
            st = engine.device_states.get(tag.device or "")
            return name in engine.values or (st is not None and st.status in online)

        await _settle(engine, answered, timeout)
        return await engine.write(name, value)
    finally:
        await stop_drivers(engine)


async def browse_device(project: Project, device: str, data_dir: Path) -> list[dict]:
    dev = project.devices.get(device)
    if dev is None:
        raise LookupError(f"unknown device '{device}' (devices: {', '.join(project.devices)})")
    cls = default_registry().get(dev.protocol)
    if cls is None:
        raise LookupError(default_registry().describe_missing(dev.protocol))
    return await cls.browse(dev, str(data_dir))
