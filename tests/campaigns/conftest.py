"""Campaign fixtures: a WhatsApp channel with contacts, and a helper creating campaigns."""

import pytest

from tests.campaigns.helpers import campaign_body
from tests.factories import make_channel, make_contact


@pytest.fixture
def channel(alice):
    return make_channel(alice, name="Business WhatsApp", type="whatsapp")


@pytest.fixture
def contacts(alice):
    """Five WhatsApp contacts of alice's."""
    return [make_contact(alice, name=f"Contact {i}") for i in range(5)]


@pytest.fixture
def create_campaign(api, channel, contacts):
    """POSTs a campaign for alice (all five contacts by default) and returns its data."""

    def create(**fields):
        fields.setdefault("contact_ids", [c.pk for c in contacts])
        response = api.post("/api/v1/campaigns", campaign_body(channel, **fields), format="json")
        assert response.status_code == 201, response.json()
        return response.json()["data"]

    return create
