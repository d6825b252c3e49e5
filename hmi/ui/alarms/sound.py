"""The alarm horn: sounds for new critical and high alarms until the operator silences it.

It repeats every few seconds while sounding, so a single beep is not missed at the far
end of a press line. Silencing stops it until the next new priority 1 or 2 alarm, and it
stops by itself once none of those waits for acknowledgement.

The sound is our own: a two-tone horn shipped as ``resources/sounds/alarm.wav`` (made by
``write_tone(SOUND_FILE)``; an installation without it makes it in the cache folder), so it
needs no network, no desktop sound theme and no system bell, which kiosks often mute.
PySide6-Essentials has no QtMultimedia, so the file is played by the platform's own player
(``winsound`` on Windows, ``afplay`` on macOS, ``pw-play``/``paplay``/``aplay`` on Linux),
or with ``QSoundEffect`` where the QtMultimedia add-on is installed; only with none of
them is it the system bell. Offscreen (tests, screenshots) nobody listens: it stays silent.
"""

from __future__ import annotations

import io
import logging
import math
import shutil
import struct
import sys
import wave
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QTimer, QUrl, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from hmi.core.paths import app_paths, install_root

log = logging.getLogger(__name__)

SOUND_FILE = install_root() / "resources" / "sounds" / "alarm.wav"
REPEAT_MS = 3000
LOUD_PRIORITIES = (1, 2)

RATE = 22050  # samples per second: plenty for a horn, small to ship
TONES = (960.0, 770.0)  # Hz, alternating: a two-tone horn is heard over machine noise
PULSE_S = 0.16
GAP_S = 0.04
PULSES = 4
FADE_S = 0.006  # in and out of each pulse: no clicks
LEVEL = 0.8  # of full scale, at the loudest
LINUX_PLAYERS = ("pw-play", "paplay", "aplay")


def tone_samples() -> list[int]:
    """The horn as 16-bit samples: ``PULSES`` pulses alternating between ``TONES``, each
    with a little third harmonic so it carries on small panel speakers."""
    shape: list[float] = []
    pulse, gap, fade = round(PULSE_S * RATE), round(GAP_S * RATE), round(FADE_S * RATE)
    for index in range(PULSES):
        freq = TONES[index % len(TONES)]
        for n in range(pulse):
            t = n / RATE
            envelope = min(1.0, n / fade, (pulse - 1 - n) / fade)
            tone = math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(6 * math.pi * freq * t)
            shape.append(envelope * tone)
        shape.extend([0.0] * gap)
    peak = max(abs(v) for v in shape)
    return [round(32767 * LEVEL * v / peak) for v in shape]


def tone_wav() -> bytes:
    """The horn as a WAV file (PCM, mono, 16 bit, ``RATE`` Hz)."""
    samples = tone_samples()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return buffer.getvalue()


def write_tone(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tone_wav())
    return path


def sound_file() -> Path | None:
    """The horn's WAV file: the shipped one, else one made in the cache folder (never in
    the installation); None if neither can be had."""
    if SOUND_FILE.is_file():
        return SOUND_FILE
    made = app_paths().cache / "alarm.wav"
    try:
        return made if made.is_file() else write_tone(made)
    except OSError as error:
        log.warning("no alarm sound file (%s); the horn is the system bell", error)
        return None


def player_command(
    path: Path, platform: str = sys.platform, which: Callable[[str], str | None] = shutil.which
) -> list[str] | None:
    """The command that plays ``path`` on this platform without blocking us, or None
    (Windows plays through ``winsound``)."""
    if platform.startswith("win"):
        return None
    if platform == "darwin":
        found = which("afplay")
        return [found, str(path)] if found else None
    for name in LINUX_PLAYERS:
        found = which(name)
        if found:
            return [found, str(path)]
    return None


class Player(QObject):
    """Plays the horn's file once per ``play``; a sound still playing is not started again."""

    def __init__(self, path: Path | None, parent: QObject | None = None):
        super().__init__(parent)
        self.path = path
        self.kind = "bell"
        self._effect: QObject | None = None
        self._command: list[str] | None = None
        self._process: QProcess | None = None
        if path is None:
            return
        effect = _sound_effect(path, self)
        if effect is not None:
            self._effect, self.kind = effect, "qt"
        elif sys.platform.startswith("win"):
            self.kind = "winsound"
        elif (command := player_command(path)) is not None:
            self._command, self.kind = command, "command"

    def play(self) -> None:
        if QGuiApplication.platformName() == "offscreen":
            return  # no display, nobody at the panel: tests and screenshots stay silent
        if self._effect is not None:
            self._effect.play()  # type: ignore[attr-defined]
        elif self.kind == "winsound":
            import winsound  # type: ignore[import-not-found]

            winsound.PlaySound(str(self.path), winsound.SND_FILENAME | winsound.SND_ASYNC)
        elif self._command is not None:
            running = self._process is not None
            if running and self._process.state() != QProcess.ProcessState.NotRunning:
                return
            self._process = QProcess(self)
            self._process.start(self._command[0], self._command[1:])
        else:
            QApplication.beep()


def _sound_effect(path: Path, parent: QObject) -> QObject | None:
    try:
        from PySide6.QtMultimedia import QSoundEffect  # type: ignore[attr-defined]
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
        self.player = Player(sound_file(), self)
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
        self.player.play()
