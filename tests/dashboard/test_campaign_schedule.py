"""Dashboard: scheduling, rescheduling and clearing a draft's start."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from tests.factories import make_campaign

RIYADH = ZoneInfo("Asia/Riyadh")


@pytest.fixture
def campaign(alice):
    campaign = make_campaign(alice)
    Campaign.objects.filter(pk=campaign.pk).update(timezone="Asia/Riyadh")
    campaign.refresh_from_db()
    return campaign


def local_input(moment: datetime) -> str:
    return moment.astimezone(RIYADH).strftime("%Y-%m-%dT%H:%M")


def schedule(web, campaign, **data):
    url = reverse("dashboard:campaign_schedule", args=[campaign.pk])
    return web.post(url, data, follow=True).content.decode()


@pytest.mark.django_db
def test_a_draft_is_scheduled_in_its_timezone_and_shows_when_it_starts(web, campaign):
    at = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)

    page = schedule(web, campaign, starts_at=local_input(at))

    assert Campaign.objects.get(pk=campaign.pk).scheduled_start_at == at
    local = at.astimezone(RIYADH)
    assert f"Starts on {local:%a %b} {local.day}, {local:%Y %H:%M}" in page
    assert "Start scheduled." in page
    assert ">Reschedule<" in page and "Clear schedule" in page
    # Starting by hand is offered no more: the workers start it.
    start_url = reverse("dashboard:campaign_action", args=[campaign.pk, "start"])
    assert start_url not in page


@pytest.mark.django_db
def test_a_schedule_is_moved_then_cleared(web, campaign):
    at = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    schedule(web, campaign, starts_at=local_input(at))
    schedule(web, campaign, starts_at=local_input(at + timedelta(hours=3)))
    assert Campaign.objects.get(pk=campaign.pk).scheduled_start_at == at + timedelta(hours=3)

    page = schedule(web, campaign, clear="1")

    assert Campaign.objects.get(pk=campaign.pk).scheduled_start_at is None
    assert "Schedule cleared." in page and "Starts on" not in page


@pytest.mark.django_db
def test_a_time_in_the_past_is_refused_with_the_reason(web, campaign):
    page = schedule(web, campaign, starts_at=local_input(timezone.now() - timedelta(hours=1)))
    assert "Must be in the future." in page
    assert Campaign.objects.get(pk=campaign.pk).scheduled_start_at is None


@pytest.mark.django_db
def test_another_accounts_campaign_cannot_be_scheduled(web, bob_objects):
    url = reverse("dashboard:campaign_schedule", args=[bob_objects["campaign"].pk])
    response = web.post(url, {"clear": "1"})
    assert response.status_code == 404
