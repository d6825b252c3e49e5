"""The inspection page: the evidence the cameras kept (every defect, a sample of the good
parts) as thumbnails a supervisor filters by camera, order, class, result, score and
review; one opened large with its overlays and facts, to confirm or overrule.

An overrule flips the decision (good ↔ defect, choosing the class), corrects the order's
counts through the service and files the image as a labelled example; the page says what
became of the order in words. Without ``vision.review`` the buttons are greyed with the
reason. Thumbnails are read on worker threads, only those drawn, into a bounded cache: a
few hundred items scroll without waiting for the disk.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from hmi.core.vision.capability import REVIEW
from hmi.ui.i18n import translate
from hmi.ui.notice import set_flag

from .common import score_text as against_limit
from .overlay import Overlays, OverlayView, paint_image
from .review import (
    Allowed,
    ChoiceDialog,
    FitButton,
    ImageCache,
    Segments,
    clock,
    correction_numbers,
    fact_rows,
    open_page,
    result_text,
    score_text,
    signed,
    touch_scrolling,
    value_px,
    vision_stylesheet,
)

LIMIT = 500  # items asked of the service at once (newest first)
FOLLOW_MS = 3000  # how often the list looks for new images while shown
SCORE_STEP = 0.05
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
# flags as plain ints, made once: a scroll paints a few hundred tiles
SELECTED = QStyle.StateFlag.State_Selected
CENTRED = Qt.AlignmentFlag.AlignCenter.value
CENTRED_WRAPPED = CENTRED | Qt.TextFlag.TextWordWrap.value
LEFT_MIDDLE = Qt.AlignmentFlag.AlignLeft.value | Qt.AlignmentFlag.AlignVCenter.value
ANY = None


class EvidenceModel(QAbstractListModel):
    """The items found, for the grid: the item itself under ``ITEM_ROLE``."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.items: list[Any] = []

    def set_items(self, items: list[Any]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self.items):
            return None
        item = self.items[index.row()]
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{result_text(*standing(item))} {score_text(item.score)}"
        return None


class Thumbs(QStyledItemDelegate):
    """A tile per item: its thumbnail (read lazily), the decision in words and, under it,
    score and time; an item a person reviewed says so with a mark. Hundreds of tiles go
    by in a scroll: colours, fonts and each tile's words are made once, not per paint."""

    def __init__(self, page: EvidencePage):
        super().__init__(page)
        self.page = page
        self.theme = theme = page.views.operator.theme
        profile = page.views.operator.profile
        self.font_px = round(profile.font_px)
        self.value_px = value_px(profile)  # the score and time under the verdict: values
        self.side = page.thumb_side
        self.pad = max(4, round(profile.gap_px / 2))
        self.head_h, self.tail_h = round(self.font_px * 1.35), round(self.value_px * 1.35)
        names = ("running", "panel", "background", "text", "text_dim", "text_on_running")
        self.colors = {name: theme.color(name) for name in names}  # the theme keeps them
        self.colors["mark"] = theme.color("quality_mark")
        self.head_font = theme.font(self.font_px, True)
        self.tail_font = theme.font(self.value_px)
        self.words: dict[tuple[Any, ...], tuple[str, str]] = {}  # a tile's key -> its words

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> QSize:
        return QSize(self.side + 2 * self.pad, self.side + self.head_h + self.tail_h + 3 * self.pad)

    def tile_words(self, item: Any) -> tuple[str, str]:
        """The verdict and "score · time" of a tile, shortened to its width, kept."""
        result, label = standing(item)
        key = (item.camera, item.stem, result, label)
        words = self.words.get(key)
        if words is None:
            if len(self.words) > 4 * LIMIT:
                self.words.clear()
            head = QFontMetrics(self.head_font).elidedText(
                result_text(result, label), Qt.TextElideMode.ElideRight, self.side
            )
            tail = QFontMetrics(self.tail_font).elidedText(
                f"{score_text(item.score)} · {clock(item.ts)}",  # the order: in the large view
                Qt.TextElideMode.ElideRight,
                self.side,
            )
            words = self.words[key] = (head, tail)
        return words

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        item = index.data(ITEM_ROLE)
        if item is None:
            return
        colors, pad, side = self.colors, self.pad, self.side
        rect = option.rect
        x, y = rect.x() + pad // 2, rect.y() + pad // 2
        selected = bool(option.state & SELECTED)
        painter.save()
        painter.fillRect(
            x,
            y,
            rect.width() - pad,
            rect.height() - pad,
            colors["running" if selected else "panel"],
        )
        picture = QRect(x + pad // 2, y + pad // 2, side, side)
        image = self.page.thumbs.image(str(item.image))
        if image is not None and not image.isNull():
            # the result's frame as the live view draws it (boxes: on the large image only)
            overlays = Overlays(result=standing(item)[0])
            paint_image(painter, QRectF(picture), image, overlays, self.theme, self.font_px)
        else:
            painter.fillRect(picture, colors["background"])
            painter.setPen(colors["text_dim"])
            painter.drawText(
                picture,
                CENTRED_WRAPPED,
                "…" if image is None else translate("Vision", "image not readable"),
            )
        painter.setFont(self.head_font)
        if item.review is not None:
            mark = "✓" if item.review.verdict == "confirmed" else "⇄"
            badge_side = round(self.font_px * 1.6)
            badge = QRect(picture.right() - badge_side - 4, picture.y() + 4, badge_side, badge_side)
            painter.fillRect(badge, colors["mark"])
            painter.setPen(colors["text_on_running"])
            painter.drawText(badge, CENTRED, mark)
        head, tail = self.tile_words(item)
        painter.setPen(colors["text_on_running" if selected else "text"])
        top = picture.bottom() + pad
        painter.drawText(QRect(picture.x(), top, side, self.head_h), LEFT_MIDDLE, head)
        painter.setFont(self.tail_font)
        painter.drawText(
            QRect(picture.x(), top + self.head_h + 1, side, self.tail_h), LEFT_MIDDLE, tail
        )
        painter.restore()


class ScoreRange(QWidget):
    """The score range as two steppers ("0.40 – 1.00"), a finger-wide − and + each."""

    def __init__(self, page: EvidencePage):
        super().__init__(page)
        self.page = page
        self.low, self.high = 0.0, 1.0
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(round(page.gap / 2))
        self.title = QLabel("", self)
        row.addWidget(self.title)
        self.buttons: dict[str, QPushButton] = {}
        self.low_label, self.high_label = QLabel("", self), QLabel("", self)
        for key, label in (("low", self.low_label), ("high", self.high_label)):
            for step in (-1, 1):
                button = QPushButton("−" if step < 0 else "+", self)
                button.setObjectName(f"score_{key}_{'down' if step < 0 else 'up'}")
                button.setMinimumWidth(round(page.views.operator.profile.target_px))
                button.clicked.connect(lambda _=False, k=key, s=step: self.step(k, s))
                self.buttons[f"{key}{step:+d}"] = button
            label.setProperty("fact", True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance("0.000") + 8)
            row.addWidget(self.buttons[f"{key}-1"])
            row.addWidget(label)
            row.addWidget(self.buttons[f"{key}+1"])
            if key == "low":
                dash = QLabel("–", self)
                row.addWidget(dash)
        self.show_values()

    def step(self, key: str, step: int) -> None:
        if key == "low":
            self.low = round(min(max(self.low + step * SCORE_STEP, 0.0), self.high), 2)
        else:
            self.high = round(min(max(self.high + step * SCORE_STEP, self.low), 1.0), 2)
        self.show_values()
        self.page.reload()

    def set_range(self, low: float, high: float) -> None:
        self.low, self.high = low, high
        self.show_values()

    def show_values(self) -> None:
        self.low_label.setText(f"{self.low:.2f}")
        self.high_label.setText(f"{self.high:.2f}")
        self.buttons["low-1"].setEnabled(self.low > 0)
        self.buttons["low+1"].setEnabled(self.low < self.high)
        self.buttons["high-1"].setEnabled(self.high > self.low)
        self.buttons["high+1"].setEnabled(self.high < 1)

    @property
    def limits(self) -> tuple[float | None, float | None]:
        return (self.low or None, self.high if self.high < 1 else None)


class EvidencePage(QWidget):
    """The evidence grid with its filters, and one item opened large (see the module)."""

    @property
    def service(self) -> Any:
        """The views' vision service as it is now (``hmi gallery`` shows a rehearsal's)."""
        return self.views.service

    def __init__(self, views: Any, window: Any = None):
        super().__init__(window.pages if window is not None and hasattr(window, "pages") else None)
        self.setObjectName("evidencePage")
        self.views = views
        profile = views.operator.profile
        self.touch = profile.touch
        self.gap = gap = round(profile.gap_px)
        # as wide as a finger's row of text under it needs ("Defect (pick_up)", score, time)
        self.thumb_side = max(
            round(profile.target_px * 3.6),
            round(value_px(profile) * 8),
            round(profile.font_px * 10.5),
        )
        self.setStyleSheet(vision_stylesheet(views))
        self.allowed = Allowed(views, REVIEW, lambda text: self.say(text, True), self)
        self.thumbs = ImageCache(self.thumb_side, parent=self)
        self.large = ImageCache(0, kept=8, parent=self)
        self.items: list[Any] = []
        self.item: Any = None
        self.camera: str | None = ANY
        self.order: str | None = ANY
        self.label: str | None = ANY
        self.result: str | None = ANY
        self.reviewed: bool | None = ANY
        outer = QVBoxLayout(self)
        outer.setContentsMargins(gap, gap, gap, gap)
        outer.setSpacing(gap)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack, 1)
        self.message = QLabel("", self)
        self.message.setObjectName("visionMessage")
        self.message.setWordWrap(True)
        self.message.setProperty("empty", True)
        outer.addWidget(self.message)
        self._build_list()
        self._build_item()
        self.thumbs.ready.connect(lambda _path: self.grid.viewport().update())
        self.large.ready.connect(self._large_ready)
        self.timer = QTimer(self)
        self.timer.setInterval(FOLLOW_MS)
        self.timer.timeout.connect(self.follow)
        self.retranslate()

    # -- building ------------------------------------------------------------------------

    def _build_list(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(self.gap)
        first, second = QHBoxLayout(), QHBoxLayout()
        first.setSpacing(self.gap)
        second.setSpacing(self.gap)
        self.camera_button = FitButton(page)
        self.camera_button.setObjectName("filterCamera")
        self.camera_button.clicked.connect(lambda _=False: self.choose_camera())
        self.order_button = FitButton(page)
        self.order_button.setObjectName("filterOrder")
        self.order_button.clicked.connect(lambda _=False: self.choose_order())
        self.label_button = FitButton(page)
        self.label_button.setObjectName("filterClass")
        self.label_button.clicked.connect(lambda _=False: self.choose_label())
        for button in (self.camera_button, self.order_button, self.label_button):
            first.addWidget(button, 1)
        self.score = ScoreRange(self)
        first.addWidget(self.score)
        self.result_choice = Segments([ANY, "defect", "good"], page)
        self.result_choice.setObjectName("filterResult")
        self.result_choice.chosen.connect(self._result_chosen)
        self.review_choice = Segments([ANY, False, True], page)
        self.review_choice.setObjectName("filterReviewed")
        self.review_choice.chosen.connect(self._review_chosen)
        second.addWidget(self.result_choice)
        second.addWidget(self.review_choice)
        second.addStretch(1)
        self.count = QLabel("", page)
        self.count.setProperty("note", True)
        second.addWidget(self.count)
        self.refresh_button = QPushButton("", page)
        self.refresh_button.setObjectName("evidenceRefresh")
        self.refresh_button.clicked.connect(lambda _=False: self.reload())
        second.addWidget(self.refresh_button)
        layout.addLayout(first)
        layout.addLayout(second)
        self.model = EvidenceModel(self)
        self.grid = QListView(page)
        self.grid.setObjectName("evidenceGrid")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setUniformItemSizes(True)
        self.grid.setLayoutMode(QListView.LayoutMode.Batched)
        self.grid.setBatchSize(120)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setModel(self.model)
        self.delegate = Thumbs(self)
        self.grid.setItemDelegate(self.delegate)
        self.grid.setSpacing(round(self.gap / 2))
        self.grid.clicked.connect(lambda index: self.open_row(index.row()))
        touch_scrolling(self.grid, self.views.operator.profile)
        layout.addWidget(self.grid, 1)
        self.stack.addWidget(page)
        self.list_page = page

    def _build_item(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(self.gap)
        top = QHBoxLayout()
        top.setSpacing(self.gap)
        self.back_button = QPushButton("", page)
        self.back_button.setObjectName("evidenceBack")
        self.back_button.clicked.connect(lambda _=False: self.show_list())
        self.item_title = QLabel("", page)
        self.item_title.setProperty("heading", True)
        self.previous_button = QPushButton("", page)
        self.previous_button.setObjectName("evidencePrevious")
        self.previous_button.clicked.connect(lambda _=False: self.step(-1))
        self.next_button = QPushButton("", page)
        self.next_button.setObjectName("evidenceNext")
        self.next_button.clicked.connect(lambda _=False: self.step(1))
        top.addWidget(self.back_button)
        top.addWidget(self.item_title, 1)
        top.addWidget(self.previous_button)
        top.addWidget(self.next_button)
        layout.addLayout(top)
        body = QHBoxLayout()
        body.setSpacing(self.gap)
        theme, profile = self.views.operator.theme, self.views.operator.profile
        self.picture = OverlayView(theme, profile.font_px, page)
        self.picture.setObjectName("evidenceImage")
        body.addWidget(self.picture, 3)
        side = QFrame(page)
        side.setProperty("tile", True)
        facts = QVBoxLayout(side)
        facts.setSpacing(self.gap)
        self.verdict = QLabel("", side)
        self.verdict.setProperty("verdict", True)
        self.verdict.setObjectName("evidenceVerdict")
        facts.addWidget(self.verdict)
        grid, self.fact_names, self.facts = fact_rows(
            side, ("score", "order", "camera", "time", "model", "boxes"), self.gap
        )
        facts.addLayout(grid)
        self.review_words = QLabel("", side)
        self.review_words.setObjectName("evidenceReview")
        self.review_words.setWordWrap(True)
        facts.addWidget(self.review_words)
        facts.addStretch(1)
        buttons = QHBoxLayout()
        buttons.setSpacing(self.gap * 2)
        self.confirm_button = QPushButton("", side)
        self.confirm_button.setObjectName("evidenceConfirm")
        self.confirm_button.clicked.connect(lambda _=False: self.confirm())
        self.overrule_button = QPushButton("", side)
        self.overrule_button.setObjectName("evidenceOverrule")
        self.overrule_button.clicked.connect(lambda _=False: self.ask_overrule())
        buttons.addWidget(self.confirm_button, 1)
        buttons.addWidget(self.overrule_button, 1)
        facts.addLayout(buttons)
        self.allowed.add(self.confirm_button, self._nothing_open)
        self.allowed.add(self.overrule_button, self._nothing_open)
        scroll = QScrollArea(page)  # a long review note never pushes the buttons away
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(side)
        body.addWidget(scroll, 2)
        layout.addLayout(body, 1)
        self.stack.addWidget(page)
        self.item_page = page

    def _nothing_open(self) -> str | None:
        return None if self.item is not None else translate("Vision", "Open an image first")

    # -- the list ------------------------------------------------------------------------

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.reload()
        self.timer.start()

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self.timer.stop()

    def follow(self) -> bool:
        """New images appear at the top while the list is looked at from its top; a list
        scrolled down, or an item open, stays as it is (Refresh brings it up to date)."""
        if (
            self.stack.currentWidget() is not self.list_page
            or self.grid.verticalScrollBar().value()
        ):
            return False
        try:
            items = list(self.service.evidence(**self.query()))
        except Exception:
            return False
        if [(i.camera, i.stem, i.review) for i in items] == [
            (i.camera, i.stem, i.review) for i in self.items
        ]:
            return False
        self.items = items
        self.model.set_items(items)
        self.retranslate()
        return True

    def query(self) -> dict[str, Any]:
        low, high = self.score.limits
        return {
            "camera": self.camera,
            "order": self.order,
            "result": self.result,
            "label": self.label,
            "min_score": low,
            "max_score": high,
            "reviewed": self.reviewed,
            "limit": LIMIT,
        }

    def reload(self) -> list[Any]:
        """Ask the service again with the filters chosen (newest first)."""
        try:
            self.items = list(self.service.evidence(**self.query()))
        except Exception as error:  # a folder gone: said, the page stays
            self.items = []
            self.say(
                translate("Vision", "The evidence cannot be read: {why}").format(why=error), True
            )
        self.model.set_items(self.items)
        self.retranslate()
        return self.items

    def choose_camera(self) -> QDialog:
        cameras = self._choices("camera")
        return self._choose(
            translate("Vision", "Which camera?"),
            [(ANY, translate("Vision", "All cameras")), *((c, c) for c in cameras)],
            self._camera_chosen,
        )

    def choose_order(self) -> QDialog:
        orders = self._choices("order")
        return self._choose(
            translate("Vision", "Which order?"),
            [(ANY, translate("Vision", "All orders")), *((o, o) for o in orders)],
            self._order_chosen,
            columns=4,
        )

    def choose_label(self) -> QDialog:
        labels = self._choices("label")
        return self._choose(
            translate("Vision", "Which class?"),
            [(ANY, translate("Vision", "All classes")), *((c, c) for c in labels)],
            self._label_chosen,
        )

    def _choices(self, key: str) -> list[str]:
        try:
            return [str(v) for v in self.service.evidence_choices().get(key, []) if v != ""]
        except Exception:
            return []

    def _choose(
        self, title: str, choices: list[tuple[Any, str]], then: Any, columns: int = 3
    ) -> QDialog:
        dialog = ChoiceDialog(title, choices, self, columns=columns)
        dialog.accepted.connect(lambda: then(dialog.value))
        return self.views.show_dialog(dialog, self)

    def _camera_chosen(self, value: str | None) -> None:
        self.camera = value
        self.reload()

    def _order_chosen(self, value: str | None) -> None:
        self.order = value
        self.reload()

    def _label_chosen(self, value: str | None) -> None:
        self.label = value
        self.reload()

    def _result_chosen(self, value: str | None) -> None:
        self.result = value
        self.reload()

    def _review_chosen(self, value: bool | None) -> None:
        self.reviewed = value
        self.reload()

    def set_filters(self, **chosen: Any) -> list[Any]:
        """Choose filters by name (camera, order, label, result, reviewed, min_score,
        max_score) and show what they find."""
        for key in ("camera", "order", "label", "result", "reviewed"):
            if key in chosen:
                setattr(self, key, chosen[key])
        self.result_choice.choose(self.result, quiet=True)
        self.review_choice.choose(self.reviewed, quiet=True)
        if "min_score" in chosen or "max_score" in chosen:
            self.score.set_range(chosen.get("min_score") or 0.0, chosen.get("max_score") or 1.0)
        return self.reload()

    def show_list(self) -> None:
        self.item = None
        self.stack.setCurrentWidget(self.list_page)
        self.allowed.refresh()
        self.retranslate()

    # -- one item ------------------------------------------------------------------------

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.items):
            self.open_item(self.items[row])

    def open_item(self, item: Any) -> None:
        self.item = item
        self.stack.setCurrentWidget(self.item_page)
        self._show_picture()
        self.show_item()
        self.allowed.refresh()

    def _show_picture(self) -> None:
        """The item's image whole with its overlays; read on a worker thread the first time."""
        item = self.item
        image = self.large.image(str(item.image))
        if image is None:
            self.picture.empty_text = translate("Vision", "Reading the image …")
        else:
            self.picture.empty_text = translate(
                "Vision", "The image cannot be read: {path}"
            ).format(path=item.image)
        self.picture.show_image(image if image is not None else QImage(), Overlays.of_item(item))

    def _large_ready(self, path: str) -> None:
        if self.item is not None and str(self.item.image) == path:
            self._show_picture()

    def position(self) -> int:
        keys = [(i.camera, i.stem) for i in self.items]
        item = self.item
        return (
            keys.index((item.camera, item.stem))
            if item and (item.camera, item.stem) in keys
            else -1
        )

    def step(self, step: int) -> None:
        here = self.position()
        if 0 <= here + step < len(self.items):
            self.open_item(self.items[here + step])

    def show_item(self) -> None:
        item = self.item
        if item is None:
            return
        self.item_title.setText(f"{item.camera} · {clock(item.ts, seconds=True)}")
        self.verdict.setText(result_text(*standing(item)))
        set_flag(self.verdict, "abnormal", standing(item)[0] == "defect")  # as the live view
        boxes = (
            translate("Vision", "{n} found").format(n=len(item.boxes))
            if item.boxes
            else translate("Vision", "none")
        )
        values = {
            "score": against_limit(item.score, item.threshold),  # as the live view says it
            "order": item.order or translate("Vision", "no order running"),
            "camera": f"{item.camera} · {item.line}" if item.line else item.camera,
            "time": clock(item.ts, seconds=True),
            "model": translate("Vision", "{model}: decided {result}").format(
                model=item.model or "—", result=result_text(*model_decision(item))
            )
            if standing(item) != (item.result, item.label)
            else item.model or "—",
            "boxes": boxes,
        }
        for key, value in values.items():
            self.facts[key].setText(value)
        self.review_words.setText(review_text(item.review))
        here = self.position()
        self.previous_button.setEnabled(here > 0)
        self.next_button.setEnabled(0 <= here < len(self.items) - 1)

    # -- reviewing -----------------------------------------------------------------------

    def confirm(self) -> Any:
        item = self.item
        if item is None:
            return None
        return self._review(item, "confirm", None)

    def overrule_choices(self, item: Any) -> list[str]:
        """What an overrule may make of the model's decision: good for a defect; for a good
        part, the defect classes of the model that decided it."""
        if model_decision(item)[0] == "defect":
            return ["good"]
        classes: list[str] = []
        try:
            for entry in self.service.models():
                if entry.name == item.model and entry.info is not None:
                    info = entry.info
                    classes = [c for c in info.labels if c in info.defect_classes]
        except Exception:
            classes = []
        return classes or ["defect"]

    def ask_overrule(self) -> QDialog | None:
        item = self.item
        if item is None:
            return None
        reason = self.allowed.refusal()
        if reason:
            self.say(reason, True)
            return None
        choices = self.overrule_choices(item)
        question = translate(
            "Vision", "Overrule: {camera} at {time} was decided {result}. What is it?"
        ).format(
            camera=item.camera,
            time=clock(item.ts, seconds=True),
            result=result_text(*model_decision(item)),
        )
        detail = (
            translate("Vision", "Order {order}: one piece moves between good and scrap.").format(
                order=item.order
            )
            if item.order
            else translate("Vision", "No order was running: no count changes.")
        )
        words = [
            (
                c,
                translate("Vision", "Good")
                if c == "good"
                else f"{translate('Vision', 'Defect')}: {c}",
            )
            for c in choices
        ]
        dialog = ChoiceDialog(question, words, self, columns=min(3, len(words)), detail=detail)
        dialog.setObjectName("overruleDialog")
        dialog.accepted.connect(lambda: self.overrule(dialog.value))
        return self.views.show_dialog(dialog, self)

    def overrule(self, label: str) -> Any:
        item = self.item
        if item is None:
            return None
        return self._review(item, "overrule", label)

    def _review(self, item: Any, verdict: str, label: str | None) -> Any:
        what = (
            translate("Vision", "Confirm the decision {result} of {camera} at {time}")
            if verdict == "confirm"
            else translate("Vision", "Overrule the decision {result} of {camera} at {time}")
        ).format(
            result=result_text(*model_decision(item)),
            camera=item.camera,
            time=clock(item.ts, True),
        )
        done: list[Any] = []

        def act() -> Any:
            try:
                review = self.service.review(
                    item.camera, item.stem, verdict, self.views.user(), label=label
                )
            except Exception as error:  # refused or impossible: in its words
                self.say(str(error), True)
                return None
            done.append(review)
            self.reviewed_now(item, review)
            return review

        outcome = signed(
            self.views, REVIEW, item.camera, what, self, act, lambda reason: self.say(reason, True)
        )
        return done[0] if done else outcome if isinstance(outcome, QDialog) else None

    def reviewed_now(self, item: Any, review: Any) -> None:
        """The review is kept: the list asked again, the item shown as it stands now."""
        self.say(review_result_text(item, review), False)
        self.reload()
        key = (item.camera, item.stem)
        now = next((i for i in self.items if (i.camera, i.stem) == key), None)
        if now is None:  # filtered out now (reviewed, or no longer that result): as it is
            now = dataclasses.replace(item, review=review, result=review.result, label=review.label)
        self.open_item(now)

    # -- the gallery ---------------------------------------------------------------------

    def showcase(self, window: Any) -> list[tuple[str, Any, Any]]:
        """For ``hmi gallery``: the newest defect opened large, and the overrule's question
        over it (only asked: a showcase reviews nothing)."""

        def newest_defect() -> Any:
            open_page(self.views, window, "inspection")
            items = self.set_filters(result="defect") or self.set_filters(result=None)
            if not items:
                return None
            self.open_item(items[0])
            self.large.wait(5000)
            return []

        def overrule() -> Any:
            shown = newest_defect()
            return None if shown is None else [self.ask_overrule()]

        def close(opened: Any) -> None:
            for widget in opened or ():
                if isinstance(widget, QDialog):
                    widget.reject()
            self.set_filters(result=None)
            self.show_list()
            window.close_page()

        return [("vision-evidence-item", newest_defect, close), ("vision-review", overrule, close)]

    # -- words ---------------------------------------------------------------------------

    def say(self, text: str, problem: bool = False) -> None:
        self.message.setText(text)
        set_flag(self.message, "problem", problem)
        set_flag(self.message, "empty", not text)

    def retranslate(self) -> None:
        self.delegate.words.clear()  # the tiles' words, in today's language
        self.camera_button.set_words(
            translate("Vision", "Camera: {name}").format(name=self.camera)
            if self.camera
            else translate("Vision", "All cameras")
        )
        self.order_button.set_words(
            translate("Vision", "Order: {number}").format(number=self.order)
            if self.order
            else translate("Vision", "All orders")
        )
        self.label_button.set_words(
            translate("Vision", "Class: {name}").format(name=self.label)
            if self.label
            else translate("Vision", "All classes")
        )
        self.score.title.setText(translate("Vision", "Score"))
        self.result_choice.set_words(
            [translate("Vision", "All"), translate("Vision", "Defect"), translate("Vision", "Good")]
        )
        self.review_choice.set_words(
            [
                translate("Vision", "All"),
                translate("Vision", "To review"),
                translate("Vision", "Reviewed"),
            ]
        )
        shown = len(self.items)
        self.count.setText(
            translate("Vision", "{n} images (newest {limit})").format(n=shown, limit=LIMIT)
            if shown >= LIMIT
            else translate("Vision", "{n} images").format(n=shown)
        )
        self.refresh_button.setText(translate("Vision", "⟳ Refresh"))
        self.back_button.setText(translate("Vision", "◀ All images"))
        self.previous_button.setText(translate("Vision", "◀ Newer"))
        self.next_button.setText(translate("Vision", "Older ▶"))
        self.confirm_button.setText(translate("Vision", "✓ Confirm"))
        self.overrule_button.setText(translate("Vision", "⇄ Overrule…"))
        names = {
            "score": translate("Vision", "Score / limit"),
            "order": translate("Vision", "Order"),
            "camera": translate("Vision", "Camera"),
            "time": translate("Vision", "Time"),
            "model": translate("Vision", "Model"),
            "boxes": translate("Vision", "Boxes"),
        }
        for key, label in self.fact_names.items():
            label.setText(names[key])
        if self.item is not None:
            self.show_item()

    def changeEvent(self, event: Any) -> None:
        super().changeEvent(event)
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()


def standing(item: Any) -> tuple[str, str]:
    """The result and class an item stands at: a person's review, else the model's."""
    review = item.review
    return (review.result, review.label) if review is not None else (item.result, item.label)


def model_decision(item: Any) -> tuple[str, str]:
    """What the model decided, whatever a person made of it since."""
    review = item.review
    if review is None or review.verdict != "overruled" or item.result != review.result:
        return item.result, item.label
    return ("good" if review.result == "defect" else "defect"), ""


def review_text(review: Any) -> str:
    """The review an item had, in words; that it has none yet."""
    if review is None:
        return translate("Vision", "Not reviewed yet.")
    if review.verdict == "confirmed":
        text = translate("Vision", "Confirmed by {user} at {time}.")
    else:
        text = translate("Vision", "Overruled by {user} at {time}: now {result}.")
    text = text.format(
        user=review.user, time=clock(review.ts), result=result_text(review.result, review.label)
    )
    numbers = correction_numbers(review.correction)
    if numbers is not None:
        text += " " + translate(
            "Vision", "Order {order} corrected: {good} good, {scrap} scrap."
        ).format(order=numbers[0], good=numbers[1], scrap=numbers[2])
    elif review.correction:
        text += " " + review.correction
    problem = getattr(review, "problem", "")
    if problem:
        text += " " + translate("Vision", "No order corrected: {why}.").format(why=problem)
    if review.note:
        text += f"\n{review.note}"
    return text


def review_result_text(item: Any, review: Any) -> str:
    """What a review did, in one sentence ("Overruled: order 4711 now 121 good, 4 scrap")."""
    if review.verdict == "confirmed":
        return translate("Vision", "Confirmed: {result} on {camera} at {time}").format(
            result=result_text(review.result, review.label),
            camera=item.camera,
            time=clock(item.ts, True),
        )
    numbers = correction_numbers(review.correction)
    if numbers is not None:
        return translate(
            "Vision", "Overruled: order {order} now {good} good, {scrap} scrap"
        ).format(order=numbers[0], good=numbers[1], scrap=numbers[2])
    if item.order:
        return translate(
            "Vision", "Overruled: now {result}; order {order} could not be corrected"
        ).format(result=result_text(review.result, review.label), order=item.order)
    return translate("Vision", "Overruled: now {result}; no order to correct").format(
        result=result_text(review.result, review.label)
    )
