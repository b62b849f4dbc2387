"""WAHA webhooks: HMAC-SHA512 with a fresh timestamp, acks as statuses, inbound keywords."""

import time

import pytest

from tests.factories import make_channel, make_contact, make_delivery
from tests.fakes.waha import HMAC_KEY, inbound_message, message_ack, signed_headers, waha_event


@pytest.fixture
def channel(alice, fake_waha):
    config = fake_waha.channel_config(webhook_hmac_key=HMAC_KEY)
    return make_channel(alice, provider="waha", config=config)


def post(client, channel, body: bytes, headers: dict | None = None):
    headers = signed_headers(body) if headers is None else headers
    meta = {f"HTTP_{key.upper().replace('-', '_')}": value for key, value in headers.items()}
    return client.post(
        f"/webhooks/{channel.webhook_token}/", body, content_type="application/json", **meta
    )


def test_a_forged_hmac_is_403_and_changes_nothing(client, channel, alice):
    contact = make_contact(alice, phone="+966501234567")
    body = inbound_message("966501234567", "STOP")

    response = post(client, channel, body, signed_headers(body, key="not-the-channel-key-123"))

    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.opted_out is False


def test_a_missing_or_stale_timestamp_is_403(client, channel):
    body = inbound_message("966501234567", "hello")
    stale = signed_headers(body, timestamp_ms=int(time.time() * 1000) - 6 * 60 * 1000)
    unstamped = {k: v for k, v in signed_headers(body).items() if k != "X-Webhook-Timestamp"}

    assert post(client, channel, body, stale).status_code == 403
    assert post(client, channel, body, unstamped).status_code == 403


def test_without_a_key_the_url_token_is_the_check(client, alice, fake_waha):
    channel = make_channel(alice, provider="waha", config=fake_waha.channel_config())
    contact = make_contact(alice, phone="+966501234567")

    response = post(client, channel, inbound_message("966501234567", "STOP"), headers={})

    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.opted_out is True


def test_stop_opts_out_and_start_opts_back_in(client, channel, alice):
    contact = make_contact(alice, phone="+966501234567")

    post(client, channel, inbound_message("966501234567", "Stop"))
    contact.refresh_from_db()
    assert contact.opted_out is True

    post(client, channel, inbound_message("966501234567", "START"))
    contact.refresh_from_db()
    assert contact.opted_out is False


def test_acks_move_the_delivery_forward_only(client, channel, alice):
    contact = make_contact(alice, phone="+966501234567")
    delivery = make_delivery(channel, contact, "3EB0AAA", status="sent")

    post(client, channel, message_ack("966501234567", "3EB0AAA", 3, "READ"))
    delivery.refresh_from_db()
    assert delivery.status == "read" and delivery.read_at is not None

    post(client, channel, message_ack("966501234567", "3EB0AAA", 2, "DEVICE"))
    post(client, channel, message_ack("966501234567", "3EB0AAA", -1, "ERROR"))
    delivery.refresh_from_db()
    assert delivery.status == "read"


@pytest.mark.parametrize(
    ("ack", "name", "status"),
    [
        (1, "SERVER", "sent"),
        (2, "DEVICE", "delivered"),
        (4, "PLAYED", "read"),
        (-1, "ERROR", "failed"),
    ],
)
def test_each_ack_maps_to_our_status(client, channel, alice, ack, name, status):
    contact = make_contact(alice, phone="+966501234567")
    delivery = make_delivery(channel, contact, "3EB0BBB", status="queued")

    response = post(client, channel, message_ack("966501234567", "3EB0BBB", ack, name))

    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == status


def test_our_own_messages_and_other_events_change_nothing(client, channel, alice):
    contact = make_contact(alice, phone="+966501234567")
    own = waha_event(
        "message", {"id": "x", "from": "966501234567@c.us", "fromMe": True, "body": "STOP"}
    )
    session = waha_event("session.status", {"status": "WORKING"})

    assert post(client, channel, own).status_code == 200
    assert post(client, channel, session).status_code == 200
    contact.refresh_from_db()
    assert contact.opted_out is False


def test_a_body_without_payload_is_400(client, channel):
    assert post(client, channel, b'{"event": "message"}').status_code == 400
