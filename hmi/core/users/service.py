"""The users service: who is signed in at this station, what they may do, signatures.

What the operator application builds on (its sign-in dialog, PIN keypad, badge reader,
users view and signature dialog), all callable from any thread:

- ``sign_in(name, secret, method=Method.PASSWORD | Method.PIN, profile=...)`` and
  ``sign_in_badge(badge)`` open the station's session (``current``), replacing the one
  before (switching user needs no restart); they raise ``SignInError`` with the text to
  show (and ``locked_until`` while a user is locked out). ``sign_out(reason)`` ends it.
- ``touch()`` on every operator input keeps the session alive; a session of a profile
  with an ``auto_sign_out`` limit ends by itself after that long without a touch.
- ``watch(callback)`` calls ``callback(session or None)`` on every sign-in, sign-out and
  change of the signed-in user's role; ``Access.watch`` fires too, for controls.
- ``may(permission, target)`` says whether the signed-in user's role allows an action
  (None) or why not: what a control uses to show itself enabled. ``Access.refusal`` (the
  engine's and the alarm manager's check when the action runs) says the same, and also
  refuses a critical action that has no valid signature.
- ``signature_rule(permission, target)`` says whether an action is critical (its meaning,
  the reasons to offer, whether a second person must sign); ``sign(...)`` by the
  signed-in user, then ``countersign(...)`` by another where the rule asks, authorize
  exactly that action on that target once, within ``signature_valid``. A session that
  ends meanwhile (inactivity) voids it: the action is refused.
- ``users()``, ``add_user``, ``set_role``, ``reset``, ``disable``, ``enable``, ``remove``
  manage people; ``by`` must hold ``users.manage`` (or be the command line's account).

A station whose store has no user at all is open, as before users existed: every action
is allowed and recorded without a name. Adding the first user closes it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from ..access import Access, ActionRecord
from ..listeners import Listeners
from ..project.limits import format_duration
from ..words import did_you_mean
from .config import CLI_PROFILE, SignatureRule, UsersConfig
from .directory import Cached, Directory, Refused, open_directory
from .hashing import Cost, Hasher, badge_digest
from .userdb import BadgeKey, UserDatabase, UserRecord

log = logging.getLogger(__name__)

MANAGE = "users.manage"
SIGN_IN = "users.sign_in"
SIGN_OUT = "users.sign_out"
SIGN_IN_FAILED = "users.sign_in_failed"
LOCKED_OUT = "users.locked_out"
SIGNATURE = "signature"
SIGNATURE_FAILED = "signature_failed"
ADDED, ROLE_SET, RESET = "users.add", "users.set_role", "users.reset"

# Why an action is refused: English templates filled with ``str.format``. The operator
# application shows each in the station's language by its template (``REFUSALS``), so
# the wording lives here once and the core needs no translation of its own.
NOBODY_SIGNED_IN = "nobody is signed in; sign in first"
NOT_SIGNED_IN_HERE = "{user} is not signed in at this station; sign in first"
NO_SUCH_USER = "user {user} no longer exists"
USER_DISABLED = "user {user} is disabled"
ROLE_UNDEFINED = "{user}'s role '{role}' is not defined in the project"
ROLE_LACKS = "{user} ({role}) may not do this: the role lacks the permission {permission}"
ROLE_LACKS_ON = (
    "{user} ({role}) may not do this on {target}: the role lacks the permission {permission}"
)
NEEDS_SIGNATURE = "{what} needs an electronic signature ({meaning})"
NEEDS_SIGNATURES = "{what} needs an electronic signature and a second person's ({meaning})"
NEEDS_SECOND = "{what} needs a second person's signature ({meaning})"
STATION_STOPPING = "the station is stopping"
NOT_LOADED = "users could not be loaded"
REFUSALS = (
    NOBODY_SIGNED_IN,
    NOT_SIGNED_IN_HERE,
    NO_SUCH_USER,
    USER_DISABLED,
    ROLE_UNDEFINED,
    ROLE_LACKS,
    ROLE_LACKS_ON,
    NEEDS_SIGNATURE,
    NEEDS_SIGNATURES,
    NEEDS_SECOND,
    STATION_STOPPING,
    NOT_LOADED,
)
DISABLED, ENABLED, REMOVED = "users.disable", "users.enable", "users.remove"
ROLES_CHANGED = "users.roles_changed"

PASSWORD_MIN = 8
PIN_DIGITS = (4, 12)
BADGE_MAX = 64
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
POLL = 1.0  # seconds between looks for changes made by another process


class Method(StrEnum):
    PASSWORD = "password"
    PIN = "pin"
    BADGE = "badge"


class UsersError(ValueError):
    """An action on users that cannot be done; the text is for the person who tried."""


class SignInError(UsersError):
    def __init__(self, message: str, locked_until: float | None = None):
        super().__init__(message)
        self.locked_until = locked_until


@dataclass(frozen=True, slots=True)
class UserInfo:
    """One user as a users view shows it (never a hash)."""

    name: str
    full_name: str
    role: str
    role_title: str
    enabled: bool
    password: bool
    pin: bool
    badge: bool
    locked_until: float
    last_sign_in: float | None


@dataclass
class Session:
    """The signed-in user of this station."""

    user: str
    role: str
    full_name: str
    profile: str
    method: str
    started: float
    last_activity: float
    idle_limit: float | None
    id: str = field(default_factory=lambda: secrets.token_hex(8))
    source: str = "local"  # or "directory", or "offline" (the directory's cached verifier)
    notice: str = ""  # what the station says with the sign-in, such as "signed in offline"

    def expires(self) -> float | None:
        return None if self.idle_limit is None else self.last_activity + self.idle_limit


@dataclass(frozen=True, slots=True)
class Signature:
    id: str
    user: str
    role: str
    meaning: str
    reason: str
    permission: str
    target: str
    time: float
    second_of: str | None = None  # the first signature's id, for a countersignature


@dataclass
class _Approval:
    rule: SignatureRule
    first: Signature
    expires: float
    complete: bool


class Users:
    """Users, roles and sessions of one station; see the module's docstring."""

    def __init__(
        self,
        config: UsersConfig,
        db: UserDatabase,
        access: Access,
        *,
        known_permissions: Iterable[str] = (),
        hasher: Hasher | None = None,
        clock: Callable[[], float] = time.time,
        console: str | None = None,
        directory: Directory | None = None,
    ):
        self.config = config
        self.db = db
        self.access = access
        self.known_permissions = tuple(sorted(set(known_permissions)))
        self.hasher = hasher or Hasher()
        self.clock = clock
        self.console = console  # the command line's account: may manage users
        self.directory = directory  # users the local store does not know sign in there
        self.current: Session | None = None
        self._users: dict[str, UserRecord] = {}
        self._generation = 0
        self._badge_key = BadgeKey(b"", Cost())
        self._badge_failures = 0
        self._badge_locked_until = 0.0
        self._approvals: dict[tuple[str, str, str], _Approval] = {}
        self._watchers = Listeners("about the session")
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._remove_recorder: Callable[[], None] | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self, *, background: bool = True) -> Users:
        """Load the users, answer ``Access`` from now on, and (``background``) end idle
        sessions and notice other processes' changes on a thread of its own."""
        self._badge_key = self.db.prepare(self.hasher.cost)
        self._generation, self._users = self.db.load()
        if self.directory is None and self.config.directory is not None:
            self.directory = open_directory(
                self.config.directory, self.config.table, self.db.writer, self.clock
            )
        self._note_roles_change()
        self.access.set_policy(self.policy)
        self._remove_recorder = self.access.add_recorder(self._on_record)
        if background:
            self._thread = threading.Thread(target=self._run, name="hmi-users", daemon=True)
            self._thread.start()
        return self

    def stop(self, reason: str = "the station stopped") -> None:
        """Sign out (with ``reason``), and refuse everything from now on (never open the
        station)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self.current is not None:
            self.sign_out(reason)
        self.access.set_policy(lambda user, permission, target: STATION_STOPPING)
        if self._remove_recorder is not None:
            self._remove_recorder()
        self.db.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            session = self.current
            expires = session.expires() if session else None
            wait = POLL if expires is None else max(0.05, min(POLL, expires - self.clock()))
            if self._stop.wait(wait):
                return
            try:
                self.expire_idle()
                self.poll()
            except Exception:
                log.exception("users: checking sessions and changes failed")

    def watch(self, callback: Callable[[Session | None], None]) -> Callable[[], None]:
        return self._watchers.add(callback)

    def _changed(self) -> None:
        with self._lock:
            session = self.current
        self._watchers.call(session)
        self.access.changed()

    # -- who may do what -----------------------------------------------------------------

    @property
    def open(self) -> bool:
        """No user exists and no directory is configured: the station allows everything
        (see the module's docstring)."""
        return not self._users and self.config.directory is None

    @property
    def viewing_allowed(self) -> bool:
        return self.config.viewing

    def policy(self, user: str, permission: str, target: str) -> str | None:
        """What ``Access`` asks: None to allow ``user`` to use ``permission`` on ``target``."""
        if self.open:
            return None
        reason = self.may(permission, target, user)
        if reason is not None:
            return reason
        rule = self.config.signature_rule(permission, target)
        if rule is None:
            return None
        with self._lock:
            approval = self._approvals.get((user, permission, target))
            if approval is not None and approval.expires < self.clock():
                del self._approvals[(user, permission, target)]
                approval = None
        what = _what(permission, target)
        if approval is None:
            template = NEEDS_SIGNATURES if rule.second else NEEDS_SIGNATURE
            return template.format(what=what, meaning=rule.meaning)
        if not approval.complete:
            return NEEDS_SECOND.format(what=what, meaning=rule.meaning)
        return None

    def may(self, permission: str, target: str = "", user: str | None = None) -> str | None:
        """Whether the role of ``user`` (the signed-in one by default) allows the action:
        None, or why not, naming the missing permission. Signatures are not asked here."""
        if self.open:
            return None
        session = self._live_session()
        if user is None:
            user = session.user if session else ""
        if not user:
            return NOBODY_SIGNED_IN
        if session is None or session.user != user:
            return NOT_SIGNED_IN_HERE.format(user=user)
        record = self._users.get(user)
        if record is None and session.source != "local":
            record = UserRecord(user, session.role)  # the directory's role at sign-in
        if record is None:
            return NO_SUCH_USER.format(user=user)
        if not record.enabled:
            return USER_DISABLED.format(user=user)
        table = self.config.table
        if record.role not in table.roles:
            return ROLE_UNDEFINED.format(user=user, role=record.role)
        if not table.allows(record.role, permission, target):
            template = ROLE_LACKS_ON if target else ROLE_LACKS
            return template.format(
                user=user, role=table.title(record.role), target=target, permission=permission
            )
        return None

    def _live_session(self) -> Session | None:
        """The current session, ended first if it has been idle too long."""
        session = self.current
        if session is not None:
            expires = session.expires()
            if expires is not None and self.clock() >= expires:
                self._end(
                    session, f"signed out after {_minutes(session.idle_limit)} without activity"
                )
                return None
        return session

    def signature_rule(self, permission: str, target: str) -> SignatureRule | None:
        return self.config.signature_rule(permission, target)

    def permissions_of(self, role: str) -> dict[str, tuple[str, ...] | None]:
        """The declared permissions ``role`` has (name -> None or its target patterns)."""
        return self.config.table.permissions_of(role, self.known_permissions)

    # -- sessions ------------------------------------------------------------------------

    def sign_in(
        self, name: str, secret: str, *, method: Method = Method.PASSWORD, profile: str = "desk"
    ) -> Session:
        if self._in_directory(name, Method(method)):
            record, source, notice = self._directory_check(name, secret, "sign_in")
            return self._open_session(record, Method(method), profile, source, notice)
        record = self._check_secret(name, secret, Method(method), "sign_in")
        return self._open_session(record, Method(method), profile)

    def sign_in_badge(self, badge: str, *, profile: str = "touch") -> Session:
        """Sign in whoever the badge belongs to (a keyboard-wedge reader's digits)."""
        now = self.clock()
        if self._badge_locked_until > now:
            wait = format_duration(self._badge_locked_until - now)
            raise SignInError(
                f"too many unknown badges; badges are read again in {wait}",
                self._badge_locked_until,
            )
        digest = (
            badge_digest(badge, self._badge_key.salt, self._badge_key.cost) if badge.strip() else ""
        )
        with self._lock:
            record = next((u for u in self._users.values() if u.badge_digest == digest), None)
        if record is None:
            self._badge_failures += 1
            self.access.record(
                "", SIGN_IN_FAILED, "", method=Method.BADGE.value, why="unknown badge"
            )
            if self._badge_failures >= self.config.lockout_after:
                self._badge_failures = 0
                self._badge_locked_until = now + self.config.lockout_delay
                self.access.record("", LOCKED_OUT, "badge reader", until=self._badge_locked_until)
            raise SignInError("this badge is not known; sign in with your name")
        self._badge_failures = 0
        if not record.enabled:
            self.access.record(
                record.name, SIGN_IN_FAILED, record.name, method="badge", why="disabled"
            )
            raise SignInError(f"user {record.name} is disabled; ask an administrator")
        if record.locked_until > now:
            raise self._locked(record, now)
        return self._open_session(
            self._succeeded(record, None, Method.BADGE, "", True), Method.BADGE, profile
        )

    def sign_out(self, reason: str = "signed out") -> None:
        session = self.current
        if session is not None:
            self._end(session, reason)

    def touch(self) -> None:
        """Operator activity: the session's inactivity clock starts again."""
        session = self.current
        if session is not None:
            session.last_activity = self.clock()

    def expire_idle(self) -> None:
        self._live_session()

    def _open_session(
        self,
        record: UserRecord,
        method: Method,
        profile: str,
        source: str = "local",
        notice: str = "",
    ) -> Session:
        now = self.clock()
        with self._lock:
            previous = self.current
            if previous is not None:
                self._end(previous, f"switched to {record.name}", notify=False)
            session = Session(
                record.name,
                record.role,
                record.full_name,
                profile,
                method.value,
                now,
                now,
                self.config.idle_limit(profile) if profile != CLI_PROFILE else None,
                source=source,
                notice=notice,
            )
            self.current = session
        where = {} if source == "local" else {"source": source}
        self.access.record(
            record.name,
            SIGN_IN,
            record.name,
            method=method.value,
            profile=profile,
            role=record.role,
            session=session.id,
            **where,
        )
        self._changed()
        return session

    def _end(self, session: Session, reason: str, *, notify: bool = True) -> None:
        with self._lock:
            if self.current is not session:
                return
            self.current = None
            for key in [k for k in self._approvals if k[0] == session.user]:
                del self._approvals[key]  # a signature does not outlive its session
        self.access.record(session.user, SIGN_OUT, session.user, reason=reason, session=session.id)
        if notify:
            self._changed()

    # -- checking a secret ---------------------------------------------------------------

    def _check_secret(self, name: str, secret: str, method: Method, purpose: str) -> UserRecord:
        """The user whose ``secret`` this is, counting failures towards a lockout."""
        now = self.clock()
        if self._in_directory(name, method):
            return self._directory_check(name, secret, purpose)[0]
        with self._lock:
            record = self._users.get(name)
        noun = "PIN" if method is Method.PIN else "password"
        if record is None:
            self.hasher.verify(None, secret)  # as long as a wrong password takes
            self.access.record(
                "", SIGN_IN_FAILED, "", method=method.value, why="unknown user", purpose=purpose
            )
            raise SignInError(f"wrong user name or {noun}")
        if record.locked_until > now:
            self.access.record(
                name, SIGN_IN_FAILED, name, method=method.value, why="locked", purpose=purpose
            )
            raise self._locked(record, now)
        stored = record.pin_hash if method is Method.PIN else record.password_hash
        if stored is None:
            self.hasher.verify(None, secret)
            raise SignInError(f"{name} has no {noun}; use the other way to sign in")
        if not self.hasher.verify(stored, secret):
            raise self._failed(record, method, purpose, now)
        if not record.enabled:
            self.access.record(
                name, SIGN_IN_FAILED, name, method=method.value, why="disabled", purpose=purpose
            )
            raise SignInError(f"user {name} is disabled; ask an administrator")
        return self._succeeded(record, stored, method, secret, purpose == "sign_in")

    def _in_directory(self, name: str, method: Method) -> bool:
        """Whether ``name`` signs in against the directory: one the local store does not
        know, with a password, when the project has a directory."""
        return self.directory is not None and method is Method.PASSWORD and name not in self._users

    def _directory_check(self, name: str, secret: str, purpose: str) -> tuple[UserRecord, str, str]:
        """The directory user ``name`` (role from their groups, or from the cache when the
        directory is unreachable), its source and the notice; audited like local ones."""
        assert self.directory is not None
        try:
            outcome = self.directory.authenticate(
                name,
                secret,
                self.hasher.verify,
                self.hasher.hash,
                lambda cached: self._cached_failed(cached, purpose),
            )
        except Refused as error:
            if error.why != "counted":  # a counted failure is recorded already
                self.access.record(
                    name, SIGN_IN_FAILED, name, method="directory", why=error.why, purpose=purpose
                )
            raise SignInError(str(error), error.locked_until) from None
        source = "offline" if outcome.offline else "directory"
        notice = f"signed in offline ({outcome.reason})" if outcome.offline else ""
        record = UserRecord(name, outcome.role, outcome.full_name, last_sign_in=self.clock())
        return record, source, notice

    def _cached_failed(self, cached: Cached, purpose: str) -> Refused:
        """A wrong password for a directory user with a cached entry counts towards a
        lockout the same way as a local user's."""
        assert self.directory is not None
        now = self.clock()
        cached.failures, cached.lockouts, cached.locked_until, locked = self._lockout_step(
            cached.failures, cached.lockouts, cached.locked_until, now
        )
        self.directory.cache.save(cached)
        self.access.record(
            cached.name, SIGN_IN_FAILED, cached.name, method="directory", why="wrong password",
            purpose=purpose, offline=self.directory.status[0] == "offline",
        )  # fmt: skip
        if locked:
            self.access.record(
                cached.name, LOCKED_OUT, cached.name, until=cached.locked_until,
                lockouts=cached.lockouts,
            )  # fmt: skip
            wait = format_duration(max(1.0, round(cached.locked_until - now)))
            return Refused(
                f"{cached.name} is locked after too many failed attempts; try again in {wait}",
                cached.locked_until,
                why="counted",
            )
        left = self.config.lockout_after - cached.failures
        return Refused(f"wrong user name or password ({left} more before a lockout)", why="counted")

    def _lockout_step(
        self, failures: int, lockouts: int, until: float, now: float
    ) -> tuple[int, int, float, bool]:
        """One more failure: the new counts, the lockout's end, and whether it locks."""
        config = self.config
        failures += 1
        locked = failures >= config.lockout_after
        if locked:
            lockouts += 1
            until = now + min(config.lockout_max, config.lockout_delay * 2 ** (lockouts - 1))
            failures = 0
        return failures, lockouts, until, locked

    def _failed(self, record: UserRecord, method: Method, purpose: str, now: float) -> SignInError:
        config = self.config
        failures, lockouts, until, locked = self._lockout_step(
            record.failures, record.lockouts, record.locked_until, now
        )
        updated = replace(record, failures=failures, lockouts=lockouts, locked_until=until)
        self._store(updated)
        noun = "PIN" if method is Method.PIN else "password"
        self.access.record(
            record.name,
            SIGN_IN_FAILED,
            record.name,
            method=method.value,
            why=f"wrong {noun}",
            purpose=purpose,
        )
        if locked:
            self.access.record(record.name, LOCKED_OUT, record.name, until=until, lockouts=lockouts)
            return self._locked(updated, now)
        left = config.lockout_after - failures
        return SignInError(f"wrong user name or {noun} ({left} more before a lockout)")

    def _locked(self, record: UserRecord, now: float) -> SignInError:
        wait = format_duration(max(1.0, round(record.locked_until - now)))
        return SignInError(
            f"{record.name} is locked after too many failed attempts; try again in {wait}",
            record.locked_until,
        )

    def _succeeded(
        self, record: UserRecord, stored: str | None, method: Method, secret: str, sign_in: bool
    ) -> UserRecord:
        updated = replace(record, failures=0, lockouts=0, locked_until=0.0)
        if sign_in:
            updated = replace(updated, last_sign_in=self.clock())
        if stored is not None and self.hasher.needs_rehash(stored):  # parameters were raised
            fresh = self.hasher.hash(secret)
            if method is Method.PIN:
                updated = replace(updated, pin_hash=fresh)
            else:
                updated = replace(updated, password_hash=fresh)
        if updated != record:
            self._store(updated)
        return updated

    # -- signatures ----------------------------------------------------------------------

    def sign(
        self,
        name: str,
        secret: str,
        reason: str,
        *,
        permission: str,
        target: str,
        method: Method = Method.PASSWORD,
    ) -> Signature:
        """The signed-in user signs the critical action ``permission`` on ``target``."""
        rule = self.config.signature_rule(permission, target)
        if rule is None:
            raise UsersError(f"{_what(permission, target)} needs no signature")
        reason = reason.strip()
        if not reason:
            raise UsersError("a signature needs a reason")
        session = self._live_session()
        if session is None or session.user != name:
            raise UsersError("only the signed-in user can sign for an action; sign in first")
        refusal = self.may(permission, target, name)
        if refusal:
            raise UsersError(refusal)
        try:
            record = self._check_secret(name, secret, Method(method), "signature")
        except SignInError:
            self.access.record(
                name, SIGNATURE_FAILED, target, permission=permission, meaning=rule.meaning
            )
            raise
        table = self.config.table
        if not table.allows(record.role, permission, target):  # the directory's role now
            self.access.record(
                name, SIGNATURE_FAILED, target, permission=permission, meaning=rule.meaning,
                role=record.role, why="role",
            )  # fmt: skip
            raise UsersError(
                f"{name} ({table.title(record.role)}) may not sign for this: the role lacks "
                f"the permission {permission}"
            )
        now = self.clock()
        signature = Signature(
            secrets.token_hex(8), name, record.role, rule.meaning, reason, permission, target, now
        )
        with self._lock:
            self._approvals[(name, permission, target)] = _Approval(
                rule, signature, now + self.config.signature_valid, complete=not rule.second
            )
        self.access.record(
            name,
            SIGNATURE,
            target,
            permission=permission,
            meaning=rule.meaning,
            reason=reason,
            signature=signature.id,
            role=record.role,
            second_needed=rule.second,
        )
        self.touch()
        return signature

    def countersign(
        self,
        first: Signature,
        name: str,
        secret: str,
        reason: str = "",
        *,
        method: Method = Method.PASSWORD,
    ) -> Signature:
        """A second person confirms ``first``; never the one who signed it."""
        key = (first.user, first.permission, first.target)
        with self._lock:
            approval = self._approvals.get(key)
        if approval is None or approval.first.id != first.id or approval.expires < self.clock():
            raise UsersError("that signature is no longer valid; sign again")
        if name == first.user:
            raise UsersError("the second signature must be another person's")
        rule = approval.rule
        known = self._users.get(name)
        if known is not None:  # refused before a secret is asked for
            self._may_countersign(known, rule, first)
        try:
            record = self._check_secret(name, secret, Method(method), "countersign")
        except SignInError:
            self.access.record(
                name,
                SIGNATURE_FAILED,
                first.target,
                permission=first.permission,
                meaning=rule.meaning,
                second_of=first.id,
            )
            raise
        try:  # a directory user's role is known only now, from the directory's answer
            self._may_countersign(record, rule, first)
        except UsersError:
            self.access.record(
                name, SIGNATURE_FAILED, first.target, permission=first.permission,
                meaning=rule.meaning, second_of=first.id, role=record.role, why="role",
            )  # fmt: skip
            raise
        signature = Signature(
            secrets.token_hex(8),
            name,
            record.role,
            rule.meaning,
            reason.strip() or first.reason,
            first.permission,
            first.target,
            self.clock(),
            second_of=first.id,
        )
        with self._lock:
            approval.complete = True
        self.access.record(
            name,
            SIGNATURE,
            first.target,
            permission=first.permission,
            meaning=rule.meaning,
            reason=signature.reason,
            signature=signature.id,
            second_of=first.id,
            role=record.role,
        )
        return signature

    def _may_countersign(self, record: UserRecord, rule: SignatureRule, first: Signature) -> None:
        """Refuse a second signature from a role the rule does not accept."""
        table = self.config.table
        if rule.second_role is not None:
            qualified = table.at_least(record.role, rule.second_role)
            need = f"the role {table.title(rule.second_role)} or one above it"
        else:
            qualified = table.allows(record.role, first.permission, first.target)
            need = f"the permission {first.permission}"
        if not qualified:
            raise UsersError(
                f"{record.name} ({table.title(record.role)}) cannot countersign: it needs {need}"
            )

    def _on_record(self, entry: ActionRecord) -> None:
        """A critical action that ran uses up its signature."""
        key = (entry.user, entry.action, entry.target)
        if key in self._approvals:
            with self._lock:
                approval = self._approvals.get(key)
                if approval is not None and approval.complete:
                    del self._approvals[key]

    # -- managing users ------------------------------------------------------------------

    def users(self) -> list[UserInfo]:
        with self._lock:
            records = sorted(self._users.values(), key=lambda r: r.name.lower())
        return [self._info(r) for r in records]

    def user(self, name: str) -> UserInfo | None:
        record = self._users.get(name)
        return self._info(record) if record else None

    def _info(self, r: UserRecord) -> UserInfo:
        return UserInfo(
            r.name,
            r.full_name,
            r.role,
            self.config.table.title(r.role),
            r.enabled,
            r.password_hash is not None,
            r.pin_hash is not None,
            r.badge_digest is not None,
            r.locked_until,
            r.last_sign_in,
        )

    def add_user(
        self,
        name: str,
        role: str,
        *,
        by: str,
        full_name: str = "",
        password: str | None = None,
        pin: str | None = None,
        badge: str | None = None,
    ) -> UserInfo:
        self._authorize(by)
        name = name.strip()
        if not USER_NAME.match(name):
            raise UsersError(
                f"'{name}' is not a user name: letters, digits, '.', '_', '-' or '@', "
                "starting with a letter or digit, at most 64"
            )
        if name in self._users:
            raise UsersError(f"user {name} exists already")
        self._check_role(role)
        if not (password or pin or badge):
            raise UsersError("give a password, a PIN or a badge, or the user cannot sign in")
        now = self.clock()
        record = UserRecord(name, role, full_name.strip(), created=now, changed=now)
        record = self._with_secrets(record, password, pin, badge)
        self._store(record)
        credentials = [k for k, v in (("password", password), ("pin", pin), ("badge", badge)) if v]
        self.access.record(
            by, ADDED, name, role=role, full_name=record.full_name, credentials=credentials
        )
        self.access.changed()  # the first user closes an open station
        return self._info(record)

    def set_role(self, name: str, role: str, *, by: str) -> None:
        self._authorize(by)
        record = self._existing(name)
        self._check_role(role)
        self._store(replace(record, role=role, changed=self.clock()))
        self.access.record(by, ROLE_SET, name, role=role, before=record.role)
        self._user_changed(name)

    def reset(
        self,
        name: str,
        *,
        by: str,
        password: str | None = None,
        pin: str | None = None,
        badge: str | None = None,
    ) -> None:
        """New secrets (those given), and the lockout lifted."""
        self._authorize(by)
        record = self._existing(name)
        record = replace(record, failures=0, lockouts=0, locked_until=0.0, changed=self.clock())
        self._store(self._with_secrets(record, password, pin, badge))
        changed = [k for k, v in (("password", password), ("pin", pin), ("badge", badge)) if v]
        self.access.record(by, RESET, name, credentials=changed, unlocked=True)

    def disable(self, name: str, *, by: str, reason: str = "") -> None:
        self._authorize(by)
        record = self._existing(name)
        self._store(replace(record, enabled=False, changed=self.clock()))
        self.access.record(by, DISABLED, name, reason=reason)
        self._user_changed(name)

    def enable(self, name: str, *, by: str) -> None:
        self._authorize(by)
        record = self._existing(name)
        self._store(replace(record, enabled=True, changed=self.clock()))
        self.access.record(by, ENABLED, name)

    def remove(self, name: str, *, by: str, reason: str = "") -> None:
        self._authorize(by)
        self._existing(name)
        with self._lock:
            del self._users[name]
            self._generation += 1
        self.db.delete(name)
        self.access.record(by, REMOVED, name, reason=reason)
        self._user_changed(name)

    def _authorize(self, by: str) -> None:
        if self.console is not None and by == self.console:
            return
        if self.open:
            return  # the first user: nobody could sign in to add it
        refusal = self.access.refusal(by, MANAGE, "")
        if refusal:
            raise UsersError(refusal)

    def _existing(self, name: str) -> UserRecord:
        record = self._users.get(name)
        if record is None:
            raise UsersError(f"no user {name}; {did_you_mean(name, self._users, 'users')}")
        return record

    def _check_role(self, role: str) -> None:
        roles = self.config.table.roles
        if role not in roles:
            raise UsersError(f"unknown role '{role}'; {did_you_mean(role, roles, 'roles')}")

    def _with_secrets(
        self, record: UserRecord, password: str | None, pin: str | None, badge: str | None
    ) -> UserRecord:
        if password is not None:
            if len(password) < PASSWORD_MIN:
                raise UsersError(f"a password needs at least {PASSWORD_MIN} characters")
            record = replace(record, password_hash=self.hasher.hash(password))
        if pin is not None:
            lo, hi = PIN_DIGITS
            if not (pin.isascii() and pin.isdigit() and lo <= len(pin) <= hi):
                raise UsersError(f"a PIN is {lo} to {hi} digits")
            record = replace(record, pin_hash=self.hasher.hash(pin))
        if badge is not None:
            badge = badge.strip()
            if not badge or len(badge) > BADGE_MAX:
                raise UsersError(f"a badge number is 1 to {BADGE_MAX} characters")
            digest = badge_digest(badge, self._badge_key.salt, self._badge_key.cost)
            owner = next((u.name for u in self._users.values() if u.badge_digest == digest), None)
            if owner is not None and owner != record.name:
                raise UsersError(f"that badge belongs to {owner} already")
            record = replace(record, badge_digest=digest)
        return record

    def _store(self, record: UserRecord) -> None:
        with self._lock:
            self._users[record.name] = record
            self._generation += 1
        self.db.save(record)

    def _user_changed(self, name: str) -> None:
        """The signed-in user was changed: disabled or removed ends the session, a new
        role applies to the next question at once."""
        session = self.current
        if session is None or session.user != name:
            return
        record = self._users.get(name)
        if record is None and session.source != "local":
            return  # a directory user: their role is the directory's
        if record is None or not record.enabled:
            self._end(session, "the user was disabled or removed")
            return
        if record.role != session.role:
            session.role = record.role
        self._changed()

    # -- changes by other processes ------------------------------------------------------

    def poll(self) -> None:
        """Reload the users if another process changed them (``hmi users ...``)."""
        if self.db.generation() <= self._generation:
            return
        generation, users = self.db.load()
        with self._lock:
            was_open = not self._users
            self._users, self._generation = users, generation
        session = self.current
        if session is not None:
            self._user_changed(session.user)
        elif was_open != (not users):
            self.access.changed()

    def _note_roles_change(self) -> None:
        """A role table different from the last start's is recorded (who may do what
        changed with the project)."""
        digest = hashlib.sha256(self.config.table.digest_text().encode()).hexdigest()
        before = self.db.meta("roles_digest")
        if before != digest:
            self.db.set_meta("roles_digest", digest)
            if before is not None:
                self.access.record(
                    "", ROLES_CHANGED, "roles", before=before[:16], after=digest[:16]
                )


def _what(permission: str, target: str) -> str:
    return f"{permission} on {target}" if target else permission


def _minutes(seconds: float | None) -> str:
    return format_duration(seconds or 0.0)
