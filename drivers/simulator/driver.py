"""A driver that runs a plant model in-process, with no protocol in between.

Device options: ``model: press | filler`` (required), ``seed`` (int), ``speed`` (model
seconds per wall second, default 1), ``step`` (seconds between model steps, default 0.1),
``faults`` (false: no random faults or stops, for calm screen work), ``orders`` (true: the
model idles until an order is downloaded to its ``order_*`` variables, as the demo plant
does; default false: it produces from the start). A tag's address is
the model variable name, e.g. ``billet_temp``. Values are in engineering units already.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from hmi.core.driver import (
    DeviceState,
    DeviceStatus,
    Driver,
    DriverContext,
    WriteResult,
    WriteStatus,
)
from hmi.core.project.durations import parse_duration
from hmi.core.project.models import DataType, DeviceConfig, Problem, TagConfig
from hmi.core.scan import run_periodic
from hmi.core.tags import Batch, TagValue, bad
from hmi.core.tasks import cancel_and_wait
from hmi.core.words import did_you_mean

from .filler import FillerModel
from .press import PressModel
from .signals import PlantModel, WriteRefused

MODELS: dict[str, type[PlantModel]] = {"press": PressModel, "filler": FillerModel}
DEFAULT_STEP_S = 0.1
AUTO_RECOVER_S = 120.0


@dataclass(frozen=True, slots=True)
class SimOptions:
    model: str
    seed: int | None = None
    speed: float = 1.0
    step: float = DEFAULT_STEP_S
    faults: bool = True
    orders: bool = False


def _positive_number(value: Any) -> float | None:
    """A finite number above zero, also written as text (``"20"``); else None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 and math.isfinite(number) else None


def _positive_duration(value: Any) -> float | None:
    """Seconds above zero from ``100ms``, ``2s``, ``0.5``; else None."""
    try:
        seconds = parse_duration(value)
    except ValueError:
        return None
    return seconds if seconds > 0 else None


def parse_options(options: dict[str, Any]) -> tuple[SimOptions | None, dict[str, str]]:
    """The device's simulator options, or None with every problem found, by option name."""
    problems: dict[str, str] = {}
    model = options.get("model")
    if model not in MODELS:
        problems["model"] = (
            f"simulator device needs 'model: press' or 'model: filler', not {model!r}"
        )
    speed = _positive_number(options.get("speed", 1.0))
    if speed is None:
        problems["speed"] = "simulator option 'speed' must be a positive number, e.g. 1 or 20"
    step = _positive_duration(options.get("step", DEFAULT_STEP_S))
    if step is None:
        problems["step"] = "simulator option 'step' must be a positive duration, e.g. 100ms"
    seed = options.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        problems["seed"] = f"simulator option 'seed' must be a whole number, not {seed!r}"
    flags = {}
    for flag, default in (("faults", True), ("orders", False)):
        flags[flag] = options.get(flag, default)
        if not isinstance(flags[flag], bool):
            message = f"simulator option '{flag}' must be true or false, not {flags[flag]!r}"
            problems[flag] = message
    if problems or speed is None or step is None:
        return None, problems
    return SimOptions(str(model), seed, speed, step, flags["faults"], flags["orders"]), {}


def build_model(options: SimOptions) -> PlantModel:
    model = MODELS[options.model](
        options.seed, auto_recover_s=AUTO_RECOVER_S, orders=options.orders
    )
    if not options.faults:
        model.calm()
    return model


def _convert(tag: TagConfig, value: Any) -> Any:
    if tag.data_type is DataType.BOOL:
        return bool(value)
    if tag.data_type is DataType.STRING:
        return str(value)
    if tag.data_type.integer:
        return int(value)
    return float(value)


class SimulatorDriver(Driver):
    """Publishes a model's variables as tags, each at its scan class period."""

    protocol = "simulator"

    def __init__(self, ctx: DriverContext):
        super().__init__(ctx)
        self.options, problems = parse_options(self.device.options)
        self.problem = "; ".join(problems.values())
        self.model = None if self.options is None else build_model(self.options)
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    def validate_device(cls, device: DeviceConfig) -> list[Problem]:
        problems = parse_options(device.options)[1]
        return [Problem(device.source_of(key), message) for key, message in problems.items()]

    @classmethod
    def validate_tag(cls, device: DeviceConfig, tag: TagConfig) -> list[Problem]:
        model_name = device.options.get("model")
        model = MODELS.get(model_name) if isinstance(model_name, str) else None
        if tag.derived or model is None:
            return []
        name = tag.address.strip()
        try:
            variable = model.variable(name)
        except KeyError:
            names = model.variable_names()
            hint = did_you_mean(name, names, "variables", listed=len(names))
            message = f"the {device.options['model']} simulator has no variable '{name}'; {hint}"
            return [Problem(tag.source_of("address"), f"tag '{tag.name}': {message}")]
        if tag.writable and not variable.writable:
            message = f"simulator variable '{name}' is read-only; remove 'writable'"
            return [Problem(tag.source_of("writable"), f"tag '{tag.name}': {message}")]
        return []

    async def start(self) -> None:
        if self._tasks:
            return
        if self.model is None or self.options is None:
            self._state(DeviceStatus.OFFLINE, self.problem)
            self.ctx.sink.publish({tag.name: bad(self.problem) for tag in self.tags})
            return
        self._state(DeviceStatus.ONLINE)
        self.ctx.sink.publish(self._sample(self.tags))
        self._tasks.append(
            asyncio.create_task(
                run_periodic(self.options.step, self._step, name=self._name("model"))
            )
        )
        for period, tags in self._tags_by_period().items():
            self._tasks.append(
                asyncio.create_task(
                    run_periodic(period, partial(self._publish, tags), name=self._name("scan"))
                )
            )

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        await cancel_and_wait(tasks, what=f"simulator {self.device.name}")
        self._state(DeviceStatus.STOPPED)

    async def write(self, tag: TagConfig, raw_value: Any) -> WriteResult:
        if self.model is None:
            return WriteResult(tag.name, WriteStatus.REFUSED, self.problem)
        if not tag.writable:
            return WriteResult(tag.name, WriteStatus.REFUSED, f"{tag.name} is not writable")
        name = tag.address.strip()
        try:
            self.model.write(name, raw_value)
        except WriteRefused as exc:
            return WriteResult(tag.name, WriteStatus.FAILED, str(exc))
        readback = _convert(tag, self.model.read(name))
        self.ctx.sink.publish(self._sample([tag]))
        return WriteResult(tag.name, WriteStatus.DONE, readback=readback)

    async def read(self, tags: Sequence[TagConfig]) -> Batch:
        if self.model is None:
            return {tag.name: bad(self.problem) for tag in tags}
        return self._sample(tags)

    def _sample(self, tags: Sequence[TagConfig]) -> Batch:
        assert self.model is not None
        now = time.time()
        batch: Batch = {}
        for tag in tags:
            name = tag.address.strip()
            try:
                batch[tag.name] = TagValue(
                    _convert(tag, self.model.read(name)), source_ts=now, ts=now
                )
            except KeyError:
                batch[tag.name] = bad(f"simulator has no variable {name!r}", ts=now)
            except (TypeError, ValueError) as exc:
                batch[tag.name] = bad(f"{name} is not a {tag.data_type.value}: {exc}", ts=now)
        return batch

    async def _step(self) -> None:
        assert self.model is not None and self.options is not None
        self.model.advance(self.options.step * self.options.speed)

    async def _publish(self, tags: list[TagConfig]) -> None:
        self.ctx.sink.publish(self._sample(tags))

    def _tags_by_period(self) -> dict[float, list[TagConfig]]:
        groups: dict[float, list[TagConfig]] = {}
        normal = self.ctx.scan_classes.get("normal")
        for tag in self.tags:
            scan = self.ctx.scan_classes.get(tag.scan_class, normal)
            period = scan.period if scan is not None else 1.0
            groups.setdefault(period, []).append(tag)
        return groups

    def _state(self, status: DeviceStatus, reason: str = "") -> None:
        self.ctx.sink.device_state(DeviceState(self.device.name, status, reason, time.time()))

    def _name(self, what: str) -> str:
        return f"{self.device.name} {what}"
