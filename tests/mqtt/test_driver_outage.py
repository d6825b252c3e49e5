"""The MQTT driver when the broker goes away: every tag Bad with the reason within the
timeout, never a stale Good; back Good from the retained messages once it returns."""

from __future__ import annotations

import signal
import time

import pytest

from hmi.core.driver import DeviceStatus
from hmi.core.engine import device_status_tag
from hmi.core.secrets import FileStore
from hmi.core.tags import Quality
from tests.mqtt.test_driver_values import (
    UNS,
    Publisher,
    Station,
    device,
    project,
    secret,  # noqa: F401 (the fixture)
    tag,
)

pytestmark = pytest.mark.usefixtures("secret")

POLICY_TIMEOUT = 2.0  # the driver's default timeout


@pytest.fixture
def plant(mosquitto):
    publisher = Publisher(mosquitto)
    yield publisher
    publisher.close()


def test_a_stopped_broker_makes_every_tag_bad_and_its_return_good_again(mosquitto, plant, tmp_path):
    plant.send(f"{UNS}/speed", {"v": 12.5, "ts": int(time.time() * 1000)})
    plant.send("plant/oven3/door", "0")
    proj = project(
        device(mosquitto),
        tag("speed", f"{UNS}/speed"),
        tag("door", "plant/oven3/door payload=raw"),
        tag("events", "plant/oven3/events payload=raw"),  # never retained
    )
    with Station(proj, tmp_path) as st:
        st.value("speed", 12.5)
        st.value("door", 0.0)
        plant.close()
        stopped = time.monotonic()
        mosquitto.stop()
        took = st.wait(
            lambda v: (
                all(v[n].quality is Quality.BAD for n in ("speed", "door", "events"))
                and "lost" in v["speed"].reason
            ),
            what="every tag Bad",
        )
        assert time.monotonic() - stopped < POLICY_TIMEOUT, took
        assert "127.0.0.1" in st.values["door"].reason
        assert st.values["speed"].value == 12.5  # the last value stays, marked Bad
        st.wait(lambda v: st.status() in ("offline", "demoted"), what="offline")
        # while it is gone, the device says why each attempt fails
        st.wait(
            lambda v: "connection refused" in v[device_status_tag("broker")].reason,
            what="refused attempts",
        )
        assert st.values["speed"].quality is Quality.BAD
        mosquitto.start()
        assert st.value("speed", 12.5, timeout=5)  # the retained message read again
        assert st.value("door", 0.0)
        assert st.status() == DeviceStatus.ONLINE.value
        st.wait(lambda v: "nothing retained" in v["events"].reason, what="events waiting")
        assert st.values["events"].quality is Quality.BAD


def test_a_killed_broker_is_noticed_as_fast(mosquitto, plant, tmp_path):
    plant.send(f"{UNS}/speed", {"v": 1.0})
    with Station(project(device(mosquitto), tag("speed", f"{UNS}/speed")), tmp_path) as st:
        st.value("speed", 1.0)
        plant.close()
        killed = time.monotonic()
        mosquitto.kill()
        st.quality("speed", Quality.BAD)
        assert time.monotonic() - killed < POLICY_TIMEOUT
        mosquitto.start()


def test_a_broker_that_falls_silent_is_noticed_by_the_keepalive(mosquitto, plant, tmp_path):
    """A pulled cable closes nothing: the keepalive finds it, within twice its period (a
    ping once the connection was quiet for one, then its answer awaited for one more; paho
    looks once a second)."""
    plant.send(f"{UNS}/speed", {"v": 2.0})
    with Station(
        project(device(mosquitto, keepalive=5), tag("speed", f"{UNS}/speed")), tmp_path
    ) as st:
        st.value("speed", 2.0)
        process = mosquitto.process
        process.send_signal(signal.SIGSTOP)
        try:
            frozen = time.monotonic()
            bad = st.quality("speed", Quality.BAD, timeout=15)
            assert time.monotonic() - frozen <= 2 * 5 + 2
            assert "lost" in bad.reason
        finally:
            process.send_signal(signal.SIGCONT)
        assert st.value("speed", 2.0, timeout=10)


def test_a_refused_login_or_an_untrusted_broker_keeps_every_tag_bad_saying_why(mosquitto, tmp_path):
    FileStore().set("wrong_secret", "not-the-password")
    proj = project(device(mosquitto, password_secret="wrong_secret"), tag("speed", f"{UNS}/speed"))
    with Station(proj, tmp_path) as st:
        tv = st.quality("speed", Quality.BAD)
        assert "auth refused" in tv.reason and "wrong_secret" in tv.reason
        assert st.status() in ("offline", "demoted")
    tls = device(mosquitto, port=mosquitto.tls_port, tls={"ca_file": str(mosquitto.ca_file)})
    with Station(project(tls, tag("speed", f"{UNS}/speed")), tmp_path / "tls") as st:
        st.wait(lambda v: st.status() == "online", what="online over TLS with the plant's CA")
    system_cas = device(mosquitto, port=mosquitto.tls_port, tls=True)
    with Station(project(system_cas, tag("speed", f"{UNS}/speed")), tmp_path / "sys") as st:
        tv = st.quality("speed", Quality.BAD)
        assert "TLS" in tv.reason and "not trusted" in tv.reason, tv.reason
