"""One operator window per user: a second ``hmi run`` brings the running one to the front.

The first instance listens on a local socket named after the user; a later one connects,
asks it to come to the front, and ends. A socket left by a killed instance is replaced.
Under the kiosk service the header also shows how often the HMI was restarted since the
session began (``$LINEA_HMI_RESTARTS`` names the file the service counts starts in).
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import re
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QLabel

from hmi.ui.i18n import translate

log = logging.getLogger(__name__)

RAISE = b"raise\n"
CONNECT_MS = 500
RESTARTS_VARIABLE = "LINEA_HMI_RESTARTS"


def server_name(user: str | None = None, display: str | None = None) -> str:
    """One name per user and display: another seat, or a test's offscreen run, is apart."""
    place = display or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY") or ""
    who = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{user or getpass.getuser()}-{place}".rstrip("-"))
    return f"linea-hmi-{who}"


def on_screen() -> bool:
    """Whether windows are seen (not the offscreen platform of tests and screenshots)."""
    return not os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal"))


def ask_running(name: str, timeout_ms: int = CONNECT_MS) -> bool:
    """Whether an instance answers on ``name``; it is asked to come to the front."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(RAISE)
    socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return True


class SingleInstance(QObject):
    """The listening side: raises the application's windows when another start asks."""

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self.raised = 0  # how often another start asked

    def listen(self) -> bool:
        if self.server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)  # left by an instance that was killed
        return self.server.listen(self.name)

    def _accept(self) -> None:
        while (socket := self.server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(RAISE.strip()):
            self.raised += 1
            log.info("another start of Linea HMI asked for this window")
            bring_to_front()


def bring_to_front() -> None:
    for window in QApplication.topLevelWidgets():
        if window.isWindow() and window.isVisible() and window.parent() is None:
            window.setWindowState(window.windowState() & ~window.windowState().WindowMinimized)
            window.raise_()
            window.activateWindow()


def claim(name: str | None = None) -> SingleInstance | None:
    """This process's instance, listening; None when another one already runs (it was
    asked to come to the front). Needs the QApplication."""
    name = name or server_name()
    if ask_running(name):
        return None
    instance = SingleInstance(name, QApplication.instance())
    if not instance.listen():
        log.warning(
            "cannot listen on %s (%s): a second start will not find this one",
            name,
            instance.server.errorString(),
        )
    return instance


def restarts(path: str | os.PathLike[str] | None = None) -> int:
    """Restarts counted by the kiosk service (its starts less the first); 0 without one."""
    where = path or os.environ.get(RESTARTS_VARIABLE)
    if not where:
        return 0
    try:
        return max(0, int(json.loads(Path(where).read_text())["starts"]) - 1)
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def show_restarts(count: int | None = None) -> QTimer:
    """Once the main window is up, a header item "Restarts: N" when the service restarted
    the HMI; returns the timer that places it."""
    count = restarts() if count is None else count
    timer = QTimer(QApplication.instance())
    timer.setSingleShot(True)

    def place() -> None:
        if count <= 0:
            return
        for window in QApplication.topLevelWidgets():
            if hasattr(window, "add_header_item"):
                label = QLabel(translate("Kiosk", "Restarts: {count}").format(count=count))
                label.setObjectName("kioskRestarts")
                label.setToolTip(
                    translate("Kiosk", "Times the kiosk service restarted Linea HMI this session")
                )
                window.add_header_item(label)
                return

    timer.timeout.connect(place)
    timer.start(0)
    return timer
