"""`/segments`, `/segments/{id}` and `/segments/{id}/contacts`."""

from contacts.models import Segment
from tests.factories import make_contact, make_list, tagged_contact

URL = "/api/v1/segments"
VIP = {"match": "all", "conditions": [{"field": "tags", "op": "contains", "value": "vip"}]}


def test_it_creates_a_segment_with_cleaned_rules(api, alice):
    rules = {
        "match": "any",
        "conditions": [{"field": "phone", "op": "eq", "value": "966501234567"}],
    }
    response = api.post(URL, {"name": "One phone", "rules": rules}, format="json")
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["rules"]["conditions"][0]["value"] == "+966501234567"
    assert Segment.objects.get(pk=data["id"]).account == alice


def test_invalid_rules_are_422_naming_the_condition(api):
    rules = {"match": "all", "conditions": [{"field": "tags", "op": "before", "value": "x"}]}
    response = api.post(URL, {"name": "Bad", "rules": rules}, format="json")
    assert response.status_code == 422
    assert "rules.conditions.0.op" in response.json()["errors"]
    assert not Segment.objects.exists()


def test_name_and_rules_are_required(api):
    response = api.post(URL, {}, format="json")
    assert response.status_code == 422
    assert {"name", "rules"} <= set(response.json()["errors"])


def test_a_list_of_another_account_is_422(api, bob):
    foreign = make_list(bob)
    rules = {"match": "all", "conditions": [{"field": "list", "op": "eq", "value": foreign.id}]}
    response = api.post(URL, {"name": "Theirs", "rules": rules}, format="json")
    assert response.status_code == 422
    assert "rules.conditions.0.value" in response.json()["errors"]


def test_it_lists_only_the_accounts_segments(api, alice, bob):
    mine = Segment.objects.create(account=alice, name="Mine", rules=VIP)
    Segment.objects.create(account=bob, name="Theirs", rules=VIP)
    response = api.get(URL)
    assert [row["id"] for row in response.json()["data"]] == [mine.id]


def test_patch_revalidates_new_rules(api, alice):
    segment = Segment.objects.create(account=alice, name="VIP", rules=VIP)
    bad = api.patch(f"{URL}/{segment.id}", {"rules": {"match": "every"}}, format="json")
    assert bad.status_code == 422
    good = api.patch(f"{URL}/{segment.id}", {"name": "Renamed"}, format="json")
    assert good.json()["data"]["name"] == "Renamed"
    segment.refresh_from_db()
    assert segment.rules == VIP


def test_it_deletes_a_segment(api, alice):
    segment = Segment.objects.create(account=alice, name="VIP", rules=VIP)
    assert api.delete(f"{URL}/{segment.id}").status_code == 204
    assert not Segment.objects.exists()


def test_it_pages_the_current_members(api, alice):
    vips = [tagged_contact(alice, "vip") for _ in range(3)]
    tagged_contact(alice, "other")
    segment = Segment.objects.create(account=alice, name="VIP", rules=VIP)
    response = api.get(f"{URL}/{segment.id}/contacts", {"per_page": 2})
    body = response.json()
    assert response.status_code == 200
    assert [row["id"] for row in body["data"]] == [vips[2].id, vips[1].id]
    assert body["data"][0]["tags"] == ["vip"]
    assert body["meta"] == {"current_page": 1, "per_page": 2, "total": 3, "last_page": 2}
    new_vip = tagged_contact(alice, "vip")
    again = api.get(f"{URL}/{segment.id}/contacts").json()
    assert again["meta"]["total"] == 4 and again["data"][0]["id"] == new_vip.id


def test_another_accounts_segment_is_404_everywhere(api, bob):
    make_contact(bob)
    segment = Segment.objects.create(account=bob, name="Theirs", rules=VIP)
    for method, path in [
        ("get", ""),
        ("patch", ""),
        ("put", ""),
        ("delete", ""),
        ("get", "/contacts"),
    ]:
        response = getattr(api, method)(f"{URL}/{segment.id}{path}", {"name": "x"}, format="json")
        assert response.status_code == 404, (method, path)
    assert Segment.objects.get(pk=segment.id).name == "Theirs"


def test_members_can_be_filtered_like_contacts(api, alice):
    reachable = tagged_contact(alice, "vip", name="Sara")
    tagged_contact(alice, "vip", name="Omar", opted_out=True)
    segment = Segment.objects.create(account=alice, name="VIP", rules=VIP)
    url = f"/api/v1/segments/{segment.id}/contacts"
    rows = api.get(url, {"opted_out": "false"}).json()["data"]
    assert [row["id"] for row in rows] == [reachable.id]
    assert api.get(url, {"type": "fax"}).status_code == 422
