"""Detection from tag values: each kind, deadband and delays against chatter, suppression."""

import math

from hmi.core.alarms.definitions import AlarmDef, AlarmKind
from hmi.core.alarms.evaluator import Evaluator
from hmi.core.alarms.states import Action
from hmi.core.engine import device_status_tag
from hmi.core.tags import Quality, TagValue

K = AlarmKind
ON, OFF = Action.ACTIVATE, Action.CLEAR


def alarm(kind, tag="t", **fields):
    return AlarmDef(id=f"{tag}.{kind.value}", tag=tag, kind=kind, priority=3, message="", **fields)


def good(value, ts=0.0):
    return TagValue(value, Quality.GOOD, None, ts)


def bad(reason="timeout", value=None):
    return TagValue(value, Quality.BAD, None, 0.0, reason)


class Feed:
    """Drives an evaluator with values at given times and records what it decided."""

    def __init__(self, *alarms, tick=0.1):
        self.evaluator = Evaluator(alarms)
        self.tick = tick
        self.now = 0.0
        self.changes: list[tuple[float, str, Action]] = []

    def put(self, **values):
        batch = {
            name.replace("__", "."): v if isinstance(v, TagValue) else good(v, self.now)
            for name, v in values.items()
        }
        self._record(self.evaluator.process(batch, self.now))

    def wait(self, seconds):
        """Let time pass, ticking as the manager does, without new values."""
        end = self.now + seconds
        while self.now + self.tick <= end + 1e-9:
            self.now += self.tick
            self._record(self.evaluator.tick(self.now))
        self.now = end

    def _record(self, changes):
        for index, action in changes:
            self.changes.append((round(self.now, 3), self.evaluator.alarms[index].id, action))

    def actions(self, alarm_id=None):
        return [a for _, i, a in self.changes if alarm_id is None or i == alarm_id]


def test_limits_raise_and_clear_on_their_own_side():
    feed = Feed(
        alarm(K.HIHI, limit=300.0),
        alarm(K.HI, limit=270.0),
        alarm(K.LO, limit=20.0),
        alarm(K.LOLO, limit=10.0),
    )
    for value in (100, 280, 310, 100, 15, 5, 100):
        feed.put(t=value)
    assert feed.actions("t.hi") == [ON, OFF]
    assert feed.actions("t.hihi") == [ON, OFF]
    assert feed.actions("t.lo") == [ON, OFF]
    assert feed.actions("t.lolo") == [ON, OFF]
    assert [c[1] for c in feed.changes[:2]] == ["t.hi", "t.hihi"]


def test_deadband_and_delays_stop_a_flapping_signal_from_chattering():
    """A value flapping around the limit by less than the deadband, with short spikes."""
    flapping = [271 + 2 * math.sin(i) for i in range(200)]  # 269..273 around hi=270
    plain = Feed(alarm(K.HI, limit=270.0))
    guarded = Feed(alarm(K.HI, limit=270.0, deadband=5.0, on_delay=1.0, off_delay=2.0))
    for feed in (plain, guarded):
        for value in flapping:
            feed.put(t=value)
            feed.wait(0.1)
        feed.put(t=200.0)
        feed.wait(3.0)
    assert plain.actions().count(ON) > 20  # what the deadband and delays are there to stop
    assert guarded.actions() == [ON, OFF]
    raised_at = guarded.changes[0][0]
    assert 1.0 <= raised_at <= 1.3  # the on-delay held it back
    cleared_at = guarded.changes[1][0]
    assert cleared_at >= 20.0 + 2.0  # cleared only after the off-delay


def test_a_spike_shorter_than_the_on_delay_never_raises():
    feed = Feed(alarm(K.HI, limit=10.0, on_delay=2.0))
    for _ in range(5):
        feed.put(t=11)
        feed.wait(1.5)
        feed.put(t=5)
        feed.wait(0.5)
    assert feed.actions() == []
    feed.put(t=11)
    feed.wait(2.1)  # no new value: the tick lets the delay expire
    assert feed.actions() == [ON]


def test_bad_quality_holds_a_limit_alarm_and_raises_its_own():
    feed = Feed(alarm(K.HI, limit=10.0), alarm(K.BAD_QUALITY))
    feed.put(t=11)
    feed.put(t=bad())
    assert feed.actions("t.hi") == [ON]  # a lost signal does not clear the limit
    assert feed.actions("t.bad_quality") == [ON]
    feed.put(t=5)
    assert feed.actions("t.hi") == [ON, OFF]
    assert feed.actions("t.bad_quality") == [ON, OFF]


def test_state_alarms_on_an_on_off_tag_and_on_chosen_values():
    feed = Feed(
        alarm(K.STATE, tag="fault", match=(True,)),
        alarm(K.STATE, tag="pump", match=(False,)),
        alarm(K.STATE, tag="state", match=(3.0, 4.0)),
    )
    feed.put(fault=False, pump=True, state=2)
    assert feed.actions() == []
    feed.put(fault=1, pump=0, state=3)
    assert feed.actions() == [ON, ON, ON]
    feed.put(state=4)
    feed.put(fault=False, pump=True, state=1)
    assert feed.actions("state.state") == [ON, OFF]
    assert feed.actions("fault.state") == [ON, OFF] and feed.actions("pump.state") == [ON, OFF]


def test_deviation_follows_the_setpoint_too():
    feed = Feed(
        alarm(K.DEV_HI, setpoint="sp", limit=2.0, deadband=0.5),
        alarm(K.DEV_LO, setpoint="sp", limit=-2.0),
    )
    feed.put(t=10.0, sp=10.0)
    feed.put(sp=7.5)  # the setpoint moved: t is now 2.5 above it
    assert feed.actions("t.dev_hi") == [ON]
    feed.put(t=9.2)  # 1.7 above: inside the deadband, still in alarm
    assert feed.actions("t.dev_hi") == [ON]
    feed.put(t=9.0)
    feed.put(t=5.0)
    assert feed.actions("t.dev_hi") == [ON, OFF]
    assert feed.actions("t.dev_lo") == [ON]


def test_rate_of_change_over_its_period_decays_when_the_value_stops():
    feed = Feed(alarm(K.RATE_HI, limit=5.0, per=1.0), alarm(K.RATE_LO, limit=-5.0, per=1.0))
    for step in range(10):  # 1 unit per 0.1 s: 10 per second
        feed.put(t=good(100.0 + step, feed.now))
        feed.wait(0.1)
    assert feed.actions("t.rate_hi") == [ON]
    feed.wait(1.5)  # no new value: the rate falls back to 0 on its own
    assert feed.actions("t.rate_hi") == [ON, OFF]
    for step in range(10):
        feed.put(t=good(109.0 - 2 * step, feed.now))
        feed.wait(0.1)
    assert feed.actions("t.rate_lo") == [ON]
    feed.put(t=bad())  # a gap: no rate across it
    feed.wait(0.2)
    feed.put(t=good(500.0, feed.now))  # back after a gap: not a step change
    feed.wait(0.2)
    assert feed.actions("t.rate_hi") == [ON, OFF]


def test_a_slow_rise_is_no_rate_alarm():
    feed = Feed(alarm(K.RATE_HI, limit=5.0, per=1.0))
    for step in range(50):
        feed.put(t=good(100.0 + 0.3 * step, feed.now))
        feed.wait(0.1)
    assert feed.actions() == []


def test_a_condition_suppresses_by_design_and_the_on_delay_restarts_after_it():
    feed = Feed(alarm(K.LO, tag="flow", limit=5.0, on_delay=1.0, condition="running"))
    feed.put(flow=0.0)
    assert feed.actions() == []  # the condition's input has not arrived: wait, do not guess
    feed.put(running=False)
    feed.wait(5.0)
    assert feed.actions() == [Action.SUPPRESS]  # no low-flow alarm while stopped
    feed.put(running=True)
    assert feed.actions() == [Action.SUPPRESS, Action.UNSUPPRESS]
    feed.wait(0.5)
    assert feed.actions()[-1] is Action.UNSUPPRESS  # the on-delay starts again
    feed.wait(0.6)
    assert feed.actions()[-1] is ON
    feed.put(running=False)
    assert feed.actions()[-1] is Action.SUPPRESS


def test_a_condition_that_cannot_be_computed_never_hides_an_alarm():
    feed = Feed(alarm(K.HI, limit=5.0, condition="running"))
    feed.put(running=bad(), t=9)
    assert feed.actions() == [ON]


def test_a_dead_device_gives_one_communication_alarm_not_one_per_tag():
    tags = [f"tag{i}" for i in range(20)]
    alarms = [alarm(K.BAD_QUALITY, tag=name, device="plc") for name in tags]
    alarms.append(alarm(K.COMM, tag=device_status_tag("plc"), device="plc"))
    feed = Feed(*alarms)
    status = device_status_tag("plc").replace(".", "__")
    feed.put(**{status: good("online")}, **{name: 1.0 for name in tags})
    # the driver reports the device first, then every tag Bad (as the drivers do)
    feed.put(**{status: bad("no answer within 1 s", "offline")})
    feed.put(**{name: bad("no answer within 1 s") for name in tags})
    feed.wait(5.0)
    raised = [i for _, i, a in feed.changes if a is ON]
    assert raised == ["_sys.device.plc.comm"]
    # it comes back: one poll group first, the others a moment later
    feed.put(**{status: good("online")})
    feed.put(**{name: 1.0 for name in tags[:10]})
    feed.wait(0.5)
    feed.put(**{name: 1.0 for name in tags[10:]})
    feed.wait(3.0)
    assert [i for _, i, a in feed.changes if a is ON] == ["_sys.device.plc.comm"]
    assert feed.actions("_sys.device.plc.comm") == [ON, OFF]


def test_a_tag_still_bad_after_its_device_came_back_raises_its_alarm():
    feed = Feed(
        alarm(K.BAD_QUALITY, tag="t", device="plc"),
        alarm(K.COMM, tag=device_status_tag("plc"), device="plc"),
    )
    status = device_status_tag("plc").replace(".", "__")
    feed.put(**{status: bad(value="offline")}, t=bad())
    feed.put(**{status: good("online")})
    feed.wait(1.0)
    assert feed.actions("t.bad_quality") == [Action.SUPPRESS]  # settling: may be stale
    feed.wait(1.5)  # settled: the tag itself is broken (e.g. an address the PLC refuses)
    assert feed.actions("t.bad_quality") == [Action.SUPPRESS, Action.UNSUPPRESS, ON]


def test_only_detectors_reading_a_changed_tag_are_evaluated():
    alarms = [alarm(K.HI, tag=f"t{i}", limit=10.0) for i in range(1000)]
    feed = Feed(*alarms)
    calls = []
    for detector in feed.evaluator.detectors:
        original = detector.test
        detector.test = lambda latest, was, now, f=original, d=detector: (
            calls.append(d.alarm.id) or f(latest, was, now)
        )
    feed.put(t5=11.0, t7=1.0, unrelated=3.0)
    assert sorted(calls) == ["t5.hi", "t7.hi"]
    assert feed.actions() == [ON]
    assert not feed.evaluator.timed  # nothing pending: the tick has nothing to do


def test_rate_history_stays_bounded_while_the_alarm_is_suppressed():
    feed = Feed(alarm(K.RATE_HI, limit=5.0, per=1.0, condition="running"), tick=0.01)
    feed.put(running=False)
    for step in range(2000):
        feed.put(t=good(float(step), feed.now))
        feed.wait(0.01)
    assert feed.actions() == [Action.SUPPRESS]
    assert len(feed.evaluator.history["t"]) <= 102  # one period of samples and one more
