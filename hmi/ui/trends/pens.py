"""What a trend knows of each pen: the tag's units, range, bands and limits, and its look.

Pens are told apart by calm dark colours and dash styles, never an alarm colour (red,
orange, yellow and magenta mean an alarm priority and nothing else). Pens with the same
units share one Y axis on their engineering range; a pen the operator fits to its data
(``fit_data``) gets a Y axis of its own that follows the values shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import Qt

from hmi.core.alarms import AlarmDef, AlarmKind, load_alarms
from hmi.core.project.models import DataType, Project
from hmi.core.trendviews import PenDef
from hmi.ui.dialogs import short_name
from hmi.ui.i18n import shown_tag, translate

SOLID, DASH, DOT = Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine
# near-black, blue, teal, indigo, then the same dashed: cool hues only, far from the alarm
# colours (red, orange, yellow, magenta) and from green
PALETTE: tuple[tuple[str, Qt.PenStyle], ...] = (
    ("#1A1A1A", SOLID),
    ("#1F5FBF", SOLID),
    ("#00707A", SOLID),
    ("#5B3F99", SOLID),
    ("#1A1A1A", DASH),
    ("#1F5FBF", DASH),
    ("#00707A", DASH),
    ("#5B3F99", DASH),
)
PRIORITY_GLYPHS = {1: "■", 2: "◆", 3: "▲", 4: "▼"}  # the shapes of the alarm badges
LIMIT_KINDS = {
    AlarmKind.HIHI: "HH",
    AlarmKind.HI: "H",
    AlarmKind.LO: "L",
    AlarmKind.LOLO: "LL",
}


@dataclass(frozen=True, slots=True)
class Limit:
    """An alarm limit drawn as a line in its priority's colour, with its short name."""

    name: str  # HH, H, L, LL
    value: float
    priority: int


@dataclass
class Pen:
    tag: str
    number: int  # 1-based, shown beside the pen's name and limits
    label: str
    units: str
    decimals: int | None
    color: str
    dash: Qt.PenStyle
    axis_range: tuple[float, float] | None
    normal: tuple[float, float] | None = None
    limits: tuple[Limit, ...] = ()
    step: bool = False  # held values (on/off) are drawn as steps
    exists: bool = True  # the project knows the tag
    axis_range_override: tuple[float, float] | None = None  # written in the view
    fit_data: bool = False  # its axis follows the data shown, not the engineering range

    def format(self, value: float | None, with_units: bool = True) -> str:
        if value is None or value != value:
            return "—"
        if self.step:
            return translate("Trend", "on") if value >= 0.5 else translate("Trend", "off")
        places = self.decimals if self.decimals is not None else (0 if abs(value) >= 1000 else 1)
        text = f"{value:.{places}f}"
        return f"{text} {self.units}".rstrip() if with_units else text

    def spec(self) -> PenDef:
        return PenDef(self.tag, self.normal, self.axis_range_override)


@dataclass
class AxisGroup:
    """Pens sharing one Y axis (same units)."""

    units: str
    pens: list[Pen] = field(default_factory=list)

    @property
    def fit_data(self) -> bool:
        """The axis follows the data shown (its pen was fitted by the operator)."""
        return any(p.fit_data for p in self.pens)

    @property
    def range(self) -> tuple[float, float] | None:
        """The union of the pens' axis ranges, when every pen has one and none is fitted
        to its data."""
        ranges = [p.axis_range for p in self.pens]
        if not ranges or any(r is None for r in ranges) or self.fit_data:
            return None
        return min(r[0] for r in ranges), max(r[1] for r in ranges)  # type: ignore[index]

    @property
    def color(self) -> str:
        """The pen's colour when the axis has one pen; grey text when it is shared."""
        return self.pens[0].color if len(self.pens) == 1 else "#333333"


def limits_by_tag(alarms: Iterable[AlarmDef]) -> dict[str, tuple[Limit, ...]]:
    found: dict[str, list[Limit]] = {}
    for alarm in alarms:
        name = LIMIT_KINDS.get(alarm.kind)
        if name is None or alarm.limit is None:
            continue
        found.setdefault(alarm.tag, []).append(Limit(name, float(alarm.limit), alarm.priority))
    return {tag: tuple(sorted(v, key=lambda x: -x.value)) for tag, v in found.items()}


def project_limits(project: Project) -> dict[str, tuple[Limit, ...]]:
    """Alarm limits of every tag; a faulty alarms section gives what could be read."""
    try:
        alarms, _ = load_alarms(project)
    except Exception:  # the alarms are checked elsewhere; a trend still opens
        return {}
    return limits_by_tag(alarms)


def make_pen(
    project: Project, spec: PenDef, index: int, limits: dict[str, tuple[Limit, ...]]
) -> Pen:
    config = project.tags.get(spec.tag)
    color, dash = PALETTE[index % len(PALETTE)]
    if config is None:
        return Pen(spec.tag, index + 1, spec.tag, "", None, color, dash, spec.range, exists=False)
    step = config.data_type is DataType.BOOL
    axis = spec.range or config.eng_range or ((0.0, 1.0) if step else None)
    shown = shown_tag(project, config) or config  # named in the operator's language
    return Pen(
        tag=spec.tag,
        number=index + 1,
        label=short_name(shown, spec.tag),
        units="" if step else shown.units,
        decimals=config.decimals,
        color=color,
        dash=dash,
        axis_range=axis,
        normal=spec.normal,
        limits=limits.get(spec.tag, ()),
        step=step,
        axis_range_override=spec.range,
    )


def make_pens(
    project: Project, specs: Sequence[PenDef], limits: dict[str, tuple[Limit, ...]]
) -> list[Pen]:
    return [make_pen(project, spec, i, limits) for i, spec in enumerate(specs)]


def axis_groups(pens: Sequence[Pen]) -> list[AxisGroup]:
    """One group per distinct units, in the order the pens first use them; a pen fitted to
    its data has a group of its own."""
    groups: dict[tuple[str, str], AxisGroup] = {}
    for pen in pens:
        units = "on/off" if pen.step else pen.units
        key = ("fit", pen.tag) if pen.fit_data and not pen.step else ("units", units)
        groups.setdefault(key, AxisGroup(units)).pens.append(pen)
    return list(groups.values())
