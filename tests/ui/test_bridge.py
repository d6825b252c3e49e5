import threading
import time

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
