"""A MES target in the test's own process (records what it takes, drops resends by key,
can refuse a kind or key, fail a number of times, be slow), and a store with an outbox."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from hmi.core import outbox
from hmi.core.mes import Outcome, TargetError
from hmi.core.mes.config import TargetConfig
from hmi.core.mes.target import COMMON_KEYS
from hmi.core.orders.schema import prepare
from hmi.core.outbox import OutboxEvent
from hmi.core.project.fields import Fields
from hmi.core.project.limits import WholeRange
from hmi.core.store import Writer, connect

PROJECT_HEAD = """\
project:
  name: MES {name}
devices:
  press: {{protocol: simulator, model: press}}
tags:
  - {{name: speed, device: press, address: ram_speed_sp}}
"""


def project_text(name: str, section: str) -> str:
    """A small project with its ``mes:`` section (the sections start at line 7)."""
    return PROJECT_HEAD.format(name=name) + section


class FakeTarget:
    """What a receiver keeps: every send (``batches``), each key once (``kept``), each
    stream's sequence numbers in the order they were first taken (``streams``)."""

    kind = "fake"

    def __init__(self, name: str = "fake", max_batch: int = 50, refuse_kinds: Sequence[str] = ()):
        self.name = name
        self.max_batch = max_batch
        self.refuse_kinds = set(refuse_kinds)
        self.refuse_keys: set[str] = set()
        self.fail_times = 0  # the next sends that raise TargetError
        self.down = False  # every send raises TargetError while set
        self.retry_after: float | None = None
        self.delay = 0.0  # seconds each send takes
        self.batches: list[list[int]] = []
        self.kept: dict[str, OutboxEvent] = {}
        self.streams: dict[str, list[int]] = {}
        self.times: dict[str, float] = {}  # key -> when first taken (monotonic)
        self.opens = self.closes = self.errors = 0
        self.lock = threading.Lock()

    @classmethod
    def read(
        cls, name: str, data: Mapping[str, Any], fields: Fields, *, root: Path
    ) -> tuple[Any, list]:
        fields.unknown_keys((*COMMON_KEYS, "max_batch", "refuse_kinds"))
        size = fields.count("max_batch", WholeRange(1, 1000)) or 50
        kinds = fields.get("refuse_kinds") or ()
        return cls(name, size, kinds), []

    def open(self) -> None:
        self.opens += 1

    def close(self) -> None:
        self.closes += 1

    def send(self, events: Sequence[OutboxEvent]) -> list[Outcome]:
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            if self.down or self.fail_times > 0:
                self.fail_times = max(0, self.fail_times - 1)
                self.errors += 1
                raise TargetError("503 unavailable", self.retry_after)
            self.batches.append([e.id for e in events])
            outcomes = []
            for e in events:
                if e.kind in self.refuse_kinds or e.key in self.refuse_keys:
                    outcomes.append(Outcome(False, f"{e.kind} not taken"))
                    continue
                if e.key not in self.kept:
                    self.kept[e.key] = e
                    self.streams.setdefault(e.stream, []).append(e.seq)
                    self.times[e.key] = time.monotonic()
                outcomes.append(Outcome(True))
            return outcomes

    @property
    def sent(self) -> int:
        return sum(len(b) for b in self.batches)


def target_config(fake: FakeTarget, **options: Any) -> TargetConfig:
    """A configured target that is always this instance (``make`` returns it)."""
    from hmi.core.connection import ConnectionPolicy

    options.setdefault(
        "backoff", ConnectionPolicy(reconnect_min=0.02, reconnect_max=0.1, demote_after=2**31)
    )
    return TargetConfig(fake.name, "fake", lambda: fake, **options)


def store(path: Path) -> Writer:
    """A store with the outbox tables, its writer running."""
    conn = connect(path)
    prepare(conn)
    conn.close()
    return Writer(path, flush_interval=0.02, retry_interval=0.05).start()


def write_events(
    writer: Writer, events: Sequence[tuple[str, str]], ts: float | None = None
) -> None:
    """Write ``(stream, kind)`` events (each its own payload) and wait for the commit."""
    now = time.time() if ts is None else ts
    pending = [outbox.event(s, k, {"n": i}, now) for i, (s, k) in enumerate(events)]
    writer.submit(lambda conn: outbox.write(conn, pending), durable=True)
    assert writer.flush(10)


def wait_until(predicate: Any, timeout: float = 10.0, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def outbox_ids(path: Path) -> list[int]:
    conn = connect(path, readonly=True)
    try:
        return [r[0] for r in conn.execute("SELECT id FROM outbox ORDER BY id")]
    finally:
        conn.close()


def assert_in_order_once(fake: FakeTarget, expected: Mapping[str, int], gaps: Mapping = {}):
    """Each stream's events were taken once each, in seq order (``gaps``: seqs refused)."""
    for stream, count in expected.items():
        want = [s for s in range(1, count + 1) if s not in gaps.get(stream, ())]
        assert fake.streams.get(stream, []) == want, stream


@pytest.fixture
def writer(tmp_path):
    w = store(tmp_path / "hmi.db")
    yield w
    w.stop()
