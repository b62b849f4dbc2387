"""Evolution API transport against the fake Evolution server."""

import pytest

from channels.transports.evolution_api import EvolutionApiTransport
from tests.channels.helpers import media, send_error, text, transport
from tests.fakes.evolution import API_KEY, INSTANCE


@pytest.fixture
def evolution(fake_evolution):
    return transport("evolution_api", fake_evolution.channel_config(), "whatsapp")


def test_it_sends_text_and_returns_the_key_id(evolution, fake_evolution):
    result = evolution.send("+966501234567", text("Salam"))

    assert result.provider_message_id == "BAE5000000000001"
    request = fake_evolution.last
    assert request.path == f"/message/sendText/{INSTANCE}"
    assert {k.lower(): v for k, v in request.headers.items()}["apikey"] == API_KEY
    assert request.json() == {"number": "966501234567", "text": "Salam"}


def test_media_goes_through_send_media(evolution, fake_evolution):
    evolution.send("+966501234567", media("document", "https://c.example/t.pdf", caption="T"))

    assert fake_evolution.last.path == f"/message/sendMedia/{INSTANCE}"
    assert fake_evolution.last.json() == {
        "number": "966501234567",
        "mediatype": "document",
        "mimetype": "application/pdf",
        "caption": "T",
        "fileName": "t.pdf",
        "media": "https://c.example/t.pdf",
    }


def test_a_number_not_on_whatsapp_is_permanent_and_unreachable(evolution, fake_evolution):
    fake_evolution.then("not_on_whatsapp")

    error = send_error(evolution, "+966501234567", text())

    assert (error.kind, error.code, error.unreachable) == ("permanent", "not_on_whatsapp", True)
    assert "not on WhatsApp" in error.message


def test_an_unknown_instance_makes_the_channel_unavailable(fake_evolution):
    config = {**fake_evolution.channel_config(), "instance": "gone"}
    error = send_error(transport("evolution_api", config, "whatsapp"), "+966501234567", text())

    assert (error.kind, error.code) == ("transient", "unknown_instance")
    assert "'gone'" in error.channel_unavailable


def test_a_missing_id_in_a_2xx_is_an_unknown_outcome(evolution, fake_evolution):
    fake_evolution.then("garbage")
    assert send_error(evolution, "+966501234567", text()).kind == "unknown"


@pytest.mark.parametrize(
    ("state", "ready", "words"),
    [
        ("open", True, "connected"),
        ("connecting", False, "connecting"),
        ("close", False, "disconnected"),
    ],
)
def test_the_connection_state_is_reported_in_words(evolution, fake_evolution, state, ready, words):
    fake_evolution.state = state

    result = evolution.connection_state()

    assert (result.ready, result.state) == (ready, state)
    assert words in result.description
    assert fake_evolution.last.path == f"/instance/connectionState/{INSTANCE}"


def test_the_api_key_is_secret():
    assert EvolutionApiTransport.secret_fields == ("api_key",)


def test_a_closed_connection_answer_makes_the_channel_unavailable(evolution, fake_evolution):
    fake_evolution.then("server_error")  # 500 "Connection Closed"

    error = send_error(evolution, "+966501234567", text())

    assert (error.kind, error.code) == ("transient", "connection_closed")
    assert error.channel_unavailable == (
        "WhatsApp instance is disconnected: reconnect it in Evolution API."
    )
