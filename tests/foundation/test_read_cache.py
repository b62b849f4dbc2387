"""API reads polled by clients are cached briefly; every write made through a request (API,
dashboard, admin) is in the very next read; the key, the throttle and the account still
hold on a cached read. The Redis backend reuses its clients and counts a window in one
round trip."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import caches
from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from campaigns.models import Campaign
from skylight import cache as shared_cache
from skylight.read_cache import cached
from skylight.services import api_key_revoke
from tests.factories import make_campaign, make_contact, member_of
from tests.foundation.test_shared_throttle import redis_up


@pytest.fixture
def read_cache(settings):
    settings.SKYLIGHT_API_READ_CACHE_SECONDS = 60


def campaign_queries(api, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(path).status_code == 200
    return sum("campaigns_campaign" in query["sql"] for query in queries.captured_queries)


def test_a_repeated_campaign_read_is_answered_without_reading_the_campaign(read_cache, alice, api):
    campaign = make_campaign(alice)
    path = f"/api/v1/campaigns/{campaign.pk}"
    assert campaign_queries(api, path) >= 1
    assert campaign_queries(api, path) == 0
    assert campaign_queries(api, f"{path}/contacts") >= 1
    assert campaign_queries(api, f"{path}/contacts") == 0
    # Another query string is another read.
    assert campaign_queries(api, f"{path}/contacts?status=pending") >= 1


def test_without_the_setting_every_read_reads_the_database(settings, alice, api):
    settings.SKYLIGHT_API_READ_CACHE_SECONDS = 0
    campaign = make_campaign(alice)
    path = f"/api/v1/campaigns/{campaign.pk}"
    assert campaign_queries(api, path) >= 1
    assert campaign_queries(api, path) >= 1


def test_an_api_write_is_in_the_next_read(read_cache, alice, api):
    campaign = make_campaign(alice, name="Before")
    path = f"/api/v1/campaigns/{campaign.pk}"
    assert api.get(path).json()["data"]["name"] == "Before"
    assert api.patch(path, {"name": "After"}, format="json").status_code == 200
    assert api.get(path).json()["data"]["name"] == "After"

    assert api.get("/api/v1/contacts").json()["meta"]["total"] == 3
    created = api.post("/api/v1/contacts", {"name": "New", "phone": "+966509998877"})
    assert created.status_code == 201
    assert api.get("/api/v1/contacts").json()["meta"]["total"] == 4


def test_a_dashboard_write_is_in_the_next_api_read(read_cache, alice, api, client):
    campaign = make_campaign(alice)
    assert [row["id"] for row in api.get("/api/v1/campaigns").json()["data"]] == [campaign.pk]
    client.force_login(member_of(alice, "alice"))
    assert client.post(f"/campaigns/{campaign.pk}/delete/").status_code == 302
    assert api.get("/api/v1/campaigns").json()["data"] == []


def test_an_admin_write_is_in_the_next_api_read(read_cache, alice, api, admin_client):
    assert api.get("/api/v1/contacts").json()["meta"]["total"] == 0
    response = admin_client.post(
        "/admin/contacts/contact/add/",
        {
            "account": alice.pk,
            "name": "Sara",
            "phone": "+966501234567",
            "type": "whatsapp",
            "attributes": "{}",
        },
    )
    assert response.status_code == 302
    assert api.get("/api/v1/contacts").json()["meta"]["total"] == 1


def test_a_change_made_outside_any_request_shows_once_the_copy_expires(settings, alice, api):
    settings.SKYLIGHT_API_READ_CACHE_SECONDS = 1
    campaign = make_campaign(alice, name="Before")
    path = f"/api/v1/campaigns/{campaign.pk}"
    assert api.get(path).json()["data"]["name"] == "Before"
    Campaign.objects.filter(pk=campaign.pk).update(name="Changed by the engine")
    assert api.get(path).json()["data"]["name"] == "Before"  # the cached copy
    time.sleep(1.1)
    assert api.get(path).json()["data"]["name"] == "Changed by the engine"


def test_a_cached_read_still_checks_the_key_and_the_account(read_cache, alice, bob_api, api):
    campaign = make_campaign(alice)
    path = f"/api/v1/campaigns/{campaign.pk}"
    assert api.get(path).status_code == 200
    assert bob_api.get(path).status_code == 404
    api_key_revoke(api_key=alice.api_keys.get())
    assert api.get(path).status_code == 401


def test_a_cached_read_still_counts_against_the_rate(read_cache, settings, alice, api):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "3/min"},
    }
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        make_contact(alice)
        codes = [api.get("/api/v1/contacts").status_code for _ in range(5)]
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
        api_settings.reload()
    assert codes == [200, 200, 200, 429, 429]


def test_a_failed_read_is_not_cached(read_cache, alice, api):
    first = make_campaign(alice)
    path = f"/api/v1/campaigns/{first.pk + 1}"
    assert api.get(path).status_code == 404
    assert make_campaign(alice, name="Next").pk == first.pk + 1  # made outside any request
    assert api.get(path).status_code == 200


redis_only = pytest.mark.skipif(not redis_up(), reason="needs Redis on 127.0.0.1:6379")


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "skylight.cache.SharedRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        },
    }
    yield caches["default"]
    caches["default"].clear()


@redis_only
def test_the_redis_cache_reuses_one_client_per_pool(redis_cache):
    backend = redis_cache._cache
    assert backend.get_client(write=True) is backend.get_client(write=True)
    redis_cache.set("k", 1)
    assert redis_cache.get("k") == 1


@redis_only
def test_a_window_on_redis_is_counted_in_one_pipeline_with_its_expiry(redis_cache, monkeypatch):
    pipelined = []
    real = shared_cache.SharedRedisCache.window_hit

    def spy(self, key, timeout):
        pipelined.append(key)
        return real(self, key, timeout)

    monkeypatch.setattr(shared_cache.SharedRedisCache, "window_hit", spy)
    assert [shared_cache.window_hit("w", 60)[0] for _ in range(3)] == [1, 2, 3]
    assert len(pipelined) == 3
    client = redis_cache._cache.get_client(write=True)
    assert 0 < client.ttl(redis_cache.make_and_validate_key(pipelined[0])) <= 61


def refreshing_read():
    """A read that takes 0.3 s and answers how many times it ran."""
    calls = []

    def read():
        calls.append(1)
        time.sleep(0.3)
        return 200, {"run": len(calls)}, False

    return read, calls


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request):
    if request.param == "redis":
        if not redis_up():
            pytest.skip("needs Redis on 127.0.0.1:6379")
        request.getfixturevalue("redis_cache")
        assert isinstance(caches["default"], shared_cache.SharedRedisCache)


def test_an_expired_copy_is_refreshed_by_one_request_while_the_others_get_the_copy(
    settings, any_cache
):
    settings.SKYLIGHT_API_READ_CACHE_SECONDS = 1
    request = RequestFactory().get("/api/v1/campaigns/1")
    read, calls = refreshing_read()
    assert cached(request, 1, read)[1] == {"run": 1}
    time.sleep(1.05)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: cached(request, 1, read)[1], range(8)))
    assert len(calls) == 2  # one refresh, not eight
    # The refresher got the new answer; the others the copy (or the new one, if late).
    assert {"run": 2} in answers and all(a in ({"run": 1}, {"run": 2}) for a in answers)
    assert cached(request, 1, read)[1] == {"run": 2}


def test_a_refresh_that_fails_drops_the_copy(settings):
    settings.SKYLIGHT_API_READ_CACHE_SECONDS = 1
    request = RequestFactory().get("/api/v1/campaigns/1")
    read, calls = refreshing_read()
    cached(request, 1, read)
    time.sleep(1.05)

    def gone():
        raise Http404

    with pytest.raises(Http404):
        cached(request, 1, gone)
    assert cached(request, 1, read)[1] == {"run": 2}  # read again, not the copy


def test_redis_reachable_says_whether_a_redis_answers():
    import socket as _socket

    with _socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]  # bound, not listening: nothing answers there
        assert not shared_cache.redis_reachable(port=closed)
    assert shared_cache.redis_reachable() == redis_up()
