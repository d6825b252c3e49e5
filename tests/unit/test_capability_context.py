"""What the runtime gives every capability: subscriptions changed on the loop's thread
only, delivery on the loop or the capability's own thread, declared system tags only,
permission and audit hooks that fail safe, and the project's words in the station's
language."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from hmi.core.access import Access
from hmi.core.capability import Capability, CapabilityContext, CapabilityRegistry
from hmi.core.engine import TagEngine
from hmi.core.i18n import Translator
from hmi.core.live import LiveTags
from hmi.core.project.models import Project, TagConfig
from hmi.core.tags import TagValue, good


def project(root: str = ".") -> Project:
    tags = {n: TagConfig(n, device="plc", address="x") for n in ("a", "b", "c")}
    return Project(name="t", root=root, tags=tags)


class LoopThread:
    """An event loop on its own thread, like the runtime's."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> LoopThread:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    def run(self, fn, *args):
        return asyncio.run_coroutine_threadsafe(_call(fn, *args), self.loop).result(5)


async def _call(fn, *args):
    return fn(*args)


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


class Probe(Capability):
    name = "probe"
    system_tags = ("_sys.probe.*",)


def context(engine: TagEngine, live: LiveTags, tmp_path) -> CapabilityContext:
    return CapabilityContext(
        Probe, engine.project, tmp_path, None, live, engine.access, Translator(), None
    )


def test_subscriptions_change_on_the_loops_thread_only(tmp_path):
    engine = TagEngine(project())
    changed_on: list[int] = []
    original = engine.add_subscription

    def spy(sub):
        changed_on.append(threading.get_ident())
        return original(sub)

    engine.add_subscription = spy
    with LoopThread() as lt:
        live = LiveTags(engine, lt.loop)
        lt.run(live.loop_started)
        lt.run(engine.publish, {"a": good(1.0)})
        sub = live.subscribe("gui", latest_only=True)  # from this (another) thread
        wait_until(lambda: changed_on)
        assert changed_on == [lt.thread.ident]
        wait_until(lambda: sub.take() == [{"a": engine.values["a"]}])  # current values first
        live.unsubscribe(sub)
        lt.run(engine.publish, {"a": good(2.0)})
        assert sub.take() == [] and sub not in engine._subs


def test_a_filtered_subscription_gets_only_its_tags_on_the_loop(tmp_path):
    engine = TagEngine(project())
    with LoopThread() as lt:
        live = LiveTags(engine, lt.loop)
        lt.run(live.loop_started)
        ctx = context(engine, live, tmp_path)
        got: list[tuple[int, dict]] = []
        ctx.subscribe(
            tags={"b"}, on_loop=lambda batches: got.append((threading.get_ident(), batches))
        )
        lt.run(engine.publish, {"a": good(1.0), "b": good(2.0)})
        lt.run(engine.publish, {"c": good(3.0)})
        wait_until(lambda: got)
        time.sleep(0.05)
        assert [thread for thread, _ in got] == [lt.thread.ident]
        assert [list(batch) for batch in got[0][1]] == [["b"]]


def test_only_declared_system_tags_may_be_published(tmp_path):
    engine = TagEngine(project())
    ctx = context(engine, LiveTags(engine), tmp_path)
    ctx.publish_system({"_sys.probe.count": TagValue(3)})
    assert engine.values["_sys.probe.count"].value == 3
    with pytest.raises(ValueError, match="does not declare"):
        ctx.publish_system({"_sys.store.health": TagValue("ok")})


def test_registry_orders_by_start_order_and_reports_a_failing_check():
    class Late(Capability):
        name = "late"
        order = 90

    class Early(Capability):
        name = "early"
        order = 5
        sections = ("early",)

        @classmethod
        def check(cls, project):
            raise KeyError("boom")

    registry = CapabilityRegistry([Late, Early])
    assert registry.names == ["early", "late"] and registry.sections == ("early",)
    problems = registry.problems(project())
    assert len(problems) == 1 and "early could not check its section" in problems[0].message


def test_access_allows_without_policy_and_refuses_when_the_policy_fails():
    access = Access(clock=lambda: 100.0)
    assert access.refusal("anna", "tags.write", "x") is None
    access.set_policy(lambda user, permission, target: None if user == "anna" else "not you")
    assert access.refusal("bob", "tags.write", "x") == "not you"
    access.set_policy(lambda *_: 1 / 0)
    assert "permission check failed" in access.refusal("anna", "tags.write", "x")

    kept = []
    remove = access.add_recorder(kept.append)
    access.add_recorder(lambda record: 1 / 0)  # a broken recorder never stops the others
    entry = access.record("anna", "alarms.acknowledge", "p1.hi", comment="seen")
    assert kept == [entry] and entry.ts == 100.0 and entry.detail == {"comment": "seen"}
    remove()
    access.record("anna", "alarms.acknowledge", "p1.hi")
    assert len(kept) == 1


def test_translator_speaks_the_apps_and_the_projects_words(tmp_path):
    (tmp_path / "i18n").mkdir()
    (tmp_path / "i18n" / "it.yaml").write_text(
        "'Ram pressure high: {value:.0f} bar': 'Pressione pistone alta: {value:.0f} bar'\n"
        "Alarms:\n  Acknowledge: Conferma\n",
        encoding="utf-8",
    )
    words = Translator(tmp_path)
    assert words.translate("Acknowledge", "Alarms") == "Acknowledge"  # English until told
    assert words.set_language("it")
    assert words.translate("No active alarms", "Alarms") == "Nessun allarme attivo"  # the app's
    assert words.translate("Acknowledge", "Alarms") == "Conferma"  # the project's own wins
    assert words.translate("Ram pressure high: {value:.0f} bar") == (
        "Pressione pistone alta: {value:.0f} bar"
    )
    assert words.translate("never translated") == "never translated"
    assert not words.set_language("xx") and words.language == "it"
    assert words.set_language("en") and words.translate("Acknowledge", "Alarms") == "Acknowledge"


def test_a_broken_project_catalogue_is_left_out_not_fatal(tmp_path):
    (tmp_path / "i18n").mkdir()
    (tmp_path / "i18n" / "it.yaml").write_text("a: [unclosed\n", encoding="utf-8")
    words = Translator(tmp_path)
    assert words.set_language("it")
    assert words.translate("No active alarms", "Alarms") == "Nessun allarme attivo"
