import pytest
from django.urls import reverse

from skylight.models import ApiKey
from skylight.services import api_key_create
from tests.dashboard.helpers import htmx


@pytest.mark.django_db
def test_the_account_page_shows_subscription_usage(web, alice):
    alice.subscription.outreach_campaigns_used = 3
    alice.subscription.save()
    page = web.get(reverse("dashboard:account")).content.decode()
    assert "3 used of 10" in page
    assert "7 left" in page


@pytest.mark.django_db
def test_creating_a_key_shows_it_once_in_the_keys_partial(web, alice):
    response = htmx(web, "post", reverse("dashboard:account_key_new"), {"name": "Zapier"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and 'id="api-keys"' in page
    key = ApiKey.objects.get(account=alice, name="Zapier")
    raw = page.split('id="new-api-key">')[1].split("<")[0]
    assert raw.startswith(f"sk_{key.prefix}_") and key.matches(raw)
    assert 'data-copy="#new-api-key"' in page
    assert raw not in web.get(reverse("dashboard:account")).content.decode()


@pytest.mark.django_db
def test_a_blank_key_name_is_an_inline_error(web, alice):
    page = htmx(web, "post", reverse("dashboard:account_key_new"), {"name": ""}).content.decode()
    assert "field-errors" in page and "This field is required." in page
    assert not ApiKey.objects.filter(account=alice).exists()


@pytest.mark.django_db
def test_revoking_a_key(web, alice):
    key, _ = api_key_create(account=alice, name="Old")
    url = reverse("dashboard:account_key_revoke", args=[key.pk])
    page = htmx(web, "post", url).content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert "Revoked" in page


@pytest.mark.django_db
def test_another_accounts_key_cannot_be_revoked(web, bob):
    key, _ = api_key_create(account=bob)
    assert web.post(reverse("dashboard:account_key_revoke", args=[key.pk])).status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


@pytest.mark.django_db
def test_the_keys_table_shows_last_use(web, alice):
    from django.utils import timezone

    key, _ = api_key_create(account=alice, name="Used")
    ApiKey.objects.filter(pk=key.pk).update(last_used=timezone.now())
    page = web.get(reverse("dashboard:account")).content.decode()
    assert "Never" not in page.split("Used")[1].split("</tr>")[0]


@pytest.mark.django_db
def test_revoke_needs_post(web, alice):
    key, _ = api_key_create(account=alice)
    assert web.get(reverse("dashboard:account_key_revoke", args=[key.pk])).status_code == 405
