"""Telegram webhooks: secret-token header, inbound /stop, bot blocked (kicked) opts out."""

import pytest

from tests.factories import make_channel, make_contact
from tests.fakes.telegram import WEBHOOK_SECRET, update_blocked, update_message

CHAT = 5551234


@pytest.fixture
def channel(alice, fake_telegram):
    return make_channel(
        alice, type="telegram", provider="telegram_bot", config=fake_telegram.channel_config()
    )


@pytest.fixture
def contact(alice):
    return make_contact(alice, type="telegram", phone="+966501234567", external_id=str(CHAT))


def post(client, channel, body: bytes, secret: str = WEBHOOK_SECRET):
    return client.post(
        f"/webhooks/{channel.webhook_token}/",
        body,
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=secret,
    )


def test_blocking_the_bot_opts_the_contact_out_on_every_type(client, channel, contact, alice):
    whatsapp_twin = make_contact(alice, type="whatsapp", phone=contact.phone)

    response = post(client, channel, update_blocked(CHAT))

    assert response.status_code == 200
    assert response.json()["opted_out"] == 2
    for row in (contact, whatsapp_twin):
        row.refresh_from_db()
        assert row.opted_out


@pytest.mark.parametrize("text", ["/stop", "STOP", "توقف"])
def test_stop_messages_opt_out(client, channel, contact, text):
    post(client, channel, update_message(CHAT, text))
    contact.refresh_from_db()
    assert contact.opted_out


def test_start_opts_back_in(client, channel, contact):
    post(client, channel, update_message(CHAT, "/stop"))
    post(client, channel, update_message(CHAT, "/start"))
    contact.refresh_from_db()
    assert not contact.opted_out and contact.opted_out_at is None


def test_ordinary_messages_change_nothing(client, channel, contact):
    post(client, channel, update_message(CHAT, "please stop by tomorrow"))
    contact.refresh_from_db()
    assert not contact.opted_out


@pytest.mark.parametrize("secret", ["", "wrong-secret-value-123"])
def test_a_wrong_secret_token_is_403_and_changes_nothing(client, channel, contact, secret):
    assert post(client, channel, update_blocked(CHAT), secret).status_code == 403
    contact.refresh_from_db()
    assert not contact.opted_out


def test_a_bot_without_a_webhook_secret_accepts_nothing(client, alice, contact, fake_telegram):
    config = {"bot_token": fake_telegram.channel_config()["bot_token"]}
    channel = make_channel(alice, type="telegram", provider="telegram_bot", config=config)
    assert post(client, channel, update_blocked(CHAT), "").status_code == 403


def test_a_chat_id_that_reads_as_a_phone_opts_out_the_chat_not_that_number(client, alice, channel):
    """Chat id 4930123456 is also a valid Berlin number (+4930123456): the chat wins."""
    chat_contact = make_contact(
        alice, type="telegram", phone="+966507654321", external_id="4930123456"
    )
    berlin = make_contact(alice, type="whatsapp", phone="+4930123456")

    post(client, channel, update_message(4930123456, "STOP"))

    chat_contact.refresh_from_db()
    berlin.refresh_from_db()
    assert chat_contact.opted_out
    assert not berlin.opted_out
