import asyncio

import pytest

from hmi.core.driver import DeviceState, DeviceStatus, Driver, WriteResult, WriteStatus
from hmi.core.engine import TagEngine, device_status_tag
from hmi.core.project.models import DataType, DeviceConfig, Project, Scaling, TagConfig
from hmi.core.tags import Quality, TagValue, bad, good


def make_project(*tags: TagConfig) -> Project:
    return Project(
        name="t",
        root=".",
        devices={"plc": DeviceConfig("plc", "fake")},
        tags={t.name: t for t in tags},
    )


def dev_tag(name: str, **kw) -> TagConfig:
    return TagConfig(name=name, device="plc", address="x", **kw)


def test_scaling_turns_raw_into_engineering_units():
    eng = TagEngine(make_project(dev_tag("t", scaling=Scaling(0, 32000, 0, 600))))
    eng.publish({"t": good(16000)})
    assert eng.values["t"].value == pytest.approx(300.0)


def test_deadband_drops_small_changes_but_not_quality_changes():
    eng = TagEngine(make_project(dev_tag("t", deadband=0.5)))
    sub = eng.subscribe("s")
    eng.publish({"t": good(10.0)})
    eng.publish({"t": good(10.3)})  # within deadband
    eng.publish({"t": good(10.0)})  # identical
    eng.publish({"t": good(10.6)})  # beyond
    eng.publish({"t": bad("timeout", 10.6)})  # quality change always passes
    seen = [b["t"] for b in sub.take()]
    assert [tv.value for tv in seen] == [10.0, 10.6, 10.6]
    assert seen[-1].quality is Quality.BAD and seen[-1].reason == "timeout"


def test_unknown_tags_are_counted_not_published():
    eng = TagEngine(make_project(dev_tag("t")))
    sub = eng.subscribe("s")
    eng.publish({"nope": good(1)})
    assert sub.take() == [] and eng.unknown_tags == 1


def test_derived_tags_follow_inputs_in_dependency_order():
    eng = TagEngine(
        make_project(
            dev_tag("a"),
            dev_tag("b"),
            TagConfig(name="total", expr="a + b"),
            TagConfig(name="pct", expr="a / total * 100"),
        )
    )
    eng.publish({"a": good(1.0), "b": good(3.0)})
    assert eng.values["total"].value == 4.0
    assert eng.values["pct"].value == 25.0
    eng.publish({"b": good(1.0)})
    assert eng.values["pct"].value == 50.0


def test_derived_quality_is_the_worst_of_its_inputs_and_errors_are_bad():
    eng = TagEngine(make_project(dev_tag("a"), dev_tag("b"), TagConfig(name="r", expr="a / b")))
    eng.publish({"a": good(1.0), "b": TagValue(2.0, Quality.UNCERTAIN, reason="sensor")})
    assert eng.values["r"].quality is Quality.UNCERTAIN
    assert "sensor" in eng.values["r"].reason
    eng.publish({"b": good(0.0)})
    r = eng.values["r"]
    assert r.quality is Quality.BAD and "zero" in r.reason.lower()


def test_derived_waits_for_all_inputs():
    eng = TagEngine(make_project(dev_tag("a"), dev_tag("b"), TagConfig(name="s", expr="a+b")))
    eng.publish({"a": good(1.0)})
    assert eng.values["s"].quality is Quality.BAD and "waiting" in eng.values["s"].reason


def test_latest_only_subscription_keeps_newest_per_tag():
    eng = TagEngine(make_project(dev_tag("a"), dev_tag("b")))
    sub = eng.subscribe("ui", latest_only=True)
    for i in range(100):
        eng.publish({"a": good(float(i)), "b": good(float(-i))})
    (merged,) = sub.take()
    assert merged["a"].value == 99.0 and merged["b"].value == -99.0
    assert sub.take() == []


def test_a_consumer_that_never_reads_cannot_block_or_grow_without_bound():
    eng = TagEngine(make_project(dev_tag("a")))
    stuck = eng.subscribe("stuck", max_batches=10)
    woken = []
    fast = eng.subscribe("fast", wake=lambda: woken.append(1))
    for i in range(1000):
        eng.publish({"a": good(float(i))})
        fast.take()
    assert len(stuck.take()) == 10 and stuck.dropped == 990
    assert len(woken) == 1000  # woken once per empty -> non-empty transition


def test_device_state_becomes_a_system_tag_once_per_transition():
    eng = TagEngine(make_project(dev_tag("a")))
    sub = eng.subscribe("s")
    down = DeviceState("plc", DeviceStatus.OFFLINE, "connection refused", 1.0)
    eng.device_state(down)
    eng.device_state(down)
    eng.device_state(DeviceState("plc", DeviceStatus.ONLINE, "", 2.0))
    batches = sub.take()
    assert len(batches) == 2
    first = batches[0][device_status_tag("plc")]
    assert first.quality is Quality.BAD and first.reason == "connection refused"
    assert batches[1][device_status_tag("plc")].value == "online"


class FakeDriver(Driver):
    """Stands in for a device in engine-only tests; protocol tests use real servers."""

    protocol = "fake"

    def __init__(self, behaviour: str = "ok"):
        self.behaviour = behaviour
        self.written: list = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def write(self, tag, raw_value):
        if self.behaviour == "raise":
            raise RuntimeError("boom")
        if self.behaviour == "hang":
            await asyncio.sleep(60)
        self.written.append(raw_value)
        return WriteResult(tag.name, WriteStatus.DONE, "", raw_value)


SP = dev_tag(
    "sp",
    writable=True,
    eng_range=(0.0, 100.0),
    scaling=Scaling(0, 1000, 0, 100),
    data_type=DataType.INT16,
    units="mm/s",
)


async def test_write_scales_to_raw_and_reads_back_in_engineering_units():
    eng = TagEngine(make_project(SP, dev_tag("ro")))
    drv = FakeDriver()
    eng.drivers["plc"] = drv
    audit = []
    eng.access.add_recorder(audit.append)
    res = await eng.write("sp", "42.5", user="maria")
    assert res.ok and drv.written == [425] and res.readback == pytest.approx(42.5)
    assert [(r.user, r.action, r.target, r.detail["new"], r.detail["status"]) for r in audit] == [
        ("maria", "tags.write", "sp", "42.5", "done")
    ]


@pytest.mark.parametrize(
    ("tag", "value", "phrase"),
    [
        ("nope", 1, "unknown tag"),
        ("ro", 1, "read-only"),
        ("sp", 150, "outside the range 0..100 mm/s"),
        ("sp", "abc", "not a number"),
        ("sp", "nan", "not a finite number"),
        ("sum", 1, "derived"),
    ],
)
async def test_bad_writes_are_refused_with_a_reason_and_never_reach_the_device(tag, value, phrase):
    eng = TagEngine(make_project(SP, dev_tag("ro"), TagConfig(name="sum", expr="sp + 1")))
    drv = FakeDriver()
    eng.drivers["plc"] = drv
    res = await eng.write(tag, value)
    assert res.status is WriteStatus.REFUSED and phrase in res.message
    assert drv.written == []


async def test_permission_hook_can_refuse():
    eng = TagEngine(make_project(SP))
    eng.drivers["plc"] = FakeDriver()
    asked = []

    def policy(user, permission, target):
        asked.append((user, permission, target))
        return None if user == "maria" else "operators only"

    eng.access.set_policy(policy)
    assert (await eng.write("sp", 10, user="guest")).message == "operators only"
    assert (await eng.write("sp", 10, user="maria")).ok
    assert asked == [("guest", "tags.write", "sp"), ("maria", "tags.write", "sp")]


async def test_a_failing_permission_policy_refuses_rather_than_allows():
    eng = TagEngine(make_project(SP))
    drv = FakeDriver()
    eng.drivers["plc"] = drv

    def broken(user, permission, target):
        raise RuntimeError("directory lookup crashed")

    eng.access.set_policy(broken)
    res = await eng.write("sp", 10, user="maria")
    assert res.status is WriteStatus.REFUSED and "permission check failed" in res.message
    assert drv.written == []


@pytest.mark.parametrize(("behaviour", "phrase"), [("raise", "boom"), ("hang", "no answer")])
async def test_a_failing_driver_gives_a_failed_write_not_an_exception(behaviour, phrase):
    eng = TagEngine(make_project(SP))
    eng.drivers["plc"] = FakeDriver(behaviour)
    res = await eng.write("sp", 10, timeout=0.2)
    assert res.status is WriteStatus.FAILED and phrase in res.message


async def test_write_to_a_device_without_driver_fails_clearly():
    eng = TagEngine(make_project(SP))
    res = await eng.write("sp", 10)
    assert res.status is WriteStatus.FAILED and "not running" in res.message


def test_a_bad_sample_keeps_the_last_engineering_value_visible():
    eng = TagEngine(make_project(dev_tag("t", scaling=Scaling(0, 1000, 0, 100))))
    eng.publish({"t": good(500)})
    eng.publish({"t": bad("timeout after 1 s", value=500)})  # a raw value must not leak through
    tv = eng.values["t"]
    assert tv.quality is Quality.BAD and tv.value == pytest.approx(50.0)
    assert tv.reason == "timeout after 1 s"
    fresh = TagEngine(make_project(dev_tag("t")))
    fresh.publish({"t": bad("connection refused", value=None)})
    assert fresh.values["t"].value is None


def test_system_tags_need_no_project_entry_and_pass_only_when_changed():
    eng = TagEngine(make_project(dev_tag("a")))
    sub = eng.subscribe("s")
    eng.publish_system({"_sys.store.health": good("ok")})
    eng.publish_system({"_sys.store.health": good("ok")})
    eng.publish_system({"_sys.store.health": bad("disk is full", value="failing")})
    batches = sub.take()
    assert [b["_sys.store.health"].quality for b in batches] == [Quality.GOOD, Quality.BAD]
    with pytest.raises(ValueError, match="_sys"):
        eng.publish_system({"line1.x": good(1)})


def test_a_subscription_to_some_tags_gets_only_those_in_the_batch_order():
    names = [f"t{i}" for i in range(50)]
    eng = TagEngine(make_project(*(dev_tag(n, data_type=DataType.INT32) for n in names)))
    woken = []
    some = eng.subscribe("some", tags=["t40", "t3", "t17"], wake=lambda: woken.append(1))
    eng.publish({n: good(1) for n in names[20:30]})  # none of its tags: nothing, no wake
    assert some.take() == [] and woken == []
    eng.publish({n: good(2) for n in reversed(names)})
    (batch,) = some.take()
    assert list(batch) == ["t40", "t17", "t3"] and batch["t3"].value == 2
    assert woken == [1]


def test_a_batch_passes_the_engine_as_its_values_did_one_by_one():
    """Deadband, scaling, Bad samples and unchanged values decided in one batch exactly as
    when each value comes alone."""
    tags = [
        dev_tag("band", deadband=0.5),
        dev_tag("scaled", scaling=Scaling(0, 100, 0, 10)),
        dev_tag("text", data_type=DataType.STRING),
        dev_tag("flag", data_type=DataType.BOOL),
    ]
    steps = [
        {"band": good(1.0), "scaled": good(50), "text": good("a"), "flag": good(False)},
        {"band": good(1.2), "scaled": good(50), "text": good("a"), "flag": good(True)},
        {"band": good(1.6), "scaled": bad("gone"), "text": good("b"), "flag": good(True)},
        {"band": bad("gone"), "scaled": good(60), "text": good("b"), "flag": bad("gone")},
    ]
    together, alone = TagEngine(make_project(*tags)), TagEngine(make_project(*tags))
    sub_together, sub_alone = together.subscribe("s"), alone.subscribe("s")
    for step in steps:
        together.publish(step)
        for name, tv in step.items():
            alone.publish({name: tv})
    merged: dict = {}
    for batch in sub_alone.take():
        for name, tv in batch.items():
            merged.setdefault(name, []).append(tv)
    passed: dict = {}
    for batch in sub_together.take():
        for name, tv in batch.items():
            passed.setdefault(name, []).append(tv)
    assert passed == merged
    assert [tv.value for tv in passed["band"]] == [1.0, 1.6, 1.6]
    assert [tv.value for tv in passed["scaled"]] == [5.0, 5.0, 6.0]
    assert together.values == alone.values
