"""The OPC UA driver against a server nobody here wrote: node-opcua, on 127.0.0.1.

Needs ``node`` and the npm package node-opcua-server where node finds it, e.g.::

    mkdir /opt/nodeopcua && cd /opt/nodeopcua && npm install node-opcua-server
    NODE_PATH=/opt/nodeopcua/node_modules pytest tests/integration/test_opcua_nodeopcua.py

Skipped, saying which, when either is missing.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from drivers.opcua import browse
from drivers.opcua.trust import pin_path
from hmi.core.driver import WriteStatus
from hmi.core.project.models import DataType, DeviceConfig
from hmi.core.tags import Quality
from tests.helpers import free_port, wait_for
from tests.integration.opcua_server import good, running, tag

SERVER_SCRIPT = Path(__file__).with_name("nodeopcua_server.js")
START_TIMEOUT = 60.0  # s: the first start makes the server's certificate


def _missing() -> str:
    node = shutil.which("node")
    if node is None:
        return "node is not installed"
    found = subprocess.run(
        [node, "-e", "require.resolve('node-opcua-server')"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    if found.returncode != 0:
        return (
            "the npm package node-opcua-server is not where node finds it "
            "(npm install node-opcua-server, then set NODE_PATH to its node_modules)"
        )
    return ""


MISSING = _missing()
pytestmark = [
    pytest.mark.skipif(bool(MISSING), reason=MISSING),
    pytest.mark.asyncio(loop_scope="module"),
]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def endpoint(tmp_path_factory) -> AsyncIterator[str]:
    port = free_port()
    pki = tmp_path_factory.mktemp("nodeopcua_pki")
    proc = await asyncio.create_subprocess_exec(
        "node",
        str(SERVER_SCRIPT),
        str(port),
        str(pki),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ},
    )
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(START_TIMEOUT):
            while (line := await proc.stdout.readline()) and b"ready" not in line:
                pass
        assert proc.returncode is None, "the node-opcua server ended at start"
        yield f"opc.tcp://127.0.0.1:{port}/interop"
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                async with asyncio.timeout(10):
                    await proc.wait()
            except TimeoutError:
                proc.kill()


def line_tag(name: str, node: str, data_type: DataType, **kw):
    return tag(name, address=f"ns=1;s=Line.{node}", data_type=data_type, **kw)


TAGS = [
    line_tag("speed", "Speed", DataType.FLOAT64, writable=True),
    line_tag("count", "Count", DataType.INT32, writable=True),
    line_tag("small", "Small", DataType.INT32),  # Int16 into int32: accepted
    line_tag("ratio", "Ratio", DataType.FLOAT64),  # Float into float64: accepted
    line_tag("label", "Label", DataType.STRING),
    line_tag("running", "Running", DataType.BOOL),
    line_tag("label_as_int", "Label", DataType.INT32),  # refused
    line_tag("count_as_bool", "Count", DataType.BOOL),  # refused
]


@pytest.mark.parametrize("security", [{}, {"security": "Basic256Sha256"}])
async def test_values_types_and_writes(endpoint, tmp_path, security):
    async with running(endpoint, TAGS, tmp_path, **security) as (driver, sink):
        await wait_for(lambda: all(t.name in sink.latest for t in TAGS), 15)
        await wait_for(lambda: good(sink, "speed", 1.5), 5)
        values = {n: tv.value for n, tv in sink.latest.items() if tv.good}
        assert values == {
            "speed": 1.5,
            "count": 7,
            "small": -5,
            "ratio": 0.5,
            "label": "idle",
            "running": True,
        }
        bad = sink.latest["label_as_int"]
        assert (bad.quality, bad.reason) == (Quality.BAD, "server sends String, tag is int32")
        assert sink.latest["count_as_bool"].reason == "server sends Int32, tag is bool"
        result = await driver.write(TAGS[1], 12)
        assert (result.status, result.readback) == (WriteStatus.DONE, 12)
        await wait_for(lambda: good(sink, "count", 12), 5)
        await driver.write(TAGS[1], 7)
    if security:
        assert pin_path(tmp_path, "plc").stat().st_size > 0  # pinned on first use


async def test_browse_gives_linea_types(endpoint, tmp_path):
    device = DeviceConfig("plc", "opcua", {"endpoint": endpoint})
    rows = {r["browse_path"]: r for r in await browse(device, tmp_path)}
    types = {
        path: (r["data_type"], r["type"]) for path, r in rows.items() if path.startswith("Line/")
    }
    assert types == {
        "Line/Count": ("Int32", "int32"),
        "Line/Label": ("String", "string"),
        "Line/Ratio": ("Float", "float32"),
        "Line/Running": ("Boolean", "bool"),
        "Line/Small": ("Int16", "int16"),
        "Line/Speed": ("Double", "float64"),
    }
