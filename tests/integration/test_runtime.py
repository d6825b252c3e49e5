"""The runtime on its own thread, driven from another thread as the GUI and CLI do."""

import threading
import time

from hmi.core.driver import WriteStatus
from hmi.core.engine import device_status_tag
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.runtime import Runtime
from hmi.core.tags import Quality


def sim_project() -> Project:
    press = DeviceConfig("press", "simulator", {"model": "press", "seed": 1, "faults": False})
    tags = [
        TagConfig("p.temp", DataType.FLOAT32, "press", "billet_temp", scan_class="fast"),
        TagConfig("p.count", DataType.UINT32, "press", "profile_count", scan_class="fast"),
        TagConfig(
            "p.speed_sp",
            DataType.FLOAT32,
            "press",
            "ram_speed_sp",
            writable=True,
            eng_range=(1.0, 25.0),
            scan_class="fast",
        ),
        TagConfig("p.temp_k", expr="p.temp + 273.15"),
    ]
    return Project(name="rt", root=".", devices={"press": press}, tags={t.name: t for t in tags})


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_values_flow_from_driver_to_a_subscriber_on_another_thread(tmp_path):
    with Runtime(sim_project(), tmp_path) as rt:
        woken = threading.Event()
        sub = rt.submit(_subscribe(rt, woken)).result(5)
        assert woken.wait(5)
        merged: dict = {}
        wait_until(lambda: merged.update(*sub.take()) or "p.temp_k" in merged)
        assert merged["p.temp"].quality is Quality.GOOD
        assert abs(merged["p.temp_k"].value - merged["p.temp"].value - 273.15) < 1e-6
        assert merged[device_status_tag("press")].value == "online"


async def _subscribe(rt, woken):
    return rt.engine.subscribe("test", latest_only=True, wake=woken.set)


def test_a_write_returns_a_future_and_the_value_reads_back(tmp_path):
    with Runtime(sim_project(), tmp_path) as rt:
        wait_until(lambda: "p.speed_sp" in rt.engine.values)
        result = rt.write("p.speed_sp", 17.5, user="op").result(5)
        assert result.status is WriteStatus.DONE, result.message
        assert result.readback == 17.5
        wait_until(lambda: rt.engine.values["p.speed_sp"].value == 17.5)
        refused = rt.write("p.speed_sp", 99, user="op").result(5)
        assert refused.status is WriteStatus.REFUSED and "outside the range" in refused.message


def test_an_unknown_protocol_is_reported_and_the_rest_runs(tmp_path):
    project = sim_project()
    project.devices["ghost"] = DeviceConfig("ghost", "profinet")
    with Runtime(project, tmp_path) as rt:
        wait_until(lambda: "p.temp" in rt.engine.values)
        ghost = rt.engine.values[device_status_tag("ghost")]
        assert ghost.quality is Quality.BAD and "unknown protocol 'profinet'" in ghost.reason


def test_the_runtime_opens_the_local_store_and_reports_its_health(tmp_path):
    with Runtime(sim_project(), tmp_path) as rt:
        wait_until(lambda: "_sys.store.health" in rt.engine.values)
        assert rt.engine.values["_sys.store.health"].value == "ok"
        rt.store.submit(lambda conn: conn.execute("CREATE TABLE probe (x)"))
        assert rt.store.flush(5)
    assert (tmp_path / "hmi.db").exists()
