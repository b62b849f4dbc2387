"""The hot API reads cost a fixed, small number of queries (the benchmark's endpoints)."""

from tests.factories import make_contact


def test_a_campaign_costs_three_queries(api, create_campaign, django_assert_num_queries):
    campaign = create_campaign()
    api.get("/api/v1/account")  # the key's first use of the minute writes last_used
    # the key with its account, the campaign with its channel, its messages
    with django_assert_num_queries(3):
        assert api.get(f"/api/v1/campaigns/{campaign['id']}").status_code == 200


def test_a_campaigns_contacts_cost_four_queries(api, create_campaign, django_assert_num_queries):
    campaign = create_campaign()
    api.get("/api/v1/account")
    # the key, the campaign (its counters give the total), the page's ids, its rows
    with django_assert_num_queries(4):
        api.get(f"/api/v1/campaigns/{campaign['id']}/contacts", {"per_page": 100})


def test_a_page_of_100_contacts_costs_four_queries(api, alice, django_assert_num_queries):
    for n in range(120):
        make_contact(alice).tags.create(account=alice, name=f"t{n}")
    api.get("/api/v1/account")
    # the key, the count, the page, the page's tags
    with django_assert_num_queries(4):
        body = api.get("/api/v1/contacts", {"per_page": 100}).json()
    assert len(body["data"]) == 100 and body["meta"]["total"] == 120
    assert all(len(row["tags"]) == 1 for row in body["data"])


def test_a_page_of_a_campaigns_contacts_chooses_its_ids_first(api, create_campaign):
    """Ids first: a query of ids only (PostgreSQL takes them from the (campaign, id)
    index), then the rows of those ids with their contacts, by primary key."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    campaign = create_campaign()
    api.get("/api/v1/account")
    for params in ({"per_page": 2}, {"per_page": 2, "page": 2}):
        with CaptureQueriesContext(connection) as captured:
            body = api.get(f"/api/v1/campaigns/{campaign['id']}/contacts", params).json()
        ids_sql, rows_sql = (query["sql"] for query in captured.captured_queries[-2:])
        assert "contacts_contact" not in ids_sql and "LIMIT" in ids_sql
        assert "contacts_contact" in rows_sql and "LIMIT" not in rows_sql
        assert len(body["data"]) == 2
