"""Plant page: 200 lines talking on the broker, what the supervisor's GUI thread spends.

Each line sends its health every 5 s and its running order's counts every 2 s (140
messages a second, the payloads of the MQTT conventions, read by the fleet's model). The
page's way: the model takes every message on the network thread, the page redraws at
most twice a second, all tiles laid out and drawn in one widget. The naive way, measured
in the same run on the same messages: the page redrawn on every message. Reported
(medians over rounds): one redraw of the 200 tiles (layout and paint, ms), the model's
cost of a message (µs), and the GUI thread's milliseconds per second of plant traffic
both ways, with their ratio.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import time

from PySide6.QtWidgets import QApplication

from hmi.core.fleet import FleetModel, SimulatedPlant
from hmi.ui.fleet.board import FleetBoard
from hmi.ui.profile import Profile
from hmi.ui.theme import DEFAULT_THEME
from tests.bench.common import median, report

LINES = 200
ROUNDS = 5
REDRAWS_A_SECOND = 2  # the page's REFRESH_MS of 500
DESK = Profile("desk", False, 36, 17)


def traffic(plant: SimulatedPlant, second: int) -> list[tuple[str, bytes]]:
    """One second of the plant: a fifth of the lines' health, half of their orders."""
    messages = []
    for index, line in enumerate(plant.lines):
        line.good = (line.good + line.rate) % line.target
        if index % 2 == second % 2:
            order = {"number": f"A-{index}", "state": "running", "good": round(line.good),
                     "scrap": 1, "target": line.target}  # fmt: skip
            messages.append((f"{line.root}/{line.line}/orders/current", order))
        if index % 5 == second % 5:
            health = {"online": True, "station": line.station, "name": line.name,
                      "devices": {"plc": "ok"}, "oee": {"oee": 0.7}}  # fmt: skip
            messages.append((f"{line.root}/{line.line}/health", health))
    return [(topic, json.dumps(payload).encode()) for topic, payload in messages]


def redraw(board: FleetBoard, model: FleetModel) -> float:
    start = time.perf_counter()
    board.show_lines(model.lines())
    board.repaint()  # drawn now, as the GUI thread would when it comes to it
    return time.perf_counter() - start


def main() -> None:
    app = QApplication.instance() or QApplication([])
    model = FleetModel(["acme/+/+"])
    plant = SimulatedPlant(model, LINES)
    plant.publish_all()
    board = FleetBoard(DEFAULT_THEME, DESK)
    board.resize(1900, 1000)
    board.show()
    app.processEvents()
    draws, receives, ours, naive = [], [], [], []
    for second in range(ROUNDS):
        draws.append(redraw(board, model))
        messages = traffic(plant, second)
        start = time.perf_counter()
        for topic, payload in messages:
            model.receive(topic, payload)
        receives.append((time.perf_counter() - start) / len(messages))
        ours.append(sum(redraw(board, model) for _ in range(REDRAWS_A_SECOND)))
        spent = 0.0
        for topic, payload in traffic(plant, second + 1):  # the naive page: one per message
            model.receive(topic, payload)
            spent += redraw(board, model)
        naive.append(spent)
        app.processEvents()
    report(
        "plant_page",
        lines=LINES,
        messages_per_s=len(traffic(plant, 0)),
        redraw_ms=median(draws) * 1000,
        receive_us=median(receives) * 1e6,
        gui_ms_per_s=median(ours) * 1000,
        naive_gui_ms_per_s=median(naive) * 1000,
        ratio=median(naive) / median(ours),
    )


if __name__ == "__main__":
    main()
