"""List endpoints: the query count does not grow with the page size; per_page is clamped."""

import pytest

from contacts.models import Segment
from tests.conftest import make_contact
from tests.contacts.conftest import make_list, tagged_contact


@pytest.fixture
def many(alice):
    contacts = [tagged_contact(alice, "vip", f"t{n % 3}") for n in range(60)]
    for n in range(60):
        make_list(alice, *contacts[: n % 5], name=f"list {n}")
    Segment.objects.create(
        account=alice,
        name="VIP",
        rules={"match": "all", "conditions": [{"field": "tags", "op": "eq", "value": "vip"}]},
    )
    return contacts


def queries_for(api, django_assert_max_num_queries, url, per_page) -> int:
    api.get(url, {"per_page": 1})  # warm up: API key last_used, throttle cache
    with django_assert_max_num_queries(50) as captured:
        response = api.get(url, {"per_page": per_page})
    assert response.status_code == 200
    assert len(response.json()["data"]) == per_page
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", ["/api/v1/contacts", "/api/v1/lists"])
def test_the_query_count_is_the_same_at_5_and_50_per_page(
    api, many, django_assert_max_num_queries, django_assert_num_queries, url
):
    at_five = queries_for(api, django_assert_max_num_queries, url, 5)
    with django_assert_num_queries(at_five):
        response = api.get(url, {"per_page": 50})
    assert len(response.json()["data"]) == 50


def test_segment_members_query_count_is_the_same_at_5_and_50(
    api, alice, many, django_assert_max_num_queries, django_assert_num_queries
):
    url = f"/api/v1/segments/{Segment.objects.get().id}/contacts"
    at_five = queries_for(api, django_assert_max_num_queries, url, 5)
    with django_assert_num_queries(at_five):
        api.get(url, {"per_page": 50})


def test_lists_count_members_in_the_listing_query(api, alice):
    first, second = make_contact(alice), make_contact(alice)
    make_list(alice, first, second, name="two")
    make_list(alice, name="none")
    rows = api.get("/api/v1/lists").json()["data"]
    assert {row["name"]: row["contacts_count"] for row in rows} == {"two": 2, "none": 0}


@pytest.mark.parametrize(("asked", "per_page"), [("1000", 100), ("0", 1), ("-5", 1), (None, 25)])
def test_per_page_is_clamped(api, alice, asked, per_page):
    for _ in range(3):
        make_contact(alice)
    params = {} if asked is None else {"per_page": asked}
    meta = api.get("/api/v1/contacts", params).json()["meta"]
    assert meta["per_page"] == per_page
    assert meta["total"] == 3


def test_a_page_past_the_end_is_empty_with_meta(api, alice):
    make_contact(alice)
    body = api.get("/api/v1/contacts", {"page": 5}).json()
    assert body["data"] == []
    assert body["meta"] == {"current_page": 5, "per_page": 25, "total": 1, "last_page": 1}


def test_pages_walk_through_every_contact_once(api, alice):
    made = {make_contact(alice).id for _ in range(7)}
    seen = []
    for page in (1, 2, 3):
        seen += [
            row["id"]
            for row in api.get("/api/v1/contacts", {"per_page": 3, "page": page}).json()["data"]
        ]
    assert sorted(seen) == sorted(made)
