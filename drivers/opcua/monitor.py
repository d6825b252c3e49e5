"""Values of one scan class from the server: by subscription, or by one read per period.

A subscription hands over one batch per publish response. Its callback is registered
with the session directly and gets the whole PublishResult: asyncua's Subscription class
would instead start one asyncio task per changed item (handler API) or queue one event
per item (iterator API), and it has no hook for the notification message as a whole.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence

from asyncua import ua
from asyncua.client.ua_client import UaClient

from hmi.core.tags import Batch, Quality, TagValue

from .status import describe, describe_error, status_to_quality
from .types import TypeRule
from .values import PLAIN, to_python

log = logging.getLogger(__name__)

KEEPALIVE_S = 5.0  # an idle subscription still hears from the server this often
LIFETIME_S = 60.0  # the server drops a subscription nobody asked about for this long
# values per publish response: a server with more sends the rest in the next ones. A
# response is decoded in one piece and handed to the engine as one batch; 500 keeps each
# of those a few milliseconds, where 2,000 at once held the engine's loop for 10-20 ms
NOTIFICATIONS_PER_PUBLISH = 500

Publish = Callable[[Batch], None]


def tag_value(dv: ua.DataValue, now: float, rule: TypeRule | None = None) -> TagValue:
    """A DataValue as a TagValue: plain value, source time in epoch seconds, quality.

    With a ``rule``, a value of a type the tag does not accept is Bad with the reason.
    """
    variant = dv.Value
    value = variant.Value if variant is not None else None
    stamp = dv.SourceTimestamp
    source_ts = stamp.timestamp() if stamp is not None else None
    status = dv.StatusCode
    code = status.value if status is not None else 0
    if rule is not None and value is not None and code & 0x80000000 == 0:
        assert variant is not None
        if variant.VariantType not in rule.accepts or type(value) is list:
            reason = rule.wrong(variant.VariantType, type(value) is list)
            return TagValue(None, Quality.BAD, source_ts, now, reason)
    if type(value) not in PLAIN:
        value = to_python(value)
    if code == 0:
        return TagValue(value, Quality.GOOD, source_ts, now)
    quality, reason = status_to_quality(code)
    return TagValue(value, quality, source_ts, now, reason)


def chunks(count: int, size: int) -> list[range]:
    return [range(i, min(i + size, count)) for i in range(0, count, size)]


class ScanSubscription:
    """One server subscription for one scan class.

    Publishing and sampling intervals are the scan period. Client handle ``i + 1`` is
    tag ``names[i]``, known before the items exist, so an early notification is never lost.
    """

    def __init__(
        self,
        uaclient: UaClient,
        period: float,
        names: Sequence[str],
        node_ids: Sequence[ua.NodeId],
        publish: Publish,
        on_status: Callable[[str], None],
        max_items_per_request: int = 1000,
        rules: Sequence[TypeRule | None] | None = None,
    ):
        self._uaclient = uaclient
        self.period = period
        self._names = ("", *names)  # index = client handle (handles start at 1)
        self._rules = (None, *(rules or [None] * len(names)))
        self._node_ids = list(node_ids)
        self._publish = publish
        self._on_status = on_status
        self._max_items = max_items_per_request
        self.subscription_id: int | None = None

    async def create(self) -> Batch:
        """Create the subscription and its items; returns Bad values for items refused."""
        period_ms = self.period * 1000.0
        keepalive = max(1, math.ceil(KEEPALIVE_S / self.period))
        params = ua.CreateSubscriptionParameters(
            RequestedPublishingInterval=period_ms,
            RequestedLifetimeCount=max(3 * keepalive, math.ceil(LIFETIME_S / self.period)),
            RequestedMaxKeepAliveCount=keepalive,
            MaxNotificationsPerPublish=NOTIFICATIONS_PER_PUBLISH,
            PublishingEnabled=True,
            Priority=0,
        )
        result = await self._uaclient.create_subscription(params, self._on_publish)
        self.subscription_id = result.SubscriptionId
        refused: Batch = {}
        now = time.time()
        for part in chunks(len(self._node_ids), self._max_items):
            request = ua.CreateMonitoredItemsParameters(
                SubscriptionId=self.subscription_id,
                TimestampsToReturn=ua.TimestampsToReturn.Source,
                ItemsToCreate=[self._item(i, period_ms) for i in part],
            )
            results = await self._uaclient.create_monitored_items(request)
            for i, res in zip(part, results, strict=True):
                code = res.StatusCode.value
                if code & 0x80000000:
                    refused[self._names[i + 1]] = TagValue(
                        None, Quality.BAD, None, now, describe(code)
                    )
        return refused

    def _item(self, index: int, period_ms: float) -> ua.MonitoredItemCreateRequest:
        return ua.MonitoredItemCreateRequest(
            ItemToMonitor=ua.ReadValueId(
                NodeId=self._node_ids[index], AttributeId=ua.AttributeIds.Value
            ),
            MonitoringMode=ua.MonitoringMode.Reporting,
            RequestedParameters=ua.MonitoringParameters(
                ClientHandle=index + 1,
                SamplingInterval=period_ms,
                QueueSize=1,
                DiscardOldest=True,
            ),
        )

    def _on_publish(self, result: ua.PublishResult) -> None:
        """Called by the session's publish loop for every response to this subscription."""
        data = result.NotificationMessage.NotificationData
        if not data:
            return  # keep-alive
        batch: Batch = {}
        now = time.time()
        names, rules = self._names, self._rules
        count = len(names)
        for notification in data:
            if type(notification) is ua.DataChangeNotification:
                for item in notification.MonitoredItems:
                    handle = item.ClientHandle
                    if 0 < handle < count:
                        batch[names[handle]] = tag_value(item.Value, now, rules[handle])
            elif isinstance(notification, ua.StatusChangeNotification):
                code = notification.Status.value if notification.Status else 0
                if code & 0x80000000:
                    self._on_status(describe(code))
        if batch:
            self._publish(batch)

    async def delete(self) -> None:
        if self.subscription_id is None:
            return
        try:
            await self._uaclient.delete_subscriptions([self.subscription_id])
        except Exception:
            log.debug("delete of subscription %s failed", self.subscription_id, exc_info=True)
        self.subscription_id = None


class ScanPoller:
    """Reads a scan class with one Read request per cycle (chunked for huge classes)."""

    def __init__(
        self,
        uaclient: UaClient,
        names: Sequence[str],
        node_ids: Sequence[ua.NodeId],
        max_items_per_request: int = 1000,
        rules: Sequence[TypeRule | None] | None = None,
    ):
        self._uaclient = uaclient
        self.names = list(names)
        self._rules = list(rules or [None] * len(self.names))
        self._requests = [
            ua.ReadParameters(
                MaxAge=0,
                TimestampsToReturn=ua.TimestampsToReturn.Source,
                NodesToRead=[
                    ua.ReadValueId(NodeId=node_ids[i], AttributeId=ua.AttributeIds.Value)
                    for i in part
                ],
            )
            for part in chunks(len(node_ids), max_items_per_request)
        ]

    async def read(self) -> Batch:
        """Read every tag once; raises when a request fails as a whole."""
        values: list[ua.DataValue] = []
        for request in self._requests:
            values += await self._uaclient.read(request)
        now = time.time()
        return {
            name: tag_value(dv, now, rule)
            for name, dv, rule in zip(self.names, values, self._rules, strict=True)
        }

    def failed(self, exc: BaseException, timeout: float) -> Batch:
        reason = describe_error(exc, timeout)
        now = time.time()
        return {name: TagValue(None, Quality.BAD, None, now, reason) for name in self.names}
