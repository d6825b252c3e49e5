"""The engineer's model page: every model the station knows, what it is and expects (kind,
labels, defect classes, threshold, hash, and each setting with where it came from — an
*inferred* colour order or scale is marked, since a wrong one fails silently), which
cameras inspect with it; adding a model file, a test run on sample images (on a worker
thread, with the confusion table, false-accept and false-reject rates), and switching a
camera to a model, confirmed with the camera, the old and the new model named and signed
where the project asks."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hmi.core.vision.capability import MANAGE
from hmi.ui.dialogs import ConfirmDialog
from hmi.ui.i18n import translate
from hmi.ui.notice import set_flag

from .review import (
    Allowed,
    ChoiceDialog,
    FitButton,
    clock,
    fact_rows,
    open_page,
    pieces,
    signed,
    touch_scrolling,
    vision_stylesheet,
)

SETTING = re.compile(
    r"^(?P<name>[a-z_]+): (?P<value>.*) \((?P<source>sidecar|metadata|inferred)\)$"
)
SHORT_HASH = 12
SHOWCASE_TEST_S = 60.0  # the gallery waits this long at most for a test run


def settings_of(info: Any) -> tuple[list[tuple[str, str, str]], list[str]]:
    """A model's settings as (name, value, source) and the other lines of its description
    (inputs, outputs, notes)."""
    rows: list[tuple[str, str, str]] = []
    other: list[str] = []
    for line in info.describe():
        found = SETTING.match(line)
        if found:
            rows.append((found["name"], found["value"], found["source"]))
        elif not line.startswith("model:"):
            other.append(line)
    return rows, other


def source_text(source: str) -> str:
    return {
        "sidecar": translate("Vision", "sidecar file"),
        "metadata": translate("Vision", "model metadata"),
        "inferred": translate("Vision", "⚠ inferred — check"),
    }.get(source, source)


def percent(share: float) -> str:
    return f"{share * 100:.1f} %"


class TestWorker(QObject):
    """``service.test_model`` on a thread of its own; its progress and answer come back
    as signals on the GUI thread."""

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, service: Any, parent: QObject | None = None):
        super().__init__(parent)
        self.service = service
        self.thread: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def start(self, name: str, images: str | None = None, threshold: float | None = None) -> bool:
        if self.busy:
            return False
        self.thread = threading.Thread(
            target=self._run, args=(name, images, threshold), name="hmi-model-test", daemon=True
        )
        self.thread.start()
        return True

    def _run(self, name: str, images: str | None, threshold: float | None) -> None:
        try:
            run = self.service.test_model(
                name,
                images,
                threshold,
                progress=lambda done, total: self._emit(self.progress, done, total),
            )
        except Exception as error:
            self._emit(self.failed, str(error) or type(error).__name__)
            return
        self._emit(self.finished, run)

    @staticmethod
    def _emit(signal: Any, *args: Any) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the page was closed meanwhile
            pass


class ModelsPage(QWidget):
    """The models as a column of buttons, the chosen one's settings beside (see the
    module); a test run opens over the page."""

    @property
    def service(self) -> Any:
        """The views' vision service as it is now (``hmi gallery`` shows a rehearsal's)."""
        return self.views.service

    def __init__(self, views: Any, window: Any = None):
        super().__init__(window.pages if window is not None and hasattr(window, "pages") else None)
        self.setObjectName("modelsPage")
        self.views = views
        profile = views.operator.profile
        self.touch = profile.touch
        self.gap = gap = round(profile.gap_px)
        self.setStyleSheet(vision_stylesheet(views))
        self.allowed = Allowed(views, MANAGE, lambda text: self.say(text, True), self)
        self.entries: list[Any] = []
        self.chosen = ""
        self.run: Any = None  # the newest test run of the chosen model
        self.test_dialog: TestDialog | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(gap, gap, gap, gap)
        outer.setSpacing(gap)
        body = QHBoxLayout()
        body.setSpacing(gap)
        left = QVBoxLayout()
        left.setSpacing(gap)
        self.list_title = QLabel("", self)
        self.list_title.setProperty("heading", True)
        left.addWidget(self.list_title)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setObjectName("visionScroll")
        touch_scrolling(scroll, profile)
        holder = QWidget(scroll)
        holder.setObjectName("visionColumn")
        self.model_column = QVBoxLayout(holder)
        self.model_column.setContentsMargins(0, 0, 0, 0)
        self.model_column.setSpacing(gap)
        self.model_column.addStretch(1)
        scroll.setWidget(holder)
        left.addWidget(scroll, 1)
        self.model_buttons: dict[str, FitButton] = {}
        self.add_button = QPushButton("", self)
        self.add_button.setObjectName("modelAdd")
        self.add_button.clicked.connect(lambda _=False: self.ask_add())
        self.allowed.add(self.add_button)
        left.addWidget(self.add_button)
        body.addLayout(left, 2)
        body.addWidget(self._build_detail(), 5)
        outer.addLayout(body, 1)
        self.message = QLabel("", self)
        self.message.setObjectName("visionMessage")
        self.message.setWordWrap(True)
        self.message.setProperty("empty", True)
        outer.addWidget(self.message)
        self.retranslate()

    def _build_detail(self) -> QWidget:
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        touch_scrolling(scroll, self.views.operator.profile)
        box = QFrame(scroll)
        box.setProperty("tile", True)
        scroll.setWidget(box)
        layout = QVBoxLayout(box)
        layout.setSpacing(self.gap)
        top = QHBoxLayout()
        top.setSpacing(self.gap)
        self.name = QLabel("", box)
        self.name.setObjectName("modelTitle")
        self.name.setProperty("heading", True)
        top.addWidget(self.name, 1)
        self.test_button = QPushButton("", box)
        self.test_button.setObjectName("modelTest")
        self.test_button.clicked.connect(lambda _=False: self.test())
        self.use_button = QPushButton("", box)
        self.use_button.setObjectName("modelUse")
        self.use_button.clicked.connect(lambda _=False: self.ask_use())
        self.allowed.add(self.use_button, self._cannot_use)
        top.addWidget(self.test_button)
        top.addWidget(self.use_button)
        layout.addLayout(top)
        self.error = QLabel("", box)
        self.error.setObjectName("modelError")
        self.error.setProperty("inferred", True)
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        grid, self.fact_names, self.facts = fact_rows(
            box, ("cameras", "sha256", "file", "origin", "tested"), self.gap
        )
        layout.addLayout(grid)
        self.settings_title = QLabel("", box)
        self.settings_title.setProperty("heading", True)
        layout.addWidget(self.settings_title)
        self.settings = QGridLayout()
        self.settings.setHorizontalSpacing(self.gap * 2)
        self.settings.setVerticalSpacing(round(self.gap / 2))
        self.settings.setColumnStretch(3, 1)  # the source right beside its value
        layout.addLayout(self.settings)
        self.setting_labels: list[QLabel] = []
        self.tensors = QLabel("", box)
        self.tensors.setProperty("note", True)
        self.tensors.setWordWrap(True)
        layout.addWidget(self.tensors)
        layout.addStretch(1)
        return scroll

    # -- showing -------------------------------------------------------------------------

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> list[Any]:
        try:
            self.entries = list(self.service.models())
        except Exception as error:
            self.entries = []
            self.say(str(error), True)
        for button in self.model_buttons.values():
            button.deleteLater()
        self.model_buttons = {}
        for n, entry in enumerate(self.entries):
            button = FitButton(self)
            button.set_words(self.row_text(entry))
            button.setObjectName(f"model_{entry.name}")
            button.setCheckable(True)
            button.setProperty("toggle", True)
            button.setStyleSheet("text-align: left;")
            button.clicked.connect(lambda _=False, name=entry.name: self.choose(name))
            self.model_column.insertWidget(n, button)
            self.model_buttons[entry.name] = button
        names = [e.name for e in self.entries]
        if self.chosen not in names:
            self.chosen = names[0] if names else ""
        self.choose(self.chosen)
        return self.entries

    def row_text(self, entry: Any) -> str:
        kind = (
            entry.info.kind if entry.info is not None else translate("Vision", "cannot be loaded")
        )
        used = (
            translate("Vision", "used by {cameras}").format(cameras=", ".join(entry.cameras))
            if entry.cameras
            else translate("Vision", "not in use")
        )
        return f"{entry.name}\n{kind}\n{used}"

    def entry(self, name: str | None = None) -> Any:
        name = self.chosen if name is None else name
        return next((e for e in self.entries if e.name == name), None)

    def choose(self, name: str) -> None:
        if name != self.chosen:
            self.run = None
        self.chosen = name
        for key, button in self.model_buttons.items():
            button.setChecked(key == name)
        self.show_entry()

    def show_entry(self) -> None:
        entry = self.entry()
        info = entry.info if entry is not None else None
        self.name.setText(entry.name if entry is not None else translate("Vision", "No models"))
        self.error.setText(
            translate("Vision", "This model cannot be used: {why}").format(why=entry.error)
            if entry is not None and entry.error
            else ""
        )
        self.error.setVisible(bool(entry is not None and entry.error))
        dash = "—"
        run = self.run
        values = {
            "cameras": ", ".join(entry.cameras)
            if entry and entry.cameras
            else translate("Vision", "none"),
            "sha256": (info.sha256[:SHORT_HASH] + "…") if info else dash,
            "file": str(entry.path) if entry else dash,
            "origin": self.origin_text(entry) if entry else dash,
            "tested": translate("Vision", "{accuracy} right on {n} images").format(
                accuracy=percent(run.accuracy), n=run.images
            )
            if run is not None
            else translate("Vision", "not yet"),
        }
        for key, value in values.items():
            self.facts[key].setText(value)
            if key == "sha256" and info is not None:
                self.facts[key].setToolTip(info.sha256)
        self._show_settings(info)
        self.allowed.refresh()
        self.test_button.setEnabled(entry is not None and not entry.error)

    def origin_text(self, entry: Any) -> str:
        if entry.origin == "added":
            return translate("Vision", "added at this station by {user}, {time}").format(
                user=entry.added_by or "—", time=clock(entry.added_ts) if entry.added_ts else "—"
            )
        return translate("Vision", "from the project")

    def _show_settings(self, info: Any) -> None:
        for label in self.setting_labels:
            label.deleteLater()
        self.setting_labels = []
        if info is None:
            self.tensors.setText("")
            return
        rows, other = settings_of(info)
        parent = self.settings_title.parentWidget()
        for n, (name, value, source) in enumerate(rows):
            cells = (
                QLabel(name.replace("_", " "), parent),
                QLabel(value, parent),
                QLabel(source_text(source), parent),
            )
            cells[1].setProperty("fact", True)
            cells[1].setWordWrap(True)
            if source == "inferred":
                cells[2].setProperty("inferred", True)
                cells[2].setObjectName(f"inferred_{name}")
            else:
                cells[2].setProperty("note", True)
            for column, cell in enumerate(cells):
                self.settings.addWidget(cell, n, column, Qt.AlignmentFlag.AlignTop)
                self.setting_labels.append(cell)
        self.tensors.setText("\n".join(other))

    def inferred(self) -> list[str]:
        """The settings of the chosen model that nothing stated (for the engineer to check)."""
        entry = self.entry()
        if entry is None or entry.info is None:
            return []
        return [name for name, _, source in settings_of(entry.info)[0] if source == "inferred"]

    # -- adding --------------------------------------------------------------------------

    def ask_add(self) -> QDialog | None:
        reason = self.allowed.refusal()
        if reason:
            self.say(reason, True)
            return None
        dialog = AddModelDialog(self, parent=self)
        return self.views.show_dialog(dialog, self)

    def add(self, path: str, name: str) -> Any:
        """``service.add_model``; the error in its words (nothing added) or the new entry."""
        try:
            entry = self.service.add_model(path, name, self.views.user())
        except Exception as error:
            return str(error) or type(error).__name__
        self.chosen = entry.name
        self.refresh()
        self.say(
            translate("Vision", "Model {name} added: {kind}").format(
                name=entry.name, kind=entry.info.kind if entry.info else "?"
            )
        )
        return entry

    # -- testing -------------------------------------------------------------------------

    def test(self, images: str | None = None) -> TestDialog | None:
        """The chosen model on its sample images, on a worker thread, in a dialog that
        shows it working and then the confusion table."""
        entry = self.entry()
        if entry is None or entry.error:
            return None
        dialog = TestDialog(self, entry, parent=self)
        dialog.tested.connect(self._tested)
        self.test_dialog = dialog
        self.views.show_dialog(dialog, self)
        dialog.start(images)
        return dialog

    def _tested(self, run: Any) -> None:
        if run.model == self.chosen:
            self.run = run
        self.show_entry()

    # -- switching a camera --------------------------------------------------------------

    def cameras(self) -> dict[str, str]:
        """Each camera and the model it inspects with now."""
        using = {camera: e.name for e in self.entries for camera in e.cameras}
        try:
            names = list(self.service.cameras_of())
        except Exception:
            names = list(using)
        return {camera: using.get(camera, "") for camera in names}

    def _cannot_use(self) -> str | None:
        entry = self.entry()
        if entry is None:
            return translate("Vision", "Choose a model first")
        if entry.error:
            return translate("Vision", "This model cannot be used: {why}").format(why=entry.error)
        if all(model == entry.name for model in self.cameras().values()):
            return translate("Vision", "Every camera inspects with {name} already").format(
                name=entry.name
            )
        return None

    def ask_use(self) -> QDialog | None:
        reason = self.allowed.refusal() or self._cannot_use()
        if reason:
            self.say(reason, True)
            return None
        entry = self.entry()
        cameras = self.cameras()
        choices = [
            (camera, f"{camera}\n{translate('Vision', 'now: {model}').format(model=model or '—')}")
            for camera, model in cameras.items()
        ]
        dialog = ChoiceDialog(
            translate("Vision", "Which camera inspects with {name} from now on?").format(
                name=entry.name
            ),
            choices,
            self,
            columns=3,
        )
        dialog.setObjectName("useOnCamera")
        for camera, model in cameras.items():
            if model == entry.name:
                dialog.buttons[camera].setEnabled(False)
        dialog.accepted.connect(lambda: self.ask_switch(dialog.value))
        return self.views.show_dialog(dialog, self)

    def ask_switch(self, camera: str) -> QDialog:
        """ "Camera press_cam: model surface → surface2?" before anything changes."""
        entry = self.entry()
        old = self.cameras().get(camera, "") or "—"
        question = translate("Vision", "Camera {camera}: model {old} → {new}?").format(
            camera=camera, old=old, new=entry.name
        )
        detail = translate(
            "Vision",
            "The next parts are inspected with {new}; the switch is kept in the audit trail.",
        ).format(new=entry.name)
        dialog = ConfirmDialog(question, detail, translate("Vision", "Switch model"), self)
        dialog.setObjectName("confirmSwitch")
        dialog.accepted.connect(lambda: self.switch(camera, entry.name, question))
        return self.views.show_dialog(dialog, self)

    def switch(self, camera: str, model: str, what: str = "") -> Any:
        def act() -> bool:
            try:
                self.service.set_model(camera, model, self.views.user())
            except Exception as error:
                self.say(str(error), True)
                return False
            self.say(
                translate("Vision", "{camera} inspects with {model} from now on").format(
                    camera=camera, model=model
                )
            )
            self.refresh()
            return True

        return signed(
            self.views,
            MANAGE,
            camera,
            what or model,
            self,
            act,
            lambda reason: self.say(reason, True),
        )

    # -- the gallery ---------------------------------------------------------------------

    def showcase(self, window: Any) -> list[tuple[str, Any, Any]]:
        """For ``hmi gallery``: the first model's test run, done (the test decides sample
        images on a session of its own; nothing of the station changes)."""

        def tested() -> Any:
            open_page(self.views, window, "models")
            dialog = self.test()
            if dialog is None:
                return None
            deadline = time.monotonic() + SHOWCASE_TEST_S
            while dialog.working and time.monotonic() < deadline:
                QApplication.processEvents()
                time.sleep(0.02)
            QApplication.processEvents()
            return [dialog]

        def close(opened: Any) -> None:
            for widget in opened or ():
                widget.reject()
            window.close_page()

        return [("vision-model-test", tested, close)]

    # -- words ---------------------------------------------------------------------------

    def say(self, text: str, problem: bool = False) -> None:
        self.message.setText(text)
        set_flag(self.message, "problem", problem)
        set_flag(self.message, "empty", not text)

    def retranslate(self) -> None:
        self.list_title.setText(translate("Vision", "Models"))
        self.add_button.setText(translate("Vision", "+ Add model…"))
        self.test_button.setText(translate("Vision", "Test on samples"))
        self.use_button.setText(translate("Vision", "Use on camera…"))
        self.settings_title.setText(translate("Vision", "Settings and where each comes from"))
        names = {
            "cameras": translate("Vision", "Cameras using it"),
            "sha256": "SHA-256",
            "file": translate("Vision", "File"),
            "origin": translate("Vision", "Origin"),
            "tested": translate("Vision", "Last test"),
        }
        for key, label in self.fact_names.items():
            label.setText(names[key])
        for name, button in self.model_buttons.items():
            entry = self.entry(name)
            if entry is not None:
                button.set_words(self.row_text(entry))
        if self.entries:
            self.show_entry()

    def changeEvent(self, event: Any) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()


class TestDialog(QDialog):
    """One model tested on sample images: working (a moving bar, then n of m), then the
    confusion table (truly good/defect × decided good/defect, the mistakes in bold), the
    false-accept and false-reject rates, accuracy, images and time per image."""

    tested = Signal(object)

    def __init__(self, page: ModelsPage, entry: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("testDialog")
        self.page, self.entry = page, entry
        self.run: Any = None
        self.problem = ""
        profile = page.views.operator.profile
        gap = round(profile.gap_px)
        self.figure_px = round(profile.font_px * 1.5)  # the figures at value size
        self.worker = TestWorker(page.service, self)
        self.worker.progress.connect(self._progress)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        layout = QVBoxLayout(self)
        layout.setSpacing(gap)
        self.title = QLabel(translate("Vision", "Test run of {name}").format(name=entry.name), self)
        self.title.setObjectName("dialogTitle")
        layout.addWidget(self.title)
        self.busy = QProgressBar(self)
        self.busy.setObjectName("testBusy")
        self.busy.setTextVisible(True)
        self.busy.setMinimumWidth(round(profile.target_px * 12))
        layout.addWidget(self.busy)
        self.result = QWidget(self)
        row = QHBoxLayout(self.result)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(gap * 3)
        self.table = QGridLayout()  # filled when the run is done: a row per class seen
        self.table.setHorizontalSpacing(gap)
        self.table.setVerticalSpacing(round(gap / 2))
        self.cells: dict[tuple[str, str], QLabel] = {}
        self.counts: dict[str, dict[str, int]] = {}
        table = self.table
        row.addLayout(table)
        row.setAlignment(table, Qt.AlignmentFlag.AlignTop)
        figures = QGridLayout()
        figures.setHorizontalSpacing(gap * 2)
        self.figures: dict[str, QLabel] = {}
        names = {
            "far": translate("Vision", "False accept (defects passed)"),
            "frr": translate("Vision", "False reject (good scrapped)"),
            "accuracy": translate("Vision", "Accuracy"),
            "images": translate("Vision", "Images"),
            "speed": translate("Vision", "Time per image"),
            "threshold": translate("Vision", "Threshold"),
        }
        for n, (key, text) in enumerate(names.items()):
            value = QLabel("", self.result)
            value.setProperty("fact", True)
            figures.addWidget(QLabel(text, self.result), n, 0)
            figures.addWidget(value, n, 1)
            self.figures[key] = value
        row.addLayout(figures)
        row.setAlignment(figures, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.result)
        self.result.hide()
        self.note = QLabel("", self)
        self.note.setWordWrap(True)
        self.note.setProperty("note", True)
        layout.addWidget(self.note)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        self.close_button = QPushButton(translate("Vision", "Close"), self)
        self.close_button.setObjectName("cancelButton")
        self.close_button.clicked.connect(self.reject)
        bottom.addWidget(self.close_button)
        layout.addLayout(bottom)

    def start(self, images: str | None = None) -> bool:
        self.busy.setRange(0, 0)  # moving until the first image is decided
        self.busy.setFormat(translate("Vision", "Testing {name} …").format(name=self.entry.name))
        self.busy.show()
        return self.worker.start(self.entry.name, images)

    def fit(self) -> None:
        """Grown by the table: as large as it needs, within its window and over its middle."""
        window = self.parentWidget().window() if self.parentWidget() is not None else None
        self.adjustSize()
        if window is None:
            return
        room = window.geometry()
        self.resize(min(self.width(), room.width()), min(self.height(), room.height()))
        place = room.center() - self.rect().center()
        place.setX(max(room.left(), min(place.x(), room.right() - self.width())))
        place.setY(max(room.top(), min(place.y(), room.bottom() - self.height())))
        self.move(place)

    def cells_of(self, key: str) -> dict[str, int]:
        """The numbers of a row of the table shown ("good", "defect", "class:scratch")."""
        return dict(self.counts[key])

    @property
    def working(self) -> bool:
        return self.worker.busy

    def _progress(self, done: int, total: int) -> None:
        self.busy.setRange(0, max(total, 1))
        self.busy.setValue(done)
        self.busy.setFormat(
            translate("Vision", "Testing: {done} of {total} images").format(done=done, total=total)
        )

    def _failed(self, why: str) -> None:
        self.busy.hide()
        self.problem = translate("Vision", "The test could not run: {why}").format(why=why)
        self.note.setText(self.problem)
        self.page.say(self.problem, True)

    def _cell(self, text: str, row: int, column: int, *, big: bool, mistake: bool) -> QLabel:
        cell = QLabel(text, self.result)
        cell.setAlignment(Qt.AlignmentFlag.AlignCenter)
        cell.setProperty("tile", True)
        size = self.figure_px if big else round(self.figure_px / 1.5)
        cell.setStyleSheet(
            f"font-size: {size}px; padding: 2px 16px;"
            + (
                " font-weight: bold; border: 3px solid palette(text);"
                if mistake and text != "0"
                else ""
            )
        )
        self.table.addWidget(cell, row, column)
        return cell

    def show_table(self, run: Any) -> None:
        """Truly good and truly defect against decided good and defect (large), then a
        row per class found in the samples (which defects pass)."""
        # here, not at start: evaluation brings OpenCV and onnxruntime to every project
        from hmi.core.vision.evaluation import is_defect

        heads = (translate("Vision", "Decided good"), translate("Vision", "Decided defect"))
        for column, text in enumerate(heads, start=1):
            head = QLabel(text, self.result)
            head.setProperty("heading", True)
            head.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.addWidget(head, 0, column)
        totals = {"good": {"good": 0, "defect": 0}, "defect": {"good": 0, "defect": 0}}
        for label, counts in run.confusion.items():
            truth = "defect" if is_defect(label) else "good"
            for decided in ("good", "defect"):
                totals[truth][decided] += int(counts.get(decided, 0))
        rows = [
            ("good", translate("Vision", "Truly good"), totals["good"], True),
            ("defect", translate("Vision", "Truly defect"), totals["defect"], True),
        ]
        classes = sorted(label for label in run.confusion if is_defect(label))
        if len(classes) > 1 or (classes and classes[0] != "defect"):
            rows += [(f"class:{c}", f"   {c}", run.confusion[c], False) for c in classes]
        for r, (key, title, counts, big) in enumerate(rows, start=1):
            head = QLabel(title, self.result)
            head.setProperty("heading" if big else "note", True)
            self.table.addWidget(head, r, 0)
            truth = "good" if key == "good" else "defect"
            self.counts[key] = {d: int(counts.get(d, 0)) for d in ("good", "defect")}
            for c, decided in enumerate(("good", "defect"), start=1):
                text = pieces(counts.get(decided, 0))
                cell = self._cell(text, r, c, big=big, mistake=truth != decided)
                cell.setObjectName(f"cell_{key}_{decided}")
                self.cells[(key, decided)] = cell

    def _finished(self, run: Any) -> None:
        self.run = run
        self.busy.hide()
        self.show_table(run)
        truly_defect, truly_good = self.cells_of("defect"), self.cells_of("good")
        passed, scrapped = truly_defect["good"], truly_good["defect"]
        self.figures["far"].setText(
            f"{percent(run.false_accept)} ({passed}/{sum(truly_defect.values())})"
        )
        self.figures["frr"].setText(
            f"{percent(run.false_reject)} ({scrapped}/{sum(truly_good.values())})"
        )
        self.figures["accuracy"].setText(percent(run.accuracy))
        self.figures["images"].setText(pieces(run.images))
        self.figures["speed"].setText(f"{run.ms_per_image:.1f} ms")
        self.figures["threshold"].setText(f"{run.threshold:g}")
        self.note.setText(
            translate("Vision", "{n} files not decided, e.g. {first}").format(
                n=len(run.unreadable), first=run.unreadable[0]
            )
            if run.unreadable
            else ""
        )
        self.result.show()
        self.fit()
        self.page.say(
            translate("Vision", "{name} tested on {n} images: {accuracy} right").format(
                name=run.model, n=run.images, accuracy=percent(run.accuracy)
            )
        )
        self.tested.emit(run)


class AddModelDialog(QDialog):
    """A model file and the name it goes by: a path field (typed on the touch panel's
    keyboard) and, on the desk, a file dialog beside it."""

    def __init__(self, page: ModelsPage, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("addModelDialog")
        self.page = page
        self.made: Any = None
        layout = QVBoxLayout(self)
        title = QLabel(translate("Vision", "Add a model"), self)
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        grid = QGridLayout()
        grid.addWidget(QLabel(translate("Vision", "ONNX file"), self), 0, 0)
        self.path = QLineEdit(self)
        self.path.setObjectName("modelPath")
        self.path.setPlaceholderText("/media/usb/model.onnx")
        self.path.textChanged.connect(self._path_changed)
        grid.addWidget(self.path, 0, 1)
        self.browse = QPushButton(translate("Vision", "Browse…"), self)
        self.browse.setObjectName("modelBrowse")
        self.browse.clicked.connect(lambda _=False: self.choose_file())
        self.browse.setVisible(not page.touch)
        grid.addWidget(self.browse, 0, 2)
        grid.addWidget(QLabel(translate("Vision", "Name"), self), 1, 0)
        self.name = QLineEdit(self)
        self.name.setObjectName("modelName")
        grid.addWidget(self.name, 1, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        self.problem = QLabel("", self)
        self.problem.setObjectName("addProblem")
        self.problem.setWordWrap(True)
        self.problem.setProperty("inferred", True)
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QHBoxLayout()
        buttons.setSpacing(24)
        cancel = QPushButton(translate("Dialogs", "Cancel"), self)
        cancel.setObjectName("cancelButton")
        cancel.clicked.connect(self.reject)
        self.add_button = QPushButton(translate("Vision", "Add"), self)
        self.add_button.setObjectName("confirmButton")
        self.add_button.clicked.connect(lambda _=False: self.add())
        buttons.addWidget(cancel)
        buttons.addWidget(self.add_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(round(page.views.operator.profile.target_px * 16))

    def choose_file(self) -> str:
        path, _ = QFileDialog.getOpenFileName(
            self, translate("Vision", "Add a model"), "", "ONNX (*.onnx)"
        )
        if path:
            self.path.setText(path)
        return path

    def _path_changed(self, text: str) -> None:
        stem = Path(text.strip()).stem
        if stem and (not self.name.text() or self.name.isModified() is False):
            self.name.setText(stem)

    def add(self) -> Any:
        path, name = self.path.text().strip(), self.name.text().strip()
        if not path or not name:
            self.show_problem(translate("Vision", "Give the model file and a name"))
            return None
        made = self.page.add(path, name)
        if isinstance(made, str):
            self.show_problem(made)
            return None
        self.made = made
        self.accept()
        return made

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
        self.adjustSize()  # the fields keep their height under a long message
