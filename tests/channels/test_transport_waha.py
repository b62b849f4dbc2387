"""WAHA transport against the fake WAHA server."""

import pytest

from channels.transports.waha import WahaTransport
from tests.channels.helpers import media, send_error, text, transport
from tests.fakes.waha import API_KEY


@pytest.fixture
def waha(fake_waha):
    return transport("waha", fake_waha.channel_config(typing_indicator=False), "whatsapp")


def test_it_sends_text_to_the_chat_id_and_reads_the_noweb_id(waha, fake_waha):
    result = waha.send("+966501234567", text("Salam"))

    assert result.provider_message_id == "3EB00000000000000001"
    request = fake_waha.last
    assert request.path == "/api/sendText"
    assert request.headers["X-Api-Key"] == API_KEY
    assert request.json() == {"session": "default", "chatId": "966501234567@c.us", "text": "Salam"}


def test_it_reads_the_webjs_id(waha, fake_waha):
    fake_waha.then("ok_webjs")
    assert waha.send("+966501234567", text()).provider_message_id == "3EB00000000000000001"


def test_a_201_without_a_body_is_accepted_with_no_id(waha, fake_waha):
    fake_waha.then("ok_empty")
    assert waha.send("+966501234567", text()).provider_message_id == ""
    assert len(fake_waha.sends) == 1


@pytest.mark.parametrize(
    ("kind", "extra", "endpoint", "expected"),
    [
        (
            "image",
            {"caption": "Look"},
            "sendImage",
            {
                "file": {
                    "mimetype": "image/png",
                    "filename": "a.png",
                    "url": "https://c.example/a.png",
                },
                "caption": "Look",
            },
        ),
        (
            "document",
            {"caption": "Terms", "filename": "terms.pdf"},
            "sendFile",
            {
                "file": {
                    "mimetype": "application/pdf",
                    "filename": "terms.pdf",
                    "url": "https://c.example/a.png",
                },
                "caption": "Terms",
            },
        ),
        (
            "audio",
            {},
            "sendVoice",
            {
                "file": {"mimetype": "audio/ogg; codecs=opus", "url": "https://c.example/a.png"},
                "convert": True,
            },
        ),
        (
            "video",
            {"caption": "Watch"},
            "sendVideo",
            {
                "caption": "Watch",
                "file": {
                    "mimetype": "video/mp4",
                    "filename": "a.png",
                    "url": "https://c.example/a.png",
                },
                "convert": True,
            },
        ),
    ],
)
def test_media_goes_to_its_endpoint_with_the_file_object(
    waha, fake_waha, kind, extra, endpoint, expected
):
    waha.send("+966501234567", media(kind, "https://c.example/a.png", **extra))

    assert fake_waha.last.path == f"/api/{endpoint}"
    assert fake_waha.last.json() == {
        "session": "default",
        "chatId": "966501234567@c.us",
        **expected,
    }


def test_a_stopped_session_is_transient_and_names_the_channel_unavailable(waha, fake_waha):
    fake_waha.then("session_stopped", status="SCAN_QR_CODE")

    error = send_error(waha, "+966501234567", text())

    assert (error.kind, error.code) == ("transient", "session_not_working")
    assert error.channel_unavailable == "WhatsApp session is waiting for a QR scan."


def test_a_bad_api_key_is_a_configuration_error_on_the_channel(fake_waha):
    waha = transport("waha", {**fake_waha.channel_config(), "api_key": "wrong"}, "whatsapp")

    error = send_error(waha, "+966501234567", text())

    assert error.code == "unauthorized" and "API key" in error.channel_unavailable
    assert error.kind == "transient"  # nothing was sent; campaigns wait for the fix


def test_a_server_error_is_transient_and_garbage_with_201_is_still_accepted(waha, fake_waha):
    fake_waha.then("server_error")
    assert send_error(waha, "+966501234567", text()).kind == "transient"


def test_the_typing_indicator_surrounds_the_send_with_a_pause(fake_waha, settings):
    settings.SKYLIGHT_TYPING_PAUSE_SECONDS = "2-6"
    waha = transport("waha", fake_waha.channel_config(), "whatsapp")
    pauses = []
    waha.wait = pauses.append

    waha.send("+966501234567", text())

    paths = [request.path for request in fake_waha.requests]
    assert paths == ["/api/startTyping", "/api/stopTyping", "/api/sendText"]
    assert fake_waha.requests[0].json() == {"session": "default", "chatId": "966501234567@c.us"}
    assert len(pauses) == 1 and 2 <= pauses[0] <= 6


def test_typing_is_on_by_default_and_its_pause_is_zero_under_tests(fake_waha):
    config = WahaTransport.clean_config(fake_waha.channel_config())
    assert config["typing_indicator"] is True
    waha = transport("waha", config, "whatsapp")
    waha.send("+966501234567", text())
    assert [r.path for r in fake_waha.requests][-1] == "/api/sendText"


def test_the_session_state_is_reported_in_words(waha, fake_waha):
    fake_waha.session_status = "SCAN_QR_CODE"

    state = waha.connection_state()

    assert (state.ready, state.state) == (False, "SCAN_QR_CODE")
    assert state.description == "WhatsApp session is waiting for a QR scan"


def test_config_marks_the_key_and_hmac_key_secret_and_checks_the_url():
    assert set(WahaTransport.secret_fields) == {"api_key", "webhook_hmac_key"}
    public = WahaTransport.public_config(
        {"base_url": "http://w", "api_key": "k", "webhook_hmac_key": "h" * 20}
    )
    assert public == {"base_url": "http://w"}
    from channels.transports import ConfigError

    with pytest.raises(ConfigError) as info:
        WahaTransport.clean_config(
            {"base_url": "ftp://x", "api_key": "k", "typing_indicator": "maybe"}
        )
    assert set(info.value.errors) == {"base_url", "typing_indicator"}
