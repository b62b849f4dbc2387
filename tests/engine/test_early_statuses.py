"""A provider status that overtakes the engine's write of the delivery is not lost."""

from datetime import UTC, datetime, timedelta

from campaigns.models import CampaignContact, Delivery, StatusReceipt
from tests.engine.helpers import cycle, start_campaign
from tests.factories import make_channel

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)


def test_a_status_received_before_the_delivery_is_written_applies_when_it_is(alice, fake_gateway):
    channel = make_channel(alice, provider="webhook", config=fake_gateway.channel_config())
    campaign = start_campaign(
        alice, contacts=1, at=START, channel=channel, messages=[{"type": "text", "content": "Hi"}]
    )
    # The gateway numbers its messages gw-1, gw-2, ... from each test's start.
    StatusReceipt.objects.create(
        channel=channel, provider_message_id="gw-1", status="delivered", at=START
    )

    cycle(START + timedelta(minutes=5))

    delivery = Delivery.objects.get(campaign_contact__campaign=campaign)
    assert delivery.provider_message_id == "gw-1"
    assert delivery.status == "delivered"
    assert CampaignContact.objects.get(campaign=campaign).delivery_status == "delivered"
    assert not StatusReceipt.objects.filter(channel=channel).exists()


def test_receipts_of_other_channels_are_left_alone(alice, fake_gateway):
    channel = make_channel(alice, provider="webhook", config=fake_gateway.channel_config())
    other = make_channel(alice, name="Other number")
    start_campaign(
        alice, contacts=1, at=START, channel=channel, messages=[{"type": "text", "content": "Hi"}]
    )
    StatusReceipt.objects.create(channel=other, provider_message_id="gw-1", status="read", at=START)

    cycle(START + timedelta(minutes=5))

    assert Delivery.objects.get().status == "sent"
    assert StatusReceipt.objects.filter(channel=other).count() == 1
