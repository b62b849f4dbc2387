"""Dashboard fixtures: signed-in users of alice's and bob's accounts, and their objects."""

import pytest
from django.contrib.auth import get_user_model

from campaigns.services import campaign_create
from contacts.models import ContactList, ListMembership, Segment
from skylight.models import Membership
from tests.conftest import make_channel, make_contact


def member_of(account, username):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    Membership.objects.create(account=account, user=user, role=Membership.Role.OWNER)
    return user


@pytest.fixture
def alice_user(alice):
    return member_of(alice, "alice")


@pytest.fixture
def bob_user(bob):
    return member_of(bob, "bob")


@pytest.fixture
def web(client, alice_user):
    """A browser-like test client signed in as alice."""
    client.force_login(alice_user)
    return client


def htmx(client, method, url, data=None, **extra):
    """A region request as htmx makes it (HX-Request, not boosted)."""
    return getattr(client, method)(url, data or {}, HTTP_HX_REQUEST="true", **extra)


def make_list(account, contacts=(), name="Customers"):
    contact_list = ContactList.objects.create(account=account, name=name)
    ListMembership.objects.bulk_create(
        ListMembership(contact_list=contact_list, contact=contact) for contact in contacts
    )
    return contact_list


def make_campaign(account, size=3, name="Spring promo", channel=None):
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


def make_segment(account, name="VIPs", rules=None):
    return Segment.objects.create(
        account=account, name=name, rules=rules or {"match": "all", "conditions": []}
    )


@pytest.fixture
def bob_objects(bob):
    """One of everything in bob's account, for tenancy checks."""
    campaign = make_campaign(bob, name="Bob campaign")
    return {
        "campaign": campaign,
        "channel": campaign.channel,
        "contact": make_contact(bob, name="Bob's contact"),
        "list": make_list(bob, name="Bob list"),
        "segment": make_segment(bob, name="Bob segment"),
    }
