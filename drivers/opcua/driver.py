"""The OPC UA driver: a subscription per scan class, reads as the fallback, checked writes.

One connection per device. When it drops, every tag turns Bad once with the reason, and
the driver reconnects under the connection policy (``hmi.core.connection``: backoff with
jitter, demotion of a server that keeps failing), creating its subscriptions anew on the
fresh session. A silent server is found by the client's watchdog read of the server state
every half timeout (see ``connection.open_client``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Sequence
from typing import Any

from asyncua import Client, ua

from hmi.core.connection import ConnectionState
from hmi.core.driver import (
    DeviceState,
    DeviceStatus,
    Driver,
    DriverContext,
    WriteResult,
    WriteStatus,
)
from hmi.core.project.models import DeviceConfig, Problem, TagConfig
from hmi.core.scan import run_periodic
from hmi.core.tags import Batch, Quality, TagValue
from hmi.core.tasks import cancel_and_wait

from .browse import browse as browse_device
from .connection import close_client, connect_failure, open_client, watchdog_interval
from .link import Link
from .monitor import ScanPoller, ScanSubscription
from .options import POLICY, parse_address, parse_options
from .status import describe, describe_error
from .trust import certificate_problems
from .types import TypeResolver, TypeRule, node_verdict
from .write import NodeWriter

log = logging.getLogger(__name__)

READ_FIRST_ABOVE_S = 1.0  # scan classes slower than this read their values once at subscribe
DEFAULT_PERIOD = 1.0  # for a tag whose scan class is unknown (``hmi check`` reports it)


class OpcUaDriver(Driver):
    """Reads and writes the variables of one OPC UA server."""

    protocol = "opcua"
    own_loop = True  # asyncua decodes each publish response on it, 2,000 items at once
    browse = staticmethod(browse_device)

    def __init__(self, ctx: DriverContext):
        super().__init__(ctx)
        self.options, problems = parse_options(ctx.device)
        self._setup_problem = "; ".join(p.message for p in problems)
        # the device under the connection policy: failures, demotion, next attempt
        self.connection = ConnectionState(self.options.connection if self.options else POLICY)
        self._device_tags = [t for t in self.tags if not t.derived]
        self._addresses: dict[str, ua.NodeId] = {}
        self._address_problems: dict[str, str] = {}
        for tag in self._device_tags:
            try:
                self._addresses[tag.name] = parse_address(tag.address)
            except ValueError as exc:
                self._address_problems[tag.name] = str(exc)
        self._status: DeviceStatus | None = None
        self._reason = ""
        self._task: asyncio.Task[None] | None = None
        self._link: Link | None = None
        self._types = TypeResolver()
        self._writer = NodeWriter(self._types)
        self._failing_scans: set[str] = set()
        self._types_said: set[tuple[str, str]] = set()  # wrong types logged, once per tag

    # -- project checks -----------------------------------------------------------------

    @classmethod
    def validate_device(cls, device: DeviceConfig) -> list[Problem]:
        options, problems = parse_options(device)
        return problems if options is None else certificate_problems(device, options)

    @classmethod
    def validate_tag(cls, device: DeviceConfig, tag: TagConfig) -> list[Problem]:
        if tag.derived:
            return []
        try:
            parse_address(tag.address)
        except ValueError as exc:
            return [Problem(tag.source_of("address"), f"tag '{tag.name}': {exc}")]
        return []

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        self._set_state(DeviceStatus.CONNECTING)
        if self._address_problems:
            now = time.time()
            problems = self._address_problems.items()
            self.ctx.sink.publish(
                {n: TagValue(None, Quality.BAD, None, now, why) for n, why in problems}
            )
        if self.options is None:
            reason = f"invalid device options: {self._setup_problem}"
            self._set_state(DeviceStatus.STOPPED, reason)
            self._publish_all_bad(reason)
            return
        if not self.options.secure:
            log.info(
                "%s: security None: the connection to %s is neither authenticated nor "
                "encrypted (the server is not checked, values travel in clear)",
                self.device.name,
                self.options.endpoint,
            )
        self._task = asyncio.create_task(self._run(), name=f"opcua:{self.device.name}")

    async def stop(self) -> None:
        """Close the connection. Tags keep their last values: a one-shot read needs them."""
        task, self._task = self._task, None
        if task is not None:
            await cancel_and_wait([task], what=f"opcua {self.device.name}")
        self._set_state(DeviceStatus.STOPPED, "stopped")

    async def _run(self) -> None:
        """Connect, serve until the connection ends, wait as the policy says, again."""
        while True:
            try:
                reason = await self._connect_and_serve()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a fault of the driver itself: report it, keep trying
                log.exception("%s: connection handling failed", self.device.name)
                reason = f"driver fault: {describe_error(exc)}"
            self.connection.failed()
            self._go_offline(reason)
            await self.connection.until_due()

    async def _connect_and_serve(self) -> str:
        """Connect and keep values flowing until the connection is lost; say why it ended."""
        assert self.options is not None
        watchdog = watchdog_interval(self.options)
        link = Link(self.ctx.sink.publish, self.options.max_items_per_request, watchdog)
        try:
            link.client = await open_client(
                self.device, self.options, self.ctx.data_dir, on_lost=link.on_lost
            )
        except Exception as exc:
            return connect_failure(self.options, exc)
        pollers: list[asyncio.Task[None]] = []
        try:
            await self._serve(link, pollers)
        except Exception as exc:
            log.debug("%s: session ended", self.device.name, exc_info=True)
            link.fail(describe_error(exc, self.options.timeout))
        finally:
            self._link = None
            link.fail("stopped")  # no-op after a loss; on stop, silences late responses
            await cancel_and_wait(pollers, what=f"opcua {self.device.name}")
            await close_client(link.client, self.options.timeout)
        return link.reason

    async def _serve(self, link: Link, pollers: list[asyncio.Task[None]]) -> None:
        assert self.options is not None and link.client is not None
        self._writer.forget()
        self._types.forget()
        self._failing_scans.clear()
        link.node_ids, unresolved = await self._resolve(link.client, self._device_tags)
        await link.learn_limits()
        rules = await self._type_rules(
            link.client, self._device_tags, link.node_ids, link.read_limit
        )
        self._link = link
        self._set_state(DeviceStatus.ONLINE)
        if unresolved:
            link.publish(unresolved)
        for scan, period, names in self._scan_groups(link.node_ids):
            ids = [link.node_ids[n] for n in names]
            scan_rules = [rules[n] for n in names]
            if self.options.subscriptions and await self._subscribe(
                link, period, names, ids, scan_rules
            ):
                continue
            poller = ScanPoller(link.client.uaclient, names, ids, link.read_limit, scan_rules)
            work = functools.partial(self._poll, link, scan, poller)
            pollers.append(asyncio.create_task(run_periodic(period, work, name=f"opcua:{scan}")))
        await link.lost.wait()
        self._go_offline(link.reason)  # Bad at once; closing a dead session may take a while

    async def _subscribe(
        self,
        link: Link,
        period: float,
        names: list[str],
        ids: list[ua.NodeId],
        rules: list[TypeRule],
    ) -> bool:
        """Subscribe a scan class; False when the server refuses, so it is read instead."""
        assert link.client is not None
        sub = ScanSubscription(
            link.client.uaclient,
            period,
            names,
            ids,
            link.publish,
            link.fail,
            link.monitor_limit,
            rules,
        )
        try:
            refused = await sub.create()
        except ua.UaStatusCodeError as exc:
            reason = describe(int(exc.code))
            log.warning("%s: subscription refused (%s); reading instead", self.device.name, reason)
            await sub.delete()
            return False
        if refused:
            link.publish(refused)
        if period > READ_FIRST_ABOVE_S:
            await self._read_first_values(link, names, ids, rules, refused)
        return True

    async def _read_first_values(
        self,
        link: Link,
        names: list[str],
        ids: list[ua.NodeId],
        rules: list[TypeRule],
        refused: Batch,
    ) -> None:
        """A slow subscription's first notification comes a whole publishing interval later
        (10 s for a slow scan class): read its values once so screens are not empty until then."""
        assert link.client is not None
        wanted = [k for k, name in enumerate(names) if name not in refused]
        poller = ScanPoller(
            link.client.uaclient,
            [names[k] for k in wanted],
            [ids[k] for k in wanted],
            link.read_limit,
            [rules[k] for k in wanted],
        )
        try:
            link.publish(await poller.read())
        except Exception as exc:  # the subscription will deliver them; nothing is lost
            log.debug("%s: first read of a slow scan class failed: %s", self.device.name, exc)

    async def _poll(self, link: Link, scan: str, poller: ScanPoller) -> None:
        assert self.options is not None
        try:
            batch = await self._read_repeating(poller)
        except ConnectionError as exc:
            link.fail(describe_error(exc))
            return
        except Exception as exc:
            if scan not in self._failing_scans:
                self._failing_scans.add(scan)
                link.publish(poller.failed(exc, self.options.timeout))
                self._set_state(DeviceStatus.DEGRADED, describe_error(exc, self.options.timeout))
            return
        link.publish(batch)
        if scan in self._failing_scans:
            self._failing_scans.discard(scan)
            if not self._failing_scans:
                self._set_state(DeviceStatus.ONLINE)

    async def _type_rules(
        self,
        client: Client,
        tags: Sequence[TagConfig],
        node_ids: dict[str, ua.NodeId],
        per_request: int,
    ) -> dict[str, TypeRule]:
        """What each tag accepts, narrowed by its node's DataType, read once per session;
        a mismatch is logged once per tag (not per value) and makes every value Bad."""
        types = {t.name: t.data_type for t in tags}
        said = self._types_said
        rules = {n: TypeRule(n, types[n], self.device.name, said) for n in node_ids}
        try:
            found = await self._types.read(client, list(node_ids.values()), per_request)
        except ua.UaStatusCodeError as exc:  # each value's own type is still checked
            log.debug("%s: data types not read: %s", self.device.name, describe_error(exc))
            return rules
        for rule, node in zip(rules.values(), found, strict=True):
            reason = node_verdict(rule.tag_type, node)
            if reason:
                rule.refuse(reason, node)
        return rules

    async def _read_repeating(self, poller: ScanPoller) -> Batch:
        """A Read that timed out is sent again, ``retries`` times, before the scan fails."""
        assert self.options is not None
        for _ in range(self.options.connection.retries):
            try:
                return await poller.read()
            except TimeoutError:
                continue
        return await poller.read()

    def _scan_groups(self, node_ids: dict[str, ua.NodeId]) -> list[tuple[str, float, list[str]]]:
        groups: dict[str, list[str]] = {}
        for tag in self._device_tags:
            if tag.name in node_ids:
                groups.setdefault(tag.scan_class, []).append(tag.name)
        out = []
        for scan, names in groups.items():
            scan_class = self.ctx.scan_classes.get(scan)
            out.append((scan, scan_class.period if scan_class else DEFAULT_PERIOD, names))
        return out

    async def _resolve(
        self, client: Client, tags: Sequence[TagConfig]
    ) -> tuple[dict[str, ua.NodeId], Batch]:
        """NodeIds on this server; ``nsu=`` addresses need the server's namespace table."""
        resolved: dict[str, ua.NodeId] = {}
        refused: Batch = {}
        namespaces: list[str] | None = None
        now = time.time()
        for tag in tags:
            node_id = self._addresses.get(tag.name) or _try_parse(tag.address)
            if node_id is None:
                reason = self._address_problems.get(tag.name) or _address_problem(tag.address)
                refused[tag.name] = TagValue(None, Quality.BAD, None, now, reason)
                continue
            uri = getattr(node_id, "NamespaceUri", None)
            if uri:
                if namespaces is None:
                    namespaces = await client.get_namespace_array()
                if uri not in namespaces:
                    reason = f"namespace '{uri}' is not on the server"
                    refused[tag.name] = TagValue(None, Quality.BAD, None, now, reason)
                    continue
                index = ua.Int16(namespaces.index(uri))
                node_id = ua.NodeId(node_id.Identifier, index, node_id.NodeIdType)
            resolved[tag.name] = node_id
        return resolved, refused

    # -- state --------------------------------------------------------------------------

    def _set_state(self, status: DeviceStatus, reason: str = "") -> None:
        if status is self._status:
            return
        if status is DeviceStatus.ONLINE and self.connection.succeeded():
            log.info("%s: recovered", self.device.name)
        self._status, self._reason = status, reason
        self.ctx.sink.device_state(DeviceState(self.device.name, status, reason, time.time()))

    def _go_offline(self, reason: str) -> None:
        """Every tag Bad once per outage, and the device OFFLINE with the same reason;
        DEMOTED (tried once every ``demote_for``) once it has kept failing."""
        if self._status is DeviceStatus.STOPPED or self._task is None:
            return
        connection = self.connection
        if self._status not in (DeviceStatus.OFFLINE, DeviceStatus.DEMOTED):
            log.warning("%s: offline: %s", self.device.name, reason)
            self._set_state(DeviceStatus.OFFLINE, reason)
            self._publish_all_bad(reason)
        if connection.demoted and self._status is not DeviceStatus.DEMOTED:
            log.warning(
                "%s: demoted after %d failed attempts, now tried every %g s: %s",
                self.device.name,
                connection.failures,
                connection.policy.demote_for,
                reason,
            )
            self._set_state(DeviceStatus.DEMOTED, reason)
        if reason != self._reason and self._status is not None:
            # the fault changed during the outage (a server back with another certificate,
            # or refusing the login): the device state tells the new one (the tags stay
            # Bad from the outage's start: once per outage)
            log.warning("%s: still %s: %s", self.device.name, self._status.value, reason)
            self._reason = reason
            state = DeviceState(self.device.name, self._status, reason, time.time())
            self.ctx.sink.device_state(state)

    def _publish_all_bad(self, reason: str) -> None:
        now = time.time()
        problems = self._address_problems
        self.ctx.sink.publish(
            {
                t.name: TagValue(None, Quality.BAD, None, now, problems.get(t.name, reason))
                for t in self._device_tags
            }
        )

    # -- one-shot read and write --------------------------------------------------------

    async def read(self, tags: Sequence[TagConfig]) -> Batch:
        """Read ``tags`` once, on the live connection or on a short-lived one."""
        if self.options is None:
            return _all_bad(tags, f"invalid device options: {self._setup_problem}")
        link = self._link
        if link is not None and link.client is not None:
            return await self._read_once(link.client, tags, link.read_limit)
        try:
            client = await open_client(self.device, self.options, self.ctx.data_dir)
        except Exception as exc:
            return _all_bad(tags, connect_failure(self.options, exc))
        try:
            return await self._read_once(client, tags, self.options.max_items_per_request)
        finally:
            await close_client(client, self.options.timeout)

    async def _read_once(self, client: Client, tags: Sequence[TagConfig], limit: int) -> Batch:
        assert self.options is not None
        try:
            node_ids, batch = await self._resolve(client, tags)
            if node_ids:
                rules = await self._type_rules(client, tags, node_ids, limit)
                poller = ScanPoller(
                    client.uaclient,
                    list(node_ids),
                    list(node_ids.values()),
                    limit,
                    list(rules.values()),
                )
                batch.update(await poller.read())
        except Exception as exc:
            return _all_bad(tags, describe_error(exc, self.options.timeout))
        return batch

    async def write(self, tag: TagConfig, raw_value: Any) -> WriteResult:
        """Write with the node's own data type, then read back and compare."""
        name = tag.name
        if not tag.writable:
            return WriteResult(name, WriteStatus.REFUSED, "the tag is not writable")
        problem = "" if name in self._addresses else _address_problem(tag.address)
        if problem:
            return WriteResult(name, WriteStatus.REFUSED, problem)
        link = self._link
        if self.options is None or link is None or link.client is None:
            reason = f"device {self.device.name} offline: {self._reason or 'not connected'}"
            return WriteResult(name, WriteStatus.FAILED, reason)
        client = link.client
        node_id = link.node_ids.get(name)
        if node_id is None:
            try:
                node_ids, refused = await self._resolve(client, [tag])
            except Exception as exc:
                return WriteResult(name, WriteStatus.FAILED, describe_error(exc))
            if refused:
                return WriteResult(name, WriteStatus.FAILED, refused[name].reason)
            node_id = node_ids[name]
        return await self._writer.write(client, name, node_id, raw_value, self.options.timeout)


def _try_parse(address: str) -> ua.NodeId | None:
    try:
        return parse_address(address)
    except ValueError:
        return None


def _address_problem(address: str) -> str:
    try:
        parse_address(address)
    except ValueError as exc:
        return str(exc)
    return ""


def _all_bad(tags: Sequence[TagConfig], reason: str) -> Batch:
    now = time.time()
    return {t.name: TagValue(None, Quality.BAD, None, now, reason) for t in tags}
