"""The test broker itself: it refuses a stranger, takes the test user, speaks TLS under
its own CA, and keeps a persistent session's messages over a stop."""

from __future__ import annotations

import queue
import ssl

import paho.mqtt.client as mqtt
import pytest

from tests.mosquitto import PASSWORD, USER

TIMEOUT = 5.0


def connected(broker, *, user=USER, password=PASSWORD, tls=False, client_id="", clean=True):
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean)
    client.username_pw_set(user, password)
    answers: queue.Queue = queue.Queue()
    client.on_connect = lambda c, u, flags, reason, props: answers.put(reason)
    messages: queue.Queue = queue.Queue()
    client.on_message = lambda c, u, msg: messages.put((msg.topic, msg.payload))
    if tls:
        client.tls_set(ca_certs=str(broker.ca_file), cert_reqs=ssl.CERT_REQUIRED)
    client.connect("127.0.0.1", broker.tls_port if tls else broker.port)
    client.loop_start()
    reason = answers.get(timeout=TIMEOUT)
    client.messages = messages
    return client, reason


def test_the_broker_refuses_a_wrong_password_and_takes_the_user(mosquitto):
    client, reason = connected(mosquitto, password="wrong")
    assert reason.is_failure
    client.loop_stop()
    client, reason = connected(mosquitto, tls=True)
    assert not reason.is_failure
    client.subscribe("t/#", qos=1)
    client.publish("t/a", b"1", qos=1).wait_for_publish(TIMEOUT)
    assert client.messages.get(timeout=TIMEOUT) == ("t/a", b"1")
    client.disconnect()
    client.loop_stop()


def test_a_persistent_session_keeps_its_messages_over_a_stop(mosquitto):
    listener, reason = connected(mosquitto, client_id="keeper", clean=False)
    assert not reason.is_failure
    listener.subscribe("events/#", qos=1)
    listener.publish("events/0", b"probe", qos=1)  # comes back once the subscription holds
    assert listener.messages.get(timeout=TIMEOUT) == ("events/0", b"probe")
    listener.disconnect()
    listener.loop_stop()
    sender, _ = connected(mosquitto)
    sender.publish("events/1", b"kept", qos=1).wait_for_publish(TIMEOUT)
    sender.disconnect()
    sender.loop_stop()
    mosquitto.stop()
    mosquitto.start()
    listener, reason = connected(mosquitto, client_id="keeper", clean=False)
    assert not reason.is_failure
    assert listener.messages.get(timeout=TIMEOUT) == ("events/1", b"kept")
    listener.disconnect()
    listener.loop_stop()


def test_a_certificate_of_another_ca_is_refused(mosquitto, tmp_path):
    from tests.integration.slapd import make_ca

    make_ca(tmp_path, "other")
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.tls_set(ca_certs=str(tmp_path / "other.pem"), cert_reqs=ssl.CERT_REQUIRED)
    with pytest.raises(ssl.SSLCertVerificationError):
        client.connect("127.0.0.1", mosquitto.tls_port)
