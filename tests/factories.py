"""The one place tests make accounts' objects: contacts, channels, lists, segments,
campaigns, deliveries, members and API clients.

Objects go through the services where a service owns the rules (campaigns, keys);
plain rows are written directly where a test needs a state no service would produce.
"""

import itertools

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignContact, ContactStatus, Delivery
from campaigns.services import campaign_create
from channels.models import Channel
from contacts.models import Contact, ContactList, ListMembership, Segment
from contacts.services import tags_ensure
from skylight.models import Membership
from skylight.services import api_key_create

_phones = itertools.count(1)
_lists = itertools.count(1)


def api_client_for(account) -> APIClient:
    """An API client holding a fresh key of `account` (`.raw_key` keeps the key)."""
    _, raw_key = api_key_create(account=account)
    client = APIClient(HTTP_X_API_KEY=raw_key)
    client.account = account
    client.raw_key = raw_key
    return client


def member_of(account, username, role=Membership.Role.OWNER):
    """A dashboard user of `account` whose password is `pw-<username>`."""
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    Membership.objects.create(account=account, user=user, role=role)
    return user


def make_contact(account, **fields) -> Contact:
    fields.setdefault("phone", f"+9665{next(_phones):08d}")
    fields.setdefault("name", "Test Contact")
    fields.setdefault("type", "whatsapp")
    return Contact.objects.create(account=account, **fields)


def make_contacts(account, count: int, *, prefix: str = "+96650", **fields) -> list[Contact]:
    """`count` contacts in one statement, numbered after those already stored."""
    start = Contact.objects.count()
    rows = [
        Contact(
            account=account,
            name=f"Person {start + i}",
            phone=f"{prefix}{start + i:07d}",
            type=fields.get("type", "whatsapp"),
        )
        for i in range(count)
    ]
    return Contact.objects.bulk_create(rows)


def tagged_contact(account, *tags, **fields) -> Contact:
    contact = make_contact(account, **fields)
    contact.tags.set(list(tags_ensure(account=account, names=tags).values()))
    return contact


def make_channel(account, **fields) -> Channel:
    fields.setdefault("name", "Business WhatsApp")
    fields.setdefault("type", "whatsapp")
    fields.setdefault("provider", "console")
    fields.setdefault("config", {})
    return Channel.objects.create(account=account, **fields)


def make_list(account, contacts=(), name=None) -> ContactList:
    """A list of `contacts`; names are unique per account, so each default is new."""
    name = name or f"Customers {next(_lists)}"
    contact_list = ContactList.objects.create(account=account, name=name)
    ListMembership.objects.bulk_create(
        [ListMembership(contact_list=contact_list, contact=contact) for contact in contacts]
    )
    return contact_list


def make_segment(account, name="VIPs", rules=None) -> Segment:
    return Segment.objects.create(
        account=account, name=name, rules=rules or {"match": "all", "conditions": []}
    )


def make_campaign(account, size=3, name="Spring promo", channel=None) -> Campaign:
    """A draft campaign (through the service) with `size` new contacts from a new list."""
    channel = channel or make_channel(account)
    contacts = [make_contact(account, name=f"Person {i}") for i in range(size)]
    contact_list = make_list(account, contacts, name=f"{name} list")
    return campaign_create(
        account=account,
        name=name,
        channel=channel,
        messages=[{"type": "text", "content": "Hi {{name}}"}],
        list_ids=[contact_list.pk],
    )


def make_delivery(channel, contact, provider_message_id: str, status: str = "sent", position=0):
    """A running campaign on `channel` with `contact` enrolled and one delivery (rows only)."""
    campaign = Campaign.objects.filter(channel=channel).first() or Campaign.objects.create(
        account=channel.account, channel=channel, name="Webhook test", status="running"
    )
    row, _ = CampaignContact.objects.get_or_create(
        campaign=campaign, contact=contact, defaults={"status": ContactStatus.SENT}
    )
    return Delivery.objects.create(
        campaign_contact=row,
        position=position,
        type="text",
        body="Hi",
        status=status,
        provider_message_id=provider_message_id,
    )
