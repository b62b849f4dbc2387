"""The dashboard CSV import's mapping step and the account's default country."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from contacts.models import Contact, ContactList
from skylight.models import AuditEvent
from tests.dashboard.helpers import chosen_targets, import_csv
from tests.factories import make_contact, member_of

URL = "/contacts/import/"


@pytest.mark.django_db
def test_the_upload_shows_the_first_rows_with_a_guessed_target_per_column(web, alice):
    text = "Full name,Mobile,City,Labels\n" + "".join(
        f"Person {i},+96650123456{i},Riyadh,vip\n" for i in range(7)
    )
    page = web.post(URL, {"file": _upload(text), "type": "whatsapp"}).content.decode()
    assert 'id="import-mapping"' in page and not Contact.objects.exists()
    assert "Person 4" in page and "Person 5" not in page  # five rows previewed
    chosen = chosen_targets(page)
    assert chosen == {
        "column_0": "name",
        "column_1": "phone",
        "column_2": "attribute:City",
        "column_3": "tags",
    }


@pytest.mark.django_db
def test_the_chosen_mapping_is_what_gets_imported(web, alice):
    text = "who,number,notes,city\nSara,+966501234567,call later,Riyadh\n"
    mapping = {"column_0": "name", "column_1": "phone", "column_2": "ignore"}
    mapping["column_3"] = "attribute:city"
    _, response = import_csv(web, text, mapping=mapping, new_list="Mapped")
    page = response.content.decode()
    assert 'id="import-result"' in page
    contact = Contact.objects.get(account=alice)
    assert (contact.name, contact.phone, contact.attributes) == (
        "Sara",
        "+966501234567",
        {"city": "Riyadh"},
    )
    assert ContactList.objects.get(account=alice, name="Mapped").memberships.count() == 1


@pytest.mark.django_db
def test_a_mapping_without_a_phone_column_is_refused_in_words(web, alice):
    text = "name,phone\nSara,+966501234567\n"
    _, response = import_csv(web, text, mapping={"column_1": "attribute:phone"})
    page = response.content.decode()
    assert "Choose the column that holds the phone number." in page
    assert 'id="import-mapping"' in page and not Contact.objects.exists()
    _, response = import_csv(web, text, mapping={"column_0": "phone"})
    assert "Only one column can be the phone." in response.content.decode()


@pytest.mark.django_db
def test_a_file_without_a_recognisable_phone_header_can_still_be_mapped(web, alice):
    text = "a,b\nSara,0501234567\n"
    first, response = import_csv(
        web, text, mapping={"column_0": "name", "column_1": "phone"}, country="SA"
    )
    assert Contact.objects.get(account=alice).phone == "+966501234567"


@pytest.mark.django_db
def test_local_numbers_are_read_in_the_accounts_country_and_the_import_can_override(web, alice):
    alice.default_country = "SA"
    alice.save()
    text = "name,phone\nSara,0551112234\n"
    first, response = import_csv(web, text)
    assert '<option value="SA" selected>' in first.content.decode()
    assert Contact.objects.get(account=alice).phone == "+966551112234"
    _, response = import_csv(web, "name,phone\nJo,07400123456\n", country="GB")
    assert Contact.objects.filter(phone="+447400123456").exists()
    _, response = import_csv(web, "name,phone\nNo,0551112299\n", country="")
    assert "0551112299" in response.content.decode()  # rejected: no country to read it in
    assert not Contact.objects.filter(name="No").exists()


@pytest.mark.django_db
def test_the_stored_upload_is_removed_once_imported_and_is_private_to_the_account(
    client, web, alice, bob, settings
):
    first, _ = import_csv(web, "phone\n+966501234567\n")
    assert not os.listdir(settings.SKYLIGHT_IMPORT_STASH_DIR)
    page = web.post(
        URL,
        {"file": _upload("phone\n+966501234568\n"), "type": "whatsapp"},
    ).content.decode()
    token = page.split('name="stash" value="')[1].split('"')[0]
    assert len(os.listdir(settings.SKYLIGHT_IMPORT_STASH_DIR)) == 2  # the file and its options
    client.force_login(member_of(bob, "bob"))
    page = client.post(URL, {"stash": token, "column_0": "phone"}).content.decode()
    assert "That upload is no longer available" in page
    assert not Contact.objects.filter(account=bob).exists()
    assert len(os.listdir(settings.SKYLIGHT_IMPORT_STASH_DIR)) == 2


@pytest.mark.django_db
def test_an_old_stored_upload_is_swept_by_the_next_one(web, alice, settings):
    web.post(URL, {"file": _upload("phone\n+966501234567\n"), "type": "whatsapp"})
    directory = Path(settings.SKYLIGHT_IMPORT_STASH_DIR)
    for path in directory.iterdir():
        os.utime(path, (0, 0))
    web.post(URL, {"file": _upload("phone\n+966501234568\n"), "type": "whatsapp"})
    assert len(list(directory.iterdir())) == 2


def _upload(text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")


# --- the account's default country ---------------------------------------------------------


@pytest.mark.django_db
def test_an_owner_sets_the_default_country_and_contacts_use_it(web, alice):
    response = web.post(reverse("dashboard:account_country"), {"default_country": "SA"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.default_country == "SA"
    assert AuditEvent.objects.filter(account=alice, action="account.updated").exists()
    assert "SA (+966)" in web.get(reverse("dashboard:account")).content.decode()
    web.post(reverse("dashboard:contact_new"), {"name": "Local", "phone": "0551112234",
                                                "type": "whatsapp"})  # fmt: skip
    assert Contact.objects.get(account=alice, name="Local").phone == "+966551112234"


@pytest.mark.django_db
def test_an_unknown_country_is_a_form_error(web, alice):
    response = web.post(reverse("dashboard:account_country"), {"default_country": "XX"})
    assert response.status_code == 422
    assert "XX is not one of the available choices" in response.content.decode()
    alice.refresh_from_db()
    assert alice.default_country == ""


@pytest.mark.django_db
def test_a_member_cannot_change_the_default_country(client, alice):
    member = member_of(alice, "plain", role="member")
    client.force_login(member)
    response = client.post(reverse("dashboard:account_country"), {"default_country": "SA"})
    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.default_country == ""


@pytest.mark.django_db
def test_the_api_reads_local_numbers_in_the_accounts_country(api, alice):
    alice.default_country = "SA"
    alice.save()
    response = api.post("/api/v1/contacts", {"phone": "0551112234"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["data"]["phone"] == "+966551112234"
    assert api.get("/api/v1/account").json()["data"]["default_country"] == "SA"


@pytest.mark.django_db
def test_enrollment_phones_are_read_in_the_accounts_country(web, alice):
    alice.default_country = "SA"
    alice.save()
    contact = make_contact(alice, phone="+966551112234")
    from campaigns.forms import CampaignForm

    form = CampaignForm({}, account=alice)
    found, bad, missing = form.phone_lookup("0551112234")
    assert (found, bad, missing) == ([contact.pk], [], [])


@pytest.mark.django_db
def test_the_admin_sets_the_default_country(admin_client, alice):
    url = reverse("admin:skylight_account_change", args=[alice.pk])
    assert "SA (+966)" in admin_client.get(url).content.decode()
    form = {
        "name": alice.name,
        "timezone": alice.timezone,
        "contact_cooldown_days": "0",
        "breaker_failure_percent": "20",
        "breaker_min_attempts": "20",
        "breaker_opt_out_limit": "3",
        "default_country": "SA",
        "created_at_0": "2026-01-01",
        "created_at_1": "00:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    alice.refresh_from_db()
    assert alice.default_country == "SA"
    response = admin_client.post(url, {**form, "default_country": "XX"})
    assert response.status_code == 200 and "XX is not one of the available choices" in (
        response.content.decode()
    )
