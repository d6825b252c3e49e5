"""A trend an operator reads a process by: live, or paused and moved back into history.

Live, it scrolls: the bridge hands each pen its newest value at the bridge's rate into a
preallocated ring, and the view redraws at that rate. Any move of the operator's hand
pauses it; then every change of the visible range asks the historian (off the GUI thread,
at most a few times a second) for the range at the resolution the width needs. A tap
places the cursor, and the legend reads every pen there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from hmi.core.access import Access
from hmi.core.historian import HistoryQuery
from hmi.core.project.models import Project
from hmi.core.tags import TagValue
from hmi.core.trendviews import (
    DEFAULT_SPAN,
    MAX_PENS,
    SAVE_FOR_EVERYONE,
    PenDef,
    TrendViewDef,
)
from hmi.ui.bridge import Binding, TagBridge
from hmi.ui.i18n import project_text, translate
from hmi.ui.profile import Profile
from hmi.ui.theme import DEFAULT_THEME, Theme
from hmi.ui.writes import Permission

from . import actions, readout
from .export import write_csv
from .fetch import HistoryFetcher
from .legend import TrendLegend
from .pens import AxisGroup, Limit, Pen, axis_groups, make_pens, project_limits
from .series import LiveRing, PenData, drawable, shown_part, value_at
from .toolbar import TrendToolbar, span_text

FETCH_THROTTLE_MS = 120
LIVE_REFETCH_S = 30.0  # live: history is read again at most this often (or per 1/10 span)
DEFAULT_PROFILE = Profile("desk", False, 36.0, 17.0, 8.0)


class TrendView(QWidget):
    history_applied = Signal()  # fetched history is drawn
    message = Signal(str)  # something the operator should read (also shown at the bottom)

    def __init__(
        self,
        project: Project,
        *,
        bridge: TagBridge | None = None,
        query: HistoryQuery | None = None,
        profile: Profile | None = None,
        theme: Theme = DEFAULT_THEME,
        data_dir: str | Path | None = None,
        limits: dict[str, tuple[Limit, ...]] | None = None,
        clock: Callable[[], float] = time.time,
        span: float = DEFAULT_SPAN,
        prepare_dialog: Callable[[QDialog], None] | None = None,
        access: Access | None = None,
        user: Callable[[], str] = str,
        parent: QWidget | None = None,
    ):
        """``access`` is the station's permission and audit hook and ``user`` who is
        signed in now: a view saved for everyone asks them (``actions.save_view``)."""
        super().__init__(parent)
        self.setObjectName("trendView")
        self.project, self.bridge, self.clock = project, bridge, clock
        self.profile = profile or DEFAULT_PROFILE
        self.theme = theme
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.limits = project_limits(project) if limits is None else limits
        self.prepare_dialog = prepare_dialog
        self.access, self.user = access, user
        # may the user save a view for everyone (asked again whenever that may change)
        self.sharing = Permission(access, user, SAVE_FOR_EVERYONE, parent=self)
        self.setStyleSheet(f"QWidget#trendView {{ background: {theme.background}; }}")
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.fetcher = HistoryFetcher(query, self)
        self.fetcher.fetched.connect(self._on_fetched)
        self.fetcher.values.connect(lambda *args: readout.show_values(self, *args))
        self.toolbar = TrendToolbar(self.profile, theme, self)
        self.toolbar.view_words = lambda name: project_text(project, name, "Trends")
        from .plot import TrendPlot  # pyqtgraph (0.15 s) loads with the first trend shown

        self.plot = TrendPlot(theme, self.profile.font_px, self.profile.touch, self)
        self.legend = TrendLegend(theme, self.profile.font_px, self, self.profile.target_px)
        self.status = QLabel(self)
        self.status.setObjectName("trendStatus")
        status_px = round(self.profile.font_px * 0.8)
        self.status.setStyleSheet(
            f"color: {theme.text}; padding: 2px 8px; font-size: {status_px}px;"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.toolbar)
        body = QHBoxLayout()
        body.addWidget(self.plot, 1)
        body.addWidget(self.legend)
        layout.addLayout(body, 1)
        layout.addWidget(self.status)
        self.pens: list[Pen] = []
        self.rings: dict[str, LiveRing] = {}
        self.bindings: list[Binding] = []
        self.history: dict[str, PenData] = {}
        self.drawn: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.live = True
        self.span = span
        self.cursor_t: float | None = None
        self.dialog: QDialog | None = None
        self._paused_at = 0.0
        self._fetched_at = 0.0
        self._moving = False
        period = round(bridge.period * 1000) if bridge is not None else 200
        self._live_timer = QTimer(self, interval=max(50, period))
        self._live_timer.timeout.connect(self._tick)
        self._fetch_timer = QTimer(self, singleShot=True, interval=FETCH_THROTTLE_MS)
        self._fetch_timer.timeout.connect(self.fetch)
        self._connect()
        self.views: list[TrendViewDef] = []
        self.sharing.changed.connect(self._access_changed)
        self._access_changed()
        self.go_live()

    def _connect(self) -> None:
        bar, main = self.toolbar, self.plot.main
        bar.live_clicked.connect(lambda: self.pause() if self.live else self.go_live())
        bar.back_clicked.connect(lambda: self.pan_by(-0.5))
        bar.forward_clicked.connect(lambda: self.pan_by(0.5))
        bar.zoom_in_clicked.connect(lambda: self.zoom_by(0.5))
        bar.zoom_out_clicked.connect(lambda: self.zoom_by(2.0))
        bar.span_chosen.connect(self.set_span)
        bar.pens_clicked.connect(lambda: actions.choose_pens(self))
        bar.view_chosen.connect(lambda i: self.apply_view(self.views[i]))
        bar.save_clicked.connect(lambda: actions.ask_save_view(self))
        bar.export_clicked.connect(lambda: actions.export_shown(self))
        bar.export.setEnabled(self.data_dir is not None)
        self.sharing.explain_on(bar.save, self.say)
        main.user_moved.connect(self._user_moved)
        main.tapped.connect(self.set_cursor)
        main.sigXRangeChanged.connect(self._range_changed)
        self.plot.pinched.connect(self._pinched)
        self.legend.fit_toggled.connect(self.set_fit)
        self.plot.cursor.sigPositionChanged.connect(
            lambda line: self.set_cursor(float(line.value()))
        )

    # -- pens ----------------------------------------------------------------------------

    def set_pens(self, specs: Sequence[PenDef | str]) -> None:
        """Show these pens (at most eight), in this order; the first gets the first axis.
        A pen still shown keeps its scale (fitted to its data or not)."""
        specs = [PenDef(s) if isinstance(s, str) else s for s in specs][:MAX_PENS]
        for binding in self.bindings:
            binding.unbind()
        self.bindings.clear()
        fitted = {p.tag for p in self.pens if p.fit_data}
        self.pens = make_pens(self.project, specs, self.limits)
        for pen in self.pens:
            pen.fit_data = pen.tag in fitted and not pen.step
        self.rings = {p.tag: self.rings.get(p.tag) or LiveRing() for p in self.pens}
        self.history = {p.tag: self.history.get(p.tag, PenData()) for p in self.pens}
        self.plot.set_groups(axis_groups(self.pens))
        self.legend.set_pens(self.pens)
        if self.bridge is not None:
            for pen in self.pens:
                callback = self._receiver(pen.tag)
                self.bindings.append(self.bridge.bind(pen.tag, callback))
        self.fetch()
        self.redraw()

    def _receiver(self, tag: str) -> Callable[[TagValue], None]:
        ring = self.rings[tag]

        def receive(tv: TagValue) -> None:
            ring.append(tv.ts or self.clock(), drawable(tv.value, tv.quality))

        return receive

    def pen_specs(self) -> list[PenDef]:
        return [pen.spec() for pen in self.pens]

    def add_pen(self, tag: str, normal: tuple[float, float] | None = None) -> None:
        if all(p.tag != tag for p in self.pens):
            self.set_pens([*self.pen_specs(), PenDef(tag, normal)])

    # -- time ----------------------------------------------------------------------------

    def go_live(self) -> None:
        self.live = True
        self.cursor_t = None
        self.plot.set_cursor(None)
        self.toolbar.set_live(True)
        self.toolbar.set_span(self.span)
        self._set_range(self.clock() - self.span, self.clock())
        self._live_timer.start()
        self.fetch()
        self.say(translate("Trend", "Live: the last {span}").format(span=span_text(self.span)))

    def pause(self) -> None:
        if self.live:
            self.live = False
            self._paused_at = self.clock()
            self._live_timer.stop()
            self.toolbar.set_live(False)
            self.say(self._paused_hint())

    def _paused_hint(self) -> str:
        if self.profile.touch:
            return translate("Trend", "Paused: drag to move in time, pinch to zoom, tap to read")
        return translate("Trend", "Paused: drag to move in time, wheel to zoom, click to read")

    def show_range(self, t0: float, t1: float) -> None:
        """Pause and show [t0, t1] (seconds since the epoch) from history."""
        self.pause()
        self._set_range(t0, t1)
        self.fetch()

    def visible_range(self) -> tuple[float, float]:
        t0, t1 = self.plot.main.viewRange()[0]
        return float(t0), float(t1)

    def set_span(self, seconds: float) -> None:
        if self.live:
            self.span = seconds
            self.go_live()
        else:
            t0, t1 = self.visible_range()
            self.show_range((t0 + t1 - seconds) / 2, (t0 + t1 + seconds) / 2)

    def pan_by(self, share: float) -> None:
        t0, t1 = self.visible_range()
        self.show_range(t0 + share * (t1 - t0), t1 + share * (t1 - t0))

    def zoom_by(self, factor: float) -> None:
        if self.live:
            self.set_span(min(max(self.span * factor, 10.0), 365 * 86400.0))
            return
        self.pause()
        self.plot.main.zoom_by(factor, self.cursor_t)
        self.fetch()

    def _set_range(self, t0: float, t1: float) -> None:
        self._moving = True
        self.plot.main.setXRange(t0, t1, padding=0)
        self._moving = False

    def _user_moved(self) -> None:
        self.pause()

    def _pinched(self, factor: float, centre: float) -> None:
        self.pause()
        self.plot.main.zoom_by(factor, centre)

    def _range_changed(self) -> None:
        if not self.live and not self._moving and not self._fetch_timer.isActive():
            self._fetch_timer.start()
        if not self.live:
            t0, t1 = self.visible_range()
            self.toolbar.set_span(t1 - t0)

    def _tick(self) -> None:
        now = self.clock()
        self._set_range(now - self.span, now)
        if now - self._fetched_at > max(LIVE_REFETCH_S, self.span / 10):
            self.fetch()  # history catches up where the live rings have wrapped
        self.redraw()
        if self.cursor_t is None:
            readout.show_current(self)

    # -- history -------------------------------------------------------------------------

    def fetch(self) -> int:
        """Ask for the history of the visible range, with half a span either side."""
        t0, t1 = self.visible_range()
        margin = (t1 - t0) / 2
        end = t1 if self.live else t1 + margin
        width = max(200, self.plot.main.width()) * (2 if not self.live else 1)
        self._fetched_at = self.clock()
        return self.fetcher.request([p.tag for p in self.pens], t0 - margin, end, int(width))

    def _on_fetched(self, generation: int, result: dict) -> None:
        if generation != self.fetcher.generation:
            return  # a newer range was asked for meanwhile
        self.history.update({tag: data for tag, data in result.items() if tag in self.history})
        self.redraw(autoscale=True)
        readout.refresh(self)
        self.history_applied.emit()

    def redraw(self, autoscale: bool = False) -> None:
        hold = self.clock() if self.live else self._paused_at or None
        for pen in self.pens:
            ring = self.rings[pen.tag]
            live = ring.arrays() if ring.count else None
            history = self.history.get(pen.tag, PenData())
            self.drawn[pen.tag] = self.plot.draw_pen(pen.tag, history, live, hold)
        t0, t1 = self.visible_range()
        for index, group in enumerate(self.plot.groups):
            if group.fit_data:  # the data shown, not what was fetched around it
                values = [shown_part(*self.drawn[p.tag], t0, t1) for p in group.pens]
                values += [shown_part(h.t, h.lo, t0, t1) for h in self._histories(group)]
                values += [shown_part(h.t, h.hi, t0, t1) for h in self._histories(group)]
                self.plot.autoscale(index, values, grow_only=not autoscale)
            elif autoscale or self.live:
                values = [self.drawn[p.tag][1] for p in group.pens]
                values += [self.history[p.tag].lo for p in group.pens]
                values += [self.history[p.tag].hi for p in group.pens]
                self.plot.autoscale(index, values, grow_only=not autoscale)

    def _histories(self, group: AxisGroup) -> list[PenData]:
        return [self.history[p.tag] for p in group.pens if len(self.history[p.tag].lo)]

    def set_fit(self, tag: str, fit: bool) -> None:
        """Scale pen ``tag`` to the data shown (``fit``) or to its engineering range."""
        pen = next((p for p in self.pens if p.tag == tag), None)
        if pen is None or pen.step or pen.fit_data == fit:
            return
        pen.fit_data = fit
        self.plot.set_groups(axis_groups(self.pens))
        self.legend.show_fit(tag, fit)
        self.redraw(autoscale=True)

    # -- cursor and legend -----------------------------------------------------------------

    def set_cursor(self, t: float | None) -> None:
        """Read every pen at ``t``: at once from the drawn lines, then from the historian."""
        self.cursor_t = t
        if t is not None and abs(self.plot.cursor.value() - t) > 1e-6:
            self.plot.set_cursor(t)
        elif t is not None:
            self.plot.cursor.show()
        readout.refresh(self)
        if t is not None and self.pens:
            self.fetcher.request_values([p.tag for p in self.pens], t)

    def cursor_value(self, tag: str) -> float | None:
        """The value of ``tag`` at the cursor as drawn (None without a cursor or data)."""
        pen = next((p for p in self.pens if p.tag == tag), None)
        if pen is None or self.cursor_t is None:
            return None
        return self.value_shown(pen, self.cursor_t)

    def value_shown(self, pen: Pen, at: float) -> float | None:
        if pen.tag not in self.drawn:
            return None
        t, y = self.drawn[pen.tag]
        return value_at(t, y, at, pen.step)

    # -- views and export ----------------------------------------------------------------

    def apply_view(self, view: TrendViewDef) -> None:
        self.span = view.span
        self.set_pens(list(view.pens))
        self.go_live()
        name = view.name if view.user else project_text(self.project, view.name, "Trends")
        self.say(translate("Trend", "View: {name}").format(name=name))

    def _access_changed(self) -> None:
        """Another user (or policy): their own views in the list, and Save enabled while
        they may keep a view of their own or save one for everyone."""
        actions.reload_views(self)
        own = actions.own_refusal(self)
        reason = own and (self.sharing.refusal() if self.data_dir is not None else own)
        self.toolbar.save.setEnabled(not reason)
        self.toolbar.save.setToolTip(reason or "")

    def current_view(self, name: str) -> TrendViewDef:
        span = self.span if self.live else self.visible_range()[1] - self.visible_range()[0]
        return TrendViewDef(name, tuple(self.pen_specs()), span, user=True)

    def export_csv(self, path: str | Path) -> int:
        """Write what is shown (visible range, every pen) to ``path``; returns the rows."""
        t0, t1 = self.visible_range()
        return write_csv(path, self.pens, self.drawn, self.history, t0, t1)

    def say(self, text: str) -> None:
        self.status.setText(text)
        self.message.emit(text)

    # -- end -----------------------------------------------------------------------------

    def close_view(self) -> None:
        self._live_timer.stop()
        self._fetch_timer.stop()
        for binding in self.bindings:
            binding.unbind()
        self.bindings.clear()
        self.fetcher.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_view()
        super().closeEvent(event)
