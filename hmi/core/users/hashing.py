"""Passwords, PINs and badge numbers, kept only as argon2id hashes.

The parameters make one verification cost 50-250 ms on the line PC (a 2-core machine):
slow enough that a stolen ``hmi.db`` does not give up a PIN in an afternoon, fast enough
that signing in stays under 300 ms. A hash carries its own parameters, so raising them
later only re-hashes each secret at its next successful sign-in.

A badge is a secret too, but a badge reader gives only the number, with no user name to
find the hash by: badges are hashed with argon2id under one random salt per store, so the
same number always gives the same digest, which is looked up (one hash per swipe, not one
per user).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import hash_secret_raw

# t=3 passes over 48 MiB in 2 lanes. Measured on the 2-core line PC: 165 ms of CPU per
# verification, about 90 ms on the clock when both cores are free (220 ms while six
# other processes competed for them); tests/bench/bench_users.py prints it again.
TIME_COST = 3
MEMORY_KIB = 48 * 1024
PARALLELISM = 2
HASH_LEN = 32
SALT_LEN = 16


@dataclass(frozen=True, slots=True)
class Cost:
    time_cost: int = TIME_COST
    memory_kib: int = MEMORY_KIB
    parallelism: int = PARALLELISM


#: for tests that sign in hundreds of times: same algorithm, a millisecond per hash
FAST = Cost(time_cost=1, memory_kib=1024, parallelism=1)


class Hasher:
    """argon2id hashing and verification with one set of parameters."""

    def __init__(self, cost: Cost = Cost()):
        self.cost = cost
        self._hasher = PasswordHasher(
            time_cost=cost.time_cost,
            memory_cost=cost.memory_kib,
            parallelism=cost.parallelism,
            hash_len=HASH_LEN,
            salt_len=SALT_LEN,
            type=Type.ID,
        )
        # verified against when the user does not exist, so a wrong name takes as long
        # as a wrong password and does not tell which names exist
        self._decoy = self._hasher.hash(secrets.token_hex(16))

    def hash(self, secret: str) -> str:
        return self._hasher.hash(secret)

    def verify(self, stored: str | None, secret: str) -> bool:
        """Whether ``secret`` matches ``stored``; None (nothing set) costs the same time."""
        try:
            return self._hasher.verify(stored or self._decoy, secret) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored)
        except (InvalidHashError, ValueError):
            return True


def badge_digest(badge: str, salt: bytes, cost: Cost) -> str:
    """The same digest for the same badge number under one store's ``salt`` and ``cost``
    (both kept in the store, so badges stay valid when the parameters change)."""
    raw = hash_secret_raw(
        badge.strip().encode(),
        salt,
        time_cost=cost.time_cost,
        memory_cost=cost.memory_kib,
        parallelism=cost.parallelism,
        hash_len=HASH_LEN,
        type=Type.ID,
    )
    return raw.hex()


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_LEN)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
