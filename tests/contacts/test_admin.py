"""The Django admin pages for contacts, lists, segments and tags."""

import pytest
from django.contrib.auth import get_user_model

from contacts.models import Contact, Segment
from tests.factories import make_contact, make_list, tagged_contact


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["contact", "contactlist", "segment", "tag"])
def test_changelists_and_add_pages_render(staff_client, alice, model):
    contact = tagged_contact(alice, "vip")
    make_list(alice, [contact])
    Segment.objects.create(account=alice, name="All", rules={"match": "all", "conditions": []})
    assert staff_client.get(f"/admin/contacts/{model}/").status_code == 200
    assert staff_client.get(f"/admin/contacts/{model}/?q=vip").status_code == 200
    assert staff_client.get(f"/admin/contacts/{model}/add/").status_code == 200


def test_the_list_changelist_shows_member_counts(staff_client, alice):
    make_list(alice, [make_contact(alice), make_contact(alice)], name="Pair")
    page = staff_client.get("/admin/contacts/contactlist/").content.decode()
    assert "Pair" in page and '<td class="field-members">2</td>' in page


def test_saving_a_contact_normalises_the_phone_and_stamps_the_opt_out(staff_client, alice):
    response = staff_client.post(
        "/admin/contacts/contact/add/",
        {
            "account": alice.id,
            "name": "Sara",
            "phone": "966 50 111 1111",
            "type": "whatsapp",
            "external_id": "",
            "attributes": "{}",
            "opted_out": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Contact.objects.get()
    assert contact.phone == "+966501111111"
    assert contact.opted_out and contact.opted_out_at is not None


def test_an_invalid_phone_is_refused_in_the_admin(staff_client, alice):
    response = staff_client.post(
        "/admin/contacts/contact/add/",
        {"account": alice.id, "phone": "nope", "type": "whatsapp", "attributes": "{}"},
    )
    assert response.status_code == 200
    assert "not a phone number" in response.content.decode()
    assert not Contact.objects.exists()


def test_the_opt_out_action_stamps_only_contacts_that_change(staff_client, alice):
    fresh = make_contact(alice)
    response = staff_client.post(
        "/admin/contacts/contact/",
        {"action": "opt_out", "_selected_action": [fresh.id]},
    )
    assert response.status_code == 302
    fresh.refresh_from_db()
    assert fresh.opted_out and fresh.opted_out_at is not None


def test_invalid_segment_rules_are_refused_in_the_admin(staff_client, alice):
    response = staff_client.post(
        "/admin/contacts/segment/add/",
        {"account": alice.id, "name": "Bad", "rules": '{"match": "most"}'},
    )
    assert response.status_code == 200
    assert not Segment.objects.exists()
