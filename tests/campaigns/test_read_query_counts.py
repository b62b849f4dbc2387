"""The hot API reads cost a fixed, small number of queries (the benchmark's endpoints)."""

from tests.factories import make_contact


def test_a_campaign_costs_three_queries(api, create_campaign, django_assert_num_queries):
    campaign = create_campaign()
    api.get("/api/v1/account")  # the key's first use of the minute writes last_used
    # the key with its account, the campaign with its channel, its messages
    with django_assert_num_queries(3):
        assert api.get(f"/api/v1/campaigns/{campaign['id']}").status_code == 200


def test_a_campaigns_contacts_cost_three_queries(api, create_campaign, django_assert_num_queries):
    campaign = create_campaign()
    api.get("/api/v1/account")
    # the key, the campaign (its counters give the total), one page of rows
    with django_assert_num_queries(3):
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


def test_a_page_of_a_campaigns_contacts_chooses_its_ids_in_an_inner_query(
    api, create_campaign, django_assert_num_queries
):
    """Ids first: the inner query reads only ids (PostgreSQL takes them from the
    (campaign, id) index) and the outer one joins the contacts of those ids only."""
    campaign = create_campaign()
    api.get("/api/v1/account")
    for params in ({"per_page": 2}, {"per_page": 2, "page": 2}):
        with django_assert_num_queries(3) as captured:
            api.get(f"/api/v1/campaigns/{campaign['id']}/contacts", params)
        page_sql = captured.captured_queries[-1]["sql"]
        inner = page_sql[page_sql.index("IN (SELECT") :]
        assert "contacts_contact" in page_sql[: page_sql.index("IN (SELECT")]
        assert "LIMIT" in inner and "contacts_contact" not in inner
