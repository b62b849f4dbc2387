"""`/lists`, `/lists/{id}` and `/lists/{id}/contacts`."""

import pytest

from contacts.models import Contact, ContactList, ListMembership
from tests.factories import make_contact, make_list

URL = "/api/v1/lists"


def test_it_creates_a_list_with_a_zero_count(api, alice):
    response = api.post(
        URL, {"name": "Riyadh leads", "description": "From the fair"}, format="json"
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["name"] == "Riyadh leads" and data["contacts_count"] == 0
    assert ContactList.objects.get(pk=data["id"]).account == alice


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"name": {"a": 1}}, "name"),
        ({"name": "ok", "description": "x" * 2001}, "description"),
    ],
)
def test_it_refuses_invalid_lists(api, payload, field):
    response = api.post(URL, payload, format="json")
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not ContactList.objects.exists()


def test_the_listing_counts_members_and_hides_other_accounts(api, alice, bob):
    mine = make_list(alice, [make_contact(alice), make_contact(alice)], name="Customers")
    make_list(bob, [make_contact(bob)])
    response = api.get(URL)
    assert response.json()["data"] == [
        {
            "id": mine.id,
            "name": "Customers",
            "description": "",
            "contacts_count": 2,
            "created_at": response.json()["data"][0]["created_at"],
        }
    ]


def test_search_filters_lists_by_name(api, alice):
    make_list(alice, name="Riyadh")
    jeddah = make_list(alice, name="Jeddah")
    response = api.get(URL, {"search": "jed"})
    assert [row["id"] for row in response.json()["data"]] == [jeddah.id]


def test_it_renames_a_list_and_keeps_the_count(api, alice):
    contact_list = make_list(alice, [make_contact(alice)])
    response = api.patch(f"{URL}/{contact_list.id}", {"name": "Renamed"}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["name"] == "Renamed"
    assert response.json()["data"]["contacts_count"] == 1


def test_deleting_a_list_keeps_its_contacts(api, alice):
    contact = make_contact(alice)
    contact_list = make_list(alice, [contact])
    assert api.delete(f"{URL}/{contact_list.id}").status_code == 204
    assert not ContactList.objects.exists()
    contact.refresh_from_db()


def test_another_accounts_list_is_404_everywhere(api, bob):
    foreign = make_list(bob, [make_contact(bob)])
    for method in ("get", "put", "patch", "delete"):
        response = getattr(api, method)(f"{URL}/{foreign.id}", {"name": "x"}, format="json")
        assert response.status_code == 404, method
    for method in ("post", "delete"):
        response = getattr(api, method)(
            f"{URL}/{foreign.id}/contacts", {"contact_ids": [1]}, format="json"
        )
        assert response.status_code == 404, method
    assert ContactList.objects.get(pk=foreign.id).name == foreign.name


def test_it_adds_contacts_once_and_reports_how_many_were_new(api, alice):
    first, second = make_contact(alice), make_contact(alice)
    contact_list = make_list(alice, [first])
    response = api.post(
        f"{URL}/{contact_list.id}/contacts",
        {"contact_ids": [first.id, second.id, second.id]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"added": 1, "contacts_count": 2}
    assert ListMembership.objects.filter(contact_list=contact_list).count() == 2


def test_it_removes_contacts(api, alice):
    first, second = make_contact(alice), make_contact(alice)
    contact_list = make_list(alice, [first, second])
    response = api.delete(
        f"{URL}/{contact_list.id}/contacts", {"contact_ids": [first.id]}, format="json"
    )
    assert response.json()["data"] == {"removed": 1, "contacts_count": 1}
    assert list(contact_list.contacts.all()) == [second]


def test_another_accounts_contact_ids_are_422_naming_the_field(api, alice, bob):
    contact_list = make_list(alice)
    foreign = make_contact(bob)
    mine = make_contact(alice)
    response = api.post(
        f"{URL}/{contact_list.id}/contacts", {"contact_ids": [mine.id, foreign.id]}, format="json"
    )
    assert response.status_code == 422
    assert str(foreign.id) in response.json()["errors"]["contact_ids"][0]
    assert not ListMembership.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [{}, {"contact_ids": []}, {"contact_ids": "1"}, {"contact_ids": ["a"]}, {"contact_ids": [-1]}],
)
def test_malformed_contact_ids_are_422(api, alice, payload):
    contact_list = make_list(alice)
    response = api.post(f"{URL}/{contact_list.id}/contacts", payload, format="json")
    assert response.status_code == 422
    assert any(key.startswith("contact_ids") for key in response.json()["errors"])


def test_tens_of_thousands_of_ids_are_added_in_one_request(api, alice):
    Contact.objects.bulk_create(
        [Contact(account=alice, phone=f"+9665{n:08d}") for n in range(1, 40_001)]
    )
    ids = list(Contact.objects.filter(account=alice).values_list("id", flat=True))
    contact_list = make_list(alice)
    response = api.post(f"{URL}/{contact_list.id}/contacts", {"contact_ids": ids}, format="json")
    assert response.status_code == 200
    assert response.json()["data"] == {"added": 40_000, "contacts_count": 40_000}


def test_ids_are_checked_in_chunks_without_missing_a_foreign_one(api, alice, bob, monkeypatch):
    monkeypatch.setattr("skylight.api.fields.ID_CHECK_BATCH", 3)
    mine = [make_contact(alice).id for _ in range(7)]
    foreign = make_contact(bob).id
    contact_list = make_list(alice)
    url = f"{URL}/{contact_list.id}/contacts"
    bad = api.post(url, {"contact_ids": [*mine, foreign]}, format="json")
    assert bad.status_code == 422 and str(foreign) in bad.json()["errors"]["contact_ids"][0]
    good = api.post(url, {"contact_ids": mine}, format="json")
    assert good.json()["data"] == {"added": 7, "contacts_count": 7}


def test_a_list_name_is_unique_per_account_ignoring_case(api, alice, bob):
    make_list(alice, name="Customers")
    make_list(bob, name="VIPs")
    response = api.post(URL, {"name": "customers "}, format="json")
    assert response.status_code == 422
    assert "already exists" in response.json()["errors"]["name"][0]
    assert api.post(URL, {"name": "VIPs"}, format="json").status_code == 201  # bob's is his
    other = make_list(alice, name="Leads")
    response = api.patch(f"{URL}/{other.pk}", {"name": "CUSTOMERS"}, format="json")
    assert response.status_code == 422
    other.refresh_from_db()
    assert other.name == "Leads"
