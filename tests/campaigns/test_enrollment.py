"""Enrollment: the union of ids, lists and segments, de-duplicated, minus exclusions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import services
from campaigns.models import Campaign, CampaignContact
from contacts.models import Segment
from tests.campaigns.helpers import TEXT
from tests.factories import make_channel, make_contact, make_list

VIP = {"match": "all", "conditions": [{"field": "name", "op": "contains", "value": "VIP"}]}


def enrolled_ids(campaign_id) -> list[int]:
    rows = CampaignContact.objects.filter(campaign_id=campaign_id)
    return sorted(rows.values_list("contact_id", flat=True))


@pytest.fixture
def crowd(alice):
    """Alice's contacts: plain, VIP, opted out, on Telegram, and both of the last two."""
    return {
        "a": make_contact(alice, name="Ann"),
        "b": make_contact(alice, name="Bo"),
        "vip": make_contact(alice, name="VIP Vera"),
        "vip_out": make_contact(alice, name="VIP Omar", opted_out=True),
        "out": make_contact(alice, name="Olga", opted_out=True),
        "tg": make_contact(alice, name="Tariq", type="telegram"),
        "tg_out": make_contact(alice, name="Tom", type="telegram", opted_out=True),
    }


def test_the_union_of_ids_lists_and_segments_is_enrolled_once_each(alice, channel, crowd):
    first = make_list(alice, [crowd["a"], crowd["b"], crowd["out"]], "First")
    second = make_list(alice, [crowd["b"], crowd["vip"], crowd["tg"]], "Second")
    segment = Segment.objects.create(account=alice, name="VIPs", rules=VIP)

    campaign = services.campaign_create(
        account=alice,
        name="Union",
        channel=channel,
        messages=TEXT,
        contact_ids=[crowd["a"].pk, crowd["vip"].pk, crowd["tg_out"].pk],
        list_ids=[first.pk, second.pk],
        segment_ids=[segment.pk],
    )

    assert enrolled_ids(campaign.pk) == sorted([crowd["a"].pk, crowd["b"].pk, crowd["vip"].pk])
    # ids: a, vip, tg_out (3); lists: a, b, out + b, vip, tg (6); segment: vip, vip_out (2)
    assert campaign.enrollment == {
        "requested": 11,
        "enrolled": 3,
        "duplicates": 4,  # a, b, vip twice more, once each, and vip a third time
        "opted_out": 3,  # out, vip_out, tg_out (opted out counts before the type)
        "incompatible": 1,  # tg
        "suppressed": 0,
    }
    assert (campaign.total_contacts, campaign.pending_count) == (3, 3)


@pytest.mark.parametrize(
    "excluded, summary_key", [("out", "opted_out"), ("tg", "incompatible"), ("tg_out", "opted_out")]
)
def test_each_exclusion_is_left_out_and_counted(create_campaign, crowd, excluded, summary_key):
    data = create_campaign(contact_ids=[crowd["a"].pk, crowd[excluded].pk])
    assert enrolled_ids(data["id"]) == [crowd["a"].pk]
    assert data["enrollment"][summary_key] == 1
    assert data["enrollment"]["enrolled"] == 1
    assert data["total_contacts"] == 1


def test_a_contact_in_several_lists_is_enrolled_once(alice, create_campaign, crowd):
    lists = [make_list(alice, [crowd["a"], crowd["b"]], f"L{i}") for i in range(3)]
    data = create_campaign(contact_ids=[], list_ids=[lst.pk for lst in lists])
    assert enrolled_ids(data["id"]) == sorted([crowd["a"].pk, crowd["b"].pk])
    assert data["enrollment"] == {
        "requested": 6,
        "enrolled": 2,
        "duplicates": 4,
        "opted_out": 0,
        "incompatible": 0,
        "suppressed": 0,
        "open_window": None,  # the console channel has no 24-hour window
        "warnings": [],
    }


def test_segment_members_are_enrolled(alice, create_campaign, crowd):
    segment = Segment.objects.create(account=alice, name="VIPs", rules=VIP)
    data = create_campaign(contact_ids=[], segment_ids=[segment.pk])
    assert enrolled_ids(data["id"]) == [crowd["vip"].pk]
    assert data["enrollment"]["opted_out"] == 1


def test_a_telegram_campaign_enrolls_telegram_contacts_only(api, alice, crowd):
    telegram = make_channel(alice, name="Bot", type="telegram", provider="console")
    campaign = services.campaign_create(
        account=alice,
        name="TG",
        channel=telegram,
        messages=TEXT,
        contact_ids=[c.pk for c in crowd.values()],
    )
    assert enrolled_ids(campaign.pk) == [crowd["tg"].pk]
    assert campaign.enrollment["incompatible"] == 3  # a, b and vip are on WhatsApp
    assert campaign.enrollment["opted_out"] == 3


def test_enrollment_never_reaches_another_accounts_contacts(alice, bob, channel, crowd):
    bobs = make_contact(bob, name="Bob's friend")
    bobs_list = make_list(bob, [bobs], "Bob's")
    campaign = services.campaign_create(
        account=alice,
        name="Sneaky",
        channel=channel,
        messages=TEXT,
        contact_ids=[crowd["a"].pk, bobs.pk],
        list_ids=[bobs_list.pk],
    )
    assert enrolled_ids(campaign.pk) == [crowd["a"].pk]


def test_the_preview_gives_the_same_counts_and_writes_nothing(alice, channel, crowd):
    first = make_list(alice, [crowd["a"], crowd["b"], crowd["out"]], "First")
    selection = dict(
        contact_ids=[crowd["a"].pk, crowd["tg"].pk], list_ids=[first.pk], segment_ids=[]
    )

    preview = services.enrollment_preview(account=alice, channel=channel, **selection)

    assert not Campaign.objects.exists()
    campaign = services.campaign_create(
        account=alice, name="Real", channel=channel, messages=TEXT, **selection
    )
    assert (
        preview
        == campaign.enrollment
        == {
            "requested": 5,
            "enrolled": 2,
            "duplicates": 1,
            "opted_out": 1,
            "incompatible": 1,
            "suppressed": 0,
        }
    )


def _enrollment_queries(alice, channel, size) -> list[str]:
    contacts = [make_contact(alice, name=f"N{size}-{i}") for i in range(size)]
    contact_list = make_list(alice, contacts, f"Size {size}")
    with CaptureQueriesContext(connection) as queries:
        services.campaign_create(
            account=alice, name="Q", channel=channel, messages=TEXT, list_ids=[contact_list.pk]
        )
    return [query["sql"] for query in queries]


def test_enrollment_is_one_insert_select_whatever_the_number_of_contacts(alice, channel):
    small = _enrollment_queries(alice, channel, 3)
    large = _enrollment_queries(alice, channel, 300)

    assert len(small) == len(large)
    inserts = [sql for sql in large if sql.startswith('INSERT INTO "campaigns_campaigncontact"')]
    assert len(inserts) == 1
    assert " SELECT " in inserts[0]
    assert CampaignContact.objects.count() == 303
