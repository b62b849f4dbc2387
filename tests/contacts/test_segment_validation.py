"""`validate_rules`: every way a rule can be wrong is a 422-style error naming the part."""

import pytest

from contacts.segments import validate_rules
from skylight.domain import Invalid
from tests.factories import make_contact, make_list


def errors_for(rules, **kwargs) -> dict:
    with pytest.raises(Invalid) as caught:
        validate_rules(rules, **kwargs)
    return caught.value.errors


def one(field, op, value):
    return {"match": "all", "conditions": [{"field": field, "op": op, "value": value}]}


@pytest.mark.parametrize("rules", [None, [], "all", 3])
def test_rules_must_be_an_object(rules):
    assert "must be an object" in str(errors_for(rules))


def test_match_must_be_all_or_any():
    assert "match" in errors_for({"match": "some", "conditions": []})


def test_unknown_top_level_keys_are_refused():
    assert "Unknown key" in str(errors_for({"match": "all", "conditions": [], "limit": 3}))


def test_conditions_must_be_a_short_list():
    assert "conditions" in errors_for({"match": "all", "conditions": {"a": 1}})
    many = [{"field": "name", "op": "eq", "value": "a"}] * 51
    assert "At most 50" in str(errors_for({"match": "all", "conditions": many}))


def test_a_condition_must_be_an_object_with_known_keys():
    assert "conditions.0" in errors_for({"match": "all", "conditions": ["name = x"]})
    extra = {"field": "name", "op": "eq", "value": "x", "negate": True}
    assert "conditions.0" in errors_for({"match": "all", "conditions": [extra]})


@pytest.mark.parametrize("field", ["email", "attributes.", "attributes", 5, None, "Name"])
def test_unknown_fields_are_refused(field):
    detail = errors_for(one(field, "eq", "x"))
    assert "Unknown field" in str(detail["conditions.0.field"][0])


def test_attribute_keys_with_quotes_are_refused():
    assert "conditions.0.field" in errors_for(one('attributes.a"b', "eq", "x"))


@pytest.mark.parametrize(
    ("field", "op"),
    [
        ("name", "before"),
        ("phone", "exists"),
        ("type", "contains"),
        ("created_at", "eq"),
        ("opted_out", "in"),
        ("list", "contains"),
        ("tags", "after"),
        ("attributes.city", "before"),
        ("name", "like"),
    ],
)
def test_operators_that_do_not_apply_to_a_field_are_refused(field, op):
    detail = errors_for(one(field, op, "x"))
    assert "does not apply" in str(detail["conditions.0.op"][0])


@pytest.mark.parametrize(
    ("field", "op", "value", "says"),
    [
        ("name", "eq", 5, "Expected a string"),
        ("name", "eq", "   ", "non-blank"),
        ("name", "eq", "x" * 256, "at most 255"),
        ("name", "exists", "yes", "true or false"),
        ("name", "in", [], "non-empty list"),
        ("name", "in", "Sara", "non-empty list"),
        ("name", "in", ["a", 3], "In the list"),
        ("name", "in", ["a"] * 1001, "At most 1000"),
        ("phone", "eq", "not a phone", "not a phone number"),
        ("type", "eq", "fax", "Unknown type"),
        ("tags", "contains", "x" * 65, "at most 64"),
        ("opted_out", "eq", "true", "true or false"),
        ("list", "eq", "3", "list id"),
        ("list", "eq", True, "list id"),
        ("list", "eq", 0, "list id"),
        ("created_at", "before", "2026-13-01", "is not a date"),
        ("created_at", "after", "yesterday", "is not a date"),
        ("created_at", "after", 20260101, "is not a date"),
        ("attributes.city", "eq", {"a": 1}, "Expected a string"),
        ("attributes.city", "contains", 5, "Expected a string"),
    ],
)
def test_values_of_the_wrong_type_are_refused(field, op, value, says):
    detail = errors_for(one(field, op, value))
    assert says in str(detail["conditions.0.value"][0])


def test_a_missing_value_is_refused():
    rules = {"match": "all", "conditions": [{"field": "name", "op": "eq"}]}
    assert "required" in str(errors_for(rules)["conditions.0.value"][0])


def test_every_bad_condition_is_reported_at_once():
    rules = {
        "match": "all",
        "conditions": [
            {"field": "name", "op": "eq", "value": "ok"},
            {"field": "nope", "op": "eq", "value": "x"},
            {"field": "created_at", "op": "before", "value": "never"},
        ],
    }
    assert set(errors_for(rules)) == {"conditions.1.field", "conditions.2.value"}


def test_another_accounts_list_is_refused_when_the_account_is_given(alice, bob):
    foreign = make_list(bob, [make_contact(bob)])
    mine = make_list(alice)
    detail = errors_for(one("list", "in", [mine.id, foreign.id]), account=alice)
    assert f"No contact list with id {foreign.id}" in str(detail["conditions.0.value"][0])


def test_it_returns_cleaned_rules():
    cleaned = validate_rules(
        {"conditions": [{"field": "phone", "op": "eq", "value": " 966 50 123 4567 "}]}
    )
    assert cleaned == {
        "match": "all",
        "conditions": [{"field": "phone", "op": "eq", "value": "+966501234567"}],
    }
