"""The shared MQTT connection: its project keys checked at their ``file:line``, and a
client connected to a real Mosquitto, with each way of failing said in words."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from hmi.core.mes import TargetError
from hmi.core.mes.mqtt_link import MqttSettings, Will, connect_client, read_mqtt_settings
from hmi.core.project.fields import Fields
from hmi.core.secrets import FileStore
from tests.mosquitto import PASSWORD, USER

TIMEOUT = 5.0


def read_entry(folder: Path, text: str):
    path = folder / "project.yaml"
    body = "".join(f"      {line}\n" for line in text.splitlines())
    path.write_text(f"mes:\n  targets:\n    uns:\n      kind: mqtt\n{body}", encoding="utf-8")
    from hmi.core.project.yamlsrc import read_yaml_file

    data = read_yaml_file(path)["mes"]["targets"]["uns"]
    problems: list = []
    fields = Fields(problems.append, data, str(path), 3, "mes: targets: uns")
    settings = read_mqtt_settings(
        data, fields, folder, own=("root",), hidden=("kind",), client_id="linea-st-uns"
    )
    return settings, [f"{p.source.file}:{p.source.line}: {p.message}" for p in problems]


@pytest.fixture
def secrets(tmp_path) -> FileStore:
    store = FileStore(tmp_path / "config")
    store.set("broker", PASSWORD)
    store.set("stale", "not-the-password")
    return store


def settings_for(broker, *, tls=False, ca=None, secret="broker", **more) -> MqttSettings:
    return MqttSettings(
        host="127.0.0.1",
        port=broker.tls_port if tls else broker.port,
        tls=tls,
        ca_file=str(ca if ca is not None else broker.ca_file) if tls else None,
        username=USER,
        password_secret=secret,
        client_id=more.pop("client_id", "linea-test"),
        **more,
    )


def test_a_full_entry_reads_with_its_values_and_defaults(tmp_path):
    (tmp_path / "certs").mkdir()
    from tests.integration.slapd import make_ca

    make_ca(tmp_path / "certs", "plant")
    settings, problems = read_entry(
        tmp_path,
        "host: broker.plant.local\n"
        "tls: {ca_file: certs/plant.pem}\n"
        "username: line1\n"
        "password_secret: broker_line1\n"
        "keepalive: 45s\n"
        "protocol: 3.1.1\n"
        "root: acme/turin/extrusion\n",
    )
    assert problems == []
    assert settings is not None
    assert (settings.host, settings.port, settings.tls) == ("broker.plant.local", 8883, True)
    assert settings.ca_file == str(tmp_path / "certs" / "plant.pem")
    assert (settings.username, settings.password_secret) == ("line1", "broker_line1")
    assert (settings.keepalive, settings.protocol, settings.client_id) == (
        45,
        "3.1.1",
        "linea-st-uns",
    )
    plain, problems = read_entry(tmp_path, "host: 10.0.0.5\nclient_id: press-1\n")
    assert problems == [] and plain is not None
    assert (plain.port, plain.tls, plain.protocol, plain.client_id) == (1883, False, "5", "press-1")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("host: b\nusername: u\npassword: hunter2\n", 7, "password: a password is never written"),
        ("host: b\nusername: u\npassword_secret: {plain: hunter2}\n", 7, "never written"),
        ("host: b\nusername: u\npassword_secret: 'bad name!'\n", 7, "is not a secret name"),
        ("host: b\npassword_secret: pw\n", 6, "needs username"),
        ("host: b\nusername: u\npassword_secret: pw\n", 7, "never sent in clear to b"),
        ("host: b\ntls: {ca_file: nowhere.pem}\n", 6, "ca_file: no file nowhere.pem"),
        ("host: b\ntls: {cafile: x.pem}\n", 6, "did you mean 'ca_file'"),
        ("host: b\ntls: maybe\n", 6, "tls: expected true, false or a mapping"),
        ("host: b\nport: 70000\n", 6, "a port from 1 to 65535"),
        ("host: b\nport: 0\n", 6, "a port from 1 to 65535"),
        ("host: b\nprotocol: 4\n", 6, "protocol: expected 5 or 3.1.1"),
        ("host: b\nkeepalive: 1s\n", 6, "keepalive"),
        ("host: b\nhots: c\n", 6, "did you mean 'host'"),
        ("host: b:1883\n", 5, "host name only"),
        ("port: 1883\n", 3, "host: the broker's host name"),
    ],
)
def test_a_wrong_entry_is_refused_at_its_line(tmp_path, text, line, words):
    settings, shown = read_entry(tmp_path, text)
    assert settings is None
    assert any(words.lower() in s.lower() for s in shown), shown
    assert any(s.startswith(f"{tmp_path / 'project.yaml'}:{line}:") for s in shown), shown
    assert "hunter2" not in " ".join(shown)


def test_a_file_that_is_not_a_certificate_is_refused_as_ca_file(tmp_path):
    (tmp_path / "ca.pem").write_text("not a certificate\n")
    settings, shown = read_entry(tmp_path, "host: b\ntls: {ca_file: ca.pem}\n")
    assert settings is None and "holds no PEM certificate" in shown[0], shown


def test_a_client_certificate_needs_its_key(tmp_path):
    (tmp_path / "c.pem").write_text("x")
    settings, shown = read_entry(tmp_path, "host: b\ntls: {client_cert: c.pem}\n")
    assert settings is None and any("client_key: missing" in s for s in shown), shown


def test_connects_with_the_secret_and_refuses_a_wrong_one_saying_so(mosquitto, secrets):
    client = connect_client(settings_for(mosquitto), secrets=secrets, timeout=TIMEOUT)
    assert client.is_connected()
    client.disconnect()
    client.loop_stop()
    with pytest.raises(TargetError, match=r"auth refused by mqtt://127.0.0.1:\d+ .*secret stale"):
        connect_client(settings_for(mosquitto, secret="stale"), secrets=secrets, timeout=TIMEOUT)
    with pytest.raises(TargetError, match="hmi secret set missing"):
        connect_client(settings_for(mosquitto, secret="missing"), secrets=secrets)


def test_mqtt_3_1_1_connects_too(mosquitto, secrets):
    client = connect_client(
        settings_for(mosquitto, protocol="3.1.1"), secrets=secrets, timeout=TIMEOUT
    )
    assert client.is_connected() and client.protocol == 4
    client.disconnect()
    client.loop_stop()


def test_tls_with_the_plants_ca_passes_and_another_ca_is_refused_as_such(
    mosquitto, secrets, tmp_path
):
    client = connect_client(settings_for(mosquitto, tls=True), secrets=secrets, timeout=TIMEOUT)
    assert client.is_connected()
    client.disconnect()
    client.loop_stop()
    from tests.integration.slapd import make_ca

    make_ca(tmp_path, "other")
    other = settings_for(mosquitto, tls=True, ca=tmp_path / "other.pem")
    with pytest.raises(TargetError, match=r"is not trusted by the CA in .*other.pem.*another CA"):
        connect_client(other, secrets=secrets, timeout=TIMEOUT)


def test_a_plain_client_on_the_tls_port_fails_in_time(mosquitto, secrets):
    wrong = MqttSettings("127.0.0.1", mosquitto.tls_port, username=USER, password_secret="broker")
    with pytest.raises(TargetError, match=r"no answer|cannot reach|refused"):
        connect_client(wrong, secrets=secrets, timeout=1.0)


def test_nothing_listening_is_connection_refused():
    from tests.helpers import free_port

    with pytest.raises(TargetError, match="connection refused"):
        connect_client(MqttSettings("127.0.0.1", free_port()), timeout=TIMEOUT)


def test_a_server_that_never_answers_is_a_timeout():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        with pytest.raises(TargetError, match=r"no answer from .* within 0.5 s"):
            connect_client(MqttSettings("127.0.0.1", port), timeout=0.5)


def test_the_last_will_is_published_when_the_connection_dies(mosquitto, secrets):
    import queue

    watcher = connect_client(settings_for(mosquitto, client_id="watcher"), secrets=secrets)
    seen: queue.Queue = queue.Queue()
    watcher.on_message = lambda c, u, m: seen.put((m.topic, m.payload, m.retain))
    watcher.subscribe("wills/#", qos=1)
    will = Will("wills/st1", b'{"online": false}')
    dying = connect_client(settings_for(mosquitto, client_id="st1"), will=will, secrets=secrets)
    dying.loop_stop()  # the station's loop ends without DISCONNECT ...
    sock = dying.socket()
    assert sock is not None
    sock.close()  # ... and its socket goes: the broker publishes the will
    topic, payload, _ = seen.get(timeout=TIMEOUT)
    assert (topic, payload) == ("wills/st1", b'{"online": false}')
    watcher.disconnect()
    watcher.loop_stop()


def test_a_certificate_for_another_name_is_refused_saying_so(tmp_path, secrets):
    import shutil

    from tests.mes.receiver import for_another_host, make_tls
    from tests.mosquitto import Mosquitto

    broker = Mosquitto(tmp_path / "broker")
    broker._configure()  # then its certificate is swapped for one of another name
    plant = for_another_host(make_tls(tmp_path / "plant"), "broker.plant.test")
    shutil.copy(plant.ca, broker.folder / "ca.pem")
    shutil.copy(plant.cert, broker.folder / "server.pem")
    shutil.copy(plant.key, broker.folder / "server.key")
    broker.start()
    try:
        with pytest.raises(TargetError) as refused:
            connect_client(settings_for(broker, tls=True), secrets=secrets, timeout=TIMEOUT)
    finally:
        broker.remove()
    said = str(refused.value)
    assert "is not for 127.0.0.1" in said and "mismatch" in said, said
    assert str(broker.ca_file) in said
