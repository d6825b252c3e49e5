"""The orders service: actions, validation, refusals, records and their outbox rows,
each checked in memory and again in a service loaded afresh from the same store."""

from __future__ import annotations

import sqlite3

import pytest

from hmi.core.access import Access
from hmi.core.orders.model import OrderState
from hmi.core.orders.service import OrdersError

from .service_setup import Clock, close, filler_order, press_order, service


def reopen(orders, path, clock):
    close(orders)
    return service(path, clock)


def test_an_order_goes_through_its_states_and_each_change_is_kept_with_who_and_why(tmp_path):
    clock = Clock()
    db = tmp_path / "hmi.db"
    orders = service(db, clock)
    seen: list[str] = []
    orders.watch(seen.append)
    orders.create(press_order("P-1", 50), "sup1")
    assert orders.queue("line1")[0].number == "P-1"
    clock.advance(10)
    started = orders.start("P-1", "op1")
    assert started.state is OrderState.RUNNING and started.started == clock.now
    assert orders.running("line1").number == "P-1"
    clock.advance(10)
    orders.hold("P-1", "op1", "Waiting for billets")
    clock.advance(10)
    orders.resume("P-1", "op1")
    clock.advance(10)
    done = orders.complete("P-1", "lead1")
    assert done.state is OrderState.COMPLETED and done.ended == clock.now
    assert seen == ["line1"] * 5
    orders = reopen(orders, db, clock)
    assert orders.order("P-1").state is OrderState.COMPLETED
    history = orders.history("P-1")
    assert [(c.action, c.user) for c in history] == [
        ("create", "sup1"),
        ("start", "op1"),
        ("hold", "op1"),
        ("resume", "op1"),
        ("complete", "lead1"),
    ]
    assert history[2].reason == "Waiting for billets"
    events = orders.outbox()
    assert [e.payload["action"] for e in events] == [c.action for c in history]
    assert [e.seq for e in events] == [1, 2, 3, 4, 5] and {e.stream for e in events} == {"P-1"}
    assert len({e.key for e in events}) == 5
    close(orders)


@pytest.mark.parametrize(
    ("order", "message"),
    [
        (press_order("P-1"), "exists already"),
        (press_order(""), "needs its number"),
        (press_order("X" * 65), "at most 64 characters"),
        (press_order("P-2", line="line9"), "no line 'line9'"),
        (press_order("P-3", target=0), "target must be from 1"),
        (press_order("P-4", target=10**9), "target must be from 1"),
        (press_order("P-5", product={"die": "D1"}), "alloy is missing"),
        (filler_order("F-2", product={"product": "Water", "bottle_size_l": -1}), "above 0"),
        (
            filler_order("F-3", product={"product": "Water", "bottle_size_l": 0.5, "die": 1}),
            "unknown product field 'die'",
        ),
    ],
)
def test_a_new_order_is_refused_with_the_reason(tmp_path, order, message):
    orders = service(tmp_path / "hmi.db", Clock())
    orders.create(press_order("P-1"), "sup1")
    with pytest.raises(OrdersError, match=message):
        orders.create(order, "sup1")
    assert [o.number for o in orders.orders()] == ["P-1"]
    close(orders)


def test_one_running_order_per_line_and_only_allowed_transitions(tmp_path):
    orders = service(tmp_path / "hmi.db", Clock())
    orders.create(press_order("P-1"), "sup1")
    orders.create(press_order("P-2"), "sup1")
    orders.create(filler_order("F-1"), "sup1")
    orders.start("P-1", "op1")
    with pytest.raises(OrdersError, match="P-1 is running on line1"):
        orders.start("P-2", "op1")
    orders.start("F-1", "op1")  # another line is another matter
    with pytest.raises(OrdersError, match="it cannot resume"):
        orders.resume("P-1", "op1")
    with pytest.raises(OrdersError, match="give the reason"):
        orders.hold("P-1", "op1", "  ")
    with pytest.raises(OrdersError, match="no order 'P-9'"):
        orders.start("P-9", "op1")
    orders.hold("P-1", "op1", "Die change")
    orders.start("P-2", "op1")
    with pytest.raises(OrdersError, match="P-2 is running"):
        orders.resume("P-1", "op1")
    orders.abort("P-1", "sup1", "Die broken")
    with pytest.raises(OrdersError, match="aborted: it cannot complete"):
        orders.complete("P-1", "sup1")
    close(orders)


def test_a_refused_action_changes_nothing_and_is_recorded_as_refused(tmp_path):
    clock = Clock()
    access = Access(clock)
    heard = []
    access.add_recorder(heard.append)
    access.set_policy(lambda user, perm, _: "operators may not" if perm == "orders.abort" else None)
    orders = service(tmp_path / "hmi.db", clock, access)
    orders.create(press_order("P-1"), "sup1")
    with pytest.raises(OrdersError, match="operators may not"):
        orders.abort("P-1", "op1", "why not")
    assert orders.order("P-1").state is OrderState.RELEASED
    assert [(r.action, r.detail.get("status")) for r in heard] == [
        ("orders.create", None),
        ("orders.abort", "refused"),
    ]
    with pytest.raises(OrdersError, match="name of the user"):
        orders.start("P-1", "")
    close(orders)


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (-3, "from 1 to"),
        (0, "from 1 to"),
        (10**7, "from 1 to"),
        ("lots", "whole number"),
        (2.5, "whole number"),
        (True, "whole number"),
        (float("nan"), "whole number"),
    ],
)
def test_scrap_quantity_must_be_a_sensible_whole_number(tmp_path, quantity, message):
    orders = service(tmp_path / "hmi.db", Clock())
    orders.create(press_order("P-1"), "sup1")
    orders.start("P-1", "op1")
    with pytest.raises(OrdersError, match=message):
        orders.record_scrap("P-1", quantity, "Surface defect", "op1")
    assert orders.order("P-1").scrap == 0
    close(orders)


def test_scrap_and_corrections_are_kept_beside_the_counts_and_survive_a_restart(tmp_path):
    clock = Clock()
    db = tmp_path / "hmi.db"
    orders = service(db, clock)
    orders.create(press_order("P-1", 100), "sup1")
    with pytest.raises(OrdersError, match="has not started"):
        orders.record_scrap("P-1", 2, "Surface defect", "op1")
    orders.start("P-1", "op1")
    with pytest.raises(OrdersError, match="did you mean 'Surface defect'"):
        orders.record_scrap("P-1", 2, "Surface defekt", "op1")
    scrap = orders.record_scrap("P-1", "3", "Surface defect", "op1")
    assert scrap.kg == pytest.approx(3 * 6.0 * 0.5)  # 3 profiles of 6 m at 500 g/m
    with pytest.raises(OrdersError, match="needs a reason"):
        orders.correct_count("P-1", "good", 10, "", "lead1")
    correction = orders.correct_count("P-1", "good", 10, "counted by hand", "lead1")
    assert (correction.before, correction.after) == (0, 10)
    assert (orders.order("P-1").good, orders.order("P-1").scrap) == (10, 3)
    orders = reopen(orders, db, clock)
    assert (orders.order("P-1").good, orders.order("P-1").scrap) == (10, 3)
    assert orders.corrections("P-1")[0].reason == "counted by hand"
    assert [e.kind for e in orders.outbox()][-2:] == ["scrap", "correction"]
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT counter, delta, kind FROM counts ORDER BY id").fetchall()
    assert rows == [("scrap", 3, "manual"), ("good", 10, "correction")]
    close(orders)


def test_the_queue_follows_the_sequence_a_supervisor_sets(tmp_path):
    orders = service(tmp_path / "hmi.db", Clock())
    for n in ("A", "B", "C"):
        orders.create(press_order(n), "sup1")
    assert [o.number for o in orders.queue("line1")] == ["A", "B", "C"]
    orders.resequence("line1", ["C", "A"], "sup1")
    assert [o.number for o in orders.queue("line1")] == ["C", "A", "B"]
    with pytest.raises(OrdersError, match="not in the queue"):
        orders.resequence("line1", ["Z"], "sup1")
    close(orders)


def test_extrusion_figures_follow_from_the_product_data_and_the_counts(tmp_path):
    orders = service(tmp_path / "hmi.db", Clock())
    orders.create(press_order("P-1", 100), "sup1")
    orders.start("P-1", "op1")
    for role, raw in (("good", 0), ("billets", 0), ("good", 40), ("billets", 4)):
        orders.feed_counter("line1", role, raw)
    orders.tick()
    f = orders.figures("P-1")
    # 40 profiles × 6 m × 500 g/m = 120 kg net; 4 billets × 30 kg = 120 kg gross... one
    # billet yields 10 profiles, so 60 remaining need 6 billets
    assert f["pieces"] == 40 and f["billets"] == 4
    assert f["gross_kg"] == 120.0 and f["net_kg"] == 120.0 and f["scrap_kg"] == 0.0
    assert f["remaining_pieces"] == 60 and f["remaining_kg"] == 180.0
    assert f["remaining_billets"] == 6
    close(orders)


def test_an_import_takes_the_good_rows_and_names_each_refused_one_by_file_and_line(tmp_path):
    orders = service(tmp_path / "hmi.db", Clock())
    orders.create(press_order("P-1"), "sup1")
    header = (
        "number,line,target,ideal_cycle,die,alloy,billet_length_mm,billet_weight_kg,"
        "weight_per_m_g,profile_length_m,product,bottle_size_l"
    )
    rows = [
        "P-2,line1,100,40s,D1,6060,600,30,500,6,,",
        "P-1,line1,100,,D1,6060,600,30,500,6,,",  # exists already
        "P-3,line3,100,,D1,6060,600,30,500,6,,",  # no such line
        "F-1,line2,lots,,,,,,,,Water,0.5",  # not a number
        "F-2,line2,500,0.2s,,,,,,,Water,0.5",
        "F-2,line2,500,,,,,,,,Water,0.5",  # twice in the file
        "F-3,line2,500,fast,,,,,,,Water,0.5",  # not a duration
    ]
    path = tmp_path / "orders.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = orders.import_file(path, "sup1")
    assert result.created == ["P-2", "F-2"]
    where = [p.split(": ")[0] for p in result.problems]
    assert where == [f"{path}:{n}" for n in (3, 4, 5, 7, 8)]
    assert "exists already" in result.problems[0] and "did you mean" in result.problems[1]
    assert orders.order("P-2").ideal_cycle_s == 40.0
    assert orders.order("P-2").source == "import"
    path.write_text(
        '{"orders": [{"number": "J-1", "line": "line2", "target": 5, '
        '"product": "Cola", "bottle_size_l": 0.5}, 7]}',
        encoding="utf-8",
    )
    result = orders.import_file(path.rename(tmp_path / "o.json"), "sup1")
    assert result.created == ["J-1"] and "order 2: expected an object" in result.problems[0]
    missing = orders.import_file(tmp_path / "nothing.csv", "sup1")
    assert missing.created == [] and "no such file" in missing.problems[0]
    exported = orders.export("csv")
    assert exported.splitlines()[0].startswith("number,line,state,target")
    assert len(exported.splitlines()) == 1 + 4
    close(orders)
