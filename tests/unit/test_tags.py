"""TagValue keeps the semantics every consumer relies on: fields, defaults, immutability,
equality by value with another TagValue only, hashing; the helpers fill it the same way."""

from __future__ import annotations

import pickle

import pytest

from hmi.core.tags import Quality, TagValue, bad, good, uncertain


def test_fields_and_defaults():
    tv = TagValue(1.5)
    assert (tv.value, tv.quality, tv.source_ts, tv.ts, tv.reason) == (
        1.5,
        Quality.GOOD,
        None,
        0.0,
        "",
    )
    assert TagValue(value=2, reason="r", ts=3.0) == TagValue(2, Quality.GOOD, None, 3.0, "r")
    assert tv.good and not TagValue(1, Quality.UNCERTAIN).good


def test_immutable():
    tv = TagValue(1)
    with pytest.raises(AttributeError):
        tv.value = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        tv.extra = 3  # type: ignore[attr-defined]


def test_equal_to_another_tag_value_only():
    a, b = TagValue(1, Quality.BAD, None, 5.0, "gone"), TagValue(1, Quality.BAD, None, 5.0, "gone")
    assert a == b and (a != b) is False and hash(a) == hash(b)
    assert a != TagValue(1, Quality.BAD, None, 5.0, "other")
    assert a != (1, Quality.BAD, None, 5.0, "gone") and (a == tuple(a)) is False
    assert len({a, b, TagValue(2)}) == 2


def test_helpers_fill_the_same_fields():
    assert good(3, 1.0, 2.0) == TagValue(3, Quality.GOOD, 1.0, 2.0, "")
    assert bad("gone", 7, 2.0) == TagValue(7, Quality.BAD, None, 2.0, "gone")
    assert uncertain(8, "old", 2.0) == TagValue(8, Quality.UNCERTAIN, None, 2.0, "old")
    assert type(good(1)) is TagValue and good(1).ts > 0
    assert repr(bad("x", ts=1.0)).startswith("TagValue(value=None, quality=<Quality.BAD: 2>")


def test_survives_pickling_and_as_dict():
    tv = uncertain(4, "stale", 9.0)
    assert pickle.loads(pickle.dumps(tv)) == tv
    assert tv.as_dict("t") == {
        "name": "t",
        "value": 4,
        "quality": "uncertain",
        "reason": "stale",
        "source_ts": None,
        "ts": 9.0,
    }
