"""Values of a type the tag does not declare are Bad with the reason, never Good.

Against the asyncua server of ``opcua_server``, whose ``Line`` object has variables of
many built-in types, one of abstract DataType and one that can be made to send a value
of another type than its DataType says.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from asyncua import ua

from drivers.opcua import OpcUaDriver
from hmi.core.driver import DriverContext
from hmi.core.project.models import DataType, DeviceConfig
from hmi.core.tags import Quality
from tests.helpers import RecordingSink, free_port, wait_for
from tests.integration.opcua_server import SCANS, TIMEOUT, LinePlc, good, running, tag

pytestmark = pytest.mark.asyncio(loop_scope="module")

T = DataType

# (tag type, node) -> the reason of the Bad value
REFUSED = {
    "label_as_int32": (T.INT32, "Label", "server sends String, tag is int32"),
    "running_as_string": (T.STRING, "Running", "server sends Boolean, tag is string"),
    "count_as_bool": (T.BOOL, "Count", "server sends Int32, tag is bool"),
    "speed_as_int16": (T.INT16, "Speed", "server sends Double, tag is int16"),
    "count_as_int16": (T.INT16, "Count", "server sends Int32, tag is int16"),
    "count_as_uint32": (T.UINT32, "Count", "server sends Int32, tag is uint32"),
    "level_as_int16": (T.INT16, "Level", "server sends UInt16, tag is int16"),
    "speed_as_string": (T.STRING, "Speed", "server sends Double, tag is string"),
    "series_as_int32": (T.INT32, "Series", "server sends an array of Int32, tag is int32"),
}
# (tag type, node) -> the value shown, Good
ACCEPTED = {
    "small_as_int32": (T.INT32, "Small", -5),
    "tiny_as_uint16": (T.UINT16, "Tiny", 200),
    "tiny_as_int16": (T.INT16, "Tiny", 200),
    "ratio_as_float64": (T.FLOAT64, "Ratio", 0.5),
    "speed_as_float32": (T.FLOAT32, "Speed", 1.5),
    "count_as_float64": (T.FLOAT64, "Count", 7),
    "big_as_int64": (T.INT64, "Big", 2**40),
    "stamp_as_float64": (T.FLOAT64, "Stamp", 1704164645.0),
    "text_as_string": (T.STRING, "Text", "Cola"),
    "running_as_bool": (T.BOOL, "Running", False),
    "anything_as_int32": (T.INT32, "Anything", 5),
}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def plc() -> AsyncIterator[LinePlc]:
    server = await (await LinePlc(free_port()).init()).start()
    yield server
    await server.stop()


def tags_of(table: dict) -> list:
    return [tag(name, node, data_type=dtype) for name, (dtype, node, _) in table.items()]


def warnings_about(caplog, name: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and f"tag {name} is Bad" in r.getMessage()
    ]


@pytest.mark.parametrize("subscriptions", [True, False])
async def test_a_value_of_another_type_is_bad_with_the_reason(plc, tmp_path, subscriptions):
    tags = tags_of(REFUSED) + tags_of(ACCEPTED)
    async with running(plc.endpoint, tags, tmp_path, subscriptions=subscriptions) as (_, sink):
        await wait_for(lambda: all(t.name in sink.latest for t in tags), 5)
        for name, (_, _, reason) in REFUSED.items():
            tv = sink.latest[name]
            assert (tv.quality, tv.reason, tv.value) == (Quality.BAD, reason, None), name
        for name, (_, _, value) in ACCEPTED.items():
            tv = sink.latest[name]
            assert tv.good and tv.value == value, (name, tv)


async def test_the_log_says_it_once_per_tag_with_the_fitting_type(plc, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="drivers.opcua")
    tags = [tag("label", "Label", data_type=T.INT32), tag("series", "Series", data_type=T.INT32)]
    async with running(plc.endpoint, tags, tmp_path) as (_, sink):
        await wait_for(lambda: "label" in sink.latest and "series" in sink.latest, 5)
        for text in ("filling", "stopped", "idle"):
            seen = sum("label" in b for b in sink.batches)
            await plc.set("Label", text)
            await wait_for(lambda: sum("label" in b for b in sink.batches) > seen, 3)  # noqa: B023
        assert all(b["label"].reason.startswith("server sends String") for b in sink.batches)
    (said,) = warnings_about(caplog, "label")
    assert said == (
        "plc: tag label is Bad: server sends String, tag is int32; "
        "declare 'type: string' or change the variable on the server"
    )
    (said,) = warnings_about(caplog, "series")
    assert said.endswith("an array of Int32, tag is int32; change the variable on the server")


async def test_the_node_data_type_decides_even_when_a_value_would_fit(plc, tmp_path):
    # Count is an Int32 node holding 7: it fits an int16, but its next value may not
    tags = [tag("count", "Count", data_type=T.INT16)]
    async with running(plc.endpoint, tags, tmp_path) as (_, sink):
        await wait_for(lambda: "count" in sink.latest, 5)
        assert sink.latest["count"].reason == "server sends Int32, tag is int16"
        await plc.set("Count", 8)
        await wait_for(lambda: sum("count" in b for b in sink.batches) >= 2, 3)
        assert sink.latest["count"].quality is Quality.BAD


async def test_each_value_is_checked_where_the_data_type_cannot_tell(plc, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="drivers.opcua")
    tags = [tag("anything", "Anything", data_type=T.INT32), tag("liar", "Liar")]
    assert tags[1].data_type is T.INT32
    async with running(plc.endpoint, tags, tmp_path) as (_, sink):
        await wait_for(lambda: good(sink, "anything", 5) and good(sink, "liar", 7), 5)
        assert not warnings_about(caplog, "anything")
        await plc.set("Anything", "five", vtype=ua.VariantType.String)  # BaseDataType node
        await plc.set("Liar", "seven", vtype=ua.VariantType.String)  # says Int32, sends String
        await wait_for(lambda: sink.latest["liar"].quality is Quality.BAD, 3)
        await wait_for(lambda: sink.latest["anything"].quality is Quality.BAD, 3)
        assert sink.latest["anything"].reason == "server sends String, tag is int32"
        assert sink.latest["liar"].reason == "server sends String, tag is int32"
        await plc.set("Anything", 6, vtype=ua.VariantType.Int16)
        await plc.set("Liar", 8, vtype=ua.VariantType.Int32)
        await wait_for(lambda: good(sink, "anything", 6) and good(sink, "liar", 8), 3)
    assert len(warnings_about(caplog, "anything")) == len(warnings_about(caplog, "liar")) == 1
    await plc.set("Anything", 5, vtype=ua.VariantType.Int16)
    await plc.set("Liar", 7, vtype=ua.VariantType.Int32)


async def test_a_one_shot_read_checks_the_types_too(plc, tmp_path):
    device = DeviceConfig("plc", "opcua", {"endpoint": plc.endpoint, "timeout": TIMEOUT})
    tags = tags_of(REFUSED) + tags_of(ACCEPTED)
    driver = OpcUaDriver(DriverContext(device, tags, SCANS, RecordingSink(), str(tmp_path)))
    batch = await driver.read(tags)
    assert {n for n, tv in batch.items() if tv.quality is Quality.BAD} == set(REFUSED)
    assert batch["label_as_int32"].reason == "server sends String, tag is int32"
    assert batch["stamp_as_float64"].value == 1704164645.0
