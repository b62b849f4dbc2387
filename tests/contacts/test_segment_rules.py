"""Each segment field and operator, evaluated in SQL (run on SQLite and PostgreSQL)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.segments import contacts_matching
from tests.factories import make_contact, make_list, tagged_contact


def matching(account, *conditions, match="all") -> set[int]:
    rules = {"match": match, "conditions": list(conditions)}
    return set(contacts_matching(account, rules).values_list("id", flat=True))


def cond(field, op, value):
    return {"field": field, "op": op, "value": value}


@pytest.fixture
def people(alice):
    """Three of alice's contacts with different names, phones, tags and attributes."""
    return {
        "sara": tagged_contact(
            alice, "vip", "riyadh", name="Sara Ahmed", phone="+966501111111",
            attributes={"city": "Riyadh", "orders": 5, "member": True},
        ),
        "omar": tagged_contact(
            alice, "riyadh", name="Omar", phone="+966502222222", type="sms",
            attributes={"city": "Jeddah", "orders": "5"},
        ),
        "nameless": make_contact(alice, name="", phone="+447911123456", opted_out=True),
    }  # fmt: skip


def test_name_operators(alice, people):
    sara, omar, nameless = people["sara"].id, people["omar"].id, people["nameless"].id
    assert matching(alice, cond("name", "eq", "Omar")) == {omar}
    assert matching(alice, cond("name", "neq", "Omar")) == {sara, nameless}
    assert matching(alice, cond("name", "contains", "AHMED")) == {sara}
    assert matching(alice, cond("name", "not_contains", "ahmed")) == {omar, nameless}
    assert matching(alice, cond("name", "in", ["Omar", "Sara Ahmed"])) == {sara, omar}
    assert matching(alice, cond("name", "exists", True)) == {sara, omar}
    assert matching(alice, cond("name", "exists", False)) == {nameless}


def test_phone_operators_compare_normalised_numbers(alice, people):
    sara, omar, nameless = people["sara"].id, people["omar"].id, people["nameless"].id
    assert matching(alice, cond("phone", "eq", "966 50 111 1111")) == {sara}
    assert matching(alice, cond("phone", "neq", "+966501111111")) == {omar, nameless}
    assert matching(alice, cond("phone", "contains", "+9665")) == {sara, omar}
    assert matching(alice, cond("phone", "not_contains", "+9665")) == {nameless}
    assert matching(alice, cond("phone", "in", ["+966502222222", "+447911123456"])) == {
        omar,
        nameless,
    }


def test_type_operators(alice, people):
    sara, omar, nameless = people["sara"].id, people["omar"].id, people["nameless"].id
    assert matching(alice, cond("type", "eq", "sms")) == {omar}
    assert matching(alice, cond("type", "neq", "sms")) == {sara, nameless}
    assert matching(alice, cond("type", "in", ["sms", "telegram"])) == {omar}


def test_tags_operators(alice, people):
    sara, omar, nameless = people["sara"].id, people["omar"].id, people["nameless"].id
    assert matching(alice, cond("tags", "contains", "vip")) == {sara}
    assert matching(alice, cond("tags", "eq", "vip")) == {sara}
    assert matching(alice, cond("tags", "not_contains", "vip")) == {omar, nameless}
    assert matching(alice, cond("tags", "neq", "vip")) == {omar, nameless}
    assert matching(alice, cond("tags", "in", ["vip", "riyadh"])) == {sara, omar}
    assert matching(alice, cond("tags", "exists", True)) == {sara, omar}
    assert matching(alice, cond("tags", "exists", False)) == {nameless}


def test_created_at_before_and_after(alice, people):
    sara, omar, nameless = people["sara"], people["omar"], people["nameless"]
    sara.created_at = dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)
    omar.created_at = dt.datetime(2026, 1, 11, 0, 30, tzinfo=dt.UTC)
    nameless.created_at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    for contact in (sara, omar, nameless):
        contact.save(update_fields=["created_at"])
    assert matching(alice, cond("created_at", "before", "2026-01-11")) == {sara.id}
    assert matching(alice, cond("created_at", "after", "2026-01-10")) == {omar.id, nameless.id}
    assert matching(alice, cond("created_at", "after", "2026-01-10T12:00:00Z")) == {
        omar.id,
        nameless.id,
    }
    assert matching(alice, cond("created_at", "before", "2026-01-10T12:00:01+00:00")) == {sara.id}


def test_a_bare_date_is_a_day_in_the_accounts_timezone(bob):
    # 2026-01-10 21:30 UTC is already 11 January in Riyadh (UTC+3).
    late = make_contact(bob, created_at=dt.datetime(2026, 1, 10, 21, 30, tzinfo=dt.UTC))
    assert matching(bob, cond("created_at", "after", "2026-01-10")) == {late.id}
    assert matching(bob, cond("created_at", "before", "2026-01-11")) == set()


def test_opted_out_operators(alice, people):
    sara, omar, nameless = people["sara"].id, people["omar"].id, people["nameless"].id
    assert matching(alice, cond("opted_out", "eq", True)) == {nameless}
    assert matching(alice, cond("opted_out", "neq", True)) == {sara, omar}
    assert matching(alice, cond("opted_out", "eq", False)) == {sara, omar}


def test_list_operators(alice, people):
    sara, omar, nameless = people["sara"].id, people["omar"].id, people["nameless"].id
    first = make_list(alice, [people["sara"]], name="first")
    second = make_list(alice, [people["omar"], people["sara"]], name="second")
    assert matching(alice, cond("list", "eq", first.id)) == {sara}
    assert matching(alice, cond("list", "neq", first.id)) == {omar, nameless}
    assert matching(alice, cond("list", "in", [first.id, second.id])) == {sara, omar}
    assert matching(alice, cond("list", "exists", True)) == {sara, omar}
    assert matching(alice, cond("list", "exists", False)) == {nameless}


def test_attribute_operators(alice, people):
    sara, omar, nameless = people["sara"].id, people["omar"].id, people["nameless"].id
    assert matching(alice, cond("attributes.city", "eq", "Riyadh")) == {sara}
    assert matching(alice, cond("attributes.city", "neq", "Riyadh")) == {omar, nameless}
    assert matching(alice, cond("attributes.city", "contains", "JED")) == {omar}
    assert matching(alice, cond("attributes.city", "not_contains", "jed")) == {sara, nameless}
    assert matching(alice, cond("attributes.city", "in", ["Jeddah", "Dammam"])) == {omar}
    assert matching(alice, cond("attributes.city", "exists", True)) == {sara, omar}
    assert matching(alice, cond("attributes.city", "exists", False)) == {nameless}


def test_attribute_values_compare_with_their_json_type(alice, people):
    sara, omar = people["sara"].id, people["omar"].id
    assert matching(alice, cond("attributes.orders", "eq", 5)) == {sara}
    assert matching(alice, cond("attributes.orders", "eq", "5")) == {omar}
    assert matching(alice, cond("attributes.member", "eq", True)) == {sara}


def test_attribute_keys_may_hold_spaces_and_dots(alice):
    odd = make_contact(alice, attributes={"First order.year": "2025"})
    make_contact(alice, attributes={"First": "2025"})
    assert matching(alice, cond("attributes.First order.year", "eq", "2025")) == {odd.id}


def test_all_needs_every_condition_and_any_needs_one(alice, people):
    sara, omar = people["sara"].id, people["omar"].id
    both = (cond("tags", "contains", "riyadh"), cond("type", "eq", "sms"))
    assert matching(alice, *both, match="all") == {omar}
    assert matching(alice, *both, match="any") == {sara, omar}


def test_no_conditions_is_every_contact_of_the_account(alice, bob, people):
    make_contact(bob)
    assert matching(alice) == {contact.id for contact in people.values()}


def test_other_accounts_contacts_never_match(alice, bob, people):
    make_contact(bob, name="Omar")
    assert matching(alice, cond("name", "eq", "Omar")) == {people["omar"].id}


def test_another_accounts_list_matches_nobody(alice, bob, people):
    foreign = make_list(bob, [make_contact(bob)])
    assert matching(alice, cond("list", "eq", foreign.id)) == set()


def test_a_segment_with_many_conditions_is_one_query(alice, people):
    make_list(alice, [people["sara"]])
    rules = {
        "match": "any",
        "conditions": [
            cond("tags", "in", ["vip"]),
            cond("list", "exists", True),
            cond("attributes.city", "neq", "Riyadh"),
            cond("created_at", "after", "2020-01-01"),
            cond("name", "contains", "a"),
        ],
    }
    with CaptureQueriesContext(connection) as queries:
        found = list(contacts_matching(alice, rules).values_list("id", flat=True))
    assert len(queries) == 1
    assert len(found) == 3


def test_the_result_works_as_a_subquery_of_ids(alice, people):
    from contacts.models import Contact

    rules = {
        "match": "all",
        "conditions": [cond("attributes.city", "neq", "Jeddah"), cond("tags", "exists", True)],
    }
    members = contacts_matching(alice, rules).values("pk")
    assert set(Contact.objects.filter(pk__in=members).values_list("pk", flat=True)) == {
        people["sara"].id
    }
