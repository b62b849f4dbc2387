"""The campaign object and the contact row, field for field as the reference shows them."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign, CampaignContact

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
REFERENCE_FIELDS = {
    "id": int,
    "name": str,
    "status": str,
    "total_contacts": int,
    "success_count": int,
    "failed_count": int,
    "campaign_day": int,
    "messages_sent_today": int,
    "is_new_number": bool,
    "started_at": (str, type(None)),
    "completed_at": (str, type(None)),
    "progress_percentage": int,
    "daily_limit": int,
    "remaining_today": int,
    "client_setting": dict,
    "campaign_contacts_count": int,
    "sent_contacts_count": int,
    "failed_contacts_count": int,
    "pending_contacts_count": int,
    "created_at": str,
}
SKYLIGHT_FIELDS = {
    "skipped_contacts_count": int,
    "messages": list,
    "send_window": (dict, type(None)),
    "timezone": str,
    "enrollment": dict,
    "estimated_completion_date": (str, type(None)),
    "stop_on_reply": bool,
    "replied_count": int,
    "scheduled_start_at": (str, type(None)),
    "paused_by": (str, type(None)),
    "pause_reason": (str, type(None)),
    "waiting_reason": (str, type(None)),
    "next_send_at": (str, type(None)),
}


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def as_reference_example(campaign_id: int) -> None:
    """Puts the campaign in the state of the reference's example (day 4 of 250)."""
    Campaign.objects.filter(pk=campaign_id).update(
        status="running",
        total_contacts=250,
        sent_count=87,
        failed_count=3,
        pending_count=160,
        campaign_day=4,
        last_active_date=timezone.localdate(),
        today_date=timezone.localdate(),
        today_attempted=65,
        started_at=datetime(2026, 3, 5, 8, 0, tzinfo=UTC),
        created_at=datetime(2026, 3, 4, 10, 0, tzinfo=UTC),
    )


def test_it_answers_the_reference_example_value_for_value(api, create_campaign, channel):
    campaign = create_campaign()
    as_reference_example(campaign["id"])

    data = api.get(f"/api/v1/campaigns/{campaign['id']}").json()["data"]

    reference = {
        "id": campaign["id"],
        "name": "Spring Promo 2026",
        "status": "running",
        "total_contacts": 250,
        "success_count": 87,
        "failed_count": 3,
        "campaign_day": 4,
        "messages_sent_today": 65,
        "is_new_number": False,
        "started_at": "2026-03-05T08:00:00.000000Z",
        "completed_at": None,
        "progress_percentage": 36,
        "daily_limit": 65,
        "remaining_today": 0,
        "client_setting": {"id": channel.pk, "name": "Business WhatsApp", "type": "whatsapp"},
        "campaign_contacts_count": 250,
        "sent_contacts_count": 87,
        "failed_contacts_count": 3,
        "pending_contacts_count": 160,
        "created_at": "2026-03-04T10:00:00.000000Z",
    }
    assert {key: data[key] for key in reference} == reference


def test_it_has_exactly_the_reference_fields_plus_the_specs(api, create_campaign):
    campaign = create_campaign()
    data = api.get(f"/api/v1/campaigns/{campaign['id']}").json()["data"]

    expected = REFERENCE_FIELDS | SKYLIGHT_FIELDS
    assert list(data)[: len(REFERENCE_FIELDS)] == list(REFERENCE_FIELDS)
    assert set(data) == set(expected)
    for field, kind in expected.items():
        assert isinstance(data[field], kind), field
    assert set(data["client_setting"]) == {"id", "name", "type"}
    assert set(data["enrollment"]) == {
        "requested",
        "enrolled",
        "duplicates",
        "opted_out",
        "incompatible",
        "suppressed",
        "open_window",  # WhatsApp Cloud API channels: contacts with an open 24-hour window
        "warnings",
    }


def test_timestamps_are_utc_with_six_fractional_digits(api, create_campaign):
    campaign = create_campaign()
    api.post(f"/api/v1/campaigns/{campaign['id']}/start")
    api.post(f"/api/v1/campaigns/{campaign['id']}/cancel")
    data = api.get(f"/api/v1/campaigns/{campaign['id']}").json()["data"]
    assert TIMESTAMP.match(data["created_at"])
    assert TIMESTAMP.match(data["started_at"])
    assert data["completed_at"] is None


def test_a_new_draft_has_zero_progress_and_day_one_limits(create_campaign):
    data = create_campaign(is_new_number=True)
    assert data["status"] == "draft"
    assert data["campaign_day"] == 0
    assert data["started_at"] is None
    assert data["progress_percentage"] == 0
    assert data["daily_limit"] == 2  # min(20, ceil(5 / 3))
    assert data["remaining_today"] == 2
    assert data["messages_sent_today"] == 0
    # 2 a day: today, tomorrow and the day after
    assert data["estimated_completion_date"] == in_days(2)


def test_messages_send_window_and_timezone_are_returned_as_sent(create_campaign):
    messages = [
        {"type": "text", "content": "Hello"},
        {"type": "image", "content": "https://cdn.example.com/a.png", "caption": "Look"},
        {"type": "document", "content": "https://cdn.example.com/a.pdf", "filename": "a.pdf"},
    ]
    data = create_campaign(
        messages=messages, send_window={"start": "09:00", "end": "20:00"}, timezone="Asia/Riyadh"
    )
    assert [(m["type"], m["content"]) for m in data["messages"]] == [
        (m["type"], m["content"]) for m in messages
    ]
    assert data["messages"][1]["caption"] == "Look"
    assert data["messages"][2]["filename"] == "a.pdf"
    assert data["send_window"] == {"start": "09:00", "end": "20:00"}
    assert data["timezone"] == "Asia/Riyadh"


def test_the_estimate_counts_only_what_is_left_of_a_running_campaign(api, create_campaign):
    campaign = create_campaign()
    as_reference_example(campaign["id"])
    data = api.get(f"/api/v1/campaigns/{campaign['id']}").json()["data"]
    # 160 left, today's 65 used: days 5 and 6 take 65 each, day 7 (cap 84) the last 30.
    assert data["estimated_completion_date"] == in_days(3)


@pytest.mark.parametrize("state", ["paused", "cancelled"])
def test_paused_and_cancelled_campaigns_have_no_estimate(api, create_campaign, state):
    campaign = create_campaign()
    Campaign.objects.filter(pk=campaign["id"]).update(status=state)
    data = api.get(f"/api/v1/campaigns/{campaign['id']}").json()["data"]
    assert data["estimated_completion_date"] is None
    assert data["remaining_today"] == (0 if state == "cancelled" else 2)


def test_a_completed_campaign_shows_when_it_completed(api, create_campaign):
    campaign = create_campaign()
    done = datetime(2026, 3, 9, 17, 30, tzinfo=UTC)
    Campaign.objects.filter(pk=campaign["id"]).update(
        status="completed", completed_at=done, sent_count=5, pending_count=0
    )
    data = api.get(f"/api/v1/campaigns/{campaign['id']}").json()["data"]
    assert data["completed_at"] == "2026-03-09T17:30:00.000000Z"
    assert data["estimated_completion_date"] == "2026-03-09"
    assert data["progress_percentage"] == 100
    assert data["remaining_today"] == 0


def test_the_contact_row_has_the_reference_shape(api, create_campaign, contacts):
    campaign = create_campaign()
    row = CampaignContact.objects.get(campaign_id=campaign["id"], contact=contacts[0])
    row.status, row.sent_at = "sent", datetime(2026, 3, 5, 9, 14, tzinfo=UTC)
    row.save()

    data = api.get(f"/api/v1/campaigns/{campaign['id']}/contacts").json()["data"]

    assert data[0] == {
        "id": row.pk,
        "status": "sent",
        "phone": contacts[0].phone,
        "sent_at": "2026-03-05T09:14:00.000000Z",
        "error": None,
        "contact": {"id": contacts[0].pk, "name": "Contact 0", "type": "whatsapp"},
        "replied_at": None,
        "skip_reason": None,
        "next_step_at": None,
    }
    assert data[1]["status"] == "pending"
    assert data[1]["sent_at"] is None


def test_a_failed_contact_carries_its_error(api, create_campaign, contacts):
    campaign = create_campaign()
    CampaignContact.objects.filter(campaign_id=campaign["id"], contact=contacts[1]).update(
        status="failed", error="Invalid number"
    )
    data = api.get(f"/api/v1/campaigns/{campaign['id']}/contacts?status=failed").json()["data"]
    assert [(row["status"], row["error"]) for row in data] == [("failed", "Invalid number")]


def test_a_contact_claimed_by_the_engine_still_shows_as_pending(api, create_campaign, contacts):
    campaign = create_campaign()
    CampaignContact.objects.filter(campaign_id=campaign["id"], contact=contacts[0]).update(
        status="sending"
    )
    response = api.get(f"/api/v1/campaigns/{campaign['id']}/contacts?status=pending")
    assert [row["status"] for row in response.json()["data"]] == ["pending"] * 5
    assert response.json()["meta"]["total"] == 5
