"""Listing pages cost the same number of queries for a few rows as for a full page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.services import campaign_start
from tests.factories import make_campaign, make_channel, make_contact, make_list


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grows(client, url, add_rows) -> tuple[int, int]:
    client.get(url)  # the session's first page also stores its language choice
    few = _queries(client, url)
    add_rows()
    return few, _queries(client, url)


@pytest.mark.django_db
def test_the_campaign_list(web, alice):
    channel = make_channel(alice)
    campaign_start(campaign=make_campaign(alice, size=1, channel=channel, name="First"))

    def more():
        for i in range(8):
            make_campaign(alice, size=1, channel=channel, name=f"Campaign {i}")

    few, many = _grows(web, reverse("dashboard:campaigns"), more)
    assert few == many


@pytest.mark.django_db
def test_the_contact_list(web, alice):
    make_contact(alice, name="First")

    def more():
        for i in range(20):
            contact = make_contact(alice, name=f"Contact {i}")
            contact.tags.create(account=alice, name=f"tag{i}")

    few, many = _grows(web, reverse("dashboard:contacts"), more)
    assert few == many


@pytest.mark.django_db
def test_the_lists_page(web, alice):
    make_list(alice, [make_contact(alice)], name="First")

    def more():
        for i in range(10):
            make_list(alice, [make_contact(alice)], name=f"List {i}")

    few, many = _grows(web, reverse("dashboard:lists"), more)
    assert few == many


@pytest.mark.django_db
def test_the_campaign_contacts_table(web, alice):
    small = make_campaign(alice, size=2, name="Small")
    big = make_campaign(alice, size=25, name="Big", channel=small.channel)
    web.get(reverse("dashboard:campaign_detail", args=[small.pk]))  # the session's first page
    few = _queries(web, reverse("dashboard:campaign_detail", args=[small.pk]))
    many = _queries(web, reverse("dashboard:campaign_detail", args=[big.pk]))
    assert few == many


@pytest.mark.django_db
def test_the_segments_page(web, alice):
    from tests.factories import make_segment

    make_segment(alice, name="First")

    def more():
        for i in range(10):
            make_segment(alice, name=f"Segment {i}")

    few, many = _grows(web, reverse("dashboard:segments"), more)
    assert few == many


@pytest.mark.django_db
def test_a_poll_of_the_live_region_reads_no_contact_rows(web, alice):
    from django.db import connection as conn

    campaign = make_campaign(alice, size=3)
    url = reverse("dashboard:campaign_detail", args=[campaign.pk])
    with CaptureQueriesContext(conn) as captured:
        web.get(url)
    assert [q for q in captured if "campaigns_campaigncontact" in q["sql"]]
    assert [q for q in captured if "campaigns_campaignday" in q["sql"]]
    with CaptureQueriesContext(conn) as captured:
        web.get(url, HTTP_HX_REQUEST="true")
    assert not [q for q in captured if "campaigns_campaigncontact" in q["sql"]]
    with CaptureQueriesContext(conn) as captured:
        web.get(url + "?status=pending", HTTP_HX_REQUEST="true")
    assert not [q for q in captured if "campaigns_campaignday" in q["sql"]]
