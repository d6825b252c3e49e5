"""The alarm horn: sounds for new critical and high alarms until the operator silences it.

It repeats every few seconds while sounding, so a single beep is not missed at the far
end of a press line. Silencing stops it until the next new priority 1 or 2 alarm, and it
stops by itself once none of those waits for acknowledgement. PySide6-Essentials ships no
QtMultimedia, so the sound is the system bell (``QApplication.beep``); with the QtMultimedia
add-on installed and a ``resources/sounds/alarm.wav``, that file is played instead.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtWidgets import QApplication

from hmi.core.paths import install_root

SOUND_FILE = install_root() / "resources" / "sounds" / "alarm.wav"
REPEAT_MS = 3000
LOUD_PRIORITIES = (1, 2)


def _sound_effect(path: Path, parent: QObject) -> QObject | None:
    if not path.is_file():
        return None
    try:
        from PySide6.QtMultimedia import QSoundEffect
    except ImportError:
        return None
    effect = QSoundEffect(parent)
    effect.setSource(QUrl.fromLocalFile(str(path)))
    return effect


class AlarmHorn(QObject):
    sounding_changed = Signal(bool)

    def __init__(self, *, repeat_ms: int = REPEAT_MS, parent: QObject | None = None):
        super().__init__(parent)
        self.sounding = False
        self.sounds = 0  # how often it has sounded (for tests and diagnostics)
        self._effect = _sound_effect(SOUND_FILE, self)
        self._timer = QTimer(self)
        self._timer.setInterval(repeat_ms)
        self._timer.timeout.connect(self._sound)

    def announce(self) -> None:
        """A new loud alarm: sound now and keep sounding."""
        if not self.sounding:
            self.sounding = True
            self._timer.start()
            self.sounding_changed.emit(True)
        self._sound()

    def silence(self) -> None:
        if self.sounding:
            self.sounding = False
            self._timer.stop()
            self.sounding_changed.emit(False)

    def _sound(self) -> None:
        self.sounds += 1
        if self._effect is not None:
            self._effect.play()
        else:
            QApplication.beep()
