"""Work orders as a capability: the ``orders:`` section, the ``Orders`` service, the PLC's
counter and machine-state tags in, the order system tags out, the order data written to
the PLC when an order starts, and the shift's end recorded (and reported) when it comes.

The counter and state tags are taken on a thread of its own (never on the engine's
loop): each reading becomes a count step at once, and every 100 ms one transaction per
line writes them. A project without an ``orders:`` section runs no service.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..alarms import SUMMARY_PREFIX
from ..capability import Capability, CapabilityContext, health_value
from ..driver import WriteStatus
from ..project.models import DataType, Problem, Project, Section, TagConfig
from ..subscription import Subscription
from ..systemtags import FieldType, field_tags, system_tag
from ..tags import Batch, Quality, TagValue, good
from .config import OrdersConfig, orders_problems, read_orders
from .downtime import state_from
from .model import MachineState, Order, OrderState, ShiftSpan
from .report import pdf_command, report_file, write_csv
from .service import (
    ABORT,
    ASSIGN,
    COMPLETE,
    CORRECT,
    HOLD,
    MANAGE,
    REPORTS,
    SCRAP,
    START,
    Orders,
)

if TYPE_CHECKING:
    from ..commands import CommandSet

PREFIX = "_sys.orders."
HEALTH_TAG = f"{PREFIX}health"
UNASSIGNED_TAG = f"{PREFIX}unassigned_stops"
#: per line: _sys.orders.<line>.<field>
LINE_FIELDS = ("order", "state", "good", "scrap", "uninspected", "target", "progress", "oee")
_S, _I, _F = DataType.STRING, DataType.INT64, DataType.FLOAT64
#: each line field's type, units, decimals and what it says (for alarms, history, trends)
FIELD_TYPES: dict[str, FieldType] = {
    "order": (_S, "", None, "order running or held"),
    "state": (_S, "", None, "its order's state"),
    "good": (_I, "pcs", None, "good pieces of the order"),
    "scrap": (_I, "pcs", None, "scrap pieces of the order"),
    "uninspected": (_I, "pcs", None, "pieces of the order not inspected"),
    "target": (_I, "pcs", None, "the order's target"),
    "progress": (_F, "%", 1, "the order's progress"),
    "oee": (_F, "%", 1, "the order's OEE"),
}
EVENTS_TAG = f"{SUMMARY_PREFIX}events"  # the alarms capability's events of each cycle
TICK_S = 0.1
PUBLISH_S = 1.0
SHIFT_CHECK_S = 5.0


def line_tag(line: str, field: str) -> str:
    return f"{PREFIX}{line}.{field}"


class OrdersCapability(Capability):
    name = "orders"
    sections = ("orders",)
    system_tags = (f"{PREFIX}*",)
    health_tag = HEALTH_TAG
    permissions: ClassVar[Mapping[str, str]] = {
        START: "start the next order (and create one at the line when the MES is away)",
        HOLD: "hold and resume an order",
        COMPLETE: "complete an order",
        ABORT: "abort an order",
        MANAGE: "create, import and re-sequence orders",
        ASSIGN: "give stops their reason, split and merge them",
        SCRAP: "record scrap with its reason",
        CORRECT: "correct an order's counts",
        REPORTS: "see and print shift reports",
    }
    order = 40  # after users and audit (who acts, what is kept) and the alarms (counted)
    at_console = True  # hmi orders ... acts through the same service

    orders: Orders | None = None

    def __init__(self, context: CapabilityContext):
        super().__init__(context)
        self.config: OrdersConfig | None = None
        self._sub: Subscription | None = None
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._stopping = False
        self._values: dict[str, TagValue] = {}
        self._counters: dict[str, str] = {}  # counter tag -> its line
        self._states: dict[str, str] = {}  # state or flag tag -> line
        self._children: list[subprocess.Popen[bytes]] = []
        self.problem: str | None = None

    @classmethod
    def schemas(cls) -> dict[str, Any]:
        from .schema import COMPONENT, STEPS

        return {COMPONENT: STEPS}

    @classmethod
    def check(cls, project: Project) -> list[Problem]:
        return orders_problems(project)

    @classmethod
    def project_tags(cls, project: Project) -> list[TagConfig]:
        """Each line's figures under ``orders: lines:`` (as written: reading the whole
        section checks counters, which asks for these very tags) and the stops without a
        reason; only its health without an ``orders:`` section (nothing publishes the rest)."""
        tags = super().project_tags(project)
        section = project.extra.get("orders")
        data = section.data if isinstance(section, Section) else section
        if data is None:
            return tags
        tags.append(system_tag(UNASSIGNED_TAG, _I, description="stops without a reason"))
        lines = data.get("lines") if isinstance(data, Mapping) else None
        for line in lines if isinstance(lines, Mapping) else ():
            title = str(project.lines.get(line, line))
            known = str(line) if line in project.lines else ""
            tags += field_tags(partial(line_tag, str(line)), FIELD_TYPES, title, known)
        return tags

    @classmethod
    def project_words(cls, project: Project) -> dict[str, set[str]]:
        """The reason tree's categories and reasons, the scrap reasons, the shifts' names
        and the products of the demo's order queue (``orders.csv`` beside project.yaml),
        all looked up as ``Orders`` by the order views and the shift report."""
        from .console import DEMO_ORDERS
        from .transfer import read_order_file

        config, _ = read_orders(project)
        if config is None:
            return {}
        words = {text for r in config.reasons for text in (r.category, r.name)}
        words.update(config.scrap_reasons, (s.name for s in config.calendar.shifts))
        queue = Path(project.root) / DEMO_ORDERS
        if queue.is_file():
            rows, _ = read_order_file(queue)
            words.update(str(fields["product"]) for _, fields in rows if fields.get("product"))
        return {"Orders": words}

    @property
    def service(self) -> Any:
        return self.orders

    # -- life -------------------------------------------------------------------------------

    def start(self) -> None:
        context = self.context
        self.config = config = read_orders(context.project)[0]
        if config is None:
            context.publish_system({HEALTH_TAG: good("ok")})
            return
        self.orders = orders = Orders(
            config, context.store, context.access, line_titles=context.project.lines
        )
        orders.load()
        orders.on_started = self._download
        orders.on_ended = self._end
        orders.watch(self._publish_line)
        for line_id, line in config.lines.items():
            for counter in line.counters.values():
                self._counters[counter.tag] = line_id
            if line.state is not None:
                if line.state.tag:
                    self._states[line.state.tag] = line_id
                for flag in line.state.flags.values():
                    self._states[flag] = line_id
        self._publish_all()
        if context.console is not None:
            return  # a console command: no tags to follow
        tags = {*self._counters, *self._states, EVENTS_TAG}
        self._sub = context.subscribe(tags=tags, wake=self._wake.set, initial=True)
        self._thread = threading.Thread(target=self._run, name="hmi-orders", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping = True
        self._wake.set()
        if self._sub is not None:
            self.context.unsubscribe(self._sub)
        if self._thread is not None:
            self._thread.join(timeout)
        if self.orders is not None:
            self.orders.close()
        for child in self._children:
            try:
                child.wait(max(timeout, 0.1))
            except subprocess.TimeoutExpired:
                self.context.log.warning(
                    "the shift report PDF (pid %d) is still being written", child.pid
                )

    def _run(self) -> None:
        orders = self.orders
        assert orders is not None and self._sub is not None
        next_publish = next_shift = 0.0
        while not self._stopping:
            self._wake.wait(TICK_S)
            self._wake.clear()
            try:
                for batch in self._sub.take():
                    self._handle(orders, batch)
                orders.tick()
                now = time.monotonic()
                if now >= next_publish:
                    next_publish = now + PUBLISH_S
                    self._publish_all()
                if now >= next_shift:
                    next_shift = now + SHIFT_CHECK_S
                    self._close_shifts(orders)
                self._health(None)
            except Exception as exc:
                self.context.log.exception("orders: handling tag values failed")
                self._health(f"counting failed: {exc}")
                time.sleep(TICK_S)

    def _handle(self, orders: Orders, batch: Batch) -> None:
        lines = set()
        for tag, tv in batch.items():
            self._values[tag] = tv
            ts = tv.ts or None
            if tag in self._counters:
                raw = _whole(tv.value)
                orders.feed_counter(self._counters[tag], tag, raw, tv.quality is Quality.GOOD, ts)
            elif tag in self._states:
                lines.add(self._states[tag])
            elif tag == EVENTS_TAG and tv.value:
                self._alarms(orders, tv.value)
        for line in lines:
            orders.feed_state(line, self._machine_state(line), None)

    def _machine_state(self, line: str) -> MachineState:
        assert self.config is not None
        state = self.config.lines[line].state
        if state is None:
            return MachineState.RUNNING
        flags = {}
        for name, tag in state.flags.items():
            tv = self._values.get(tag)
            flags[name] = bool(tv is not None and tv.quality is Quality.GOOD and tv.value)
        value = None
        if state.tag:
            tv = self._values.get(state.tag)
            if tv is None or tv.quality is Quality.BAD:
                return MachineState.NO_DATA
            value = tv.value
        return state_from(value, state.values, flags, state.default)

    def _alarms(self, orders: Orders, events: Any) -> None:
        for event in events if isinstance(events, tuple | list) else ():
            if isinstance(event, Mapping) and event.get("action") == "activate":
                orders.record_alarm(
                    str(event.get("line") or ""),
                    int(event.get("priority") or 0),
                    str(event.get("alarm_id") or ""),
                    float(event.get("time") or time.time()),
                )

    # -- shift end --------------------------------------------------------------------------

    def _close_shifts(self, orders: Orders) -> None:
        assert self.config is not None
        now = orders.now()
        for line in self.config.lines:
            for shift in orders.shifts_to_close(line, now):
                report = orders.close_shift(line, shift)
                if report is not None and self.config.report_at_shift_end:
                    self.write_reports(line, shift, report)

    def write_reports(self, line: str, shift: ShiftSpan, report: Any = None) -> Path | None:
        """The CSV now, the PDF in a process of its own (Qt is not the core's); returns
        the CSV's path, None if it could not be written (logged)."""
        orders, config = self.orders, self.config
        assert orders is not None and config is not None
        data_dir = self.context.data_dir
        csv_path = report_file(data_dir, line, shift, "csv")
        try:
            csv_path.parent.mkdir(parents=True, exist_ok=True)
            write_csv(report or orders.shift_report(line, shift), csv_path, config.calendar.tz)
        except OSError as error:
            self.context.log.error("shift report %s: %s", csv_path, error)
            return None
        command = pdf_command(
            self.context.project.root,
            line,
            shift,
            report_file(data_dir, line, shift, "pdf"),
            data_dir,
        )
        self._children = [c for c in self._children if c.poll() is None]
        try:
            self._children.append(
                subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
        except OSError as error:
            self.context.log.error("shift report PDF: cannot start %s: %s", command[0], error)
        self._prune(data_dir, config.report_keep_s)
        return csv_path

    @staticmethod
    def _prune(data_dir: Path, keep_s: float) -> None:
        oldest = time.time() - keep_s
        for path in (Path(data_dir) / "reports").glob("*/*.*"):
            try:
                if path.stat().st_mtime < oldest:
                    path.unlink()
            except OSError:
                pass

    # -- the PLC ----------------------------------------------------------------------------

    def _download(self, order: Order, user: str) -> None:
        """Write the order's data to the line's download tags, on behalf of ``user``."""
        assert self.config is not None
        line = self.config.lines[order.line]
        if self.context.console is not None:
            if line.download:
                print(
                    f"{order.number}: its data reaches the PLC when a station starts it "
                    "(the command line writes no order data)",
                    file=sys.stderr,
                )
            return
        values = {"number": order.number, "target": order.target, **order.product}
        values["ideal_cycle_s"] = order.ideal_cycle_s or line.ideal_cycle_s
        for field, tag in line.download.items():
            value = self._for_tag(tag, values.get(field))
            if value is None:
                continue
            try:
                future = self.context.write(tag, value, user)
            except Exception as exc:
                self.context.log.warning("order %s: cannot write %s: %s", order.number, tag, exc)
                continue
            future.add_done_callback(partial(self._written, order.number, tag))

    def _end(self, order: Order, user: str) -> None:
        """Tell the PLC the order ended: its target tag written 0 (no order), so a line
        completed short of target or aborted stops making it."""
        assert self.config is not None
        tag = self.config.lines[order.line].download.get("target")
        if tag is None or self.context.console is not None:
            return
        try:
            future = self.context.write(tag, 0, user)
        except Exception as exc:
            self.context.log.warning("order %s: cannot write %s: %s", order.number, tag, exc)
            return
        future.add_done_callback(partial(self._written, order.number, tag))

    def _for_tag(self, tag: str, value: Any) -> Any:
        config = self.context.project.tags.get(tag)
        if value is None or config is None:
            return value
        if config.data_type.numeric and isinstance(value, str):
            digits = re.findall(r"\d+(?:\.\d+)?", value)  # die "D-101" -> 101
            return float(digits[-1]) if digits else None
        if config.data_type.integer and isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    def _written(self, number: str, tag: str, future: Any) -> None:
        try:
            result = future.result()
        except Exception as exc:
            self.context.log.warning("order %s: writing %s failed: %s", number, tag, exc)
            return
        if result.status is not WriteStatus.DONE:
            self.context.log.warning(
                "order %s: %s not written to the PLC (%s): %s",
                number, tag, result.status.value, result.message,
            )  # fmt: skip

    # -- system tags ------------------------------------------------------------------------

    def _health(self, problem: str | None) -> None:
        if problem != self.problem:
            self.problem = problem
            self.context.publish_system({HEALTH_TAG: health_value(problem)})

    def _publish_all(self) -> None:
        orders, config = self.orders, self.config
        if orders is None or config is None:
            return
        batch: Batch = {HEALTH_TAG: health_value(self.problem)}
        for line in config.lines:
            batch.update(self._line_values(orders, line))
        batch[UNASSIGNED_TAG] = good(len(orders.unassigned_stops()))
        self.context.publish_system(batch)

    def _publish_line(self, line: str) -> None:
        orders = self.orders
        if orders is None or not line or self.config is None or line not in self.config.lines:
            return
        batch = self._line_values(orders, line)
        batch[UNASSIGNED_TAG] = good(len(orders.unassigned_stops()))
        self.context.publish_system(batch)

    @staticmethod
    def _line_values(orders: Orders, line: str) -> Batch:
        order = orders.running(line) or next(
            (o for o in orders.queue(line) if o.state is OrderState.HELD), None
        )
        oee = orders.live_oee(line).get("order") if order is not None else None
        values: dict[str, Any] = {
            "order": order.number if order else "",
            "state": order.state.value if order else "",
            "good": order.good if order else 0,
            "scrap": order.scrap if order else 0,
            "uninspected": order.uninspected if order else 0,
            "target": order.target if order else 0,
            "progress": round(order.progress * 100.0, 1) if order else 0.0,
            "oee": round(oee.oee * 100.0, 1) if oee is not None and oee.oee is not None else 0.0,
        }
        return {line_tag(line, k): good(v) for k, v in values.items()}

    # -- console and demo -------------------------------------------------------------------

    @classmethod
    def add_commands(cls, commands: CommandSet) -> None:
        from .console import add_commands

        add_commands(commands)

    def prepare_demo(self) -> list[str]:
        from .console import seed_demo

        made = seed_demo(self.orders, Path(self.context.project.root)) if self.orders else []
        return [f"demo orders released: {', '.join(made)}"] if made else []

    def summary(self) -> list[str]:
        orders, config = self.orders, self.config
        if orders is None or config is None:
            return super().summary()
        lines = []
        for line in config.lines:
            order = orders.running(line)
            rate = orders.rate(line)
            doing = (
                f"{order.number} {order.good}/{order.target} ({order.progress:.0%})"
                + (f", {rate:.0f}/h" if rate else "")
                if order
                else f"no order running, {len(orders.queue(line))} queued"
            )
            lines.append(f"orders {line}: {doing}")
        unassigned = len(orders.unassigned_stops())
        if unassigned:
            lines.append(f"orders: {unassigned} stop(s) without a reason")
        return lines + super().summary()


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
