"""The coalescing feed: newest item per key, from any thread to the GUI thread, at a
bounded rate, and harmless to a producer that outlives it."""

from __future__ import annotations

import threading
import time

import shiboken6
from PySide6.QtCore import QObject, QThread
from PySide6.QtWidgets import QApplication

from hmi.ui.feed import CoalescingFeed


class Recorder:
    """A sink that notes what it got, when and on which thread."""

    def __init__(self):
        self.items: list[dict] = []
        self.times: list[float] = []
        self.threads: list[QThread] = []

    def __call__(self, items: dict) -> int:
        self.items.append(items)
        self.times.append(time.monotonic())
        self.threads.append(QThread.currentThread())
        return len(items)

    def newest(self) -> dict:
        merged: dict = {}
        for items in self.items:
            merged.update(items)
        return merged


def test_only_the_newest_item_per_key_is_delivered(qtbot):
    sink = Recorder()
    feed = CoalescingFeed(sink, min_interval_ms=20)
    assert feed.put({"a": 1, "b": 1})
    assert feed.put({"a": 2})
    assert feed.put({"a": 3, "c": 1}, offered=3)  # the producer had coalesced one already
    assert feed.pending == 3
    assert feed.deliver() == 3
    assert sink.items == [{"a": 3, "b": 1, "c": 1}]
    assert (feed.received, feed.replaced, feed.delivered, feed.deliveries) == (6, 3, 3, 1)
    assert feed.deliver() is None and feed.deliveries == 1  # nothing pending: no call
    feed.put({"b": 2})
    qtbot.waitUntil(lambda: len(sink.items) == 2, timeout=2000)  # on its own, via the timer
    assert sink.items[-1] == {"b": 2}


def test_a_burst_of_10000_updates_from_another_thread_is_delivered_at_a_bounded_rate(qtbot):
    interval_ms = 50
    sink = Recorder()
    feed = CoalescingFeed(sink, min_interval_ms=interval_ms)
    done = threading.Event()
    errors: list[BaseException] = []

    def produce() -> None:
        try:
            for i in range(10_000):
                feed.put({f"k{i % 100}": i})
                if i % 1000 == 999:
                    time.sleep(0.01)  # spread over several delivery windows
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            done.set()

    started = time.monotonic()
    producer = threading.Thread(target=produce)
    producer.start()
    qtbot.waitUntil(done.is_set, timeout=10_000)
    producer.join(5)
    qtbot.waitUntil(lambda: feed.pending == 0 and len(sink.newest()) == 100, timeout=2000)
    elapsed = time.monotonic() - started
    assert errors == []
    assert sink.newest() == {f"k{k}": 9900 + k for k in range(100)}  # the newest of each
    assert 1 <= feed.deliveries <= elapsed / (interval_ms / 1000) + 2
    gaps = [b - a for a, b in zip(sink.times, sink.times[1:], strict=False)]
    assert all(gap >= (interval_ms - 2) / 1000 for gap in gaps), gaps
    assert feed.received == 10_000
    assert feed.received == feed.delivered + feed.replaced


def test_delivery_happens_on_the_gui_thread(qtbot):
    sink = Recorder()
    feed = CoalescingFeed(sink, min_interval_ms=10)
    producers = [
        threading.Thread(target=lambda n=n: [feed.put({n: i}) for i in range(200)])
        for n in range(3)
    ]
    for producer in producers:
        producer.start()
    for producer in producers:
        producer.join(5)
    qtbot.waitUntil(lambda: sink.newest() == {0: 199, 1: 199, 2: 199}, timeout=2000)
    gui = QApplication.instance().thread()
    assert sink.threads and all(thread is gui for thread in sink.threads)


def test_a_feed_deleted_while_a_thread_keeps_putting_raises_nothing_there(qtbot):
    owner = QObject()
    sink = Recorder()
    feed = CoalescingFeed(sink, min_interval_ms=10, parent=owner)
    errors: list[BaseException] = []
    refused = threading.Event()
    stop = threading.Event()
    puts = [0]

    def produce() -> None:
        deadline = time.monotonic() + 5.0
        try:
            while not stop.is_set() and time.monotonic() < deadline and puts[0] < 5_000_000:
                puts[0] += 1
                if not feed.put({"x": puts[0]}):
                    refused.set()
                    time.sleep(0.001)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    producer = threading.Thread(target=produce)
    producer.start()
    try:
        qtbot.waitUntil(lambda: len(sink.items) >= 2, timeout=3000)
        feed.put({"y": 0})  # a wake-up is on its way to the GUI thread: it never arrives
        shiboken6.delete(owner)  # the owner and its feed go, as with a closed window
        assert not shiboken6.isValid(feed)
        qtbot.waitUntil(refused.is_set, timeout=3000)  # the producer is told, not raised at
        qtbot.wait(50)
    finally:
        stop.set()
        producer.join(5)
    assert not producer.is_alive()
    assert errors == []
    assert feed.closed and not feed.put({"x": 0})
    feed.close()  # closing a deleted feed is harmless too


def test_a_closed_feed_takes_nothing_until_opened_again(qtbot):
    sink = Recorder()
    feed = CoalescingFeed(sink, min_interval_ms=10)
    feed.put({"a": 1})
    feed.close()
    assert feed.dropped == 1 and feed.pending == 0
    assert not feed.put({"a": 2})
    qtbot.wait(50)
    assert sink.items == []
    feed.open()
    assert feed.put({"a": 3})
    qtbot.waitUntil(lambda: sink.items == [{"a": 3}], timeout=2000)


def test_a_failing_sink_does_not_stop_later_deliveries(qtbot, caplog):
    got: list[dict] = []

    def sink(items: dict) -> None:
        got.append(items)
        if len(got) == 1:
            raise ValueError("view bug")

    feed = CoalescingFeed(sink, min_interval_ms=10)
    feed.put({"a": 1})
    qtbot.waitUntil(lambda: len(got) == 1, timeout=2000)
    feed.put({"a": 2})
    qtbot.waitUntil(lambda: len(got) == 2, timeout=2000)
    assert got[-1] == {"a": 2}
    assert "view bug" in caplog.text
