"""Meta (WhatsApp Cloud) webhooks: GET verification, signed statuses and inbound messages."""

import pytest

from channels.models import Channel
from tests.factories import make_channel, make_contact, make_delivery
from tests.fakes.whatsapp import VERIFY_TOKEN, inbound_text, meta_signature, status_update


@pytest.fixture
def channel(alice, fake_whatsapp) -> Channel:
    return make_channel(alice, provider="whatsapp_cloud", config=fake_whatsapp.channel_config())


def post(client, channel, body: bytes, signature: str | None = None):
    headers = {
        "HTTP_X_HUB_SIGNATURE_256": signature if signature is not None else meta_signature(body)
    }
    return client.post(
        f"/webhooks/{channel.webhook_token}/", body, content_type="application/json", **headers
    )


def test_get_verification_echoes_the_challenge(client, channel):
    response = client.get(
        f"/webhooks/{channel.webhook_token}/",
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert response.status_code == 200
    assert response.content == b"1158201444"


def test_get_verification_with_a_wrong_token_is_403(client, channel):
    response = client.get(
        f"/webhooks/{channel.webhook_token}/",
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
    )
    assert response.status_code == 403


def test_unknown_token_is_404(client, db):
    assert client.post("/webhooks/nope/", b"{}", content_type="application/json").status_code == 404


def test_a_signed_status_updates_the_delivery_and_contact(client, channel, alice):
    delivery = make_delivery(channel, make_contact(alice), "wamid.A1")

    response = post(client, channel, status_update("wamid.A1", "delivered"))

    assert response.status_code == 200
    assert response.json()["statuses"] == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert delivery.delivered_at.isoformat() == "2026-01-01T00:00:00+00:00"
    assert delivery.campaign_contact.delivery_status == "delivered"


def test_a_forged_signature_is_403_and_changes_nothing(client, channel, alice):
    delivery = make_delivery(channel, make_contact(alice), "wamid.A1")
    body = status_update("wamid.A1", "read")

    for signature in ("", "sha256=" + "0" * 64, meta_signature(body, "wrong-secret")):
        assert post(client, channel, body, signature).status_code == 403

    delivery.refresh_from_db()
    assert delivery.status == "sent"


def test_a_channel_without_app_secret_rejects_posts(client, alice, fake_whatsapp):
    config = {**fake_whatsapp.channel_config()}
    del config["app_secret"]
    channel = make_channel(alice, provider="whatsapp_cloud", config=config)
    assert post(client, channel, status_update("x", "read")).status_code == 403


def test_a_failed_status_records_the_error(client, channel, alice):
    delivery = make_delivery(channel, make_contact(alice), "wamid.F")
    body = status_update(
        "wamid.F", "failed", errors=[{"code": 131026, "title": "Message undeliverable"}]
    )

    post(client, channel, body)

    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "131026" in delivery.error


def test_inbound_stop_opts_the_contact_out(client, channel, alice):
    contact = make_contact(alice, phone="+966501234567")

    response = post(client, channel, inbound_text("966501234567", "STOP"))

    assert response.json()["opted_out"] == 1
    contact.refresh_from_db()
    assert contact.opted_out and contact.opted_out_at


def test_a_statuses_of_another_channel_do_not_leak(client, channel, alice, bob, fake_whatsapp):
    other = make_channel(bob, provider="whatsapp_cloud", config=fake_whatsapp.channel_config())
    delivery = make_delivery(other, make_contact(bob), "wamid.B1")

    post(client, channel, status_update("wamid.B1", "read"))

    delivery.refresh_from_db()
    assert delivery.status == "sent"


def test_malformed_json_is_400(client, channel):
    assert post(client, channel, b"{not json").status_code == 400


def test_a_failed_status_for_stopped_marketing_opts_the_recipient_out(client, channel, alice):
    contact = make_contact(alice, phone="+966501234567")
    make_delivery(channel, contact, "wamid.M")
    body = status_update(
        "wamid.M",
        "failed",
        recipient="966501234567",
        errors=[{"code": 131050, "title": "User stopped marketing messages"}],
    )

    post(client, channel, body)

    contact.refresh_from_db()
    assert contact.opted_out
