"""Saved trend views: the ``trends:`` section of a project, and the user's own views.

A view is a name, up to eight pens and the time span shown::

    trends:
      - name: Press temperatures
        span: 1h                  # the time shown when the view opens; default 10m
        line: line1               # optional: where the view is listed (a line id)
        pens:
          - line1.billet_temp     # a tag alone
          - tag: line1.ram_pressure
            normal: [150, 280]    # a grey band: the normal operating range (eng. units)
            range: [0, 350]       # the axis range (default: the tag's engineering range)

Views an operator saves go to ``trends.json`` in the project's data folder, in the same
shape (``span`` in seconds): under ``views`` those for everyone at the station, under
``own`` each user's own. A view for everyone changes what every user sees, so it asks
the permission ``trends.save`` and goes into the audit trail; a view of one's own needs
only a signed-in user. A damaged file is reported and left alone, never fatal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .access import Access
from .project.fields import Fields
from .project.limits import TREND_SPAN
from .project.models import DataType, Problem, Project, Section, Source
from .project.problems import internal_fault
from .project.yamlsrc import line_of
from .systemtags import capability_tag
from .words import describe_value, did_you_mean

MAX_PENS = 8
DEFAULT_SPAN = 600.0
VIEW_FIELDS = ("name", "pens", "span", "line")
PEN_FIELDS = ("tag", "normal", "range")
USER_FILE = "trends.json"
USER_FORMAT = 2  # 1: only ``views`` (all for everyone); 2 adds ``own``
SAVE_FOR_EVERYONE = "trends.save"  # the permission (declared by the historian capability)


@dataclass(frozen=True, slots=True)
class PenDef:
    """One pen: a tag, optionally its normal band and its axis range (engineering units)."""

    tag: str
    normal: tuple[float, float] | None = None
    range: tuple[float, float] | None = None


@dataclass(frozen=True)
class TrendViewDef:
    name: str
    pens: tuple[PenDef, ...]
    span: float = DEFAULT_SPAN  # seconds
    line: str = ""
    source: Source = field(default=Source(""), compare=False)
    user: bool = False  # saved by an operator, not written in the project
    owner: str = ""  # the user it was saved for alone; "" for everyone at the station

    def as_json(self) -> dict[str, Any]:
        pens = []
        for pen in self.pens:
            item: dict[str, Any] = {"tag": pen.tag}
            if pen.normal is not None:
                item["normal"] = list(pen.normal)
            if pen.range is not None:
                item["range"] = list(pen.range)
            pens.append(item)
        out: dict[str, Any] = {"name": self.name, "span": self.span, "pens": pens}
        if self.line:
            out["line"] = self.line
        return out


def trendview_problems(project: Project) -> list[Problem]:
    """Every problem of the ``trends:`` section, each at its file:line, for ``hmi check``."""
    return read_trendviews(project)[1]


def read_trendviews(project: Project) -> tuple[list[TrendViewDef], list[Problem]]:
    """The project's trend views and the problems found; a faulty view is left out."""
    section = project.extra.get("trends")
    if section is None:
        return [], []
    if not isinstance(section, Section):
        section = Section("trends", section, project.source)
    reader = _ViewReader(project, section.source.file, section.source.line)
    try:
        views = reader.read_list(section.data)
    except Exception as error:  # never a traceback for a project file
        reader.report(section.data, None, internal_fault("the trends section", error))
        views = []
    return views, sorted(reader.problems, key=lambda p: p.source.line)


class _ViewReader:
    """Reads views from YAML (lines known) or JSON (``file`` only); collects problems."""

    def __init__(self, project: Project | None, file: str, line: int = 0):
        self.project = project
        self.file = file
        self.line = line
        self.problems: list[Problem] = []

    def report(self, container: Any, key: Any, message: str) -> None:
        """A problem with an item of a list (or with the list itself, for key None)."""
        line = line_of(container, key, self.line) if container is not None else self.line
        self.problems.append(Problem(Source(self.file, line), f"trends: {message}"))

    def fields(self, data: Mapping, parent: list, index: int, label: str) -> Fields:
        """Item ``index`` of ``parent``, read field by field."""
        line = line_of(parent, index, self.line)
        return Fields(self.problems.append, data, self.file, line, f"trends: {label}")

    def read_list(self, data: Any, user: bool = False) -> list[TrendViewDef]:
        if data is None:
            return []
        if not isinstance(data, list):
            self.report(
                data,
                None,
                f"expected a list of views (- name: ... pens: [...]), got {describe_value(data)}",
            )
            return []
        views: list[TrendViewDef] = []
        names: dict[str, int] = {}
        for index, item in enumerate(data):
            view = self.read_view(data, index, item, user)
            if view is None:
                continue
            if view.name.casefold() in names:
                self.report(
                    data,
                    index,
                    f"view '{view.name}' is written twice (first at line "
                    f"{names[view.name.casefold()]}); give each view its own name",
                )
                continue
            names[view.name.casefold()] = line_of(data, index, self.line)
            views.append(view)
        return views

    def read_view(self, parent: list, index: int, data: Any, user: bool) -> TrendViewDef | None:
        where = f"view #{index + 1}"
        if not isinstance(data, Mapping):
            self.report(
                parent,
                index,
                f"{where}: expected a mapping with name: and pens:, got {describe_value(data)}",
            )
            return None
        view = self.fields(data, parent, index, where)
        name = view.text("name")
        name_written_wrong = view.failed
        if name:
            view.label = f"trends: view '{name}'"
        view.unknown_keys(VIEW_FIELDS)
        if not name:
            if not name_written_wrong:
                view.problem("name" if "name" in data else None, "needs a name")
            return None
        span = self.span(view)
        line = self.line_id(view)
        pens = self.pens(view)
        if not pens:
            return None
        return TrendViewDef(name, tuple(pens), span, line, view.source(), user)

    def span(self, view: Fields) -> float:
        return view.duration("span", DEFAULT_SPAN, within=TREND_SPAN)

    def line_id(self, view: Fields) -> str:
        line = view.get("line")
        if line is None:
            return ""
        lines = self.project.lines if self.project is not None else {}
        if not isinstance(line, str) or (lines and line not in lines):
            hint = did_you_mean(str(line), lines, "lines")
            view.problem("line", f"unknown line '{line}'; {hint}")
            return ""
        return line

    def pens(self, view: Fields) -> list[PenDef]:
        pens_data = view.get("pens")
        if not isinstance(pens_data, list) or not pens_data:
            view.problem(
                "pens" if "pens" in view.data else None,
                "needs pens: a list of tags, e.g. pens: [line1.billet_temp]",
            )
            return []
        pens: list[PenDef] = []
        where = view.label.removeprefix("trends: ")
        for index, item in enumerate(pens_data):
            pen = self.pen(pens_data, index, item, where)
            if pen is None:
                continue
            if any(p.tag == pen.tag for p in pens):
                self.report(pens_data, index, f"{where}: pen '{pen.tag}' is listed twice")
                continue
            pens.append(pen)
        if len(pens) > MAX_PENS:
            view.problem(
                "pens",
                f"{len(pens)} pens; a view shows at most {MAX_PENS}, split it into two views",
            )
            pens = pens[:MAX_PENS]
        return pens

    def pen(self, parent: list, index: int, item: Any, where: str) -> PenDef | None:
        if isinstance(item, str):
            item = {"tag": item}
        elif not isinstance(item, Mapping):
            self.report(
                parent,
                index,
                f"{where}: pen #{index + 1}: expected a tag name or "
                f"{{tag: ..., normal: [lo, hi]}}, got {describe_value(item)}",
            )
            return None
        pen = self.fields(item, parent, index, where)
        pen.unknown_keys(PEN_FIELDS, kind="pen field")
        tag = str(item.get("tag") or "").strip()
        if not self.known_tag(pen, tag, index):
            return None
        normal = self.band(pen, "normal", tag)
        axis = self.band(pen, "range", tag)
        return PenDef(tag, normal, axis)

    def known_tag(self, pen: Fields, tag: str, index: int) -> bool:
        if not tag:
            pen.problem(None, f"pen #{index + 1} needs a tag")
            return False
        if self.project is None:
            return True
        config = self.project.tags.get(tag)
        if config is None and capability_tag(tag):
            from .capability import project_system_tags  # it reads the trends: not at import

            system = project_system_tags(self.project)
            config = system.get(tag)
            if config is None:
                pen.problem("tag", system.refusal(tag))
                return False
        if config is None:
            hint = did_you_mean(tag, self.project.tags, "tags", listed=0)
            message = f"unknown tag '{tag}'; {hint}"
            pen.unknown("tag", message, self.project.missing_tag_explained(tag))
            return False
        if config.data_type is DataType.STRING:
            pen.problem("tag", f"'{tag}' is a text tag; a trend draws numbers only")
            return False
        return True

    def band(self, pen: Fields, key: str, tag: str) -> tuple[float, float] | None:
        what = "normal band" if key == "normal" else "axis range"
        shape = f"the {what} of '{tag}' as [low, high] with low < high, e.g. [150, 280]"
        pair = pen.pair(key, shape)
        if pair is not None and pair[0] >= pair[1]:
            pen.wrong(key, shape)
            return None
        return pair


# -- the views operators save ----------------------------------------------------------------


class ViewNotSaved(ValueError):
    """A view was not saved (and nothing was written); the text says why."""


def user_views_path(data_dir: str | os.PathLike[str]) -> Path:
    return Path(data_dir) / USER_FILE


def read_user_views(
    path: str | os.PathLike[str], project: Project | None = None, user: str | None = ""
) -> tuple[list[TrendViewDef], list[Problem]]:
    """The views saved in ``path`` (none if it does not exist) that ``user`` sees: those
    for everyone, then the user's own (every user's with ``user=None``); and what is
    wrong with the file."""
    path = Path(path)
    if not path.exists():
        return [], []
    source = Source(str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return [], [Problem(source, f"saved trend views cannot be read: {error}")]
    own = data.get("own", {}) if isinstance(data, Mapping) else None
    if not isinstance(data, Mapping) or not isinstance(data.get("views"), list):
        return [], [Problem(source, 'saved trend views: expected {"views": [...]}')]
    reader = _ViewReader(project, str(path))
    views = reader.read_list(data["views"], user=True)
    if not isinstance(own, Mapping):
        reader.report(None, None, 'saved trend views: "own" is not {"user": [...]}')
        own = {}
    for owner, listed in own.items():
        if user is None or owner == user:
            views += [replace(v, owner=owner) for v in reader.read_list(listed, user=True)]
    return views, reader.problems


def write_user_views(path: str | os.PathLike[str], views: Sequence[TrendViewDef]) -> None:
    """Save ``views`` (every user's) atomically: a crash while saving leaves the previous
    file whole."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    own: dict[str, list[dict[str, Any]]] = {}
    for view in views:
        if view.owner:
            own.setdefault(view.owner, []).append(view.as_json())
    shared = [v.as_json() for v in views if not v.owner]
    text = json.dumps(
        {"format": USER_FORMAT, "views": shared, "own": own}, indent=2, ensure_ascii=False
    )
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text + "\n", encoding="utf-8")
    os.replace(temporary, path)


def save_user_view(
    path: str | os.PathLike[str], view: TrendViewDef, project: Project | None = None
) -> list[TrendViewDef]:
    """Add ``view`` to the saved views, replacing one of the same name and owner; returns
    them all. No permission is asked here: see ``save_view_for``."""
    views, _ = read_user_views(path, project, user=None)
    kept = [v for v in views if not _same(v, view.name, view.owner)]
    kept.append(replace(view, source=Source(""), user=True))
    write_user_views(path, kept)
    return kept


def save_view_for(
    path: str | os.PathLike[str],
    view: TrendViewDef,
    user: str,
    *,
    everyone: bool,
    access: Access | None = None,
    project: Project | None = None,
) -> list[TrendViewDef]:
    """Save ``view`` as ``user``'s own or, with ``everyone``, for every user of the station.

    Asked at the moment of saving (whoever opened the dialog may have signed out since):
    one's own needs a signed-in user; one for everyone needs ``trends.save`` from
    ``access``, and a refusal is recorded there too. ``ViewNotSaved`` says why nothing was
    written.
    """
    if not everyone:
        if not user.strip():
            raise ViewNotSaved("nobody is signed in; sign in to keep a view of your own")
        return save_user_view(path, replace(view, owner=user), project)
    refusal = access.refusal(user, SAVE_FOR_EVERYONE, view.name) if access else None
    if access is not None and refusal:
        access.record(user, SAVE_FOR_EVERYONE, view.name, status="refused", message=refusal)
        raise ViewNotSaved(refusal)
    before, _ = read_user_views(path, project, user=None)
    views = save_user_view(path, replace(view, owner=""), project)
    if access is not None:
        access.record(
            user,
            SAVE_FOR_EVERYONE,
            view.name,
            status="done",
            replaced=any(_same(v, view.name, "") for v in before),
            span=view.span,
            pens=[pen.tag for pen in view.pens],
        )
    return views


def delete_user_view(
    path: str | os.PathLike[str], name: str, project: Project | None = None, owner: str = ""
) -> list[TrendViewDef]:
    views, _ = read_user_views(path, project, user=None)
    kept = [v for v in views if not _same(v, name, owner)]
    write_user_views(path, kept)
    return kept


def _same(view: TrendViewDef, name: str, owner: str) -> bool:
    return view.owner == owner and view.name.casefold() == name.casefold()
