"""Replay: any screen as it stood at a past moment, played back from history.

The navigation's Replay entry (or a moment chosen elsewhere, such as an alarm in the
journal) puts the station into replay: the windows' bridge shows a ``ReplayTags`` instead
of the live engine, so every screen, faceplate and symbol replays the historian's values,
their quality and the alarms' states without knowing it. A dark band under the header
says REPLAY with the replayed time, and carries play, pause, step, speed (1× to 60×), a
time slider over the last 24 hours and one button back to live. While it replays the
station's permission hook holds every action, so no write or acknowledgement can be made
from a picture of the past.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from hmi.core.project.models import DataType
from hmi.core.replay import Replay, ReplayTags
from hmi.ui.capability import CapabilityViews
from hmi.ui.i18n import translate

log = logging.getLogger(__name__)

WINDOW_S = 24 * 3600.0  # how far back the slider reaches
FRAME_MS = 100  # playback frame period
SPEEDS = (1, 10, 60)
STEPS = (-60.0, -10.0, 10.0, 60.0)
START_BACK_S = 15 * 60.0  # where the Replay entry starts: a quarter of an hour ago


class ReplayBar(QWidget):
    """The band that makes replay unmistakable and drives it."""

    seek = Signal(float)  # a moment, seconds since the epoch
    step = Signal(float)
    play = Signal(bool)
    speed = Signal(int)
    live = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("replayBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # dark and wide: no one mistakes the past for the plant now (and no alarm colour)
        self.setStyleSheet(
            "#replayBar { background: #202020; }"
            "#replayBar QLabel { color: white; font-weight: bold; font-size: 22px; }"
            "#replayBar QLabel#replayMark { font-size: 26px; letter-spacing: 2px; }"
            "#replayBar QSlider::groove:horizontal { height: 10px; background: #808080; }"
            "#replayBar QSlider::handle:horizontal"
            " { background: #F0F0F0; width: 28px; margin: -12px 0; border-radius: 3px; }"
        )
        # first row: what this is and the way out; second: moving through time
        self.mark = QLabel(self)
        self.mark.setObjectName("replayMark")
        self.clock = QLabel(self)
        self.clock.setObjectName("replayTime")
        self.live_button = QPushButton(self)
        self.live_button.setObjectName("replayLive")
        self.live_button.clicked.connect(lambda _=False: self.live.emit())
        top = QHBoxLayout()
        top.addWidget(self.mark)
        top.addSpacing(16)
        top.addWidget(self.clock)
        top.addStretch(1)
        top.addWidget(self.live_button)
        self.steps = {}
        for seconds in STEPS:
            button = QPushButton(self)
            button.clicked.connect(lambda _=False, s=seconds: self.step.emit(s))
            self.steps[seconds] = button
        self.play_button = QPushButton(self)
        self.play_button.setObjectName("replayPlay")
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._toggled)
        bottom = QHBoxLayout()
        for seconds in STEPS[:2]:
            bottom.addWidget(self.steps[seconds])
        bottom.addWidget(self.play_button)
        for seconds in STEPS[2:]:
            bottom.addWidget(self.steps[seconds])
        bottom.addSpacing(16)
        self.speeds: dict[int, QPushButton] = {}
        for factor in SPEEDS:
            button = QPushButton(f"{factor}×", self)
            button.setCheckable(True)
            button.setChecked(factor == 1)
            button.clicked.connect(lambda _=False, f=factor: self._speed(f))
            self.speeds[factor] = button
            bottom.addWidget(button)
        bottom.addSpacing(16)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("replaySlider")
        self.slider.setRange(0, int(WINDOW_S))
        self.slider.sliderReleased.connect(self._slid)
        bottom.addWidget(self.slider, 1)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(8, 4, 8, 6)
        rows.setSpacing(4)
        rows.addLayout(top)
        rows.addLayout(bottom)
        self.origin = time.time() - WINDOW_S
        self.retranslate()

    def show_time(self, t: float, origin: float) -> None:
        self.origin = origin
        self.clock.setText(datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S"))
        if not self.slider.isSliderDown():
            self.slider.setValue(round(t - origin))

    def set_playing(self, playing: bool) -> None:
        self.play_button.blockSignals(True)
        self.play_button.setChecked(playing)
        self.play_button.blockSignals(False)
        self.retranslate()

    def _toggled(self, playing: bool) -> None:
        self.retranslate()
        self.play.emit(playing)

    def _speed(self, factor: int) -> None:
        for f, button in self.speeds.items():
            button.setChecked(f == factor)
        self.speed.emit(factor)

    def _slid(self) -> None:
        self.seek.emit(self.origin + self.slider.value())

    def retranslate(self) -> None:
        self.mark.setText(translate("Replay", "REPLAY"))
        words = {-60.0: "◀◀ 1 min", -10.0: "◀ 10 s", 10.0: "10 s ▶", 60.0: "1 min ▶▶"}
        for seconds, button in self.steps.items():
            button.setText(words[seconds])
        playing = self.play_button.isChecked()
        self.play_button.setText(
            "⏸ " + translate("Replay", "Pause") if playing else "▶ " + translate("Replay", "Play")
        )
        self.live_button.setText("● " + translate("Replay", "Back to live"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()


class ReplayController(QObject):
    """Puts the windows' bridge on a past moment and plays it; ``live`` ends it."""

    started = Signal()
    ended = Signal()

    def __init__(
        self,
        window: Any,
        replay: Replay,
        access: Any = None,
        clock: Callable[[], float] = time.time,
    ):
        super().__init__(window)
        self.window = window
        self.replay = replay
        self.access = access
        self.clock = clock
        self.speed = 1
        self.tags: ReplayTags | None = None
        self.bar = ReplayBar()
        self.bar.hide()
        window.add_below_header(self.bar)
        self.bar.seek.connect(self.seek)
        self.bar.step.connect(lambda seconds: self.seek(self.now + seconds))
        self.bar.play.connect(self.set_playing)
        self.bar.speed.connect(self.set_speed)
        self.bar.live.connect(self.go_live)
        self._live_source: Any = None
        self._release: Callable[[], None] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._frame)
        self._frame_clock = 0.0

    @property
    def active(self) -> bool:
        return self.tags is not None

    @property
    def now(self) -> float:
        """The replayed moment."""
        return self.tags.t if self.tags is not None else self.clock()

    def start(self, t: float) -> None:
        """Show moment ``t`` (paused); the station refuses every action until live."""
        t = self._clamp(t)
        bridge = self.window.bridge
        if self.tags is None:
            self.tags = ReplayTags(self.replay, t, lambda: bridge.bound_tags, live=bridge.engine)
            if self.access is not None:
                self._release = self.access.hold(
                    translate("Replay", "the station is replaying the past: go back to live")
                )
            self._live_source = bridge.switch_source(self.tags)
            self.bar.show()
            self.started.emit()
        self.seek(t)

    def seek(self, t: float) -> None:
        if self.tags is None:
            return
        t = self._clamp(t)
        self.tags.move_to(t)
        self.window.bridge.flush()  # the screen is complete now, not at the next tick
        self.bar.show_time(t, self.clock() - WINDOW_S)

    def set_playing(self, playing: bool) -> None:
        if self.tags is None:
            return
        if playing:
            self._frame_clock = time.monotonic()
            self._timer.start()
        else:
            self._timer.stop()
        self.bar.set_playing(playing)

    def set_speed(self, factor: int) -> None:
        self.speed = factor

    def _frame(self) -> None:
        now = time.monotonic()
        elapsed, self._frame_clock = now - self._frame_clock, now
        target = self.now + elapsed * self.speed
        if target >= self.clock():
            self.go_live()  # caught up with the present
            return
        self.seek(target)

    def go_live(self) -> None:
        self._timer.stop()
        if self.tags is None:
            return
        self.tags.close()
        self.tags = None
        self.window.bridge.switch_source(self._live_source)
        self.window.bridge.flush()
        self._live_source = None
        if self._release is not None:
            self._release()
            self._release = None
        self.bar.set_playing(False)
        self.bar.hide()
        self.ended.emit()

    def _clamp(self, t: float) -> float:
        now = self.clock()
        return min(max(t, now - WINDOW_S), now)


class ReplayViews(CapabilityViews):
    """The Replay entry in the navigation, when the station keeps history."""

    name = "replay"

    def __init__(self, service: Any | None):
        super().__init__(service)
        self.controller: ReplayController | None = None

    def install(self, window: Any) -> None:
        operator = window.operator
        history = getattr(operator, "history", None)
        if history is None:
            return  # nothing recorded, nothing to replay
        measured = {
            name
            for name, tag in operator.project.tags.items()
            if tag.data_type in (DataType.FLOAT32, DataType.FLOAT64)
        }
        replay = Replay(history, getattr(operator, "alarm_history", None), measured.__contains__)
        self.controller = controller = ReplayController(
            window, replay, getattr(operator, "access", None)
        )
        # other views (the alarm journal) start replay from a moment of their own
        operator.replay_at = lambda t: controller.start(t)
        window.add_nav_entry(
            "replay",
            lambda: self.controller and self.controller.start(time.time() - START_BACK_S),
            lambda: ("↺", translate("Replay", "Replay")),
        )

    def close(self) -> None:
        if self.controller is not None and self.controller.active:
            self.controller.go_live()
