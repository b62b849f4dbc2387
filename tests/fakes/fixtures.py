"""pytest fixtures for the fake provider servers (available to every test).

Registered for the whole suite by `pytest_plugins = ["tests.fakes.fixtures"]` in
tests/conftest.py, so any test can ask for them by name:

- `fake_whatsapp` (FakeWhatsApp, tests/fakes/whatsapp.py): sets SKYLIGHT_WHATSAPP_API_BASE
- `fake_telegram` (FakeTelegram, tests/fakes/telegram.py): sets SKYLIGHT_TELEGRAM_API_BASE
- `fake_twilio` (FakeTwilio, tests/fakes/twilio.py): sets SKYLIGHT_TWILIO_API_BASE
- `fake_gateway` (FakeGateway, tests/fakes/gateway.py): its URL is in `channel_config()`
- `fake_waha` (FakeWaha, tests/fakes/waha.py): its URL is in `channel_config()`
- `fake_evolution` (FakeEvolution, tests/fakes/evolution.py): its URL is in `channel_config()`
- `closed_port_url`: a URL on 127.0.0.1 where nothing listens (connection refused)

Each server starts once per session and is reset for every test. Example:

    def test_it_sends(fake_whatsapp, alice):
        channel = make_channel(alice, provider="whatsapp_cloud",
                               config=fake_whatsapp.channel_config())
        fake_whatsapp.then("rate_limited", retry_after=5)    # the next request: 429
        fake_whatsapp.for_recipient("966500000009", "rejected")  # always, for that number
        fake_whatsapp.always("ok", delay=2)                  # slow answers (read timeouts)
        ...
        assert fake_whatsapp.requests[0].json()["to"] == "966501234567"

Outcomes: all fakes know ok, rate_limited, server_error, rejected, garbage (and
`delay=` on any); whatsapp adds opted_out and unauthorized, telegram blocked and
unauthorized, twilio unsubscribed and unauthorized, gateway ok_empty; waha and
evolution have their own (see their modules) and answer session/instance state,
typing and webhook set-up outside the script. Modules also
hold the provider-side signing helpers for webhook tests (meta_signature,
twilio_signature, skylight_signature) and payload builders.
"""

import socket

import pytest

from .evolution import FakeEvolution
from .gateway import FakeGateway
from .telegram import FakeTelegram
from .twilio import FakeTwilio
from .waha import FakeWaha
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


@pytest.fixture(scope="session")
def _waha_server():
    yield from _session_server(FakeWaha())


@pytest.fixture(scope="session")
def _evolution_server():
    yield from _session_server(FakeEvolution())


@pytest.fixture
def fake_waha(_waha_server):
    """FakeWaha (tests/fakes/waha.py); its URL is in `channel_config()`."""
    return _waha_server.reset()


@pytest.fixture
def fake_evolution(_evolution_server):
    """FakeEvolution (tests/fakes/evolution.py); its URL is in `channel_config()`."""
    return _evolution_server.reset()


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
