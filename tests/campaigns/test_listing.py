"""GET /campaigns and GET /campaigns/{id}/contacts: filters, pages, cursors, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import services
from campaigns.models import Campaign, CampaignContact
from tests.campaigns.helpers import TEXT
from tests.factories import make_channel, make_contact


def queries_for(api, path) -> int:
    api.get(path)  # the first request of a key records its use; count the steady state
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def three(alice, channel, contacts):
    """Three campaigns: a running 'Spring sale', a draft 'Autumn' on a second channel, a draft."""
    second = make_channel(alice, name="Second number", type="whatsapp")
    made = [
        services.campaign_create(
            account=alice, name=name, channel=chan, messages=TEXT, contact_ids=[contacts[0].pk]
        )
        for name, chan in [("Spring sale", channel), ("Autumn", second), ("Spring news", channel)]
    ]
    services.campaign_start(campaign=made[0])
    return made


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["data"]]


def test_the_list_is_newest_first_with_meta(api, three):
    response = api.get("/api/v1/campaigns")
    assert names(response) == ["Spring news", "Autumn", "Spring sale"]
    assert response.json()["meta"] == {
        "current_page": 1,
        "per_page": 25,
        "total": 3,
        "last_page": 1,
    }


def test_the_list_filters_by_status_channel_and_search(api, three):
    assert names(api.get("/api/v1/campaigns?status=running")) == ["Spring sale"]
    assert names(api.get(f"/api/v1/campaigns?channel_id={three[1].channel_id}")) == ["Autumn"]
    assert names(api.get("/api/v1/campaigns?search=spring")) == ["Spring news", "Spring sale"]
    assert names(api.get("/api/v1/campaigns?status=draft&search=SPRING")) == ["Spring news"]


@pytest.mark.parametrize("query", ["status=finished", "channel_id=abc"])
def test_a_bad_filter_is_422(api, three, query):
    response = api.get(f"/api/v1/campaigns?{query}")
    assert response.status_code == 422
    assert query.split("=")[0] in response.json()["errors"]


def test_per_page_is_clamped_to_100(api, three):
    meta = api.get("/api/v1/campaigns?per_page=1000").json()["meta"]
    assert meta["per_page"] == 100
    page = api.get("/api/v1/campaigns?per_page=2&page=2")
    assert names(page) == ["Spring sale"]
    assert page.json()["meta"]["last_page"] == 2


def test_listing_campaigns_takes_the_same_queries_for_any_page_size(api, three):
    assert queries_for(api, "/api/v1/campaigns?per_page=1") == queries_for(
        api, "/api/v1/campaigns?per_page=100"
    )


@pytest.fixture
def big(alice, channel):
    """A campaign of 12 contacts: the first four sent, the fifth failed."""
    people = [make_contact(alice, name=f"P{i:02}") for i in range(12)]
    campaign = services.campaign_create(
        account=alice,
        name="Big",
        channel=channel,
        messages=TEXT,
        contact_ids=[p.pk for p in people],
    )
    rows = CampaignContact.objects.filter(campaign=campaign).order_by("id")
    ids = list(rows.values_list("id", flat=True))
    rows.filter(id__in=ids[:4]).update(status="sent")
    rows.filter(id=ids[4]).update(status="failed", error="Invalid number")
    Campaign.objects.filter(pk=campaign.pk).update(sent_count=4, failed_count=1, pending_count=7)
    return campaign, ids


def contact_ids_of(response) -> list[int]:
    return [row["id"] for row in response.json()["data"]]


def test_contacts_come_in_id_order_with_page_numbers(api, big):
    campaign, ids = big
    first = api.get(f"/api/v1/campaigns/{campaign.pk}/contacts?per_page=5")
    assert contact_ids_of(first) == ids[:5]
    meta = first.json()["meta"]
    assert {k: meta[k] for k in ("current_page", "per_page", "total", "last_page")} == {
        "current_page": 1,
        "per_page": 5,
        "total": 12,
        "last_page": 3,
    }
    third = api.get(f"/api/v1/campaigns/{campaign.pk}/contacts?per_page=5&page=3")
    assert contact_ids_of(third) == ids[10:]
    assert third.json()["meta"]["next_cursor"] is None
    beyond = api.get(f"/api/v1/campaigns/{campaign.pk}/contacts?per_page=5&page=9")
    assert beyond.json()["data"] == []


def test_the_cursor_walks_every_contact_once(api, big):
    campaign, ids = big
    seen, path = [], f"/api/v1/campaigns/{campaign.pk}/contacts?per_page=5"
    first = api.get(path)
    seen += contact_ids_of(first)
    cursor = first.json()["meta"]["next_cursor"]
    while cursor:
        page = api.get(f"{path}&cursor={cursor}")
        assert page.status_code == 200
        seen += contact_ids_of(page)
        cursor = page.json()["meta"]["next_cursor"]
    assert seen == ids


def test_the_cursor_keeps_the_status_filter(api, big):
    campaign, ids = big
    path = f"/api/v1/campaigns/{campaign.pk}/contacts?status=pending&per_page=4"
    first = api.get(path)
    assert contact_ids_of(first) == ids[5:9]
    assert first.json()["meta"]["total"] == 7
    second = api.get(f"{path}&cursor={first.json()['meta']['next_cursor']}")
    assert contact_ids_of(second) == ids[9:]


@pytest.mark.parametrize("status, expected", [("sent", 4), ("failed", 1), ("pending", 7)])
def test_contacts_filter_by_status_with_totals_from_the_counters(api, big, status, expected):
    campaign, _ = big
    response = api.get(f"/api/v1/campaigns/{campaign.pk}/contacts?status={status}")
    assert [row["status"] for row in response.json()["data"]] == [status] * expected
    assert response.json()["meta"]["total"] == expected


@pytest.mark.parametrize("query", ["status=delivered", "cursor=not-a-cursor", "cursor=YWZ0ZXI6"])
def test_bad_contact_queries_are_422(api, big, query):
    campaign, _ = big
    response = api.get(f"/api/v1/campaigns/{campaign.pk}/contacts?{query}")
    assert response.status_code == 422
    assert query.split("=")[0] in response.json()["errors"]


@pytest.mark.parametrize("extra", ["", "&page=2", "&cursor=YWZ0ZXI6Mw", "&status=sent"])
def test_contacts_take_the_same_queries_for_any_page_size(api, big, extra):
    """No query per row: one row or six (page 2 of 12 holds rows either way)."""
    campaign, _ = big
    path = f"/api/v1/campaigns/{campaign.pk}/contacts?{extra}"
    assert queries_for(api, f"{path}&per_page=1") == queries_for(api, f"{path}&per_page=6")


def test_getting_a_campaign_takes_a_fixed_number_of_queries(api, big):
    campaign, _ = big
    # key, campaign with its channel, its messages
    assert queries_for(api, f"/api/v1/campaigns/{campaign.pk}") == 3
    # key, campaign, the page's ids, its rows with their contacts
    assert queries_for(api, f"/api/v1/campaigns/{campaign.pk}/contacts") == 4
