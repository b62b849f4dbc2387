"""The warm-up daily-limit policy: a pure function of the day, the mode and the size."""

import math

# (first campaign day of the tier, limit for a normal number, limit for a new number)
TIERS: tuple[tuple[int, int, int], ...] = (
    (1, 35, 20),
    (3, 65, 40),
    (5, 65, 60),
    (7, 120, 90),
    (14, 200, 200),
)


def tier_limit(campaign_day: int, is_new_number: bool) -> int:
    """The tier of the largest threshold not above `campaign_day` (day 0 counts as day 1)."""
    day = max(campaign_day, 1)
    limit = TIERS[0]
    for tier in TIERS:
        if tier[0] <= day:
            limit = tier
    return limit[2] if is_new_number else limit[1]


def daily_limit(campaign_day: int, is_new_number: bool, total_contacts: int) -> int:
    """Contacts that may be reached on `campaign_day`: min(tier, ceil(total / 3))."""
    return min(tier_limit(campaign_day, is_new_number), math.ceil(total_contacts / 3))


def shared_limit(campaign_day: int, is_new_number: bool, total_contacts: int, share: int) -> int:
    """The campaign's part of its number's day when `share` campaigns send through it: the
    number's cap is the highest limit among them, so each is planned at an equal part."""
    return math.ceil(daily_limit(campaign_day, is_new_number, total_contacts) / max(share, 1))


def schedule(
    is_new_number: bool,
    total_contacts: int,
    first_day: int = 1,
    already_done: int = 0,
    share: int = 1,
):
    """Yields (campaign_day, contacts that day) until every contact is reached."""
    remaining = max(total_contacts - already_done, 0)
    day = max(first_day, 1)
    while remaining > 0:
        today = min(remaining, shared_limit(day, is_new_number, total_contacts, share))
        if today <= 0:
            return
        yield day, today
        remaining -= today
        day += 1


def days_to_finish(
    is_new_number: bool,
    total_contacts: int,
    first_day: int = 1,
    already_done: int = 0,
    share: int = 1,
) -> int:
    """How many days `schedule` takes, without walking every day of a long campaign.

    Past the last tier the limit no longer changes, so the rest is one division.
    """
    remaining = max(total_contacts - already_done, 0)
    day, days = max(first_day, 1), 0
    while remaining > 0 and day < TIERS[-1][0]:
        today = shared_limit(day, is_new_number, total_contacts, share)
        if today <= 0:
            return days
        remaining -= min(remaining, today)
        day, days = day + 1, days + 1
    if remaining <= 0:
        return days
    steady = shared_limit(day, is_new_number, total_contacts, share)
    return days + math.ceil(remaining / steady) if steady > 0 else days
