"""Block-read planning by cost: merges, request limits, the max_gap cap, refused walls, and
the cheapest plan checked against an exhaustive search on random maps."""

import math
import random

import pytest

from drivers.modbus.planner import Span, plan_blocks, split_requests, touches

TCP = 1000  # the default request cost over TCP, in registers


def spans(*ranges):
    """Spans from (start, size) pairs, named by their start."""
    return [Span(f"t{start}", start, size) for start, size in ranges]


def covered(block):
    return [a for address, count in block.requests for a in range(address, address + count)]


def shape(blocks):
    return [(b.start, b.size) for b in blocks]


def requests(blocks):
    return sum(len(b.requests) for b in blocks)


def test_1000_contiguous_float32_need_16_requests():
    (block,) = plan_blocks(spans(*[(2 * i, 2) for i in range(1000)]), limit=125, request_cost=TCP)
    assert len(block.requests) == 16 == math.ceil(2000 / 125)
    assert all(count <= 125 for _, count in block.requests)
    assert covered(block) == list(range(2000))
    assert len(block.spans) == 1000


@pytest.mark.parametrize("registers", [1, 124, 125, 126, 250, 251, 1000, 2001])
@pytest.mark.parametrize("tag_size", [1, 2, 4])
@pytest.mark.parametrize("cost", [0, 20, TCP])
def test_contiguous_tags_cost_ceil_of_registers_over_125(registers, tag_size, cost):
    count = math.ceil(registers / tag_size)
    blocks = plan_blocks(
        spans(*[(tag_size * i, tag_size) for i in range(count)]), limit=125, request_cost=cost
    )
    assert requests(blocks) == math.ceil(count * tag_size / 125)


def test_a_gap_is_read_when_it_costs_less_than_a_request():
    # two float32 with 18 registers between them: one request of 22 registers
    assert shape(plan_blocks(spans((0, 2), (20, 2)), limit=125, request_cost=TCP)) == [(0, 22)]
    # with a request worth 20 registers, a gap of 20 is still worth reading, 21 is not
    assert shape(plan_blocks(spans((0, 2), (22, 2)), limit=125, request_cost=20)) == [(0, 24)]
    split = plan_blocks(spans((0, 2), (23, 2)), limit=125, request_cost=20)
    assert shape(split) == [(0, 2), (23, 2)]


def test_tags_every_20_registers_share_requests_up_to_the_limit():
    # 50 float32 every 20 registers: 7 tags fit in 125 registers, so 8 requests, not 50
    blocks = plan_blocks(spans(*[(20 * i, 2) for i in range(50)]), limit=125, request_cost=TCP)
    assert requests(blocks) == 8
    assert all(count <= 125 for b in blocks for _, count in b.requests)
    assert sorted(s.key for b in blocks for s in b.spans) == sorted(f"t{20 * i}" for i in range(50))


def test_max_gap_is_a_hard_cap_whatever_the_cost():
    capped = plan_blocks(spans((0, 2), (18, 2), (40, 2)), limit=125, request_cost=TCP, max_gap=16)
    assert shape(capped) == [(0, 20), (40, 2)]
    adjacent_only = plan_blocks(
        spans((0, 1), (1, 1), (3, 1)), limit=125, request_cost=TCP, max_gap=0
    )
    assert shape(adjacent_only) == [(0, 2), (3, 1)]


def test_order_of_input_does_not_matter_and_overlaps_share_a_block():
    blocks = plan_blocks(
        [Span("b", 10, 2), Span("a", 0, 1), Span("bit", 10, 1), Span("c", 11, 1)],
        limit=125,
        request_cost=TCP,
    )
    assert len(blocks) == 1
    assert {s.key for s in blocks[0].spans} == {"a", "b", "bit", "c"}
    assert (blocks[0].start, blocks[0].size) == (0, 12)


def test_bit_areas_use_their_own_limit():
    (block,) = plan_blocks(spans(*[(i, 1) for i in range(2001)]), limit=2000, request_cost=TCP)
    assert block.requests == ((0, 2000), (2000, 1))


def test_a_small_request_limit_is_honoured():
    (block,) = plan_blocks(spans(*[(i, 1) for i in range(10)]), limit=4, request_cost=TCP)
    assert block.requests == ((0, 4), (4, 4), (8, 2))


def test_refused_addresses_are_never_read_over():
    # tags at 9 and 11 would merge over 10, which the device refused
    blocks = plan_blocks(spans((9, 1), (11, 1)), limit=125, request_cost=TCP, walls=[(10, 11)])
    assert shape(blocks) == [(9, 1), (11, 1)]
    # a wall between two far groups does not split either group
    far = spans((0, 2), (4, 2), (100, 2), (104, 2))
    blocks = plan_blocks(far, limit=125, request_cost=TCP, walls=[(50, 60)])
    assert shape(blocks) == [(0, 6), (100, 6)]


def test_a_tag_on_a_refused_address_is_read_alone():
    blocks = plan_blocks(
        spans((8, 2), (10, 2), (12, 2)), limit=125, request_cost=TCP, walls=[(11, 12)]
    )
    assert [[s.key for s in b.spans] for b in blocks] == [["t8"], ["t10"], ["t12"]]


def test_touches():
    walls = [(10, 20), (30, 31)]
    assert touches(walls, 19, 25) and touches(walls, 5, 11) and touches(walls, 30, 31)
    assert not touches(walls, 20, 30) and not touches(walls, 0, 10) and not touches(walls, 31, 99)
    assert not touches([], 0, 100)


def test_split_requests():
    assert split_requests(100, 250, 125) == ((100, 125), (225, 125))
    assert split_requests(0, 1, 125) == ((0, 1),)
    assert split_requests(65535, 1, 125) == ((65535, 1),)


# -- the cheapest plan, against an exhaustive search -----------------------------------------


def cheapest(needed, limit, cost, max_gap, walls):
    """(cost, requests) of the best cover of the ``needed`` addresses, found the plain way:
    a request starts at a needed address and ends after one, so try every such pair."""
    addresses = sorted(needed)
    refused = {a for start, end in walls for a in range(start, end)}
    best = [(0, 0)] * (len(addresses) + 1)
    for i in range(len(addresses) - 1, -1, -1):
        options = []
        for j in range(i, len(addresses)):
            if addresses[j] - addresses[i] + 1 > limit:
                break
            if j > i:
                gap = addresses[j] - addresses[j - 1] - 1
                if max_gap is not None and gap > max_gap:
                    break
                if any(a in refused for a in range(addresses[j - 1] + 1, addresses[j])):
                    break
            size = addresses[j] - addresses[i] + 1
            rest_cost, rest_count = best[j + 1]
            options.append((rest_cost + cost + size, rest_count + 1))
        best[i] = min(options)
    return best[0]


def plan_figures(blocks):
    return (sum(b.size for b in blocks), requests(blocks))


@pytest.mark.parametrize("seed", range(60))
def test_the_plan_is_the_cheapest_possible(seed):
    rng = random.Random(seed)
    limit = rng.choice([4, 10, 16, 125])
    cost = rng.choice([0, 3, 20, TCP])
    max_gap = rng.choice([None, None, 0, 5])
    walls = []
    if rng.random() < 0.5:
        start = rng.randrange(0, 300)
        walls = [(start, start + rng.randrange(1, 30))]
    tags = []
    for _ in range(rng.randrange(1, 40)):
        start, size = rng.randrange(0, 400), rng.choice([1, 1, 2, 4])
        if not touches(walls, start, start + size):
            tags.append(Span(f"t{len(tags)}", start, size))
    if not tags:
        return
    blocks = plan_blocks(tags, limit=limit, request_cost=cost, max_gap=max_gap, walls=walls)
    needed = {a for s in tags for a in range(s.start, s.end)}
    # a valid plan: every tag in one block, inside it; requests within the limit, off walls
    assert sorted(s.key for b in blocks for s in b.spans) == sorted(s.key for s in tags)
    for block in blocks:
        assert all(block.start <= s.start and s.end <= block.end for s in block.spans)
        assert covered(block) == list(range(block.start, block.end))
        assert all(count <= limit for _, count in block.requests)
        assert not touches(walls, block.start, block.end)
        assert block.start in needed and block.end - 1 in needed
    size, count = plan_figures(blocks)
    assert (cost * count + size, count) == cheapest(needed, limit, cost, max_gap, walls)
