"""An alarm on a camera's defect rate in a real station: a pymodbus PLC on 127.0.0.1 whose
profile counter triggers the demo's simulated press camera (defects on most profiles),
the shipped surface model decides, and the defect rate the vision capability publishes
as a system tag reaches the alarm engine, which raises the alarm on the camera's line;
the history records the same tag."""

from __future__ import annotations

import sqlite3
import time

import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("cv2")

from hmi.core.alarms import AlarmState
from hmi.core.runtime import Runtime

from .orders_plant import GOOD, Plc, wait_until
from .test_orders_day import station

pytestmark = pytest.mark.slow

RATE = "_sys.vision.press_cam.defect_rate"
ALARM = "press_defects"
MOST_PARTS = 60  # the window is 20: the rate is well above 10 % long before this

PROJECT = """\
project:
  name: Defect rate alarm
  lines: {{line1: Line 1}}
scan_classes: {{fast: 50ms, normal: 1s, slow: 10s}}
devices:
  plc: {{protocol: modbus, line: line1, host: 127.0.0.1, port: {port}, unit: 1,
         timeout: 500ms, retries: 0}}
tags:
  - {{name: line1.profile_count, device: plc, address: "hr:0", type: uint32, scan: fast}}
vision:
  models:
    surface: models/surface/surface.onnx
  cameras:
    press_cam:
      line: line1
      source: sim:press
      fps: 10
      size: [256, 256]
      channels: 3
      model: surface
      trigger: {{count: line1.profile_count}}
      max_age: 1s
      window: 20
      evidence: {{good_every: 0}}
      simulation: {{defect_rate: 0.9}}
alarms:
  - tag: {rate}
    id: {alarm}
    hi: 10
    priority: 2
    message: "Defects on {{value:.0f}} % of the last profiles"
historian:
  tags:
    {rate}: {{mode: exception}}
"""


def status(runtime: Runtime):
    return runtime.service("alarms").get(f"{ALARM}.hi")


@pytest.mark.timeout(180)
def test_a_high_defect_rate_raises_its_alarm(tmp_path, port):
    plc = Plc(port)
    folder = tmp_path / "project"
    folder.mkdir()
    text = PROJECT.format(port=port, rate=RATE, alarm=ALARM)
    (folder / "project.yaml").write_text(text, encoding="utf-8")
    data = tmp_path / "data"
    runtime = station(folder, data)
    try:
        wait_until(lambda: RATE in runtime.live.values, 30, "the camera's defect rate")
        assert runtime.live.values[RATE].value == 0.0
        assert status(runtime).state is AlarmState.NORMAL
        count, deadline = 1000, time.monotonic() + 120
        plc.set_counter(GOOD, count)
        time.sleep(0.5)  # the counter's first reading is its baseline, no part
        for _ in range(MOST_PARTS):
            count += 1
            plc.set_counter(GOOD, count)
            time.sleep(0.25)  # a few polls of the fast scan class, a few camera frames
            if status(runtime).active or time.monotonic() > deadline:
                break
        wait_until(lambda: status(runtime).active, 10, "the defect rate alarm")
        alarm = status(runtime)
        assert alarm.state is AlarmState.UNACKED and alarm.line == "line1"
        assert alarm.value > 10 and alarm.priority == 2
        assert alarm.message.startswith("Defects on ") and "% of the last profiles" in alarm.message
        published = runtime.live.values[f"_sys.alarm.{ALARM}.hi"].value
        assert published == AlarmState.UNACKED.value
        assert runtime.service("alarms").active(line="line1")[0].id == f"{ALARM}.hi"
    finally:
        runtime.stop()
        plc.close()
    with sqlite3.connect(data / "hmi.db") as db:
        kept = db.execute(
            "SELECT v FROM hist_sample JOIN hist_tag ON hist_tag.id = hist_sample.tag "
            "WHERE name = ? UNION ALL "
            "SELECT v FROM hist_tail JOIN hist_tag ON hist_tag.id = hist_tail.tag WHERE name = ?",
            (RATE, RATE),
        ).fetchall()
    assert kept and max(v for (v,) in kept) > 10, kept  # the rate is in the history too
