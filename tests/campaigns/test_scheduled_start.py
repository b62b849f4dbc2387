"""`scheduled_start_at`: a draft the send cycle starts at a given time."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from campaigns.engine import run_cycle
from campaigns.models import Campaign
from skylight.models import Subscription

URL = "/api/v1/campaigns"


def iso(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture
def later():
    return (timezone.now() + timedelta(hours=2)).replace(microsecond=0)


def no_batches(batch) -> None:
    raise AssertionError("this test plans no sends")


def test_a_campaign_is_created_with_a_schedule(create_campaign, later):
    data = create_campaign(scheduled_start_at=iso(later))
    assert data["status"] == "draft"
    assert data["scheduled_start_at"] == iso(later)


def test_a_schedule_in_the_past_is_422_and_creates_nothing(api, alice, channel, contacts):
    from tests.campaigns.helpers import campaign_body

    body = campaign_body(
        channel,
        contact_ids=[c.pk for c in contacts],
        scheduled_start_at=iso(timezone.now() - timedelta(minutes=1)),
    )
    response = api.post(URL, body, format="json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"scheduled_start_at": ["Must be in the future."]}
    assert not Campaign.objects.exists()
    assert Subscription.objects.get(account=alice).outreach_campaigns_used == 0


def test_a_draft_is_scheduled_rescheduled_and_cleared(api, create_campaign, later):
    campaign_id = create_campaign()["id"]
    url = f"{URL}/{campaign_id}"

    scheduled = api.patch(url, {"scheduled_start_at": iso(later)}, format="json")
    moved = api.patch(url, {"scheduled_start_at": iso(later + timedelta(days=1))}, format="json")
    assert scheduled.json()["data"]["scheduled_start_at"] == iso(later)
    assert moved.json()["data"]["scheduled_start_at"] == iso(later + timedelta(days=1))

    cleared = api.patch(url, {"scheduled_start_at": None}, format="json")
    assert cleared.json()["data"]["scheduled_start_at"] is None
    assert api.post(f"{url}/start").json()["data"]["status"] == "running"


def test_starting_a_scheduled_campaign_is_409_telling_the_time(api, create_campaign, later):
    campaign_id = create_campaign(scheduled_start_at=iso(later))["id"]
    response = api.post(f"{URL}/{campaign_id}/start")
    assert response.status_code == 409
    assert response.json()["message"] == (
        f"Campaign is scheduled to start at {iso(later)}; clear scheduled_start_at to start it now."
    )
    assert Campaign.objects.get(pk=campaign_id).status == "draft"


def test_a_running_campaign_cannot_be_scheduled(api, create_campaign, later):
    campaign_id = create_campaign()["id"]
    api.post(f"{URL}/{campaign_id}/start")
    response = api.patch(f"{URL}/{campaign_id}", {"scheduled_start_at": iso(later)}, format="json")
    assert response.status_code == 409


def test_the_cycle_starts_it_at_its_time_and_only_then(create_campaign, later):
    campaign_id = create_campaign(scheduled_start_at=iso(later))["id"]

    before = run_cycle(later - timedelta(seconds=1), enqueue=lambda batch: None)
    assert before.started == 0
    assert Campaign.objects.get(pk=campaign_id).status == "draft"

    at = later + timedelta(seconds=20)
    report = run_cycle(at, enqueue=lambda batch: None)
    campaign = Campaign.objects.get(pk=campaign_id)
    assert report.started == 1
    assert (campaign.status, campaign.started_at, campaign.campaign_day) == ("running", at, 1)
    # The same cycle already plans its first sends.
    assert report.planned > 0

    again = run_cycle(at + timedelta(minutes=1), enqueue=lambda batch: None)
    assert again.started == 0
    assert Campaign.objects.get(pk=campaign_id).started_at == at


def test_a_cancelled_scheduled_campaign_is_not_started(api, create_campaign, later):
    campaign_id = create_campaign(scheduled_start_at=iso(later))["id"]
    api.post(f"{URL}/{campaign_id}/cancel")
    assert run_cycle(later + timedelta(minutes=1), enqueue=no_batches).started == 0
    assert Campaign.objects.get(pk=campaign_id).status == "cancelled"


def test_the_openapi_document_describes_the_field(client):
    schema = client.get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    assert "scheduled_start_at" in schema["Campaign"]["properties"]
    assert "scheduled_start_at" in schema["CampaignCreateRequest"]["properties"]
