"""`POST /channels/{id}/test` asks a gateway for its session/instance state first."""

import pytest

from tests.factories import make_channel


@pytest.fixture
def waha_channel(alice, fake_waha):
    return make_channel(alice, provider="waha", config=fake_waha.channel_config())


@pytest.fixture
def evolution_channel(alice, fake_evolution):
    return make_channel(alice, provider="evolution_api", config=fake_evolution.channel_config())


def send_test(api, channel, phone="+966501234567"):
    return api.post(f"/api/v1/channels/{channel.pk}/test", {"phone": phone}, format="json")


def test_a_waha_session_waiting_for_a_qr_scan_is_409_in_words_and_sends_nothing(
    api, waha_channel, fake_waha
):
    fake_waha.session_status = "SCAN_QR_CODE"

    response = send_test(api, waha_channel)

    assert response.status_code == 409
    assert response.json()["message"] == (
        "WhatsApp session is waiting for a QR scan; nothing was sent."
    )
    assert fake_waha.sends == []
    waha_channel.refresh_from_db()
    assert waha_channel.unavailable_reason == "WhatsApp session is waiting for a QR scan."


def test_a_working_session_sends_and_reports_the_state(api, waha_channel, fake_waha):
    response = send_test(api, waha_channel)

    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert data["connection"] == {
        "ready": True,
        "state": "WORKING",
        "description": "WhatsApp session is connected and working",
    }
    assert data["provider_message_id"].startswith("3EB0")
    assert [r.path for r in fake_waha.requests][0] == "/api/sessions/default"


def test_a_refused_waha_key_is_a_422_configuration_error(api, alice, fake_waha):
    channel = make_channel(
        alice, provider="waha", config={**fake_waha.channel_config(), "api_key": "wrong"}
    )

    response = send_test(api, channel)

    assert response.status_code == 422
    assert "API key" in response.json()["message"]
    channel.refresh_from_db()
    assert "API key" in channel.unavailable_reason


def test_a_closed_evolution_instance_is_409(api, evolution_channel, fake_evolution):
    fake_evolution.state = "close"

    response = send_test(api, evolution_channel)

    assert response.status_code == 409
    assert "disconnected" in response.json()["message"]
    assert fake_evolution.sends == []


def test_an_open_evolution_instance_sends(api, evolution_channel, fake_evolution):
    response = send_test(api, evolution_channel)

    assert response.status_code == 200
    assert response.json()["data"]["connection"]["state"] == "open"
    assert len(fake_evolution.sends) == 1


def test_providers_without_a_state_just_send(api, alice, fake_whatsapp):
    channel = make_channel(alice, provider="whatsapp_cloud", config=fake_whatsapp.channel_config())

    response = send_test(api, channel)

    assert response.status_code == 200
    assert response.json()["data"]["connection"] is None
