"""A channel is marked unavailable by what its gateway answers, and cleared when it works."""

from datetime import timedelta

import pytest
from django.utils import timezone

from channels.availability import channel_ready
from channels.services import channel_send_test, channel_update
from channels.transports import TransportError
from tests.factories import make_channel


@pytest.fixture
def channel(alice, fake_waha):
    return make_channel(alice, provider="waha", config=fake_waha.channel_config())


def test_a_stopped_session_marks_the_channel_and_a_later_send_clears_it(channel, fake_waha):
    fake_waha.then("session_stopped")

    with pytest.raises(TransportError):
        channel_send_test(channel=channel, recipient="+966501234567")

    channel.refresh_from_db()
    assert channel.unavailable_reason == "WhatsApp session is stopped: start it in WAHA."
    assert channel.unavailable_since is not None

    channel_send_test(channel=channel, recipient="+966501234567")

    channel.refresh_from_db()
    assert (channel.unavailable_reason, channel.unavailable_since) == ("", None)


def test_channel_ready_asks_the_gateway_at_most_once_per_probe_interval(channel, fake_waha):
    fake_waha.session_status = "STOPPED"
    fake_waha.then("session_stopped")
    with pytest.raises(TransportError):
        channel_send_test(channel=channel, recipient="+966501234567")
    channel.refresh_from_db()
    asked = len(fake_waha.requests)

    assert channel_ready(channel) is False  # checked just now: no new request
    assert len(fake_waha.requests) == asked

    fake_waha.session_status = "WORKING"
    later = timezone.now() + timedelta(minutes=5)
    assert channel_ready(channel, later) is True
    assert fake_waha.last.path == "/api/sessions/default"
    channel.refresh_from_db()
    assert channel.unavailable_reason == ""


def test_new_settings_clear_the_mark(channel, fake_waha):
    type(channel).objects.filter(pk=channel.pk).update(unavailable_reason="WAHA refused the key.")
    channel.refresh_from_db()

    channel_update(channel=channel, partial=True, config={"api_key": "a-new-key"})

    channel.refresh_from_db()
    assert channel.unavailable_reason == ""


def test_the_api_shows_the_mark(api, channel):
    type(channel).objects.filter(pk=channel.pk).update(
        unavailable_reason="WhatsApp session is waiting for a QR scan.",
        unavailable_since=timezone.now(),
    )

    data = api.get(f"/api/v1/channels/{channel.pk}").json()["data"]

    assert data["unavailable_reason"] == "WhatsApp session is waiting for a QR scan."
    assert data["unavailable_since"].endswith("Z")
    assert "api_key" not in data["config"]
