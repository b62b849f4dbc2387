"""A simulated multi-day run: per-day sends follow the warm-up limits exactly."""

import math
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from campaigns.limits import schedule
from campaigns.models import Campaign, CampaignContact, CampaignDay
from tests.engine.helpers import run_days, start_campaign

RIYADH = ZoneInfo("Asia/Riyadh")


def per_day(campaign: Campaign) -> list[tuple[int, int]]:
    days = CampaignDay.objects.filter(campaign=campaign).order_by("date")
    return [(day.day_number, day.attempted) for day in days if day.attempted]


@pytest.mark.parametrize("is_new_number", [False, True], ids=["normal", "new-number"])
def test_a_twenty_day_run_sends_exactly_the_daily_limits_and_completes(alice, is_new_number):
    first = datetime(2027, 3, 1, 0, 0, tzinfo=ZoneInfo("UTC"))
    campaign = start_campaign(
        alice,
        contacts=2000,
        at=first,
        is_new_number=is_new_number,
        send_window={"start": time(9), "end": time(17)},
    )

    run_days(first, 20, window=(time(9), time(17)))

    campaign.refresh_from_db()
    assert per_day(campaign) == list(schedule(is_new_number, 2000))
    assert campaign.status == "completed" and campaign.completed_at is not None
    assert campaign.sent_count == 2000 and campaign.pending_count == 0
    assert CampaignContact.objects.filter(campaign=campaign, status="sent").count() == 2000


def test_a_small_campaign_sends_a_third_a_day(alice):
    first = datetime(2027, 3, 1, tzinfo=ZoneInfo("UTC"))
    campaign = start_campaign(alice, contacts=10, at=first)

    run_days(first, 5)

    campaign.refresh_from_db()
    assert per_day(campaign) == [(1, 4), (2, 4), (3, 2)] == list(schedule(False, 10))
    assert math.ceil(10 / 3) == 4
    assert campaign.status == "completed"
    assert campaign.completed_at.astimezone(ZoneInfo("UTC")).date() == datetime(2027, 3, 3).date()
