"""A small plant for the orders tests: a project folder with one Modbus line whose counters
and machine state sit in holding registers of a real pymodbus server that the test runs on
127.0.0.1 and moves (through a Modbus client, as a PLC's own program would), and the
``hmi run`` processes that count it."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from pymodbus.client import ModbusTcpClient
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType as SimType
from pymodbus.simulator import SimData, SimDevice

GOOD, SCRAP, STATE = 0, 2, 4  # holding registers: two uint32 counters, the state word
RUNNING, IDLE, FAULT = 2, 1, 3

PROJECT = """\
project:
  name: Orders plant {name}
  lines:
    line1: Line 1
scan_classes:
  fast: 50ms
  normal: 1s
  slow: 10s
devices:
  plc:
    protocol: modbus
    line: line1
    host: 127.0.0.1
    port: {port}
    unit: 1
    timeout: 500ms
    retries: 0
tags:
  - {{name: line1.good_count, device: plc, address: "hr:0", type: uint32, scan: fast}}
  - {{name: line1.scrap_count, device: plc, address: "hr:2", type: uint16, scan: fast}}
  - {{name: line1.state, device: plc, address: "hr:4", type: uint16, scan: fast}}
  - {{name: line1.order_target, device: plc, address: "hr:10", type: uint32, writable: true}}
orders:
  lines:
    line1:
      type: filling
      ideal_cycle: 0.1s
      counters:
        good: {{tag: line1.good_count, max_rate: 100/s}}
        scrap: line1.scrap_count
      state:
        tag: line1.state
        values: {{1: idle, 2: running, 3: fault}}
      micro_stop: 1s
      download: {{target: line1.order_target}}
  reasons:
    unplanned:
      Mechanical: [Bottle jam]
  scrap_reasons: [Underfilled]
  report:
    at_shift_end: false
"""


def write_project(folder: Path, port: int, name: str = "kill") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "project.yaml").write_text(PROJECT.format(port=port, name=name), encoding="utf-8")
    return folder


class Plc:
    """A pymodbus server on its own thread; ``set`` writes registers through a client."""

    def __init__(self, port: int):
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        device = SimDevice(
            id=1,
            simdata=(
                [SimData(0, count=16, values=False, datatype=SimType.BITS)],
                [SimData(0, count=16, values=False, datatype=SimType.BITS)],
                [SimData(0, count=32, datatype=SimType.REGISTERS)],
                [SimData(0, count=16, datatype=SimType.REGISTERS)],
            ),
        )

        async def serve() -> ModbusTcpServer:
            server = ModbusTcpServer(device, address=("127.0.0.1", port))
            await server.serve_forever(background=True)
            return server

        self._serve = serve
        self.server = asyncio.run_coroutine_threadsafe(serve(), self._loop).result(10)
        self.client = ModbusTcpClient("127.0.0.1", port=port, timeout=2)
        assert self.client.connect(), "the test's client cannot reach its own PLC"

    def power_cycle(self, outage_s: float) -> None:
        """The PLC goes off (its tags turn Bad) and comes back with every register at 0."""
        self.client.close()
        asyncio.run_coroutine_threadsafe(self.server.shutdown(), self._loop).result(10)
        time.sleep(outage_s)
        self.server = asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)
        assert self.client.connect(), "the PLC did not come back"

    def set_counter(self, address: int, value: int) -> None:
        value %= 2**32
        result = self.client.write_registers(address, [value >> 16, value & 0xFFFF], device_id=1)
        assert not result.isError(), result

    def set_scrap(self, value: int) -> None:
        """The scrap counter: one 16-bit register (it wraps at 65536)."""
        result = self.client.write_registers(SCRAP, [value % 2**16], device_id=1)
        assert not result.isError(), result

    def set_state(self, value: int) -> None:
        result = self.client.write_registers(STATE, [value], device_id=1)
        assert not result.isError(), result

    def read(self, address: int, count: int = 2) -> list[int]:
        result = self.client.read_holding_registers(address, count=count, device_id=1)
        assert not result.isError(), result
        return list(result.registers)

    def close(self) -> None:
        self.client.close()
        asyncio.run_coroutine_threadsafe(self.server.shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


def hmi(*args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hmi", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_station(project: Path, data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hmi",
                "run",
                str(project),
                "--headless",
                "--data-dir",
                str(data_dir),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


def kill9(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)


def query(db: Path, sql: str, *args: object) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def wait_until(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the station ended (exit {proc.returncode}) before {what}")
        assert time.monotonic() < deadline, f"not in {timeout} s: {what}"
        time.sleep(0.05)


def recorded(db: Path, counter: str) -> int | None:
    """The last raw reading the store has of the line's ``counter`` (None: not yet)."""
    try:
        rows = query(
            db, "SELECT raw FROM counter_state WHERE line = 'line1' AND counter = ?", counter
        )
    except sqlite3.OperationalError:
        return None  # the tables are not there yet
    return rows[0][0] if rows else None
