"""Twilio transport against the fake Messages API."""

import base64

import pytest

from tests.channels.helpers import media, send_error, text, transport
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER

TO = "+966501234567"


@pytest.fixture
def twilio(fake_twilio):
    return transport(
        "twilio", fake_twilio.channel_config(), "sms", webhook_url="https://sky.example/webhooks/t/"
    )


def test_it_posts_a_form_with_basic_auth_and_returns_the_sid(twilio, fake_twilio):
    result = twilio.send(TO, text("Hello"))

    assert result.provider_message_id == f"SM{1:032x}"
    request = fake_twilio.last
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    credentials = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {credentials}"
    assert request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert request.form == {
        "To": TO,
        "From": FROM_NUMBER,
        "Body": "Hello",
        "StatusCallback": "https://sky.example/webhooks/t/",
    }


def test_media_goes_in_media_url_with_the_caption_as_body(twilio, fake_twilio):
    twilio.send(TO, media("image", caption="Our menu"))

    form = fake_twilio.last.form
    assert form["MediaUrl"] == "https://cdn.example.com/file.bin"
    assert form["Body"] == "Our menu"


def test_whatsapp_channels_prefix_both_numbers(fake_twilio):
    whatsapp = transport("twilio", fake_twilio.channel_config(), "whatsapp")
    whatsapp.send(TO, text())
    assert fake_twilio.last.form["To"] == f"whatsapp:{TO}"
    assert fake_twilio.last.form["From"] == f"whatsapp:{FROM_NUMBER}"


def test_a_messaging_service_replaces_from(fake_twilio):
    config = {
        **fake_twilio.channel_config(),
        "from_number": "",
        "messaging_service_sid": "MG" + "a" * 32,
    }
    transport("twilio", config, "sms").send(TO, text())
    assert fake_twilio.last.form["MessagingServiceSid"] == "MG" + "a" * 32
    assert "From" not in fake_twilio.last.form


def test_429_is_transient_with_retry_after(twilio, fake_twilio):
    fake_twilio.then("rate_limited", retry_after=4)
    error = send_error(twilio, TO, text())
    assert (error.kind, error.retry_after, error.code) == ("transient", 4.0, "20429")


def test_5xx_is_transient(twilio, fake_twilio):
    fake_twilio.then("server_error")
    assert send_error(twilio, TO, text()).kind == "transient"


def test_invalid_number_is_permanent(twilio, fake_twilio):
    fake_twilio.then("rejected")
    error = send_error(twilio, TO, text())
    assert (error.kind, error.code, error.opt_out) == ("permanent", "21211", False)


def test_unsubscribed_recipient_flags_opt_out(twilio, fake_twilio):
    fake_twilio.then("unsubscribed")
    error = send_error(twilio, TO, text())
    assert (error.kind, error.opt_out) == ("permanent", True)


def test_wrong_credentials_are_permanent(fake_twilio):
    config = {**fake_twilio.channel_config(), "auth_token": "0" * 32}
    assert send_error(transport("twilio", config), TO, text()).kind == "permanent"


def test_unreadable_success_is_unknown(twilio, fake_twilio):
    fake_twilio.then("garbage")
    assert send_error(twilio, TO, text()).kind == "unknown"


def test_read_timeout_is_unknown(twilio, fake_twilio, short_read_timeout):
    fake_twilio.then("ok", delay=1.0)
    assert send_error(twilio, TO, text()).kind == "unknown"
