"""Replayed webhooks change nothing: gateway timestamps, and provider ids for everyone.

The attack: capture a signed START, wait for the person's later STOP, replay the START
to opt them back in.
"""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from channels.models import InboundReceipt
from channels.webhooks.events import InboundEvent
from channels.webhooks.replay import RECEIPT_RETENTION, first_deliveries, stored_id
from tests.factories import make_channel, make_contact
from tests.fakes.gateway import skylight_headers, skylight_signature
from tests.fakes.telegram import WEBHOOK_SECRET, update_message
from tests.fakes.twilio import twilio_signature
from tests.fakes.whatsapp import inbound_text, meta_signature

PHONE = "+966501234567"


@pytest.fixture
def contact(alice):
    return make_contact(alice, phone=PHONE, external_id="5551234")


def opted_out(contact) -> bool:
    contact.refresh_from_db()
    return contact.opted_out


# --- the webhook gateway: timestamped signatures ------------------------------------


@pytest.fixture
def gateway(alice, fake_gateway):
    return make_channel(
        alice, type="whatsapp", provider="webhook", config=fake_gateway.channel_config()
    )


def gateway_post(client, channel, body: bytes, headers: dict):
    return client.post(
        f"/webhooks/{channel.webhook_token}/", body, content_type="application/json", **headers
    )


def gateway_body(text: str, event_id: str | None = None) -> bytes:
    event = {"event": "inbound", "from": PHONE, "text": text}
    if event_id:
        event["id"] = event_id
    return json.dumps(event).encode()


def test_a_start_replayed_inside_the_window_after_a_stop_changes_nothing(client, gateway, contact):
    start = gateway_body("START", "in-1")
    captured = skylight_headers(start)
    assert gateway_post(client, gateway, start, captured).json()["opted_in"] == 0
    stop = gateway_body("STOP", "in-2")
    assert gateway_post(client, gateway, stop, skylight_headers(stop)).json()["opted_out"] == 1

    replay = gateway_post(client, gateway, start, captured)

    assert replay.status_code == 200
    assert replay.json()["opted_in"] == 0
    assert opted_out(contact)


def test_a_start_replayed_outside_the_window_is_403(client, gateway, contact):
    start = gateway_body("START")  # no id: only the timestamp protects it
    captured = skylight_headers(start, at=time.time() - 301)
    stop = gateway_body("STOP")
    gateway_post(client, gateway, stop, skylight_headers(stop))

    replay = gateway_post(client, gateway, start, captured)

    assert replay.status_code == 403
    assert "X-Skylight-Timestamp" in replay.json()["message"]
    assert opted_out(contact)


@pytest.mark.parametrize("skew", [-299, 0, 299])
def test_a_timestamp_within_300_seconds_is_accepted(client, gateway, contact, skew):
    stop = gateway_body("STOP")
    response = gateway_post(client, gateway, stop, skylight_headers(stop, at=time.time() + skew))
    assert response.status_code == 200
    assert opted_out(contact)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_X_SKYLIGHT_TIMESTAMP": "soon"},
        {"HTTP_X_SKYLIGHT_TIMESTAMP": "FUTURE"},
        {"HTTP_X_SKYLIGHT_TIMESTAMP": "١٢٣"},
    ],
)
def test_a_missing_malformed_or_future_timestamp_is_403(client, gateway, contact, headers):
    stop = gateway_body("STOP")
    if headers.get("HTTP_X_SKYLIGHT_TIMESTAMP") == "FUTURE":
        headers = {"HTTP_X_SKYLIGHT_TIMESTAMP": str(int(time.time()) + 400)}
    timestamp = headers.get("HTTP_X_SKYLIGHT_TIMESTAMP", "")
    headers = {**headers, "HTTP_X_SKYLIGHT_SIGNATURE": skylight_signature(stop, timestamp)}
    assert gateway_post(client, gateway, stop, headers).status_code == 403
    assert not opted_out(contact)


def test_the_signature_covers_the_timestamp(client, gateway, contact):
    stop = gateway_body("STOP")
    headers = skylight_headers(stop, at=time.time() - 1000)
    headers["HTTP_X_SKYLIGHT_TIMESTAMP"] = str(int(time.time()))
    assert gateway_post(client, gateway, stop, headers).status_code == 403
    assert not opted_out(contact)


def test_outgoing_gateway_requests_carry_a_fresh_signed_timestamp(fake_gateway):
    from channels.transports import TRANSPORTS, OutboundMessage

    transport = TRANSPORTS["webhook"](fake_gateway.channel_config(), channel_type="sms")
    transport.send(PHONE, OutboundMessage(type="text", content="Hi"))
    request = fake_gateway.last
    assert abs(int(request.headers["X-Skylight-Timestamp"]) - time.time()) < 60
    assert fake_gateway.signature_valid(request)


# --- every provider: repeated message ids ---------------------------------------------


def test_meta_drops_a_repeated_message_id(client, alice, fake_whatsapp, contact):
    channel = make_channel(alice, provider="whatsapp_cloud", config=fake_whatsapp.channel_config())

    def post(body):
        return client.post(
            f"/webhooks/{channel.webhook_token}/",
            body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=meta_signature(body),
        )

    start = inbound_text(PHONE[1:], "START", message_id="wamid.START")
    post(start)
    post(inbound_text(PHONE[1:], "STOP"))
    assert post(start).json()["opted_in"] == 0
    assert opted_out(contact)


def test_twilio_drops_a_repeated_message_sid(client, alice, fake_twilio, contact, settings):
    settings.SKYLIGHT_PUBLIC_URL = "https://sky.example.com"
    channel = make_channel(
        alice, type="whatsapp", provider="twilio", config=fake_twilio.channel_config()
    )

    def post(sid, body):
        params = {
            "MessageSid": sid,
            "SmsStatus": "received",
            "From": f"whatsapp:{PHONE}",
            "Body": body,
        }
        signature = twilio_signature(channel.webhook_url, params)
        return client.post(
            f"/webhooks/{channel.webhook_token}/", params, HTTP_X_TWILIO_SIGNATURE=signature
        )

    post("SMstart", "START")
    post("SMstop", "STOP")
    assert post("SMstart", "START").status_code == 200
    assert opted_out(contact)


def test_telegram_drops_a_repeated_update_id(client, alice, fake_telegram):
    channel = make_channel(
        alice, type="telegram", provider="telegram_bot", config=fake_telegram.channel_config()
    )
    contact = make_contact(alice, type="telegram", phone=PHONE, external_id="5551234")

    def post(body):
        return client.post(
            f"/webhooks/{channel.webhook_token}/",
            body,
            content_type="application/json",
            HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=WEBHOOK_SECRET,
        )

    start = update_message(5551234, "/start", update_id=77)
    post(start)
    post(update_message(5551234, "/stop", update_id=78))
    assert post(start).json()["opted_in"] == 0
    assert opted_out(contact)


def test_the_same_id_on_another_channel_is_not_a_replay(client, alice, fake_gateway, contact):
    config = fake_gateway.channel_config()
    channels = [make_channel(alice, name=n, provider="webhook", config=config) for n in "AB"]
    stop = gateway_body("STOP", "same-id")
    for channel in channels:
        assert gateway_post(client, channel, stop, skylight_headers(stop)).status_code == 200
    assert InboundReceipt.objects.filter(provider_event_id="same-id").count() == 2


# --- the receipts themselves -------------------------------------------------------------


def test_receipts_of_a_request_that_failed_are_removed(alice):
    channel = make_channel(alice)
    with (
        pytest.raises(RuntimeError),
        first_deliveries(channel, [InboundEvent(PHONE, "STOP", "x1")]),
    ):
        raise RuntimeError("applying failed")
    with first_deliveries(channel, [InboundEvent(PHONE, "STOP", "x1")]) as fresh:
        assert len(fresh) == 1


def test_old_receipts_are_pruned_when_new_ones_arrive(alice):
    channel = make_channel(alice)
    old = InboundReceipt.objects.create(channel=channel, provider_event_id="old")
    InboundReceipt.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - RECEIPT_RETENTION - timedelta(minutes=1)
    )
    with first_deliveries(channel, [InboundEvent(PHONE, "hi", "new")]):
        pass
    assert list(InboundReceipt.objects.values_list("provider_event_id", flat=True)) == ["new"]


def test_an_over_long_id_is_kept_as_its_digest(alice):
    channel = make_channel(alice)
    long_id = "m" * 500
    for expected in (1, 0):
        with first_deliveries(channel, [InboundEvent(PHONE, "hi", long_id)]) as fresh:
            assert len(fresh) == expected
    assert InboundReceipt.objects.get().provider_event_id == stored_id(long_id)
    assert len(stored_id(long_id)) <= 128


@pytest.mark.parametrize(
    "event",
    [
        '{"event": "inbound", "from": "+96650\\ud800", "text": "STOP", "id": "\\ud800"}',
        '{"event": "inbound", "from": "+966501234567", "text": "ST\\ud800OP", "id": "a\\u0000b"}',
        '{"event": "status", "message_id": "\\ud800", "status": "read"}',
    ],
)
def test_unstorable_text_in_a_signed_webhook_is_not_a_500(client, gateway, contact, event):
    body = event.encode()
    response = gateway_post(client, gateway, body, skylight_headers(body))
    assert response.status_code in (200, 400)
