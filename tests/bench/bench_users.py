"""Users: how long a PIN or password verification takes with Linea's argon2id parameters
(target 50-250 ms on the 2-core line PC), and how long signing in takes until the session
answers permission questions (the core's part of "sign-in to first usable screen", target
300 ms with the verification included).

Naive ways measured in the same run: argon2-cffi's own default parameters (RFC 9106's
low-memory choice, 64 MiB in 4 lanes), and a sign-in that reads the user from the database
and commits its audit record and last sign-in with a sync to disk before it returns.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from pathlib import Path

from argon2 import PasswordHasher

from hmi.core.access import WRITE_TAG, Access
from hmi.core.audit import AuditTrail
from hmi.core.store import Writer, connect
from hmi.core.users import Hasher, Method, UserDatabase, Users, UsersConfig
from tests.bench.common import median, percentile, report

RUNS = 15


def timed(fn, runs: int = RUNS) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each run."""
    wall, cpu = [], []
    for _ in range(runs):
        c, t = time.process_time(), time.perf_counter()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return wall, cpu


def verify_times() -> dict[str, float]:
    hasher = Hasher()
    pin, password = hasher.hash("4711"), hasher.hash("correct horse battery")
    pin_wall, pin_cpu = timed(lambda: hasher.verify(pin, "4711"))
    pw_wall, _ = timed(lambda: hasher.verify(password, "correct horse battery"))
    default = PasswordHasher()
    stored = default.hash("4711")
    naive_wall, _ = timed(lambda: default.verify(stored, "4711"))
    return {
        "pin_verify_ms": median(pin_wall) * 1000,
        "pin_verify_p90_ms": percentile(pin_wall, 90) * 1000,
        "pin_verify_cpu_ms": median(pin_cpu) * 1000,
        "password_verify_ms": median(pw_wall) * 1000,
        "naive_library_default_verify_ms": median(naive_wall) * 1000,
    }


def naive_sign_in(path: str | Path, hasher: Hasher, name: str, pin: str) -> None:
    """The naive sign-in: read the user, then commit the last sign-in and a chained audit
    record with a sync to disk, before returning."""
    conn = connect(Path(path))
    conn.execute("PRAGMA synchronous=FULL")
    row = conn.execute("SELECT pin_hash, role FROM users WHERE name = ?", (name,)).fetchone()
    assert hasher.verify(row[0], pin)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE users SET last_sign_in = ? WHERE name = ?", (time.time(), name))
    last = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    text = json.dumps([last[1], time.time(), name, "users.sign_in"])
    conn.execute(
        "INSERT INTO audit (seq, ts, user, action, target, station, reason, detail, prev, "
        "hash) VALUES (?, ?, ?, 'users.sign_in', ?, 'bench', '', '{}', ?, ?)",
        (last[0] + 1, time.time(), name, name, last[1], hashlib.sha256(text.encode()).hexdigest()),
    )
    conn.execute("COMMIT")
    conn.close()


def sign_in_times(folder: Path) -> tuple[list[float], list[float]]:
    writer = Writer(folder / "hmi.db").start()
    access = Access()
    trail = AuditTrail(writer, "bench")
    trail.prepare()
    access.add_recorder(trail.record)
    users = Users(UsersConfig(), UserDatabase(writer), access).start(background=False)
    users.add_user("op1", "operator", by="", pin="4711")

    def ours() -> None:
        users.sign_in("op1", "4711", method=Method.PIN, profile="touch")
        assert users.may(WRITE_TAG, "line1.ram_speed_sp") is None

    ours_wall, _ = timed(ours, 10)
    writer.flush(10)
    hasher, path = users.hasher, writer.path
    naive_wall, _ = timed(lambda: naive_sign_in(path, hasher, "op1", "4711"), 10)
    users.stop()
    writer.stop()
    return ours_wall, naive_wall


def main() -> None:
    figures = verify_times()
    with tempfile.TemporaryDirectory() as folder:
        ours, naive = sign_in_times(Path(folder))
    report(
        "users",
        **figures,
        sign_in_ms=median(ours) * 1000,
        sign_in_p90_ms=percentile(ours, 90) * 1000,
        naive_sign_in_ms=median(naive) * 1000,
        sign_in_ratio_naive_over_ours=median(naive) / median(ours),
        verify_ratio_library_default_over_ours=(
            figures["naive_library_default_verify_ms"] / figures["pin_verify_ms"]
        ),
    )


if __name__ == "__main__":
    main()
