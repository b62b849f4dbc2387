"""Every dashboard page needs a signed-in member, and shows only the current account's objects."""

import pytest
from django.urls import reverse

PAGES = [
    "dashboard:home",
    "dashboard:account",
    "dashboard:campaigns",
    "dashboard:campaign_new",
    "dashboard:contacts",
    "dashboard:contact_new",
    "dashboard:contact_import",
    "dashboard:lists",
    "dashboard:segments",
    "dashboard:segment_new",
    "dashboard:channels",
    "dashboard:channel_new",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_pages_redirect_anonymous_visitors_to_sign_in(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_pages_render_for_a_member(web, name):
    response = web.get(reverse(name))
    assert response.status_code == 200
    assert b"<html" in response.content


@pytest.mark.django_db
def test_a_user_in_no_account_is_refused(client, django_user_model):
    user = django_user_model.objects.create_user(username="loner", password="x")
    client.force_login(user)
    assert client.get(reverse("dashboard:campaigns")).status_code == 403


@pytest.mark.django_db
def test_sign_in_then_sign_out(client, alice_user):
    response = client.post(reverse("login"), {"username": "alice", "password": "pw-alice"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    assert client.get(reverse("dashboard:home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard:home")).status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_is_shown_on_the_sign_in_form(client, alice_user):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"form-errors" in response.content


def _bob_urls(objects):
    campaign, contact = objects["campaign"], objects["contact"]
    contact_list, segment, channel = objects["list"], objects["segment"], objects["channel"]
    gets = [
        reverse("dashboard:campaign_detail", args=[campaign.pk]),
        reverse("dashboard:campaign_edit", args=[campaign.pk]),
        reverse("dashboard:contact_edit", args=[contact.pk]),
        reverse("dashboard:list_detail", args=[contact_list.pk]),
        reverse("dashboard:list_edit", args=[contact_list.pk]),
        reverse("dashboard:list_candidates", args=[contact_list.pk]),
        reverse("dashboard:segment_edit", args=[segment.pk]),
        reverse("dashboard:channel_detail", args=[channel.pk]),
    ]
    posts = [
        reverse("dashboard:campaign_action", args=[campaign.pk, "start"]),
        reverse("dashboard:campaign_action", args=[campaign.pk, "cancel"]),
        reverse("dashboard:campaign_delete", args=[campaign.pk]),
        reverse("dashboard:contact_delete", args=[contact.pk]),
        reverse("dashboard:contact_opt_out", args=[contact.pk]),
        reverse("dashboard:list_delete", args=[contact_list.pk]),
        reverse("dashboard:list_add", args=[contact_list.pk]),
        reverse("dashboard:list_remove", args=[contact_list.pk]),
        reverse("dashboard:segment_delete", args=[segment.pk]),
        reverse("dashboard:channel_test", args=[channel.pk]),
        reverse("dashboard:channel_delete", args=[channel.pk]),
    ]
    return gets, posts


@pytest.mark.django_db
def test_other_accounts_objects_are_not_found(web, bob_objects):
    gets, posts = _bob_urls(bob_objects)
    for url in gets:
        assert web.get(url).status_code == 404, url
    for url in posts:
        assert web.post(url, {"recipient": "+966501234567"}).status_code == 404, url
    campaign = bob_objects["campaign"]
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    bob_objects["contact"].refresh_from_db()
    assert bob_objects["contact"].opted_out is False


@pytest.mark.django_db
def test_listings_show_only_the_current_account(web, bob_objects):
    for name in (
        "dashboard:campaigns",
        "dashboard:contacts",
        "dashboard:lists",
        "dashboard:segments",
        "dashboard:channels",
    ):
        content = web.get(reverse(name)).content.decode()
        assert "Bob" not in content, name


@pytest.mark.django_db
def test_the_switcher_changes_the_current_account(client, alice, bob, alice_user, bob_objects):
    Membership = alice_user.memberships.model
    Membership.objects.create(account=bob, user=alice_user)
    client.force_login(alice_user)
    page = client.get(reverse("dashboard:campaigns")).content.decode()
    assert 'id="switch-account"' in page
    assert "Bob campaign" not in page

    response = client.post(reverse("dashboard:account_switch"), {"account": bob.pk})
    assert response.status_code == 302
    assert "Bob campaign" in client.get(reverse("dashboard:campaigns")).content.decode()
    detail = reverse("dashboard:campaign_detail", args=[bob_objects["campaign"].pk])
    assert client.get(detail).status_code == 200


@pytest.mark.django_db
def test_the_switcher_refuses_an_account_the_user_is_not_in(client, alice_user, bob):
    client.force_login(alice_user)
    client.post(reverse("dashboard:account_switch"), {"account": bob.pk})
    assert client.session.get("current_account_id") is None
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "You are not a member of that account." in page


@pytest.mark.django_db
def test_the_switcher_is_hidden_for_a_single_account(web):
    assert 'id="switch-account"' not in web.get(reverse("dashboard:home")).content.decode()


@pytest.mark.django_db
def test_bob_sees_his_own_pages(client, bob_user, bob_objects):
    client.force_login(bob_user)
    detail = reverse("dashboard:campaign_detail", args=[bob_objects["campaign"].pk])
    assert client.get(detail).status_code == 200


@pytest.mark.django_db
def test_boosted_and_history_restore_requests_get_the_whole_page(web):
    url = reverse("dashboard:campaigns")
    region = web.get(url, HTTP_HX_REQUEST="true")
    assert b"<html" not in region.content
    assert "HX-Request" in region["Vary"]
    boosted = web.get(url, HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    assert b"<html" in boosted.content
    restore = web.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert b"<html" in restore.content


@pytest.mark.django_db
def test_a_missing_object_gets_the_dashboards_not_found_page(web):
    response = web.get(reverse("dashboard:campaign_detail", args=[999999]))
    assert response.status_code == 404
    assert b"belongs to another account" in response.content
