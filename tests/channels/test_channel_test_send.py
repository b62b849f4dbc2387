"""`POST /api/v1/channels/{id}/test`: one message now, through the real transport."""

import pytest

from tests.factories import make_channel


@pytest.fixture
def whatsapp_channel(alice, fake_whatsapp):
    return make_channel(alice, provider="whatsapp_cloud", config=fake_whatsapp.channel_config())


def test_it_sends_and_answers_the_provider_message_id(api, whatsapp_channel, fake_whatsapp):
    response = api.post(
        f"/api/v1/channels/{whatsapp_channel.pk}/test",
        {"phone": "+966 50 123 4567", "text": "Ping"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["data"] == {
        "provider_message_id": "wamid.FAKE000001",
        "recipient": "+966501234567",
        "connection": None,
    }
    assert fake_whatsapp.last.json()["text"]["body"] == "Ping"


def test_a_default_text_is_used(api, whatsapp_channel, fake_whatsapp):
    api.post(
        f"/api/v1/channels/{whatsapp_channel.pk}/test", {"phone": "+966501234567"}, format="json"
    )
    assert "SkyLight" in fake_whatsapp.last.json()["text"]["body"]


def test_a_permanent_provider_error_is_422_naming_it(api, whatsapp_channel, fake_whatsapp):
    fake_whatsapp.then("rejected")

    response = api.post(
        f"/api/v1/channels/{whatsapp_channel.pk}/test", {"phone": "+966501234567"}, format="json"
    )

    assert response.status_code == 422
    body = response.json()
    assert body["success"] is False
    assert "permanent" in body["message"] and "131026" in body["message"]
    assert body["errors"]["transport"]


def test_a_transient_provider_error_is_502(api, whatsapp_channel, fake_whatsapp):
    fake_whatsapp.then("rate_limited")
    response = api.post(
        f"/api/v1/channels/{whatsapp_channel.pk}/test", {"phone": "+966501234567"}, format="json"
    )
    assert response.status_code == 502
    assert "transient" in response.json()["message"]


def test_telegram_takes_a_chat_id_as_recipient(api, alice, fake_telegram):
    channel = make_channel(
        alice, type="telegram", provider="telegram_bot", config=fake_telegram.channel_config()
    )
    response = api.post(f"/api/v1/channels/{channel.pk}/test", {"recipient": "777"}, format="json")
    assert response.status_code == 200
    assert fake_telegram.last.json()["chat_id"] == "777"


@pytest.mark.parametrize(
    "body", [{}, {"phone": "12"}, {"phone": 5}, {"phone": "+966501234567", "text": "x" * 5000}]
)
def test_bad_input_is_422_and_sends_nothing(api, whatsapp_channel, fake_whatsapp, body):
    response = api.post(f"/api/v1/channels/{whatsapp_channel.pk}/test", body, format="json")
    assert response.status_code == 422
    assert fake_whatsapp.requests == []


def test_console_channel_test_send(api, alice):
    channel = make_channel(alice)
    response = api.post(
        f"/api/v1/channels/{channel.pk}/test", {"phone": "+966501234567"}, format="json"
    )
    assert response.json()["data"]["provider_message_id"].startswith("console-")
