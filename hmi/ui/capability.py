"""How a capability's views plug into the operator application.

The Qt side of a capability lives in ``hmi/ui/<name>/`` and has one class that the
operator windows call at fixed moments; the shell names no capability. It gets the
capability's service (``Runtime.services[name]``, or None when the capability is not
running: the views then offer what works without it, or nothing):

- ``configure(operator)``: before any window exists, for what every window's screens and
  popups share (how a value opens its trend, which alarm state a symbol follows);
- ``install(window)``: the main window, for its banner, pages, header items and
  navigation entries;
- ``add_window(window)``: each further operator window on the desk;
- ``close()``: the main window is closing.

View classes load like capabilities: the ``hmi.capability_views`` entry points, named
like the capability they show, with the built-in list as a fallback for frozen builds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, Protocol

from hmi.core.plugins import load_targets

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog, QWidget

    from hmi.ui.operator import Operator

GROUP = "hmi.capability_views"
BUILTIN = {
    "alarms": "hmi.ui.alarms:AlarmCapabilityViews",
    "historian": "hmi.ui.trends:HistoryCapabilityViews",
    "replay": "hmi.ui.replay:ReplayViews",
    "users": "hmi.ui.users:UsersViews",
    "audit": "hmi.ui.audit:AuditViews",
    "orders": "hmi.ui.orders:OrdersViews",
    "vision": "hmi.ui.vision:VisionViews",
    "mes": "hmi.ui.mes:MesViews",
    "fleet": "hmi.ui.fleet:FleetViews",
}


class AlarmLink(NamedTuple):
    """An alarm a symbol follows: its id, the system tag carrying its state, its priority;
    what a symbol draws of it (``kind`` hi/hihi/lo/lolo, dev_hi/dev_lo, state, comm, ...;
    ``limit``, for a deviation the offset from the ``setpoint`` tag; ``match``, the values
    of a state alarm) and the help the operator reads about it."""

    alarm_id: str
    state_tag: str
    priority: int
    kind: str = ""
    limit: float | None = None
    setpoint: str = ""
    match: tuple[Any, ...] = ()
    cause: str = ""
    consequence: str = ""
    action: str = ""


#: the alarms a tag has (what a symbol showing that tag follows)
AlarmLinks = Callable[[str], Sequence[AlarmLink]]


def no_alarms(tag: str) -> Sequence[AlarmLink]:
    return ()


class TrendOpening(Protocol):
    """How a value on a screen opens its trend (touch and hold; desk: Shift+click)."""

    def install_hold(
        self, view: QWidget, parent: QWidget, *, allowed: Callable[[], bool]
    ) -> Any: ...

    def open(self, parent: QWidget | None, tags: Sequence[Any] = (), **options: Any) -> QDialog: ...


class CapabilityViews:
    """One capability's part of the operator windows; override what it needs."""

    #: the capability whose service it shows
    name: ClassVar[str]

    def __init__(self, service: Any | None):
        self.service = service

    def configure(self, operator: Operator) -> None:
        """Before any window: what all windows share."""

    def install(self, window: Any) -> None:
        """The main window (``hmi.ui.shell.MainWindow``)."""

    def add_window(self, window: Any) -> None:
        """Another operator window (desk: a screen in a window of its own)."""

    def close(self) -> None:
        """The main window closes: stop listening to the service."""


def discover_views(targets: Mapping[str, str] | None = None) -> list[type[CapabilityViews]]:
    """The view classes from ``targets`` (name -> 'module:Class') or the entry points;
    one that fails to load is logged and left out."""
    loaded, _ = load_targets(GROUP, BUILTIN, CapabilityViews, targets)
    return list(loaded.values())


@cache
def default_views() -> tuple[type[CapabilityViews], ...]:
    return tuple(discover_views())


def build_views(
    services: Mapping[str, Any], classes: Sequence[type[CapabilityViews]] | None = None
) -> list[CapabilityViews]:
    """One instance of each view class, given its capability's service (or None)."""
    classes = default_views() if classes is None else classes
    return [cls(services.get(cls.name)) for cls in classes]
