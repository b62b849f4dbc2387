"""Webhook gateway transport against a fake gateway: signed JSON POSTs."""

import pytest

from tests.channels.helpers import media, send_error, text, transport


@pytest.fixture
def gateway(fake_gateway):
    return transport("webhook", fake_gateway.channel_config(), "sms")


def test_it_posts_signed_json_and_uses_the_answered_id(gateway, fake_gateway):
    result = gateway.send("+966501234567", media("document", caption="Terms", filename="t.pdf"))

    assert result.provider_message_id == "gw-1"
    request = fake_gateway.last
    assert request.path == "/hooks/skylight"
    assert fake_gateway.signature_valid(request)
    body = request.json()
    assert body["recipient"] == "+966501234567"
    assert body["message"] == {
        "type": "document",
        "content": "https://cdn.example.com/file.bin",
        "caption": "Terms",
        "filename": "t.pdf",
    }
    assert body["id"]


def test_the_signature_covers_the_body(gateway, fake_gateway):
    gateway.send("+966501234567", text("one"))
    request = fake_gateway.last
    request.body = request.body.replace(b"one", b"two")
    assert not fake_gateway.signature_valid(request)


def test_an_empty_answer_uses_the_request_id(gateway, fake_gateway):
    fake_gateway.then("ok_empty")
    result = gateway.send("+966501234567", text())
    assert result.provider_message_id == fake_gateway.last.json()["id"]


def test_429_is_transient_with_retry_after(gateway, fake_gateway):
    fake_gateway.then("rate_limited", retry_after=11)
    error = send_error(gateway, "+966501234567", text())
    assert (error.kind, error.retry_after) == ("transient", 11.0)


def test_5xx_is_transient(gateway, fake_gateway):
    fake_gateway.then("server_error")
    assert send_error(gateway, "+966501234567", text()).kind == "transient"


def test_4xx_is_permanent(gateway, fake_gateway):
    fake_gateway.then("rejected")
    error = send_error(gateway, "+966501234567", text())
    assert error.kind == "permanent"
    assert "HTTP 400" in error.message
    assert "unknown recipient" not in error.message  # the target's body is never echoed


def test_a_garbled_2xx_is_unknown(gateway, fake_gateway):
    fake_gateway.then("garbage")
    assert send_error(gateway, "+966501234567", text()).kind == "unknown"


def test_read_timeout_is_unknown(gateway, fake_gateway, short_read_timeout):
    fake_gateway.then("ok", delay=1.0)
    assert send_error(gateway, "+966501234567", text()).kind == "unknown"


def test_connection_refused_is_transient(closed_port_url):
    config = {"url": closed_port_url + "/hook", "secret": "s" * 20}
    assert send_error(transport("webhook", config), "+966501234567", text()).kind == "transient"
