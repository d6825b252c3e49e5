"""A camera's decisions counted on the running order in a real station: a pymodbus PLC
on 127.0.0.1 whose part counter triggers the camera (an image folder with a dark, a bright
and a wrong-sized frame) and whose own scrap counter adds to the camera's scrap; a small
ONNX classifier built here decides. Every part becomes exactly one of the order's good,
scrap or uninspected, and a restart of the station in the middle counts nothing twice."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("onnx")
cv2 = pytest.importorskip("cv2")

import numpy as np  # noqa: E402

from hmi.core.checks import check_all  # noqa: E402
from hmi.core.orders import Order  # noqa: E402
from hmi.core.runtime import Runtime  # noqa: E402
from tests.vision.test_pipeline import SIDE, brightness_model  # noqa: E402

from .orders_plant import GOOD, RUNNING, Plc, query, wait_until  # noqa: E402
from .test_orders_day import station  # noqa: E402

pytestmark = pytest.mark.slow

PART = GOOD  # the PLC's part counter: a uint32 in holding registers 0-1
CAM = "_sys.vision.cam."
KINDS = ("good", "scrap", "uninspected")

PROJECT = """\
project:
  name: Vision orders
  lines: {{line1: Line 1}}
scan_classes: {{fast: 50ms, normal: 1s, slow: 10s}}
devices:
  plc: {{protocol: modbus, line: line1, host: 127.0.0.1, port: {port}, unit: 1,
         timeout: 500ms, retries: 0}}
tags:
  - {{name: line1.part_count, device: plc, address: "hr:0", type: uint32, scan: fast}}
  - {{name: line1.scrap_count, device: plc, address: "hr:2", type: uint16, scan: fast}}
  - {{name: line1.state, device: plc, address: "hr:4", type: uint16, scan: fast}}
vision:
  models:
    bright: bright.onnx
  cameras:
    cam:
      line: line1
      source: {images}
      fps: 23
      size: [{side}, {side}]
      channels: 3
      model: bright
      trigger: {{count: line1.part_count}}
      max_age: 1s
      window: 20
orders:
  lines:
    line1:
      type: filling
      ideal_cycle: 0.1s
      counters:
        good: _sys.vision.cam.good
        scrap: [line1.scrap_count, _sys.vision.cam.scrap]
        uninspected: _sys.vision.cam.uninspected
      state: {{tag: line1.state, values: {{1: idle, 2: running}}}}
  report: {{at_shift_end: false}}
"""


def write_project(folder, port: int):
    images = folder / "images"
    images.mkdir(parents=True)
    cv2.imwrite(str(images / "000.png"), np.full((SIDE, SIDE, 3), 30, np.uint8))  # good
    cv2.imwrite(str(images / "001.png"), np.full((SIDE, SIDE, 3), 220, np.uint8))  # defect
    cv2.imwrite(str(images / "002.png"), np.full((2 * SIDE, SIDE, 3), 30, np.uint8))  # size
    brightness_model(folder, "bright")
    text = PROJECT.format(port=port, images=images, side=SIDE)
    (folder / "project.yaml").write_text(text, encoding="utf-8")
    return folder


def camera(runtime: Runtime) -> dict[str, int]:
    values = runtime.live.values
    return {k: int(tv.value) if (tv := values.get(CAM + k)) else 0 for k in KINDS}


class Press:
    """The PLC's counters as its program moves them."""

    def __init__(self, plc: Plc):
        self.plc = plc
        self.parts = 5_000
        self.scrap = 70
        plc.set_counter(PART, self.parts)
        plc.set_scrap(self.scrap)
        plc.set_state(RUNNING)

    def make(self, parts: int) -> None:
        for n in range(parts):
            self.parts += 1
            self.plc.set_counter(PART, self.parts)
            # a little over two polls of the fast scan class; a part is seen on the 50 ms
            # poll grid, so the camera runs at 23 frames a second: at 30 its three images
            # repeat every 100 ms, in step with that grid, and a part only ever saw two
            time.sleep(0.12 + 0.013 * (n % 4))

    def interrupt_billets(self, pieces: int) -> None:
        """Scrap the PLC counts itself (never seen by the camera)."""
        self.scrap += pieces
        self.plc.set_scrap(self.scrap)


def decided(runtime: Runtime, parts: int) -> bool:
    return sum(camera(runtime).values()) == parts


def counted(runtime: Runtime, number: str, plc_scrap: int) -> bool:
    order = runtime.service("orders").order(number)
    seen = camera(runtime)
    return (order.good, order.scrap, order.uninspected) == (
        seen["good"],
        seen["scrap"] + plc_scrap,
        seen["uninspected"],
    )


@pytest.mark.timeout(180)
def test_each_part_the_camera_decides_counts_once_on_the_order(tmp_path, port):
    plc = Plc(port)
    press = Press(plc)
    folder = write_project(tmp_path / "project", port)
    data = tmp_path / "data"
    runtime = station(folder, data)
    try:
        orders = runtime.service("orders")
        orders.create(
            Order("V-1", "line1", 1000, product={"product": "Water", "bottle_size_l": 0.5}), "sup1"
        )
        wait_until(lambda: CAM + "good" in runtime.live.values, 20, "the camera's counters")
        orders.start("V-1", "op1")
        time.sleep(0.3)  # the baseline readings of the part and scrap counters
        press.make(18)
        press.interrupt_billets(2)
        wait_until(lambda: decided(runtime, 18), 30, "18 parts decided")
        wait_until(lambda: counted(runtime, "V-1", 2), 10, "the decisions on the order")
        first = orders.order("V-1")
        assert first.good + first.scrap - 2 + first.uninspected == 18
        stored = dict(query(data / "hmi.db", "SELECT tag, raw FROM counter_state"))
        assert {k: stored[CAM + k] for k in KINDS} == camera(runtime)  # each tag's reading
        assert stored["line1.scrap_count"] == 72
        runtime.stop()
        runtime = station(folder, data)  # the station restarts; the line waits
        orders = runtime.service("orders")
        wait_until(lambda: decided(runtime, 18), 20, "the camera's counters again")
        time.sleep(0.5)  # a counting cycle after the counters came back: nothing twice
        again = orders.order("V-1")
        assert (again.good, again.scrap, again.uninspected) == (
            first.good, first.scrap, first.uninspected
        )  # fmt: skip
        press.make(18)
        press.interrupt_billets(1)
        wait_until(lambda: decided(runtime, 36), 30, "18 more parts decided")
        wait_until(lambda: counted(runtime, "V-1", 3), 10, "all decisions on the order")
        final = orders.order("V-1")
        assert final.good + final.scrap + final.uninspected == 36 + 3
        assert min(final.good, final.scrap - 3, final.uninspected) > 0, final  # each kind
        line_tags = runtime.live.values
        assert line_tags["_sys.orders.line1.uninspected"].value in (
            final.uninspected,
            first.uninspected,
        )  # fmt: skip  (published each second)
    finally:
        runtime.stop()
        plc.close()


def test_a_system_tag_no_capability_declares_is_refused_at_its_line(tmp_path):
    folder = write_project(tmp_path / "project", 5020)
    path = folder / "project.yaml"
    text = path.read_text().replace("good: _sys.vision.cam.good", "good: _sys.vison.cam.good")
    path.write_text(text)
    line = text[: text.index("good: _sys.vison")].count("\n") + 1
    found = [str(p) for p in check_all(str(folder))[1]]
    assert any(
        m.startswith(f"project.yaml:{line}: ")
        and "no installed capability publishes '_sys.vison.cam.good'" in m
        and "did you mean '_sys.vision.'?" in m
        for m in found
    ), found
