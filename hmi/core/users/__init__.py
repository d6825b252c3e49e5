"""Users, roles, sign-in and electronic signatures, without Qt.

``Users`` (``service``) is what the operator application and the command line use: its
docstring lists the calls a sign-in dialog, PIN keypad, badge reader, users view and
signature dialog need. ``UsersConfig`` is the ``users:`` section (``config``), with the
role table (``roles``); ``UsersCapability`` plugs it all into the runtime and ``hmi
check``, and (``console``) into the command line: ``hmi users`` and who writes with ``hmi write``.
"""

from __future__ import annotations

from .capability import CURRENT_TAG, ROLE_TAG, UsersCapability, declared_permissions
from .config import CLI_PROFILE, PROFILES, SignatureRule, UsersConfig, read_users
from .hashing import FAST, Cost, Hasher
from .roles import BUILTIN_ROLES, Grant, Role, RoleTable
from .service import (
    MANAGE,
    PASSWORD_MIN,
    PIN_DIGITS,
    REFUSALS,
    SIGN_IN,
    SIGN_IN_FAILED,
    SIGN_OUT,
    SIGNATURE,
    Method,
    Session,
    Signature,
    SignInError,
    UserInfo,
    Users,
    UsersError,
)
from .userdb import UserDatabase

__all__ = [
    "BUILTIN_ROLES",
    "CLI_PROFILE",
    "CURRENT_TAG",
    "FAST",
    "MANAGE",
    "PASSWORD_MIN",
    "PIN_DIGITS",
    "PROFILES",
    "REFUSALS",
    "ROLE_TAG",
    "SIGNATURE",
    "SIGN_IN",
    "SIGN_IN_FAILED",
    "SIGN_OUT",
    "Cost",
    "Grant",
    "Hasher",
    "Method",
    "Role",
    "RoleTable",
    "Session",
    "SignInError",
    "Signature",
    "SignatureRule",
    "UserDatabase",
    "UserInfo",
    "Users",
    "UsersCapability",
    "UsersConfig",
    "UsersError",
    "declared_permissions",
    "read_users",
]
