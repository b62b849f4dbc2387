"""`next_step`: when the next message goes and why nothing is sent now."""

from datetime import UTC, datetime, time

import pytest

from campaigns.models import Campaign
from campaigns.next_step import next_step
from campaigns.services import campaign_pause, campaign_start
from tests.factories import make_campaign


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def running(bob):
    campaign = make_campaign(bob, size=6)
    Campaign.objects.filter(pk=campaign.pk).update(
        timezone="Asia/Riyadh", send_window_start=time(9), send_window_end=time(17)
    )
    campaign.refresh_from_db()
    return campaign_start(campaign=campaign)


@pytest.mark.django_db
def test_a_draft_and_a_paused_campaign_say_so(bob, running):
    draft = make_campaign(bob, name="Draft one")
    assert "press Start" in next_step(draft).reason
    campaign_pause(campaign=running)
    running.refresh_from_db()
    assert next_step(running).reason.startswith("Paused")


@pytest.mark.django_db
def test_outside_the_window_it_names_the_opening(running):
    step = next_step(running, utc(2027, 3, 1, 3))  # 06:00 in Riyadh
    assert step.reason == "Outside the send window." and not step.sending
    assert step.at == utc(2027, 3, 1, 6)


@pytest.mark.django_db
def test_a_reached_daily_limit_waits_for_tomorrows_window(running):
    now = utc(2027, 3, 1, 8)  # 11:00 in Riyadh
    Campaign.objects.filter(pk=running.pk).update(
        today_date=datetime(2027, 3, 1).date(), today_attempted=2, campaign_day=1
    )
    running.refresh_from_db()
    step = next_step(running, now)
    assert "limit of 2 people is reached" in step.reason
    assert step.at == utc(2027, 3, 2, 6)


@pytest.mark.django_db
def test_inside_the_window_it_is_sending(running):
    step = next_step(running, utc(2027, 3, 1, 8))
    assert step.sending and "Sending" in step.reason
