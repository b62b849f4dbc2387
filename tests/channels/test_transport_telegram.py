"""Telegram bot transport against the fake Bot API."""

import pytest

from tests.channels.helpers import media, send_error, text, transport
from tests.fakes.telegram import BOT_TOKEN

CHAT = "424242"


@pytest.fixture
def telegram(fake_telegram):
    return transport("telegram_bot", fake_telegram.channel_config(), "telegram")


def test_it_sends_text_to_the_chat(telegram, fake_telegram):
    result = telegram.send(CHAT, text("Hi"))

    assert result.provider_message_id == f"{CHAT}:1"
    assert fake_telegram.last.path == f"/bot{BOT_TOKEN}/sendMessage"
    assert fake_telegram.last.json() == {"chat_id": CHAT, "text": "Hi"}


@pytest.mark.parametrize(
    ("kind", "method", "field"),
    [
        ("image", "sendPhoto", "photo"),
        ("document", "sendDocument", "document"),
        ("video", "sendVideo", "video"),
        ("audio", "sendAudio", "audio"),
    ],
)
def test_each_media_type_uses_its_method(telegram, fake_telegram, kind, method, field):
    telegram.send(CHAT, media(kind, caption="About this", filename="x.pdf"))

    assert fake_telegram.last.path == f"/bot{BOT_TOKEN}/{method}"
    assert fake_telegram.last.json() == {
        "chat_id": CHAT,
        field: "https://cdn.example.com/file.bin",
        "caption": "About this",
    }


def test_429_uses_parameters_retry_after(telegram, fake_telegram):
    fake_telegram.then("rate_limited", retry_after=9)
    error = send_error(telegram, CHAT, text())
    assert (error.kind, error.retry_after) == ("transient", 9)


def test_blocked_by_the_user_is_permanent_and_opts_out(telegram, fake_telegram):
    fake_telegram.then("blocked")

    error = send_error(telegram, CHAT, text())

    assert (error.kind, error.opt_out, error.code) == ("permanent", True, "403")
    assert "blocked" in error.message


def test_chat_not_found_is_permanent_without_opt_out(telegram, fake_telegram):
    fake_telegram.then("rejected")
    error = send_error(telegram, CHAT, text())
    assert (error.kind, error.opt_out) == ("permanent", False)


def test_bad_gateway_is_transient(telegram, fake_telegram):
    fake_telegram.then("server_error")
    assert send_error(telegram, CHAT, text()).kind == "transient"


def test_a_wrong_token_is_permanent(fake_telegram):
    config = {**fake_telegram.channel_config(), "bot_token": "999:AAAAAAAAAAAAAAAAAAAAAAAAAAAA"}
    error = send_error(transport("telegram_bot", config), CHAT, text())
    assert (error.kind, error.code) == ("permanent", "401")


def test_unreadable_success_is_unknown(telegram, fake_telegram):
    fake_telegram.then("garbage")
    assert send_error(telegram, CHAT, text()).kind == "unknown"


def test_read_timeout_is_unknown(telegram, fake_telegram, short_read_timeout):
    fake_telegram.then("ok", delay=1.0)
    assert send_error(telegram, CHAT, text()).kind == "unknown"


@pytest.mark.parametrize("outcome", ["refused", "timeout", "blocked", "garbage"])
def test_errors_never_reveal_the_bot_token(
    fake_telegram, closed_port_url, settings, short_read_timeout, outcome
):
    if outcome == "refused":
        settings.SKYLIGHT_TELEGRAM_API_BASE = closed_port_url
    elif outcome == "timeout":
        fake_telegram.then("ok", delay=1.0)
    else:
        fake_telegram.then(outcome)
    error = send_error(transport("telegram_bot", fake_telegram.channel_config()), CHAT, text())
    assert BOT_TOKEN not in str(error)
    assert BOT_TOKEN.split(":")[1] not in repr(error.__dict__)
