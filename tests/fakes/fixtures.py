"""pytest fixtures that start a fake provider and point SkyLight's settings at it.

Available to every test through `pytest_plugins` in tests/conftest.py:

    def test_it_sends(fake_whatsapp, alice):
        channel = make_channel(alice, provider="whatsapp_cloud",
                               config=fake_whatsapp.channel_config())
        ...
        assert fake_whatsapp.requests[0].json()["to"] == "966501234567"
        fake_whatsapp.then("rate_limited", retry_after=5)  # next request answers 429

`fake_gateway.channel_config()` holds the gateway's own URL (provider "webhook").
`closed_port_url` is a URL on 127.0.0.1 where nothing listens (connection refused).
"""

import socket

import pytest

from .gateway import FakeGateway
from .telegram import FakeTelegram
from .twilio import FakeTwilio
from .whatsapp import FakeWhatsApp


def _session_server(fake):
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def _whatsapp_server():
    yield from _session_server(FakeWhatsApp())


@pytest.fixture(scope="session")
def _telegram_server():
    yield from _session_server(FakeTelegram())


@pytest.fixture(scope="session")
def _twilio_server():
    yield from _session_server(FakeTwilio())


@pytest.fixture(scope="session")
def _gateway_server():
    yield from _session_server(FakeGateway())


@pytest.fixture
def fake_whatsapp(settings, _whatsapp_server):
    """FakeWhatsApp (tests/fakes/whatsapp.py) behind SKYLIGHT_WHATSAPP_API_BASE."""
    settings.SKYLIGHT_WHATSAPP_API_BASE = _whatsapp_server.url
    return _whatsapp_server.reset()


@pytest.fixture
def fake_telegram(settings, _telegram_server):
    """FakeTelegram (tests/fakes/telegram.py) behind SKYLIGHT_TELEGRAM_API_BASE."""
    settings.SKYLIGHT_TELEGRAM_API_BASE = _telegram_server.url
    return _telegram_server.reset()


@pytest.fixture
def fake_twilio(settings, _twilio_server):
    """FakeTwilio (tests/fakes/twilio.py) behind SKYLIGHT_TWILIO_API_BASE."""
    settings.SKYLIGHT_TWILIO_API_BASE = _twilio_server.url
    return _twilio_server.reset()


@pytest.fixture
def fake_gateway(_gateway_server):
    """FakeGateway (tests/fakes/gateway.py); its URL is in `channel_config()`."""
    return _gateway_server.reset()


@pytest.fixture
def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
