"""Each error class through the real webhook transport against a local fake gateway."""

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.engine.batches import batch_slot
from campaigns.engine.claims import claim_contacts
from campaigns.models import Campaign, CampaignContact, CampaignDay, ChannelDay, Delivery
from contacts.models import Contact
from tests.engine.helpers import assert_counters_match, cycle, start_campaign
from tests.factories import make_channel

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def gateway_campaign(alice, fake_gateway):
    """A one-contact campaign (daily limit 1) sending through the fake gateway."""

    def build(messages=None, contacts=1):
        channel = make_channel(alice, provider="webhook", config=fake_gateway.channel_config())
        return start_campaign(
            alice, contacts=contacts, at=START, channel=channel, messages=messages
        )

    return build


def row(campaign) -> CampaignContact:
    return CampaignContact.objects.get(campaign=campaign)


def attempted_today(campaign) -> tuple[int, int, int]:
    campaign.refresh_from_db()
    day = CampaignDay.objects.get(campaign=campaign, date=campaign.today_date)
    channel_day = ChannelDay.objects.get(channel=campaign.channel, date=campaign.today_date)
    return campaign.today_attempted, day.attempted, channel_day.attempted


def test_a_transient_error_retries_later_without_using_the_daily_slot(
    gateway_campaign, fake_gateway
):
    campaign = gateway_campaign()
    fake_gateway.then("server_error")
    now = START + timedelta(minutes=5)

    cycle(now)

    contact = row(campaign)
    assert contact.status == "pending" and contact.attempts == 1
    assert contact.next_attempt_at == now + timedelta(seconds=60)
    assert "will retry" in contact.error and "HTTP 503" in contact.error
    assert attempted_today(campaign) == (0, 0, 0)
    cycle(now + timedelta(seconds=30))  # still backing off
    assert len(fake_gateway.requests) == 1

    cycle(now + timedelta(minutes=2))

    contact = row(campaign)
    assert contact.status == "sent" and contact.attempts == 2
    assert contact.provider_message_id.startswith("gw-")
    assert len(fake_gateway.requests) == 2 and fake_gateway.signature_valid(fake_gateway.last)
    assert attempted_today(campaign) == (1, 1, 1)
    assert_counters_match(campaign)


def test_retry_after_from_a_429_is_honoured(gateway_campaign, fake_gateway):
    campaign = gateway_campaign()
    fake_gateway.then("rate_limited", retry_after=600)
    now = START + timedelta(minutes=5)

    cycle(now)
    assert row(campaign).next_attempt_at == now + timedelta(seconds=600)
    cycle(now + timedelta(minutes=9))
    assert len(fake_gateway.requests) == 1
    cycle(now + timedelta(minutes=11))
    assert row(campaign).status == "sent" and len(fake_gateway.requests) == 2


def test_three_transient_failures_fail_the_contact(gateway_campaign, fake_gateway):
    campaign = gateway_campaign()
    fake_gateway.always("server_error")
    now = START + timedelta(minutes=5)
    for minutes in (0, 2, 7, 30, 60):
        cycle(now + timedelta(minutes=minutes))

    contact = row(campaign)
    assert contact.status == "failed" and contact.attempts == 3
    assert "after 3 attempts" in contact.error
    assert len(fake_gateway.requests) == 3
    assert attempted_today(campaign) == (1, 1, 1)  # the last attempt counts as attempted
    campaign.refresh_from_db()
    assert campaign.status == "completed" and campaign.failed_count == 1


def test_a_permanent_error_fails_at_once(gateway_campaign, fake_gateway):
    campaign = gateway_campaign()
    fake_gateway.then("rejected")
    cycle(START + timedelta(minutes=5))
    contact = row(campaign)
    assert contact.status == "failed" and contact.error.startswith("rejected: HTTP 400")
    assert Delivery.objects.get(campaign_contact=contact).status == "failed"
    assert len(fake_gateway.requests) == 1
    assert attempted_today(campaign) == (1, 1, 1)


def test_a_timeout_after_sending_is_an_unknown_outcome_never_resent(
    gateway_campaign, fake_gateway, settings
):
    settings.SKYLIGHT_HTTP_READ_TIMEOUT = 0.3
    campaign = gateway_campaign()
    fake_gateway.then("ok", delay=1.0)
    cycle(START + timedelta(minutes=5))
    contact = row(campaign)
    assert contact.status == "failed" and contact.error.startswith("outcome unknown: ")
    for hours in (1, 5, 30):
        cycle(START + timedelta(hours=hours))
    assert len(fake_gateway.requests) == 1
    assert row(campaign).status == "failed"


def test_a_retry_resumes_the_sequence_after_the_accepted_messages(gateway_campaign, fake_gateway):
    messages = [
        {"type": "text", "content": "one {{first_name}}"},
        {"type": "text", "content": "two"},
        {"type": "text", "content": "three"},
    ]
    campaign = gateway_campaign(messages=messages)
    fake_gateway.then("ok").then("server_error")
    now = START + timedelta(minutes=5)
    cycle(now)
    cycle(now + timedelta(minutes=2))

    bodies = [request.json()["message"]["content"] for request in fake_gateway.requests]
    assert bodies == ["one Person", "two", "two", "three"]
    deliveries = Delivery.objects.filter(campaign_contact__campaign=campaign).order_by("position")
    assert [d.status for d in deliveries] == ["sent", "sent", "sent"]
    assert row(campaign).status == "sent"


def test_a_message_reported_failed_after_acceptance_is_not_sent_again_on_retry(
    gateway_campaign, fake_gateway
):
    """Never twice: acceptance, not the provider's later status, decides what a retry skips."""
    from campaigns.deliveries import delivery_status_record
    from channels.webhooks.events import StatusEvent

    campaign = gateway_campaign(
        messages=[{"type": "text", "content": "one"}, {"type": "text", "content": "two"}]
    )
    fake_gateway.then("ok").then("server_error")
    now = START + timedelta(minutes=5)
    cycle(now)
    accepted = Delivery.objects.filter(campaign_contact__campaign=campaign).earliest("position")
    delivery_status_record(
        channel=campaign.channel,
        event=StatusEvent(accepted.provider_message_id, "failed", now, "undeliverable"),
    )
    assert Delivery.objects.get(pk=accepted.pk).status == "failed"

    cycle(now + timedelta(minutes=2))

    bodies = [request.json()["message"]["content"] for request in fake_gateway.requests]
    assert bodies == ["one", "two", "two"]


def test_a_claim_abandoned_by_a_dead_worker_fails_as_unknown(gateway_campaign, fake_gateway):
    campaign = gateway_campaign(contacts=3)
    now = START + timedelta(minutes=5)
    cycle(START)  # moves the campaign onto its first day
    campaign = Campaign.objects.select_related("account").get(pk=campaign.pk)
    claims = claim_contacts(batch_slot(campaign, now), now)  # a worker claims, then dies
    assert len(claims) == 1

    cycle(now + timedelta(minutes=10))
    assert row_of(claims[0]).status == "sending"  # not yet past the timeout
    cycle(now + timedelta(minutes=16))

    abandoned = row_of(claims[0])
    assert abandoned.status == "failed" and abandoned.error.startswith("outcome unknown: ")
    assert not any(r.json()["recipient"] == claims[0].address for r in fake_gateway.requests)
    campaign.refresh_from_db()
    assert campaign.today_attempted == 1  # the slot stays used: it may have been sent
    assert_counters_match(campaign)


def row_of(claim) -> CampaignContact:
    return CampaignContact.objects.get(pk=claim.id)


def test_a_recipient_who_blocked_the_bot_is_opted_out(alice, fake_telegram):
    channel = make_channel(
        alice, type="telegram", provider="telegram_bot", config=fake_telegram.channel_config()
    )
    person = Contact.objects.create(
        account=alice, name="Blocked", phone="+966501119999", type="telegram", external_id="4242"
    )
    campaign = start_campaign(alice, contacts=[person], at=START, channel=channel)
    fake_telegram.then("blocked")
    cycle(START + timedelta(minutes=5))
    person.refresh_from_db()
    assert person.opted_out and person.opted_out_at is not None
    assert row(campaign).status == "failed"


def test_a_slow_batch_stops_claiming_in_time_and_the_rest_waits(
    gateway_campaign, fake_gateway, settings
):
    settings.SKYLIGHT_BATCH_SECONDS = 0.3
    campaign = gateway_campaign(contacts=30)  # 10 a day
    fake_gateway.always("ok", delay=0.2)
    moment = START + timedelta(hours=23, minutes=50)  # the pacing curve allows all 10
    cycle(moment)
    campaign.refresh_from_db()
    assert 1 <= campaign.sent_count < 10 and campaign.pending_count == 30 - campaign.sent_count
    assert not CampaignContact.objects.filter(campaign=campaign, status="sending").exists()
    settings.SKYLIGHT_BATCH_SECONDS = 120
    fake_gateway.always("ok")
    assert campaign.next_send_at <= moment + timedelta(seconds=60)  # not tomorrow
    cycle(moment + timedelta(seconds=60))
    campaign.refresh_from_db()
    assert campaign.sent_count == 10
