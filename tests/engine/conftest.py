"""Engine fixtures: no gaps between sends, so simulated days run fast."""

import pytest


@pytest.fixture(autouse=True)
def _engine_settings(settings):
    settings.SKYLIGHT_SEQUENCE_GAP_SECONDS = 0
    settings.SKYLIGHT_CONTACT_GAP_SECONDS = 0
    settings.SKYLIGHT_RETRY_BACKOFF_SECONDS = 60
