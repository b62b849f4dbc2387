"""`POST /campaigns/{id}/test-send`: the sequence, rendered, to one phone now (real HTTP)."""

import pytest

from campaigns.models import CampaignContact, Delivery
from tests.factories import make_campaign, make_channel, make_contact


@pytest.fixture
def campaign(alice, fake_whatsapp):
    channel = make_channel(alice, provider="whatsapp_cloud", config=fake_whatsapp.channel_config())
    return make_campaign(alice, size=2, channel=channel)


def url(campaign):
    return f"/api/v1/campaigns/{campaign.pk}/test-send"


def test_it_sends_rendered_for_the_given_contact_and_creates_nothing(
    api, alice, campaign, fake_whatsapp
):
    contact = make_contact(alice, name="Omar Haddad")
    before = CampaignContact.objects.count()
    response = api.post(
        url(campaign), {"phone": "+966501234599", "contact_id": contact.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["data"] == {
        "recipient": "+966501234599",
        "contact_id": contact.pk,
        "messages": [
            {
                "position": 1,
                "accepted": True,
                "provider_message_id": "wamid.FAKE000001",
                "error": "",
            }
        ],
    }
    assert fake_whatsapp.last.json()["text"]["body"] == "Hi Omar Haddad"
    assert fake_whatsapp.last.json()["to"] == "966501234599"
    assert CampaignContact.objects.count() == before and not Delivery.objects.exists()


def test_a_local_number_uses_the_accounts_country(api, alice, campaign, fake_whatsapp):
    alice.default_country = "SA"
    alice.save()
    response = api.post(url(campaign), {"phone": "0551112234"}, format="json")
    assert response.json()["data"]["recipient"] == "+966551112234"


def test_a_refusal_is_reported_per_message(api, campaign, fake_whatsapp):
    fake_whatsapp.then("rejected")
    response = api.post(url(campaign), {"phone": "+966501234599"}, format="json")
    assert response.status_code == 200
    (outcome,) = response.json()["data"]["messages"]
    assert outcome["accepted"] is False and "permanent" in outcome["error"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": "12"}, "phone"),
        ({}, "phone"),
        ({"phone": "+966501234599", "contact_id": 10**9}, "contact_id"),
    ],
)
def test_bad_input_is_422_naming_the_field(api, campaign, fake_whatsapp, body, field):
    response = api.post(url(campaign), body, format="json")
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not fake_whatsapp.requests


def test_another_accounts_contact_is_not_found(api, bob, campaign, fake_whatsapp):
    other = make_contact(bob)
    response = api.post(
        url(campaign), {"phone": "+966501234599", "contact_id": other.pk}, format="json"
    )
    assert response.status_code == 422 and not fake_whatsapp.requests


def test_an_inactive_channel_is_409(api, campaign, fake_whatsapp):
    campaign.channel.is_active = False
    campaign.channel.save()
    response = api.post(url(campaign), {"phone": "+966501234599"}, format="json")
    assert response.status_code == 409 and "inactive" in response.json()["message"]
    assert not fake_whatsapp.requests


def test_test_sends_are_limited_per_account(api, campaign, fake_whatsapp, settings):
    settings.SKYLIGHT_TEST_SENDS_PER_MINUTE = 1
    assert api.post(url(campaign), {"phone": "+966501234599"}, format="json").status_code == 200
    response = api.post(url(campaign), {"phone": "+966501234599"}, format="json")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert len(fake_whatsapp.requests) == 1


def test_it_is_documented():
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    operation = document["paths"]["/api/v1/campaigns/{id}/test-send"]["post"]
    assert {"200", "409", "422", "429"} <= set(operation["responses"])
    assert "phone" in str(operation["requestBody"])
