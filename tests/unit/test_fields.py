"""The one field reader every project section uses, and the words its messages are made of."""

from __future__ import annotations

import pytest

from hmi.core.project.fields import Fields, as_number, as_pair
from hmi.core.project.models import Problem, Source
from hmi.core.project.yamlsrc import parse_yaml
from hmi.core.words import describe_value, did_you_mean

ENTRY = """\
entry:
  name: "  line1.speed  "
  count: 3
  ratio: "2.5"
  flag: yes
  mode: Big
  span: 2s
  range: [0, high]
  weight: heavy
  level: 40
  nested:
    lo: 1
    colour: red
"""


def read(text: str = ENTRY, label: str = "entry") -> tuple[Fields, list[Problem]]:
    problems: list[Problem] = []
    data = parse_yaml(text)["entry"]
    return Fields(problems.append, data, "f.yaml", data.line, label), problems


def lines(problems: list[Problem]) -> list[tuple[int, str]]:
    return [(p.source.line, p.message) for p in problems]


def test_good_values_of_every_kind() -> None:
    fields, problems = read()
    assert fields.text("name") == "line1.speed"
    assert fields.text("count") == "3"
    assert fields.number("ratio") == 2.5
    assert fields.whole("count", 0, 10, "0..10") == 3
    assert fields.flag("flag") is True
    assert fields.choice("mode", ("big", "little")) == "big"
    assert fields.duration("span") == 2.0
    assert fields.text("absent") is None and fields.flag("absent", True) is True
    assert fields.duration("absent", 1.0) == 1.0
    assert problems == [] and not fields.failed


def test_each_wrong_value_is_reported_at_its_own_line() -> None:
    fields, problems = read()
    assert fields.pair("range") is None
    assert fields.number("weight") is None
    assert fields.whole("level", 0, 15, "a whole number 0..15") is None
    assert fields.choice("mode", ("sign", "encrypt")) is None
    assert fields.text("nested") is None
    assert lines(problems) == [
        (8, "entry: range: expected two numbers [lo, hi], got [0, 'high']"),
        (9, "entry: weight: expected a number, got 'heavy'"),
        (10, "entry: level: expected a whole number 0..15, got 40"),
        (6, "entry: mode: expected sign or encrypt, got 'Big'"),
        (11, "entry: nested: expected text, got {'lo': 1, 'colour': 'red'}"),
    ]
    assert fields.failed


def test_unknown_keys_get_a_hint_and_hidden_keys_pass() -> None:
    fields, problems = read("entry:\n  type: x\n  nmae: y\n  lable: z\n")
    fields.unknown_keys(("name", "label"), hidden=("type",))
    assert lines(problems) == [
        (3, "entry: unknown field 'nmae'; did you mean 'name'?"),
        (4, "entry: unknown field 'lable'; did you mean 'label'?"),
    ]


def test_a_child_mapping_is_labelled_by_its_key_and_fails_its_parent() -> None:
    fields, problems = read()
    nested = fields.child("nested", "{lo: 1}")
    assert nested is not None and not fields.failed
    nested.unknown_keys(("lo", "hi"))
    nested.problem(None, "needs 'hi:'")
    assert lines(problems) == [
        (13, "entry: nested: unknown field 'colour'; the fields are lo, hi"),
        (11, "entry: nested: needs 'hi:'"),  # the line of the key the mapping is under
    ]
    assert fields.failed
    assert fields.child("count", "{lo: 1}") is None
    assert problems[-1].message == "entry: count: expected a mapping such as {lo: 1}, got 3"


def test_an_empty_label_leaves_the_message_alone() -> None:
    fields, problems = read("entry:\n  size: [0]\n", label="")
    fields.pair("size", "[width, height]")
    assert problems == [Problem(Source("f.yaml", 2), "size: expected [width, height], got [0]")]


def test_a_plain_dict_reports_at_the_line_it_was_given() -> None:
    problems: list[Problem] = []
    fields = Fields(problems.append, {"deadband": "-2"}, "tags.csv", 7, "tag 't'")
    assert fields.not_negative("deadband") is None
    assert problems == [
        Problem(Source("tags.csv", 7), "tag 't': deadband -2 is negative; use 0 or more")
    ]


@pytest.mark.parametrize(
    ("value", "number"),
    [(3, 3.0), (" 2.5 ", 2.5), ("1e3", 1000.0), (True, None), ("nan", None), ([1], None)],
)
def test_as_number(value: object, number: float | None) -> None:
    assert as_number(value) == number


def test_as_pair() -> None:
    assert as_pair([0, "10"]) == (0.0, 10.0)
    assert as_pair([0]) is None and as_pair("0, 1") is None


def test_did_you_mean_the_closest_else_the_list_else_a_sentence() -> None:
    assert did_you_mean("fsat", ("fast", "normal", "slow"), "scan classes") == (
        "did you mean 'fast'?"
    )
    assert did_you_mean("zzz", ("b", "a"), "columns") == "the columns are b, a"  # as given
    assert did_you_mean("zzz", (), "tags") == "there are no tags"
    many = [f"tag{i}" for i in range(20)]
    assert did_you_mean("zzz", many, "tags") == "no tag has that name"
    assert did_you_mean("zzz", many, "properties") == "no property has that name"
    assert did_you_mean("zzz", many, "scan classes") == "no scan class has that name"
    assert did_you_mean("zzz", ("a",), "tags", listed=0) == "no tag has that name"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("abc", "'abc'"),
        (True, "true"),
        (None, "nothing"),
        (["mm"], "['mm']"),
        ({"name": "x"}, "{'name': 'x'}"),
        (list(range(30)), "a list"),
        ({str(i): i for i in range(20)}, "a mapping"),
    ],
)
def test_describe_value(value: object, shown: str) -> None:
    assert describe_value(value) == shown


@pytest.mark.parametrize(
    ("written", "seconds", "message"),
    [
        ("100ms", 0.1, None),
        ("1e-9s", None, "entry: span: 1e-9s is too short; use 10ms to 1 day, e.g. 100ms"),
        ("1e308s", None, "entry: span: 1e308s is too long; use 10ms to 1 day, e.g. 100ms"),
        ("-2s", None, "entry: span: duration '-2s' is negative; use 10ms to 1 day, e.g. 100ms"),
        ("1d", 86400.0, None),
    ],
)
def test_a_duration_is_checked_against_its_shared_range(
    written: str, seconds: float | None, message: str | None
) -> None:
    from hmi.core.project.limits import SCAN_PERIOD

    fields, problems = read(f"entry:\n  span: {written}\n")
    assert fields.duration("span", within=SCAN_PERIOD) == seconds
    assert lines(problems) == ([] if message is None else [(2, message)])


def test_a_count_is_checked_against_its_shared_range() -> None:
    from hmi.core.project.limits import PORT

    fields, problems = read("entry:\n  a: 502\n  b: 70000\n  c: 0\n")
    assert [fields.count(key, PORT) for key in "abc"] == [502, None, None]
    assert lines(problems) == [
        (3, "entry: b: expected a whole number from 1 to 65535, got 70000"),
        (4, "entry: c: expected a whole number from 1 to 65535, got 0"),
    ]


def test_a_reference_already_explained_fails_without_a_second_message() -> None:
    fields, problems = read("entry:\n  tag: gone\n  other: {x: 1}\n")
    nested = fields.child("other", "{x: 1}")
    assert nested is not None
    nested.unknown("x", "unknown tag 'gone'", explained=True)
    assert problems == [] and nested.failed and fields.failed
    fields.unknown("tag", "unknown tag 'gone'")
    assert lines(problems) == [(2, "entry: unknown tag 'gone'")]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("x" * 100, repr("x" * 60) + "..."), (list(range(100)), "a list")],
)
def test_a_long_value_is_shown_short(value: object, shown: str) -> None:
    assert describe_value(value) == shown
