"""The Modbus driver against a server nobody here wrote: libmodbus (Debian's libmodbus5,
with libmodbus-dev and a C compiler to build the small server in libmodbus_server.c),
with an unmapped range it answers with exception 2. Skipped, saying why, where the
compiler or the library is missing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from drivers.modbus.refused import load_refused
from hmi.core.driver import WriteStatus
from hmi.core.project.models import DataType
from tests.bench.bench_modbus_plan import fewest_requests
from tests.helpers import free_port
from tests.integration.test_modbus_driver import make_driver, tag
from tests.integration.test_modbus_refused import read_twice

SOURCE = Path(__file__).with_name("libmodbus_server.c")
HOLE = (400, 420)  # the range the server refuses
NEEDS = "apt-get install gcc libmodbus-dev"
REFUSED = "Modbus exception 2: illegal data address"


def _flags() -> list[str] | None:
    """Compiler flags for libmodbus, or None when its headers are not installed."""
    if shutil.which("pkg-config"):
        found = subprocess.run(
            ["pkg-config", "--cflags", "--libs", "libmodbus"], capture_output=True, text=True
        )
        if found.returncode == 0:
            return found.stdout.split()
    if Path("/usr/include/modbus/modbus.h").exists():
        return ["-I/usr/include/modbus", "-lmodbus"]
    return None


@pytest.fixture(scope="module")
def server_program(tmp_path_factory) -> Path:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip(f"no C compiler to build the libmodbus server ({NEEDS})")
    flags = _flags()
    if flags is None:
        pytest.skip(f"libmodbus headers are not installed ({NEEDS})")
    program = tmp_path_factory.mktemp("libmodbus") / "server"
    built = subprocess.run(
        [compiler, "-O1", "-o", str(program), str(SOURCE), *flags],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr  # installed but does not build: a real fault
    return program


@pytest.fixture
def libmodbus(server_program):
    port = free_port()
    proc = subprocess.Popen(
        [str(server_program), str(port), str(HOLE[0]), str(HOLE[1])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready", (
            proc.stderr.read() if proc.stderr else ""
        )
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def value_at(address: int) -> int:
    return (address * 7) % 65536


async def test_reads_around_a_range_libmodbus_refuses(libmodbus):
    tags = [tag(f"t{a}", f"hr:{a}", DataType.UINT32) for a in range(300, 400, 10)]
    tags += [tag(f"t{a}", f"hr:{a}", DataType.UINT32) for a in range(420, 520, 10)]
    # and tags on its first and last address
    tags += [tag("inside", "hr:400", DataType.UINT16), tag("last", "hr:419", DataType.UINT16)]
    tags.append(tag("ir", "ir:7", DataType.UINT16))
    driver, _ = make_driver(libmodbus, tags)
    first, again, spent = await read_twice(driver, tags)
    for batch in (first, again):
        assert batch["inside"].reason == batch["last"].reason == REFUSED
        assert batch["ir"].value == value_at(7)
        assert {n: tv.value for n, tv in batch.items() if n.startswith("t")} == {
            t.name: (value_at(int(t.name[1:])) << 16) | value_at(int(t.name[1:]) + 1)
            for t in tags
            if t.name.startswith("t")
        }
    holding = [(int(t.name[1:]), 2) for t in tags if t.name.startswith("t")]
    assert spent == fewest_requests(holding, HOLE) + 1  # and one for the input register
    # what it refused where it was read, and not one readable register more
    path, key = driver._store
    marked = {a for lo, hi in load_refused(path, key)["hr"] for a in range(lo, hi)}
    assert {400, 419} <= marked <= set(range(*HOLE))


async def test_writes_are_read_back_and_refused_ones_say_why(libmodbus):
    setpoint = tag("setpoint", "hr:100", DataType.FLOAT32, writable=True)
    unmapped = tag("unmapped", "hr:405", DataType.UINT16, writable=True)
    driver, _ = make_driver(libmodbus, [setpoint, unmapped])
    try:
        done = await driver.write(setpoint, 12.5)
        refused = await driver.write(unmapped, 3)
    finally:
        await driver.stop()
    assert done.status is WriteStatus.DONE and done.readback == 12.5
    assert refused.status is WriteStatus.FAILED
    assert refused.message == REFUSED
