"""Directory sign-in against a real OpenLDAP slapd on 127.0.0.1 (LDAPS and StartTLS with a
CA made here): group mapping, wrong passwords, unmapped users, the directory down or
silent (cached sign-in within offline_for, refused after it), a certificate from another
CA, and the ``directory:`` section's problems in ``hmi check``."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hmi.core.access import Access
from hmi.core.audit import AuditTrail, search
from hmi.core.checks import check_all
from hmi.core.secrets import Secret
from hmi.core.store import Writer
from hmi.core.users import (
    FAST,
    Hasher,
    SignInError,
    UserDatabase,
    Users,
    UsersError,
    read_users,
)
from hmi.core.users.capability import declared_permissions
from hmi.core.users.directory import DirectoryConfig, open_directory

from .slapd import ADMIN_DN, ADMIN_PASSWORD, PEOPLE, USERS, Slapd, available

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    why = available()
    if why:
        pytest.skip(why)
    server = Slapd(tmp_path_factory.mktemp("slapd"))
    try:
        server.start()
        yield server
    finally:
        server.remove()


def project(
    slapd: Slapd, *, url: str | None = None, tls: str = "ldaps", ca: str | None = None,
    timeout: str = "2s",
) -> str:  # fmt: skip
    return f"""\
project:
  name: Directory sign-in
users:
  lockout: {{after: 3, delay: 10s, max: 1m}}
  directory:
    servers: [{url or slapd.ldaps_url}]
    tls: {tls}
    ca_file: {ca or (slapd.folder / "ca.pem")}
    bind_dn: {ADMIN_DN}
    bind_password: {{secret: ldap_bind}}
    search_base: {PEOPLE}
    search_filter: "(uid={{user}})"
    timeout: {timeout}
    offline_for: 7d
    groups:
      Line Operators: operator
      cn=Line Supervisors,ou=groups,dc=plant,dc=test: supervisor
"""


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class Station:
    def __init__(self, folder: Path, text: str):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "project.yaml").write_text(text, encoding="utf-8")
        loaded, problems = check_all(folder)
        assert problems == [] and loaded is not None, problems
        self.clock = Clock()
        self.writer = Writer(folder / "hmi.db", flush_interval=0.02).start()
        self.access = Access(self.clock)
        self.trail = AuditTrail(self.writer, "test-station")
        self.trail.prepare()
        self.access.add_recorder(self.trail.record)
        self.statuses: list[tuple[str, str]] = []
        self.config = read_users(loaded, declared_permissions())[0]
        assert self.config.directory is not None
        self.users = self.open(self.config.directory)

    def open(self, directory_config: DirectoryConfig) -> Users:
        config = self.config
        directory = open_directory(
            directory_config,
            config.table,
            self.writer,
            self.clock,
            secret=lambda name: Secret(name, ADMIN_PASSWORD),
        )
        directory.watch(self.statuses.append)
        self.directory = directory
        return Users(
            config, UserDatabase(self.writer), self.access, hasher=Hasher(FAST),
            clock=self.clock, directory=directory,
        ).start(background=False)  # fmt: skip

    def records(self, action: str) -> list[dict]:
        """The audit records of exactly ``action``, oldest first."""
        self.writer.flush()
        rows = search(Path(self.writer.path), action=action, newest_first=False)
        return [
            {"user": r.user, "details": json.loads(r.detail or "{}")}
            for r in rows
            if r.action == action
        ]

    def close(self) -> None:
        self.users.stop()
        self.writer.stop()


@pytest.fixture
def station(slapd: Slapd, tmp_path: Path) -> Iterator[Station]:
    s = Station(tmp_path / "station", project(slapd))
    yield s
    s.close()


def test_groups_give_the_highest_mapped_role(station: Station) -> None:
    olga = station.users.sign_in("olga", USERS["olga"][0])
    assert (olga.role, olga.source, olga.full_name) == ("operator", "directory", "Olga Tester")
    assert station.users.may("users.manage") is not None  # an operator may not
    sam = station.users.sign_in("sam", USERS["sam"][0])
    assert (sam.role, sam.source) == ("supervisor", "directory")
    assert station.directory.status == ("online", "")
    signed = station.records("users.sign_in")
    assert [(r["user"], r["details"].get("source")) for r in signed] == [
        ("olga", "directory"),
        ("sam", "directory"),
    ]


def test_wrong_password_and_unmapped_user_are_refused(station: Station) -> None:
    with pytest.raises(SignInError, match="wrong user name or password"):
        station.users.sign_in("olga", "not-her-password")
    with pytest.raises(SignInError, match="wrong user name or password"):
        station.users.sign_in("nobody", "whatever-123")
    with pytest.raises(SignInError, match="wrong user name or password"):
        station.users.sign_in("olga", "")  # an empty password is no anonymous bind
    with pytest.raises(SignInError, match="no directory group that has a role"):
        station.users.sign_in("nora", USERS["nora"][0])
    assert station.users.current is None
    failed = station.records("users.sign_in_failed")
    assert [r["details"]["why"] for r in failed] == [
        "wrong password",
        "unknown user",
        "empty password",
        "no mapped group",
    ]


def test_directory_down_uses_the_cache_within_offline_for(slapd: Slapd, station: Station) -> None:
    station.users.sign_in("sam", USERS["sam"][0])  # leaves a cached verifier
    station.users.sign_out()
    slapd.stop()
    try:
        session = station.users.sign_in("sam", USERS["sam"][0])
        assert (session.role, session.source) == ("supervisor", "offline")
        assert session.notice.startswith("signed in offline")
        assert station.directory.status[0] == "offline"
        with pytest.raises(SignInError, match="more before a lockout"):
            station.users.sign_in("sam", "wrong-password")
        with pytest.raises(SignInError, match="not signed in on this station within"):
            station.users.sign_in("olga", USERS["olga"][0])  # never signed in here
        station.clock.now += 8 * 86400  # past offline_for
        with pytest.raises(SignInError, match="not signed in on this station within 7"):
            station.users.sign_in("sam", USERS["sam"][0])
    finally:
        slapd.start()
    station.clock.now += 60
    back = station.users.sign_in("sam", USERS["sam"][0])
    assert back.source == "directory" and station.directory.status == ("online", "")
    states = [s for s, _ in station.statuses]
    assert states == ["online", "offline", "online"]
    failed = station.records("users.sign_in_failed")
    assert failed[0]["details"]["why"] == "wrong password" and failed[0]["details"]["offline"]


def test_offline_wrong_passwords_lock_out(slapd: Slapd, station: Station) -> None:
    station.users.sign_in("olga", USERS["olga"][0])
    slapd.stop()
    try:
        for _ in range(2):
            with pytest.raises(SignInError, match="more before a lockout"):
                station.users.sign_in("olga", "wrong-password")
        with pytest.raises(SignInError, match="locked after too many failed attempts") as info:
            station.users.sign_in("olga", "wrong-password")
        assert info.value.locked_until is not None
        with pytest.raises(SignInError, match="locked"):
            station.users.sign_in("olga", USERS["olga"][0])  # the right one waits too
    finally:
        slapd.start()
    assert len(station.records("users.locked_out")) == 1


SIGNATURES = """\
  signatures:
    - permission: alarms.acknowledge
      meaning: Safety alarm acknowledged
      second: supervisor
"""


def test_a_countersignature_needs_the_role_the_directory_gives(
    slapd: Slapd, tmp_path: Path
) -> None:
    station = Station(tmp_path / "s", project(slapd) + SIGNATURES)
    users, ack = station.users, "alarms.acknowledge"
    try:
        users.sign_in("sam", USERS["sam"][0])
        first = users.sign(
            "sam", USERS["sam"][0], "trip checked", permission=ack, target="press.overtemp"
        )
        with pytest.raises(UsersError, match=r"olga \(Operator\) cannot countersign: it needs"):
            users.countersign(first, "olga", USERS["olga"][0])
        assert "needs a second person's signature" in (
            station.access.refusal("sam", ack, "press.overtemp") or ""
        )
        users.sign_in("olga", USERS["olga"][0])
        first = users.sign(
            "olga", USERS["olga"][0], "trip checked", permission=ack, target="press.overtemp"
        )
        second = users.countersign(first, "sam", USERS["sam"][0])
        assert (second.role, second.second_of) == ("supervisor", first.id)
        assert station.access.refusal("olga", ack, "press.overtemp") is None
        failed = station.records("signature_failed")
        assert [(r["user"], r["details"].get("role"), r["details"].get("why")) for r in failed] == [
            ("olga", "operator", "role")
        ]
    finally:
        station.close()


def test_certificate_from_another_ca_is_refused(slapd: Slapd, tmp_path: Path) -> None:
    station = Station(tmp_path / "s", project(slapd, ca=str(slapd.folder / "other-ca.pem")))
    try:
        with pytest.raises(SignInError, match="certificate is not trusted"):
            station.users.sign_in("olga", USERS["olga"][0])
        assert station.directory.status[0] == "offline"
        assert "certificate" in station.directory.status[1]
    finally:
        station.close()


def test_starttls_signs_in(slapd: Slapd, tmp_path: Path) -> None:
    station = Station(tmp_path / "s", project(slapd, url=slapd.ldap_url, tls="starttls"))
    try:
        assert station.users.sign_in("sam", USERS["sam"][0]).role == "supervisor"
    finally:
        station.close()


def test_silent_directory_times_out_and_falls_back(slapd: Slapd, tmp_path: Path) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        silent.settimeout(0.1)
        for _ in range(600):  # at most a minute
            if stop.is_set():
                return
            try:
                accepted.append(silent.accept()[0])  # and never answer
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    folder = tmp_path / "s"
    good = Station(folder, project(slapd))
    good.users.sign_in("olga", USERS["olga"][0])
    good.close()
    url = f"ldaps://127.0.0.1:{silent.getsockname()[1]}"
    station = Station(folder, project(slapd, url=url, timeout="500ms"))
    try:
        started = time.monotonic()
        session = station.users.sign_in("olga", USERS["olga"][0])
        took = time.monotonic() - started
        assert session.source == "offline" and session.role == "operator"
        assert (
            "no answer within" in station.directory.status[1]
            or "timed out" in (station.directory.status[1])
        )
        assert took < 5.0  # the bound is 0.5 s and a margin, not the socket's default
    finally:
        station.close()
        stop.set()
        thread.join(5)
        for conn in accepted:
            conn.close()
        silent.close()


def test_check_reports_directory_problems(tmp_path: Path) -> None:
    (tmp_path / "project.yaml").write_text(
        """\
project:
  name: Bad directory
users:
  directory:
    servers: [ldap//dc1, ldap://dc2.plant.local]
    tls: ldaps
    ca_file: certs/missing-ca.pem
    bind_dn: cn=svc,dc=plant
    bind_password: hunter2-plain
    search_base: ou=people,dc=plant
    groups:
      Operators: operater
""",
        encoding="utf-8",
    )
    _, problems = check_all(tmp_path)
    text = "\n".join(str(p) for p in problems)
    assert "project.yaml:5" in text and "is not a server URL" in text
    assert "with tls: ldaps the URL starts with ldaps://" in text
    assert "project.yaml:7" in text and "no file" in text and "missing-ca.pem" in text
    assert "project.yaml:9" in text and "never written in the project" in text
    assert "hunter2" not in text
    assert "project.yaml:12" in text and "unknown role 'operater'" in text
    assert "operator" in text.split("operater", 1)[1]  # the hint
