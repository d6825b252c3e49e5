"""Block-read planning: merge, gaps, request limits and refused addresses."""

import math

import pytest

from drivers.modbus.planner import Span, plan_blocks, split_requests


def spans(*ranges):
    """Spans from (start, size) pairs, named by their start."""
    return [Span(f"t{start}", start, size) for start, size in ranges]


def covered(block):
    return [a for address, count in block.requests for a in range(address, address + count)]


def test_1000_contiguous_float32_need_16_requests():
    (block,) = plan_blocks(spans(*[(2 * i, 2) for i in range(1000)]), limit=125, max_gap=16)
    assert len(block.requests) == 16 == math.ceil(2000 / 125)
    assert all(count <= 125 for _, count in block.requests)
    assert covered(block) == list(range(2000))
    assert len(block.spans) == 1000


@pytest.mark.parametrize("registers", [1, 124, 125, 126, 250, 251, 1000, 2001])
@pytest.mark.parametrize("tag_size", [1, 2, 4])
def test_contiguous_tags_cost_ceil_of_registers_over_125(registers, tag_size):
    count = math.ceil(registers / tag_size)
    blocks = plan_blocks(
        spans(*[(tag_size * i, tag_size) for i in range(count)]), limit=125, max_gap=0
    )
    total = count * tag_size
    assert sum(len(b.requests) for b in blocks) == math.ceil(total / 125)


def test_a_gap_up_to_max_gap_is_merged_and_one_more_is_not():
    merged = plan_blocks(spans((0, 2), (18, 2)), limit=125, max_gap=16)
    assert [(b.start, b.size) for b in merged] == [(0, 20)]
    split = plan_blocks(spans((0, 2), (19, 2)), limit=125, max_gap=16)
    assert [(b.start, b.size) for b in split] == [(0, 2), (19, 2)]
    adjacent_only = plan_blocks(spans((0, 1), (1, 1), (3, 1)), limit=125, max_gap=0)
    assert [(b.start, b.size) for b in adjacent_only] == [(0, 2), (3, 1)]


def test_order_of_input_does_not_matter_and_overlaps_share_a_block():
    blocks = plan_blocks(
        [Span("b", 10, 2), Span("a", 0, 1), Span("bit", 10, 1), Span("c", 11, 1)],
        limit=125,
        max_gap=16,
    )
    assert len(blocks) == 1
    assert {s.key for s in blocks[0].spans} == {"a", "b", "bit", "c"}
    assert (blocks[0].start, blocks[0].size) == (0, 12)


def test_bit_areas_use_their_own_limit():
    (block,) = plan_blocks(spans(*[(i, 1) for i in range(2001)]), limit=2000, max_gap=0)
    assert block.requests == ((0, 2000), (2000, 1))


def test_a_small_request_limit_is_honoured():
    (block,) = plan_blocks(spans(*[(i, 1) for i in range(10)]), limit=4, max_gap=0)
    assert block.requests == ((0, 4), (4, 4), (8, 2))


def test_refused_addresses_are_never_skipped_over():
    # tags at 9 and 11 would merge over 10, which the device refused
    blocks = plan_blocks(spans((9, 1), (11, 1)), limit=125, max_gap=16, avoid={10})
    assert [(b.start, b.size) for b in blocks] == [(9, 1), (11, 1)]


def test_a_tag_on_a_refused_address_is_read_alone():
    blocks = plan_blocks(spans((8, 2), (10, 2), (12, 2)), limit=125, max_gap=16, avoid={11})
    assert [[s.key for s in b.spans] for b in blocks] == [["t8"], ["t10"], ["t12"]]


def test_split_requests():
    assert split_requests(100, 250, 125) == ((100, 125), (225, 125))
    assert split_requests(0, 1, 125) == ((0, 1),)
    assert split_requests(65535, 1, 125) == ((65535, 1),)
