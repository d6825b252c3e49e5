"""The operator's alarm views: banner on every screen, alarm list, journal, KPIs.

``install_alarm_views(window, manager, user)`` attaches them to the operator window:

- the banner goes directly under ``window.header`` (in the header's parent layout) and
  the header's placeholder ``alarms`` label is hidden;
- ``views.add_window(w)`` gives another window (a desk screen window) its own banner;
- the pages (alarm list, journal, and on the desk the KPIs) go under the banner, hidden;
  opening one hides what follows in that layout (navigation, messages, the screen) until
  "Back to the screen", so header and banner stay where they always are;
- "go to its screen" calls ``navigate`` (default: ``window.go_to``, else
  ``window.panel.go_to``);
- one ``AlarmFeed`` marshals the manager's events to the GUI thread, coalesced, and
  every view refreshes from it; the horn sounds for new priority 1-2 alarms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QBoxLayout, QMainWindow, QWidget

from hmi.core.alarms import AlarmEvent, AlarmManager
from hmi.ui.theme import DEFAULT_THEME, Theme

from .banner import AlarmBanner
from .capability import AlarmCapabilityViews
from .common import UserProvider, alarm_stylesheet, as_profile, default_user
from .feed import AlarmFeed
from .journal_view import JournalView
from .kpi_view import KpiView
from .pages import JOURNAL, KPIS, SUMMARY, AlarmPages
from .sound import AlarmHorn
from .summary import AlarmSummary

__all__ = [
    "AlarmBanner",
    "AlarmCapabilityViews",
    "AlarmFeed",
    "AlarmHorn",
    "AlarmPages",
    "AlarmSummary",
    "AlarmViews",
    "JournalView",
    "KpiView",
    "install_alarm_views",
]

TALL_WINDOW_PX = 900  # from this height the banner shows three alarms, else two


class AlarmViews(QObject):
    """Everything ``install_alarm_views`` made, and the ways to open the pages."""

    def __init__(
        self,
        window: QWidget,
        manager: AlarmManager,
        user: UserProvider,
        *,
        profile: Any,
        theme: Theme,
        navigate: Callable[[str], Any] | None,
        kpis: bool,
    ):
        super().__init__(window)
        self.window = window
        self.manager = manager
        self.user = user
        self.profile = profile = as_profile(profile)
        self.theme = theme
        self.navigate = navigate
        self.style = alarm_stylesheet(theme, profile)
        self.line_names = dict(manager.project.lines)
        self.feed = AlarmFeed(manager, parent=self)
        self.horn = AlarmHorn(parent=self)
        self.banners: list[AlarmBanner] = []
        self.banner = self.add_banner(window)
        common = {"theme": theme, "profile": profile, "line_names": self.line_names}
        self.summary = AlarmSummary(manager, user, style=self.style, **common)
        self.summary.go_to_screen.connect(self.go_to_screen)
        self.journal = JournalView(manager, **common)
        self.journal.go_to_screen.connect(self.go_to_screen)
        pages: dict[str, QWidget] = {SUMMARY: self.summary, JOURNAL: self.journal}
        self.kpis: KpiView | None = None
        if kpis:
            self.kpis = pages[KPIS] = KpiView(manager, **common)
        self.pages = AlarmPages(pages, profile, window)
        self.pages.setStyleSheet(self.style)
        self.pages.closed.connect(self.close_pages)
        self.pages.hide()
        self.feed.changed.connect(self._changed)
        self._covered: list[QWidget] = []

    def add_banner(self, parent: QWidget) -> AlarmBanner:
        """A banner (the main window's, or one more for another window); all share the
        feed and the horn."""
        say = getattr(self.window, "show_message", None)
        banner = AlarmBanner(
            self.manager,
            self.user,
            self.horn,
            theme=self.theme,
            profile=self.profile,
            line_names=self.line_names,
            say=say,
            parent=parent,
        )
        banner.setStyleSheet(self.style)
        banner.open_list.connect(self.open_summary)
        banner.destroyed.connect(
            lambda *_, b=banner: self.banners.remove(b) if b in self.banners else None
        )
        self.banners.append(banner)
        return banner

    def add_window(self, window: QWidget) -> AlarmBanner:
        """A banner for another window (desk: a screen in a window of its own), under its
        header; its alarm list opens in the main window."""
        layout, index = _below_header(window)
        banner = self.add_banner(window)
        layout.insertWidget(index, banner)
        banner.set_rows(2)
        return banner

    def _changed(self, events: list[AlarmEvent]) -> None:
        for banner in self.banners:
            banner.refresh(events if banner is self.banner else None)
        self.summary.on_events(events)
        self.journal.on_events(events)
        if self.kpis is not None:
            self.kpis.on_events(events)

    # -- the pages -----------------------------------------------------------------------

    @property
    def pages_open(self) -> bool:
        return not self.pages.isHidden()

    def open_page(self, key: str) -> QWidget:
        layout = self.pages.parentWidget().layout() if self.pages.parentWidget() else None
        if not self.pages_open and isinstance(layout, QBoxLayout):
            start = layout.indexOf(self.pages) + 1
            items = (layout.itemAt(i).widget() for i in range(start, layout.count()))
            self._covered = [w for w in items if w is not None and not w.isHidden()]
            for widget in self._covered:
                widget.hide()
        page = self.pages.show_page(key)
        self.pages.show()
        if not self.window.isActiveWindow():  # asked for from another window's banner
            self.window.raise_()
            self.window.activateWindow()
        return page

    def open_summary(self, alarm_id: str = "") -> AlarmSummary:
        self.open_page(SUMMARY)
        if alarm_id:
            self.summary.select_alarm(alarm_id)
        return self.summary

    def open_journal(self) -> JournalView:
        self.open_page(JOURNAL)
        return self.journal

    def open_kpis(self) -> KpiView | None:
        if self.kpis is None:
            return None
        self.open_page(KPIS)
        return self.kpis

    def close_pages(self) -> None:
        self.pages.hide()
        for widget in self._covered:
            widget.show()
        self._covered = []

    def go_to_screen(self, screen: str) -> None:
        """Back to the screens, on ``screen`` (on the one shown when "")."""
        self.close_pages()
        if self.navigate is not None and screen:
            self.navigate(screen)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Resize:
            rows = 3 if self.window.height() >= TALL_WINDOW_PX else 2
            if rows != self.banner.lines.rows:
                self.banner.set_rows(rows)
        return False

    def close(self) -> None:
        """Stop listening to the manager (the window is closing)."""
        self.feed.close()
        self.horn.silence()


def _below_header(window: QWidget) -> tuple[QBoxLayout, int]:
    """Where a banner goes in ``window``: right under its header (whose placeholder alarm
    label it hides), else at the top of its central widget."""
    header = getattr(window, "header", None)
    anchor = header if isinstance(header, QWidget) else None
    if anchor is not None:
        host = anchor.parentWidget()
    else:
        host = window.centralWidget() if isinstance(window, QMainWindow) else window
    layout = host.layout() if host is not None else None
    if not isinstance(layout, QBoxLayout):
        raise TypeError("the alarm banner needs the window's header in a box layout")
    placeholder = getattr(header, "alarms", None)
    if isinstance(placeholder, QWidget):
        placeholder.hide()
    return layout, layout.indexOf(anchor) + 1 if anchor is not None else 0


def _default_navigate(window: Any) -> Callable[[str], Any] | None:
    if callable(getattr(window, "go_to", None)):
        return window.go_to
    panel = getattr(window, "panel", None)
    return panel.go_to if panel is not None and callable(getattr(panel, "go_to", None)) else None


def install_alarm_views(
    window: QWidget,
    manager: AlarmManager,
    user_provider: UserProvider | None = None,
    *,
    profile: Any = None,
    theme: Theme | None = None,
    navigate: Callable[[str], Any] | None = None,
    kpis: bool | None = None,
) -> AlarmViews:
    """Attach the alarm views to ``window`` (see the module's docstring for where).

    ``user_provider`` names who acts (default: this PC's login); ``profile`` and ``theme``
    default to the window's; ``kpis`` (default: desk only) adds the supervisor's page.
    """
    profile = as_profile(profile if profile is not None else getattr(window, "profile", None))
    theme = theme or getattr(window, "theme", None) or DEFAULT_THEME
    views = AlarmViews(
        window,
        manager,
        user_provider or default_user,
        profile=profile,
        theme=theme,
        navigate=navigate or _default_navigate(window),
        kpis=not profile.touch if kpis is None else kpis,
    )
    layout, index = _below_header(window)
    layout.insertWidget(index, views.banner)
    views.pages.setParent(layout.parentWidget())
    layout.insertWidget(index + 1, views.pages, 1)
    views.pages.hide()
    window.installEventFilter(views)
    views.eventFilter(window, QEvent(QEvent.Type.Resize))
    window.destroyed.connect(lambda *_, feed=views.feed: feed.close())
    return views
