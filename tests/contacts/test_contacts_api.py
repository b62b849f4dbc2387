"""`/contacts` and `/contacts/{id}`: CRUD, validation, tenancy."""

import pytest

from contacts.models import Contact
from tests.factories import make_contact, tagged_contact

URL = "/api/v1/contacts"


def test_it_creates_a_contact_with_a_normalised_phone(api, alice):
    response = api.post(
        URL,
        {
            "name": "Sara",
            "phone": "+966 50 123 4567",
            "tags": ["vip", "riyadh", "vip"],
            "attributes": {"city": "Riyadh", "orders": 3, "member": True},
        },
        format="json",
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["phone"] == "+966501234567"
    assert data["type"] == "whatsapp"
    assert sorted(data["tags"]) == ["riyadh", "vip"]
    assert data["attributes"] == {"city": "Riyadh", "orders": 3, "member": True}
    assert data["opted_out"] is False and data["opted_out_at"] is None
    assert data["created_at"].endswith("Z") and len(data["created_at"]) == 27
    contact = Contact.objects.get(pk=data["id"])
    assert contact.account == alice
    assert set(contact.tags.values_list("account", flat=True)) == {alice.id}


def test_it_accepts_the_url_with_a_trailing_slash(api):
    response = api.post(f"{URL}/", {"phone": "+966501234567"}, format="json")
    assert response.status_code == 201


def test_creating_an_opted_out_contact_stamps_the_time(api):
    response = api.post(URL, {"phone": "+966501234567", "opted_out": True}, format="json")
    assert response.json()["data"]["opted_out_at"] is not None


def test_the_same_phone_and_type_twice_is_422_on_phone(api, alice, errors_of):
    make_contact(alice, phone="+966501234567")
    response = api.post(URL, {"phone": "966501234567"}, format="json")
    assert response.status_code == 422
    assert "already exists" in errors_of(response)["phone"][0]
    assert Contact.objects.count() == 1


def test_the_same_phone_on_another_type_or_account_is_allowed(api, alice, bob):
    make_contact(alice, phone="+966501234567", type="whatsapp")
    make_contact(bob, phone="+966501234567", type="sms")
    response = api.post(URL, {"phone": "+966501234567", "type": "sms"}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "phone"),
        ({"phone": "not a phone"}, "phone"),
        ({"phone": "+96650"}, "phone"),
        ({"phone": 966501234567}, "phone"),
        ({"phone": "+966501234567", "type": "fax"}, "type"),
        ({"phone": "+966501234567", "name": "x" * 256}, "name"),
        ({"phone": "+966501234567", "name": ["Sara"]}, "name"),
        ({"phone": "+966501234567", "name": "a\x00b"}, "name"),
        ({"phone": "+966501234567", "tags": "vip"}, "tags"),
        ({"phone": "+966501234567", "tags": ["x" * 65]}, "tags"),
        ({"phone": "+966501234567", "tags": [{"a": 1}]}, "tags"),
        ({"phone": "+966501234567", "tags": [f"t{i}" for i in range(51)]}, "tags"),
        ({"phone": "+966501234567", "attributes": ["a"]}, "attributes"),
        ({"phone": "+966501234567", "attributes": {"a": {"nested": 1}}}, "attributes"),
        ({"phone": "+966501234567", "attributes": {"a": "x" * 1001}}, "attributes"),
        ({"phone": "+966501234567", "attributes": {"k" * 65: "x"}}, "attributes"),
        ({"phone": "+966501234567", "attributes": {"a": "\x00"}}, "attributes"),
        ({"phone": "+966501234567", "opted_out": "perhaps"}, "opted_out"),
    ],
)
def test_it_refuses_invalid_fields_with_422_naming_them(api, errors_of, payload, field):
    response = api.post(URL, payload, format="json")
    assert response.status_code == 422
    assert any(key.split(".")[0] == field for key in errors_of(response))
    assert Contact.objects.count() == 0


def test_malformed_json_is_422_in_the_envelope(api):
    response = api.post(URL, data='{"phone": ', content_type="application/json")
    assert response.status_code == 422
    assert response.json()["success"] is False


def test_a_json_array_body_is_422(api):
    response = api.post(URL, [{"phone": "+966501234567"}], format="json")
    assert response.status_code == 422


def test_it_shows_one_contact(api, alice):
    contact = tagged_contact(alice, "vip", name="Sara", attributes={"city": "Riyadh"})
    response = api.get(f"{URL}/{contact.id}")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == contact.id and data["tags"] == ["vip"]
    assert data["attributes"] == {"city": "Riyadh"}


def test_another_accounts_contact_is_404_for_every_method(api, bob):
    contact = make_contact(bob)
    for method in ("get", "put", "patch", "delete"):
        response = getattr(api, method)(f"{URL}/{contact.id}", {"name": "x"}, format="json")
        assert response.status_code == 404, method
        assert response.json() == {"success": False, "message": "Not found."}
    contact.refresh_from_db()
    assert contact.name == "Test Contact"


@pytest.mark.parametrize("pk", ["0", "99999", "abc", "99999999999999999999"])
def test_unknown_ids_are_404(api, pk):
    response = api.get(f"{URL}/{pk}")
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_the_list_shows_only_the_accounts_own_contacts(api, alice, bob):
    mine = make_contact(alice)
    make_contact(bob)
    response = api.get(URL)
    assert [row["id"] for row in response.json()["data"]] == [mine.id]
    assert response.json()["meta"]["total"] == 1


def test_patch_changes_only_the_given_fields(api, alice):
    contact = tagged_contact(alice, "vip", name="Sara", attributes={"city": "Riyadh"})
    response = api.patch(f"{URL}/{contact.id}", {"name": "Sara A."}, format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["name"] == "Sara A." and data["tags"] == ["vip"]
    assert data["attributes"] == {"city": "Riyadh"}


def test_patch_replaces_tags_and_normalises_a_new_phone(api, alice):
    contact = tagged_contact(alice, "vip")
    response = api.patch(
        f"{URL}/{contact.id}", {"tags": ["new"], "phone": "00966509999999"}, format="json"
    )
    data = response.json()["data"]
    assert data["tags"] == ["new"] and data["phone"] == "+966509999999"


def test_put_replaces_the_contact(api, alice):
    contact = tagged_contact(alice, "vip", attributes={"a": 1})
    response = api.put(f"{URL}/{contact.id}", {"phone": "+966509999999"}, format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["tags"] == [] and data["attributes"] == {} and data["name"] == ""


def test_put_without_a_phone_is_422(api, alice, errors_of):
    contact = make_contact(alice)
    response = api.put(f"{URL}/{contact.id}", {"name": "x"}, format="json")
    assert response.status_code == 422 and "phone" in errors_of(response)


def test_changing_to_a_phone_already_taken_is_422(api, alice, errors_of):
    make_contact(alice, phone="+966501111111")
    contact = make_contact(alice, phone="+966502222222")
    response = api.patch(f"{URL}/{contact.id}", {"phone": "+966501111111"}, format="json")
    assert response.status_code == 422 and "phone" in errors_of(response)
    contact.refresh_from_db()
    assert contact.phone == "+966502222222"


def test_keeping_its_own_phone_is_not_a_conflict(api, alice):
    contact = make_contact(alice, phone="+966501111111")
    response = api.patch(f"{URL}/{contact.id}", {"phone": "+966501111111"}, format="json")
    assert response.status_code == 200


def test_opting_out_stamps_the_time_and_opting_in_clears_it(api, alice):
    contact = make_contact(alice)
    stamped = api.patch(f"{URL}/{contact.id}", {"opted_out": True}, format="json").json()["data"]
    assert stamped["opted_out"] is True and stamped["opted_out_at"]
    again = api.patch(f"{URL}/{contact.id}", {"opted_out": True}, format="json").json()["data"]
    assert again["opted_out_at"] == stamped["opted_out_at"]
    back = api.patch(f"{URL}/{contact.id}", {"opted_out": False}, format="json").json()["data"]
    assert back["opted_out"] is False and back["opted_out_at"] is None


def test_opted_out_at_is_read_only(api, alice):
    contact = make_contact(alice)
    response = api.patch(
        f"{URL}/{contact.id}", {"opted_out_at": "2020-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["data"]["opted_out_at"] is None


def test_it_deletes_a_contact(api, alice):
    contact = make_contact(alice)
    response = api.delete(f"{URL}/{contact.id}")
    assert response.status_code == 204
    assert not Contact.objects.filter(pk=contact.id).exists()


def test_it_needs_an_api_key(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["success"] is False
