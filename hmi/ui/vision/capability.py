"""The vision views as the operator windows plug them in (``hmi.ui.capability``): the live
inspection view under every screen panel showing a line with a camera (a tile per
camera on the overview), and two pages: Inspection (the evidence gallery, where a
supervisor confirms or overrules a decision) and Models (the engineer's models, their
test runs and which camera uses which). Without the vision capability (a project with
no ``vision:`` section) nothing is added.

The pages get this object as their ``views``: ``service``, ``operator``, ``user()``,
``stylesheet``, ``say(widget, text, problem)`` and ``show_dialog(dialog, over)``.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hmi.ui.capability import CapabilityViews

from .common import INSPECTION, LIVE, MODELS, page_words, vision_stylesheet
from .gallery import EvidencePage
from .live import InspectionDialog, Pictures, VisionBand
from .models import ModelsPage

PAGES = ((INSPECTION, EvidencePage), (MODELS, ModelsPage))
DESK_SHARE = 0.75  # of the screens' room the camera large takes on the desk
REHEARSED_PARTS = 12  # as many as the live view keeps
PART_GAP_S = 0.15  # a fresh frame for each part (the demo camera grabs 10 a second)
REHEARSAL_WAIT_S = 15.0


class Rehearsal:
    """The project's cameras on a throw-away service in a temporary folder (its own
    store, counters and evidence), a dozen parts decided with the simulated fault on,
    so that ``hmi gallery`` draws the live view at work without touching the station's
    counters or evidence."""

    def __init__(self, station: Any):
        from hmi.core.access import Access
        from hmi.core.store import Writer
        from hmi.core.tags import good
        from hmi.core.vision import Vision

        self.folder = Path(tempfile.mkdtemp(prefix="linea-vision-"))
        self.store = Writer(self.folder / "hmi.db").start()
        self.service = Vision(station.config, self.store, Access(), self.folder, lambda _: None)
        self.service.start()
        cameras = list(station.config.cameras.values())
        self.service.feed({c.fault_tag: good(True) for c in cameras if c.fault_tag})
        deadline = time.monotonic() + REHEARSAL_WAIT_S
        while time.monotonic() < deadline and not all(
            self.service.live(c.name).frame is not None for c in cameras
        ):
            time.sleep(0.05)
        for part in range(REHEARSED_PARTS + 1):
            for camera in cameras:
                trigger = camera.trigger
                if trigger.kind == "count" and trigger.tag:
                    self.service.feed({trigger.tag: good(part)})
                elif trigger.kind == "edge" and trigger.tag:
                    self.service.feed({trigger.tag: good(part % 2 == 1)})
            time.sleep(PART_GAP_S)
        while time.monotonic() < deadline and any(
            len(self.service.live(c.name).decisions) < REHEARSED_PARTS // 2 for c in cameras
        ):
            time.sleep(0.05)

    def close(self) -> None:
        self.service.stop()
        self.store.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class _NewPanels(QObject):
    """The desk's second pane appears in the splitter later: give it a band too."""

    def __init__(self, views: VisionViews, splitter: Any):
        super().__init__(splitter)
        self.views, self.splitter = views, splitter
        splitter.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ChildAdded:  # told while the pane is being made
            QTimer.singleShot(0, self.scan)
        return False

    def scan(self) -> None:
        for index in range(self.splitter.count()):
            pane = self.splitter.widget(index)
            if hasattr(pane, "host") and pane.findChild(VisionBand) is None:
                self.views.add_band(pane)


class PagePair(QWidget):
    """Both pages behind one navigation entry, a switch above them: the touch panel's
    header row holds one more entry and still the screen's title, not two."""

    def __init__(self, views: VisionViews, pages: dict[str, QWidget]):
        super().__init__()
        self.setObjectName("visionPages")
        profile = views.operator.profile
        layout = QVBoxLayout(self)
        gap = round(profile.gap_px)
        layout.setContentsMargins(gap, gap // 2, gap, 0)
        layout.setSpacing(gap // 2)
        row = QHBoxLayout()
        row.setSpacing(gap)
        self.stack = QStackedWidget(self)
        self.buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        for key, page in pages.items():
            button = QPushButton("", self)
            button.setObjectName(f"visionPage_{key}")
            button.setCheckable(True)
            button.setProperty("toggle", True)
            button.setMinimumHeight(round(profile.target_px))
            button.clicked.connect(lambda _=False, k=key: self.show_key(k))
            group.addButton(button)
            row.addWidget(button)
            self.buttons[key] = button
            self.stack.addWidget(page)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.stack, 1)
        self.pages = pages
        self.retranslate()
        self.show_key(next(iter(pages)))

    def show_key(self, key: str) -> QWidget:
        self.buttons[key].setChecked(True)
        self.stack.setCurrentWidget(self.pages[key])
        return self.pages[key]

    def retranslate(self) -> None:
        for key, button in self.buttons.items():
            symbol, word = page_words(key)
            button.setText(f"{symbol} {word}")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()


class VisionViews(CapabilityViews):
    name = "vision"

    def __init__(self, service: Any | None):
        super().__init__(service)
        self.operator: Any = None
        self.window: Any = None
        self.stylesheet = ""
        self.bands: list[VisionBand] = []
        self.pages: dict[str, QWidget] = {}
        self.pair: PagePair | None = None  # the touch panel's one page for both
        self.rehearsal: Rehearsal | None = None  # the gallery's cameras at work
        self.station_service: Any = None  # the station's own, while a rehearsal is shown
        self.pictures = Pictures()

    def configure(self, operator: Any) -> None:
        if self.service is None:
            return
        self.operator = operator
        self.stylesheet = vision_stylesheet(operator.theme, operator.profile)

    def install(self, window: Any) -> None:
        if self.service is None:
            return
        self.window = window
        self.add_window(window)
        splitter = getattr(window, "splitter", None)
        if splitter is not None:
            _NewPanels(self, splitter)
        self.pages = {key: page(self, window) for key, page in PAGES}
        if self.operator.profile.touch:
            # the touch header's row keeps the screen's title: both pages open from the
            # camera's large view (a touch on the live tile), not from the navigation
            self.pair = PagePair(self, self.pages)
            window.add_page(INSPECTION, self.pair, lambda: page_words(INSPECTION)).hide()
            # no room on the touch line screen for the live view: it is one touch away
            window.add_nav_entry(LIVE, lambda: self.open_live(window), lambda: page_words(LIVE))
        else:
            for key, page in self.pages.items():
                window.add_page(key, page, lambda k=key: page_words(k))

    def open_page(self, window: Any, key: str) -> QWidget:
        """Show page ``key`` (on the touch panel: the pair, switched to it)."""
        if self.pair is not None:
            window.open_page(INSPECTION)
            return self.pair.show_key(key)
        return window.open_page(key)

    def add_window(self, window: Any) -> None:
        if self.service is None:
            return
        self.add_band(window.panel)

    def add_band(self, panel: Any) -> VisionBand:
        band = VisionBand(self, panel)
        self.bands.append(band)
        band.destroyed.connect(lambda *_, b=band: self.bands.remove(b) if b in self.bands else None)
        return band

    # -- what the views share ------------------------------------------------------------

    def user(self) -> str:
        return self.operator.user if self.operator is not None else ""

    def say(self, widget: QWidget, text: str, problem: bool = False) -> None:
        """A message where the operator looks: over the bottom of the screen panel the
        widget is on, else the window's (a page's)."""
        parent: Any = widget
        while parent is not None and not hasattr(parent, "show_message"):
            parent = parent.parentWidget()
        if parent is not None:
            parent.show_message(text, problem)

    def show_dialog(self, dialog: QDialog, over: QWidget) -> QDialog:
        dialog.setStyleSheet(self.stylesheet)
        shown = self.operator.show_dialog(dialog, over)
        # the window's look first, ours on top (figures, verdicts)
        dialog.setStyleSheet(dialog.styleSheet() + self.stylesheet)
        return shown

    def open_live(self, window: Any) -> QDialog | None:
        """The camera of the screen shown (the first camera on a screen of none) large."""
        screen = window.panel.host.current_screen
        band = window.panel.findChild(VisionBand)
        cameras = band.cameras_of(screen) if band is not None and screen is not None else []
        cameras = cameras or self.service.cameras_of(None)
        return self.open_inspection(window.panel, cameras[0]) if cameras else None

    def open_inspection(self, over: QWidget, camera: str, decision: Any = None) -> QDialog:
        """A camera large over the window: live frame, a decision, the last decisions."""
        window = over.window()
        dialog = InspectionDialog(self, camera, decision, parent=window)
        shown = self.show_dialog(dialog, over)
        area = window.content_area() if hasattr(window, "content_area") else None
        if area is not None and self.operator.profile.touch:  # the screen's room
            dialog.setGeometry(area)
        elif area is not None:  # the desk: large enough to see a defect, the screen around
            size = QSize(round(area.width() * DESK_SHARE), round(area.height() * DESK_SHARE))
            dialog.setGeometry(QRect(area.center() - QPoint(size.width(), size.height()) / 2, size))
        return shown

    # -- the gallery ---------------------------------------------------------------------

    def rehearse(self, on: bool) -> None:
        """Show the live views over a rehearsal's service (parts decided in a throw-away
        folder), or over the station's own service again."""
        if on and self.station_service is None:
            if self.rehearsal is None:
                self.rehearsal = Rehearsal(self.service)
            self.station_service, self.service = self.service, self.rehearsal.service
        elif not on and self.station_service is not None:
            self.service, self.station_service = self.station_service, None
        else:
            return
        self.pictures = Pictures()
        for band in list(self.bands):
            band.refresh()

    def showcase(self, window: Any) -> list[tuple[str, Any, Any]]:
        """For ``hmi gallery``: the line screens with their live view, the camera large,
        and the pages (each page adds what it opens itself: ``showcase(window)``)."""
        if self.service is None or window is not self.window:
            return []
        band = window.panel.findChild(VisionBand)
        screens = [s.name for s in window.library.screens if band and band.cameras_of(s)]

        def screen(name: str) -> Any:
            def show() -> list[Any]:
                self.rehearse(True)
                window.go_to(name, remember=False)
                return []

            return show

        def inspection() -> Any:
            self.rehearse(True)
            cameras = self.service.cameras_of(None)
            if not cameras:
                return None
            decisions = self.service.live(cameras[0]).decisions
            # a defect if there was one: its overlays and verdict are what to look at
            defects = [d for d in decisions if d.result == "defect"]
            chosen = (defects or list(decisions) or [None])[-1]
            return self.open_inspection(window.panel, cameras[0], chosen)

        def close(opened: Any) -> None:
            for widget in opened or ():
                if isinstance(widget, QDialog):
                    widget.reject()
            window.close_page()

        def close_rehearsed(opened: Any) -> None:
            close(opened)
            self.rehearse(False)

        entries: list[tuple[str, Any, Any]] = [
            *(
                (f"vision-live-{name}", screen(name), lambda _: self.rehearse(False))
                for name in screens
            ),
            ("vision-inspection", inspection, close_rehearsed),
        ]

        def rehearsed(show: Any) -> Any:
            def run() -> Any:
                self.rehearse(True)  # the pages too show the rehearsal's images and counts
                return show()

            return run

        def then_station(done: Any) -> Any:
            return lambda opened: (done(opened), self.rehearse(False))

        def page(key: str) -> Any:
            return lambda: self.open_page(window, key) and []

        for key, shown in self.pages.items():
            entries.append((f"vision-page-{key}", rehearsed(page(key)), close_rehearsed))
            more = getattr(shown, "showcase", None)
            if callable(more):
                entries += [
                    (name, rehearsed(show), then_station(done)) for name, show, done in more(window)
                ]
        return entries

    def close(self) -> None:
        for band in list(self.bands):
            band.timer.stop()
        self.rehearse(False)
        if self.rehearsal is not None:
            self.rehearsal.close()
            self.rehearsal = None
