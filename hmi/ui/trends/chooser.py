"""Choosing pens from the project's tags, and naming a view to save and who sees it.

The tag browser groups tags by production line and filters them as the operator types a
part of a name or description. Rows are finger-sized on touch and scroll by dragging.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
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
from hmi.ui.theme import Theme
from hmi.ui.writes import Permission


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


def dialog_style(profile: Profile, theme: Theme) -> str:
    target = round(profile.target_px)
    return (
        f"QTreeWidget::item {{ min-height: {target}px; }}"
        f"QPushButton {{ min-height: {target}px; min-width: {target * 2}px; }}"
        f'QPushButton[toggle="true"]:checked {{ background: {theme.running}; '
        f"color: {theme.text_on_running}; }}"
        f"QLineEdit {{ min-height: {target}px; background: #FAFAFA; color: {theme.text}; }}"
        f"QDialog {{ background: {theme.panel}; }}"
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
    """A name for the view being saved, and who sees it: the user alone, or everyone at
    the station (which needs ``trends.save``: without it that choice is disabled and the
    dialog says which permission is missing). ``save(name, everyone)`` is asked when the
    operator presses Save and answers None, or why it did not save (the dialog stays)."""

    def __init__(
        self,
        suggestion: str,
        sharing: Permission,
        own_refusal: Callable[[], str | None],
        save: Callable[[str, bool], str | None],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("trendSaveView")
        self.setWindowTitle(translate("Trend", "Save trend view"))
        self.sharing, self.own_refusal, self.save = sharing, own_refusal, save
        sharing.setParent(self)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(translate("Trend", "Name of the view"), self))
        self.name = QLineEdit(suggestion, self)
        self.name.setObjectName("viewName")
        self.name.selectAll()
        self.name.textChanged.connect(lambda _text: self.refresh())
        layout.addWidget(self.name)
        layout.addWidget(QLabel(translate("Trend", "Who sees it"), self))
        choices = QHBoxLayout()
        self.own = self._choice("saveForMe", choices)
        self.everyone = self._choice("saveForEveryone", choices)
        self.everyone.setText(translate("Trend", "Everyone at this station"))
        self.choices = QButtonGroup(self)
        self.choices.setExclusive(True)
        self.choices.addButton(self.own)
        self.choices.addButton(self.everyone)
        layout.addLayout(choices)
        self.why = QLabel(self)  # why a choice is disabled, or why saving was refused
        self.why.setObjectName("saveViewWhy")
        self.why.setWordWrap(True)
        layout.addWidget(self.why)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton(translate("Trend", "Cancel"), self)
        cancel.clicked.connect(self.reject)
        self.save_button = QPushButton(translate("Trend", "Save"), self)
        self.save_button.setObjectName("saveView")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._save)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        sharing.changed.connect(self.refresh)  # another user, or another policy
        self.refusal = ""
        self.refresh()  # checks the first choice the user may make: their own, else everyone

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()  # sized in the look the dialog was given before opening
        super().showEvent(event)

    def _choice(self, name: str, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        button.setCheckable(True)
        button.setProperty("toggle", True)
        button.clicked.connect(lambda _=False: self.refresh())
        row.addWidget(button, 1)
        return button

    def choose(self, everyone: bool) -> None:
        """Pick who sees the view (only an enabled choice can be picked)."""
        button = self.everyone if everyone else self.own
        if button.isEnabled():
            button.setChecked(True)
        self.refresh()

    def for_everyone(self) -> bool:
        return self.everyone.isChecked()

    def refresh(self) -> None:
        """Enable each choice the signed-in user may make; say why not for the others."""
        self.sharing.target = self.view_name()
        user = self.sharing.user()
        self.own.setText(
            translate("Trend", "Only for {user}").format(user=user)
            if user
            else translate("Trend", "Only for me")
        )
        reasons = {self.own: self.own_refusal(), self.everyone: self.sharing.refusal()}
        for button, reason in reasons.items():
            button.setEnabled(reason is None)
            button.setToolTip(reason or "")
            button.ensurePolished()  # the style's min-width would let the words be cut
            button.setMinimumWidth(button.sizeHint().width())
        checked = self.choices.checkedButton()
        if checked is None or not checked.isEnabled():
            free = next((b for b, reason in reasons.items() if reason is None), None)
            if free is not None:
                free.setChecked(True)
        lines = [self.refusal] if self.refusal else []
        if reasons[self.everyone]:
            lines.append(
                translate("Trend", "For everyone: {reason}").format(reason=reasons[self.everyone])
            )
        if reasons[self.own]:
            lines.append(reasons[self.own])
        self.why.setText("\n".join(dict.fromkeys(lines)))
        self.why.setVisible(bool(lines))
        chosen = self.choices.checkedButton()
        self.save_button.setEnabled(chosen is not None and chosen.isEnabled())

    def _save(self) -> None:
        name = self.view_name()
        if not name or not self.save_button.isEnabled():
            return
        reason = self.save(name, self.for_everyone())
        if reason is None:
            self.accept()
            return
        self.refusal = translate("Trend", "Not saved: {reason}").format(reason=reason)
        self.refresh()

    def view_name(self) -> str:
        return self.name.text().strip()
