"""Dashboard fixtures: signed-in users of alice's and bob's accounts, and their objects."""

import pytest

from tests.factories import make_campaign, make_contact, make_list, make_segment, member_of


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
