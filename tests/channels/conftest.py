"""Helpers for channel tests."""

import pytest

from channels.transports import TRANSPORTS, OutboundMessage, TransportError


def transport(provider: str, config: dict, channel_type: str = "", webhook_url: str = ""):
    return TRANSPORTS[provider](config, channel_type=channel_type, webhook_url=webhook_url)


def text(content: str = "Hello there") -> OutboundMessage:
    return OutboundMessage(type="text", content=content)


def media(kind: str, url: str = "https://cdn.example.com/file.bin", **extra) -> OutboundMessage:
    return OutboundMessage(type=kind, content=url, **extra)


def send_error(transport_instance, recipient: str, message: OutboundMessage) -> TransportError:
    with pytest.raises(TransportError) as info:
        transport_instance.send(recipient, message)
    return info.value


@pytest.fixture
def short_read_timeout(settings):
    settings.SKYLIGHT_HTTP_READ_TIMEOUT = 0.3
    settings.SKYLIGHT_HTTP_CONNECT_TIMEOUT = 1


def make_delivery(channel, contact, provider_message_id: str, status: str = "sent", position=0):
    """A campaign on `channel` with `contact` enrolled and one delivery (created via the ORM)."""
    from campaigns.models import Campaign, CampaignContact, Delivery

    campaign = Campaign.objects.filter(channel=channel).first() or Campaign.objects.create(
        account=channel.account, channel=channel, name="Webhook test", status="running"
    )
    row, _ = CampaignContact.objects.get_or_create(
        campaign=campaign, contact=contact, defaults={"status": "sent"}
    )
    return Delivery.objects.create(
        campaign_contact=row,
        position=position,
        type="text",
        body="Hi",
        status=status,
        provider_message_id=provider_message_id,
    )
