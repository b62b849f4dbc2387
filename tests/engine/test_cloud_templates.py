"""WhatsApp Cloud API templates: exact body with parameters per contact; 131047; only on
Cloud API channels."""

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.models import CampaignContact, Delivery
from channels.models import LastInbound
from tests.engine.helpers import cycle, start_campaign
from tests.factories import api_client_for, make_channel, make_contacts
from tests.fakes.whatsapp import PHONE_NUMBER_ID

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
SPRING = [
    {
        "type": "template",
        "template_name": "spring_offer",
        "language": "en_US",
        "parameters": ["{{first_name|there}}", "{{attributes.city}}"],
    }
]


@pytest.fixture
def cloud_channel(alice, fake_whatsapp):
    return make_channel(alice, provider="whatsapp_cloud", config=fake_whatsapp.channel_config())


def test_a_template_campaign_sends_the_exact_body_with_parameters_per_contact(
    alice, cloud_channel, fake_whatsapp
):
    people = make_contacts(alice, 1)
    people[0].name = "Noura Saleh"
    people[0].attributes = {"city": "Riyadh"}
    people[0].save()
    campaign = start_campaign(
        alice, contacts=people, at=START, channel=cloud_channel, messages=SPRING
    )

    cycle(START + timedelta(minutes=5))

    assert fake_whatsapp.last.path == f"/{PHONE_NUMBER_ID}/messages"
    assert fake_whatsapp.last.json() == {
        "messaging_product": "whatsapp",
        "to": people[0].phone.lstrip("+"),
        "type": "template",
        "template": {
            "name": "spring_offer",
            "language": {"code": "en_US"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Noura"},
                        {"type": "text", "text": "Riyadh"},
                    ],
                }
            ],
        },
    }
    row = CampaignContact.objects.get(campaign=campaign)
    assert row.status == "sent"
    delivery = Delivery.objects.get(campaign_contact=row)
    assert delivery.type == "template" and '"Noura"' in delivery.body


def test_free_form_text_outside_the_window_fails_saying_it_needs_a_template(
    alice, cloud_channel, fake_whatsapp
):
    campaign = start_campaign(alice, contacts=1, at=START, channel=cloud_channel)
    # SkyLight saw the person write within 24 hours, yet Meta says the window is closed.
    contact = campaign.contacts.get().contact
    LastInbound.objects.create(channel=cloud_channel, contact=contact, at=START)
    fake_whatsapp.then("window_closed")

    cycle(START + timedelta(minutes=5))

    row = CampaignContact.objects.get(campaign=campaign)
    assert row.status == "failed"
    assert "needs an approved template (24-hour window closed)" in row.error
    assert len(fake_whatsapp.requests) == 1  # permanent: not retried


def test_templates_are_refused_on_other_channels_and_accepted_on_cloud_api(
    alice, cloud_channel, fake_waha
):
    api = api_client_for(alice)
    waha_channel = make_channel(alice, provider="waha", config=fake_waha.channel_config())
    people = make_contacts(alice, 2)
    body = {"name": "Spring", "messages": SPRING, "contact_ids": [p.pk for p in people]}

    refused = api.post("/api/v1/campaigns", {**body, "channel_id": waha_channel.pk}, format="json")
    accepted = api.post(
        "/api/v1/campaigns", {**body, "channel_id": cloud_channel.pk}, format="json"
    )

    assert refused.status_code == 422, refused.json()
    assert "WhatsApp Cloud API" in refused.json()["errors"]["messages"][0]
    assert accepted.status_code == 201, accepted.json()
    assert accepted.json()["data"]["messages"][0]["template_name"] == "spring_offer"


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"type": "template", "language": "en_US"}, "template_name"),
        ({"type": "template", "template_name": "spring_offer"}, "language"),
        (
            {"type": "template", "template_name": "Spring Offer!", "language": "en_US"},
            "template_name",
        ),
        ({"type": "text", "content": "Hi", "template_name": "spring_offer"}, "template_name"),
        ({"type": "text"}, "content"),
    ],
)
def test_template_fields_are_validated(alice, cloud_channel, message, field):
    api = api_client_for(alice)
    people = make_contacts(alice, 1)
    response = api.post(
        "/api/v1/campaigns",
        {
            "name": "X",
            "channel_id": cloud_channel.pk,
            "messages": [message],
            "contact_ids": [people[0].pk],
        },
        format="json",
    )

    assert response.status_code == 422
    assert any(field in key for key in response.json()["errors"]), response.json()
