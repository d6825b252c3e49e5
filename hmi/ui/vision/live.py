"""The live inspection view on a line's screen: what the camera sees and what it decided.

A tile per camera of the lines the screen shows, in a band under the screen (the
synoptic keeps its place; the header, banner and navigation their share): the newest
frame with its region of interest, the last part's verdict in large words (GOOD, DEFECT
and its class, NOT INSPECTED), its score against the limit and the model, the counts
(good, scrap, not inspected) and the defect rate over the window, and a strip of the
last decisions, newest first, each with its overlays; a touch on one opens it large
(``InspectionDialog``: the live frame beside the decision, its facts, the strip). When
the camera or the model cannot inspect, the tile says why in words, in the abnormal
colour, and that parts are counted as not inspected. On the overview each camera gets a
compact tile: frame, verdict, defect rate.

The band reads ``service.live(camera)`` from a QTimer about five times a second (a cheap
call that copies nothing); a frame is converted to a QImage once, when it is new, and a
decision's picture once, when it first appears.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hmi.ui.entry import FixedLines
from hmi.ui.header import short_title
from hmi.ui.i18n import project_text, translate

from .common import (
    CONNECTING,
    DEFECT,
    INSPECTING,
    NOTE_SCALE,
    REFRESH_MS,
    UNINSPECTED,
    label_text,
    page_words,
    pieces,
    rate_text,
    score_text,
    state_text,
    unavailable_text,
    verdict_text,
)
from .overlay import Overlays, OverlayView, frame_image, paint_image

PICTURES = 64  # decisions whose pictures are kept (every strip shows at most 12)
DIALOG_STRIP = 12
TROUBLE_AFTER_S = 3.0  # touch: a camera connecting this long shows its band
SHARED_EM = 40  # a tile's width in another band's row, in text heights (desk: 680 px)
SHARED_COMPACT_EM = 22  # the overview's
SHARED_MOST = 0.34  # of the row's width (the desk's panes side by side: 960 px each)
SHARED_ROOMY = 0.75  # of its width in text heights: below it, the tile drops its figures


def decision_key(decision: Any) -> tuple[str, int, float]:
    return (decision.camera, decision.part, decision.ts)


class Pictures:
    """The QImages the views draw, made once: each camera's newest frame (by its
    sequence number) and each decision's frame with its overlays."""

    def __init__(self) -> None:
        self.frames: dict[str, tuple[int, QImage]] = {}
        self.decisions: OrderedDict[tuple[str, int, float], tuple[QImage, Overlays]] = OrderedDict()
        self.converted = 0  # frames and decisions converted (what a test can count)

    def frame(self, camera: str, frame: Any) -> QImage:
        if frame is None:
            return QImage()
        kept = self.frames.get(camera)
        if kept is None or kept[0] != frame.seq:
            kept = self.frames[camera] = (frame.seq, frame_image(frame.image))
            self.converted += 1
        return kept[1]

    def decision(self, decision: Any) -> tuple[QImage, Overlays]:
        key = decision_key(decision)
        kept = self.decisions.get(key)
        if kept is None:
            frame = decision.frame
            image = frame_image(frame.image) if frame is not None else QImage()
            kept = self.decisions[key] = (image, Overlays.of_decision(decision))
            self.converted += 1
            while len(self.decisions) > PICTURES:
                self.decisions.popitem(last=False)
        else:
            self.decisions.move_to_end(key)
        return kept


class Lines(FixedLines):
    """Lines that give way with "…", as high as the font the style sheet gives them
    (set after they were made); ``hug``: as wide as the words where there is room (the
    verdict's colour behind the words only, not across the row)."""

    def __init__(self, lines: int, parent: QWidget | None = None, *, hug: bool = False):
        super().__init__(lines, parent)
        self.hug = hug
        self.setWordWrap(lines > 1)
        if hug:
            self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.updateGeometry()
            FixedLines.setText(self, self.full_text)

    def setText(self, text: str) -> None:
        if text != self.full_text or self.text() == "":
            super().setText(text)
            if self.hug:
                self.updateGeometry()

    def fitting(self, text: str) -> str:
        if self.lines > 1:
            return super().fitting(text)
        room = self.contentsRect().width()  # one line: its end gives way
        if not text or room <= 0:
            return text
        return self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, room)

    def sizeHint(self) -> QSize:
        # a bold line's bounding box is a pixel taller than its line spacing
        hint = super().sizeHint() + QSize(0, 2)
        if self.hug:
            frame = self.width() - self.contentsRect().width()
            words = self.fontMetrics().horizontalAdvance(self.full_text)
            hint.setWidth(words + max(frame, 0) + self.fontMetrics().averageCharWidth())
        return hint

    def minimumSizeHint(self) -> QSize:
        hint = self.sizeHint()
        if self.hug:
            hint.setWidth(self.fontMetrics().averageCharWidth() * 4)
        return hint


class Figure(QWidget):
    """A small word over a large number (readable at 1.5 m); ``flat``: the word before
    the number, one line high."""

    def __init__(self, parent: QWidget | None = None, *, flat: bool = False):
        super().__init__(parent)
        layout = QHBoxLayout(self) if flat else QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4 if flat else 0)
        self.label = QLabel("", self)
        self.label.setProperty("visionNote", True)
        self.value = QLabel("", self)
        self.value.setProperty("visionFigure", True)
        layout.addWidget(self.label, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.value, 0, Qt.AlignmentFlag.AlignVCenter)

    def put(self, label: str, value: str) -> None:
        if self.label.text() != label:
            self.label.setText(label)
        if self.value.text() != value:
            self.value.setText(value)


class DecisionThumb(QAbstractButton):
    """One decision of the strip: its picture with the overlays (a defect framed solid,
    a part not inspected dashed), a touch target; drawn once into a pixmap."""

    def __init__(self, views: Any, side: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.views = views
        self.side = side
        self.decision: Any = None
        self.selected = False  # the one shown large beside the strip
        self.pixmap = QPixmap()
        self.setFixedSize(side, side)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def show_decision(self, decision: Any) -> None:
        if decision is self.decision:
            return
        self.decision = decision
        self.pixmap = self._draw(decision)
        self.setToolTip(decision_summary(decision))
        self.setAccessibleName(decision_summary(decision))
        self.update()

    def _draw(self, decision: Any) -> QPixmap:
        theme = self.views.operator.theme
        image, overlays = self.views.pictures.decision(decision)
        pixmap = QPixmap(self.side, self.side)
        pixmap.fill(theme.color("running"))
        painter = QPainter(pixmap)
        rect = QRectF(0, 0, self.side, self.side)
        font_px = self.views.operator.profile.font_px * 0.6
        paint_image(painter, rect, image, overlays, theme, font_px)
        if image.isNull() or decision.result == UNINSPECTED:  # said with a sign too
            painter.setPen(theme.color("text_on_running"))
            painter.setFont(theme.font(self.side * 0.45, True))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "?")
        painter.end()
        return pixmap

    def sizeHint(self) -> QSize:
        return QSize(self.side, self.side)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self.pixmap)
        if self.selected:  # a dark bar under it: shape, not colour
            theme = self.views.operator.theme
            bar = max(4, self.side // 12)
            painter.fillRect(0, self.side - bar, self.side, bar, theme.color("pointer"))
        if self.isDown():
            painter.fillRect(self.rect(), self.views.operator.theme.color("outline"))
        painter.end()


class DecisionStrip(QWidget):
    """The last decisions, newest first, as many as the strip's width holds; a touch on
    one emits ``chosen`` with it."""

    chosen = Signal(object)

    def __init__(self, views: Any, side: int, most: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.views = views
        self.side = side
        self.gap = max(round(views.operator.profile.gap_px), 2)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(self.gap)
        self.thumbs: list[DecisionThumb] = []
        for _ in range(most):
            thumb = DecisionThumb(views, side, self)
            thumb.clicked.connect(lambda _=False, t=thumb: self.chosen.emit(t.decision))
            thumb.hide()
            self.row.addWidget(thumb)
            self.thumbs.append(thumb)
        self.row.addStretch(1)
        self.decisions: tuple[Any, ...] = ()
        self.selected: Any = None
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(side)

    def sizeHint(self) -> QSize:
        count = len(self.thumbs)
        return QSize(count * self.side + (count - 1) * self.gap, self.side)

    def fits(self) -> int:
        """How many thumbnails the strip's width holds (at least one)."""
        return max(1, min(len(self.thumbs), (self.width() + self.gap) // (self.side + self.gap)))

    def show_decisions(self, decisions: Sequence[Any]) -> None:
        """``decisions`` oldest first, as the service gives them."""
        self.decisions = tuple(decisions)
        self._lay_out()

    def select(self, decision: Any) -> None:
        """Mark ``decision`` as the one shown large."""
        self.selected = decision
        self._lay_out()

    def _lay_out(self) -> None:
        newest = list(reversed(self.decisions))[: self.fits()]
        for index, thumb in enumerate(self.thumbs):
            if index < len(newest):
                thumb.show_decision(newest[index])
                selected = newest[index] is self.selected
                if thumb.selected != selected:
                    thumb.selected = selected
                    thumb.update()
                thumb.show()
            else:
                thumb.hide()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._lay_out()

    def visible_thumbs(self) -> list[DecisionThumb]:
        return [t for t in self.thumbs if not t.isHidden()]


def decision_summary(decision: Any) -> str:
    """One line about one decision: verdict, part, time, score."""
    when = datetime.fromtimestamp(decision.ts).strftime("%H:%M:%S")
    verdict = verdict_text(decision.result, decision.label)
    if decision.result == UNINSPECTED:
        detail = decision.reason
    else:
        detail = translate("VisionLive", "score {score}").format(score=f"{decision.score:.2f}")
    return translate("VisionLive", "{verdict} · part {part} · {time} · {detail}").format(
        verdict=verdict, part=decision.part, time=when, detail=detail
    )


class LiveTile(QFrame):
    """One camera: frame, verdict, counts, defect rate and the strip (``compact`` on the
    overview: frame, verdict and defect rate). On the touch panel one row a touch target
    high (the synoptic keeps its size): the verdict in the figures' size, each figure's
    word before its number, no line of detail (the camera large has it), and the reason
    in the strip's place when the camera cannot inspect."""

    def __init__(self, views: Any, camera: str, *, compact: bool = False, parent=None):
        super().__init__(parent)
        self.setObjectName("visionTile")
        self.views = views
        self.camera = camera
        self.compact = compact
        self.flat = flat = views.operator.profile.touch
        self.shared_width = 0  # in another band's row: its width there (``share_row``)
        self.narrow = False  # ... too narrow there for its figures and strip
        self.live: Any = None
        self._shown: tuple[Any, ...] = ()
        profile = views.operator.profile
        gap = round(profile.gap_px)
        side = picture_side(profile)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout(self)
        edge = 0 if flat else 2  # the touch tile is as high as the row it is in allows
        row.setContentsMargins(gap // 2, edge, gap // 2, edge)
        row.setSpacing(gap * 2 if not compact else gap)
        self.image = OverlayView(views.operator.theme, profile.font_px, self)
        self.image.setObjectName("visionFrame")
        self.image.setFixedSize(side, side)
        self.image.setCursor(Qt.CursorShape.PointingHandCursor)
        self.image.clicked.connect(lambda: self.open())
        row.addWidget(self.image)
        words = QVBoxLayout()
        words.setSpacing(0)
        self.verdict = Lines(1, self, hug=True)
        self.verdict.setObjectName("visionVerdict")
        self.verdict.setProperty("compact", compact or flat)
        self.verdict.setProperty("small", compact and flat)
        self.verdict.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.note = Lines(1, self)
        self.note.setObjectName("visionDetail")
        self.note.setProperty("visionNote", True)
        verdict = QHBoxLayout()
        verdict.addWidget(self.verdict)
        verdict.addStretch(1)
        words.addLayout(verdict)
        words.addWidget(self.note)
        self.note.setVisible(not flat)
        words.addStretch(1)
        row.addLayout(words, 3)
        keys = ("rate",) if compact else ("good", "scrap", "uninspected", "rate")
        self.figures = {key: Figure(self, flat=flat) for key in keys}
        for figure in self.figures.values():
            if compact and flat:  # under the verdict, a little smaller: one row high
                figure.value.setProperty("small", True)
                words.insertWidget(1, figure)
            else:
                row.addWidget(figure, 0, Qt.AlignmentFlag.AlignVCenter)
        self.strip: DecisionStrip | None = None
        if not compact:
            self.strip = DecisionStrip(views, side, 8, self)
            self.strip.chosen.connect(self.open)
            row.addWidget(self.strip, 3, Qt.AlignmentFlag.AlignVCenter)
        # the touch panel's tile has no line of detail: why it cannot inspect goes here
        self.reason = Lines(2, self)
        self.reason.setObjectName("visionReason")
        self.reason.setProperty("visionNote", True)
        self.reason.hide()
        if flat:
            row.addWidget(self.reason, 3, Qt.AlignmentFlag.AlignVCenter)
        self.note.setMinimumWidth(round(profile.font_px * NOTE_SCALE * 8))

    def share_row(self, row_width: int) -> None:
        """In another band's row ``row_width`` wide: a fixed width (the row does not
        shift with the words), at most a share of the row, without the counts the order
        panel beside it has."""
        em = SHARED_COMPACT_EM if self.compact else SHARED_EM
        width = round(min(self.views.operator.profile.font_px * em, row_width * SHARED_MOST))
        if width != self.shared_width:
            self.shared_width = width
            self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            self.updateGeometry()
        for key in ("good", "scrap"):  # the order panel beside it counts them
            figure = self.figures.pop(key, None)
            if figure is not None:
                figure.hide()
                figure.setParent(None)
        if not self.flat:  # too narrow (a pane side by side): the verdict, no figures
            roomy = width >= self.views.operator.profile.font_px * em * SHARED_ROOMY
            self.narrow = not roomy
            for figure in self.figures.values():
                figure.setVisible(roomy)
            if self.strip is not None:
                self.strip.setVisible(roomy)  # refresh hides it while it cannot inspect

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self.shared_width, hint.height()) if self.shared_width else hint

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self.shared_width:  # the row's panels first: it gives way down to its picture
            hint.setWidth(self.image.width() + self.layout().contentsMargins().left() * 2)
        return hint

    def open(self, decision: Any = None) -> QDialog:
        """The camera large: the live frame, ``decision`` (default the last) with its
        overlays and facts, the strip of the last decisions."""
        return self.views.open_inspection(self, self.camera, decision)

    def refresh(self) -> None:
        try:
            live = self.views.service.live(self.camera)
        except Exception as error:  # a camera the service no longer has
            self.verdict.setText(translate("VisionLive", "Inspection unavailable"))
            self.note.setText(str(error))
            mark(self.verdict, True)
            return
        self.show_live(live)

    def show_live(self, live: Any) -> None:
        self.live = live
        pictures = self.views.pictures
        frame = live.frame
        if frame is not None:
            image = pictures.frame(self.camera, frame)
            if image is not self.image.image:
                self.image.show_image(image, Overlays(roi=tuple(frame.roi) if frame.roi else None))
        else:
            self.image.empty_text = translate("VisionLive", "No image")
            self.image.show_image(QImage())
        last = live.decisions[-1] if live.decisions else None
        working = live.state == INSPECTING
        if working:
            self.verdict.setText(
                verdict_text(last.result if last else None, last.label if last else "")
            )
            self.note.setText(self._note(live, last))
            self.note.setToolTip("")
            abnormal = last is not None and last.result in (DEFECT, UNINSPECTED)
        else:  # what it means for the parts first: the reason may be long
            self.verdict.setText(state_text(live.state))
            self.note.setText(
                translate("VisionLive", "Parts are counted as not inspected: {reason}").format(
                    reason=live.reason or state_text(live.state)
                )
            )
            self.note.setToolTip(unavailable_text(live.state, live.reason))
            abnormal = True
        self.verdict.setToolTip(self.note.full_text)
        if self.strip is not None:  # its decisions are old news; the reason gets the room
            self.strip.setVisible(working and not self.narrow and bool(live.decisions))
        if self.flat:
            self.reason.setText("" if working else self.note.full_text)
            self.reason.setVisible(not working)
            for key, figure in self.figures.items():  # the reason's room; the parts it costs
                figure.setVisible(working or key == "uninspected" or self.compact)
        mark(self.verdict, abnormal)
        counts = live.counts
        values = {
            "good": (translate("VisionLive", "Good"), pieces(counts.get("good", 0))),
            "scrap": (translate("VisionLive", "Scrap"), pieces(counts.get("scrap", 0))),
            "uninspected": (
                translate("VisionLive", "Not inspected"),
                pieces(counts.get("uninspected", 0)),
            ),
            "rate": (
                translate("VisionLive", "Defects")
                if self.compact and self.flat
                else translate("VisionLive", "Defect rate"),
                rate_text(live.defect_rate, live.window),
            ),
        }
        for key, figure in self.figures.items():
            figure.put(*values[key])
        if self.strip is not None and live.decisions != self._shown:
            self._shown = live.decisions
            self.strip.show_decisions(live.decisions)

    def _note(self, live: Any, last: Any) -> str:
        model = translate("VisionLive", "model {model}").format(model=live.model)
        if last is None:
            return model
        if last.result == UNINSPECTED:
            return (
                f"{translate('VisionLive', 'part {part}').format(part=last.part)} · {last.reason}"
            )
        return " · ".join(
            (
                translate("VisionLive", "part {part}").format(part=last.part),
                score_text(last.score, live.threshold),
                model,
            )
        )


def picture_side(profile: Any) -> int:
    """A picture's side in the tile: a touch target on the touch panel; on the desk as
    high as the order panel whose row it joins (the screen keeps its room)."""
    if profile.touch:
        return round(profile.target_px)
    return round(profile.target_px * 1.5)


class VisionBand(QWidget):
    """The live tiles of the cameras of the lines a screen panel shows, right under its
    screen; hidden on screens with no camera.

    The screens are drawn to fill the room above the bands under them: a row more would
    shrink them (touch: values below 22 px; desk: bands at the sides). On the desk the
    tiles join, at its end, the row of the band already under the screen (the order
    panel's, which has room to spare at 1920 px) and this band takes no height; only
    without such a row they have one of their own. On the touch panel that row has no
    width to spare either: the band shows only while a camera of the screen cannot
    inspect (the reason in words, in the abnormal colour) — a camera connecting only after
    ``TROUBLE_AFTER_S``, so the screen does not jump while the cameras open at start; the
    camera large is a touch away in the navigation."""

    def __init__(self, views: Any, panel: Any):
        super().__init__(panel)
        self.setObjectName("visionBand")
        self.since: dict[str, float] = {}  # camera -> when it stopped inspecting
        self.views = views
        self.screen_panel = panel
        self.tiles: dict[str, LiveTile] = {}
        self.spacers: list[QWidget] = []
        self.shape: list[int] = []
        self.troubled = False  # a camera of the screen cannot inspect
        self.holder: QWidget = self  # the widget whose row holds the tiles
        self.row = self.own_row = QHBoxLayout(self)
        gap = round(views.operator.profile.gap_px)
        self.row.setContentsMargins(gap, 2, gap, 0)
        self.row.setSpacing(gap)
        self.setStyleSheet(views.stylesheet)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        layout = panel.layout()
        # under the screen, above whatever else is under it: the camera is part of the line
        layout.insertWidget(layout.indexOf(panel.host) + 1, self)
        panel.host.screen_changed.connect(self.show_screen)
        current = panel.host.current_screen
        self.show_screen(current) if current is not None else self.hide()

    def cameras_of(self, screen: Any) -> list[str]:
        service = self.views.service
        if screen.level <= 1:
            return list(service.cameras_of(None))
        if screen.level == 2 and screen.line:
            return list(service.cameras_of(screen.line))
        return []

    def columns_of(self, screen: Any) -> list[list[str]]:
        """The cameras in columns: on the overview one a line, in the lines' order (each
        under its line's part of the screen, an empty one for a line without a camera);
        on a line screen, one."""
        cameras = self.cameras_of(screen)
        if screen.level > 1 or not cameras:
            return [cameras] if cameras else []
        service = self.views.service
        lines = list(self.views.operator.project.lines)
        columns = [list(service.cameras_of(line)) for line in lines]
        placed = {camera for column in columns for camera in column}
        columns += [[camera] for camera in cameras if camera not in placed]
        return columns

    def shown_always(self) -> bool:
        return not self.views.operator.profile.touch

    def shared_row(self) -> tuple[QWidget, QHBoxLayout] | None:
        """Desk: the row of the first band shown under this one, if it is a row."""
        if not self.shown_always():
            return None
        layout = self.screen_panel.layout()
        for index in range(layout.indexOf(self) + 1, layout.count()):
            widget = layout.itemAt(index).widget()
            if widget is not None and not widget.isHidden():
                row = widget.layout()
                return (widget, row) if isinstance(row, QHBoxLayout) else None
        return None

    def show_screen(self, screen: Any) -> None:
        columns = self.columns_of(screen)
        cameras = [camera for column in columns for camera in column]
        self.troubled = self._troubled(cameras)
        shared = self.shared_row() if cameras else None
        holder, row = shared or (self, self.own_row)
        compact = screen.level <= 1
        if shared is not None:
            columns = [cameras]
        shape = [len(column) for column in columns]
        if (
            list(self.tiles) != cameras
            or shape != self.shape
            or holder is not self.holder
            or any(t.compact != compact for t in self.tiles.values())
        ):
            self._clear()
            self.holder, self.row, self.shape = holder, row, shape
            if shared is not None:  # gone with the band it joined; resized with it
                holder.destroyed.connect(self._holder_gone)
                holder.installEventFilter(self)
            for column in columns:
                if not column:  # a line without a camera keeps its place
                    spacer = QWidget(holder)
                    self.spacers.append(spacer)
                    row.addWidget(spacer, 1)
                for camera in column:
                    tile = LiveTile(self.views, camera, compact=compact, parent=holder)
                    tile.setStyleSheet(self.views.stylesheet)
                    if shared is not None:  # a fixed share: the row never shifts
                        tile.share_row(holder.width())
                    self.tiles[camera] = tile
                    row.addWidget(tile, 0 if shared is not None else 1)
        shown = bool(cameras) and (self.shown_always() or self.troubled)
        self.setVisible(shown and shared is None)
        for tile in self.tiles.values():
            tile.setVisible(shown)
        self.row.invalidate()
        self.refresh()

    def _clear(self) -> None:
        for widget in (*self.tiles.values(), *self.spacers):
            try:
                widget.hide()
                widget.deleteLater()
            except RuntimeError:  # went with the band it had joined
                pass
        self.tiles, self.spacers = {}, []
        if self.holder is not self:
            try:
                self.holder.removeEventFilter(self)
                self.holder.destroyed.disconnect(self._holder_gone)
            except (RuntimeError, TypeError):
                pass
        self.holder, self.row = self, self.own_row

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.holder and event.type() == QEvent.Type.Resize:
            width = self.holder.width()
            for tile in self.tiles.values():
                tile.share_row(width)
        return False

    def _holder_gone(self, *_: Any) -> None:
        self.tiles, self.spacers, self.shape = {}, [], []
        self.holder, self.row = self, self.own_row

    def keep_last(self) -> None:
        """The tiles stay at the end of a row they joined (its owner may add to it)."""
        tiles = list(self.tiles.values())
        first = self.row.count() - len(tiles)
        if any(self.row.indexOf(tile) != first + i for i, tile in enumerate(tiles)):
            for tile in tiles:
                self.row.removeWidget(tile)
                self.row.addWidget(tile, 0)

    def _troubled(self, cameras: list[str]) -> bool:
        """A camera of ``cameras`` cannot inspect: at once, or once it has been connecting
        for ``TROUBLE_AFTER_S`` (a camera opening at start is no trouble yet)."""
        now = time.monotonic()
        troubled = False
        for camera in cameras:
            try:
                state = self.views.service.live(camera).state
            except Exception:  # a camera the service does not have: said on its tile
                state = ""
            if state != CONNECTING:
                self.since.pop(camera, None)
                troubled = troubled or state != INSPECTING
            elif now - self.since.setdefault(camera, now) >= TROUBLE_AFTER_S:
                troubled = True
        return troubled

    def refresh(self) -> None:
        if not self.shown_always() and self._troubled(list(self.tiles)) != self.troubled:
            screen = self.screen_panel.host.current_screen
            if screen is not None:
                self.show_screen(screen)  # shown while a camera cannot inspect, not after
            return
        if self.holder is not self:
            if not self.holder.isVisible():
                return
            self.keep_last()
        elif not self.isVisible():
            return
        for tile in self.tiles.values():
            tile.refresh()


class InspectionDialog(QDialog):
    """One camera large: the live frame beside a decision with its overlays and facts,
    and the strip of the last decisions (a touch shows that one)."""

    def __init__(self, views: Any, camera: str, decision: Any = None, parent=None):
        super().__init__(parent)
        self.setObjectName("visionDialog")
        self.views = views
        self.camera = camera
        self.decision: Any = None
        self.threshold: float | None = None
        profile = views.operator.profile
        theme = views.operator.theme
        gap = round(profile.gap_px)
        self.setWindowTitle(translate("VisionLive", "Inspection: {camera}").format(camera=camera))
        layout = QVBoxLayout(self)
        layout.setSpacing(gap)
        top = QHBoxLayout()
        self.title = QLabel("", self)
        self.title.setProperty("heading", True)
        top.addWidget(self.title, 1)
        top.setSpacing(gap * 2)
        self.page_buttons: dict[str, QPushButton] = {}
        for key in views.pages:  # the decisions kept and the models, one touch away
            symbol, word = page_words(key)
            button = QPushButton(f"{symbol} {word} ▸", self)
            button.setObjectName(f"visionOpen_{key}")
            button.clicked.connect(lambda _=False, k=key: self.open_page(k))
            top.addWidget(button)
            self.page_buttons[key] = button
        self.close_button = QPushButton(translate("VisionLive", "Close"), self)
        self.close_button.setObjectName("visionClose")
        self.close_button.clicked.connect(lambda _=False: self.accept())
        top.addWidget(self.close_button)
        layout.addLayout(top)
        grid = QGridLayout()
        grid.setHorizontalSpacing(gap * 2)
        grid.setVerticalSpacing(gap // 2)
        self.live_heading = Lines(1, self)
        self.live_heading.setProperty("visionNote", True)
        self.chosen_heading = Lines(1, self)
        self.chosen_heading.setProperty("visionNote", True)
        self.live_view = OverlayView(theme, profile.font_px, self)
        self.live_view.setObjectName("visionLiveLarge")
        self.chosen_view = OverlayView(theme, profile.font_px, self)
        self.chosen_view.setObjectName("visionDecisionLarge")
        for view in (self.live_view, self.chosen_view):
            view.setMinimumSize(round(profile.target_px * 3), round(profile.target_px * 3))
        grid.addWidget(self.live_heading, 0, 0)
        grid.addWidget(self.chosen_heading, 0, 1)
        grid.addWidget(self.live_view, 1, 0)
        grid.addWidget(self.chosen_view, 1, 1)
        # under the live frame: the camera's figures, or why it cannot inspect
        self.state = QLabel("", self)
        self.state.setObjectName("visionState")
        self.state.setWordWrap(True)
        self.state.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.state, 2, 0)
        facts = QVBoxLayout()
        facts.setSpacing(0)
        self.verdict = QLabel("", self)
        self.verdict.setObjectName("visionVerdict")
        self.facts = QLabel("", self)
        self.facts.setObjectName("visionFacts")
        self.facts.setWordWrap(True)
        self.facts.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        verdict = QHBoxLayout()
        verdict.addWidget(self.verdict)
        verdict.addStretch(1)
        facts.addLayout(verdict)
        facts.addWidget(self.facts)
        facts.addStretch(1)
        grid.addLayout(facts, 2, 1)
        grid.setRowStretch(1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid, 1)
        side = max(round(profile.target_px * 1.2), picture_side(profile))
        self.strip = DecisionStrip(views, side, DIALOG_STRIP, self)
        self.strip.chosen.connect(self.choose)
        layout.addWidget(self.strip)
        self._shown: tuple[Any, ...] = ()
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        if decision is not None:
            self.choose(decision)
        self.refresh()

    def sizeHint(self) -> QSize:
        side = self.views.operator.profile.target_px
        return QSize(round(side * 18), round(side * 12))

    def open_page(self, key: str) -> QWidget:
        window = self.parentWidget().window() if self.parentWidget() else self.window()
        self.accept()
        return self.views.open_page(window, key)

    def refresh(self) -> None:
        try:
            live = self.views.service.live(self.camera)
        except Exception as error:
            self.state.setText(str(error))
            return
        project = self.views.operator.project
        line = project_text(project, project.lines.get(live.line, live.line), "Project")
        self.title.setText(f"{self.camera} · {short_title(line) or line}")
        frame = live.frame
        if frame is not None:
            image = self.views.pictures.frame(self.camera, frame)
            if image is not self.live_view.image:
                roi = tuple(frame.roi) if frame.roi else None
                self.live_view.show_image(image, Overlays(roi=roi))
        else:
            self.live_view.empty_text = translate("VisionLive", "No image")
        self.live_heading.setText(
            translate("VisionLive", "Live · {fps} images/s · model {model}").format(
                fps=f"{live.fps:.0f}", model=live.model
            )
        )
        working = live.state == INSPECTING
        self.state.setText(
            figures_text(live) if working else unavailable_text(live.state, live.reason)
        )
        mark(self.state, not working)
        if self.threshold != live.threshold:
            self.threshold = live.threshold
            if self.decision is not None:
                self.facts.setText(self._facts(self.decision))
        if live.decisions != self._shown:
            self._shown = live.decisions
            self.strip.show_decisions(live.decisions)
        if self.decision is None:
            if live.decisions:
                self.choose(live.decisions[-1])
            else:
                self.chosen_heading.setText(translate("VisionLive", "No part decided yet"))

    def choose(self, decision: Any) -> None:
        """Show ``decision`` large."""
        if decision is None:
            return
        self.decision = decision
        self.strip.select(decision)
        image, overlays = self.views.pictures.decision(decision)
        self.chosen_view.empty_text = decision.reason
        self.chosen_view.show_image(image, overlays)
        when = datetime.fromtimestamp(decision.ts).strftime("%H:%M:%S")
        self.chosen_heading.setText(
            translate("VisionLive", "Part {part} · {time}").format(part=decision.part, time=when)
        )
        self.verdict.setText(verdict_text(decision.result, decision.label))
        mark(self.verdict, decision.result in (DEFECT, UNINSPECTED))
        self.facts.setText(self._facts(decision))

    def _facts(self, decision: Any) -> str:
        if decision.result == UNINSPECTED:
            return decision.reason
        lines = [
            translate("VisionLive", "Score {score} · model {model}").format(
                score=score_text(decision.score, self.threshold), model=decision.model
            ),
            translate("VisionLive", "Decided {ms} ms after the image").format(
                ms=f"{decision.latency_ms:.0f}"
            ),
        ]
        inference = decision.inference
        if inference is not None and inference.detections:
            found = ", ".join(
                f"{label_text(d.label)} {d.score:.2f}" for d in inference.detections[:4]
            )
            lines.append(translate("VisionLive", "Found: {found}").format(found=found))
        return "\n".join(lines)

    def done(self, result: int) -> None:
        self.timer.stop()
        super().done(result)


def figures_text(live: Any) -> str:
    """The camera's counts and defect rate in one line."""
    counts = live.counts
    return translate(
        "VisionLive",
        "Good {good} · Scrap {scrap} · Not inspected {uninspected} · Defect rate {rate}",
    ).format(
        good=pieces(counts.get("good", 0)),
        scrap=pieces(counts.get("scrap", 0)),
        uninspected=pieces(counts.get("uninspected", 0)),
        rate=rate_text(live.defect_rate, live.window),
    )


def mark(label: QWidget, abnormal: bool) -> None:
    """Show ``label`` in the abnormal colour (a defect, a part or camera not inspecting)."""
    if bool(label.property("abnormal")) != abnormal:
        label.setProperty("abnormal", abnormal)
        label.style().unpolish(label)
        label.style().polish(label)
