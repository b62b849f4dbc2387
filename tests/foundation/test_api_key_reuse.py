"""A read may use the API key as this process found it within the read cache's lifetime;
a write always looks it up; the raw key is checked on every request."""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from skylight.models import ApiKey
from skylight.services import api_key_revoke


def key_lookups(call) -> tuple[int, int]:
    """(status, reads of the API key table) of one request."""
    with CaptureQueriesContext(connection) as queries:
        status = call().status_code
    return status, sum(
        q["sql"].startswith("SELECT") and '"skylight_apikey"' in q["sql"]
        for q in queries.captured_queries
    )


def test_a_read_reuses_the_key_it_found_and_a_write_looks_it_up(settings, alice, api):
    settings.SKYLIGHT_API_READ_CACHE_SECONDS = 60

    assert key_lookups(lambda: api.get("/api/v1/account")) == (200, 1)
    assert key_lookups(lambda: api.get("/api/v1/account")) == (200, 0)
    status, lookups = key_lookups(lambda: api.post("/api/v1/lists", {"name": "VIP"}, "json"))
    assert (status, lookups) == (201, 1)


def test_without_the_read_cache_every_read_looks_the_key_up(settings, alice, api):
    settings.SKYLIGHT_API_READ_CACHE_SECONDS = 0

    assert key_lookups(lambda: api.get("/api/v1/account")) == (200, 1)
    assert key_lookups(lambda: api.get("/api/v1/account")) == (200, 1)


def test_a_key_revoked_by_another_process_stops_writes_at_once_and_reads_within_a_second(
    settings, alice, api
):
    settings.SKYLIGHT_API_READ_CACHE_SECONDS = 1
    assert api.get("/api/v1/account").status_code == 200
    # Another process revokes it: no signal reaches this one.
    ApiKey.objects.filter(account=alice).update(revoked_at="2026-01-01T00:00:00Z")

    assert api.post("/api/v1/lists", {"name": "VIP"}, "json").status_code == 401
    time.sleep(1.1)
    assert api.get("/api/v1/account").status_code == 401


def test_a_key_revoked_in_this_process_stops_the_next_read(settings, alice, api):
    settings.SKYLIGHT_API_READ_CACHE_SECONDS = 60
    assert api.get("/api/v1/account").status_code == 200

    api_key_revoke(api_key=alice.api_keys.get())

    assert api.get("/api/v1/account").status_code == 401


def test_a_known_prefix_with_a_wrong_secret_is_refused_though_the_key_was_reused(
    settings, alice, api
):
    settings.SKYLIGHT_API_READ_CACHE_SECONDS = 60
    assert api.get("/api/v1/account").status_code == 200
    prefix = api.raw_key.split("_")[1]

    forged = api.get("/api/v1/account", HTTP_X_API_KEY=f"sk_{prefix}_not-the-secret")

    assert forged.status_code == 401
