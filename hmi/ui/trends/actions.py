"""What the Pens, Views, Save and CSV controls of a trend do.

Dialogs open window-modal over the trend and never block the GUI thread; the shell may
style them and attach its on-screen keyboard through the view's ``prepare_dialog``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from hmi.core.trendviews import (
    SAVE_FOR_EVERYONE,
    PenDef,
    TrendViewDef,
    ViewNotSaved,
    read_trendviews,
    read_user_views,
    save_view_for,
    user_views_path,
)
from hmi.ui.i18n import translate
from hmi.ui.writes import Permission

from .chooser import SaveViewDialog, TagBrowser, dialog_style
from .toolbar import span_text

if TYPE_CHECKING:
    from .view import TrendView


def choose_pens(view: TrendView) -> TagBrowser:
    browser = TagBrowser(view.project, [p.tag for p in view.pens], view.profile, view)
    specs = {p.tag: p for p in view.pen_specs()}
    browser.accepted.connect(
        lambda: view.set_pens([specs.get(t, PenDef(t)) for t in browser.chosen()])
    )
    return open_dialog(view, browser)


def open_dialog(view: TrendView, dialog: QDialog) -> QDialog:
    """Open ``dialog`` window-modal over the trend, in the application's look (the shell's
    ``prepare_dialog``) with finger-sized rows and buttons on top."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    if view.prepare_dialog is not None:
        view.prepare_dialog(dialog)
    own = dialog_style(view.profile, view.theme)
    dialog.setStyleSheet(dialog.styleSheet() + own)
    if view.profile.touch:
        dialog.resize(view.window().size() * 0.8)
    view.dialog = dialog
    dialog.open()
    return dialog


def reload_views(view: TrendView) -> None:
    """The project's views, then those saved for everyone, then the user's own."""
    views, _ = read_trendviews(view.project)
    if view.data_dir is not None:
        path = user_views_path(view.data_dir)
        views += read_user_views(path, view.project, view.user())[0]
    view.views = views
    view.toolbar.set_views(views)


def own_refusal(view: TrendView) -> str | None:
    """Why the user cannot keep a view of their own here (None: they can)."""
    if view.data_dir is None:
        return translate("Trend", "this trend has no data folder to save views in")
    if not view.user().strip():
        return translate("Trend", "nobody is signed in: sign in to keep a view of your own")
    return None


def save_view(view: TrendView, name: str, everyone: bool = False) -> TrendViewDef:
    """Save the pens and span shown as view ``name`` (replacing one of that name): the
    signed-in user's own, or with ``everyone`` for every user of the station, which is
    asked of the access hook now. ``ViewNotSaved`` (and the status line) say why not."""
    saved = view.current_view(name)
    try:
        if view.data_dir is None:
            raise ViewNotSaved(own_refusal(view))
        if not everyone and (reason := own_refusal(view)):
            raise ViewNotSaved(reason)
        saved = replace(saved, owner="" if everyone else view.user())
        path = user_views_path(view.data_dir)
        save_view_for(
            path, saved, view.user(), everyone=everyone, access=view.access, project=view.project
        )
    except ViewNotSaved as error:
        view.say(translate("Trend", "Not saved: {reason}").format(reason=error))
        raise
    reload_views(view)
    if everyone:
        said = translate("Trend", "Saved the view '{name}' for everyone")
    else:
        said = translate("Trend", "Saved the view '{name}' for you")
    view.say(said.format(name=name))
    return saved


def ask_save_view(view: TrendView) -> SaveViewDialog:
    suggestion = view.pens[0].label if view.pens else translate("Trend", "Trend")

    def save(name: str, everyone: bool) -> str | None:
        try:
            save_view(view, name, everyone)
        except ViewNotSaved as error:
            return str(error)
        return None

    sharing = Permission(view.access, view.user, SAVE_FOR_EVERYONE)
    dialog = SaveViewDialog(
        f"{suggestion} — {span_text(view.span)}", sharing, lambda: own_refusal(view), save, view
    )
    open_dialog(view, dialog)
    return dialog


def export_shown(view: TrendView) -> Path | None:
    """Write what is shown to a new CSV file in the data folder's ``exports``."""
    if view.data_dir is None:
        return None
    name = datetime.now().strftime("trend-%Y%m%d-%H%M%S.csv")
    path = view.data_dir / "exports" / name
    try:
        rows = view.export_csv(path)
    except OSError as error:
        view.say(translate("Trend", "Export failed: {error}").format(error=error.strerror or error))
        return None
    view.say(translate("Trend", "Exported {rows} rows to {path}").format(rows=rows, path=path))
    return path
