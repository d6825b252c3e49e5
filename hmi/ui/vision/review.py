"""What the inspection gallery and the model page share: evidence images loaded off the GUI
thread into a bounded cache, an image drawn large with its decision's overlays, touch-sized
choices, the permission a button needs shown on it, and actions signed where the project's
users section asks for a signature."""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QImageReader
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hmi.ui.i18n import refusal_text, translate
from hmi.ui.symbols.painting import format_number
from hmi.ui.theme import fill_stylesheet
from hmi.ui.writes import Permission

THUMBS_KEPT = 600  # thumbnails kept in memory (a few screens of the grid, ~40 MB at most)
LOADERS = 2  # threads reading images: the disk, not the CPU, is the limit

STYLE = """
QWidget#evidencePage, QWidget#modelsPage { background: @background; }
QFrame[tile="true"] { background: @panel; border: 1px solid @outline; }
QLabel[heading="true"] { font-weight: bold; }
QLabel[note="true"] { color: @text_dim; }
QLabel[fact="true"] { font-weight: bold; }
QLabel[verdict="true"] { font-weight: bold; border: 3px solid @outline; padding: 0 @px(8); }
QLabel[verdict="true"][abnormal="true"] { background: @alarm3; color: @alarm3_text; }
QLabel[inferred="true"] {
    font-weight: bold; border: 2px dashed @quality_mark; padding: 0 @px(4);
}
QLabel#visionMessage { background: @panel; padding: @px(6) @px(10); font-weight: bold; }
QLabel#visionMessage[problem="true"] { background: @running; color: @text_on_running; }
QLabel#visionMessage[empty="true"] { background: transparent; }
QPushButton[toggle="true"]:checked { background: @running; color: @text_on_running; }
QPushButton[segment="first"] { border-top-right-radius: 0; border-bottom-right-radius: 0; }
QPushButton[segment="middle"] {
    border-radius: 0; border-left-width: 0;
}
QPushButton[segment="last"] {
    border-top-left-radius: 0; border-bottom-left-radius: 0; border-left-width: 0;
}
QListView, QListWidget, QTableWidget { background: @panel; border: 1px solid @outline; }
QScrollArea#visionScroll, QWidget#visionColumn { background: transparent; }
QProgressBar {
    background: @entry; border: 1px solid @outline; color: @text; text-align: center;
    min-height: @px(28);
}
QProgressBar::chunk { background: @level; }
QListWidget::item:selected, QTableWidget::item:selected {
    background: @running; color: @text_on_running;
}
QHeaderView::section {
    background: @header; color: @text; font-weight: bold; border: 1px solid @normal_band;
}
"""


def value_px(profile: Any) -> int:
    """A value's text size: at least 22 px on the touch panel (labels keep the profile's)."""
    return max(22, round(profile.font_px * 1.15)) if profile.touch else round(profile.font_px)


def vision_stylesheet(views: Any) -> str:
    """The window's look for these pages (the views' own first), with ours on top."""
    operator = views.operator
    own = fill_stylesheet(STYLE, operator.theme, operator.profile.chrome_scale)
    sizes = (
        f'QLabel[fact="true"] {{ font-size: {value_px(operator.profile)}px; }}\n'
        f'QLabel[verdict="true"] {{ font-size: {round(value_px(operator.profile) * 1.4)}px; }}\n'
    )
    return (getattr(views, "stylesheet", "") or "") + "\n" + own + sizes


def clock(ts: float | None, seconds: bool = False) -> str:
    """A time of day, with the date when it is not today."""
    if not ts:
        return "—"
    when, today = time.localtime(ts), time.localtime()
    text = time.strftime("%H:%M:%S" if seconds else "%H:%M", when)
    if (when.tm_year, when.tm_yday) != (today.tm_year, today.tm_yday):
        text = time.strftime("%d/%m ", when) + text
    return text


def score_text(score: float | None) -> str:
    return "—" if score is None else f"{score:.2f}"


def result_text(result: str, label: str = "") -> str:
    """ "Defect (scratch)", "Good": the decision in words."""
    if result == "defect":
        word = translate("Vision", "Defect")
        return f"{word} ({label})" if label and label not in ("defect", "good") else word
    if result == "good":
        return translate("Vision", "Good")
    return translate("Vision", "Not inspected")


# -- images off the GUI thread -------------------------------------------------------------


class _Loaded(QObject):
    done = Signal(str, QImage)


def read_image(path: str, side: int) -> QImage:
    """The image at ``path``, decoded straight at ``side`` px (0: whole); null if not readable."""
    reader = QImageReader(path)
    size = reader.size()
    if size.isValid() and side:
        reader.setScaledSize(size.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()


class ImageCache(QObject):
    """Images (thumbnails of ``side`` px, or whole with 0) read on worker threads; the
    newest ``kept`` stay in memory. ``image(path)`` answers at once: the image, or None
    while it is read (``ready(path)`` says when it is there). The newest request is read
    first (the tiles on screen now, after a fast scroll) and requests the screen has long
    left are forgotten."""

    ready = Signal(str)

    def __init__(self, side: int, kept: int = THUMBS_KEPT, parent: QObject | None = None):
        super().__init__(parent)
        self.side, self.kept = side, kept
        self._images: OrderedDict[str, QImage] = OrderedDict()
        self._queue: deque[str] = deque()
        self._pending: set[str] = set()  # queued or being read
        self._busy = 0
        self._lock = threading.Condition()
        self._stopped = False
        self._threads: list[threading.Thread] = []
        self._loaded = _Loaded(self)
        self._loaded.done.connect(self._done)
        self.destroyed.connect(lambda *_: self.stop())

    def image(self, path: str) -> QImage | None:
        found = self._images.get(path)
        if found is not None:
            self._images.move_to_end(path)
            return found
        with self._lock:
            if path not in self._pending:
                self._pending.add(path)
                self._queue.append(path)
                while len(self._queue) > max(self.kept, 1):  # scrolled past long ago
                    self._pending.discard(self._queue.popleft())
                if len(self._threads) < LOADERS:
                    thread = threading.Thread(target=self._run, name="hmi-thumbs", daemon=True)
                    self._threads.append(thread)
                    thread.start()
                self._lock.notify()
        return None

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._stopped:
                    self._lock.wait()
                if self._stopped:
                    return
                path = self._queue.pop()  # the newest request first
                self._busy += 1
            image = read_image(path, self.side)
            with self._lock:
                self._busy -= 1
                self._lock.notify_all()
            try:
                self._loaded.done.emit(path, image)
            except RuntimeError:  # the page closed meanwhile
                return

    def _done(self, path: str, image: QImage) -> None:
        with self._lock:
            self._pending.discard(path)
        self._images[path] = image  # a null image too: the file is not readable, say so
        while len(self._images) > self.kept:
            self._images.popitem(last=False)
        self.ready.emit(path)

    def __len__(self) -> int:
        return len(self._images)

    def wait(self, ms: int = 5000) -> bool:
        """Until what was asked is read (for pictures and tests); False after ``ms``."""
        deadline = time.monotonic() + ms / 1000
        with self._lock:
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(min(left, 0.05))
        return True

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._queue.clear()
            self._lock.notify_all()


# -- touch-sized choices ---------------------------------------------------------------------


class Segments(QWidget):
    """One choice of a few, side by side as one control (no combo box: a finger-wide
    button each); ``chosen(value)`` when the operator picks one."""

    chosen = Signal(object)

    def __init__(self, values: Sequence[Any], parent: QWidget | None = None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.values = list(values)
        self.buttons: list[QPushButton] = []
        self.value: Any = self.values[0] if self.values else None
        for n, value in enumerate(self.values):
            button = QPushButton("", self)
            button.setCheckable(True)
            button.setProperty("toggle", True)
            place = "first" if n == 0 else "last" if n == len(self.values) - 1 else "middle"
            button.setProperty("segment", place if len(self.values) > 1 else None)
            button.clicked.connect(lambda _=False, v=value: self.choose(v))
            row.addWidget(button)
            self.buttons.append(button)
        self._mark()

    def set_words(self, words: Sequence[str]) -> None:
        for button, text in zip(self.buttons, words, strict=False):
            button.setText(text)

    def choose(self, value: Any, quiet: bool = False) -> None:
        self.value = value
        self._mark()
        if not quiet:
            self.chosen.emit(value)

    def _mark(self) -> None:
        for button, value in zip(self.buttons, self.values, strict=True):
            button.setChecked(value == self.value)


class FitButton(QPushButton):
    """A button whose words end in "…" where its share of the row is too narrow (a long
    camera name, a longer language), never cut at both ends nor widening the row."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("", parent)
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def set_words(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(text)
        self._fit()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        metrics = self.fontMetrics()
        room = self.width() - 2 * metrics.averageCharWidth()
        lines = self.full_text.split("\n")  # each line shortened on its own
        self.setText(
            "\n".join(metrics.elidedText(t, Qt.TextElideMode.ElideRight, room) for t in lines)
        )


class ChoiceDialog(QDialog):
    """A list of choices as finger-high buttons, in columns; ``value`` is the one touched."""

    def __init__(
        self,
        title: str,
        choices: Sequence[tuple[Any, str]],
        parent: QWidget | None = None,
        columns: int = 3,
        detail: str = "",
    ):
        super().__init__(parent)
        self.setObjectName("visionChoice")
        self.value: Any = None
        layout = QVBoxLayout(self)
        self.title = QLabel(title, self)
        self.title.setObjectName("dialogTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        if detail:
            note = QLabel(detail, self)
            note.setWordWrap(True)
            note.setProperty("note", True)
            layout.addWidget(note)
        grid = QGridLayout()
        self.buttons: dict[Any, QPushButton] = {}
        for n, (value, words) in enumerate(choices):
            button = QPushButton(words, self)
            button.clicked.connect(lambda _=False, v=value: self.pick(v))
            grid.addWidget(button, n // columns, n % columns)
            self.buttons[value] = button
        layout.addLayout(grid)
        cancel = QPushButton(translate("Dialogs", "Cancel"), self)
        cancel.setObjectName("cancelButton")
        cancel.clicked.connect(self.reject)
        self.cancel_button = cancel
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(cancel)
        layout.addLayout(bottom)

    def pick(self, value: Any) -> None:
        self.value = value
        self.accept()


def fact_rows(
    parent: QWidget, keys: Sequence[str], gap: int
) -> tuple[QGridLayout, dict[str, QLabel], dict[str, QLabel]]:
    """Facts as rows of name and value (bold, wrapped, selectable), keyed; the names and
    values are filled by the caller (and again in another language)."""
    grid = QGridLayout()
    grid.setHorizontalSpacing(gap * 2)
    grid.setVerticalSpacing(round(gap / 2))
    names: dict[str, QLabel] = {}
    values: dict[str, QLabel] = {}
    for row, key in enumerate(keys):
        name, value = QLabel("", parent), QLabel("", parent)
        value.setProperty("fact", True)
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(value, row, 1)
        names[key], values[key] = name, value
    grid.setColumnStretch(1, 1)
    return grid, names, values


# -- who may ------------------------------------------------------------------------------


class Allowed(QObject):
    """Buttons that need ``permission``: greyed with the reason (naming the permission) as
    their tooltip while the station's user may not, re-checked when the user or the rules
    change; a touch on one greyed for it says why (``explain``)."""

    def __init__(
        self,
        views: Any,
        permission: str,
        explain: Callable[[str], object],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.views, self.permission = views, permission
        access = getattr(views.operator, "access", None)
        self.watcher = Permission(access, views.user, permission, parent=self)
        self.watcher.changed.connect(self.refresh)
        gate = getattr(views.operator, "gate", None)
        if gate is not None and hasattr(gate, "user_changed"):
            gate.user_changed.connect(lambda _name: self.refresh())
        self.explain = explain
        self._buttons: list[tuple[QAbstractButton, Callable[[], str | None]]] = []

    def refusal(self) -> str | None:
        reason = self.watcher.refusal()
        if not reason:
            return None
        if self.permission in reason:
            return reason
        return translate("Vision", "{reason} (needs the permission {permission})").format(
            reason=reason, permission=self.permission
        )

    def add(
        self, button: QAbstractButton, blocked: Callable[[], str | None] = lambda: None
    ) -> QAbstractButton:
        """``blocked()``: why the button cannot be used now for a reason of its own."""
        self._buttons.append((button, blocked))
        button.installEventFilter(self)
        self._mark(button, blocked)
        return button

    def _mark(self, button: QAbstractButton, blocked: Callable[[], str | None]) -> None:
        reason = self.refusal() or blocked()
        button.setEnabled(reason is None)
        button.setToolTip(reason or "")

    def refresh(self) -> None:
        for button, blocked in list(self._buttons):
            try:
                self._mark(button, blocked)
            except RuntimeError:  # closed with its page
                self._buttons = [b for b in self._buttons if b[0] is not button]

    def eventFilter(self, watched: QObject, event: Any) -> bool:
        from PySide6.QtCore import QEvent

        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(watched, QWidget)
            and not watched.isEnabled()
            and watched.toolTip()
        ):
            self.explain(watched.toolTip())
            return True
        return False


def open_page(views: Any, window: Any, key: str) -> Any:
    """Show page ``key`` the way the views placed it (the touch panel may hold both pages
    behind one navigation entry)."""
    opener = getattr(views, "open_page", None)
    return opener(window, key) if callable(opener) else window.open_page(key)


def touch_scrolling(area: Any, profile: Any) -> None:
    """On the touch panel a list or a page scrolls by dragging it, like a sheet of paper:
    no tiny scroll bar to hit."""
    if profile.touch:
        from PySide6.QtWidgets import QScroller

        QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)


def signed(
    views: Any,
    permission: str,
    target: str,
    what: str,
    parent: QWidget,
    action: Callable[[], object],
    refused: Callable[[str], object],
) -> Any:
    """Do ``action`` if the station's user may, after the signatures the project's users
    section asks for this permission on ``target``; ``refused(reason)`` otherwise."""
    operator = views.operator
    signatures = getattr(getattr(operator, "gate", None), "signatures", None)
    access = getattr(operator, "access", None)
    if signatures is not None and signatures.needed(permission, target):
        reason = signatures.refusal(permission, target)
        if reason:
            refused(refusal_text(reason) or reason)
            return None
        return signatures.ask(permission, target, what, parent, action)
    reason = access.refusal(views.user(), permission, target) if access is not None else None
    if reason:
        refused(refusal_text(reason) or reason)
        return None
    return action()


CORRECTION = re.compile(
    r"order (?P<order>.+?): good (?P<g0>\d+) -> (?P<good>\d+), scrap (?P<s0>\d+) -> (?P<scrap>\d+)"
)


def correction_numbers(correction: str) -> tuple[str, int, int] | None:
    """The order and its counts after a review's correction, from the service's words."""
    found = CORRECTION.search(correction or "")
    if found is None:
        return None
    return found["order"], int(found["good"]), int(found["scrap"])


def pieces(value: int | float | None) -> str:
    """A count: whole, grouped by thin spaces."""
    return "—" if value is None else format_number(round(value), None)
