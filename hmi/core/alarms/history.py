"""The alarms' states at past moments, named by the system tags that carry them, so a
replayed screen shows each alarm as it stood (``hmi.core.replay.AlarmStateSource``)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from .publication import STATE_PREFIX

if TYPE_CHECKING:
    from .manager import AlarmManager


class AlarmStateHistory:
    def __init__(self, manager: AlarmManager):
        self.manager = manager

    def is_state_tag(self, tag: str) -> bool:
        return tag.startswith(STATE_PREFIX)

    def states_at(self, tags: Collection[str], t: float) -> dict[str, str]:
        ids = {tag[len(STATE_PREFIX) :]: tag for tag in tags if tag.startswith(STATE_PREFIX)}
        states = self.manager.states_at(ids, t)
        return {ids[alarm_id]: state.value for alarm_id, state in states.items()}
