"""The daily-limit policy: tiers by day, both modes, capped at ceil(total / 3)."""

import math

import pytest

from campaigns.limits import daily_limit, days_to_finish, schedule

# Written out from the reference's table, day by day (day 2 uses day 1's tier, ...).
NORMAL = {1: 35, 2: 35, 3: 65, 4: 65, 5: 65, 6: 65} | {d: 120 for d in range(7, 14)}
NORMAL |= {d: 200 for d in range(14, 21)}
NEW = {1: 20, 2: 20, 3: 40, 4: 40, 5: 60, 6: 60} | {d: 90 for d in range(7, 14)}
NEW |= {d: 200 for d in range(14, 21)}
DAYS = range(1, 21)


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("is_new, table", [(False, NORMAL), (True, NEW)], ids=["normal", "new"])
def test_a_large_campaign_gets_the_tier_of_its_day(day, is_new, table):
    assert daily_limit(day, is_new, 1_000_000) == table[day]


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("is_new", [False, True], ids=["normal", "new"])
def test_a_small_campaign_is_capped_to_finish_in_about_three_days(day, is_new):
    assert daily_limit(day, is_new, 30) == 10
    assert daily_limit(day, is_new, 31) == 11


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("is_new, table", [(False, NORMAL), (True, NEW)], ids=["normal", "new"])
def test_a_medium_campaign_takes_the_smaller_of_tier_and_cap(day, is_new, table):
    assert daily_limit(day, is_new, 150) == min(table[day], 50)


def test_the_reference_example_has_a_limit_of_65_on_day_4():
    assert daily_limit(4, False, 250) == 65


def test_day_zero_and_below_count_as_day_one():
    assert daily_limit(0, False, 10_000) == 35
    assert daily_limit(0, True, 10_000) == 20


def test_an_empty_campaign_has_no_limit():
    assert daily_limit(1, False, 0) == 0


def test_the_schedule_reaches_everyone_in_order():
    assert list(schedule(False, 250)) == [(1, 35), (2, 35), (3, 65), (4, 65), (5, 50)]
    assert list(schedule(False, 9)) == [(1, 3), (2, 3), (3, 3)]
    assert list(schedule(True, 100, first_day=14, already_done=40)) == [(14, 34), (15, 26)]


@pytest.mark.parametrize("total", [0, 1, 2, 9, 100, 250, 1_000, 12_345, 100_000])
@pytest.mark.parametrize("is_new", [False, True])
@pytest.mark.parametrize("first_day, done", [(1, 0), (4, 90), (13, 5), (30, 0)])
def test_days_to_finish_agrees_with_walking_the_schedule(total, is_new, first_day, done):
    walked = len(list(schedule(is_new, total, first_day, done)))
    assert days_to_finish(is_new, total, first_day, done) == walked


def test_a_million_contacts_take_about_five_thousand_days():
    # 13 warm-up days then 200 a day
    warmup = sum(NORMAL[d] for d in range(1, 14))
    assert days_to_finish(False, 1_000_000) == 13 + math.ceil((1_000_000 - warmup) / 200)
