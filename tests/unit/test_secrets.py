"""Secrets: masked wherever they could be printed, kept in a file only their owner can
read when there is no keyring, and a clear error (never plain text elsewhere) when the
store is missing, damaged or readable by others."""

from __future__ import annotations

import logging
import os
import pickle
import stat

import pytest

from hmi.core.secrets import (
    MASK,
    FileStore,
    KeyringStore,
    Secret,
    SecretError,
    open_store,
    reference,
    resolve,
)


def test_a_secret_never_shows_its_value(caplog):
    secret = Secret("mes_token", "s3cr3t-value")
    assert secret.reveal() == "s3cr3t-value"
    shown = [repr(secret), str(secret), f"{secret}", f"{secret:>20}", "{}".format(secret)]  # noqa: UP032
    assert all("s3cr3t" not in text for text in shown) and MASK in str(secret)
    with caplog.at_level(logging.INFO):
        logging.getLogger("t").info("connecting with %s / %r", secret, secret)
    assert "s3cr3t" not in caplog.text
    error = ValueError(f"login refused for {secret}")
    assert "s3cr3t" not in str(error)
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_project_values_name_secrets_in_two_ways():
    assert reference({"secret": "mes_token"}) == "mes_token"
    assert reference("secret:broker_pw") == "broker_pw"
    assert reference("plain text") is None and reference({"secret": "x", "y": 1}) is None


def test_the_file_store_is_owner_only_and_round_trips(tmp_path):
    store = FileStore(tmp_path / "config")
    store.set("mes_token", "abc")
    store.set("ldap_bind", "xyz")
    assert store.get("mes_token").reveal() == "abc"
    assert store.names() == ["ldap_bind", "mes_token"]
    mode = stat.S_IMODE(os.stat(store.path).st_mode)
    assert mode == 0o600
    assert resolve({"secret": "ldap_bind"}, store).reveal() == "xyz"
    assert resolve(5, store) == 5
    assert store.delete("ldap_bind") and not store.delete("ldap_bind")


def test_a_missing_secret_says_how_to_set_it(tmp_path):
    store = FileStore(tmp_path / "config")
    with pytest.raises(SecretError, match=r"secret 'mes_token' is not set in .*hmi secret set"):
        store.get("mes_token")
    with pytest.raises(SecretError, match="is not a secret name"):
        resolve("secret:has space", store)


def test_a_file_others_can_read_is_refused(tmp_path):
    store = FileStore(tmp_path / "config")
    store.set("mes_token", "abc")
    os.chmod(store.path, 0o644)
    with pytest.raises(SecretError, match=r"can be read by other users.*chmod 600") as error:
        store.get("mes_token")
    assert "abc" not in str(error.value)


def test_a_damaged_or_unreadable_store_is_a_clear_error(tmp_path):
    store = FileStore(tmp_path / "config")
    store.folder.mkdir(parents=True)
    store.path.write_text('{"mes_token": "abc"', encoding="utf-8")
    os.chmod(store.path, 0o600)
    with pytest.raises(SecretError, match="damaged") as error:
        store.get("mes_token")
    assert "abc" not in str(error.value)
    store.path.unlink()
    store.path.mkdir()
    with pytest.raises(SecretError, match="is a folder"):
        store.set("mes_token", "abc")
    blocked = FileStore(tmp_path / "a-file")
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(SecretError, match="cannot write the secrets file"):
        blocked.set("x", "y")


def test_without_a_keyring_the_file_is_used_and_forcing_the_keyring_fails_clearly(
    tmp_path, monkeypatch
):
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    assert isinstance(open_store(tmp_path), FileStore)
    with pytest.raises(SecretError, match="no usable keyring"):
        open_store(tmp_path, backend="keyring")
    with pytest.raises(SecretError, match="is not a secret store"):
        open_store(tmp_path, backend="vault")


def test_a_real_keyring_backend_is_preferred(tmp_path, monkeypatch):
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 5

        def __init__(self):
            super().__init__()
            self.values = {}

        def get_password(self, service, username):
            return self.values.get((service, username))

        def set_password(self, service, username, password):
            self.values[(service, username)] = password

        def delete_password(self, service, username):
            del self.values[(service, username)]

    monkeypatch.setattr(keyring, "get_keyring", lambda: Memory())
    store = open_store(tmp_path)
    assert isinstance(store, KeyringStore)
    store.set("broker_pw", "pw")
    assert store.get("broker_pw").reveal() == "pw" and store.names() == ["broker_pw"]
    assert not (tmp_path / "secrets.json").exists()  # never in the file as well
