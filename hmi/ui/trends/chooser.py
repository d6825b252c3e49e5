"""Choosing pens from the project's tags, and naming a view to save.

The tag browser groups tags by production line and filters them as the operator types a
part of a name or description. Rows are finger-sized on touch and scroll by dragging.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScroller,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hmi.core.project.models import DataType, Project, TagConfig
from hmi.core.trendviews import MAX_PENS
from hmi.ui.i18n import project_text, shown_tag, translate
from hmi.ui.profile import Profile


def line_of_tag(project: Project, tag: TagConfig) -> str:
    """The line a tag belongs to: its device's, else the prefix of its name if that is a
    line id (derived tags), else none."""
    device = project.devices.get(tag.device or "")
    if device is not None and device.line:
        return device.line
    prefix = tag.name.split(".", 1)[0]
    return prefix if prefix in project.lines else ""


def trendable(tag: TagConfig) -> bool:
    return tag.data_type is not DataType.STRING and not tag.name.startswith("_")


def dialog_style(profile: Profile, theme_panel: str, theme_text: str) -> str:
    target = round(profile.target_px)
    return (
        f"QTreeWidget::item {{ min-height: {target}px; }}"
        f"QPushButton {{ min-height: {target}px; min-width: {target * 2}px; }}"
        f"QLineEdit {{ min-height: {target}px; background: #FAFAFA; color: {theme_text}; }}"
        f"QDialog {{ background: {theme_panel}; }}"
    )


class TagBrowser(QDialog):
    """Tick up to eight tags; ``chosen()`` gives them, those already shown first."""

    def __init__(
        self,
        project: Project,
        current: Sequence[str],
        profile: Profile,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("trendTagBrowser")
        self.setWindowTitle(translate("Trend", "Choose pens"))
        self.project = project
        self._order = list(current)
        layout = QVBoxLayout(self)
        self.search = QLineEdit(self)
        self.search.setObjectName("tagSearch")
        self.search.setPlaceholderText(translate("Trend", "Search a tag name or description"))
        self.search.textChanged.connect(self.filter)
        layout.addWidget(self.search)
        self.count = QLabel(self)
        layout.addWidget(self.count)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(
            [
                translate("Trend", "Tag"),
                translate("Trend", "Description"),
                translate("Trend", "Units"),
            ]
        )
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.itemChanged.connect(self._changed)
        layout.addWidget(self.tree, 1)
        if profile.touch:
            QScroller.grabGesture(
                self.tree.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
            )
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton(translate("Trend", "Cancel"), self)
        cancel.clicked.connect(self.reject)
        ok = QPushButton(translate("Trend", "Show"), self)
        ok.setObjectName("choosePens")
        ok.setDefault(True)
        ok.clicked.connect(self.accept)
        buttons.addWidget(cancel)
        buttons.addWidget(ok)
        layout.addLayout(buttons)
        self.items: dict[str, QTreeWidgetItem] = {}
        self._fill(set(current))
        self._update_count()

    def _fill(self, current: set[str]) -> None:
        groups: dict[str, QTreeWidgetItem] = {}
        order = [*self.project.lines, ""]
        tags = sorted(
            (t for t in self.project.tags.values() if trendable(t)),
            key=lambda t: (order.index(line_of_tag(self.project, t)), t.name),
        )
        self.tree.blockSignals(True)
        for tag in tags:
            line = line_of_tag(self.project, tag)
            group = groups.get(line)
            if group is None:
                other = translate("Trend", "Other tags")
                name = self.project.lines.get(line)
                title = project_text(self.project, name, "Project") if line and name else other
                group = groups[line] = QTreeWidgetItem(self.tree, [title])
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                group.setExpanded(True)
            shown = shown_tag(self.project, tag) or tag
            item = QTreeWidgetItem(group, [tag.name, shown.description, shown.units])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            checked = tag.name in current
            item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.items[tag.name] = item
        self.tree.blockSignals(False)
        for column in range(3):
            self.tree.resizeColumnToContents(column)

    def filter(self, text: str) -> None:
        words = text.casefold().split()
        for name, item in self.items.items():
            haystack = f"{name} {item.text(1)}".casefold()
            item.setHidden(not all(w in haystack for w in words))
        for index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(index)
            visible = any(not group.child(i).isHidden() for i in range(group.childCount()))
            group.setHidden(not visible)

    def set_checked(self, tag: str, checked: bool) -> None:
        item = self.items.get(tag)
        if item is not None and item.flags() & Qt.ItemFlag.ItemIsEnabled:
            item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _changed(self, item: QTreeWidgetItem, column: int) -> None:
        name = item.text(0)
        if name not in self.items:
            return
        if item.checkState(0) == Qt.CheckState.Checked:
            if name not in self._order:
                self._order.append(name)
        elif name in self._order:
            self._order.remove(name)
        self._update_count()

    def _update_count(self) -> None:
        full = len(self._order) >= MAX_PENS
        for name, item in self.items.items():
            enabled = not full or name in self._order
            flags = Qt.ItemFlag.ItemIsUserCheckable | (
                Qt.ItemFlag.ItemIsEnabled if enabled else Qt.ItemFlag.NoItemFlags
            )
            if item.flags() != flags:
                self.tree.blockSignals(True)
                item.setFlags(flags)
                self.tree.blockSignals(False)
        self.count.setText(
            translate("Trend", "{n} of {most} pens chosen").format(
                n=len(self._order), most=MAX_PENS
            )
        )

    def chosen(self) -> list[str]:
        return list(self._order)


class SaveViewDialog(QDialog):
    """A name for the view being saved."""

    def __init__(self, suggestion: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trendSaveView")
        self.setWindowTitle(translate("Trend", "Save trend view"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(translate("Trend", "Name of the view"), self))
        self.name = QLineEdit(suggestion, self)
        self.name.setObjectName("viewName")
        self.name.selectAll()
        layout.addWidget(self.name)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton(translate("Trend", "Cancel"), self)
        cancel.clicked.connect(self.reject)
        save = QPushButton(translate("Trend", "Save"), self)
        save.setDefault(True)
        save.clicked.connect(self._save)
        buttons.addWidget(cancel)
        buttons.addWidget(save)
        layout.addLayout(buttons)

    def _save(self) -> None:
        if self.name.text().strip():
            self.accept()

    def view_name(self) -> str:
        return self.name.text().strip()
