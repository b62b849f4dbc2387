"""The engine's events: sends and failures recorded in bulk (one subscriptions read and
two inserts per flush), several campaigns in one round, reaped claims, and nothing at
all for accounts without a subscribed endpoint."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.engine import reap_stale_claims
from campaigns.models import CampaignContact
from channels.event_hooks.services import webhook_endpoint_create
from channels.webhooks.apply import events_apply
from channels.webhooks.events import StatusEvent
from contacts.models import Contact
from skylight.events import EVENT_TYPES
from skylight.models import WebhookDelivery, WebhookEvent
from tests.engine.helpers import cycle, run_days, start_campaign
from tests.factories import make_channel

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)


def _subscribe(account, events=EVENT_TYPES):
    return webhook_endpoint_create(
        account=account, url="https://example.com/h", events=list(events)
    )


def test_each_send_is_an_event_and_the_writes_are_set_based(alice):
    _subscribe(alice, ["contact.sent"])
    campaign = start_campaign(alice, contacts=30, at=START)
    cycle(START + timedelta(minutes=5))  # day 1 of the warm-up sends only a few

    with CaptureQueriesContext(connection) as queries:
        cycle(START + timedelta(days=1, hours=23, minutes=55))

    sent = WebhookEvent.objects.filter(type="contact.sent")
    assert sent.count() == CampaignContact.objects.filter(campaign=campaign, status="sent").count()
    assert sent.count() > 5
    assert {e.data["campaign_id"] for e in sent} == {campaign.pk}
    inserts = [
        q for q in queries.captured_queries if "INSERT INTO" in q["sql"] and "webhook" in q["sql"]
    ]
    assert len(inserts) <= 4  # events and deliveries, per flush: never one per contact


def test_without_a_subscribed_endpoint_a_whole_campaign_writes_no_event(alice):
    _subscribe(alice, ["campaign.cancelled"])  # subscribed, but not to what happens here
    campaign = start_campaign(alice, contacts=5, at=START)

    cycle(START + timedelta(minutes=5))

    assert CampaignContact.objects.filter(campaign=campaign, status="sent").exists()
    assert not WebhookEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()


@pytest.mark.postgres
def test_a_round_of_several_campaigns_emits_each_campaigns_sends_and_completion(alice):
    _subscribe(alice)
    first = start_campaign(alice, contacts=3, at=START, channel=make_channel(alice, name="A"))
    second = start_campaign(alice, contacts=4, at=START, channel=make_channel(alice, name="B"))

    run_days(START, 4, step_minutes=240)  # both campaigns' outcomes recorded in rounds

    for campaign in (first, second):
        campaign.refresh_from_db()
        rows = CampaignContact.objects.filter(campaign=campaign, status="sent")
        sent = WebhookEvent.objects.filter(type="contact.sent", data__campaign_id=campaign.pk)
        assert sorted(e.data["campaign_contact_id"] for e in sent) == sorted(
            rows.values_list("pk", flat=True)
        )
        completed = WebhookEvent.objects.filter(
            type="campaign.completed", data__campaign_id=campaign.pk
        )
        assert completed.count() == (1 if campaign.status == "completed" else 0)
    assert first.status == second.status == "completed"


def test_a_claim_abandoned_by_a_dead_worker_is_a_contact_failed_event(alice):
    _subscribe(alice, ["contact.failed"])
    campaign = start_campaign(alice, contacts=1, at=START)
    row = CampaignContact.objects.get(campaign=campaign)
    CampaignContact.objects.filter(pk=row.pk).update(status="sending", claimed_at=START)

    assert reap_stale_claims(START + timedelta(days=3)) == 1

    event = WebhookEvent.objects.get(type="contact.failed")
    assert event.data["campaign_contact_id"] == row.pk
    assert event.data["phone"] == row.contact.phone
    assert "worker stopped" in event.data["error"]


def test_without_endpoints_a_flush_costs_one_read(alice):
    campaign = start_campaign(alice, contacts=30, at=START)
    cycle(START + timedelta(minutes=5))

    with CaptureQueriesContext(connection) as queries:
        cycle(START + timedelta(days=1, hours=23, minutes=55))

    assert CampaignContact.objects.filter(campaign=campaign, status="sent").count() > 5
    sql = [q["sql"] for q in queries.captured_queries if '"skylight_webhook' in q["sql"]]
    assert 1 <= len(sql) <= 2  # one read of the subscriptions per flush, whatever its size
    assert all(statement.startswith('SELECT "skylight_webhookendpoint"') for statement in sql)


def test_a_recipient_who_blocked_the_bot_is_failed_and_opted_out_once(alice, fake_telegram):
    _subscribe(alice, ["contact.failed", "contact.opted_out"])
    channel = make_channel(
        alice, type="telegram", provider="telegram_bot", config=fake_telegram.channel_config()
    )
    person = Contact.objects.create(
        account=alice, name="Blocked", phone="+966501119999", type="telegram", external_id="4242"
    )
    start_campaign(alice, contacts=[person], at=START, channel=channel)
    fake_telegram.then("blocked")

    cycle(START + timedelta(minutes=5))

    types = sorted(WebhookEvent.objects.values_list("type", flat=True))
    assert types == ["contact.failed", "contact.opted_out"]
    opted_out = WebhookEvent.objects.get(type="contact.opted_out").data
    assert opted_out["contact_id"] == person.pk
    assert "refuses messages" in opted_out["reason"]
    assert WebhookEvent.objects.get(type="contact.failed").data["error"]


def test_delivered_and_read_are_emitted_once_each_as_the_contact_moves_on(alice):
    _subscribe(alice, ["contact.delivered", "contact.read"])
    channel = make_channel(alice)
    campaign = start_campaign(alice, contacts=6, at=START, channel=channel)
    run_days(START, 1, step_minutes=240)  # day 1 of the warm-up: 2 of the 6
    first, second = CampaignContact.objects.filter(campaign=campaign, status="sent")[:2]

    def status(row, word):
        events_apply(channel=channel, events=[StatusEvent(row.provider_message_id, word)])

    status(first, "delivered")
    status(first, "delivered")  # a replay
    status(first, "read")
    status(second, "read")  # read before any delivered status
    status(second, "delivered")  # late: the contact does not move back

    emitted = list(
        WebhookEvent.objects.order_by("id").values_list("type", "data__campaign_contact_id")
    )
    assert emitted == [
        ("contact.delivered", first.pk),
        ("contact.read", first.pk),
        ("contact.read", second.pk),
    ]
