from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Contact, ContactList, ListMembership, Segment
from tests.dashboard.helpers import htmx, import_csv
from tests.factories import make_contact, make_list, make_segment

# --- contacts ---------------------------------------------------------------------


@pytest.mark.django_db
def test_search_answers_only_the_results_partial(web, alice):
    make_contact(alice, name="Noura Saleh")
    make_contact(alice, name="Omar Haddad")
    response = htmx(web, "get", reverse("dashboard:contacts"), {"search": "noura"})
    page = response.content.decode()
    assert "<html" not in page and 'id="contact-results"' in page
    assert "Noura Saleh" in page and "Omar Haddad" not in page


@pytest.mark.django_db
def test_filters_by_opt_out_type_and_list(web, alice):
    kept = make_contact(alice, name="In list")
    make_contact(alice, name="Gone", opted_out=True)
    make_contact(alice, name="On Telegram", type="telegram")
    contact_list = make_list(alice, [kept])
    url = reverse("dashboard:contacts")
    assert "Gone" not in web.get(url, {"opted_out": "false"}).content.decode()
    assert "In list" not in web.get(url, {"opted_out": "true"}).content.decode()
    page = web.get(url, {"type": "telegram"}).content.decode()
    assert "On Telegram" in page and "In list" not in page
    page = web.get(url, {"list_id": contact_list.pk}).content.decode()
    assert "In list" in page and "Gone" not in page


@pytest.mark.django_db
def test_creating_a_contact_normalises_the_phone(web, alice):
    data = {
        "name": "Sara",
        "phone": "00966 50 123 4567",
        "type": "whatsapp",
        "tags": "vip, riyadh",
        "attributes": "city: Riyadh\nplan: gold",
    }
    response = web.post(reverse("dashboard:contact_new"), data)
    assert response.status_code == 302
    contact = Contact.objects.get(account=alice)
    assert contact.phone == "+966501234567"
    assert sorted(contact.tags.values_list("name", flat=True)) == ["riyadh", "vip"]
    assert contact.attributes == {"city": "Riyadh", "plan": "gold"}


@pytest.mark.django_db
def test_contact_errors_are_shown_inline(web, alice):
    make_contact(alice, phone="+966501234567")
    page = web.post(
        reverse("dashboard:contact_new"), {"phone": "+966501234567", "type": "whatsapp"}
    ).content.decode()
    assert "already exists in this account" in page and "has-error" in page
    page = web.post(
        reverse("dashboard:contact_new"), {"phone": "12", "type": "whatsapp"}
    ).content.decode()
    assert "has-error" in page
    page = web.post(
        reverse("dashboard:contact_new"),
        {"phone": "+966501234568", "type": "whatsapp", "attributes": "no colon here"},
    ).content.decode()
    assert "Line 1: write it as key: value." in page
    assert Contact.objects.filter(account=alice).count() == 1


@pytest.mark.django_db
def test_editing_a_contact(web, alice):
    contact = make_contact(alice, name="Old", attributes={"city": "Jeddah"})
    url = reverse("dashboard:contact_edit", args=[contact.pk])
    assert "city: Jeddah" in web.get(url).content.decode()
    data = {
        "name": "New",
        "phone": contact.phone,
        "type": "whatsapp",
        "attributes": "",
        "opted_out": "on",
    }
    assert web.post(url, data).status_code == 302
    contact.refresh_from_db()
    assert contact.name == "New" and contact.opted_out and contact.opted_out_at is not None


@pytest.mark.django_db
def test_the_opt_out_toggle_swaps_its_row(web, alice):
    contact = make_contact(alice, name="Toggle me")
    url = reverse("dashboard:contact_opt_out", args=[contact.pk])
    page = htmx(web, "post", url, {"opted_out": "1", "reason": "Asked us to stop"}).content
    page = page.decode()
    contact.refresh_from_db()
    assert contact.opted_out and contact.opted_out_at is not None
    assert page.strip().startswith(f'<tr id="contact-{contact.pk}"') and "Opted out" in page
    htmx(web, "post", url, {"opted_out": "0", "reason": "Signed up again"})
    contact.refresh_from_db()
    assert not contact.opted_out and contact.opted_out_at is None


@pytest.mark.django_db
def test_deleting_a_contact(web, alice):
    contact = make_contact(alice)
    web.post(reverse("dashboard:contact_delete", args=[contact.pk]))
    assert not Contact.objects.filter(pk=contact.pk).exists()


# --- import -----------------------------------------------------------------------


def _csv(text: str):
    return SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")


@pytest.mark.django_db
def test_import_into_a_new_list_reports_each_rejected_row(web, alice):
    csv = (
        "name,phone,tags,city\n"
        "Sara,+966501234567,vip,Riyadh\n"
        "Bad,12345,,\n"
        "Omar,+966501234568,,Jeddah\n"
    )
    _, response = import_csv(web, csv, request=partial(htmx, web), new_list="Imported")
    page = response.content.decode()
    assert "<html" not in page and 'id="import-panel"' in page
    contact_list = ContactList.objects.get(account=alice, name="Imported")
    assert ListMembership.objects.filter(contact_list=contact_list).count() == 2
    assert '<div class="label">Created</div><div class="value">2</div>' in page
    assert '<div class="label">Rejected</div><div class="value">1</div>' in page
    assert '<td class="num">3</td>' in page  # the rejected row's number (header is row 1)
    assert f"?list={contact_list.pk}" in page
    assert Contact.objects.get(phone="+966501234568").attributes == {"city": "Jeddah"}


@pytest.mark.django_db
def test_an_unreadable_file_is_a_form_error_and_creates_no_list(web, alice):
    page = web.post(
        reverse("dashboard:contact_import"),
        {"file": _csv("name,email\nx,y\n"), "type": "whatsapp", "new_list": "Never"},
    ).content.decode()
    assert "phone" in page and ("has-error" in page or "form-errors" in page)
    assert not ContactList.objects.filter(name="Never").exists()


@pytest.mark.django_db
def test_import_needs_one_list_choice_at_most(web, alice):
    existing = make_list(alice)
    page = web.post(
        reverse("dashboard:contact_import"),
        {
            "file": _csv("phone\n+966501234567\n"),
            "type": "whatsapp",
            "contact_list": existing.pk,
            "new_list": "Other",
        },
    ).content.decode()
    assert "Pick an existing list or name a new one, not both." in page
    assert not Contact.objects.exists()


# --- lists ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_creating_renaming_and_deleting_a_list(web, alice):
    response = web.post(reverse("dashboard:lists"), {"name": "Leads"})
    contact_list = ContactList.objects.get(account=alice, name="Leads")
    assert response["Location"] == reverse("dashboard:list_detail", args=[contact_list.pk])
    web.post(reverse("dashboard:list_edit", args=[contact_list.pk]), {"name": "Hot leads"})
    contact_list.refresh_from_db()
    assert contact_list.name == "Hot leads"
    page = web.post(reverse("dashboard:lists"), {"name": ""}).content.decode()
    assert "This field is required." in page
    web.post(reverse("dashboard:list_delete", args=[contact_list.pk]))
    assert not ContactList.objects.filter(pk=contact_list.pk).exists()


@pytest.mark.django_db
def test_managing_list_members(web, alice, bob):
    inside, outside = make_contact(alice, name="Inside"), make_contact(alice, name="Outside")
    foreign = make_contact(bob, name="Outside too")
    contact_list = make_list(alice, [inside])
    candidates = htmx(
        web,
        "get",
        reverse("dashboard:list_candidates", args=[contact_list.pk]),
        {"find": "outside"},
    ).content.decode()
    assert "<html" not in candidates and "Outside" in candidates
    assert "Inside" not in candidates and "Outside too" not in candidates
    web.post(
        reverse("dashboard:list_add", args=[contact_list.pk]),
        {"contact_ids": [outside.pk, foreign.pk]},
    )
    assert set(contact_list.contacts.all()) == {inside, outside}
    web.post(reverse("dashboard:list_remove", args=[contact_list.pk]), {"contact_ids": [inside.pk]})
    assert set(contact_list.contacts.all()) == {outside}


@pytest.mark.django_db
def test_list_members_search_is_a_partial(web, alice):
    contact_list = make_list(
        alice, [make_contact(alice, name="Maha"), make_contact(alice, name="Reem")]
    )
    page = htmx(
        web, "get", reverse("dashboard:list_detail", args=[contact_list.pk]), {"search": "maha"}
    ).content.decode()
    assert 'id="members"' in page and "<html" not in page
    assert "Maha" in page and "Reem" not in page


# --- segments ------------------------------------------------------------------------


def _rule_rows(*rows, name="Riyadh VIPs", match="all"):
    return {
        "name": name,
        "match": match,
        "cond_field": [r[0] for r in rows],
        "cond_key": [r[1] for r in rows],
        "cond_op": [r[2] for r in rows],
        "cond_value": [r[3] for r in rows],
    }


@pytest.mark.django_db
def test_saving_a_segment_from_the_rule_builder(web, alice):
    contact_list = make_list(alice, name="Customers")
    data = _rule_rows(
        ("attributes", "city", "eq", "Riyadh"),
        ("list", "", "eq", "Customers"),
        ("tags", "", "in", "vip, gold"),
        ("opted_out", "", "eq", "false"),
    )
    assert web.post(reverse("dashboard:segment_new"), data).status_code == 302
    segment = Segment.objects.get(account=alice)
    assert segment.rules == {
        "match": "all",
        "conditions": [
            {"field": "attributes.city", "op": "eq", "value": "Riyadh"},
            {"field": "list", "op": "eq", "value": contact_list.pk},
            {"field": "tags", "op": "in", "value": ["vip", "gold"]},
            {"field": "opted_out", "op": "eq", "value": False},
        ],
    }
    page = web.get(reverse("dashboard:segment_edit", args=[segment.pk])).content.decode()
    assert 'value="Customers"' in page and 'value="vip, gold"' in page


@pytest.mark.django_db
def test_segment_rule_errors_are_shown(web, alice):
    data = _rule_rows(("created_at", "", "before", "yesterday-ish"))
    page = web.post(reverse("dashboard:segment_new"), data).content.decode()
    assert "is not a date" in page
    assert not Segment.objects.exists()


@pytest.mark.django_db
def test_the_live_member_count(web, alice):
    make_contact(alice, attributes={"city": "Riyadh"})
    make_contact(alice, attributes={"city": "Riyadh"})
    make_contact(alice, attributes={"city": "Jeddah"})
    data = _rule_rows(("attributes", "city", "eq", "Riyadh"))
    page = htmx(web, "post", reverse("dashboard:segment_preview"), data).content.decode()
    assert "<html" not in page and 'id="segment-preview"' in page
    assert "data-member-count>2<" in page


@pytest.mark.django_db
def test_the_segment_list_counts_members_lazily(web, alice, bob):
    make_contact(alice)
    make_contact(alice, name="Other", attributes={"city": "Riyadh"})
    segment = make_segment(alice, name="Everyone")
    count_url = reverse("dashboard:segment_count", args=[segment.pk])
    page = web.get(reverse("dashboard:segments")).content.decode()
    assert f'hx-get="{count_url}" hx-trigger="revealed"' in page
    assert htmx(web, "get", count_url).content.decode().strip() == "2"
    broken = make_segment(alice, name="Broken", rules={"match": "sometimes"})
    count_url = reverse("dashboard:segment_count", args=[broken.pk])
    assert "invalid rule" in htmx(web, "get", count_url).content.decode()
    theirs = make_segment(bob)
    assert web.get(reverse("dashboard:segment_count", args=[theirs.pk])).status_code == 404


@pytest.mark.django_db
def test_deleting_a_segment(web, alice):
    segment = make_segment(alice)
    web.post(reverse("dashboard:segment_delete", args=[segment.pk]))
    assert not Segment.objects.exists()


@pytest.mark.django_db
def test_deleting_a_contact_mid_send_is_refused_with_a_message(web, alice):
    from campaigns.models import CampaignContact
    from tests.factories import make_campaign

    campaign = make_campaign(alice, size=1)
    row = CampaignContact.objects.get(campaign=campaign)
    CampaignContact.objects.filter(pk=row.pk).update(status="sending")
    response = web.post(reverse("dashboard:contact_delete", args=[row.contact_id]), follow=True)
    assert response.status_code == 200
    assert Contact.objects.filter(pk=row.contact_id).exists()
    assert b'class="error"' in response.content


@pytest.mark.django_db
def test_segment_errors_are_words_under_the_condition(web, alice):
    data = _rule_rows(("name", "", "eq", "Noura"), ("attributes", "", "eq", "Riyadh"))
    page = web.post(reverse("dashboard:segment_new"), data).content.decode()
    assert "Unknown field" not in page and "conditions.1" not in page
    second_row = page.split('class="msg-row cond-row"')[2]
    assert "Type the attribute&#x27;s key, for example city." in second_row
    assert not Segment.objects.exists()


@pytest.mark.django_db
def test_segment_preview_names_an_unknown_list_in_words(web, alice):
    data = _rule_rows(("list", "", "eq", "Nobody's list"))
    page = htmx(web, "post", reverse("dashboard:segment_preview"), data).content.decode()
    assert "There is no list named" in page and "Expected a list id" not in page


@pytest.mark.django_db
def test_a_second_list_with_the_same_name_is_an_inline_error(web, alice):
    make_list(alice, name="Customers")
    page = web.post(reverse("dashboard:lists"), {"name": "Customers"}).content.decode()
    assert "has-error" in page and "already exists" in page
    assert ContactList.objects.filter(account=alice).count() == 1


@pytest.mark.django_db
def test_opting_back_in_needs_a_reason_and_records_it(web, alice, alice_user):
    from contacts.models import OptChange

    contact = make_contact(alice, name="Noura", opted_out=True)
    url = reverse("dashboard:contact_opt_out", args=[contact.pk])
    response = htmx(web, "post", url, {"opted_out": "0"})
    contact.refresh_from_db()
    assert contact.opted_out and response["HX-Reswap"] == "none"
    htmx(web, "post", url, {"opted_out": "0"}, HTTP_HX_PROMPT="Signed up again in the shop")
    contact.refresh_from_db()
    assert not contact.opted_out
    change = OptChange.objects.get(contact=contact)
    assert (change.opted_out, change.reason, change.changed_by) == (
        False,
        "Signed up again in the shop",
        alice_user,
    )


@pytest.mark.django_db
def test_rejected_rows_can_be_downloaded_as_csv(web, alice):
    from urllib.parse import unquote

    text = "name,phone\nSara,+966501234567\nBad,12345\nOmar,+966501234568,extra\n"
    page = import_csv(web, text, request=partial(htmx, web))[1].content.decode()
    link = page.split("data:text/csv;charset=utf-8,")[1].split('"')[0]
    rows = unquote(link).splitlines()
    assert rows[0] == "row,phone,reason"
    assert rows[1].startswith("3,12345,") and rows[2].startswith("4,+966501234568,")
    assert 'download="rejected-rows.csv"' in page
