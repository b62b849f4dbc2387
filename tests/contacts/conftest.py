"""Fixtures for the contacts tests."""

import pytest


@pytest.fixture
def errors_of():
    def read(response) -> dict:
        body = response.json()
        assert body["success"] is False
        return body.get("errors", {})

    return read
