"""Send windows and the pacing curve: pure functions of a campaign's settings and the clock.

A window is given as local times (start, end) in the campaign's timezone; None means the
whole day, start > end wraps midnight (open before `end` and after `start`). All datetimes
returned are UTC. Durations are computed in UTC so DST days have their true length.
"""

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class DayWindow:
    """The open intervals of one local day, and how sends are paced across them."""

    intervals: tuple[tuple[datetime, datetime], ...]
    tail: timedelta  # pacing reaches the full limit this long before the window closes

    @property
    def open_seconds(self) -> float:
        return sum((end - start).total_seconds() for start, end in self.intervals)

    @property
    def paced_seconds(self) -> float:
        return max(self.open_seconds - self.tail.total_seconds(), 1.0)

    def is_open(self, now: datetime) -> bool:
        return any(start <= now < end for start, end in self.intervals)

    def elapsed_fraction(self, now: datetime) -> float:
        """Share of today's (paced) window already behind `now`, in [0, 1]."""
        elapsed = sum(
            min(max((now - start).total_seconds(), 0.0), (end - start).total_seconds())
            for start, end in self.intervals
        )
        return min(elapsed / self.paced_seconds, 1.0)

    def moment_at(self, fraction: float) -> datetime:
        """The instant when `fraction` of the paced window has elapsed."""
        remaining = max(fraction, 0.0) * self.paced_seconds
        for start, end in self.intervals:
            length = (end - start).total_seconds()
            if remaining <= length:
                return start + timedelta(seconds=remaining)
            remaining -= length
        return self.intervals[-1][1]

    @property
    def closes_at(self) -> datetime:
        return self.intervals[-1][1]


def local_datetime(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def day_window(
    day: date, tz: ZoneInfo, start: time | None, end: time | None, tail_seconds: float = 0
) -> DayWindow:
    """The open intervals of local `day` for a window from `start` to `end`."""
    day_start = local_datetime(day, time(0), tz)
    day_end = local_datetime(day + timedelta(days=1), time(0), tz)
    if start is None or end is None or start == end:
        intervals = ((day_start, day_end),)
    elif start < end:
        intervals = ((local_datetime(day, start, tz), local_datetime(day, end, tz)),)
    else:
        intervals = (
            (day_start, local_datetime(day, end, tz)),
            (local_datetime(day, start, tz), day_end),
        )
    open_seconds = sum((b - a).total_seconds() for a, b in intervals)
    # Only shave a tail off windows long enough to pace meaningfully.
    tail = timedelta(seconds=tail_seconds if open_seconds > 4 * tail_seconds else 0)
    return DayWindow(intervals=intervals, tail=tail)


def next_opening(
    now: datetime, tz: ZoneInfo, start: time | None, end: time | None, *, after_today=False
) -> datetime:
    """The first moment after `now` (or after today, local) when the window is open."""
    today = now.astimezone(tz).date()
    for offset in range(1 if after_today else 0, 4):
        for opens, closes in day_window(today + timedelta(days=offset), tz, start, end).intervals:
            if closes > now:
                return max(opens, now)
    return now + timedelta(days=1)


def pace_cap(limit: int, fraction: float) -> int:
    """How many contacts may have been attempted by `fraction` of the window."""
    return min(limit, math.ceil(fraction * limit - 1e-9))


def moment_for_attempt(window: DayWindow, attempted: int, limit: int) -> datetime:
    """When the pacing curve first allows attempt number `attempted + 1`."""
    return window.moment_at(attempted / limit) + timedelta(milliseconds=1)
