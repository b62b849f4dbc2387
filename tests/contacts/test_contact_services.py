"""Contact services the other apps call: opt-outs, create/update rules, list membership."""

import pytest

from contacts.models import Contact, ListMembership
from contacts.services import (
    contact_create,
    contact_set_opted_out,
    contact_update,
    list_add_contacts,
    list_remove_contacts,
    segment_create,
)
from skylight.domain import Invalid
from tests.factories import make_contact, make_list


def test_set_opted_out_stamps_and_clears(alice):
    contact = make_contact(alice)
    contact_set_opted_out(contact=contact, opted_out=True)
    contact.refresh_from_db()
    assert contact.opted_out and contact.opted_out_at is not None
    contact_set_opted_out(contact=contact, opted_out=False)
    contact.refresh_from_db()
    assert not contact.opted_out and contact.opted_out_at is None


def test_create_normalises_and_refuses_a_taken_phone(alice):
    created = contact_create(account=alice, phone="00966501111111", tags=["a", "b"])
    assert created.phone == "+966501111111"
    assert sorted(created.tags.values_list("name", flat=True)) == ["a", "b"]
    with pytest.raises(Invalid) as caught:
        contact_create(account=alice, phone="+966501111111")
    assert "phone" in caught.value.errors


def test_create_refuses_an_invalid_phone_on_the_phone_field(alice):
    with pytest.raises(Invalid) as caught:
        contact_create(account=alice, phone="123")
    assert "phone" in caught.value.errors


def test_changing_type_onto_a_taken_phone_is_refused(alice):
    make_contact(alice, phone="+966501111111", type="sms")
    contact = make_contact(alice, phone="+966501111111", type="whatsapp")
    with pytest.raises(Invalid):
        contact_update(contact=contact, type="sms")
    assert Contact.objects.get(pk=contact.pk).type == "whatsapp"


def test_update_refuses_unknown_fields(alice):
    with pytest.raises(TypeError):
        contact_update(contact=make_contact(alice), account=None)


def test_adding_to_a_list_ignores_other_accounts_contacts(alice, bob):
    contact_list = make_list(alice)
    mine, theirs = make_contact(alice), make_contact(bob)
    assert list_add_contacts(contact_list=contact_list, contact_ids=[mine.id, theirs.id]) == 1
    assert list(contact_list.contacts.all()) == [mine]


def test_adding_and_removing_many_contacts_works_in_batches(alice, monkeypatch):
    monkeypatch.setattr("contacts.services.ID_BATCH", 7)
    contacts = [make_contact(alice) for _ in range(20)]
    contact_list = make_list(alice, [contacts[0]])
    ids = [contact.id for contact in contacts]
    assert list_add_contacts(contact_list=contact_list, contact_ids=ids) == 19
    assert list_remove_contacts(contact_list=contact_list, contact_ids=ids[:15]) == 15
    assert ListMembership.objects.filter(contact_list=contact_list).count() == 5


def test_segment_create_names_the_rules_field_in_errors(alice):
    with pytest.raises(Invalid) as caught:
        segment_create(account=alice, name="x", rules={"match": "none"})
    assert "rules.match" in caught.value.errors


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"tags": ["x" * 65]}, "tags"),
        ({"tags": [f"t{i}" for i in range(51)]}, "tags"),
        ({"attributes": {'we"ird': 1}}, "attributes"),
        ({"attributes": {"k": "v" * 1001}}, "attributes"),
        ({"attributes": {"k": {"nested": 1}}}, "attributes"),
        ({"name": "n" * 256}, "name"),
    ],
)
def test_the_services_enforce_the_contact_limits_whoever_calls_them(alice, fields, field):
    """The dashboard form and the API both go through these; neither can store past a limit."""
    from contacts.models import Contact
    from contacts.services import contact_create, contact_update
    from skylight.domain import Invalid

    with pytest.raises(Invalid) as created:
        contact_create(account=alice, phone="+966501111111", **fields)
    assert field in created.value.errors
    contact = contact_create(account=alice, phone="+966501111112")
    with pytest.raises(Invalid) as updated:
        contact_update(contact=contact, **fields)
    assert field in updated.value.errors
    assert Contact.objects.filter(account=alice).count() == 1
