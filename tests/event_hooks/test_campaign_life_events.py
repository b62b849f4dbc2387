"""A receiver gets signed events for a campaign's whole life, and nothing it missed is lost."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from campaigns.models import CampaignContact
from channels.event_hooks.delivery import deliveries_sweep
from channels.webhooks.apply import events_apply
from channels.webhooks.events import InboundEvent, StatusEvent
from skylight.models import WebhookDelivery
from tests.engine.helpers import cycle, start_campaign
from tests.event_hooks.helpers import create_endpoint, signature_ok
from tests.factories import make_channel, make_contacts

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)


def _live_campaign(alice, receiver, api):
    endpoint = create_endpoint(api, receiver.url)
    channel = make_channel(alice)
    replier, stopper, reader = make_contacts(alice, 3)
    campaign = start_campaign(alice, contacts=[replier, stopper, reader], at=START, channel=channel)
    events_apply(channel=channel, events=[InboundEvent(sender=replier.phone, text="Who is this?")])
    events_apply(channel=channel, events=[InboundEvent(sender=stopper.phone, text="STOP")])
    cycle(START + timedelta(minutes=5))
    row = CampaignContact.objects.get(campaign=campaign, contact=reader)
    assert row.status == "sent"
    events_apply(
        channel=channel,
        events=[StatusEvent(row.provider_message_id, "delivered", START + timedelta(minutes=6))],
    )
    return endpoint, campaign


def test_a_campaigns_whole_life_arrives_signed(alice, api, receiver):
    endpoint, campaign = _live_campaign(alice, receiver, api)

    deliveries_sweep(timezone.now(), inline=True)

    assert receiver.requests
    assert all(signature_ok(endpoint["secret"], received) for received in receiver.requests)
    events = receiver.accepted_events()
    types = [event["type"] for event in events]
    for expected in (
        "campaign.started",
        "contact.replied",
        "contact.opted_out",
        "contact.sent",
        "contact.delivered",
        "campaign.completed",
    ):
        assert expected in types, (expected, types)
    assert all(event["id"].startswith("evt_") and len(event["id"]) == 30 for event in events)
    assert all(event["account_id"] == alice.pk for event in events)
    started = next(e for e in events if e["type"] == "campaign.started")
    assert started["data"]["campaign_id"] == campaign.pk
    single = next(r for r in receiver.requests if "events" not in r.json())
    assert single.headers["X-Skylight-Event-Id"] == single.json()["id"]
    assert not WebhookDelivery.objects.filter(status="pending").exists()


def test_a_tampered_body_fails_the_signature_check(alice, api, receiver):
    endpoint, _ = _live_campaign(alice, receiver, api)
    deliveries_sweep(timezone.now(), inline=True)

    received = receiver.requests[0]
    received.body = received.body.replace(b"campaign", b"campaigm", 1)
    assert not signature_ok(endpoint["secret"], received)
    assert not signature_ok("whsec_wrong", receiver.requests[1])


def test_what_a_503_receiver_missed_arrives_once_it_answers_again(alice, api, receiver):
    receiver.then(503, times=4, **{"Retry-After": "45"})
    _live_campaign(alice, receiver, api)
    now = timezone.now()
    owed = set(WebhookDelivery.objects.values_list("event_id", flat=True))

    for minutes in range(0, 60, 1):  # the every-minute sweep, on a clock we drive
        deliveries_sweep(now + timedelta(minutes=minutes), inline=True)

    failed = [r for r in receiver.requests if r.status == 503]
    assert len(failed) == 4
    accepted = [event["id"] for event in receiver.accepted_events()]
    assert sorted(accepted) == sorted(owed)  # every event once, none twice
    retried = WebhookDelivery.objects.filter(attempts__gt=1)
    assert retried.exists()
    assert not WebhookDelivery.objects.exclude(status="succeeded").exists()
    # Retry-After (45 s) was honoured over the first backoff (30 s).
    first = WebhookDelivery.objects.order_by("id").first().attempt_log.order_by("number")[0]
    assert first.status_code == 503
    assert first.next_retry_at - first.created_at >= timedelta(seconds=45)


def test_a_receiver_that_was_down_gets_everything_once_it_is_back(alice, api, receiver):
    _live_campaign(alice, receiver, api)
    owed = set(WebhookDelivery.objects.values_list("event_id", flat=True))
    now = timezone.now()
    receiver.server.stop()  # killed: connections are refused

    deliveries_sweep(now, inline=True)
    deliveries_sweep(now + timedelta(seconds=31), inline=True)

    assert not receiver.requests
    assert WebhookDelivery.objects.filter(status="pending", attempts=2).count() == len(owed)
    receiver.server.start()  # back, on the same address
    for minutes in range(1, 10):
        deliveries_sweep(now + timedelta(minutes=minutes), inline=True)

    accepted = [event["id"] for event in receiver.accepted_events()]
    assert sorted(accepted) == sorted(owed)
    assert not WebhookDelivery.objects.exclude(status="succeeded").exists()
