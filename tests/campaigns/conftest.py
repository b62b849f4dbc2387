"""Campaign fixtures: a WhatsApp channel with contacts, and a helper creating campaigns."""

import pytest

from contacts.models import ContactList, ListMembership
from tests.conftest import make_channel, make_contact

TEXT = [{"type": "text", "content": "Hi {{name|there}}!"}]


@pytest.fixture
def channel(alice):
    return make_channel(alice, name="Business WhatsApp", type="whatsapp")


@pytest.fixture
def contacts(alice):
    """Five WhatsApp contacts of alice's."""
    return [make_contact(alice, name=f"Contact {i}") for i in range(5)]


def make_list(account, contacts, name="List") -> ContactList:
    contact_list = ContactList.objects.create(account=account, name=name)
    ListMembership.objects.bulk_create(
        ListMembership(contact_list=contact_list, contact=contact) for contact in contacts
    )
    return contact_list


def campaign_body(channel, **fields) -> dict:
    body = {"name": "Spring Promo 2026", "channel_id": channel.pk, "messages": TEXT}
    body.update(fields)
    return body


@pytest.fixture
def create_campaign(api, channel, contacts):
    """POSTs a campaign for alice (all five contacts by default) and returns its data."""

    def create(**fields):
        fields.setdefault("contact_ids", [c.pk for c in contacts])
        response = api.post("/api/v1/campaigns", campaign_body(channel, **fields), format="json")
        assert response.status_code == 201, response.json()
        return response.json()["data"]

    return create
