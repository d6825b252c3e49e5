"""Sign-in against the plant directory (LDAP or Active Directory), with an offline cache.

```yaml
users:
  directory:
    servers: [ldaps://dc1.plant.local, ldaps://dc2.plant.local]   # tried in order
    tls: ldaps                 # or starttls (ldap:// servers); plain LDAP is refused
    ca_file: certs/plant-ca.pem   # the CA that signed the servers' certificates
    bind_dn: CN=svc-linea,OU=Service,DC=plant,DC=local
    bind_password: {secret: ldap_bind}    # hmi secret set ldap_bind; never plain text
    search_base: OU=People,DC=plant,DC=local
    search_filter: "(sAMAccountName={user})"
    group_attribute: memberOf
    timeout: 3s                # per server; a slower answer counts as unreachable
    offline_for: 7d            # how long a cached sign-in stays usable offline
    groups:                    # group (its DN or its CN) -> role; the highest one wins
      Line Operators: operator
      CN=Line Supervisors,OU=Groups,DC=plant,DC=local: supervisor
```

A user the local store does not know signs in with a password against the directory:
the service account finds their entry, a bind with their own password proves it, and
their groups give the role. Each success leaves an argon2id hash of the password and the
role then in the store, so while the directory is unreachable (or slower than
``timeout``) the same person can sign in on this station for ``offline_for`` after that;
the session and ``_sys.users.directory`` say "offline". A certificate that fails
validation is never a reason to fall back: it is refused with the reason.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..project.fields import Fields
from ..project.limits import DAY, DurationRange, format_duration
from ..secrets import Secret, SecretError, name_problem, open_store, reference
from ..store import Writer, connect, migrate
from ..words import did_you_mean, shorten
from .roles import BUILTIN_ROLES, RoleTable

log = logging.getLogger(__name__)

FIELDS = (
    "servers",
    "tls",
    "ca_file",
    "bind_dn",
    "bind_password",
    "search_base",
    "search_filter",
    "group_attribute",
    "groups",
    "timeout",
    "offline_for",
)
TLS_MODES = ("ldaps", "starttls")
TIMEOUT = DurationRange(0.2, 60.0, "3s")
OFFLINE_FOR = DurationRange(0.0, 365 * DAY, "7d")
ONLINE, OFFLINE = "online", "offline"

COMPONENT = "users_directory"
SCHEMA = [
    """
    CREATE TABLE directory_verifiers (
        name TEXT PRIMARY KEY,
        verifier TEXT NOT NULL,
        role TEXT NOT NULL,
        full_name TEXT NOT NULL DEFAULT '',
        signed_in REAL NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        lockouts INTEGER NOT NULL DEFAULT 0,
        locked_until REAL NOT NULL DEFAULT 0
    )
    """,
]


@dataclass(frozen=True)
class DirectoryConfig:
    servers: tuple[str, ...]
    search_base: str
    groups: Mapping[str, str]  # group DN or CN, lower case -> role
    tls: str = "ldaps"
    ca_file: str | None = None  # absolute
    bind_dn: str | None = None
    bind_password: str | None = None  # the secret's name
    search_filter: str = "(|(uid={user})(sAMAccountName={user}))"
    group_attribute: str = "memberOf"
    timeout: float = 3.0
    offline_for: float = 7 * DAY


# -- reading the section -----------------------------------------------------------------


def read_directory(parent: Fields, table: RoleTable, root: str) -> DirectoryConfig | None:
    """The ``directory:`` subsection of ``users:``; problems reported at their lines."""
    if parent.get("directory") is None:
        return None
    fields = parent.child("directory", "{servers: [ldaps://dc1.plant.local], ...}")
    if fields is None:
        return None
    fields.unknown_keys(FIELDS)
    tls = fields.choice("tls", TLS_MODES) or "ldaps"
    servers = _servers(fields, tls)
    ca_file = fields.text("ca_file")
    if ca_file is not None:
        path = Path(root, ca_file) if root else Path(ca_file)
        if not path.is_file():
            where = "" if Path(ca_file).is_absolute() else " in the project's folder"
            fields.problem("ca_file", f"ca_file: no file {shorten(ca_file)}{where}")
        ca_file = str(path)
    bind_dn = fields.text("bind_dn")
    password = _bind_password(fields)
    if (bind_dn is None) != (fields.data.get("bind_password") is None):
        fields.problem(None, "bind_dn and bind_password go together; give both or neither")
    search_base = fields.text("search_base")
    if search_base is None:
        fields.problem(None, "search_base: where the users are, such as OU=People,DC=plant")
    search_filter = fields.text("search_filter") or DirectoryConfig.search_filter
    if "{user}" not in search_filter or not search_filter.startswith("("):
        fields.problem(
            "search_filter", "search_filter: an LDAP filter with {user}, such as (uid={user})"
        )
    groups = _groups(fields, table)
    config = DirectoryConfig(
        servers=servers,
        search_base=search_base or "",
        groups=groups,
        tls=tls,
        ca_file=ca_file,
        bind_dn=bind_dn,
        bind_password=password,
        search_filter=search_filter,
        group_attribute=fields.text("group_attribute") or DirectoryConfig.group_attribute,
        timeout=fields.duration("timeout", DirectoryConfig.timeout, within=TIMEOUT),
        offline_for=fields.duration("offline_for", DirectoryConfig.offline_for, within=OFFLINE_FOR),
    )
    return None if fields.failed else config


def _servers(fields: Fields, tls: str) -> tuple[str, ...]:
    value = fields.get("servers")
    urls = [value] if isinstance(value, str) else value
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        fields.wrong("servers", "a list of server URLs such as [ldaps://dc1.plant.local]")
        return ()
    scheme = "ldaps" if tls == "ldaps" else "ldap"
    out = []
    for url in urls:
        problem = url_problem(url.strip(), scheme)
        if problem:
            fields.problem("servers", f"servers: {problem}")
        else:
            out.append(url.strip())
    return tuple(out)


def url_problem(url: str, scheme: str) -> str | None:
    """Why ``url`` is not a server URL of ``scheme`` (``ldaps`` or ``ldap`` for StartTLS)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        return f"'{shorten(url)}' is not a URL ({error})"
    if parts.scheme.lower() not in ("ldap", "ldaps") or not parts.hostname:
        return f"'{shorten(url)}' is not a server URL such as {scheme}://dc1.plant.local"
    if parts.scheme.lower() != scheme:
        mode = "tls: ldaps" if scheme == "ldaps" else "tls: starttls"
        return f"'{shorten(url)}': with {mode} the URL starts with {scheme}://"
    if parts.path not in ("", "/") or port == 0:
        return f"'{shorten(url)}': give only {scheme}://host or {scheme}://host:port"
    return None


def _bind_password(fields: Fields) -> str | None:
    value = fields.data.get("bind_password")
    if value is None:
        return None
    name = reference(value)
    if name is None:  # the value itself is never repeated
        fields.problem(
            "bind_password",
            "bind_password: a password is never written in the project; write "
            "{secret: NAME} and store it with hmi secret set NAME",
        )
        return None
    problem = name_problem(name)
    if problem:
        fields.problem("bind_password", f"bind_password: {problem}")
        return None
    return name


def _groups(fields: Fields, table: RoleTable) -> dict[str, str]:
    value = fields.get("groups")
    if not isinstance(value, Mapping) or not value:
        fields.wrong(
            "groups", "a mapping of directory groups to roles, such as {Operators: operator}"
        )
        return {}
    groups = fields.nested("groups", value, f"{fields.label}: groups")
    out: dict[str, str] = {}
    for group, role in value.items():
        if not isinstance(role, str) or role.strip() not in table.roles:
            hint = did_you_mean(str(role).strip(), table.roles, "roles")
            groups.problem(
                group, f"{shorten(str(group))}: unknown role '{shorten(str(role))}'; {hint}"
            )
            continue
        out[str(group).strip().lower()] = role.strip()
    return out


# -- what a directory answers ------------------------------------------------------------


class Unreachable(Exception):
    """The directory did not answer (in time): a cached sign-in may be used."""


class Refused(Exception):
    """Sign-in is refused; the text is for the person at the station."""

    def __init__(self, message: str, locked_until: float | None = None, why: str = ""):
        super().__init__(message)
        self.locked_until = locked_until
        self.why = why or message


@dataclass(frozen=True)
class Entry:
    """A person the directory knows and whose password it accepted."""

    dn: str
    full_name: str
    groups: tuple[str, ...]


def highest_role(
    groups: tuple[str, ...], mapping: Mapping[str, str], table: RoleTable
) -> str | None:
    """The highest role the ``groups`` map to: the one that is at least the most others
    (built-in ones in their order when that ties), or None."""
    roles = []
    for group in groups:
        key = group.strip().lower()
        cn = key.split(",", 1)[0].partition("=")[2].strip() if "=" in key else key
        for candidate in (key, cn):
            if candidate in mapping and mapping[candidate] not in roles:
                roles.append(mapping[candidate])
    if not roles:
        return None
    builtin = list(BUILTIN_ROLES)

    def rank(role: str) -> tuple[int, int]:
        above = sum(1 for other in roles if table.at_least(role, other))
        return above, builtin.index(role) if role in builtin else -1

    return max(roles, key=rank)


def _tls_refusal(error: BaseException) -> str | None:
    text = str(error)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
        return f"the directory's certificate is not trusted ({_short(text)})"
    return None


def _short(text: str) -> str:
    return text if len(text) <= 200 else text[:200] + "..."


class LdapClient:
    """One sign-in attempt against the directory with ldap3 (always validating TLS)."""

    def __init__(
        self, config: DirectoryConfig, secret: Callable[[str], Secret] | None = None
    ) -> None:
        self.config = config
        self._secret = secret or (lambda name: open_store().get(name))

    def authenticate(self, name: str, password: str) -> Entry:
        """The person's entry if ``password`` is theirs; ``Refused`` or ``Unreachable``."""
        if not password:
            raise Refused("wrong user name or password", why="empty password")
        reasons = []
        for url in self.config.servers:
            try:
                return self._attempt(url, name, password)
            except Unreachable as error:
                reasons.append(f"{url}: {error}")
        raise Unreachable("; ".join(reasons) or "no server configured")

    def _tls(self) -> Any:
        from ldap3 import Tls

        return Tls(
            validate=ssl.CERT_REQUIRED,
            version=ssl.PROTOCOL_TLS_CLIENT,
            ca_certs_file=self.config.ca_file,
        )

    def _connection(self, url: str, user: str | None, password: str | None) -> Any:
        from ldap3 import NONE, Connection, Server

        config = self.config
        server = Server(
            url,
            use_ssl=config.tls == "ldaps",
            tls=self._tls(),
            connect_timeout=config.timeout,
            get_info=NONE,
        )
        return Connection(
            server,
            user=user,
            password=password,
            receive_timeout=math.ceil(config.timeout),  # ldap3 packs it as whole seconds
            read_only=True,
            raise_exceptions=False,
            auto_referrals=False,
        )

    def _open(self, url: str, user: str | None, password: str | None) -> Any:
        from ldap3.core.exceptions import LDAPException

        conn = self._connection(url, user, password)
        try:
            conn.open()
            if self.config.tls == "starttls" and not conn.start_tls():
                raise Refused(
                    f"the directory refused StartTLS ({conn.result.get('description')})",
                    why="starttls refused",
                )
            bound = conn.bind()
        except LDAPException as error:
            conn.unbind()
            refusal = _tls_refusal(error)
            if refusal:
                raise Refused(refusal, why="certificate") from None
            raise Unreachable(_short(str(error)) or type(error).__name__) from None
        return conn, bound

    def _attempt(self, url: str, name: str, password: str) -> Entry:
        from ldap3.utils.conv import escape_filter_chars

        config = self.config
        bind_password = None
        if config.bind_password is not None:
            try:
                bind_password = self._secret(config.bind_password).reveal()
            except SecretError as error:
                raise Unreachable(f"the bind password cannot be read: {error}") from None
        conn, bound = self._open(url, config.bind_dn, bind_password)
        try:
            if not bound:
                raise Unreachable(
                    f"the directory refused the account {config.bind_dn or '(anonymous)'}: "
                    f"{conn.result.get('description')}"
                )
            query = config.search_filter.replace("{user}", escape_filter_chars(name))
            attributes = [config.group_attribute, "cn", "displayName"]
            found = conn.search(config.search_base, query, attributes=attributes, size_limit=2)
            if not found and conn.result.get("result") not in (0, 32):  # 32: no such object
                raise Unreachable(f"search failed: {conn.result.get('description')}")
            entries = list(conn.entries)
        finally:
            conn.unbind()
        if len(entries) != 1:
            why = "unknown user" if not entries else "several entries match"
            raise Refused("wrong user name or password", why=why)
        entry = entries[0]
        user_conn, ok = self._open(url, entry.entry_dn, password)
        user_conn.unbind()
        if not ok:
            raise Refused("wrong user name or password", why="wrong password")
        values = entry.entry_attributes_as_dict
        groups = tuple(str(g) for g in values.get(config.group_attribute, []))
        full = values.get("displayName") or values.get("cn") or [""]
        return Entry(entry.entry_dn, str(full[0]), groups)


def bounded(call: Callable[[], Entry], timeout: float) -> Entry:
    """``call`` on a thread of its own, given up after ``timeout`` (as unreachable): a
    server that accepts and never answers costs no more than that."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["entry"] = call()
        except BaseException as error:
            box["error"] = error

    worker = threading.Thread(target=run, name="hmi-directory", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise Unreachable(f"no answer within {format_duration(timeout)}")
    if "error" in box:
        raise box["error"]
    entry: Entry = box["entry"]
    return entry


# -- the cached verifiers ----------------------------------------------------------------


@dataclass
class Cached:
    name: str
    verifier: str
    role: str
    full_name: str
    signed_in: float
    failures: int = 0
    lockouts: int = 0
    locked_until: float = 0.0


class VerifierCache:
    """Directory users' last successful sign-ins on this station, in the store."""

    def __init__(self, writer: Writer):
        self.writer = writer
        self._entries: dict[str, Cached] = {}
        self._lock = threading.Lock()

    def prepare(self) -> None:
        conn = connect(Path(self.writer.path))
        try:
            migrate(conn, COMPONENT, SCHEMA)
            rows = conn.execute(
                "SELECT name, verifier, role, full_name, signed_in, failures, lockouts, "
                "locked_until FROM directory_verifiers"
            ).fetchall()
        finally:
            conn.close()
        with self._lock:
            self._entries = {row[0]: Cached(*row) for row in rows}

    def get(self, name: str) -> Cached | None:
        with self._lock:
            return self._entries.get(name)

    def save(self, entry: Cached) -> None:
        with self._lock:
            self._entries[entry.name] = entry
        values = (
            entry.name,
            entry.verifier,
            entry.role,
            entry.full_name,
            entry.signed_in,
            entry.failures,
            entry.lockouts,
            entry.locked_until,
        )

        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO directory_verifiers (name, verifier, role, full_name, "
                "signed_in, failures, lockouts, locked_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )

        self.writer.submit(job, durable=True)


# -- the directory as the users service sees it ------------------------------------------


@dataclass
class Outcome:
    """A directory sign-in that succeeded: the role, and whether it was offline."""

    name: str
    role: str
    full_name: str
    offline: bool
    reason: str = ""  # why offline


@dataclass
class Directory:
    """Directory sign-in with its cache and the online/offline state it publishes."""

    config: DirectoryConfig
    table: RoleTable
    cache: VerifierCache
    client: LdapClient
    clock: Callable[[], float] = time.time
    status: tuple[str, str] = ("", "")  # online/offline, and why offline
    _watchers: list[Callable[[tuple[str, str]], None]] = field(default_factory=list)

    def watch(self, callback: Callable[[tuple[str, str]], None]) -> None:
        self._watchers.append(callback)

    def _set(self, state: str, reason: str = "") -> None:
        if self.status == (state, reason):
            return
        self.status = (state, reason)
        if state == OFFLINE:
            log.warning("the directory is offline: %s", reason)
        for callback in list(self._watchers):
            try:
                callback(self.status)
            except Exception:
                log.exception("telling %r about the directory failed", callback)

    def authenticate(
        self,
        name: str,
        password: str,
        verify: Callable[[str, str], bool],
        hash_: Callable[[str], str],
        lockout: Callable[[Cached], Refused],
    ) -> Outcome:
        """Who ``name`` is by their ``password``: the directory's answer, or the cache's
        when it is unreachable. ``lockout`` counts a failure on a cached entry."""
        now = self.clock()
        cached = self.cache.get(name)
        if cached is not None and cached.locked_until > now:
            wait = format_duration(max(1.0, round(cached.locked_until - now)))
            raise Refused(
                f"{name} is locked after too many failed attempts; try again in {wait}",
                cached.locked_until,
                why="locked",
            )
        try:
            entry = bounded(
                lambda: self.client.authenticate(name, password),
                self.config.timeout * len(self.config.servers) + 0.5,
            )
        except Unreachable as error:
            self._set(OFFLINE, str(error))
            return self._offline(name, password, cached, str(error), verify, lockout)
        except Refused as error:
            if error.why == "certificate":
                self._set(OFFLINE, str(error))
                raise
            self._set(ONLINE)
            if cached is not None and error.why == "wrong password":
                raise lockout(cached) from None
            raise
        self._set(ONLINE)
        role = highest_role(entry.groups, self.config.groups, self.table)
        if role is None:
            raise Refused(
                f"{name} is in no directory group that has a role at this station; ask an "
                "administrator to map one of their groups",
                why="no mapped group",
            )
        self.cache.save(Cached(name, hash_(password), role, entry.full_name, now))
        return Outcome(name, role, entry.full_name, offline=False)

    def _offline(
        self,
        name: str,
        password: str,
        cached: Cached | None,
        reason: str,
        verify: Callable[[str, str], bool],
        lockout: Callable[[Cached], Refused],
    ) -> Outcome:
        now = self.clock()
        if cached is None or now - cached.signed_in > self.config.offline_for:
            verify("", password)  # as long as a wrong password takes
            since = format_duration(self.config.offline_for)
            raise Refused(
                f"the directory is unreachable ({reason}) and {name} has not signed in on this "
                f"station within {since}; try again when it is back",
                why="offline, not cached",
            )
        if not verify(cached.verifier, password):
            raise lockout(cached)
        if cached.failures or cached.lockouts:
            cached.failures = cached.lockouts = 0
            cached.locked_until = 0.0
            self.cache.save(cached)
        if cached.role not in self.table.roles:
            raise Refused(f"{name}'s cached role '{cached.role}' is not defined in the project")
        return Outcome(name, cached.role, cached.full_name, offline=True, reason=reason)


def open_directory(
    config: DirectoryConfig,
    table: RoleTable,
    writer: Writer,
    clock: Callable[[], float] = time.time,
    secret: Callable[[str], Secret] | None = None,
) -> Directory:
    cache = VerifierCache(writer)
    cache.prepare()
    return Directory(config, table, cache, LdapClient(config, secret), clock)
