"""The suppression list in the dashboard and the admin."""

import io

import pytest
from django.urls import reverse

from contacts.models import Contact, Suppression
from contacts.suppressions import suppression_add
from tests.factories import make_contact, member_of


@pytest.fixture
def web(client, alice):
    client.force_login(member_of(alice, "alice"))
    return client


def test_a_user_suppresses_an_address_and_the_contact_is_opted_out(web, alice):
    contact = make_contact(alice, phone="+966501234567")
    response = web.post(
        reverse("dashboard:suppressions"),
        {"add-address": "+966 50 123 4567", "add-channel_type": "whatsapp", "add-reason": "Asked"},
        follow=True,
    )
    assert "Suppressed +966501234567" in response.content.decode()
    entry = Suppression.objects.get(account=alice)
    assert entry.source == "dashboard"
    assert Contact.objects.get(pk=contact.pk).opted_out


def test_a_bad_address_is_shown_on_the_form(web, alice):
    response = web.post(
        reverse("dashboard:suppressions"),
        {"add-address": "hello", "add-channel_type": "whatsapp"},
    )
    assert response.status_code == 200
    assert "field-errors" in response.content.decode() or "form-errors" in response.content.decode()
    assert not Suppression.objects.exists()


def test_the_page_lists_only_this_accounts_entries_and_lifts_them(web, alice, bob):
    mine, _ = suppression_add(
        account=alice, address="+966501111111", channel_type="whatsapp", source="api"
    )
    theirs, _ = suppression_add(
        account=bob, address="+966502222222", channel_type="whatsapp", source="api"
    )
    page = web.get(reverse("dashboard:suppressions")).content.decode()
    assert "+966501111111" in page and "+966502222222" not in page
    assert web.post(reverse("dashboard:suppression_lift", args=[theirs.pk])).status_code == 404
    web.post(reverse("dashboard:suppression_lift", args=[mine.pk]))
    assert list(Suppression.objects.values_list("account", flat=True)) == [bob.pk]


def test_a_csv_is_imported_from_the_dashboard(web, alice):
    upload = io.BytesIO(b"phone,reason\n+966501234567,complaint\n")
    upload.name = "dnc.csv"
    response = web.post(
        reverse("dashboard:suppressions_import"),
        {"import-file": upload, "import-channel_type": "whatsapp"},
        follow=True,
    )
    assert "1 new" in response.content.decode()
    assert Suppression.objects.get().source == "import"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_staff_add_suppressions_through_the_service(admin_client, alice):
    contact = make_contact(alice, phone="+966501234567")
    response = admin_client.post(
        "/admin/contacts/suppression/add/",
        {"account": alice.pk, "address": "00966501234567", "channel_type": "whatsapp"},
    )
    assert response.status_code == 302
    assert Suppression.objects.get().address == "+966501234567"
    assert Contact.objects.get(pk=contact.pk).opted_out
