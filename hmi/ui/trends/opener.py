"""Opening trends from the rest of the application: a value on a screen, the navigation,
a saved view. One ``TrendOpener`` per operator window set knows the history, the bridge
and the look; callers only say what to trend and over which window.

The Trends button of a screen's navigation trends the screen's main values: its own
trends (sparklines) first, then its analog indicators, bars and tanks; a screen with none
opens the tag browser."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QWidget

from hmi.core.access import Access
from hmi.core.historian import HistoryQuery
from hmi.core.project.models import DataType, Project
from hmi.core.trendviews import DEFAULT_SPAN, PenDef, TrendViewDef
from hmi.ui.bridge import TagBridge
from hmi.ui.profile import Profile
from hmi.ui.theme import DEFAULT_THEME, Theme

HOLD_SECONDS = 0.6  # touch and hold this long on a value to open its trend
SCREEN_PENS = 4  # the main values of a screen trended together
#: symbol types whose tag is a screen's main value, the most telling first
MAIN_VALUE_TYPES = (("sparkline",), ("analog", "bar", "tank"))
HOLD_SLOP_PX = 12.0  # a finger may wander this far while holding


def symbol_pens(project: Project, symbol: Any) -> list[PenDef]:
    """The pens a screen symbol shows: its numeric and on/off tags (not its alarm tag),
    the main one with the symbol's normal band."""
    alarm_tag = symbol.props.get("alarm_tag")
    normal = symbol.props.get("normal")
    band = (float(normal[0]), float(normal[1])) if normal and len(normal) == 2 else None
    pens = []
    for name in symbol.tags:
        config = project.tags.get(name)
        if name == alarm_tag or config is None or config.data_type is DataType.STRING:
            continue
        pens.append(PenDef(name, band if name == symbol.tag else None))
    return pens


def screen_pens(project: Project, screen: Any, most: int = SCREEN_PENS) -> list[PenDef]:
    """The main values of ``screen`` (a ``ScreenDef``) as pens, with their normal bands:
    what its sparklines trend, then what its analog indicators, bars and tanks show."""
    pens: dict[str, PenDef] = {}
    for types in MAIN_VALUE_TYPES:
        for symbol in screen.symbols:
            tag = symbol.props.get("tag")
            config = project.tags.get(tag or "")
            if symbol.type not in types or config is None or tag in pens:
                continue
            if config.data_type in (DataType.STRING, DataType.BOOL):
                continue
            normal = symbol.props.get("normal")
            band = (float(normal[0]), float(normal[1])) if normal and len(normal) == 2 else None
            pens[tag] = PenDef(tag, band)
    return list(pens.values())[:most]


def is_hold(pressed_at: float, released_at: float, moved_px: float) -> bool:
    """A touch that stayed long enough and still enough to mean "show me its trend"."""
    return released_at - pressed_at >= HOLD_SECONDS and moved_px <= HOLD_SLOP_PX


class TrendOpener:
    """Opens trend windows with the application's history, bridge and look."""

    def __init__(
        self,
        project: Project,
        bridge: TagBridge | None,
        query: HistoryQuery | None,
        profile: Profile,
        *,
        theme: Theme = DEFAULT_THEME,
        data_dir: str | Path | None = None,
        prepare_dialog: Callable[[QDialog], None] | None = None,
        access: Access | None = None,
        user: Callable[[], str] = str,
    ):
        """``access`` and ``user``: the station's permission hook and who is signed in
        now, for saving views (see ``TrendView``)."""
        self.project = project
        self.bridge = bridge
        self.query = query
        self.profile = profile
        self.theme = theme
        self.data_dir = data_dir
        self.prepare_dialog = prepare_dialog
        self.access, self.user = access, user
        self.windows: list[QDialog] = []

    def open(
        self,
        parent: QWidget | None,
        tags: Sequence[str | PenDef] = (),
        *,
        view: TrendViewDef | None = None,
        span: float = DEFAULT_SPAN,
        title: str = "",
    ) -> QDialog:
        from . import open_trend

        window = open_trend(
            parent,
            self.project,
            bridge=self.bridge,
            query=self.query,
            profile=self.profile,
            theme=self.theme,
            data_dir=self.data_dir,
            tags=tags,
            view=view,
            span=span,
            title=title,
            prepare_dialog=self.prepare_dialog,
            access=self.access,
            user=self.user,
        )
        self.windows.append(window)
        window.destroyed.connect(lambda *_: self._forget(window))
        return window

    def open_for_symbol(self, symbol: Any, parent: QWidget | None) -> QDialog | None:
        """The trend of what ``symbol`` shows; None when it shows nothing to trend."""
        pens = symbol_pens(self.project, symbol)
        if not pens:
            return None
        return self.open(parent, pens)

    def open_for_screen(self, screen: Any, parent: QWidget | None) -> QDialog:
        """The trend of a screen's main values; with none, an empty trend and the tag
        browser to choose them."""
        from . import actions

        pens = screen_pens(self.project, screen) if screen is not None else []
        title = screen.title if screen is not None else ""
        window = self.open(parent, pens, title=title)
        if not pens:
            actions.choose_pens(window.view)  # type: ignore[attr-defined]
        return window

    def install_hold(
        self, view: Any, parent: QWidget, allowed: Callable[[], bool] | None = None
    ) -> Any:
        """Touch and hold (Shift+click on the desk) a value in the screen ``view`` to open
        its trend over ``parent``; ``allowed`` may refuse it (a dialog is already open)."""
        from .hold import install_trend_hold

        def open_for(symbol: Any) -> None:
            if allowed is None or allowed():
                self.open_for_symbol(symbol, parent)

        return install_trend_hold(view, open_for, self.profile.touch)

    def _forget(self, window: QDialog) -> None:
        if window in self.windows:
            self.windows.remove(window)

    def close_all(self) -> None:
        for window in list(self.windows):
            window.close()
