"""Campaigns through the self-hosted WhatsApp gateways (fake WAHA and Evolution API):
sends, statuses by webhook, STOP, a stopped session and a number not on WhatsApp."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from campaigns.models import CampaignContact, Delivery
from channels.models import Channel
from tests.engine.helpers import assert_counters_match, cycle, run_days, start_campaign
from tests.factories import make_channel
from tests.fakes import evolution as fake_evolution_module
from tests.fakes import waha as fake_waha_module

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
HI = [{"type": "text", "content": "Hi {{first_name|there}}"}]


@dataclass
class Gateway:
    """One gateway under test: its fake, channel, and how it words webhooks."""

    fake: object
    channel: Channel
    kind: str

    def status(self, phone: str, message_id: str, status: str) -> tuple[bytes, dict]:
        digits = phone.lstrip("+")
        if self.kind == "waha":
            ack = {"delivered": (2, "DEVICE"), "read": (3, "READ"), "sent": (1, "SERVER")}[status]
            body = fake_waha_module.message_ack(digits, message_id, *ack)
            return body, fake_waha_module.signed_headers(body)
        names = {"delivered": "DELIVERY_ACK", "read": "READ", "sent": "SERVER_ACK"}
        return fake_evolution_module.update(digits, message_id, names[status]), {}

    def inbound(self, phone: str, text: str) -> tuple[bytes, dict]:
        digits = phone.lstrip("+")
        if self.kind == "waha":
            body = fake_waha_module.inbound_message(digits, text)
            return body, fake_waha_module.signed_headers(body)
        return fake_evolution_module.upsert(digits, text), {}


@pytest.fixture(params=["waha", "evolution_api"])
def gateway(request, alice) -> Gateway:
    if request.param == "waha":
        fake = request.getfixturevalue("fake_waha")
        config = fake.channel_config(webhook_hmac_key=fake_waha_module.HMAC_KEY)
    else:
        fake = request.getfixturevalue("fake_evolution")
        config = fake.channel_config()
    channel = make_channel(alice, provider=request.param, config=config)
    return Gateway(fake=fake, channel=channel, kind=request.param)


def post(client, gateway: Gateway, body_headers: tuple[bytes, dict]):
    body, headers = body_headers
    meta = {f"HTTP_{key.upper().replace('-', '_')}": value for key, value in headers.items()}
    response = client.post(
        f"/webhooks/{gateway.channel.webhook_token}/",
        body,
        content_type="application/json",
        **meta,
    )
    assert response.status_code == 200, response.content
    return response


def test_a_campaign_sends_through_the_gateway_and_statuses_move_forward_only(
    client, alice, gateway
):
    campaign = start_campaign(alice, contacts=3, at=START, channel=gateway.channel, messages=HI)

    cycle(START + timedelta(minutes=5))

    assert len(gateway.fake.sends) == 1
    row = CampaignContact.objects.get(campaign=campaign, status="sent")
    delivery = Delivery.objects.get(campaign_contact=row)
    assert delivery.provider_message_id and delivery.body.startswith("Hi Person")
    phone = row.contact.phone

    post(client, gateway, gateway.status(phone, delivery.provider_message_id, "read"))
    post(client, gateway, gateway.status(phone, delivery.provider_message_id, "delivered"))

    delivery.refresh_from_db()
    row.refresh_from_db()
    assert (delivery.status, row.delivery_status) == ("read", "read")
    assert_counters_match(campaign)


def test_a_stop_through_the_gateway_opts_the_person_out_and_skips_them(client, alice, gateway):
    campaign = start_campaign(alice, contacts=3, at=START, channel=gateway.channel, messages=HI)
    cycle(START + timedelta(minutes=5))
    waiting = CampaignContact.objects.filter(campaign=campaign, status="pending").first()

    post(client, gateway, gateway.inbound(waiting.contact.phone, "STOP"))
    run_days(START + timedelta(days=1), 3)

    waiting.refresh_from_db()
    assert waiting.contact.opted_out is True
    assert waiting.status == "skipped"
    sent_to = {r.json().get("chatId", r.json().get("number", "")) for r in gateway.fake.sends}
    assert not any(waiting.contact.phone.lstrip("+") in address for address in sent_to)
    assert_counters_match(campaign)


def test_a_stopped_waha_session_holds_the_campaign_until_it_works_again(alice, fake_waha, settings):
    settings.SKYLIGHT_CHANNEL_PROBE_SECONDS = 120
    channel = make_channel(alice, provider="waha", config=fake_waha.channel_config())
    campaign = start_campaign(alice, contacts=1, at=START, channel=channel, messages=HI)
    fake_waha.session_status = "STOPPED"
    fake_waha.always("session_stopped")

    cycle(START + timedelta(minutes=5))

    row = CampaignContact.objects.get(campaign=campaign)
    channel.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1)
    assert channel.unavailable_reason == "WhatsApp session is stopped: start it in WAHA."

    cycle(START + timedelta(minutes=7))  # retry due, but the session still is not WORKING
    assert len(fake_waha.sends) == 1
    assert fake_waha.last.path == "/api/sessions/default"

    fake_waha.session_status = "WORKING"
    fake_waha.always("ok")
    cycle(START + timedelta(minutes=10))

    row.refresh_from_db()
    channel.refresh_from_db()
    assert row.status == "sent" and len(fake_waha.sends) == 2
    assert channel.unavailable_reason == ""


def test_a_number_not_on_whatsapp_is_skipped_as_unreachable_at_once(alice, fake_evolution):
    channel = make_channel(alice, provider="evolution_api", config=fake_evolution.channel_config())
    campaign = start_campaign(alice, contacts=1, at=START, channel=channel, messages=HI)
    fake_evolution.then("not_on_whatsapp")

    cycle(START + timedelta(minutes=5))

    row = CampaignContact.objects.get(campaign=campaign)
    assert (row.status, row.skip_reason) == ("skipped", "unreachable")
    assert "not on WhatsApp (unreachable)" in row.error
    assert len(fake_evolution.sends) == 1
