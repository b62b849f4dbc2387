"""Webhook-gateway webhooks: timestamped X-Skylight-Signature HMAC; status and inbound events."""

import json

import pytest

from tests.factories import make_channel, make_contact, make_delivery
from tests.fakes.gateway import skylight_headers, skylight_signature


@pytest.fixture
def channel(alice, fake_gateway):
    return make_channel(alice, type="sms", provider="webhook", config=fake_gateway.channel_config())


def post(client, channel, payload, signature: str | None = None):
    body = json.dumps(payload).encode()
    headers = skylight_headers(body)
    if signature is not None:
        headers["HTTP_X_SKYLIGHT_SIGNATURE"] = signature
    return client.post(
        f"/webhooks/{channel.webhook_token}/", body, content_type="application/json", **headers
    )


def test_status_events_update_deliveries(client, channel, alice):
    delivery = make_delivery(channel, make_contact(alice), "gw-1")

    response = post(
        client,
        channel,
        {
            "event": "status",
            "message_id": "gw-1",
            "status": "read",
            "timestamp": "2026-03-05T08:00:00Z",
        },
    )

    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == "read"
    assert delivery.read_at.isoformat() == "2026-03-05T08:00:00+00:00"
    assert delivery.delivered_at == delivery.read_at


def test_a_batch_of_events(client, channel, alice):
    contact = make_contact(alice, phone="+966501234567")
    delivery = make_delivery(channel, contact, "gw-2")
    events = [
        {"event": "status", "message_id": "gw-2", "status": "delivered"},
        {"event": "inbound", "from": "+966501234567", "text": "unsubscribe"},
    ]

    response = post(client, channel, {"events": events})

    assert response.json() == {
        "ok": True,
        "statuses": 1,
        "opted_out": 1,
        "opted_in": 0,
        "replies": 0,
    }
    delivery.refresh_from_db()
    contact.refresh_from_db()
    assert delivery.status == "delivered" and contact.opted_out


def test_a_forged_signature_is_403(client, channel, alice):
    contact = make_contact(alice, phone="+966501234567")
    payload = {"event": "inbound", "from": "+966501234567", "text": "STOP"}
    assert post(client, channel, payload, "sha256=" + "f" * 64).status_code == 403
    assert post(client, channel, payload, skylight_signature(b"{}", "0")).status_code == 403
    contact.refresh_from_db()
    assert not contact.opted_out


@pytest.mark.parametrize(
    "payload",
    [
        {"event": "status", "message_id": "x", "status": "exploded"},
        {"event": "nope"},
        [1, 2],
        {"events": "x"},
        {"event": "inbound", "from": "+1"},
        {"event": "status", "message_id": "x", "status": "read", "timestamp": "soon"},
    ],
)
def test_malformed_events_are_400(client, channel, payload):
    assert post(client, channel, payload).status_code == 400


def test_console_channels_take_no_webhooks(client, alice):
    channel = make_channel(alice)
    assert (
        post(client, channel, {"event": "inbound", "from": "+1", "text": "STOP"}).status_code == 404
    )


def test_a_status_for_an_over_long_message_id_changes_nothing_and_is_not_a_500(
    client, channel, alice
):
    from campaigns.models import StatusReceipt

    payload = {"event": "status", "message_id": "x" * 300, "status": "delivered"}
    response = post(client, channel, payload)

    assert response.status_code == 200
    assert not StatusReceipt.objects.exists()
