"""WhatsApp Cloud transport against the fake Graph API."""

import pytest

from tests.channels.helpers import media, send_error, text, transport
from tests.fakes.whatsapp import ACCESS_TOKEN, PHONE_NUMBER_ID


@pytest.fixture
def whatsapp(fake_whatsapp):
    return transport("whatsapp_cloud", fake_whatsapp.channel_config(), "whatsapp")


def test_it_sends_text_and_returns_the_wamid(whatsapp, fake_whatsapp):
    result = whatsapp.send("+966501234567", text("Salam"))

    assert result.provider_message_id == "wamid.FAKE000001"
    request = fake_whatsapp.last
    assert request.path == f"/{PHONE_NUMBER_ID}/messages"
    assert request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert request.json() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "966501234567",
        "type": "text",
        "text": {"body": "Salam", "preview_url": False},
    }


@pytest.mark.parametrize(
    ("kind", "extra", "expected"),
    [
        (
            "image",
            {"caption": "Look"},
            {"link": "https://cdn.example.com/file.bin", "caption": "Look"},
        ),
        (
            "video",
            {"caption": "Watch"},
            {"link": "https://cdn.example.com/file.bin", "caption": "Watch"},
        ),
        ("audio", {"caption": "ignored"}, {"link": "https://cdn.example.com/file.bin"}),
        (
            "document",
            {"caption": "Terms", "filename": "terms.pdf"},
            {
                "link": "https://cdn.example.com/file.bin",
                "caption": "Terms",
                "filename": "terms.pdf",
            },
        ),
    ],
)
def test_media_payload_shape(whatsapp, fake_whatsapp, kind, extra, expected):
    whatsapp.send("+966501234567", media(kind, **extra))

    body = fake_whatsapp.last.json()
    assert body["type"] == kind
    assert body[kind] == expected


def test_rate_limit_is_transient_with_retry_after(whatsapp, fake_whatsapp):
    fake_whatsapp.then("rate_limited", retry_after=42)

    error = send_error(whatsapp, "+966501234567", text())

    assert (error.kind, error.retry_after, error.code) == ("transient", 42.0, "130429")


def test_server_error_is_transient(whatsapp, fake_whatsapp):
    fake_whatsapp.then("server_error")
    assert send_error(whatsapp, "+966501234567", text()).kind == "transient"


def test_invalid_recipient_is_permanent(whatsapp, fake_whatsapp):
    fake_whatsapp.then("rejected")

    error = send_error(whatsapp, "+966501234567", text())

    assert error.kind == "permanent"
    assert "131026" in error.message
    assert error.opt_out is False


def test_marketing_opt_out_is_permanent_and_flags_opt_out(whatsapp, fake_whatsapp):
    fake_whatsapp.then("opted_out")
    error = send_error(whatsapp, "+966501234567", text())
    assert (error.kind, error.opt_out) == ("permanent", True)


def test_a_wrong_token_is_permanent(fake_whatsapp):
    config = {**fake_whatsapp.channel_config(), "access_token": "wrong"}
    error = send_error(transport("whatsapp_cloud", config), "+966501234567", text())
    assert error.kind == "permanent"
    assert "401" in error.message


def test_unreadable_success_is_unknown(whatsapp, fake_whatsapp):
    fake_whatsapp.then("garbage")
    assert send_error(whatsapp, "+966501234567", text()).kind == "unknown"


def test_read_timeout_after_sending_is_unknown(whatsapp, fake_whatsapp, short_read_timeout):
    fake_whatsapp.then("ok", delay=1.0)

    error = send_error(whatsapp, "+966501234567", text())

    assert error.kind == "unknown"
    assert len(fake_whatsapp.requests) == 1  # it did reach the provider


def test_connection_refused_is_transient(fake_whatsapp, closed_port_url, settings):
    settings.SKYLIGHT_WHATSAPP_API_BASE = closed_port_url
    error = send_error(
        transport("whatsapp_cloud", fake_whatsapp.channel_config()), "+966501234567", text()
    )
    assert error.kind == "transient"


def test_the_fake_can_fail_one_recipient_only(whatsapp, fake_whatsapp):
    fake_whatsapp.for_recipient("966500000009", "rejected")

    assert send_error(whatsapp, "+966500000009", text()).kind == "permanent"
    assert whatsapp.send("+966501234567", text()).provider_message_id.startswith("wamid.")
    assert send_error(whatsapp, "+966500000009", text()).kind == "permanent"
