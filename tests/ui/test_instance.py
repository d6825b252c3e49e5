"""One window per user and display: the second start finds the first and asks it to come
to the front; a socket left by a killed instance is replaced; the kiosk's restart count."""

import json
import socket
import uuid
from pathlib import Path

from PySide6.QtCore import QDir
from PySide6.QtWidgets import QLabel, QWidget

from hmi.ui.instance import ask_running, claim, restarts, server_name, show_restarts


def unique() -> str:
    return f"linea-hmi-test-{uuid.uuid4().hex[:12]}"


def test_a_second_start_finds_the_first_and_brings_it_forward(qapp, qtbot):
    name = unique()
    first = claim(name)
    assert first is not None
    try:
        assert claim(name) is None  # the second start: it was asked, it ends
        qtbot.waitUntil(lambda: first.raised == 1, timeout=3000)
    finally:
        first.server.close()


def test_nobody_answers_on_a_name_without_an_instance(qapp):
    assert not ask_running(unique(), timeout_ms=200)


def test_a_socket_left_by_a_killed_instance_is_replaced(qapp):
    name = unique()
    path = Path(QDir.tempPath()) / name
    left = socket.socket(socket.AF_UNIX)
    left.bind(str(path))  # bound, never listening, never removed: what a kill -9 leaves
    left.close()
    try:
        assert path.exists()
        instance = claim(name)
        assert instance is not None and instance.server.isListening()
        assert ask_running(name)
        instance.server.close()
    finally:
        path.unlink(missing_ok=True)


def test_the_name_is_per_user_and_display():
    assert server_name("op", ":0") != server_name("op", ":1")
    assert server_name("op", ":0") != server_name("other", ":0")
    assert "/" not in server_name("a/b", "wayland-0")


def test_restarts_are_the_starts_after_the_first(tmp_path, monkeypatch):
    counter = tmp_path / "restarts.json"
    counter.write_text(json.dumps({"starts": 4, "last": 0}))
    assert restarts(counter) == 3
    counter.write_text("garbage")
    assert restarts(counter) == 0
    monkeypatch.delenv("LINEA_HMI_RESTARTS", raising=False)
    assert restarts() == 0  # not under the kiosk service


class Window(QWidget):
    def __init__(self):
        super().__init__()
        self.items: list[QWidget] = []

    def add_header_item(self, widget: QWidget) -> None:
        self.items.append(widget)


def test_the_restart_count_joins_the_header_once_the_window_is_up(qapp, qtbot):
    window = Window()
    qtbot.addWidget(window)
    window.show()
    show_restarts(2)
    qtbot.waitUntil(lambda: len(window.items) == 1, timeout=2000)
    label = window.items[0]
    assert isinstance(label, QLabel) and label.text() == "Restarts: 2"


def test_no_restart_item_without_restarts(qapp, qtbot):
    window = Window()
    qtbot.addWidget(window)
    window.show()
    timer = show_restarts(0)
    qtbot.waitUntil(lambda: not timer.isActive(), timeout=2000)
    assert window.items == []
