"""Secrets (MES, broker and database credentials, the directory's bind password, private
keys' passphrases) kept out of project files, logs, exceptions and ``hmi check`` output.

A project names a secret instead of writing it::

    password: {secret: mes_token}      # or, on one line: password: "secret:mes_token"

and ``hmi secret set mes_token`` stores the value on the station: in the operating
system's keyring (``keyring``: Windows Credential Manager, macOS Keychain, the Secret
Service of a Linux desktop) where one is there, otherwise in ``secrets.json`` in the
configuration folder (``hmi paths``), which only the account that runs Linea may read
(0600 in a 0700 folder; a file others can read is refused, as ssh refuses a key). When
neither can be used the error says why; nothing ever falls back to plain text anywhere
else. ``LINEA_HMI_SECRETS=keyring`` or ``=file`` forces one of the two.

A value read back is a ``Secret``: its ``repr``, ``str`` and format are masked, so a
secret passed to a log call, an f-string or an exception shows ``********``; only
``reveal()`` gives the text, at the one place that hands it to a protocol library.
Names are kept in an index beside the file (keyrings cannot list), so ``hmi secret list``
shows names and never values.
"""

from __future__ import annotations

import hmac
import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, NoReturn, Protocol

from .paths import app_paths

BACKEND_VARIABLE = "LINEA_HMI_SECRETS"  # keyring | file
KEYRING_SERVICE = "linea-hmi"
SECRETS_FILE = "secrets.json"
NAMES_FILE = "secret-names.json"  # names only, for the keyring (which cannot list)
MASK = "********"
PREFIX = "secret:"
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
NAME_RULE = "letters, digits, '_', '.' or '-', starting with a letter, at most 64"


class SecretError(Exception):
    """A secret cannot be stored or read; the message says why and what to do, and never
    holds a secret's value."""


class Secret:
    """A secret's value that does not show itself: masked in repr, str and formats."""

    __slots__ = ("_value", "name")

    def __init__(self, name: str, value: str):
        self.name = name
        self._value = value

    def reveal(self) -> str:
        """The text itself, for the one call that hands it to a library."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self.name!r}, {MASK})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self.name)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret is not pickled: it would leave the process in clear")


def reference(value: Any) -> str | None:
    """The name a project value refers to (``{secret: NAME}`` or ``"secret:NAME"``), or
    None if it is not a reference."""
    if isinstance(value, Mapping) and set(value) == {"secret"}:
        name = value["secret"]
        return name.strip() if isinstance(name, str) else ""
    if isinstance(value, str) and value.strip().lower().startswith(PREFIX):
        return value.strip()[len(PREFIX) :].strip()
    return None


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a secret, or None."""
    if NAME.match(name):
        return None
    shown = name if len(name) <= 40 else name[:40] + "..."
    return f"'{shown}' is not a secret name: use {NAME_RULE} characters"


class SecretStore(Protocol):
    """Where this station keeps its secrets."""

    where: str  # said in messages: "the keyring (...)" or the file's path

    def get(self, name: str) -> Secret: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> bool: ...

    def names(self) -> list[str]: ...


def resolve(value: Any, store: SecretStore | None = None) -> Any:
    """A project value with a secret reference replaced by its ``Secret``; any other value
    as it is. ``SecretError`` says which name is missing and how to set it."""
    name = reference(value)
    if name is None:
        return value
    problem = name_problem(name)
    if problem:
        raise SecretError(problem)
    return (store or open_store()).get(name)


# -- the file ----------------------------------------------------------------------------


class FileStore:
    """``secrets.json`` in the configuration folder, readable by its owner alone."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder if folder is not None else app_paths().config
        self.path = self.folder / SECRETS_FILE
        self.where = str(self.path)

    def get(self, name: str) -> Secret:
        values = self._read()
        if name not in values:
            _not_set(name, self.where)
        return Secret(name, values[name])

    def set(self, name: str, value: str) -> None:
        _check_name(name)
        values = self._read()
        values[name] = value
        self._write(values)

    def delete(self, name: str) -> bool:
        values = self._read()
        if values.pop(name, None) is None:
            return False
        self._write(values)
        return True

    def names(self) -> list[str]:
        return sorted(self._read())

    def _read(self) -> dict[str, str]:
        path = self.path
        try:
            if path.is_dir():
                raise SecretError(f"{path} is a folder; the secrets file must be a file")
            if not path.exists():
                return {}
            if os.name == "posix":
                mode = stat.S_IMODE(path.stat().st_mode)
                if mode & 0o077:
                    raise SecretError(
                        f"{path} can be read by other users (mode {mode:04o}); only the account"
                        f" that runs Linea may read it: chmod 600 {path}"
                    )
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise SecretError(f"cannot read the secrets file {path}: {_why(error)}") from None
        try:
            data = json.loads(text) if text.strip() else {}
        except ValueError:
            raise SecretError(
                f"the secrets file {path} is damaged (not JSON); move it away and set the "
                "secrets again with `hmi secret set NAME`"
            ) from None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise SecretError(
                f"the secrets file {path} is damaged (not a mapping of names to texts); move "
                "it away and set the secrets again with `hmi secret set NAME`"
            )
        return data

    def _write(self, values: dict[str, str]) -> None:
        folder = self.folder
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            # mkstemp creates the file 0600: it is never readable by others, not even briefly
            handle, temporary = tempfile.mkstemp(prefix=".secrets-", dir=folder)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(values, out, indent=1, sort_keys=True)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise SecretError(f"cannot write the secrets file {self.path}: {_why(error)}") from None


# -- the keyring -------------------------------------------------------------------------


class KeyringStore:
    """The operating system's keyring, with the names listed in a file beside it."""

    def __init__(self, backend: Any, folder: Path | None = None):
        self.backend = backend
        self.folder = folder if folder is not None else app_paths().config
        self.index = self.folder / NAMES_FILE
        self.where = f"the keyring ({type(backend).__name__})"

    def get(self, name: str) -> Secret:
        try:
            value = self.backend.get_password(KEYRING_SERVICE, name)
        except Exception as error:
            raise SecretError(f"{self.where} did not answer: {_plain(error)}") from None
        if value is None:
            _not_set(name, self.where)
        return Secret(name, value)

    def set(self, name: str, value: str) -> None:
        _check_name(name)
        try:
            self.backend.set_password(KEYRING_SERVICE, name, value)
        except Exception as error:
            raise SecretError(f"{self.where} refused to store '{name}': {_plain(error)}") from None
        self._index(set(self.names()) | {name})

    def delete(self, name: str) -> bool:
        try:
            self.backend.delete_password(KEYRING_SERVICE, name)
            found = True
        except Exception:  # keyring's PasswordDeleteError: not there
            found = False
        self._index(set(self.names()) - {name})
        return found

    def names(self) -> list[str]:
        try:
            data = json.loads(self.index.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return sorted(n for n in data if isinstance(n, str)) if isinstance(data, list) else []

    def _index(self, names: Collection[str]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.index.write_text(json.dumps(sorted(names)), encoding="utf-8")
        except OSError as error:
            raise SecretError(f"cannot write {self.index}: {_why(error)}") from None


def usable_keyring() -> Any | None:
    """The keyring backend in force, if it stores secrets safely (not the 'fail' or 'null'
    stand-ins keyring uses where there is none, nor a plain-text one)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    kind = type(backend)
    if isinstance(backend, fail.Keyring) or "null" in kind.__module__.lower():
        return None
    if "plaintext" in kind.__name__.lower() or "keyrings.alt" in kind.__module__:
        return None
    if getattr(kind, "priority", 1) <= 0:
        return None
    backends = getattr(backend, "backends", None)  # a chainer with nothing behind it
    if backends is not None and not backends:
        return None
    return backend


def open_store(folder: Path | None = None, backend: str | None = None) -> SecretStore:
    """The station's secret store: the keyring where a usable one exists, else the file.
    ``backend`` (or ``$LINEA_HMI_SECRETS``) forces ``keyring`` or ``file``."""
    wanted = (backend or os.environ.get(BACKEND_VARIABLE) or "").strip().lower()
    if wanted not in ("", "keyring", "file"):
        raise SecretError(
            f"{BACKEND_VARIABLE}={wanted!r} is not a secret store; use keyring or file"
        )
    if wanted == "file":
        return FileStore(folder)
    found = usable_keyring()
    if found is not None:
        return KeyringStore(found, folder)
    if wanted == "keyring":
        raise SecretError(
            "no usable keyring on this station (none is installed or unlocked); unset "
            f"{BACKEND_VARIABLE} to keep secrets in a file only this account can read"
        )
    if os.name != "posix" and sys.platform != "win32":  # pragma: no cover - exotic systems
        raise SecretError("no keyring and no way to protect a secrets file on this system")
    return FileStore(folder)


def ask(
    prompt: str, *, stdin: bool = False, confirm: bool = False, allow_empty: bool = False
) -> str:
    """A secret typed by a person, without echo (``getpass``), twice with ``confirm``; or,
    with ``stdin``, the next line of standard input (scripts: one secret per line).
    ``SecretError`` when there is no terminal to ask on, or nothing was given."""
    import getpass

    if stdin:
        line = sys.stdin.readline()
        if not line:
            raise SecretError(f"standard input ended before the {prompt.rstrip(': ').lower()}")
        value = line.rstrip("\r\n")
    else:
        if not sys.stdin.isatty():
            raise SecretError(
                f"no terminal to ask for the {prompt.rstrip(': ').lower()} on; give it on "
                "standard input with --stdin"
            )
        value = getpass.getpass(prompt)
        if confirm and getpass.getpass("again: ") != value:
            raise SecretError("the two entries differ; nothing was changed")
    if not value and not allow_empty:
        raise SecretError(f"the {prompt.rstrip(': ').lower()} is empty")
    return value


def _check_name(name: str) -> None:
    problem = name_problem(name)
    if problem:
        raise SecretError(problem)


def _not_set(name: str, where: str) -> NoReturn:
    raise SecretError(f"secret '{name}' is not set in {where}; set it with: hmi secret set {name}")


def _why(error: OSError) -> str:
    if isinstance(error, PermissionError):
        return "permission denied"
    return (error.strerror or str(error) or "the system refused").lower()


def _plain(error: BaseException) -> str:
    return str(error) or type(error).__name__
