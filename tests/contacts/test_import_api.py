"""`POST /contacts/import`."""

from contacts.models import Contact
from tests.contacts.helpers import csv_upload
from tests.factories import make_contact, make_list

URL = "/api/v1/contacts/import"


def test_it_answers_counts_and_row_errors(api, alice):
    make_contact(alice, phone="+966501111111")
    upload = csv_upload("name,phone\nSara,+966501111111\nOmar,+966502222222\nBad,abc\n")
    response = api.post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {
            "created": 1,
            "updated": 1,
            "rejected": 1,
            "errors": [
                {
                    "row": 4,
                    "phone": "abc",
                    "reason": "'abc' is not a phone number; use the international format, "
                    "e.g. +966501234567.",
                }
            ],
        },
    }


def test_it_adds_the_imported_contacts_to_a_list(api, alice):
    contact_list = make_list(alice)
    upload = csv_upload("phone\n+966501111111\n")
    response = api.post(
        URL, {"file": upload, "list_id": contact_list.id, "type": "sms"}, format="multipart"
    )
    assert response.status_code == 200
    assert list(contact_list.contacts.values_list("type", flat=True)) == ["sms"]


def test_another_accounts_list_is_422_and_nothing_is_imported(api, bob):
    foreign = make_list(bob)
    upload = csv_upload("phone\n+966501111111\n")
    response = api.post(URL, {"file": upload, "list_id": foreign.id}, format="multipart")
    assert response.status_code == 422
    assert "list_id" in response.json()["errors"]
    assert not Contact.objects.exists()


def test_a_missing_file_is_422(api):
    response = api.post(URL, {"type": "whatsapp"}, format="multipart")
    assert response.status_code == 422
    assert "file" in response.json()["errors"]


def test_a_json_body_is_422(api):
    response = api.post(URL, {"file": "name,phone"}, format="json")
    assert response.status_code == 422


def test_a_file_without_a_phone_column_is_422_on_file(api):
    upload = csv_upload("name\nSara\n")
    response = api.post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 422
    assert "'phone' column" in response.json()["errors"]["file"][0]


def test_an_unknown_type_is_422(api):
    upload = csv_upload("phone\n+966501111111\n")
    response = api.post(URL, {"file": upload, "type": "fax"}, format="multipart")
    assert response.status_code == 422
    assert "type" in response.json()["errors"]


def test_imports_only_into_the_callers_account(bob_api, alice, bob):
    make_contact(alice, phone="+966501111111", name="Alice's")
    upload = csv_upload("phone,name\n+966501111111,Bob's\n")
    result = bob_api.post(URL, {"file": upload}, format="multipart").json()["data"]
    assert (result["created"], result["updated"]) == (1, 0)
    assert Contact.objects.get(account=alice).name == "Alice's"


def test_a_malformed_row_is_a_row_error(api, alice):
    upload = csv_upload("name,phone\nSara,+966501111111\nOmar,+966502222222,Jeddah\n")
    body = api.post(URL, {"file": upload}, format="multipart").json()["data"]
    assert (body["created"], body["rejected"]) == (1, 1)
    assert body["errors"][0]["row"] == 3
    assert not Contact.objects.filter(phone="+966502222222").exists()


def test_a_mapping_and_a_default_country_are_applied(api, alice):
    upload = csv_upload("Mobile,Who,Notes\n0551112234,Sara,call\n")
    mapping = '{"Who": "name", "Notes": "attribute:remark"}'
    response = api.post(
        URL,
        {"file": upload, "mapping": mapping, "default_country": "SA"},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    contact = Contact.objects.get(account=alice)
    assert (contact.phone, contact.name, contact.attributes) == (
        "+966551112234",
        "Sara",
        {"remark": "call"},
    )


def test_without_a_country_the_accounts_default_country_reads_local_numbers(api, alice):
    alice.default_country = "SA"
    alice.save()
    response = api.post(URL, {"file": csv_upload("phone\n0551112234\n")}, format="multipart")
    assert response.json()["data"]["created"] == 1
    assert Contact.objects.get(account=alice).phone == "+966551112234"


def test_a_bad_mapping_is_a_422_naming_it(api, alice):
    upload = csv_upload("phone,name\n+966501111111,Sara\n")
    for mapping, says in [
        ('{"Nope": "name"}', "No column is named 'Nope'"),
        ('{"name": "phone"}', "Only one column can be the phone."),
        ('{"name": "email"}', "'email' is not a target"),
        ('["phone"]', "Give an object"),
    ]:
        upload.seek(0)
        response = api.post(URL, {"file": upload, "mapping": mapping}, format="multipart")
        assert response.status_code == 422, response.content
        assert says in str(response.json()), response.json()
    assert not Contact.objects.exists()
