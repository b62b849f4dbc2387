"""The 24-hour window on WhatsApp Cloud API: inbound messages open it, enrollment counts
and warns, and a free-form step to a closed window fails without a request or a slot."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Campaign, CampaignContact, ChannelDay
from channels.models import LastInbound
from channels.window import WINDOW_CLOSED_ERROR
from tests.engine.helpers import HELLO, cycle, start_campaign
from tests.factories import api_client_for, make_channel, make_contact, make_contacts
from tests.fakes.whatsapp import _envelope, inbound_text, meta_signature

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
SPRING = [{"type": "template", "template_name": "spring_offer", "language": "en_US"}]


@pytest.fixture
def cloud_channel(alice, fake_whatsapp):
    return make_channel(alice, provider="whatsapp_cloud", config=fake_whatsapp.channel_config())


def wrote(channel, contacts, at):
    LastInbound.objects.bulk_create(
        [LastInbound(channel=channel, contact=contact, at=at) for contact in contacts]
    )


def post_meta(client, channel, body: bytes):
    return client.post(
        f"/webhooks/{channel.webhook_token}/",
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=meta_signature(body),
    )


def test_inbound_messages_remember_when_each_contact_wrote(client, alice, cloud_channel):
    noura = make_contact(alice, phone="+966501110001")
    omar = make_contact(alice, phone="+966501110002")
    stranger = make_contact(alice, phone="+966501110003")
    messages = [
        {"from": phone, "id": f"wamid.W{n}", "type": "text", "text": {"body": "hello"}}
        for n, phone in enumerate(["966501110001", "966501110002", "966509999999"])
    ]
    body = _envelope({"messages": messages})

    with CaptureQueriesContext(connection) as queries:
        assert post_meta(client, cloud_channel, body).status_code == 200

    rows = dict(LastInbound.objects.values_list("contact_id", "at"))
    assert set(rows) == {noura.pk, omar.pk}
    assert stranger.pk not in rows
    inserts = [
        q for q in queries if LastInbound._meta.db_table in q["sql"] and "INSERT" in q["sql"]
    ]
    assert len(inserts) == 1  # set-based: one statement for the whole batch
    first = rows[noura.pk]
    post_meta(client, cloud_channel, inbound_text("966501110001", "again"))
    assert LastInbound.objects.get(contact=noura).at > first
    assert LastInbound.objects.count() == 2


def test_a_free_form_first_step_is_counted_and_warned_at_create(alice, cloud_channel):
    people = make_contacts(alice, 5)
    wrote(cloud_channel, people[:2], datetime.now(UTC) - timedelta(hours=2))
    wrote(cloud_channel, people[2:3], datetime.now(UTC) - timedelta(hours=30))  # closed
    api = api_client_for(alice)
    body = {"name": "Hello", "channel_id": cloud_channel.pk, "contact_ids": [p.pk for p in people]}

    free_form = api.post("/api/v1/campaigns", {**body, "messages": HELLO}, format="json")
    template = api.post("/api/v1/campaigns", {**body, "messages": SPRING}, format="json")

    assert free_form.status_code == 201, free_form.json()
    enrollment = free_form.json()["data"]["enrollment"]
    assert enrollment["open_window"] == 2
    assert enrollment["warnings"] == [
        "Meta delivers free-form messages only within 24 hours of the contact's last "
        "message: 2 of 5 can receive this."
    ]
    assert template.json()["data"]["enrollment"]["open_window"] == 2
    assert template.json()["data"]["enrollment"]["warnings"] == []


def test_channels_without_a_window_say_null_and_warn_nothing(alice):
    people = make_contacts(alice, 2)
    api = api_client_for(alice)
    response = api.post(
        "/api/v1/campaigns",
        {
            "name": "Console",
            "channel_id": make_channel(alice).pk,
            "messages": HELLO,
            "contact_ids": [p.pk for p in people],
        },
        format="json",
    )
    assert response.json()["data"]["enrollment"]["open_window"] is None
    assert response.json()["data"]["enrollment"]["warnings"] == []


def test_the_preview_counts_open_windows(alice, cloud_channel):
    from campaigns.services import enrollment_preview

    people = make_contacts(alice, 4)
    wrote(cloud_channel, people[:3], datetime.now(UTC) - timedelta(hours=23))
    summary = enrollment_preview(
        account=alice,
        channel=cloud_channel,
        contact_ids=[p.pk for p in people],
        messages=[{"type": "text"}],
    )
    assert summary["open_window"] == 3
    assert "3 of 4 can receive this" in summary["warnings"][0]


def test_a_closed_window_fails_the_contact_without_a_request_or_a_slot(
    alice, cloud_channel, fake_whatsapp
):
    people = make_contacts(alice, 3)  # a daily limit of 1 (a third of the campaign)
    campaign = start_campaign(alice, contacts=people, at=START, channel=cloud_channel)
    wrote(cloud_channel, people[:1], START - timedelta(hours=25))  # closed; people[1] never
    wrote(cloud_channel, people[2:], START - timedelta(hours=3))  # open

    for minute in (5, 10, 15, 20):
        cycle(START + timedelta(minutes=minute))

    rows = {row.contact_id: row for row in CampaignContact.objects.filter(campaign=campaign)}
    assert rows[people[2].pk].status == "sent"
    for person in people[:2]:
        assert rows[person.pk].status == "failed"
        assert rows[person.pk].error == WINDOW_CLOSED_ERROR
        assert not rows[person.pk].deliveries.exists()  # not attempted
    assert [r.json()["to"] for r in fake_whatsapp.requests] == [people[2].phone.lstrip("+")]
    campaign.refresh_from_db()
    assert (campaign.sent_count, campaign.failed_count, campaign.pending_count) == (1, 2, 0)
    assert campaign.today_attempted == 1  # the two failures gave their slots back
    assert ChannelDay.objects.get(channel=cloud_channel).attempted == 1


def test_templates_go_whatever_the_window(alice, cloud_channel, fake_whatsapp):
    campaign = start_campaign(alice, contacts=1, at=START, channel=cloud_channel, messages=SPRING)
    cycle(START + timedelta(minutes=5))  # nobody ever wrote: the window is closed
    assert len(fake_whatsapp.requests) == 1
    assert Campaign.objects.get(pk=campaign.pk).sent_count == 1
