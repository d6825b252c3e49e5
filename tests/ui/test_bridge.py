import threading
import time

import shiboken6
from PySide6.QtCore import QObject

from hmi.core.subscription import Subscription
from hmi.core.tags import Quality, bad, good
from hmi.ui.bridge import MAX_RATE_HZ, TagBridge


def test_bound_widget_gets_current_value_then_only_the_newest(qtbot, engine):
    engine.publish({"line1.temp": good(400.0)})
    bridge = TagBridge(engine, rate_hz=20)
    seen = []
    bridge.bind("line1.temp", lambda tv: seen.append(tv.value))
    bridge.start()
    qtbot.waitUntil(lambda: seen == [400.0], timeout=2000)
    for i in range(1000):
        engine.publish({"line1.temp": good(401.0 + i)})
    qtbot.waitUntil(lambda: seen[-1] == 1400.0, timeout=2000)
    assert len(seen) <= 4  # 1000 changes arrive as one or two flushes, never one call each
    bridge.stop()


def test_unrelated_tags_do_not_call_a_binding(qtbot, engine):
    bridge = TagBridge(engine, rate_hz=20)
    seen = []
    bridge.bind("line1.temp", seen.append)
    bridge.start()
    engine.publish({"line1.speed": good(3.0)})
    qtbot.waitUntil(lambda: bridge.value("line1.speed") is not None, timeout=2000)
    assert seen == []
    bridge.stop()


def test_flush_rate_is_bounded_under_a_flood_from_another_thread(qtbot, engine):
    bridge = TagBridge(engine, rate_hz=10)
    calls = []
    threads = []
    bridge.bind(
        "line1.temp", lambda tv: (calls.append(tv.value), threads.append(threading.get_ident()))
    )
    bridge.start()
    stop = threading.Event()
    sent = [0]

    def flood():
        deadline = time.monotonic() + 0.6
        while not stop.is_set() and time.monotonic() < deadline:
            sent[0] += 1
            engine.publish({"line1.temp": good(float(sent[0]))})
        stop.set()

    worker = threading.Thread(target=flood)
    started = time.monotonic()
    worker.start()
    qtbot.waitUntil(stop.is_set, timeout=3000)
    worker.join(2)
    qtbot.waitUntil(lambda: bool(calls) and calls[-1] == float(sent[0]), timeout=2000)
    elapsed = time.monotonic() - started
    assert sent[0] > 1000
    assert len(calls) <= elapsed * 10 + 3
    assert set(threads) == {threading.get_ident()}  # always on the GUI thread
    bridge.stop()


def test_quality_changes_reach_the_widget(qtbot, engine):
    bridge = TagBridge(engine, rate_hz=20)
    seen = []
    bridge.bind("line1.temp", seen.append)
    bridge.start()
    engine.publish({"line1.temp": good(450.0)})
    engine.publish({"line1.temp": bad("device offline", 450.0)})
    qtbot.waitUntil(lambda: bool(seen) and seen[-1].quality is Quality.BAD, timeout=2000)
    assert seen[-1].value == 450.0 and seen[-1].reason == "device offline"
    bridge.stop()


def test_unbind_and_a_failing_widget_do_not_disturb_others(qtbot, engine):
    bridge = TagBridge(engine, rate_hz=20)
    kept, dropped = [], []

    def broken(tv):
        raise ValueError("widget bug")

    bridge.bind("line1.temp", broken)
    bridge.bind("line1.temp", kept.append)
    gone = bridge.bind("line1.temp", dropped.append)
    gone.unbind()
    bridge.start()
    engine.publish({"line1.temp": good(1.0)})
    qtbot.waitUntil(lambda: len(kept) == 1, timeout=2000)
    assert dropped == []
    assert bridge.bound_tags == {"line1.temp"}
    bridge.stop()
    engine.publish({"line1.temp": good(2.0)})
    qtbot.wait(120)
    assert len(kept) == 1


def test_rate_is_clamped_to_the_supported_range(engine):
    assert TagBridge(engine, rate_hz=500).rate_hz == MAX_RATE_HZ
    assert TagBridge(engine, rate_hz=0).rate_hz == 1.0


class LateSource:
    """A TagSource like the runtime's: ``subscribe`` returns at once, and the runtime's
    thread registers the subscription a moment later, handing it the current values first."""

    def __init__(self, values):
        self.values = dict(values)
        self.subs: list[Subscription] = []
        self.registered = threading.Event()

    def subscribe(self, name, **kwargs):
        sub = Subscription(name, **kwargs)

        def register():
            time.sleep(0.05)
            self.subs.append(sub)
            sub.offer(dict(self.values))
            self.registered.set()

        threading.Thread(target=register, name="runtime").start()
        return sub

    def unsubscribe(self, sub):
        sub.close()
        if sub in self.subs:
            self.subs.remove(sub)

    def publish(self, batch):
        self.values.update(batch)
        for sub in list(self.subs):
            sub.offer(batch)


def test_values_that_arrive_after_subscribe_returned_reach_the_widget(qtbot):
    source = LateSource({"line1.temp": good(400.0)})
    bridge = TagBridge(source, rate_hz=20)
    seen, threads = [], []
    bridge.bind(
        "line1.temp",
        lambda tv: (seen.append(tv.value), threads.append(threading.get_ident())),
        initial=False,
    )
    bridge.start()
    assert seen == []  # nothing delivered from inside start
    qtbot.waitUntil(lambda: seen == [400.0], timeout=2000)
    assert source.registered.is_set()
    publisher = threading.Thread(
        target=lambda: [source.publish({"line1.temp": good(401.0 + i)}) for i in range(500)]
    )
    publisher.start()
    qtbot.waitUntil(lambda: not publisher.is_alive(), timeout=5000)
    qtbot.waitUntil(lambda: seen[-1] == 900.0, timeout=2000)
    assert len(seen) <= 5  # coalesced
    assert set(threads) == {threading.get_ident()}
    bridge.stop()
    assert source.subs == []


def test_a_bridge_deleted_while_the_runtime_publishes_raises_nothing_there(qtbot, engine):
    owner = QObject()
    bridge = TagBridge(engine, rate_hz=20, parent=owner)
    seen = []
    bridge.bind("line1.temp", seen.append)
    bridge.start()
    errors: list[BaseException] = []
    deleted = threading.Event()

    def publish() -> None:  # 100 batches while the bridge lives, 100 after it is gone
        try:
            for i in range(200):
                if i == 100:
                    deleted.wait(5)
                engine.publish({"line1.temp": good(float(i))})
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    runtime = threading.Thread(target=publish)
    runtime.start()
    qtbot.waitUntil(lambda: bool(seen) and seen[-1].value == 99.0, timeout=3000)
    shiboken6.delete(owner)  # the window and its bridge go; the runtime runs on
    deleted.set()
    qtbot.waitUntil(lambda: not runtime.is_alive(), timeout=5000)
    assert errors == []
    assert seen[-1].value == 99.0
