"""Verified webhooks with odd bodies answer 200 or 400, never 500, and change nothing."""

import json

import pytest

from tests.factories import make_channel, make_contact
from tests.fakes.gateway import skylight_headers
from tests.fakes.telegram import WEBHOOK_SECRET
from tests.fakes.whatsapp import meta_signature

ODD = [
    {},
    [],
    "x",
    5,
    None,
    {"entry": "x"},
    {"entry": [1, None, "x"]},
    {"entry": [{"changes": [{"value": {"messages": [{"from": "1", "text": "plain"}]}}]}]},
    {
        "entry": [
            {"changes": [{"value": {"statuses": [{"id": 5, "status": "read", "errors": "x"}]}}]}
        ]
    },
    {"message": {"text": "STOP", "chat": []}},
    {"message": "x"},
    {"my_chat_member": {"new_chat_member": "kicked", "chat": 1}},
    {"event": "inbound", "from": 966501234567, "text": "STOP"},
    {"events": [{"event": "status", "message_id": ["x"], "status": "read"}]},
]


@pytest.fixture
def channels(alice, fake_whatsapp, fake_telegram, fake_gateway):
    make_contact(alice, phone="+966501234567")
    return {
        "meta": make_channel(
            alice, provider="whatsapp_cloud", config=fake_whatsapp.channel_config()
        ),
        "telegram": make_channel(
            alice, type="telegram", provider="telegram_bot", config=fake_telegram.channel_config()
        ),
        "gateway": make_channel(
            alice, type="sms", provider="webhook", config=fake_gateway.channel_config()
        ),
    }


def headers(flavour: str, body: bytes) -> dict:
    return {
        "meta": {"HTTP_X_HUB_SIGNATURE_256": meta_signature(body)},
        "telegram": {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": WEBHOOK_SECRET},
        "gateway": skylight_headers(body),
    }[flavour]


@pytest.mark.parametrize("flavour", ["meta", "telegram", "gateway"])
@pytest.mark.parametrize("payload", ODD)
def test_odd_bodies_never_500(client, channels, flavour, payload):
    body = json.dumps(payload).encode()
    response = client.post(
        f"/webhooks/{channels[flavour].webhook_token}/",
        body,
        content_type="application/json",
        **headers(flavour, body),
    )
    assert response.status_code in (200, 400), response.content
    assert response["Content-Type"].startswith("application/json")
