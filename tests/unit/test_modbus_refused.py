"""Locating refused addresses (exception 2) exactly, re-checking them, and remembering
them in the project's store. The device here is a map of readable addresses behind the
same probe the driver uses; the driver against real servers is tested in integration."""

import asyncio
import math
import random
import sqlite3

import pytest

from drivers.modbus.refused import (
    RangeSet,
    TooLong,
    load_refused,
    locate,
    recheck,
    save_refused,
)


class Device:
    """Answers reads like a PLC with unmapped ranges: all of a read, or exception 2."""

    def __init__(self, refused, longest=125):
        self.refused = set(refused)
        self.longest = longest
        self.reads = []

    async def probe(self, address, count):
        assert 1 <= count <= 125, (address, count)
        self.reads.append((address, count))
        if count > self.longest or any(a in self.refused for a in range(address, address + count)):
            return None
        return [a * 3 for a in range(address, address + count)]  # address-dependent values


def run(coro):
    return asyncio.run(coro)


def needed(*ranges):
    return RangeSet(ranges)


def test_a_refused_range_between_tags_is_found_exactly_in_few_reads():
    # tags every 10 registers; 3043..3066 unmapped, no tag there
    device = Device(range(3043, 3067))
    tags = needed(*[(a, a + 2) for a in range(3000, 3125, 10) if not 3043 <= a < 3067])
    found = run(locate(device.probe, 3000, 3125, tags))
    assert found.refused.ranges == ((3043, 3067),)
    # everything outside it was read, with its own values
    assert set(found.data) == set(range(3000, 3043)) | set(range(3067, 3125))
    assert all(v == a * 3 for a, v in found.data.items())
    # a binary search from each side, plus one read that rules out a too-long read
    assert len(device.reads) <= 2 * math.ceil(math.log2(125)) + 1


def test_nothing_readable_is_ever_marked():
    rng = random.Random(7)
    for _ in range(200):
        start = rng.randrange(0, 100)
        size = rng.randrange(1, 126)
        refused = set()
        for _ in range(rng.randrange(1, 4)):
            a = rng.randrange(start, start + size)
            refused |= set(range(a, a + rng.randrange(1, 20)))
        if not refused & set(range(start, start + size)):
            continue
        tags = RangeSet()
        for _ in range(rng.randrange(0, 12)):
            a = rng.randrange(start, start + size)
            tags.add(a, min(a + rng.choice([1, 2, 4]), start + size))
        device = Device(refused)
        found = run(locate(device.probe, start, start + size, tags))
        marked = {a for a, b in found.refused for a in range(a, b)}
        readable_tag_addresses = {
            a for s, e in tags for a in range(s, e) if not refused & set(range(s, e))
        }
        # never a readable address a tag uses; the first and last refused ones exactly
        assert not marked & readable_tag_addresses
        inside = sorted(refused & set(range(start, start + size)))
        assert min(marked) == inside[0] and max(marked) == inside[-1]
        # every readable tag address was read, none of the refused ones
        assert readable_tag_addresses <= set(found.data)
        assert not marked & set(found.data)


def test_tags_inside_a_refused_range_are_each_asked_once():
    # 100..139 unmapped, but a PLC maps 120..121 inside it; tags at 110, 120 and 130
    device = Device(set(range(100, 140)) - {120, 121})
    tags = needed((90, 92), (110, 112), (120, 122), (130, 132), (150, 152))
    found = run(locate(device.probe, 90, 152, tags))
    assert found.refused.ranges == ((100, 120), (122, 140))
    assert {120, 121} <= set(found.data) and 110 not in found.data and 130 not in found.data


def test_a_single_refused_address():
    device = Device({17})
    found = run(locate(device.probe, 10, 30, needed((10, 30))))
    assert found.refused.ranges == ((17, 18),)
    assert set(found.data) == set(range(10, 30)) - {17}


def test_a_device_that_refuses_long_reads_is_told_apart():
    device = Device(set(), longest=64)
    with pytest.raises(TooLong) as caught:
        run(locate(device.probe, 0, 125, needed((0, 125))))
    assert caught.value.limit == 64


def test_recheck_costs_two_reads_while_nothing_changed():
    device = Device(range(50, 80))
    assert run(recheck(device.probe, 50, 80, needed((10, 12)), 125)) is None
    assert device.reads == [(50, 1), (79, 1)]


def test_recheck_asks_the_tags_inside_too():
    device = Device(range(50, 80))
    tags = needed((60, 62))
    assert run(recheck(device.probe, 50, 80, tags, 125)) is None
    assert (60, 2) in device.reads


def test_recheck_finds_a_range_mapped_again_in_whole_or_in_part():
    device = Device([])  # the PLC program now maps all of it
    found = run(recheck(device.probe, 50, 80, needed((60, 62)), 125))
    assert found is not None and not found.refused and set(found.data) == set(range(50, 80))
    device = Device(range(70, 80))  # only the start of it
    found = run(recheck(device.probe, 50, 80, needed((60, 62)), 125))
    assert found.refused.ranges == ((70, 80),)
    device = Device(range(50, 60))  # ... or a tag inside while its ends still refuse
    device.refused |= set(range(62, 80))
    found = run(recheck(device.probe, 50, 80, needed((60, 62)), 125))
    assert found.refused.ranges == ((50, 60), (62, 80))


def test_recheck_of_a_range_longer_than_one_read():
    device = Device(range(100, 300))
    device.refused -= {200}
    found = run(recheck(device.probe, 100, 300, needed((200, 201)), 125))
    assert found.refused.ranges == ((100, 200), (201, 300))
    assert all(count <= 125 for _, count in device.reads)


def test_range_set():
    ranges = RangeSet([(10, 20), (30, 40)])
    ranges.add(20, 25)
    assert ranges.ranges == ((10, 25), (30, 40))
    ranges.discard(12, 14)
    assert ranges.ranges == ((10, 12), (14, 25), (30, 40))
    assert ranges.touches(11, 12) and not ranges.touches(12, 14) and ranges.touches(0, 100)
    assert ranges.within(20, 35) == [(20, 25), (30, 35)]
    assert ranges.within(35, 30) == []
    ranges.discard(0, 100)
    assert not ranges


def test_the_store_remembers_per_device(tmp_path):
    path = tmp_path / "hmi.db"
    assert load_refused(path, "plc") == {}
    assert not path.exists()  # reading creates nothing
    save_refused(path, "plc 10.0.0.5:502 unit 1", {"hr": [(3043, 3067), (10, 11)], "co": [(5, 9)]})
    save_refused(path, "other 10.0.0.6:502 unit 1", {"ir": [(1, 2)]})
    assert load_refused(path, "plc 10.0.0.5:502 unit 1") == {
        "hr": [(10, 11), (3043, 3067)],
        "co": [(5, 9)],
    }
    save_refused(path, "plc 10.0.0.5:502 unit 1", {})
    assert load_refused(path, "plc 10.0.0.5:502 unit 1") == {}
    assert load_refused(path, "other 10.0.0.6:502 unit 1") == {"ir": [(1, 2)]}
    with sqlite3.connect(path) as conn:  # the store's other tables are left alone
        assert conn.execute("SELECT count(*) FROM modbus_refused").fetchone() == (1,)
