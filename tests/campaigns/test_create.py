"""POST /campaigns: a draft with its messages and contacts, bad input refused, quota used."""

import pytest

from campaigns.models import Campaign, CampaignContact, CampaignMessage
from skylight.models import Subscription
from tests.campaigns.helpers import campaign_body
from tests.factories import api_client_for, make_channel


def quota_used(api) -> int:
    return api.get("/api/v1/account/subscription").json()["data"]["outreach_campaigns"]["used"]


def test_it_creates_a_draft_with_messages_in_order_and_enrolled_contacts(
    api, create_campaign, contacts
):
    messages = [{"type": "text", "content": "One"}, {"type": "text", "content": "Two"}]
    data = create_campaign(messages=messages)

    campaign = Campaign.objects.get(pk=data["id"])
    assert campaign.status == "draft"
    assert [m.content for m in CampaignMessage.objects.filter(campaign=campaign)] == ["One", "Two"]
    enrolled = CampaignContact.objects.filter(campaign=campaign)
    assert sorted(enrolled.values_list("contact_id", flat=True)) == sorted(c.pk for c in contacts)
    assert set(enrolled.values_list("status", flat=True)) == {"pending"}
    assert (campaign.total_contacts, campaign.pending_count) == (5, 5)


def test_it_uses_one_unit_of_quota(api, create_campaign):
    assert quota_used(api) == 0
    create_campaign()
    assert quota_used(api) == 1


def test_with_the_quota_used_up_it_answers_403_and_creates_nothing(api, create_campaign, alice):
    Subscription.objects.filter(account=alice).update(outreach_campaigns_used=10)
    response = api.post(
        "/api/v1/campaigns",
        campaign_body(alice.channels.get(), contact_ids=[alice.contacts.first().pk]),
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["success"] is False
    assert "outreach campaigns" in response.json()["message"]
    assert not Campaign.objects.exists()
    assert quota_used(api) == 10


def test_the_timezone_defaults_to_the_accounts(bob):
    from tests.factories import make_contact

    bob_api = api_client_for(bob)
    channel = make_channel(bob)
    contact = make_contact(bob)
    response = bob_api.post(
        "/api/v1/campaigns", campaign_body(channel, contact_ids=[contact.pk]), format="json"
    )
    assert response.status_code == 201
    assert response.json()["data"]["timezone"] == "Asia/Riyadh"


def test_the_window_can_be_left_out_or_null(create_campaign):
    assert create_campaign()["send_window"] is None
    assert create_campaign(send_window=None)["send_window"] is None


BAD_INPUT = [
    ("missing name", {"name": None}, "name"),
    ("empty name", {"name": ""}, "name"),
    ("blank name", {"name": "   "}, "name"),
    ("name too long", {"name": "x" * 256}, "name"),
    ("messages missing", {"messages": None}, "messages"),
    ("no messages", {"messages": []}, "messages"),
    ("messages not a list", {"messages": "hello"}, "messages"),
    ("too many messages", {"messages": [{"type": "text", "content": "a"}] * 11}, "messages"),
    ("message not an object", {"messages": ["hello"]}, "messages"),
    ("unknown type", {"messages": [{"type": "sticker", "content": "a"}]}, "messages.0.type"),
    ("missing content", {"messages": [{"type": "text"}]}, "messages.0.content"),
    ("empty content", {"messages": [{"type": "text", "content": ""}]}, "messages.0.content"),
    (
        "media without a url",
        {"messages": [{"type": "text", "content": "a"}, {"type": "image", "content": "cat.png"}]},
        "messages.1.content",
    ),
    (
        "caption on text",
        {"messages": [{"type": "text", "content": "a", "caption": "b"}]},
        "messages.0.caption",
    ),
    (
        "filename on an image",
        {"messages": [{"type": "image", "content": "https://x.test/a.png", "filename": "a"}]},
        "messages.0.filename",
    ),
    ("no source", {"contact_ids": []}, "contact_ids"),
    ("ids not a list", {"contact_ids": 5}, "contact_ids"),
    ("ids not integers", {"contact_ids": ["a"]}, "contact_ids"),
    ("unknown contact", {"contact_ids": [999_999]}, "contact_ids"),
    ("unknown list", {"list_ids": [999_999]}, "list_ids"),
    ("unknown segment", {"segment_ids": [999_999]}, "segment_ids"),
    ("unknown channel", {"channel_id": 999_999}, "channel_id"),
    ("missing channel", {"channel_id": None}, "channel_id"),
    ("window empty", {"send_window": {"start": "09:00", "end": "09:00"}}, "send_window.end"),
    ("window bad time", {"send_window": {"start": "9am", "end": "20:00"}}, "send_window.start"),
    ("window half", {"send_window": {"start": "09:00"}}, "send_window.end"),
    ("window not an object", {"send_window": "09:00-20:00"}, "send_window"),
    ("unknown timezone", {"timezone": "Mars/Olympus"}, "timezone"),
    ("is_new_number not a boolean", {"is_new_number": "maybe"}, "is_new_number"),
]


@pytest.mark.parametrize("change, field", [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_422_naming_the_field_and_changes_nothing(
    api, channel, contacts, change, field
):
    body = campaign_body(channel, contact_ids=[contacts[0].pk])
    body.update(change)
    body = {key: value for key, value in body.items() if value is not None}

    response = api.post("/api/v1/campaigns", body, format="json")

    assert response.status_code == 422, response.json()
    assert response.json()["success"] is False
    errors = response.json()["errors"]
    assert any(key == field or key.startswith(f"{field}.") for key in errors), errors
    assert not Campaign.objects.exists()
    assert quota_used(api) == 0


def test_a_malformed_json_body_is_422(api, channel):
    response = api.post("/api/v1/campaigns", "{not json", content_type="application/json")
    assert response.status_code == 422
    assert not Campaign.objects.exists()


def test_a_selection_that_enrolls_nobody_is_422_and_uses_no_quota(api, channel, alice):
    from tests.factories import make_contact

    opted_out = make_contact(alice, opted_out=True)
    telegram = make_contact(alice, type="telegram")

    response = api.post(
        "/api/v1/campaigns",
        campaign_body(channel, contact_ids=[opted_out.pk, telegram.pk]),
        format="json",
    )

    assert response.status_code == 422
    assert response.json()["errors"]["enrollment"] == [
        "No contact can be enrolled: 2 requested, 0 duplicates, 1 opted out, 0 suppressed, "
        "1 of another channel type."
    ]
    assert not Campaign.objects.exists()
    assert not CampaignContact.objects.exists()
    assert not CampaignMessage.objects.exists()
    assert quota_used(api) == 0


def test_more_than_100000_explicit_ids_are_422_not_a_database_error(api, channel):
    body = campaign_body(channel, contact_ids=list(range(1, 100_002)))
    response = api.post("/api/v1/campaigns", body, format="json")
    assert response.status_code == 422
    assert "contact_ids" in response.json()["errors"]
    assert not Campaign.objects.exists()


def test_an_overnight_window_is_accepted_and_returned(create_campaign):
    data = create_campaign(send_window={"start": "22:00", "end": "08:00"})
    assert data["send_window"] == {"start": "22:00", "end": "08:00"}
