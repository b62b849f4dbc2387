"""PUT/PATCH /campaigns/{id}: a draft's name, messages, is_new_number, window and timezone."""

import pytest

from campaigns.models import Campaign, CampaignMessage


def url(campaign) -> str:
    return f"/api/v1/campaigns/{campaign['id']}"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_it_changes_only_the_fields_sent(api, create_campaign, method):
    campaign = create_campaign(send_window={"start": "09:00", "end": "20:00"})

    response = getattr(api, method)(
        url(campaign), {"name": "Renamed", "is_new_number": True}, format="json"
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["name"], data["is_new_number"]) == ("Renamed", True)
    assert data["send_window"] == {"start": "09:00", "end": "20:00"}
    assert data["messages"] == campaign["messages"]
    assert data["daily_limit"] == 2


def test_messages_are_replaced_as_a_whole(api, create_campaign):
    campaign = create_campaign()
    messages = [
        {"type": "video", "content": "https://cdn.example.com/v.mp4", "caption": "Watch"},
        {"type": "text", "content": "Bye"},
    ]

    data = api.patch(url(campaign), {"messages": messages}, format="json").json()["data"]

    assert [(m["type"], m["content"]) for m in data["messages"]] == [
        ("video", "https://cdn.example.com/v.mp4"),
        ("text", "Bye"),
    ]
    stored = CampaignMessage.objects.filter(campaign_id=campaign["id"])
    assert list(stored.values_list("position", flat=True)) == [1, 2]


def test_the_window_can_be_set_and_cleared(api, create_campaign):
    campaign = create_campaign()
    window = {"start": "08:30", "end": "17:45"}
    assert (
        api.patch(url(campaign), {"send_window": window}, format="json").json()["data"][
            "send_window"
        ]
        == window
    )
    cleared = api.patch(url(campaign), {"send_window": None}, format="json").json()["data"]
    assert cleared["send_window"] is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"),
        ({"messages": []}, "messages"),
        ({"messages": [{"type": "gif", "content": "x"}]}, "messages.0.type"),
        ({"messages": [{"type": "audio", "content": "ftp://x/a.mp3"}]}, "messages.0.content"),
        ({"send_window": {"start": "08:00", "end": "08:00"}}, "send_window.end"),
        ({"timezone": "Nowhere/Land"}, "timezone"),
        ({"channel_id": 1}, "channel_id"),
        ({"contact_ids": [1]}, "contact_ids"),
        ({"list_ids": [1]}, "list_ids"),
    ],
)
def test_bad_updates_are_422_and_change_nothing(api, create_campaign, body, field):
    campaign = create_campaign()
    before = Campaign.objects.values().get(pk=campaign["id"])

    response = api.patch(url(campaign), body, format="json")

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(key == field or key.startswith(f"{field}.") for key in errors), errors
    assert Campaign.objects.values().get(pk=campaign["id"]) == before
    assert CampaignMessage.objects.filter(campaign_id=campaign["id"]).count() == 1
