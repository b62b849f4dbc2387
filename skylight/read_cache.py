"""A short-lived cache of API reads, invalidated by every write made through a request.

API clients poll: a campaign's progress, its contacts, the contact list. Each such read
costs a few ORM queries and a serializer; under load that is most of what the API
spends. A read is cached in the shared cache (Redis) for `SKYLIGHT_API_READ_CACHE_SECONDS`
under a key that holds the account's *read version*; every request that can change data
(any method but GET, HEAD and OPTIONS) gives its account a new version when it ends, and
an admin write gives every account a new one. So:

- what a client changed through the API or the dashboard, or what staff changed in the
  admin, is in the very next read (the version is renewed after the write committed);
- what the send cycle and provider webhooks change in the background (counters, statuses,
  replies) reaches reads within the cache's lifetime (one second by default), as if the
  client had polled a moment earlier.

The version is read before the data, and the data is stored under the version it was read
with: a read that raced a write can only fill the old version's entry, never the new one.
When a copy's lifetime ends, one request reads it again while the others still get the
copy (for at most `REFRESH_LOCK_SECONDS` more), instead of every web thread reading the
database at the same moment.
"""

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

GLOBAL_VERSION = "read-version:all"
# The longest a request may hold an expired copy's refresh (a crashed one lets go then), and
# so the longest past its lifetime a copy is served.
REFRESH_LOCK_SECONDS = 2
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _account_version_key(account_id: int) -> str:
    return f"read-version:account:{account_id}"


def lifetime() -> float:
    """How stale a read may be, in seconds (0: never); the API key a read uses too."""
    return settings.SKYLIGHT_API_READ_CACHE_SECONDS


def enabled() -> bool:
    return lifetime() > 0


def renew_version(account_id: int | None) -> None:
    """Every cached read of the account (of all accounts with None) is stale from now on."""
    key = GLOBAL_VERSION if account_id is None else _account_version_key(account_id)
    cache.set(key, time.time_ns(), timeout=None)


def cached(request, account_id: int, read: Callable[[], tuple]) -> tuple:
    """What `read()` returns, (status, ...), from the cache when a fresh copy is there.

    Only successful reads are stored; the key names everything a read's output depends on
    besides the data: the path with its query, the host and the language.
    """
    if not enabled():
        return read()
    account_key = _account_version_key(account_id)
    versions = cache.get_many([account_key, GLOBAL_VERSION])
    # The request's own part is hashed: a query string can be long, or hold characters
    # a cache key should not.
    request_part = "\n".join(
        (translation.get_language() or "", request.get_host(), request.get_full_path())
    )
    key = ":".join(
        (
            "api-read",
            str(account_id),
            str(versions.get(account_key, 0)),
            str(versions.get(GLOBAL_VERSION, 0)),
            hashlib.sha256(request_part.encode()).hexdigest(),
        )
    )
    entry = cache.get(key)
    if entry is not None:
        fresh_until, answer = entry
        # An expired copy is refreshed by one request at a time; the others meanwhile get
        # the copy instead of all reading the database at once.
        if time.time() < fresh_until or not cache.add(f"{key}:refresh", 1, REFRESH_LOCK_SECONDS):
            return answer
        try:
            return _read_and_store(key, read)
        finally:
            cache.delete(f"{key}:refresh")
    return _read_and_store(key, read)


def _read_and_store(key: str, read: Callable[[], tuple]) -> tuple:
    try:
        answer = read()
    except Exception:  # e.g. the object is gone (404): no copy of it is served any more
        cache.delete(key)
        raise
    seconds = lifetime()
    if 200 <= answer[0] < 300:
        # Kept a little past its lifetime, to be served while a request refreshes it.
        cache.set(key, (time.time() + seconds, answer), timeout=seconds + REFRESH_LOCK_SECONDS)
    else:
        cache.delete(key)
    return answer


class ReadVersionMiddleware:
    """Renews the read version after every request that may have written.

    Runs after the view, so after its transaction committed. An API request's account is
    its key's; a dashboard request's is the signed-in user's current account; an admin
    write can touch any account, so it renews every account's version.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in SAFE_METHODS or not enabled():
            return response
        if request.path.startswith("/admin/"):
            if getattr(request, "user", None) is not None and request.user.is_authenticated:
                renew_version(None)
            return response
        account = getattr(getattr(request, "user", None), "account", None) or getattr(
            request, "account", None
        )
        if account is not None:
            renew_version(account.pk)
        return response
