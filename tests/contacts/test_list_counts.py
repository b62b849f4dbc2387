"""ContactList.members_count stays equal to the list's memberships, whoever writes them.

The counter is kept by database triggers (contacts/migrations/0002); every test here
compares it with a real COUNT after a different kind of write.
"""

import threading

import pytest
from django.db import connection, connections

from contacts import services
from contacts.importing import import_contacts_csv
from contacts.models import Contact, ContactList, ListMembership
from tests.contacts.helpers import csv_upload
from tests.factories import make_contact, make_list


def assert_exact(*lists):
    for contact_list in lists:
        stored = ContactList.objects.get(pk=contact_list.pk).members_count
        assert stored == ListMembership.objects.filter(contact_list=contact_list).count()


def test_the_triggers_exist(db):
    names = {
        "contacts_list_members_count_insert",
        "contacts_list_members_count_delete",
        "contacts_list_members_count_update",
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        assert names <= {row[0] for row in cursor.fetchall()}


def test_bulk_inserts_and_services_keep_it_exact(alice):
    contacts = [make_contact(alice) for _ in range(6)]
    first = make_list(alice, contacts[:3], name="first")  # a plain bulk INSERT
    second = make_list(alice, name="second")
    assert ContactList.objects.get(pk=first.pk).members_count == 3
    added = services.list_add_contacts(
        contact_list=second, contact_ids=[c.pk for c in contacts] + [contacts[0].pk]
    )
    assert added == 6
    assert services.list_add_contacts(contact_list=second, contact_ids=[contacts[1].pk]) == 0
    assert services.list_remove_contacts(contact_list=second, contact_ids=[contacts[5].pk]) == 1
    assert ContactList.objects.get(pk=second.pk).members_count == 5
    assert_exact(first, second)


def test_deleting_contacts_moves_every_list_they_were_in(alice):
    contacts = [make_contact(alice) for _ in range(5)]
    first, second = make_list(alice, contacts, name="a"), make_list(alice, contacts[:2], name="b")
    services.contact_delete(contact=contacts[0])
    services.contacts_delete(contacts=Contact.objects.filter(pk__in=[c.pk for c in contacts[1:3]]))
    assert ContactList.objects.get(pk=first.pk).members_count == 2
    assert ContactList.objects.get(pk=second.pk).members_count == 0
    assert_exact(first, second)


def test_an_import_into_a_list_counts_new_and_existing_members_once(alice):
    existing = make_contact(alice, phone="+966501111111")
    contact_list = make_list(alice, [existing], name="imported")
    text = "name,phone\nA,+966501111111\nB,+966502222222\nC,+966503333333\nbad,12\n"
    import_contacts_csv(account=alice, file=csv_upload(text), contact_list=contact_list)
    import_contacts_csv(account=alice, file=csv_upload(text), contact_list=contact_list)
    assert ContactList.objects.get(pk=contact_list.pk).members_count == 3
    assert_exact(contact_list)


def test_saving_a_stale_list_does_not_write_its_old_count_back(alice):
    contact_list = make_list(alice, name="stale")
    stale = ContactList.objects.get(pk=contact_list.pk)
    services.list_add_contacts(contact_list=contact_list, contact_ids=[make_contact(alice).pk])
    services.list_update(contact_list=stale, name="renamed")
    assert ContactList.objects.get(pk=contact_list.pk).members_count == 1
    assert_exact(contact_list)


def test_the_api_and_the_lists_page_show_the_counter(api, alice):
    contact_list = make_list(alice, [make_contact(alice), make_contact(alice)], name="two")
    ContactList.objects.filter(pk=contact_list.pk).update(members_count=7)  # proves the source
    rows = api.get("/api/v1/lists").json()["data"]
    assert [row["contacts_count"] for row in rows] == [7]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_adds_and_deletes_keep_it_exact(alice):
    contact_list = make_list(alice, name="busy")
    contacts = [make_contact(alice) for _ in range(40)]
    barrier = threading.Barrier(4)
    errors = []

    def add(chunk):
        try:
            barrier.wait()
            services.list_add_contacts(contact_list=contact_list, contact_ids=chunk)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    def delete(chunk):
        try:
            barrier.wait()
            services.contacts_delete(contacts=Contact.objects.filter(pk__in=chunk))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def remove(chunk):
        try:
            barrier.wait()
            services.list_remove_contacts(contact_list=contact_list, contact_ids=chunk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    ids = [c.pk for c in contacts]
    # Deleted contacts are members already and not added concurrently: deleting a
    # contact while another transaction adds it fails on its foreign key, counter or not.
    services.list_add_contacts(contact_list=contact_list, contact_ids=ids[30:])
    threads = [
        threading.Thread(target=add, args=(ids[:20],)),
        threading.Thread(target=add, args=(ids[10:30],)),
        threading.Thread(target=delete, args=(ids[30:35],)),
        threading.Thread(target=remove, args=(ids[5:15] + ids[35:],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert_exact(contact_list)
