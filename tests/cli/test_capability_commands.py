"""Capabilities bring their own commands and start for one console command through the
contract (``hmi.core.commands``), so the command line names none of them."""

from __future__ import annotations

import argparse
from typing import ClassVar

import pytest

from hmi.core.capability import Capability, CapabilityRegistry
from hmi.core.commands import CommandError, CommandSet, station
from hmi.core.project.loader import load_project

PROJECT = """\
project:
  name: Console commands
devices:
  press: {protocol: simulator, model: press}
tags:
  - {name: speed, device: press, address: ram_speed_sp}
"""


class Counter(Capability):
    name = "counter"
    at_console = True
    started: ClassVar[list[str]] = []
    stopped: ClassVar[list[str]] = []

    @classmethod
    def add_commands(cls, commands: CommandSet) -> None:
        p = commands.add("counter", help="count")
        commands.add_project(p)
        p.set_defaults(func=lambda args: commands.OK if commands.load(args.project) else 9)

    def start(self) -> None:
        Counter.started.append(self.context.console or "station")

    def stop(self, timeout: float = 10.0) -> None:
        Counter.stopped.append(self.name)


class Idle(Capability):
    name = "idle"  # needs a running station: never started for a command

    def start(self) -> None:
        raise AssertionError("started at the console")


class Broken(Capability):
    name = "broken"
    at_console = True
    order = 200  # after the counter

    def start(self) -> None:
        raise OSError("disk full")


@pytest.fixture
def project(tmp_path):
    (tmp_path / "project.yaml").write_text(PROJECT, encoding="utf-8")
    return tmp_path


def test_a_capability_adds_a_command_that_loads_the_project(project):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    loaded: list[str] = []

    def load(path: str):
        loaded.append(path)
        return object()

    Counter.add_commands(CommandSet(sub, load=load, folder=lambda text: project / text))
    args = parser.parse_args(["counter", str(project), "--data-dir", "state"])
    assert args.func(args) == CommandSet.OK and loaded == [str(project)]
    assert args.data_dir == project / "state"


def test_the_station_starts_only_console_capabilities_as_the_os_account(project, tmp_path):
    loaded = load_project(project)
    Counter.started.clear()
    registry = CapabilityRegistry([Idle, Counter])
    with station(loaded, tmp_path / "data", registry) as started:
        assert [c.name for c in started.capabilities] == ["counter"]
        assert started.service("counter") is started.capabilities[0]
    assert len(Counter.started) == 1 and Counter.started[0].startswith("os:")
    assert (tmp_path / "data" / "hmi.db").exists()


def test_a_console_capability_that_cannot_start_stops_the_command_with_why(project, tmp_path):
    loaded = load_project(project)
    Counter.stopped.clear()
    registry = CapabilityRegistry([Counter, Broken])
    with (
        pytest.raises(CommandError, match="broken could not start: disk full"),
        station(loaded, tmp_path / "data", registry),
    ):
        raise AssertionError("the command ran without a capability it needs")
    assert Counter.stopped == ["counter"]  # what had started is stopped again
