"""MES sync as a capability: the ``mes:`` section, the ``Mes`` service over the outbox,
its figures out as system tags.

System tags, per target ``_sys.mes.<target>.<field>``: ``backlog`` (events not yet sent),
``oldest_s`` (age of the oldest of them), ``last_success`` (epoch s), ``last_error``,
``quarantined``, ``state`` (ok, retrying, failing, stopped); for the target released
orders come from, ``orders_state``, ``orders_error``, ``orders_last_poll``,
``orders_refused`` and ``orders_notice`` (the latest refusal, for the supervisor);
``_sys.mes.health`` (Bad while a target or the order download is failing, with why).
The audit chain's head goes upstream as ``audit.head`` events (``audit_head``). Without a
``mes:`` section it does nothing: the outbox just grows, as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from ..capability import Capability, CapabilityContext, health_value
from ..project.models import DataType, Problem, Project, Section, TagConfig
from ..systemtags import FieldType, field_tags
from ..tags import Batch, TagValue, good
from .service import DISCARD, EXPORT, RETRY
from .target import TargetError

if TYPE_CHECKING:
    from ..commands import CommandSet
    from ..subscription import Subscription
    from .audit_head import HeadSender
    from .config import MesConfig, TargetConfig
    from .delivery import Status
    from .intake import Intake, IntakeStatus
    from .service import Mes

PREFIX = "_sys.mes."
HEALTH_TAG = f"{PREFIX}health"

_F, _I, _S = DataType.FLOAT64, DataType.INT64, DataType.STRING
#: each target field's type, units, decimals and what it says (for alarms, history, trends)
FIELD_TYPES: dict[str, FieldType] = {
    "backlog": (_I, "", None, "events not yet sent"),
    "oldest_s": (_F, "s", 1, "age of the oldest unsent event"),
    "last_success": (_F, "s", 0, "last batch taken (epoch s)"),
    "last_error": (_S, "", None, "last error"),
    "quarantined": (_I, "", None, "events refused, kept aside"),
    "state": (_S, "", None, "state (ok, retrying, failing, stopped)"),
}


#: the fields of the target released orders come from
ORDER_FIELD_TYPES: dict[str, FieldType] = {
    "orders_state": (_S, "", None, "order download (ok, retrying, failing)"),
    "orders_error": (_S, "", None, "why the order download failed"),
    "orders_last_poll": (_F, "s", 0, "last order list read (epoch s)"),
    "orders_refused": (_I, "", None, "released orders refused"),
    "orders_notice": (_S, "", None, "the latest order refused, and why"),
}


def target_tag(target: str, field: str) -> str:
    """``_sys.mes.<target>.<field>``."""
    return f"{PREFIX}{target}.{field}"


def status_batch(status: Status) -> Batch:
    """A target's figures as its system tags."""
    values: dict[str, Any] = {
        "backlog": status.backlog,
        "oldest_s": round(status.oldest_s, 1),
        "last_success": status.last_success or 0.0,
        "last_error": status.last_error,
        "quarantined": status.quarantined,
        "state": status.state,
    }
    return {target_tag(status.target, k): good(v) for k, v in values.items()}


def _feed(on_values: Callable[[Batch], None], batches: list[Batch]) -> None:
    for batch in batches:
        on_values(batch)


def intake_batch(status: IntakeStatus) -> Batch:
    """The order download's figures as its target's system tags."""
    values: dict[str, Any] = {
        "orders_state": status.state,
        "orders_error": status.error,
        "orders_last_poll": status.last_poll or 0.0,
        "orders_refused": status.refused,
        "orders_notice": status.notice,
    }
    return {target_tag(status.target, k): good(v) for k, v in values.items()}


def health_of(statuses: Mapping[str, Status], intake: IntakeStatus | None = None) -> str | None:
    """Why the sync does not work (the failing targets and their errors), or None."""
    failing = [
        f"{s.target} failing: {s.last_error}" for s in statuses.values() if s.state == "failing"
    ]
    if intake is not None and intake.state == "failing":
        failing.append(f"orders from {intake.target} failing: {intake.error}")
    return "; ".join(failing) or None


class MesCapability(Capability):
    name = "mes"
    sections = ("mes",)
    system_tags = (f"{PREFIX}*",)
    health_tag = HEALTH_TAG
    permissions: ClassVar[Mapping[str, str]] = {
        RETRY: "send events a MES target refused again",
        DISCARD: "give up on events a MES target refused (with a reason)",
        EXPORT: "export the events a MES target refused",
    }
    order = 60  # after orders and vision (whose events it forwards)
    at_console = True  # hmi mes ... acts through the same service

    mes: Mes | None = None
    intake: Intake | None = None  # released orders into the queue
    heads: HeadSender | None = None  # the audit chain's head upstream
    config: MesConfig | None = None

    def __init__(self, context: CapabilityContext):
        super().__init__(context)
        self._statuses: dict[str, Status] = {}
        self._intake_status: IntakeStatus | None = None
        self._lock = threading.Lock()
        self._live: list[tuple[Any, Subscription]] = []  # targets fed the engine's values

    @classmethod
    def schemas(cls) -> dict[str, Any]:
        from . import intake, schema

        return {schema.COMPONENT: schema.STEPS, intake.COMPONENT: intake.SCHEMA}

    @classmethod
    def check(cls, project: Project) -> list[Problem]:
        from .config import mes_problems

        return mes_problems(project)

    @classmethod
    def project_tags(cls, project: Project) -> list[TagConfig]:
        """Every field of each target named in ``mes: targets:``, typed; taken from the
        section as written, so an alarm on a target with a problem of its own is not
        refused a second time."""
        tags = super().project_tags(project)
        section = project.extra.get("mes")
        data = section.data if isinstance(section, Section) else section
        targets = data.get("targets") if isinstance(data, Mapping) else None
        if isinstance(targets, Mapping):
            for name, entry in targets.items():
                tags += field_tags(partial(target_tag, str(name)), FIELD_TYPES, f"MES {name}")
                if isinstance(entry, Mapping) and entry.get("orders") not in (None, False):
                    tags += field_tags(
                        partial(target_tag, str(name)), ORDER_FIELD_TYPES, f"MES {name}"
                    )
        return tags

    @property
    def service(self) -> Any:
        return self.mes

    def start(self) -> None:
        from .config import read_mes
        from .service import Mes

        context = self.context
        config = read_mes(context.project)[0]
        if config is None or not config.targets:
            context.publish_system({HEALTH_TAG: good("ok")})
            return
        self.mes = mes = Mes(config, context.store, context.access, on_status=self._publish)
        mes.load()
        if context.console is None:  # a console command acts on the store alone
            self._attach_live(mes)
            mes.start()
        for status in mes.status():
            self._publish(status)
        self._upstream(config)

    def _upstream(self, config: MesConfig) -> None:
        """The order download and the audit head, where the project has what they need."""
        from .audit_head import HeadSender

        context = self.context
        orders, trail = context.service("orders"), context.service("audit")
        self.config = config
        self.intake = self.make_intake(orders)
        if self.intake is not None and context.console is None:
            self.intake.start()
        # the outbox is the orders'; a console command sends no heads
        wanted = config.audit_head is not None and context.console is None and config.enabled
        if wanted and trail is not None and orders is not None:
            assert config.audit_head is not None
            self.heads = HeadSender(config.audit_head, lambda: trail.head, context.store)
            self.heads.start()

    def make_intake(self, orders: Any) -> Intake | None:
        """The download of released orders into ``orders`` (the orders service), where a
        target has ``orders:``; loaded, not started."""
        from .intake import Intake

        config = self.config
        source = config.order_source if config is not None else None
        if source is None or source.orders is None or orders is None:
            return None
        lines = source.orders.lines or tuple(orders.config.lines)
        store = self.context.store
        made = order_source(source, lines, store)
        return Intake(source, made, orders, store, on_status=self._publish_intake).load()

    def _publish(self, status: Status) -> None:
        with self._lock:
            self._statuses[status.target] = status
            health: TagValue = health_value(health_of(self._statuses, self._intake_status))
        self.context.publish_system({**status_batch(status), HEALTH_TAG: health})

    def _publish_intake(self, status: IntakeStatus) -> None:
        with self._lock:
            self._intake_status = status
            health: TagValue = health_value(health_of(self._statuses, status))
        self.context.publish_system({**intake_batch(status), HEALTH_TAG: health})

    def _attach_live(self, mes: Mes) -> None:
        """Targets that take the engine's values (``attach`` and ``on_values``, such as the
        MQTT namespace) get the project, the current values, this context (the store, the
        other capabilities' services) and a subscription each."""
        for name, delivery in mes.deliveries.items():
            if not delivery.config.enabled:  # kept in the project, sends nothing
                continue
            try:
                target: Any = delivery.target
            except TargetError as error:
                self.context.log.warning("MES target %s: %s", name, error)
                continue
            if not (hasattr(target, "attach") and hasattr(target, "on_values")):
                continue
            target.attach(self.context.project, self.context.values, context=self.context)
            sub = self.context.subscribe(f"mes.{name}", on_loop=partial(_feed, target.on_values))
            self._live.append((target, sub))

    def stop(self, timeout: float = 10.0) -> None:
        if self.heads is not None:
            self.heads.stop(min(timeout, 2.0))
        if self.intake is not None:
            self.intake.stop(min(timeout, 5.0))
        live, self._live = self._live, []
        for _, sub in live:
            self.context.unsubscribe(sub)
        if self.mes is not None:
            self.mes.stop(min(timeout, 5.0))
        for target, _ in live:
            if hasattr(target, "detach"):
                target.detach()

    @classmethod
    def add_commands(cls, commands: CommandSet) -> None:
        from .console import add_commands

        add_commands(commands)

    def summary(self) -> list[str]:
        with self._lock:
            statuses = list(self._statuses.values())
            intake = self._intake_status
        lines = [
            f"mes {s.target}: {s.state}, {s.backlog} to send"
            + (f" (oldest {s.oldest_s:.0f} s)" if s.backlog else "")
            + (f", {s.quarantined} quarantined" if s.quarantined else "")
            + (f", last error: {s.last_error}" if s.state != "ok" and s.last_error else "")
            for s in statuses
        ]
        if intake is not None:
            refused = f", {intake.refused} refused (latest: {intake.notice})"
            lines.append(
                f"mes orders from {intake.target}: {intake.state}"
                + (refused if intake.refused else "")
                + (f", last error: {intake.error}" if intake.error else "")
            )
        return lines


def order_source(target: TargetConfig, lines: tuple[str, ...], store: Any) -> Any:
    """The order source of ``target``'s kind (``ORDER_SOURCES``), on a target instance of
    its own (its own connection, beside the one the delivery sends on)."""
    import importlib

    from .target import ORDER_SOURCES

    module, _, name = ORDER_SOURCES[target.kind].partition(":")
    return getattr(importlib.import_module(module), name).build(target.make(), lines, store)
