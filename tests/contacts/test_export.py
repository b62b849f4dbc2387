"""`GET /contacts/export`: the listing's filters, streamed as CSV with tags and attributes."""

import csv
import io

from tests.factories import make_list, tagged_contact


def read_csv(response) -> list[dict]:
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_it_exports_fields_tags_and_attributes(api, alice, bob):
    sara = tagged_contact(alice, "vip", "ksa", name="Sara", attributes={"city": "Riyadh"})
    tagged_contact(bob, "vip", name="Not alice's")

    rows = read_csv(api.get("/api/v1/contacts/export"))

    assert rows == [
        {
            "id": str(sara.pk),
            "name": "Sara",
            "phone": "'" + sara.phone,
            "type": "whatsapp",
            "external_id": "",
            "opted_out": "false",
            "opted_out_at": "",
            "created_at": sara.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "tags": "ksa;vip",
            "attributes": '{"city": "Riyadh"}',
        }
    ]


def test_it_takes_the_listings_filters(api, alice):
    tagged_contact(alice, "vip", name="Vip")
    listed = tagged_contact(alice, name="Listed")
    tagged_contact(alice, name="Other", opted_out=True)
    contact_list = make_list(alice, [listed])

    def names(query):
        return [row["name"] for row in read_csv(api.get(f"/api/v1/contacts/export?{query}"))]

    assert names("tag=vip") == ["Vip"]
    assert names("opted_out=true") == ["Other"]
    assert names("search=list") == ["Listed"]
    assert names(f"list_id={contact_list.pk}") == ["Listed"]


def test_a_bad_filter_is_422(api):
    response = api.get("/api/v1/contacts/export?type=fax")
    assert response.status_code == 422
    assert "type" in response.json()["errors"]


def test_attribute_values_that_look_like_formulas_are_neutralised(api, alice):
    tagged_contact(alice, "=cmd", name="@evil", attributes={"note": "x"})
    row = read_csv(api.get("/api/v1/contacts/export"))[0]
    assert row["name"] == "'@evil" and row["tags"] == "'=cmd"


def test_the_openapi_document_lists_both_exports_as_csv(client):
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    for path in ("/api/v1/contacts/export", "/api/v1/campaigns/{id}/contacts/export"):
        content = paths[path]["get"]["responses"]["200"]["content"]
        assert "text/csv" in content and content["text/csv"]["examples"]
