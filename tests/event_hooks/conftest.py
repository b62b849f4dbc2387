import pytest

from tests.event_hooks.helpers import Receiver


@pytest.fixture
def receiver(httpserver):
    return Receiver(httpserver)
