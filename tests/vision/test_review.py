"""A supervisor reviews saved decisions of the real service (simulated press, shipped
model) at a station with real users, a real audit trail and a real orders service: an
overrule moves one part between the order's good and scrap counts (two audited
corrections), a second review takes the first one back instead of counting twice, the
review is in the sidecar and the audit trail, the image is filed as a labelled example;
an operator is refused and the refusal recorded; a part decided with no order running is
reviewed without a correction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("onnx")

from hmi.core.access import Access
from hmi.core.audit import AuditTrail, search
from hmi.core.store import Writer
from hmi.core.tags import good
from hmi.core.users import FAST, Hasher, Method, UserDatabase, Users, UsersConfig
from hmi.core.users import declared_permissions as permissions
from hmi.core.vision import EvidenceItem, Review, Vision, VisionError
from tests.helpers import wait_until
from tests.unit.orders.service_setup import config as orders_config
from tests.unit.orders.service_setup import press_order, writer
from tests.vision.test_live import CAMERA, press_config, press_vision, produce, stop_vision

ORDER = "4711"
CONSOLE = "os:tester"  # who adds the users
DEMO_USERS = (
    ("op1", "operator", "1111"),
    ("sup1", "supervisor", "3333"),
    ("eng1", "engineer", "4444"),
)


class Station:
    """Users, audit trail, orders and vision over real stores in ``folder``."""

    def __init__(self, folder: Path, order: str | None = ORDER):
        self.folder = folder
        self.access = Access()
        self.store = Writer(folder / "station.db", flush_interval=0.02).start()
        self.trail = AuditTrail(self.store, "test-station")
        self.trail.prepare()
        self.access.add_recorder(self.trail.record)
        self.users = Users(
            UsersConfig(), UserDatabase(self.store), self.access,
            known_permissions=permissions(), hasher=Hasher(FAST), console=CONSOLE,
        ).start(background=False)  # fmt: skip
        for name, role, pin in DEMO_USERS:
            self.users.add_user(name, role, by=CONSOLE, pin=pin)
        self.orders = None
        from hmi.core.orders.service import Orders

        self.orders = Orders(orders_config(), writer(folder / "orders.db"), self.access)
        self.orders.load()
        self.sign_in("sup1")
        self.orders.create(press_order(ORDER, target=500), "sup1")
        self.orders.correct_count(ORDER, "good", 20, "counted before the test", "sup1")
        self.orders.correct_count(ORDER, "scrap", 3, "counted before the test", "sup1")
        values = {"_sys.orders.line1.order": good(order)} if order else {}
        self.vision, self.vision_store, _ = press_vision(
            folder / "data", self.access, values=values, orders=self.orders
        )

    def sign_in(self, name: str) -> None:
        pin = next(p for n, _, p in DEMO_USERS if n == name)
        self.users.sign_in(name, pin, method=Method.PIN)

    def counts(self) -> tuple[int, int]:
        order = self.orders.order(ORDER)
        return order.good, order.scrap

    def records(self, action: str) -> list:
        assert self.store.flush(5)
        return search(self.store.path, action=action, newest_first=False)

    def saved(self, parts: int, result: str) -> EvidenceItem:
        """Produce parts until one decided ``result`` is saved; that item."""

        def found() -> list[EvidenceItem]:
            return self.vision.evidence(result=result, reviewed=False)

        start = 1000
        for _ in range(6):
            produce(self.vision, parts, start=start)
            start += parts + 10
            try:
                wait_until(lambda: bool(found()), 5, f"a {result} part saved")
                return found()[0]
            except AssertionError:
                continue
        raise AssertionError(f"no {result} part in {6 * parts} parts")

    def close(self) -> None:
        stop_vision(self.vision, self.vision_store)
        self.orders.close()
        self.orders.store.stop()
        self.users.stop()
        self.store.stop()


@pytest.fixture
def station(tmp_path):
    s = Station(tmp_path)
    yield s
    s.close()


def why(record) -> str:
    """An audit record's reason (its own column, else its details)."""
    return record.reason or record.details.get("reason", "")


def sidecar(item: EvidenceItem) -> dict:
    assert item.path is not None
    return json.loads(item.path.read_text(encoding="utf-8"))


def test_an_overrule_corrects_the_order_once_and_files_the_example(station):
    vision = station.vision
    item = station.saved(6, "good")
    assert item.order == ORDER
    before = station.counts()
    review = vision.review(CAMERA, item.stem, "overrule", "sup1", label="scratch", note="seen")
    assert isinstance(review, Review)
    assert (review.verdict, review.result, review.label) == ("overruled", "defect", "scratch")
    assert station.counts() == (before[0] - 1, before[1] + 1)
    good_, scrap = before
    assert review.correction == (
        f"order {ORDER}: good {good_} -> {good_ - 1}, scrap {scrap} -> {scrap + 1}"
    )
    corrections = station.records("counts.correct")[-2:]
    reason = f"inspection overruled: {CAMERA} {item.stem} ({review.ref})"
    assert review.ref.startswith("ref ") and [why(r) for r in corrections] == [reason, reason]
    assert [r.user for r in corrections] == ["sup1", "sup1"]
    # the review: in the sidecar, the audit trail, the gallery and the examples
    assert sidecar(item)["review"]["verdict"] == "overruled"
    assert sidecar(item)["result"] == "good"  # the decision as it was made stays
    audit = station.records("vision.review")[-1]
    assert (audit.user, audit.target) == ("sup1", f"{CAMERA}/{item.stem}")
    assert audit.details["verdict"] == "overruled" and audit.details["correction"]
    [shown] = [i for i in vision.evidence(reviewed=True) if i.stem == item.stem]
    assert shown.review == review and shown.final_result == "defect"
    assert shown in vision.evidence(result="defect", label="scratch")
    examples = station.folder / "data" / "vision" / "examples"
    assert (examples / "scratch" / item.image.name).is_file()
    assert json.loads((examples / "scratch" / f"{item.stem}.json").read_text())["review"]

    # overruled again: the correction in force is what it wants, nothing moves
    again = vision.review(CAMERA, item.stem, "overrule", "sup1", label="dent")
    assert station.counts() == (before[0] - 1, before[1] + 1)
    assert again.correction == review.correction and again.label == "dent"
    assert not (examples / "scratch" / item.image.name).exists()  # one label per example
    assert (examples / "dent" / item.image.name).is_file()
    # confirmed after all: the overrule's correction is taken back
    back = vision.review(CAMERA, item.stem, "confirm", "sup1")
    assert (back.result, back.label) == ("good", "good")
    assert station.counts() == before
    assert back.correction == (
        f"order {ORDER}: good {good_ - 1} -> {good_}, scrap {scrap + 1} -> {scrap}"
    )
    assert why(station.records("counts.correct")[-1]) == (
        f"inspection review taken back: {CAMERA} {item.stem} ({back.ref})"
    )
    assert back.ref != review.ref
    assert (examples / "good" / item.image.name).is_file()
    # and confirmed once more: nothing to take back twice
    vision.review(CAMERA, item.stem, "confirm", "sup1")
    assert station.counts() == before


class Killed(BaseException):
    """The station's process ends here (nothing after it runs)."""


def restart_vision(station: Station) -> None:
    """The vision service started again over the same folder, as after a power cut."""
    stop_vision(station.vision, station.vision_store)
    station.vision, station.vision_store, _ = press_vision(
        station.folder / "data", station.access,
        values={"_sys.orders.line1.order": good(ORDER)}, orders=station.orders,
    )  # fmt: skip


@pytest.mark.parametrize("cut", ["before the order", "between its counts", "before the sidecar"])
def test_a_review_cut_off_while_correcting_counts_once_after_the_restart(station, monkeypatch, cut):
    vision = station.vision
    item = station.saved(6, "good")
    before = station.counts()
    calls = []
    correct = station.orders.correct_count

    def dying(*args, **kwargs):
        calls.append(args)
        if cut == "before the order" or (cut == "between its counts" and len(calls) == 2):
            raise Killed
        return correct(*args, **kwargs)

    monkeypatch.setattr(station.orders, "correct_count", dying)
    if cut == "before the sidecar":
        monkeypatch.setattr(vision, "_file", lambda *a: (_ for _ in ()).throw(Killed()))
    with pytest.raises(Killed):
        vision.review(CAMERA, item.stem, "overrule", "sup1", label="scratch")
    monkeypatch.undo()
    moved = {"before the order": 0, "between its counts": 1, "before the sidecar": 2}[cut]
    cut_off = (before[0] - 1, before[1] + (1 if moved == 2 else 0)) if moved else before
    assert station.counts() == cut_off  # what the kill left
    assert "correcting" in sidecar(item)  # and what the review was about to do
    restart_vision(station)
    vision = station.vision
    review = vision.review(CAMERA, item.stem, "overrule", "sup1", label="scratch")
    assert station.counts() == (before[0] - 1, before[1] + 1)  # the part moved once
    assert "correcting" not in sidecar(item) and sidecar(item)["review"]["verdict"] == "overruled"
    assert (review.applied_good, review.applied_scrap, review.problem) == (-1, 1, "")
    g, sc = before
    both = f"order {ORDER}: good {g} -> {g - 1}, scrap {sc} -> {sc + 1}"
    rest = f"order {ORDER}: scrap {sc} -> {sc + 1}"  # what the cut-off review had not done
    assert review.correction == (rest if cut == "between its counts" else both)
    vision.review(CAMERA, item.stem, "confirm", "sup1")
    assert station.counts() == before  # and back once


def test_a_defect_overruled_to_good(station):
    item = station.saved(10, "defect")
    before = station.counts()
    review = station.vision.review(CAMERA, item.stem, "overrule", "sup1")
    assert (review.result, review.label) == ("good", "good")
    assert station.counts() == (before[0] + 1, before[1] - 1)
    with pytest.raises(VisionError, match=r"no defect class 'scrach'.*did you mean 'scratch'"):
        station.vision.review(CAMERA, item.stem, "confirm", "sup1", label="scrach")
    confirmed = station.vision.review(CAMERA, item.stem, "confirm", "sup1", label="stain")
    assert (confirmed.result, confirmed.label) == ("defect", "stain")
    assert station.counts() == before


def test_the_operator_is_refused_and_the_refusal_recorded(station):
    item = station.saved(6, "good")
    before = station.counts()
    station.sign_in("op1")
    with pytest.raises(VisionError, match=r"vision\.review"):
        station.vision.review(CAMERA, item.stem, "overrule", "op1")
    refused = station.records("vision.review")[-1]
    assert (refused.user, refused.details["status"]) == ("op1", "refused")
    assert station.counts() == before
    assert "review" not in sidecar(item)
    assert not (station.folder / "data" / "vision" / "examples").exists()
    with pytest.raises(VisionError, match=r"no verdict 'overule'.*did you mean 'overrule'"):
        station.vision.review(CAMERA, item.stem, "overule", "sup1")
    station.sign_in("sup1")
    with pytest.raises(VisionError, match="no saved image 'nothing'"):
        station.vision.review(CAMERA, "nothing", "confirm", "sup1")
    with pytest.raises(VisionError, match="no camera 'cam2'"):
        station.vision.review("cam2", item.stem, "confirm", "sup1")


def test_without_an_order_the_review_is_kept_without_a_correction(tmp_path):
    station = Station(tmp_path, order=None)
    try:
        item = station.saved(6, "good")
        assert item.order == ""
        before = station.counts()
        review = station.vision.review(CAMERA, item.stem, "overrule", "sup1", label="dent")
        assert review.correction == "" and "no order" in review.problem
        assert station.counts() == before
        assert sidecar(item)["review"]["label"] == "dent"
        assert station.records("vision.review")[-1].details["correction"] == ""
    finally:
        station.close()


def test_without_the_orders_service_the_review_is_kept(tmp_path):
    access = Access()
    values = {"_sys.orders.line1.order": good(ORDER)}
    vision, store, _ = press_vision(tmp_path / "data", access, values=values)
    try:
        assert isinstance(vision, Vision) and vision.orders is None
        produce(vision, 6)
        wait_until(lambda: bool(vision.evidence()), 10, "a saved part")
        item = vision.evidence()[0]
        review = vision.review(CAMERA, item.stem, "overrule", "anyone")
        assert review.correction == "" and review.problem == "the orders service is not running"
    finally:
        stop_vision(vision, store)


def test_press_config_saves_every_good_part():
    """The tests above rely on every good part being saved."""
    assert press_config().cameras[CAMERA].evidence.good_every == 1


STATION = """\
project:
  name: Vision review station
  lines: {{line1: Line 1}}
devices:
  press: {{protocol: simulator, line: line1, model: press, seed: 3, faults: false}}
tags:
  - {{name: line1.profile_count, device: press, address: profile_count, type: uint32, scan: fast}}
  - {{name: line1.state, device: press, address: state, type: uint16, scan: fast}}
vision:
  models:
    surface: {model}
  cameras:
    press_cam:
      line: line1
      source: sim:press
      fps: 10
      model: surface
      trigger: {{count: line1.profile_count}}
orders:
  lines:
    line1:
      type: filling
      ideal_cycle: 1s
      counters:
        good: _sys.vision.press_cam.good
        scrap: _sys.vision.press_cam.scrap
      state: {{tag: line1.state, values: {{1: idle, 2: running}}}}
  report: {{at_shift_end: false}}
"""


def test_the_capability_hands_the_orders_service_to_vision(tmp_path):
    from hmi.core.checks import check_all
    from hmi.core.runtime import Runtime
    from tests.vision.test_live import SHIPPED

    (tmp_path / "project.yaml").write_text(STATION.format(model=SHIPPED), encoding="utf-8")
    project, problems = check_all(tmp_path)
    assert project is not None and not problems, problems
    runtime = Runtime(project, tmp_path / "data")
    runtime.start()
    try:
        vision, orders = runtime.service("vision"), runtime.service("orders")
        assert isinstance(vision, Vision) and orders is not None
        assert vision.orders is orders
    finally:
        runtime.stop()
