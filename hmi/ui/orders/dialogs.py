"""The operator's dialogs for an order: its details and actions (hold, resume, complete,
abort, confirm or correct the counts), scrap with a reason and a quantity on the own
keypad, and the reasons asked before a hold, an abort or a correction.

Quantities are refused on Next with the reason in the hint's place (``EntryDialog``), so
nothing moves under a finger; what the service refuses (``OrdersError``) is said there too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hmi.core.orders.model import Order, OrderState
from hmi.core.orders.service import OrdersError
from hmi.ui.dialogs import ConfirmDialog
from hmi.ui.entry import EntryDialog
from hmi.ui.i18n import project_text, translate

from .common import (
    ABORT,
    COMPLETE,
    CORRECT,
    HOLD,
    SCRAP,
    Guard,
    attempt,
    clock_text,
    identifier,
    line_title,
    pieces,
    product_text,
    state_text,
    uninspected_text,
)

REASON_COLUMNS = 3  # scrap reasons per row: a gloved finger's width each on 1280 px
MAX_QUANTITY = 1_000_000  # a quantity beyond any order: a slip of the finger


def whole_pieces(text: str, limit: int) -> int:
    """A quantity typed by the operator: a whole number of pieces, 1 .. ``limit``."""
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(
            translate("Orders", "'{text}' is not a whole number of pieces").format(text=text)
        ) from None
    if value <= 0:
        raise ValueError(translate("Orders", "Enter more than 0 pieces"))
    if value > limit:
        raise ValueError(
            translate(
                "Orders", "{value} is more than this order could have: at most {limit}"
            ).format(value=pieces(value), limit=pieces(limit))
        )
    return value


def action_text(action: str) -> str:
    """What was done to an order, in the operator's words."""
    return {
        "create": translate("Orders", "created"),
        "import": translate("Orders", "imported"),
        "start": translate("Orders", "started"),
        "hold": translate("Orders", "held"),
        "resume": translate("Orders", "resumed"),
        "complete": translate("Orders", "completed"),
        "abort": translate("Orders", "aborted"),
        "resequence": translate("Orders", "moved in the queue"),
        "download": translate("Orders", "downloaded"),  # from the MES, by "MES"
        "revise": translate("Orders", "revised"),  # the MES changed it in the queue
        "withdraw": translate("Orders", "withdrawn"),  # the MES no longer lists it
    }.get(action, action)


class TextQuestion(EntryDialog):
    """Asks why (a hold, an abort, a correction): the answer may not be empty."""

    def __init__(self, title: str, detail: str, profile: Any, accept_text: str, parent=None):
        super().__init__(
            title,
            profile=profile,
            details=(detail,),
            hint=translate("Orders", "The reason is kept with the order"),
            check=self.check_reason,
            accept_text=accept_text,
            parent=parent,
        )
        self.setObjectName("orderReasonDialog")

    @staticmethod
    def check_reason(text: str) -> str:
        if not text.strip():
            raise ValueError(translate("Orders", "Say why, in a few words"))
        return text.strip()


class ScrapDialog(EntryDialog):
    """Scrap of an order: one of the project's scrap reasons and a whole quantity."""

    def __init__(self, views: Any, order: Order, parent=None):
        self.views, self.order = views, order
        self.limit = min(max(order.target, order.produced, 1) * 2, MAX_QUANTITY)
        super().__init__(
            translate("Orders", "Scrap of order {number}").format(number=identifier(order.number)),
            profile=views.operator.profile,
            hint=translate(
                "Orders", "Choose the reason, then enter the pieces (1 .. {limit})"
            ).format(limit=pieces(self.limit)),
            numeric=True,
            check=self.check_scrap,
            accept_text=translate("Orders", "Record"),
            parent=parent,
        )
        self.setObjectName("scrapDialog")
        self.reason = ""
        box = QWidget(self)
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        gap = round(self.profile.gap_px)
        grid.setSpacing(gap)
        self.reason_buttons: dict[str, QPushButton] = {}
        project = views.operator.project
        for index, reason in enumerate(views.service.config.scrap_reasons):
            button = QPushButton(project_text(project, reason, "Orders"), box)
            button.setCheckable(True)
            button.setProperty("toggle", True)
            button.clicked.connect(lambda _=False, r=reason: self.choose(r))
            grid.addWidget(button, index // REASON_COLUMNS, index % REASON_COLUMNS)
            self.reason_buttons[reason] = button
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.entry), box)

    def choose(self, reason: str) -> None:
        self.reason = reason
        for name, button in self.reason_buttons.items():
            button.setChecked(name == reason)
        if self.error.text():
            self.show_problem("")

    def check_scrap(self, text: str) -> int:
        if not self.reason:
            raise ValueError(translate("Orders", "Choose the reason of the scrap first"))
        return whole_pieces(text, self.limit)

    def try_accept(self) -> None:
        """Record it; the service's refusal stays in the dialog, in its words."""
        try:
            quantity = self.check_scrap(self.entry.text())
            self.views.service.record_scrap(
                self.order.number, quantity, self.reason, self.views.user()
            )
        except (ValueError, OrdersError) as error:
            self.show_problem(str(error))
            return
        self.value = quantity
        self.accept()


class CountDialog(EntryDialog):
    """The right count of good or scrap pieces; the reason is asked next."""

    def __init__(self, views: Any, order: Order, counter: str, parent=None):
        self.views, self.order, self.counter = views, order, counter
        now = order.good if counter == "good" else order.scrap
        word = translate("Orders", "Good") if counter == "good" else translate("Orders", "Scrap")
        super().__init__(
            translate("Orders", "Correct the count of order {number}").format(
                number=identifier(order.number)
            ),
            profile=views.operator.profile,
            text=str(now),
            details=(translate("Orders", "{what} counted: {n} pcs").format(what=word, n=now),),
            hint=translate("Orders", "The pieces there really are; the count stays beside it"),
            numeric=True,
            check=self.check_count,
            accept_text=translate("Orders", "Next"),
            parent=parent,
        )
        self.setObjectName("countDialog")

    def check_count(self, text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise ValueError(
                translate("Orders", "'{text}' is not a whole number of pieces").format(text=text)
            ) from None
        if not 0 <= value <= MAX_QUANTITY:
            raise ValueError(
                translate("Orders", "Enter 0 .. {limit} pieces").format(limit=pieces(MAX_QUANTITY))
            )
        return value


class OrderDialog(QDialog):
    """One order: what it makes, its counts (a correction beside the original), its
    history, and the actions the order's state allows."""

    def __init__(self, views: Any, order: Order, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("orderDialog")
        self.views, self.service = views, views.service
        self.number = order.number
        self.order = order
        profile = views.operator.profile
        gap = round(profile.gap_px)
        self.guard = Guard(views.operator.access, views.user, self.say, self)
        layout = QVBoxLayout(self)
        layout.setSpacing(gap)
        self.title = QLabel("", self)
        self.title.setObjectName("dialogTitle")
        layout.addWidget(self.title)
        self.facts = QGridLayout()
        self.facts.setHorizontalSpacing(gap * 3)
        layout.addLayout(self.facts)
        self.history = QLabel("", self)
        self.history.setProperty("orderNote", True)
        self.history.setWordWrap(True)
        layout.addWidget(self.history)
        self.message = QLabel("", self)
        self.message.setObjectName("ordersMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.buttons: dict[str, QPushButton] = {}
        rows = (
            (("hold", HOLD), ("resume", HOLD), ("complete", COMPLETE), ("abort", ABORT)),
            (
                ("scrap", SCRAP),
                ("confirm", CORRECT),
                ("correct_good", CORRECT),
                ("correct_scrap", CORRECT),
            ),
        )
        for row in rows:
            line = QHBoxLayout()
            line.setSpacing(gap * 2)
            for key, permission in row:
                button = QPushButton("", self)
                button.setObjectName(f"order_{key}")
                button.clicked.connect(lambda _=False, k=key: self.act(k))
                self.guard.add(button, permission, lambda k=key: self.blocked(k))
                self.buttons[key] = button
                line.addWidget(button)
            layout.addLayout(line)
        self.close_button = QPushButton("", self)
        self.close_button.setObjectName("cancelButton")
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)
        views.events.changed.connect(self._changed)
        self.refresh()

    def _changed(self, _line: str) -> None:
        self.refresh()

    # -- what it shows -------------------------------------------------------------------

    def blocked(self, key: str) -> str | None:
        state = self.order.state
        allowed = {
            "hold": state is OrderState.RUNNING,
            "resume": state is OrderState.HELD,
            "complete": state in (OrderState.RUNNING, OrderState.HELD),
            "abort": not state.closed,
        }.get(key, True)
        if allowed:
            return None
        return translate("Orders", "Not while the order is {state}").format(
            state=state_text(state).lower()
        )

    def refresh(self) -> None:
        order = self.service.order(self.number)
        if order is None:
            return
        self.order = order
        project = self.views.operator.project
        self.title.setText(
            translate("Orders", "Order {number} · {line}").format(
                number=identifier(order.number),
                line=line_title(project, self.service, order.line),
            )
        )
        corrected = self.corrections()
        rows: list[tuple[str, str]] = [
            (translate("Orders", "Product"), product_text(project, order)),
            (translate("Orders", "State"), state_text(order.state)),
            (
                translate("Orders", "Target"),
                translate("Orders", "{n} pcs").format(n=pieces(order.target)),
            ),
            (translate("Orders", "Good"), self.count_text(order.good, corrected.get("good"))),
            (translate("Orders", "Scrap"), self.count_text(order.scrap, corrected.get("scrap"))),
            (
                translate("Orders", "Remaining"),
                translate("Orders", "{n} pcs").format(n=pieces(order.remaining)),
            ),
            (translate("Orders", "Started"), clock_text(order.started)),
        ]
        unseen = uninspected_text(order)
        if unseen:
            rows.append((translate("Orders", "Camera"), unseen))
        rows += self.figure_rows(order)
        while self.facts.count():
            item = self.facts.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for index, (label, value) in enumerate(rows):
            row, column = index % 6, (index // 6) * 2
            word = QLabel(label, self)
            word.setProperty("orderNote", True)
            shown = QLabel(value, self)
            shown.setObjectName(f"orderFact{index}")
            shown.setProperty("heading", True)
            shown.setProperty("uninspected", bool(unseen) and value == unseen)
            self.facts.addWidget(word, row, column)
            self.facts.addWidget(shown, row, column + 1)
        changes = self.service.history(order.number)[-4:]
        self.history.setText(
            "\n".join(
                translate("Orders", "{when} {action} by {user}{why}").format(
                    when=clock_text(change.ts),
                    action=action_text(change.action),
                    user=change.user or "—",
                    why=f": {change.reason}" if change.reason else "",
                )
                for change in changes
            )
        )
        words = {
            "hold": translate("Orders", "Hold"),
            "resume": translate("Orders", "Resume"),
            "complete": translate("Orders", "Complete"),
            "abort": translate("Orders", "Abort"),
            "scrap": translate("Orders", "Record scrap"),
            "confirm": translate("Orders", "Counts are right"),
            "correct_good": translate("Orders", "Correct good"),
            "correct_scrap": translate("Orders", "Correct scrap"),
        }
        for key, text in words.items():
            self.buttons[key].setText(text)
        self.buttons["hold"].setVisible(order.state is not OrderState.HELD)
        self.buttons["resume"].setVisible(order.state is OrderState.HELD)
        self.close_button.setText(translate("Orders", "Close"))
        self.guard.refresh()

    def corrections(self) -> dict[str, Any]:
        """The newest correction of each counter, if the service keeps them."""
        found = getattr(self.service, "corrections", None)
        newest: dict[str, Any] = {}
        for correction in found(self.number) if callable(found) else ():
            newest[correction.counter] = correction
        return newest

    @staticmethod
    def count_text(count: int, correction: Any) -> str:
        text = translate("Orders", "{n} pcs").format(n=pieces(count))
        if correction is None:
            return text
        return translate("Orders", "{text} (counted {before}; {user}: {reason})").format(
            text=text,
            before=pieces(correction.before),
            user=correction.user,
            reason=correction.reason,
        )

    def figure_rows(self, order: Order) -> list[tuple[str, str]]:
        """The line type's own figures (kg, billets), computed by the service."""
        try:
            figures = self.service.figures(order.number)
        except OrdersError:
            return []
        words = {
            "billets": (translate("Orders", "Billets"), "{:.0f}"),
            "gross_kg": (translate("Orders", "Gross"), "{:.0f} kg"),
            "scrap_kg": (translate("Orders", "Scrap weight"), "{:.0f} kg"),
            "net_kg": (translate("Orders", "Net"), "{:.0f} kg"),
            "remaining_kg": (translate("Orders", "Remaining weight"), "{:.0f} kg"),
            "remaining_billets": (translate("Orders", "Billets to go"), "{:.0f}"),
        }
        return [
            (label, pattern.format(figures[key]))
            for key, (label, pattern) in words.items()
            if isinstance(figures.get(key), int | float)
        ]

    def say(self, text: str, problem: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("problem", problem)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(text))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()

    # -- actions -------------------------------------------------------------------------

    def act(self, key: str) -> Any:
        """What a button does: at once (resume, counts right), or after a question."""
        number, user, service = self.number, self.views.user(), self.service
        if key == "resume":
            return self.done_with(
                lambda: service.resume(number, user), translate("Orders", "resumed")
            )
        if key == "hold":
            return self.ask_why(
                translate("Orders", "Why hold order {number}?"),
                translate("Orders", "Hold"),
                lambda why: service.hold(number, user, why),
                translate("Orders", "held"),
            )
        if key == "abort":
            return self.ask_why(
                translate("Orders", "Why abort order {number}?"),
                translate("Orders", "Abort"),
                lambda why: service.abort(number, user, why),
                translate("Orders", "aborted"),
            )
        if key == "complete":
            return self.ask_complete()
        if key == "scrap":
            return self.views.record_scrap(self, self.order)
        if key == "confirm":
            return self.done_with(
                lambda: self.views.confirm_counts(self.order),
                translate("Orders", "counts confirmed"),
            )
        return self.ask_count("good" if key == "correct_good" else "scrap")

    def done_with(self, action: Callable[[], Any], what: str) -> Any:
        result = attempt(action, self.say)
        if result is not None:
            self.say(
                translate("Orders", "Order {number}: {what}").format(number=self.number, what=what)
            )
        self.refresh()
        return result

    def ask_why(
        self, question: str, accept: str, action: Callable[[str], Any], what: str
    ) -> QDialog:
        dialog = TextQuestion(
            question.format(number=identifier(self.number)),
            product_text(self.views.operator.project, self.order),
            self.views.operator.profile,
            accept,
            parent=self,
        )
        dialog.accepted.connect(lambda: self.done_with(lambda: action(dialog.value), what))
        return self.views.show_dialog(dialog, self)

    def ask_complete(self) -> Any:
        order = self.order
        complete = lambda: self.service.complete(self.number, self.views.user())  # noqa: E731
        if order.good >= order.target:
            return self.done_with(complete, translate("Orders", "completed"))
        dialog = ConfirmDialog(
            translate("Orders", "Complete order {number} short of its target?").format(
                number=identifier(order.number)
            ),
            translate("Orders", "{good} of {target} pcs made; {left} pcs will not be made").format(
                good=pieces(order.good), target=pieces(order.target), left=pieces(order.remaining)
            ),
            translate("Orders", "Complete"),
            parent=self,
        )
        dialog.setObjectName("orderCompleteDialog")
        dialog.accepted.connect(lambda: self.done_with(complete, translate("Orders", "completed")))
        return self.views.show_dialog(dialog, self)

    def ask_count(self, counter: str) -> QDialog:
        dialog = CountDialog(self.views, self.order, counter, parent=self)

        def why() -> None:
            value = dialog.value
            question = TextQuestion(
                translate("Orders", "Why is the count wrong?"),
                translate("Orders", "{before} → {after} pcs").format(
                    before=pieces(self.order.good if counter == "good" else self.order.scrap),
                    after=pieces(value),
                ),
                self.views.operator.profile,
                translate("Orders", "Correct"),
                parent=self,
            )
            question.accepted.connect(
                lambda: self.done_with(
                    lambda: self.service.correct_count(
                        self.number, counter, value, question.value, self.views.user()
                    ),
                    translate("Orders", "count corrected"),
                )
            )
            self.views.show_dialog(question, self)

        dialog.accepted.connect(why)
        return self.views.show_dialog(dialog, self)
