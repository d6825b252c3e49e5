"""The sane range of every duration, port and count a project sets, written once.

A value outside its range reads fine and breaks the runtime later: a 1 ns scan period
spins a core, a 1e308 s timeout overflows the clock and never fires, a million decimals
exhausts memory in a format string. Every reader of a project file (the loader, the
sections of alarms, history and trends, the drivers' options, the screens) checks against
these, so the same setting has the same range wherever it is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..words import describe_value
from .durations import parse_signed_duration

DAY = 86400.0
YEAR = 365 * DAY


def format_duration(seconds: float) -> str:
    """``0.01`` -> ``10ms``, ``600`` -> ``10min``, ``86400`` -> ``1 day``: for messages,
    written the way a project file writes durations."""
    if seconds == 0:
        return "0"
    for unit, size in ((" years", YEAR), (" days", DAY), ("h", 3600.0), ("min", 60.0), ("s", 1.0)):
        if seconds >= size:
            shown = f"{seconds / size:g}"
            return f"{shown}{unit[:-1] if shown == '1' and unit[0] == ' ' else unit}"
    return f"{seconds * 1000:g}ms"


@dataclass(frozen=True, slots=True)
class DurationRange:
    """The shortest and longest sensible value of one kind of duration, with an example."""

    lowest: float
    highest: float
    example: str

    @property
    def text(self) -> str:
        return f"{format_duration(self.lowest)} to {format_duration(self.highest)}"

    def problem(self, seconds: float, written: object) -> str | None:
        """Why ``seconds`` (as ``written``) is out of range, or None."""
        shown = (
            written if isinstance(written, str) and len(written) <= 20 else describe_value(written)
        )
        if seconds < 0:
            shown = describe_value(written)
            return f"duration {shown} is negative; use {self.text}, e.g. {self.example}"
        if seconds < self.lowest:
            return f"{shown} is too short; use {self.text}, e.g. {self.example}"
        if seconds > self.highest:
            return f"{shown} is too long; use {self.text}, e.g. {self.example}"
        return None

    def parse(self, value: object) -> float:
        """Seconds from ``value`` (see ``parse_duration``); ``ValueError`` says what is
        accepted when it is not a duration or is out of range."""
        seconds = parse_signed_duration(value)
        if (reason := self.problem(seconds, value)) is not None:
            raise ValueError(reason)
        return seconds


@dataclass(frozen=True, slots=True)
class WholeRange:
    """The smallest and largest sensible value of one kind of whole number."""

    lowest: int
    highest: int

    def __contains__(self, number: object) -> bool:
        return isinstance(number, int) and self.lowest <= number <= self.highest

    @property
    def text(self) -> str:
        return f"a whole number from {self.lowest} to {self.highest}"


# -- durations --------------------------------------------------------------------------
SCAN_PERIOD = DurationRange(0.01, DAY, "100ms")  # how often a scan class polls
TIMEOUT = DurationRange(0.01, 600.0, "1s")  # one request to a device, `hmi read --timeout`
RECONNECT = DurationRange(0.01, 3600.0, "10s")  # waits between attempts to reach a device
DELAY = DurationRange(0.0, DAY, "5s")  # alarm on/off delays; 0 is no delay
RATE_PERIOD = DurationRange(0.01, DAY, "1m")  # the time a rate of change is taken over
HISTORY_INTERVAL = DurationRange(0.1, DAY, "10s")  # historian mode: interval
HISTORY_MAX_INTERVAL = DurationRange(1.0, YEAR, "10m")  # longest gap between stored points
RETENTION = DurationRange(3600.0, 100 * YEAR, "90d")  # how long history is kept
TREND_SPAN = DurationRange(10.0, 10 * YEAR, "1h")  # what a trend view shows at once
SUMMARY_PERIOD = DurationRange(0.1, DAY, "2s")  # `hmi run --every`
RUN_TIME = DurationRange(0.1, 100 * YEAR, "60s")  # `hmi run --seconds`
WAIT = DurationRange(0.0, 3600.0, "2s")  # `hmi screenshot --wait`

# -- numbers ----------------------------------------------------------------------------
PORT = WholeRange(1, 65535)
ITEMS_PER_REQUEST = WholeRange(1, 100_000)  # OPC UA nodes in one Read request
DECIMALS = WholeRange(0, 15)  # beyond 15 a float64 has no more digits to show
SCREEN_SIDE = (10.0, 100_000.0)  # a screen's design width or height, in design units
FONT_SIZE = (1.0, 1000.0)  # design units
SCREENSHOT_SIDE = (16, 16384)  # pixels of `hmi screenshot --size`
