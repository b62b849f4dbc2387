"""An account never sees or touches another's campaigns, nor enrolls another's objects."""

import pytest

from campaigns import services
from campaigns.models import Campaign
from contacts.models import Segment
from tests.campaigns.helpers import TEXT, campaign_body
from tests.factories import make_channel, make_contact, make_list


@pytest.fixture
def bobs_campaign(bob):
    channel = make_channel(bob)
    contact = make_contact(bob)
    return services.campaign_create(
        account=bob, name="Bob's", channel=channel, messages=TEXT, contact_ids=[contact.pk]
    )


REQUESTS = [
    ("get", ""),
    ("put", ""),
    ("patch", ""),
    ("delete", ""),
    ("post", "/start"),
    ("post", "/pause"),
    ("post", "/resume"),
    ("post", "/cancel"),
    ("get", "/contacts"),
]


@pytest.mark.parametrize("method, suffix", REQUESTS)
def test_another_accounts_campaign_is_404_like_a_missing_one(api, bobs_campaign, method, suffix):
    before = Campaign.objects.values().get(pk=bobs_campaign.pk)
    for campaign_id in (bobs_campaign.pk, 999_999):
        response = getattr(api, method)(
            f"/api/v1/campaigns/{campaign_id}{suffix}", {"name": "Mine"}, format="json"
        )
        assert response.status_code == 404
        assert response.json()["success"] is False
    assert Campaign.objects.values().get(pk=bobs_campaign.pk) == before


def test_the_list_shows_only_the_accounts_own_campaigns(api, bobs_campaign, create_campaign):
    mine = create_campaign()
    data = api.get("/api/v1/campaigns").json()
    assert [c["id"] for c in data["data"]] == [mine["id"]]
    assert data["meta"]["total"] == 1


def test_without_a_key_it_is_401(client, bobs_campaign):
    assert client.get("/api/v1/campaigns").status_code == 401


@pytest.mark.parametrize("field", ["channel_id", "contact_ids", "list_ids", "segment_ids"])
def test_another_accounts_ids_in_the_body_are_422_naming_the_field(
    api, bob, channel, contacts, field
):
    foreign = {
        "channel_id": make_channel(bob).pk,
        "contact_ids": [make_contact(bob).pk],
        "list_ids": [make_list(bob, [make_contact(bob)], "Bob's").pk],
        "segment_ids": [Segment.objects.create(account=bob, name="All", rules={}).pk],
    }[field]
    body = campaign_body(channel, contact_ids=[contacts[0].pk])
    body[field] = foreign if field == "channel_id" else body.get(field, []) + foreign

    response = api.post("/api/v1/campaigns", body, format="json")

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert "in this account" in response.json()["errors"][field][0]
    assert not Campaign.objects.filter(account__name="Alice Co").exists()
