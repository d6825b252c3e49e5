"""The HTTP MES target against a receiver on 127.0.0.1 that validates every request against
resources/mes/openapi.yaml: every kind of event the orders capability writes, keep-alive,
the batch's Idempotency-Key, bearer and basic credentials from the secret store, TLS with
a custom CA, duplicates dropped by key, and the reader of the project's entry."""

from __future__ import annotations

import hashlib
import http.client
import json
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from hmi.core.mes import TargetError
from hmi.core.mes.http import HttpTarget, idempotency_key, message, retry_after
from hmi.core.outbox import OutboxEvent
from hmi.core.project.fields import Fields
from hmi.core.secrets import FileStore
from tests.mes.receiver import (
    Receiver,
    for_another_host,
    make_tls,
    production_events,
    validator,
)


@pytest.fixture(scope="module")
def events(tmp_path_factory) -> list:
    return production_events(tmp_path_factory.mktemp("day"))


@pytest.fixture
def store(tmp_path) -> FileStore:
    secrets = FileStore(tmp_path / "config")
    secrets.set("mes_token", "t0ken-line-1")
    secrets.set("mes_pw", "pa55word")
    return secrets


def target(url: str, **kw) -> HttpTarget:
    kw.setdefault("station", "press-pc")
    kw.setdefault("timeout", 5.0)
    return HttpTarget("mes", url, **kw)


def test_every_kind_of_event_the_orders_write_follows_the_contract(events):
    kinds = Counter(e.kind for e in events)
    assert set(kinds) >= {
        "order.state",
        "order.sequence",
        "count",
        "scrap",
        "correction",
        "shift.end",
        "downtime.start",
        "downtime.end",
        "downtime.reason",
        "downtime.split",
        "downtime.merge",
    }
    with Receiver() as receiver:
        mes = target(receiver.url)
        outcomes = mes.send(events)
        mes.close()
    assert outcomes and all(o.accepted for o in outcomes), outcomes
    assert receiver.invalid == []
    assert receiver.received() == len(events)
    assert Counter(m["kind"] for m in receiver.messages) == kinds
    assert receiver.in_order()
    by_kind = {m["kind"]: m for m in receiver.messages}
    running = [m["JobResponse"] for m in receiver.messages if m["kind"] == "order.state"]
    assert ("P-1", "Running", "start") in {
        (j["JobOrderID"], j["JobState"], j["Action"]) for j in running
    }
    assert by_kind["correction"]["ProductionPerformance"]["Correction"]["After"] == 30
    assert by_kind["shift.end"]["line"] == "line1"
    assert by_kind["downtime.merge"]["EquipmentState"]["RemovedID"] > 0
    assert all(m["station"] == "press-pc" for m in receiver.messages)


def test_the_receiver_refuses_what_breaks_the_contract(events):
    """The validation is real: a message with another kind's body is refused (422)."""
    wrong = message(events[0], "press-pc") | {"kind": "count"}
    body = {"messages": [wrong]}
    with Receiver() as receiver:
        conn = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=5)
        conn.request(
            "POST",
            "/mes/events",
            json.dumps(body),
            {
                "Idempotency-Key": idempotency_key([wrong["key"]]),
                "Content-Type": "application/json",
            },
        )
        status = conn.getresponse().status
        conn.close()
    assert status == 422
    assert receiver.invalid and receiver.received() == 0
    assert not list(validator("Message").iter_errors(message(events[0], "s")))


def test_batches_share_one_kept_alive_connection_and_carry_their_idempotency_key(events):
    with Receiver() as receiver:
        mes = target(receiver.url)
        for start in range(0, len(events), 5):
            mes.send(events[start : start + 5])
        mes.send(events[:5])  # the same batch again
        mes.close()
    assert receiver.connections == 1
    assert receiver.requests == len(range(0, len(events), 5)) + 1
    first = hashlib.sha256("\n".join(e.key for e in events[:5]).encode()).hexdigest()
    assert receiver.idempotency[0] == first == receiver.idempotency[-1]
    assert len(set(receiver.idempotency)) == receiver.requests - 1


def test_duplicates_are_dropped_by_key_and_count_as_taken(events):
    with Receiver() as receiver:
        mes = target(receiver.url)
        assert all(o.accepted for o in mes.send(events[:10]))
        again = mes.send(events[5:15])  # five the receiver has, five new
        mes.close()
    assert all(o.accepted for o in again)
    assert receiver.duplicates == 5
    assert receiver.received() == 15
    assert [m["key"] for m in receiver.messages] == [e.key for e in events[:15]]


def test_a_kind_the_contract_does_not_know_is_refused_here_and_the_rest_sent(events):
    odd = OutboxEvent(999, "k-odd", "P-9", 1, "vision.review", {"line": "line1"}, time.time())
    with Receiver() as receiver:
        outcomes = target(receiver.url).send([events[0], odd, events[1]])
    assert [o.accepted for o in outcomes] == [True, False, True]
    assert "no message for 'vision.review'" in outcomes[1].reason
    assert receiver.received() == 2 and receiver.invalid == []


@pytest.mark.parametrize("scheme", ["bearer", "basic"])
def test_credentials_from_the_secret_store_are_sent_and_wrong_ones_stop_the_batch(
    events, store, scheme
):
    from hmi.core.mes.http import Auth

    auth = Auth("bearer", "mes_token") if scheme == "bearer" else Auth("basic", "mes_pw", "linea")
    expected = (
        {"bearer": "t0ken-line-1"} if scheme == "bearer" else {"basic": ("linea", "pa55word")}
    )
    with Receiver(**expected) as receiver:  # type: ignore[arg-type]
        good = target(receiver.url, auth=auth, secrets=store)
        assert all(o.accepted for o in good.send(events[:3]))
        store.set(auth.secret, "stale")
        wrong = target(receiver.url, auth=auth, secrets=store)
        with pytest.raises(TargetError, match="credentials refused") as refused:
            wrong.send(events[3:6])
        taken = receiver.received()
        store.set(auth.secret, "t0ken-line-1" if scheme == "bearer" else "pa55word")
        wrong.close()  # as the worker does after a failed batch: the secret is read again
        assert all(o.accepted for o in wrong.send(events[3:6]))
        good.close()
        wrong.close()
    assert taken == 3  # nothing of the refused batch, and nothing refused
    assert receiver.received() == 6
    assert "stale" not in str(refused.value) and "pa55word" not in str(refused.value)
    assert refused.value.retry_after is None
    assert receiver.auth_seen[0].startswith("Bearer " if scheme == "bearer" else "Basic ")


def test_a_secret_that_is_not_set_says_how_to_set_it(events, tmp_path):
    from hmi.core.mes.http import Auth

    with Receiver(bearer="x") as receiver:
        mes = target(receiver.url, auth=Auth("bearer", "nope"), secrets=FileStore(tmp_path))
        with pytest.raises(TargetError, match="hmi secret set nope"):
            mes.send(events[:1])
    assert receiver.requests == 0


def test_tls_with_the_plants_ca_passes_and_a_certificate_of_another_ca_is_refused(events, tmp_path):
    plant = make_tls(tmp_path / "plant", "plant")
    other = make_tls(tmp_path / "other", "other")
    with Receiver(tls=plant) as receiver:
        mes = target(receiver.url, ca=str(plant.ca))
        assert all(o.accepted for o in mes.send(events[:4]))
        mes.close()
        wrong = target(receiver.url, ca=str(other.ca))
        with pytest.raises(TargetError) as refused:
            wrong.send(events[4:8])
        system = target(receiver.url)  # no ca: the system's CAs, which do not know it
        with pytest.raises(TargetError, match="system's CAs"):
            system.send(events[4:8])
    assert str(other.ca) in str(refused.value)
    assert "not trusted" in str(refused.value)
    assert receiver.received() == 4


def test_a_certificate_for_another_name_is_refused_saying_so(events, tmp_path):
    plant = make_tls(tmp_path / "plant", "plant")
    with Receiver(tls=for_another_host(plant, "mes.plant.test")) as receiver:
        mes = target(receiver.url, ca=str(plant.ca))
        with pytest.raises(TargetError) as refused:
            mes.send(events[:2])
    assert "is not for the url's host: IP address mismatch" in str(refused.value)
    assert "not valid for '127.0.0.1'" in str(refused.value)
    assert str(plant.ca) in str(refused.value)
    assert receiver.received() == 0


def test_there_is_no_way_to_turn_verification_off(tmp_path):
    import inspect

    parameters = set(inspect.signature(HttpTarget).parameters)
    assert not parameters & {"verify", "insecure", "verify_tls", "check_hostname"}
    mes, problems = read_entry(tmp_path, "url: https://mes.local\nverify: false\n")
    assert mes is None
    assert any("unknown field 'verify'" in p.message for p in problems)


# -- the project's entry ---------------------------------------------------------------


def read_entry(folder: Path, text: str, name: str = "mes"):
    path = folder / "project.yaml"
    body = "".join(f"      {line}\n" for line in text.splitlines())
    path.write_text(f"mes:\n  targets:\n    {name}:\n      kind: http\n{body}", encoding="utf-8")
    from hmi.core.project.yamlsrc import read_yaml_file

    data = read_yaml_file(path)["mes"]["targets"][name]
    outer: list = []
    fields = Fields(outer.append, data, str(path), 3, f"mes: targets: {name}")
    return HttpTarget.read(name, data, fields, root=folder)


def test_a_valid_entry_reads_with_its_values(tmp_path):
    tls = make_tls(tmp_path / "certs")
    mes, problems = read_entry(
        tmp_path,
        "url: https://mes.plant.local/linea/\n"
        "auth: {basic: {user: linea, password: {secret: mes_pw}}}\n"
        "ca: certs/plant.pem\n"
        "timeout: 2s\n"
        "batch: 250\n",
    )
    assert problems == []
    assert mes is not None
    assert (mes.url, mes.timeout, mes.max_batch) == ("https://mes.plant.local/linea", 2.0, 250)
    assert mes.ca == str(tls.ca) and mes.kind == "http"
    assert mes.auth is not None and (mes.auth.scheme, mes.auth.user) == ("basic", "linea")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("url: https://m\nauth: {bearer: plain-token}\n", 6, "never written in the project"),
        ("url: https://m\nauth: {basic: {user: u, password: hunter2}}\n", 6, "never written"),
        ("url: https://m\nauth: {token: x}\n", 6, "auth: expected {bearer"),
        ("url: ftp://mes\n", 5, "not an http(s) URL"),
        ("timeout: 2s\n", 3, "url: the MES endpoint"),
        ("url: http://mes\nauth: {bearer: {secret: t}}\n", 5, "never sent in clear"),
        ("url: https://mes\nca: nowhere.pem\n", 6, "ca: no file nowhere.pem"),
        ("url: https://mes\nbatch: 5000\n", 6, "batch: at most 1000 messages go in one request"),
        ("url: https://mes\ntimeout: 0\n", 6, "timeout: 0 is too short"),
        ("url: https://mes\ntimout: 5s\n", 6, "did you mean 'timeout'"),
    ],
)
def test_a_wrong_entry_is_refused_at_its_line(tmp_path, text, line, words):
    mes, problems = read_entry(tmp_path, text)
    assert mes is None
    assert problems, text
    shown = [f"{p.source.file}:{p.source.line}: {p.message}" for p in problems]
    assert any(words.lower() in s.lower() for s in shown), shown
    assert any(s.startswith(f"{tmp_path / 'project.yaml'}:{line}:") for s in shown), shown
    assert "hunter2" not in " ".join(shown) and "plain-token" not in " ".join(shown)


def test_a_file_that_is_not_a_certificate_is_refused_as_ca(tmp_path):
    (tmp_path / "ca.pem").write_text("not a certificate\n")
    mes, problems = read_entry(tmp_path, "url: https://mes\nca: ca.pem\n")
    assert mes is None and "holds no PEM certificate" in problems[0].message


def test_retry_after_in_seconds_or_as_a_date():
    assert retry_after("3") == 3.0
    assert retry_after(" 1.5 ") == 1.5
    assert retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert retry_after("soon") is None and retry_after(None) is None
    assert retry_after("-4") == 0.0 and retry_after("1e12") == 86400.0


def test_the_contract_file_is_openapi_3_with_every_operation_documented():
    document = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "resources/mes/openapi.yaml").read_text()
    )
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/events", "/orders"}
    assert set(document["components"]["securitySchemes"]) == {"bearer", "basic"}
    header = document["paths"]["/events"]["post"]["parameters"][0]
    assert header["name"] == "Idempotency-Key" and header["required"] is True
    undocumented = [
        f"{schema}.{name}"
        for schema, body in document["components"]["schemas"].items()
        for name, prop in _properties(body)
        if "description" not in prop and "$ref" not in prop and "const" not in prop
    ]
    assert undocumented == []


def _properties(schema: dict):
    """(name, schema) of every property, nested ones too."""
    for name, prop in (schema.get("properties") or {}).items():
        yield name, prop
        if isinstance(prop, dict):
            yield from _properties(prop)
            if isinstance(prop.get("items"), dict):
                yield from _properties(prop["items"])


PROJECT = """\
project:
  name: MES over HTTP
devices:
  press: {protocol: simulator, model: press}
tags:
  - {name: speed, device: press, address: ram_speed_sp}
mes:
  targets:
    plant_mes:
      kind: http
      url: https://mes.plant.local/linea
      auth: {basic: {user: linea, password: hunter2}}
      batch: 50
    spare:
      kind: http
      url: https://mes2.plant.local
      auth: {bearer: {secret: mes_token}}
"""


def test_the_project_check_names_a_plain_password_at_its_line_and_builds_the_rest(tmp_path):
    from hmi.core.checks import check_all
    from hmi.core.mes.config import read_mes

    (tmp_path / "project.yaml").write_text(PROJECT, encoding="utf-8")
    project, problems = check_all(tmp_path)
    shown = [str(p) for p in problems]
    assert any(
        s.startswith("project.yaml:12:") and "password: a password is never written" in s
        for s in shown
    ), shown
    assert not any("hunter2" in s for s in shown)
    assert project is not None
    config, _ = read_mes(project)
    assert config is not None and list(config.targets) == ["spare"]
    made = config.targets["spare"].make()
    assert isinstance(made, HttpTarget) and made.url == "https://mes2.plant.local"
