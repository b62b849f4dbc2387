"""Fixtures for channel tests (helpers live in tests/channels/helpers.py)."""

import pytest


@pytest.fixture
def short_read_timeout(settings):
    settings.SKYLIGHT_HTTP_READ_TIMEOUT = 0.3
    settings.SKYLIGHT_HTTP_CONNECT_TIMEOUT = 1
