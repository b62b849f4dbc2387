"""Odd input anywhere in the contacts API is answered in the envelope, never with a 500."""

import pytest

from contacts.models import Segment
from tests.contacts.helpers import csv_upload
from tests.factories import make_contact, make_list


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/contacts", {"search": "a\x00b"}),
        ("/api/v1/contacts", {"tag": "a\x00b"}),
        ("/api/v1/contacts", {"search": "x" * 300}),
        ("/api/v1/lists", {"search": "a\x00b"}),
        ("/api/v1/segments", {"search": "a\x00b"}),
    ],
)
def test_bad_filter_values_are_422(api, alice, url, params):
    make_contact(alice)
    response = api.get(url, params)
    assert response.status_code == 422
    assert response.json()["success"] is False


# A page that is not a whole number ("x") is 422: see tests/foundation/test_conventions.py.
@pytest.mark.parametrize("page", ["99999999999999999999", "-1", "0"])
def test_odd_page_numbers_answer_a_page(api, alice, page):
    make_contact(alice)
    response = api.get("/api/v1/contacts", {"page": page})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        '"text"',
        "null",
        '{"phone": "+966501111111", "attributes": {"n": NaN}}',
        '{"phone": "+966501111111", "name": "\\u0000"}',
    ],
)
def test_odd_json_bodies_are_422(api, body):
    response = api.post("/api/v1/contacts", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["success"] is False


def test_membership_changes_without_a_body_are_422(api, alice):
    contact_list = make_list(alice)
    response = api.delete(f"/api/v1/lists/{contact_list.id}/contacts")
    assert response.status_code == 422
    assert "contact_ids" in response.json()["errors"]


def test_an_oversized_contact_id_is_422(api, alice):
    contact_list = make_list(alice)
    response = api.post(
        f"/api/v1/lists/{contact_list.id}/contacts", {"contact_ids": [2**70]}, format="json"
    )
    assert response.status_code == 422


@pytest.mark.parametrize("list_id", ["abc", "0", str(2**70)])
def test_a_malformed_import_list_id_is_422(api, list_id):
    upload = csv_upload("phone\n+966501111111\n")
    response = api.post(
        "/api/v1/contacts/import", {"file": upload, "list_id": list_id}, format="multipart"
    )
    assert response.status_code == 422
    assert "list_id" in response.json()["errors"]


def test_a_binary_upload_is_422(api):
    upload = csv_upload("")
    upload.write(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00")
    upload.seek(0)
    response = api.post("/api/v1/contacts/import", {"file": upload}, format="multipart")
    assert response.status_code == 422
    assert "file" in response.json()["errors"]


def test_a_segment_with_deep_junk_rules_is_422(api):
    rules = {
        "match": "all",
        "conditions": [{"field": {"a": [1, {"b": None}]}, "op": [], "value": {}}],
    }
    response = api.post("/api/v1/segments", {"name": "x", "rules": rules}, format="json")
    assert response.status_code == 422
    assert not Segment.objects.exists()


def test_wrong_methods_are_405_in_the_envelope(api, alice):
    contact_list = make_list(alice)
    assert (
        api.put(f"/api/v1/lists/{contact_list.id}/contacts", {}, format="json").status_code == 405
    )
    response = api.get("/api/v1/contacts/import")
    assert response.status_code == 405
    assert response.json()["success"] is False
