"""What the Pens, Views, Save and CSV controls of a trend do.

Dialogs open window-modal over the trend and never block the GUI thread; the shell may
style them and attach its on-screen keyboard through the view's ``prepare_dialog``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from hmi.core.trendviews import (
    PenDef,
    TrendViewDef,
    read_trendviews,
    read_user_views,
    save_user_view,
    user_views_path,
)
from hmi.ui.i18n import translate

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
    own = dialog_style(view.profile, view.theme.panel, view.theme.text)
    dialog.setStyleSheet(dialog.styleSheet() + own)
    if view.profile.touch:
        dialog.resize(view.window().size() * 0.8)
    view.dialog = dialog
    dialog.open()
    return dialog


def reload_views(view: TrendView) -> None:
    """The project's views, then the operator's, into the Views list."""
    views, _ = read_trendviews(view.project)
    if view.data_dir is not None:
        views += read_user_views(user_views_path(view.data_dir), view.project)[0]
    view.views = views
    view.toolbar.set_views(views)


def save_view(view: TrendView, name: str) -> TrendViewDef:
    """Save the pens and span shown as the operator's view ``name`` (replacing one)."""
    if view.data_dir is None:
        raise ValueError("this trend has no data folder to save views in")
    saved = view.current_view(name)
    save_user_view(user_views_path(view.data_dir), saved, view.project)
    reload_views(view)
    view.say(translate("Trend", "Saved the view '{name}'").format(name=name))
    return saved


def ask_save_view(view: TrendView) -> QDialog:
    suggestion = view.pens[0].label if view.pens else translate("Trend", "Trend")
    dialog = SaveViewDialog(f"{suggestion} — {span_text(view.span)}", view)
    dialog.accepted.connect(lambda: save_view(view, dialog.view_name()))
    return open_dialog(view, dialog)


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
