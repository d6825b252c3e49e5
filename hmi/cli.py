"""Command line: ``hmi run | demo | check | sim | screenshot | gallery | read | write | browse``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from hmi.core.paths import data_dir_for, demo_project_dir
from hmi.core.project.limits import (
    PORT,
    RUN_TIME,
    SCREENSHOT_SIDE,
    SUMMARY_PERIOD,
    TIMEOUT,
    WAIT,
    DurationRange,
)
from hmi.core.project.models import Project

log = logging.getLogger("hmi")

EXIT_OK, EXIT_FAILED, EXIT_BAD_PROJECT = 0, 1, 2


def _load(path: str) -> Project | None:
    """Load and check a project; print every problem and return None if there are any."""
    from hmi.core.checks import check_all

    project, problems = check_all(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems or project is None:
        print(f"{len(problems)} problem(s) in {path}", file=sys.stderr)
        return None
    return project


def cmd_check(args: argparse.Namespace) -> int:
    project = _load(args.project)
    if project is None:
        return EXIT_BAD_PROJECT
    print(
        f"{args.project}: OK — {len(project.devices)} device(s), {len(project.tags)} tag(s) "
        f"({len(project.derived_tags)} derived)"
    )
    return EXIT_OK


def _interrupt_on_sigterm() -> None:
    """Let a terminated process unwind like Ctrl+C, so servers close their sockets."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def cmd_sim(args: argparse.Namespace) -> int:
    from drivers.simulator import run_plant

    _interrupt_on_sigterm()

    if not args.quiet:
        print(
            f"simulated plant: Line 1 press on modbus tcp 127.0.0.1:{args.modbus_port}, "
            f"Line 2 filler on opc.tcp://127.0.0.1:{args.opcua_port}",
            flush=True,
        )
    try:
        asyncio.run(
            run_plant(
                modbus_port=args.modbus_port,
                opcua_port=args.opcua_port,
                seconds=args.seconds,
                seed=args.seed,
                speed=args.speed,
                orders=not args.free_run,
                near_wrap=args.near_wrap,
            )
        )
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"simulated plant could not start: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    project = _load(args.project)
    if project is None:
        return EXIT_BAD_PROJECT
    return _run(project, args)


def _has_display() -> bool:
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
        or sys.platform in ("win32", "darwin")
    )


def _run(project: Project, args: argparse.Namespace) -> int:
    from hmi.core.logs import log_startup
    from hmi.core.runtime import Runtime
    from hmi.core.store import StoreError

    _interrupt_on_sigterm()
    headless = args.headless
    if not headless and not _has_display():
        print("no display found; running headless (use --headless to say so)", file=sys.stderr)
        headless = True
    if not headless and _already_running():
        return EXIT_OK
    data_dir = Path(args.data_dir) if args.data_dir else data_dir_for(project.name)
    runtime = Runtime(project, data_dir)
    installed = runtime.capability_registry
    failed = [f"{name} (failed to load: {why})" for name, why in installed.errors.items()]
    log_startup(project, installed.names + failed, data_dir=data_dir)
    try:
        runtime.start()
    except StoreError as error:  # main() says it on stderr; a window says it where one is
        if not headless and os.environ.get("QT_QPA_PLATFORM") not in ("offscreen", "minimal"):
            from hmi.ui.start_problem import show_start_problem

            show_start_problem(str(error), touch=args.profile == "touch")
        raise
    try:
        if headless:
            _print_summaries(project, runtime, args.seconds, args.every)
            return EXIT_OK
        from PySide6.QtCore import QCoreApplication

        from hmi.ui.app import run_app

        # a terminated window closes like a clicked one; Qt never sees an exception
        signal.signal(signal.SIGTERM, lambda *_: QCoreApplication.quit())
        signal.signal(signal.SIGINT, lambda *_: QCoreApplication.quit())
        return run_app(project, runtime, profile=args.profile, screen=args.screen)
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        runtime.stop()
        log.info("Linea HMI stopped")


def _already_running() -> bool:
    """One window per user and display: a second start brings the first to the front and
    ends. The kiosk's restart count goes into the header."""
    from hmi.ui.app import application
    from hmi.ui.instance import claim, on_screen, show_restarts

    application()
    if on_screen() and claim() is None:
        print("Linea HMI already runs on this display; brought it to the front", file=sys.stderr)
        return True
    show_restarts()
    return False


def _print_summaries(project: Project, runtime, seconds: float | None, every: float) -> None:
    from hmi.core.summary import render

    deadline = time.monotonic() + seconds if seconds else None
    while deadline is None or time.monotonic() < deadline:
        pause = every if deadline is None else min(every, max(0.0, deadline - time.monotonic()))
        time.sleep(pause)
        notes = [line for capability in runtime.capabilities for line in capability.summary()]
        values, states = dict(runtime.engine.values), dict(runtime.engine.device_states)
        print(render(project, values, states, notes))
        print(flush=True)


def cmd_screenshot(args: argparse.Namespace) -> int:

    project = _load(args.project)
    if project is None:
        return EXIT_BAD_PROJECT
    width, height = args.size
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from hmi.ui.screenshot import render_screen_png

    try:
        with _drawing_station(project, prepared=False) as runtime:
            time.sleep(args.wait)  # let the first scans and subscriptions deliver
            size = (width, height)
            render_screen_png(project, runtime, args.screen, args.out, size, args.profile)
    except (LookupError, OSError) as exc:
        print(f"screenshot: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(args.out)
    return EXIT_OK


DEMO_PORTS = (5020, 4840)  # where `hmi sim` serves the demo plant by default


@contextlib.contextmanager
def _drawing_station(project: Project, prepared: bool = True) -> Iterator[Any]:
    """A started station for pictures, on a data folder of its own that is thrown away
    after: a picture never depends on a station's records nor adds to them, and a station
    running on the project goes on (``prepared``: the demo's folder as ``hmi demo`` makes
    it, with its people and order queue; a second's work a single screen does without).
    The station's OPC UA identities and the servers it trusts (``pki/``) come along, so a
    server that admits the station admits the pictures."""
    import shutil

    from hmi.core.runtime import Runtime

    with tempfile.TemporaryDirectory(prefix="linea-pictures-") as scratch:
        data = Path(scratch)
        identities = data_dir_for(project.name) / "pki"
        try:
            if identities.is_dir():
                shutil.copytree(identities, data / "pki")
        except OSError as error:  # the pictures go on; a server may refuse a new identity
            print(f"the station's OPC UA identities not copied: {error}", file=sys.stderr)
        if prepared and Path(project.root).resolve() == demo_project_dir().resolve():
            _prepare_demo(project, data, say=lambda line: None)
        runtime = Runtime(project, data)
        runtime.start()
        try:
            yield runtime
        finally:
            runtime.stop()


def cmd_gallery(args: argparse.Namespace) -> int:
    project = _load(args.project)
    if project is None:
        return EXIT_BAD_PROJECT
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from hmi.ui.gallery import write_gallery

    plant = None
    demo = Path(project.root).resolve() == demo_project_dir().resolve()
    if demo and not all(map(_port_in_use, DEMO_PORTS)):
        # the demo's plant is not running: the gallery runs it, for live values
        plant = subprocess.Popen([sys.executable, "-m", "hmi", "sim", "--quiet"])
        if not all(_wait_for_port(port, 20.0, plant) for port in DEMO_PORTS):
            print("the simulated plant did not start; no live values", file=sys.stderr)
    try:
        with _drawing_station(project) as runtime:
            time.sleep(args.wait)  # the first scans, and a little history for the trends
            written = write_gallery(
                project,
                runtime,
                args.out,
                stations=args.station or ("desk", "touch"),
                languages=args.lang or ("en", "it"),
                dpi=args.dpi,
            )
    except OSError as exc:
        print(f"gallery: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if plant is not None:
            plant.terminate()
            plant.wait(10)
    print(f"{len(written) - 1} pictures; look at them all: {written[-1]}")
    return EXIT_OK


def _wait_for_port(port: int, timeout: float, server: subprocess.Popen | None = None) -> bool:
    """Whether ``port`` on 127.0.0.1 accepts a connection within ``timeout``; False at once
    when ``server``, the process meant to open it, has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            return False
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def _port_in_use(port: int) -> bool:
    """Whether another program listens on ``port`` of 127.0.0.1 (a listener the simulated
    plant could not replace, and that would answer the HMI in its place)."""
    with socket.socket() as s:
        if os.name != "nt":  # as the servers do; a closing connection does not count
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _demo_on_ports(project: Project, modbus_port: int, opcua_port: int) -> Project:
    """The demo project with its devices pointed at the simulated plant's ports."""
    for name, device in project.devices.items():
        options = dict(device.options)
        if device.protocol == "modbus":
            options["port"] = modbus_port
        elif device.protocol == "opcua":
            options["endpoint"] = f"opc.tcp://127.0.0.1:{opcua_port}"
        project.devices[name] = dataclasses.replace(device, options=options)
    return project


def cmd_demo(args: argparse.Namespace) -> int:
    ports = {"modbus": args.modbus_port, "opcua": args.opcua_port}
    if args.modbus_port == args.opcua_port:
        message = f"--modbus-port and --opcua-port are both {args.modbus_port}; give two ports"
        print(message, file=sys.stderr)
        return EXIT_BAD_PROJECT
    if args.mes_port in ports.values():
        print(f"--mes-port {args.mes_port} is a plant's port too; give another", file=sys.stderr)
        return EXIT_BAD_PROJECT
    for protocol, port in {**ports, "mes": args.mes_port}.items():
        if _port_in_use(port):
            serves = "the demo MES serves http" if protocol == "mes" else (
                f"the simulated plant serves {protocol}"
            )  # fmt: skip
            print(
                f"port {port} on 127.0.0.1, where {serves}, is "
                f"used by another program; stop it, or choose a free port: "
                f"hmi demo --{protocol}-port {port + 1}",
                file=sys.stderr,
            )
            return EXIT_FAILED
    project = _load(str(demo_project_dir()))
    if project is None:
        return EXIT_BAD_PROJECT
    project = _demo_on_ports(project, args.modbus_port, args.opcua_port)
    from drivers.simulator.demo_mes import DemoMes, Outages

    mes = DemoMes(args.mes_port, outages=Outages() if args.mes_outages else None)
    if not _with_demo_mes(project, mes.port):
        return EXIT_BAD_PROJECT
    try:
        mes.start()
    except OSError as exc:
        print(f"the demo MES could not start on port {args.mes_port}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        return _demo_plant(project, args, ports)
    finally:
        mes.stop()


def _with_demo_mes(project: Project, port: int) -> bool:
    """The demo project with its ``mes:`` section pointed at the demo MES (only ``hmi demo``
    runs one, so the project itself names none), checked as ``hmi check`` would."""
    from drivers.simulator import demo_mes
    from hmi.core.capability import default_capabilities
    from hmi.core.project.models import Section, Source

    source = Source(demo_mes.__file__)
    project.extra["mes"] = Section("mes", demo_mes.target_section(port), source)
    checks = [c for c in default_capabilities() if "mes" in c.sections]
    problems = [p for c in checks for p in c.check(project)]
    for problem in problems:
        print(problem, file=sys.stderr)
    return not problems


def _demo_plant(project: Project, args: argparse.Namespace, ports: dict[str, int]) -> int:
    _prepare_demo(project, Path(args.data_dir) if args.data_dir else data_dir_for(project.name))
    command = [sys.executable, "-m", "hmi", "sim", "--quiet"]
    command += ["--modbus-port", str(args.modbus_port), "--opcua-port", str(args.opcua_port)]
    # its own session: Ctrl+C in the terminal stops the HMI first, which then stops the plant
    sim = subprocess.Popen(command, start_new_session=True)
    try:
        for protocol, port in ports.items():
            if not _wait_for_port(port, 20.0, sim):
                if sim.poll() is not None:
                    print(
                        f"the simulated plant stopped as it started (exit code {sim.returncode});"
                        " its message is above",
                        file=sys.stderr,
                    )
                else:
                    message = f"the simulated plant did not open port {port} ({protocol})"
                    print(message, file=sys.stderr)
                return EXIT_FAILED
        return _run(project, args)
    finally:
        sim.terminate()
        try:
            sim.wait(5)
        except subprocess.TimeoutExpired:
            sim.kill()


def _prepare_demo(
    project: Project, data_dir: Path, say: Callable[[str], None] | None = None
) -> None:
    """What the capabilities make on the demo's first start (its people: README, "Users
    and roles"); ``say`` tells each (on stderr unless given)."""
    from hmi.core.commands import station

    with station(project, data_dir) as started:
        for capability in started.capabilities:
            for line in capability.prepare_demo():
                if say is None:
                    print(line, file=sys.stderr)
                else:
                    say(line)


def cmd_read(args: argparse.Namespace) -> int:
    from hmi.core.oneshot import read_tags

    project = _load(args.project)
    if project is None:
        return EXIT_BAD_PROJECT
    data_dir = data_dir_for(project.name)
    results = asyncio.run(read_tags(project, args.tags, data_dir, timeout=args.timeout))
    for name, tv in results:
        print(json.dumps(tv.as_dict(name), default=str, ensure_ascii=False))
    return EXIT_OK if all(tv.good for _, tv in results) else EXIT_FAILED


def cmd_write(args: argparse.Namespace) -> int:
    """Write one tag as the person a capability names (where the project has users: signed
    in, and signed for a critical tag), refused without; every attempt is recorded."""
    from hmi.core.access import WRITE_TAG
    from hmi.core.commands import CommandError, station
    from hmi.core.driver import WriteResult, WriteStatus
    from hmi.core.oneshot import read_tags, write_tag

    project = _load(args.project)
    if project is None:
        return EXIT_BAD_PROJECT
    data_dir = data_dir_for(project.name)
    with station(project, data_dir) as started:
        access = started.access
        try:
            user = next(
                (
                    actor
                    for capability in started.capabilities
                    if (actor := capability.console_actor(WRITE_TAG, args.tag, args)) is not None
                ),
                "",  # nobody signs in at an open station
            )
        except CommandError as error:
            print(f"write {args.tag}: {error}", file=sys.stderr)
            return EXIT_FAILED
        tag = project.tags.get(args.tag)
        refusal = access.refusal(user, WRITE_TAG, args.tag)
        old = None
        if refusal:
            result = WriteResult(args.tag, WriteStatus.REFUSED, refusal)
        else:
            if tag is not None and tag.writable and not tag.derived:
                [(_, before)] = asyncio.run(read_tags(project, [args.tag], data_dir, timeout=3.0))
                old = before.value if before.good else None
            result = asyncio.run(write_tag(project, args.tag, args.value, data_dir))
        access.record(
            user,
            WRITE_TAG,
            args.tag,
            old=old,
            new=args.value,
            status=result.status.value,
            message=result.message,
        )
    print(
        json.dumps(
            {
                "name": result.tag,
                "status": result.status.value,
                "message": result.message,
                "readback": result.readback,
            },
            default=str,
            ensure_ascii=False,
        )
    )
    return EXIT_OK if result.ok else EXIT_FAILED


def cmd_browse(args: argparse.Namespace) -> int:
    from hmi.core.oneshot import browse_device

    project = _load(args.project)
    if project is None:
        return EXIT_BAD_PROJECT
    try:
        rows = asyncio.run(browse_device(project, args.device, data_dir_for(project.name)))
    except (LookupError, NotImplementedError, OSError, TimeoutError) as exc:
        print(f"browse {args.device}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    from drivers.opcua.tagfile import TagFileError, matches, write_tag_file

    if args.write is None:
        for row in rows:
            if matches(row, args.match):
                print(json.dumps(row, default=str, ensure_ascii=False))
        return EXIT_OK
    try:
        plan, include = write_tag_file(
            project,
            project.devices[args.device],
            rows,
            Path(args.write),
            args.match,
            prefix=args.prefix,
            scan=args.scan,
            force=args.force,
        )
    except TagFileError as exc:
        print(f"browse {args.device}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"wrote {len(plan.tags)} tag(s) to {args.write}")
    for path, why in plan.skipped:
        print(f"  left out {path}: {why}")
    if include:
        print(f"to use them, add it to project.yaml:\ninclude:\n  - {include}")
    return EXIT_OK


def cmd_trust(args: argparse.Namespace) -> int:
    """Show the certificate an OPC UA server presents and make it the trusted one."""
    from drivers.opcua.commands import trust_server
    from drivers.opcua.trust import TrustError
    from hmi.core.words import did_you_mean

    project = _load(args.project)
    if project is None:
        return EXIT_BAD_PROJECT
    device = project.devices.get(args.device)
    if device is None:
        hint = did_you_mean(args.device, project.devices, "devices")
        print(f"trust: unknown device '{args.device}'; {hint}", file=sys.stderr)
        return EXIT_FAILED
    if device.protocol != "opcua":
        print(
            f"trust {args.device}: a {device.protocol} device has no certificate to trust "
            "(only OPC UA servers present one)",
            file=sys.stderr,
        )
        return EXIT_FAILED

    def ask(question: str) -> bool:
        if args.yes:
            print(f"{question}yes (--yes)")
            return True
        try:
            return input(question).strip().lower() in ("y", "yes")
        except EOFError:
            print()
            return False

    data_dir = data_dir_for(project.name)
    try:
        trusted = asyncio.run(trust_server(device, data_dir, ask, print))
    except TrustError as exc:
        print(f"trust {args.device}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK if trusted else EXIT_FAILED


def cmd_paths(args: argparse.Namespace) -> int:
    from hmi.core.paths import app_paths

    info: dict | None = None
    if args.project is not None:
        project = _load(args.project)
        if project is None:
            return EXIT_BAD_PROJECT
        info = _project_paths(project)
    paths = app_paths()
    folders = {
        "data": str(paths.data),
        "config": str(paths.config),
        "logs": str(paths.logs),
        "cache": str(paths.cache),
        "log_file": str(paths.log_file),
    }
    if args.json:
        print(json.dumps({**folders, "project": info}, ensure_ascii=False))
        return EXIT_OK
    for key, value in folders.items():
        print(f"{key.replace('_', ' '):<8}  {value}")
    if info is not None:
        print(f"\nproject '{info['name']}' in {info['folder']}")
        print(f"  data   {info['data']}")
        print(f"  store  {info['store']}")
        for copy in info["store_copies"]:
            print(f"  copy   {copy}  (taken before an upgrade; the store as it was)")
        if info["certificates"]:
            print("OPC UA client certificates, to give to each server's administrator:")
        for device, cert in info["certificates"].items():
            print(f"  {device}  {cert['certificate']}")
        if info["certificates"]:
            print("OPC UA server certificates trusted (`hmi trust PROJECT DEVICE` replaces one):")
        for device, cert in info["certificates"].items():
            print(f"  {device}  {cert['trusted_server']}  ({cert['trust']})")
    return EXIT_OK


def _project_paths(project: Project) -> dict:
    """A project's local state: its data folder, its store, each OPC UA device's client
    certificate (to hand to the server's administrator) and the server certificate it
    trusts."""
    from hmi.core.runtime import STORE_FILE
    from hmi.core.store import store_copies

    data = data_dir_for(project.name)
    certificates = {}
    opcua = [d.name for d in project.devices.values() if d.protocol == "opcua"]
    if opcua:
        from drivers.opcua.options import parse_options
        from drivers.opcua.security import CERT_FILE, pki_dir
        from drivers.opcua.trust import pin_path, trust_state

        for device in opcua:
            folder = pki_dir(data, device)
            config = project.devices[device]
            certificates[device] = {
                "folder": str(folder),
                "certificate": str(folder / CERT_FILE),
                "trusted_server": str(pin_path(data, device)),
                "trust": trust_state(config, parse_options(config)[0], data),
            }
    return {
        "name": project.name,
        "folder": project.root,
        "data": str(data),
        "store": str(data / STORE_FILE),
        "store_copies": [str(copy) for copy in store_copies(data / STORE_FILE)],
        "certificates": certificates,
    }


def cmd_kiosk(args: argparse.Namespace) -> int:
    """Make this PC a line-side kiosk, undo it, or the kiosk's own steps (session start,
    one start counted by its service)."""
    if sys.platform == "win32":
        print("kiosk: on Windows, tick the installer's Kiosk section", file=sys.stderr)
        return EXIT_FAILED
    from hmi import kiosk

    try:
        if args.action == "install":
            if _load(args.project) is None:
                return EXIT_BAD_PROJECT
            root = args.root or Path("/")
            written = kiosk.install(Path(args.project), args.user, args.screen, root)
            print("\n".join(f"wrote {path}" for path in written))
            print(f"the kiosk runs {Path(args.project).resolve()} when {args.user} signs in")
        elif args.action == "remove":
            for path in kiosk.remove(args.root or Path("/")):
                print(f"removed {path}")
        elif args.action == "session":
            kiosk.session()
        else:
            print(f"start {kiosk.count_start()}")
    except (kiosk.KioskError, OSError) as error:
        print(f"kiosk {args.action}: {error}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _kiosk_parser(sub: Any) -> None:
    p = sub.add_parser("kiosk", help="make this PC a line-side kiosk (as root), or undo it")
    actions = p.add_subparsers(dest="action", required=True)
    a = actions.add_parser("install", help="a user that signs in by itself and runs PROJECT")
    a.add_argument("project")
    a.add_argument("--user", default="linea", help="the kiosk's user, made if missing")
    a.add_argument("--screen", default=None, help="the screen to open first")
    a.add_argument("--root", type=_folder, default=None, help=argparse.SUPPRESS)
    a = actions.add_parser("remove", help="undo install; the user and its data stay")
    a.add_argument("--root", type=_folder, default=None, help=argparse.SUPPRESS)
    actions.add_parser("session", help="the kiosk session's start (its autostart runs it)")
    actions.add_parser("count", help="count one start (the kiosk service runs it)")
    p.set_defaults(func=cmd_kiosk)


# -- secrets (the capabilities add their own commands: Capability.add_commands) -------------


def cmd_secret(args: argparse.Namespace) -> int:
    from hmi.core.secrets import SecretError, ask, open_store

    try:
        store = open_store()
        if args.action == "list":
            for name in store.names():
                print(name)
            return EXIT_OK
        if args.action == "delete":
            found = store.delete(args.name)
            print(f"deleted {args.name}" if found else f"{args.name} was not set")
            return EXIT_OK if found else EXIT_FAILED
        value = ask(f"Value of {args.name}: ", stdin=args.stdin, confirm=True)
        store.set(args.name, value)
    except SecretError as error:
        print(f"secret {args.action}: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"stored {args.name} in {store.where}")
    return EXIT_OK


def _secret_parser(sub: Any) -> None:
    secret = sub.add_parser("secret", help="keep credentials out of project files")
    actions = secret.add_subparsers(dest="action", required=True)
    p = actions.add_parser("set", help="store a secret (asked without echo)")
    p.add_argument("name")
    p.add_argument("--stdin", action="store_true", help="read it from stdin")
    actions.add_parser("list", help="the names of the stored secrets (never their values)")
    p = actions.add_parser("delete", help="forget a secret")
    p.add_argument("name")
    secret.set_defaults(func=cmd_secret)


# -- what the options accept: nonsense ends in a clear message and exit 2 ------------------


def _port(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number not in PORT:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port; use {PORT.text}")
    return number


def _within(span: DurationRange) -> Callable[[str], float]:
    """Seconds, or a duration such as 500ms or 2m, in ``span``."""

    def convert(text: str) -> float:
        try:
            return span.parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return convert


def _sim_speed(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        number = 0.0
    if not 0.1 <= number <= 1000.0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a speed; use 0.1 to 1000")
    return number


def _folder(text: str) -> Path:
    """A folder, or a place one can be made: no file in the way."""
    path = Path(text).expanduser()
    for place in (path, *path.parents):
        if place.exists():
            if not place.is_dir():
                what = "is a file" if place == path else f"is inside '{place}', a file"
                raise argparse.ArgumentTypeError(f"'{text}' {what}; give a folder")
            break
    return path


def _size(text: str) -> tuple[int, int]:
    lowest, highest = SCREENSHOT_SIDE
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not WIDTHxHEIGHT in pixels, e.g. 1920x1080"
        ) from None
    if not (lowest <= width <= highest and lowest <= height <= highest):
        raise argparse.ArgumentTypeError(
            f"'{text}': width and height must be {lowest} to {highest} pixels, e.g. 1920x1080"
        )
    return width, height


def build_parser() -> argparse.ArgumentParser:
    from hmi.core.capability import default_capabilities
    from hmi.core.commands import CommandSet

    capabilities = default_capabilities()
    parser = argparse.ArgumentParser(prog="hmi", description="Linea HMI operator application")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation and exit (hmi --self-test [--out DIR] [--data-dir DIR])",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def live(p: argparse.ArgumentParser) -> None:
        p.add_argument("--headless", action="store_true", help="no screens; print a live summary")
        p.add_argument(
            "--seconds", type=_within(RUN_TIME), default=None, help="stop by itself after N seconds"
        )
        p.add_argument(
            "--every", type=_within(SUMMARY_PERIOD), default=2.0, help="summary period in seconds"
        )
        p.add_argument("--data-dir", type=_folder, default=None, help="where local state is kept")
        p.add_argument("--profile", choices=("desk", "touch"), default="desk")
        p.add_argument("--screen", default=None, help="the screen to open first")

    p = sub.add_parser("check", help="validate a project and list every problem")
    p.add_argument("project")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("run", help="run a project")
    p.add_argument("project")
    live(p)
    p.set_defaults(func=cmd_run, log_to_file=True)

    p = sub.add_parser("demo", help="start the simulated plant and run the demo project on it")
    live(p)
    p.add_argument("--modbus-port", type=_port, default=5020, help="the simulated press PLC's")
    p.add_argument("--opcua-port", type=_port, default=4840, help="the simulated filler PLC's")
    p.add_argument("--mes-port", type=_port, default=8480, help="the demo MES's (HTTP)")
    p.add_argument(
        "--mes-outages",
        action="store_true",
        help="the demo MES takes no events 1 minute in every 5 and releases an order in each",
    )
    p.set_defaults(func=cmd_demo, log_to_file=True)

    p = sub.add_parser("sim", help="serve the simulated plant on 127.0.0.1")
    p.add_argument("--modbus-port", type=_port, default=5020)
    p.add_argument("--opcua-port", type=_port, default=4840)
    p.add_argument("--seconds", type=_within(RUN_TIME), default=None)
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--seed", type=int, default=None, help="the same stops and scrap every run")
    p.add_argument(
        "--speed", type=_sim_speed, default=1.0, help="model seconds per second (0.1 to 1000)"
    )
    p.add_argument(
        "--free-run",
        action="store_true",
        help="produce from the start without work orders (by default both lines idle until "
        "the HMI downloads an order)",
    )
    p.add_argument(
        "--near-wrap",
        action="store_true",
        help="start every production counter a few minutes before it wraps "
        "(the press's 16-bit billet counter wraps within hours anyway)",
    )
    p.set_defaults(func=cmd_sim)

    p = sub.add_parser("screenshot", help="render a screen with live data to a PNG")
    p.add_argument("project")
    p.add_argument("--screen", default=None, help="screen name (default: the home screen)")
    p.add_argument("--out", required=True, help="PNG file to write")
    p.add_argument("--size", type=_size, default=(1920, 1080), help="WIDTHxHEIGHT")
    p.add_argument("--profile", choices=("desk", "touch"), default="desk")
    p.add_argument(
        "--wait", type=_within(WAIT), default=2.0, help="seconds of live data before drawing"
    )
    p.set_defaults(func=cmd_screenshot)

    p = sub.add_parser("gallery", help="draw every screen and view to PNG, desk and touch")
    p.add_argument("project")
    p.add_argument("--out", required=True, help="folder for the PNGs and index.html")
    p.add_argument("--station", action="append", choices=("desk", "touch"), help="only these")
    p.add_argument("--lang", action="append", choices=("en", "it"), help="only these languages")
    p.add_argument("--dpi", type=float, default=None, help="the touch panel's dots per inch")
    p.add_argument(
        "--wait", type=_within(WAIT), default=5.0, help="seconds of live data before drawing"
    )
    p.set_defaults(func=cmd_gallery)

    p = sub.add_parser("read", help="read tags once; one JSON line per tag")
    p.add_argument("project")
    p.add_argument("tags", nargs="+", metavar="TAG")
    p.add_argument("--timeout", type=_within(TIMEOUT), default=5.0)
    p.set_defaults(func=cmd_read)

    p = sub.add_parser("write", help="write one tag (range-checked, read back)")
    p.add_argument("project")
    p.add_argument("tag")
    p.add_argument("value")
    for capability in capabilities:
        capability.add_options("write", p)  # who writes, where the project has users
    p.set_defaults(func=cmd_write)

    commands = CommandSet(sub, load=_load, folder=_folder)
    for capability in capabilities:
        capability.add_commands(commands)  # hmi users ..., hmi audit ...
    _secret_parser(sub)
    _kiosk_parser(sub)

    p = sub.add_parser("browse", help="list a device's variables, or write them as a tag file")
    p.add_argument("project")
    p.add_argument("device")
    p.add_argument(
        "--match",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only variables whose browse path or NodeId match, e.g. 'Filler.*' (repeatable)",
    )
    p.add_argument("--write", metavar="FILE", help="write them as a tag file (.yaml or .csv)")
    p.add_argument(
        "--prefix", default=None, help="before every tag name (default: the device's line)"
    )
    p.add_argument("--scan", default=None, help="scan class of the written tags")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(func=cmd_browse)

    p = sub.add_parser("trust", help="trust the certificate an OPC UA server presents now")
    p.add_argument("project")
    p.add_argument("device")
    p.add_argument("--yes", action="store_true", help="do not ask; trust it")
    p.set_defaults(func=cmd_trust)

    p = sub.add_parser("paths", help="where data, configuration, logs and certificates are")
    p.add_argument("project", nargs="?", default=None, help="also this project's folders")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=cmd_paths)
    return parser


def main(argv: list[str] | None = None) -> int:
    from hmi.core.logs import setup_logging

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--self-test"]:
        from hmi.selftest import main as self_test

        return self_test(argv[1:])
    args = build_parser().parse_args(argv)
    # Only the long-running commands (run, demo) keep the log file: the others print their
    # result and are done, and a rotating file is safe with one writer process only (the
    # plant simulator that `demo` starts and a `read` beside a running HMI would race its
    # rotation, and on Windows block it).
    setup_logging(verbose=args.verbose, to_file=getattr(args, "log_to_file", False))
    from hmi.core.commands import CommandError
    from hmi.core.store import StoreError

    try:
        return args.func(args)
    except CommandError as error:  # a capability the command needs could not start
        print(f"{args.command}: {error}", file=sys.stderr)
        return EXIT_FAILED
    except StoreError as error:  # a newer release's store, an upgrade undone, no room
        log.info("%s refused: %s", args.command, error)  # the log file keeps it too
        print(f"{args.command}: {error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
