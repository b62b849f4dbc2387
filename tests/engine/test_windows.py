"""Send windows in the campaign's timezone, and the pacing curve."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from campaigns.engine.windows import day_window, next_opening, pace_cap

RIYADH = ZoneInfo("Asia/Riyadh")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_riyadh_window_is_three_hours_ahead_of_utc():
    window = day_window(date(2027, 3, 1), RIYADH, time(9), time(17))
    assert window.intervals == ((utc(2027, 3, 1, 6), utc(2027, 3, 1, 14)),)
    assert not window.is_open(utc(2027, 3, 1, 5, 59))
    assert window.is_open(utc(2027, 3, 1, 6, 0))
    assert not window.is_open(utc(2027, 3, 1, 14, 0))


def test_the_riyadh_day_starts_at_21_utc_the_evening_before():
    window = day_window(date(2027, 3, 2), RIYADH, None, None)
    assert window.intervals == ((utc(2027, 3, 1, 21), utc(2027, 3, 2, 21)),)


def test_a_window_across_midnight_is_open_at_both_ends_of_the_day():
    window = day_window(date(2027, 3, 1), ZoneInfo("UTC"), time(22), time(6))
    assert window.is_open(utc(2027, 3, 1, 23)) and window.is_open(utc(2027, 3, 1, 5))
    assert not window.is_open(utc(2027, 3, 1, 12))
    assert window.open_seconds == 8 * 3600


def test_next_opening_is_today_or_tomorrow():
    now = utc(2027, 3, 1, 15)  # 18:00 in Riyadh, after the window
    assert next_opening(now, RIYADH, time(9), time(17)) == utc(2027, 3, 2, 6)
    early = utc(2027, 3, 1, 3)
    assert next_opening(early, RIYADH, time(9), time(17)) == utc(2027, 3, 1, 6)
    inside = utc(2027, 3, 1, 7)
    assert next_opening(inside, RIYADH, time(9), time(17), after_today=True) == utc(2027, 3, 2, 6)


def test_pacing_spreads_the_day_and_allows_the_full_limit_by_the_end():
    window = day_window(date(2027, 3, 1), ZoneInfo("UTC"), time(9), time(17), tail_seconds=60)
    assert pace_cap(200, window.elapsed_fraction(utc(2027, 3, 1, 9))) == 0
    assert pace_cap(200, window.elapsed_fraction(utc(2027, 3, 1, 9, 0, 1))) == 1
    assert pace_cap(200, window.elapsed_fraction(utc(2027, 3, 1, 13))) == 101
    assert pace_cap(200, window.elapsed_fraction(utc(2027, 3, 1, 16, 59))) == 200
