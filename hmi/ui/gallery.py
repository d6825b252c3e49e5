"""Every screen, dialog and view of a project drawn to PNG, to look at them all: ``hmi gallery``.

For each station (desk at 1920 x 1080, touch at 1280 x 800) one operator window is built
on the running project, and for each language it speaks (switched live, as the operator
switches it) every screen is shown and every view is opened in it in turn and drawn as the
operator sees it: dialogs and trend windows over the window. Files are named
``<station>-<language>-<view>.png``, and ``index.html`` puts them side by side.

The views: each screen (its station's variant), the screen list, a faceplate, a detail
popup, the keypad of a setpoint and its confirmation, a command's confirmation, a trend
window, the screens side by side (desk), and the pages the capabilities' views offer:
``showcase(window)`` on a ``CapabilityViews`` gives ``(name, open, close)`` entries; the
alarm views' list, journal and KPI pages are found by their ``open_*`` methods.

A showcase never acts on the project's own records: the order views draw their running
orders over a throw-away service in a temporary folder (``hmi.ui.orders.rehearsal``), the
Plant page fifty simulated lines in three sites, a few offline, stopped or in alarm; the
MES views, for a project without MES targets, a target offline with a backlog and two
refused events, kept in no store (``hmi.ui.mes.rehearsal``).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hmi.ui.screenshot import alive, compose, offscreen_app, save_png, settle

STATIONS: dict[str, tuple[int, int]] = {"desk": (1920, 1080), "touch": (1280, 800)}
LANGUAGES = ("en", "it")
SETTLE_S = 0.6  # live values and sparklines come in for this long before a screen is drawn
#: pages of the alarm views, by the method that opens them
ALARM_PAGES = (
    ("alarm-list", "open_summary"),
    ("journal", "open_journal"),
    ("alarm-kpis", "open_kpis"),
)


@dataclass
class View:
    """One picture: how to open it in a window (what it opened, to draw over the window
    and to close again), and how to close it."""

    name: str
    open: Callable[[Any], Sequence[Any] | None]  # None: this window has no such view
    close: Callable[[Sequence[Any]], None] | None = None


def write_gallery(
    project: Any,
    runtime: Any,
    out: str | Path,
    *,
    screens: str | Path | None = None,
    stations: Iterable[str] = tuple(STATIONS),
    languages: Iterable[str] = LANGUAGES,
    dpi: float | None = None,
    settle_s: float = SETTLE_S,
    say: Callable[[str], None] = lambda text: None,
) -> list[Path]:
    """Draw the gallery of ``project`` (live from ``runtime``; its screens, or those in
    the folder ``screens``) into the folder ``out``; returns the files written, and
    ``index.html`` last."""
    from hmi.ui.app import build_window, dispose
    from hmi.ui.i18n import current_language, set_language

    app = offscreen_app()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    spoken = current_language()
    written: list[Path] = []
    try:
        for station in stations:
            size = STATIONS[station]
            window = build_window(
                project,
                runtime.live,
                runtime,
                profile=station,
                folder=screens,
                watch=False,
                dpi=dpi,
            )
            try:
                window.resize(*size)
                window.start()
                window.show()
                settle(app, window, settle_s)
                for language in languages:
                    set_language(language)
                    for view in views_of(window):
                        path = folder / f"{station}-{language}-{view.name}.png"
                        if draw_view(app, window, view, path, settle_s):
                            written.append(path)
                            say(str(path))
            finally:
                window.bridge.stop()
                dispose(window)
                app.processEvents()
    finally:
        set_language(spoken)
    written.append(write_index(folder, written))
    return written


def views_of(window: Any) -> list[View]:
    """Every view the gallery draws in ``window``, screens first."""
    screens = [s.name for s in window.library.screens]
    views = [View(f"screen-{name}", _screen(name)) for name in screens]
    line = _screen_with(window, "setpoint") or (screens[0] if screens else None)
    views += [
        View("screen-list", lambda w: [w.nav.choose_screen()], _close),
        View("faceplate", _touch(line, ("analog", "value", "tank", "bar")), _close),
        View("popup", _touch(_screen_with(window, "faceplate") or line, ("faceplate",)), _close),
        View("keypad", _touch(line, ("setpoint",)), _close),
        View("keypad-confirm", _confirm_setpoint(line), _close),
        View("command-confirm", _touch(line, ("command",)), _close),
        View("trend", _trend(line), _close),
    ]
    if not window.profile.touch:
        views.append(View("side-by-side", _side_by_side, lambda _: _side_by_side(window)))
    for capability in window.views:
        showcase = getattr(capability, "showcase", None)
        if callable(showcase):
            views += [
                View(name, lambda w, o=opener: _as_list(o()), close)
                for name, opener, close in showcase(window)
            ]
        pages = getattr(capability, "views", None)
        for name, method in ALARM_PAGES:
            if callable(getattr(pages, method, None)):
                views.append(View(name, _page(pages, method), lambda _, p=pages: p.close_pages()))
    return views


def draw_view(app: Any, window: Any, view: View, path: Path, settle_s: float) -> bool:
    """Open ``view``, draw the window with what it opened over it into ``path``, close it;
    False if the window has no such view."""
    opened = view.open(window)
    if opened is None:
        return False
    try:
        settle(app, window, settle_s)
        save_png(compose(window, opened), path)
    finally:
        if view.close is not None:
            view.close(opened)
        app.processEvents()
    return True


def write_index(folder: Path, pictures: Sequence[Path]) -> Path:
    """A page with every picture, grouped by station and language."""
    groups: dict[str, list[Path]] = {}
    for path in pictures:
        station, language = path.stem.split("-", 2)[:2]
        groups.setdefault(f"{station} — {language}", []).append(path)
    parts = ["<!doctype html><meta charset='utf-8'><title>Linea HMI gallery</title>"]
    parts.append("<style>img{max-width:48%;margin:4px;border:1px solid #888}</style>")
    for title, paths in groups.items():
        parts.append(f"<h2>{html.escape(title)}</h2>")
        for path in paths:
            name = html.escape(path.name)
            parts.append(f"<a href='{name}'><img src='{name}' title='{name}'></a>")
    index = folder / "index.html"
    index.write_text("\n".join(parts), encoding="utf-8")
    return index


# -- the views ---------------------------------------------------------------------------


def _screen(name: str) -> Callable[[Any], list[Any]]:
    def show(window: Any) -> list[Any]:
        window.go_to(name, remember=False)
        return []

    return show


def _screen_with(window: Any, wanted: str) -> str | None:
    """The first screen with a symbol of type (or a property) ``wanted``."""
    for screen in window.library.screens:
        shown = screen.for_station(window.host.station)
        if any(s.type == wanted or s.props.get(wanted) for s in shown.symbols):
            return screen.name
    return None


def _symbol(window: Any, kinds: Sequence[str]) -> Any:
    scene = window.host.current
    for symbol in scene.symbols if scene is not None else ():
        definition = symbol.definition
        wanted = definition.type in kinds or any(definition.props.get(k) for k in kinds)
        if wanted and (symbol.tag or definition.props.get("faceplate")):
            return symbol
    return None


def _touch(screen: str | None, kinds: Sequence[str]) -> Callable[[Any], list[Any] | None]:
    """What touching the first symbol of ``kinds`` on ``screen`` opens."""

    def touch(window: Any) -> list[Any] | None:
        if screen is None or not window.go_to(screen, remember=False):
            return None
        symbol = _symbol(window, kinds)
        dialog = window.activate(symbol) if symbol is not None else None
        return [dialog] if dialog is not None else None

    return touch


def _confirm_setpoint(screen: str | None) -> Callable[[Any], list[Any] | None]:
    """The keypad with a new value entered, and the confirmation it asks for."""

    def confirm(window: Any) -> list[Any] | None:
        if screen is None or not window.go_to(screen, remember=False):
            return None
        symbol = _symbol(window, ("setpoint",))
        dialog = window.activate(symbol) if symbol is not None else None
        if dialog is None:
            return None
        entry, next_button = getattr(dialog, "entry", None), getattr(dialog, "next_button", None)
        value = getattr(symbol.main, "value", None)
        if entry is None or next_button is None or not isinstance(value, int | float):
            return [dialog]
        entry.setText(f"{value + 1:g}")
        next_button.click()
        return [dialog, window.dialog]  # the keypad, if still open, and the confirmation

    return confirm


def _trend(screen: str | None) -> Callable[[Any], list[Any] | None]:
    """What the Trends button of ``screen`` opens."""

    def trend(window: Any) -> list[Any] | None:
        actions = {key: action for key, action, _ in getattr(window, "screen_actions", ())}
        if "trends" not in actions or screen is None or not window.go_to(screen, remember=False):
            return None
        return [actions["trends"](window.panel)]

    return trend


def _side_by_side(window: Any) -> list[Any]:
    window.toggle_split()
    return []


def _page(pages: Any, method: str) -> Callable[[Any], list[Any] | None]:
    def open_page(window: Any) -> list[Any] | None:
        return [] if getattr(pages, method)() is not None else None

    return open_page


def _close(opened: Sequence[Any]) -> None:
    for widget in reversed(opened):
        if alive(widget):
            widget.close()


def _as_list(opened: Any) -> list[Any] | None:
    if opened is None:
        return None
    return list(opened) if isinstance(opened, list | tuple) else [opened]
