"""Pages that stay fast on large accounts: fixed query counts, counters, estimates.

The timing itself is measured by benchmarks/bench_dashboard.py; these tests pin what
makes it possible (how many queries, which figures are read instead of counted) and
that the shortcuts give the same answers as counting.
"""

import pytest
from django.db import connection
from django.urls import reverse

from campaigns import enrollment_estimate
from campaigns.models import Campaign
from contacts import services
from contacts.filters import ContactFilter
from contacts.models import Contact, ContactList
from skylight import counting
from tests.dashboard.helpers import htmx
from tests.factories import make_channel, make_contact, make_list

# session, user, account (middleware), accounts menu (whole pages) + the page's own
# Each page also reads the session, the user, the account and the user's language.
PAGE_QUERIES = {
    "contacts": 11,  # capped count, page ids, page rows, their tags, filter tags and lists
    "contacts_search": 8,  # region only: capped count, page ids, page rows, their tags
    "list": 9,  # the list, member ids from the index, page rows, their tags
    "lists": 6,  # the lists with their counters
}


@pytest.fixture
def crowd(alice):
    contacts = [make_contact(alice, name=f"Person {n}") for n in range(30)]
    return contacts, make_list(alice, contacts, name="Crowd")


@pytest.mark.django_db
def test_contacts_page_queries(web, crowd, django_assert_num_queries):
    with django_assert_num_queries(PAGE_QUERIES["contacts"]):
        assert web.get(reverse("dashboard:contacts")).status_code == 200
    with django_assert_num_queries(PAGE_QUERIES["contacts_search"]):
        htmx(web, "get", reverse("dashboard:contacts"), {"search": "person 1"})


@pytest.mark.django_db
def test_list_pages_read_the_counter_and_walk_the_membership_index(
    web, crowd, django_assert_num_queries
):
    _, crowd_list = crowd
    ContactList.objects.filter(pk=crowd_list.pk).update(members_count=31)  # proves the source
    with django_assert_num_queries(PAGE_QUERIES["lists"]):
        page = web.get(reverse("dashboard:lists")).content.decode()
    assert ">31<" in page
    with django_assert_num_queries(PAGE_QUERIES["list"]):
        page = web.get(reverse("dashboard:list_detail", args=[crowd_list.pk])).content.decode()
    assert "Person 29" in page and "Person 4<" not in page  # newest first, 25 a page
    assert "Page 1 of 2 · 31 total" in page


@pytest.mark.django_db
def test_a_list_search_pages_through_matching_members_only(web, alice, crowd):
    _, crowd_list = crowd
    noors = [make_contact(alice, name=f"Noor {letter}") for letter in "ABC"]
    services.list_add_contacts(contact_list=crowd_list, contact_ids=[c.pk for c in noors])
    make_contact(alice, name="Noor Outsider")
    url = reverse("dashboard:list_detail", args=[crowd_list.pk])
    page = htmx(web, "get", url, {"search": "noor"}).content.decode()
    assert all(f"Noor {letter}<" in page for letter in "ABC")
    assert "Outsider" not in page and "Person" not in page


@pytest.mark.django_db
def test_totals_above_the_cap_are_estimated_on_postgresql(web, crowd, monkeypatch):
    monkeypatch.setattr(counting, "EXACT_UP_TO", 10)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE contacts_contact")  # the estimate reads statistics
    page = web.get(reverse("dashboard:contacts")).content.decode()
    if connection.vendor == "postgresql":
        assert "about 30 total" in page
    else:
        assert "Page 1 of 2 · 30 total" in page
    assert counting.total_of(Contact.objects.all(), cap=100) == counting.Total(30, True)


SEARCHES = ["person 1", "PERSON 2", "5000", "+9665", "966 5", "zzz", "Person 29"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_search_results_are_the_same_with_and_without_the_trigram_index(alice, crowd):
    def found(term):
        rows = ContactFilter({"search": term}, queryset=Contact.objects.filter(account=alice))
        return sorted(rows.qs.values_list("pk", flat=True))

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a tiny table would skip the index
        indexed = {term: found(term) for term in SEARCHES}
        searched = ContactFilter({"search": "5000"}, queryset=Contact.objects.all()).qs
        plan = searched.order_by().explain()
        cursor.execute("SET enable_seqscan = on")
        cursor.execute("SET enable_bitmapscan = off")
        cursor.execute("SET enable_indexscan = off")
        scanned = {term: found(term) for term in SEARCHES}
        cursor.execute("RESET ALL")
    assert "contact_phone_trgm" in plan and "contact_name_trgm" in plan
    assert indexed == scanned
    assert indexed["person 1"] and indexed["zzz"] == []


def _fix_the_sample(seed: float) -> None:
    """The estimate samples with PostgreSQL's random(): seeded, its bounds cannot flake."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_large_preview_is_estimated_and_labelled_and_creating_counts_exactly(
    web, alice, monkeypatch
):
    monkeypatch.setattr(enrollment_estimate, "ESTIMATE_ABOVE", 100)
    _fix_the_sample(0.42)
    channel = make_channel(alice)
    contacts = [make_contact(alice) for _ in range(300)]
    for contact in contacts[::10]:
        contact.opted_out = True
        contact.save()
    first, second = make_list(alice, contacts[:200], "A"), make_list(alice, contacts[100:], "B")
    data = {"channel": channel.pk, "lists": [first.pk, second.pk]}
    page = htmx(web, "post", reverse("dashboard:campaign_preview"), data).content.decode()
    assert "data-enroll-count>about " in page and "Estimated from a sample" in page
    estimate = enrollment_estimate.estimate_lists(
        account=alice, channel_type="whatsapp", list_ids=[first.pk, second.pk]
    )
    assert estimate["requested"] == 400
    assert 240 <= estimate["enrolled"] <= 300  # exactly 270; a sample of 600 probes
    assert 70 <= estimate["duplicates"] <= 130  # exactly 100
    web.post(
        reverse("dashboard:campaign_new"),
        {
            "name": "Exact", "channel": channel.pk, "lists": [first.pk, second.pk],
            "timezone": "UTC", "message_type": ["text"], "message_content": ["Hi"],
            "message_caption": [""], "message_filename": [""],
        },
    )  # fmt: skip
    enrollment = Campaign.objects.get(name="Exact").enrollment
    assert (enrollment["enrolled"], enrollment["duplicates"]) == (270, 100)


@pytest.mark.django_db
def test_a_small_preview_is_exact(web, alice):
    channel = make_channel(alice)
    contact_list = make_list(alice, [make_contact(alice) for _ in range(3)])
    data = {"channel": channel.pk, "lists": [contact_list.pk]}
    page = htmx(web, "post", reverse("dashboard:campaign_preview"), data).content.decode()
    assert "data-enroll-count>3<" in page and "about" not in page


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_large_estimate_counts_suppressed_contacts_exactly(alice, monkeypatch):
    from contacts.suppressions import suppression_add

    monkeypatch.setattr(enrollment_estimate, "ESTIMATE_ABOVE", 100)
    _fix_the_sample(0.42)
    contacts = [make_contact(alice) for _ in range(300)]
    for contact in contacts[:7]:
        suppression_add(account=alice, address=contact.phone, channel_type="whatsapp", source="api")
    contact_list = make_list(alice, contacts, "Everyone")
    estimate = enrollment_estimate.estimate_lists(
        account=alice, channel_type="whatsapp", list_ids=[contact_list.pk]
    )
    assert estimate["suppressed"] == 7
    assert estimate["opted_out"] <= 5  # the suppressed are opted out too, counted once
    assert 280 <= estimate["enrolled"] <= 293  # exactly 293


@pytest.mark.django_db
@pytest.mark.parametrize("by_address_limit", [5_000, 2])  # looked up by address; joined
def test_suppressed_members_of_the_lists_are_counted_once_by_phone_or_provider_address(
    alice, monkeypatch, by_address_limit
):
    from contacts.suppressions import suppression_add

    monkeypatch.setattr(enrollment_estimate, "SUPPRESSIONS_BY_ADDRESS", by_address_limit)
    bots = [make_contact(alice, type="telegram", external_id=f"chat-{n}") for n in range(4)]
    phones = [make_contact(alice, type="telegram") for _ in range(3)]
    outsider = make_contact(alice, type="telegram", external_id="chat-outside")
    first = make_list(alice, [*bots, *phones], "First")
    second = make_list(alice, [bots[0], phones[0]], "Second")
    for contact in bots[:2]:  # by provider address, one of them in both lists
        suppression_add(
            account=alice, address=contact.external_id, channel_type="telegram", source="api"
        )
    suppression_add(account=alice, address=phones[0].phone, channel_type="telegram", source="api")
    suppression_add(account=alice, address="chat-outside", channel_type="telegram", source="api")
    suppression_add(account=alice, address=phones[1].phone, channel_type="whatsapp", source="api")
    assert outsider.pk not in {m.pk for m in first.contacts.all()}
    counted = enrollment_estimate._suppressed_in(alice, "telegram", [first.pk, second.pk])
    assert counted == 3
    assert enrollment_estimate._suppressed_in(alice, "telegram", [second.pk]) == 2
    assert enrollment_estimate._suppressed_in(alice, "whatsapp", [first.pk]) == 0
