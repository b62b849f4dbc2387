"""A prepared query answers what its queryset answers, for any values of its parameters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skylight.models import ApiKey
from skylight.prepared import PreparedQuery
from skylight.services import api_key_create, api_key_revoke

KEYS = PreparedQuery(
    lambda prefix: ApiKey.objects.active().select_related("account").filter(prefix=prefix),
    prefix="stand-in",
)


def fields(key):
    return {f.attname: getattr(key, f.attname) for f in ApiKey._meta.concrete_fields}


def test_it_answers_what_the_queryset_answers_with_the_related_row_joined(alice, bob):
    for account in (alice, bob):
        key, _ = api_key_create(account=account)
        expected = ApiKey.objects.select_related("account").get(pk=key.pk)
        with CaptureQueriesContext(connection) as queries:
            (found,) = KEYS.run(prefix=key.prefix)
            assert found.account.name == account.name  # joined: no second query
        assert len(queries) == 1
        assert fields(found) == fields(expected)  # datetimes converted as the ORM does
        assert found.created_at.tzinfo is not None
        assert not found._state.adding and found._state.db == "default"


def test_its_filters_hold_for_every_value(alice):
    key, _ = api_key_create(account=alice)
    api_key_revoke(api_key=key)
    assert KEYS.run(prefix=key.prefix) == []
    assert KEYS.run(prefix="nothing") == []


def test_a_stand_in_missing_from_the_query_is_refused():
    query = PreparedQuery(lambda prefix: ApiKey.objects.all(), prefix="stand-in")
    with pytest.raises(ValueError, match="stand-in"):
        query.run(prefix="x")
