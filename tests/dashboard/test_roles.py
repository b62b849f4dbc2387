"""Roles: owners manage API keys, channels and members; members run everything else."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from channels.models import Channel
from contacts.models import Contact
from skylight.models import ApiKey, Membership
from skylight.services import api_key_create
from tests.dashboard.helpers import htmx
from tests.factories import make_campaign, make_channel, make_list, make_segment

pytestmark = pytest.mark.django_db


def user_in(account, username, role, **flags):
    user = get_user_model().objects.create_user(username=username, password="pw", **flags)
    Membership.objects.create(account=account, user=user, role=role)
    return user


@pytest.fixture
def member(client, alice):
    client.force_login(user_in(alice, "mona", Membership.Role.MEMBER))
    return client


@pytest.fixture
def owner(client, alice):
    client.force_login(user_in(alice, "omar", Membership.Role.OWNER))
    return client


@pytest.fixture
def channel(alice):
    return make_channel(alice, name="Main line")


@pytest.fixture
def key(alice):
    return api_key_create(account=alice, name="Zapier")[0]


def owner_only_requests(channel, key):
    """(method, url, data) of every page and action only owners may use."""
    detail = reverse("dashboard:channel_detail", args=[channel.pk])
    new = reverse("dashboard:channel_new")
    test = reverse("dashboard:channel_test", args=[channel.pk])
    return [
        ("post", reverse("dashboard:account_key_new"), {"name": "Sneaky"}),
        ("post", reverse("dashboard:account_key_revoke", args=[key.pk]), {}),
        ("get", new, {}),
        ("get", new + "?provider=console", {}),
        ("post", new + "?provider=console", {"name": "X", "type": "whatsapp"}),
        ("get", detail, {}),
        ("post", detail, {"name": "Renamed", "type": "whatsapp", "is_active": "on"}),
        ("post", test, {"recipient": "+966501234567"}),
        ("post", reverse("dashboard:channel_delete", args=[channel.pk]), {}),
    ]  # fmt: skip


@pytest.mark.parametrize("index", range(9))
def test_a_member_is_refused_each_owner_only_page_and_action(member, channel, key, index):
    method, url, data = owner_only_requests(channel, key)[index]
    for send in (getattr(member, method), lambda u, d: htmx(member, method, u, d)):
        response = send(url, data)
        assert response.status_code == 403, url
        assert "Only an owner" in response.content.decode()
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 1
    assert list(Channel.objects.values_list("name", flat=True)) == ["Main line"]


@pytest.mark.parametrize("index", range(9))
def test_an_owner_may_use_each_owner_only_page_and_action(owner, channel, key, index):
    method, url, data = owner_only_requests(channel, key)[index]
    assert getattr(owner, method)(url, data).status_code in (200, 302)


def test_a_member_sees_no_keys_and_no_key_form(member, key):
    page = member.get(reverse("dashboard:account")).content.decode()
    assert "Only an owner of this account manages its API keys" in page
    assert f"sk_{key.prefix}" not in page and "Create key" not in page
    assert "Outreach campaigns" in page  # the subscription stays visible


def test_an_owner_sees_the_keys(owner, key):
    page = owner.get(reverse("dashboard:account")).content.decode()
    assert f"sk_{key.prefix}" in page and "Create key" in page


def test_a_member_sees_channels_without_the_owner_buttons(member, channel):
    page = member.get(reverse("dashboard:channels")).content.decode()
    assert "Main line" in page
    assert reverse("dashboard:channel_new") not in page
    assert reverse("dashboard:channel_detail", args=[channel.pk]) not in page


def test_an_owner_sees_the_owner_buttons(owner, channel):
    page = owner.get(reverse("dashboard:channels")).content.decode()
    assert reverse("dashboard:channel_new") in page
    assert reverse("dashboard:channel_detail", args=[channel.pk]) in page


def test_a_member_runs_contacts_lists_segments_and_campaigns(member, alice, channel):
    campaign = make_campaign(alice, channel=channel)
    contact_list = make_list(alice)
    segment = make_segment(alice)
    for url in (
        reverse("dashboard:contacts"),
        reverse("dashboard:lists"),
        reverse("dashboard:list_detail", args=[contact_list.pk]),
        reverse("dashboard:segments"),
        reverse("dashboard:segment_edit", args=[segment.pk]),
        reverse("dashboard:campaigns"),
        reverse("dashboard:campaign_detail", args=[campaign.pk]),
        reverse("dashboard:campaign_new"),
    ):
        assert member.get(url).status_code == 200, url
    response = member.post(
        reverse("dashboard:contact_new"),
        {"phone": "+966501111999", "name": "New", "type": "whatsapp"},
    )
    assert response.status_code in (200, 302)
    assert Contact.objects.filter(phone="+966501111999").exists()
    member.post(reverse("dashboard:campaign_action", args=[campaign.pk, "start"]))
    campaign.refresh_from_db()
    assert campaign.status == "running"


# --- the admin -----------------------------------------------------------------------


def staff_in(alice, username, role):
    user = user_in(alice, username, role, is_staff=True)
    models = ("apikey", "account", "membership", "channel")
    user.user_permissions.add(*Permission.objects.filter(content_type__model__in=models))
    return user


@pytest.fixture
def staff_member(client, alice):
    client.force_login(staff_in(alice, "sam", Membership.Role.MEMBER))
    return client


@pytest.fixture
def staff_owner(client, alice):
    client.force_login(staff_in(alice, "sara", Membership.Role.OWNER))
    return client


def admin_action(client, changelist, action, objects):
    return client.post(
        changelist, {"action": action, "_selected_action": [o.pk for o in objects]}, follow=True
    )


def test_the_admin_refuses_a_member_creating_a_key(staff_member, alice):
    response = admin_action(staff_member, "/admin/skylight/account/", "create_api_key", [alice])
    assert "Only an owner" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_the_admin_lets_an_owner_create_a_key(staff_owner, alice):
    admin_action(staff_owner, "/admin/skylight/account/", "create_api_key", [alice])
    assert ApiKey.objects.filter(account=alice).count() == 1


def test_the_admin_refuses_a_member_revoking_a_key(staff_member, key):
    response = admin_action(staff_member, "/admin/skylight/apikey/", "revoke", [key])
    assert "Only an owner" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None


def test_the_admin_lets_an_owner_revoke_a_key(staff_owner, key):
    admin_action(staff_owner, "/admin/skylight/apikey/", "revoke", [key])
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_the_admin_refuses_a_member_editing_a_channel_or_key(staff_member, channel, key):
    url = f"/admin/messaging_channels/channel/{channel.pk}/change/"
    assert staff_member.post(url, {"name": "Hijacked"}).status_code == 403
    assert Channel.objects.get().name == "Main line"
    delete = staff_member.post(
        f"/admin/messaging_channels/channel/{channel.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Channel.objects.exists()
    assert (
        staff_member.post(f"/admin/skylight/apikey/{key.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )


def test_the_admin_refuses_a_member_editing_memberships(staff_member, alice):
    page = staff_member.get(f"/admin/skylight/account/{alice.pk}/change/").content.decode()
    assert 'name="memberships-0-role"' not in page


def test_the_admin_lets_an_owner_edit_memberships(staff_owner, alice):
    page = staff_owner.get(f"/admin/skylight/account/{alice.pk}/change/").content.decode()
    assert 'name="memberships-0-role"' in page


def test_the_admin_offers_staff_only_accounts_they_own(staff_member, bob):
    page = staff_member.get("/admin/messaging_channels/channel/add/").content.decode()
    assert "Alice Co" not in page and "Bob Ltd" not in page
