"""Commissioning helpers behind ``hmi read``, ``hmi write`` and ``hmi browse``.

They start only the drivers that the request needs, wait for a first answer (bounded by
a timeout), and stop them again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .driver import DeviceStatus, DriverContext, WriteResult, WriteStatus
from .engine import TagEngine
from .expr import compile_expr
from .plugins import default_registry
from .project.models import Project, TagConfig
from .runtime import start_drivers, stop_drivers
from .tags import Batch, TagValue, bad
from .words import did_you_mean

log = logging.getLogger(__name__)


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
) -> list[tuple[str, TagValue]]:
    """Each asked name with its value, in the order asked (a name asked twice is answered
    twice). Only the device tags the asked ones need are read, once, with each device's
    one-shot read: nothing else is polled, so nothing else can fail or warn."""
    engine = TagEngine(project)
    inputs = _inputs_of(project, [n for n in names if n in project.tags])
    by_device: dict[str, list[TagConfig]] = {}
    for tag in project.tags.values():  # in project order, so reads plan the same each time
        if tag.name in inputs:
            by_device.setdefault(tag.device or "", []).append(tag)
    batches = await asyncio.gather(
        *(
            _read_device(project, device, tags, engine, data_dir, timeout)
            for device, tags in by_device.items()
        )
    )
    for batch in batches:
        engine.publish(batch)
    out: list[tuple[str, TagValue]] = []
    for name in names:
        if name not in project.tags:
            hint = did_you_mean(name, project.tags, "tags", listed=0)
            out.append((name, bad(f"unknown tag '{name}'; {hint}")))
        else:
            out.append((name, engine.values.get(name) or bad(f"no answer within {timeout:g} s")))
    return out


async def _read_device(
    project: Project,
    name: str,
    tags: list[TagConfig],
    engine: TagEngine,
    data_dir: Path,
    timeout: float,
) -> Batch:
    """The tags of one device read once by its driver; every failure is a Bad reason."""

    def failed(reason: str) -> Batch:
        return {t.name: bad(reason) for t in tags}

    device = project.devices.get(name)
    if device is None:
        return failed(f"unknown device '{name}'")
    if not device.enabled:
        return failed(f"device '{name}' is disabled")
    registry = default_registry()
    cls = registry.get(device.protocol)
    if cls is None:
        return failed(registry.describe_missing(device.protocol))
    ctx = DriverContext(device, tags, project.scan_classes, engine, str(data_dir))
    try:
        driver = cls(ctx)
    except Exception as exc:
        log.exception("device %s: driver failed to start", name)
        return failed(f"driver failed to start: {exc}")
    try:
        return await asyncio.wait_for(driver.read(tags), timeout)
    except TimeoutError:
        return failed(f"no answer within {timeout:g} s")
    except NotImplementedError as exc:
        return failed(str(exc))
    except Exception as exc:
        log.exception("device %s: read failed", name)
        return failed(f"read failed: {exc}")
    finally:
        try:
            await asyncio.wait_for(driver.stop(), 5.0)
        except Exception:
            log.exception("device %s: driver failed to stop cleanly", name)


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
