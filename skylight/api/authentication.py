"""`X-Api-Key` authentication: the request's account is the key's account.

A read (GET, HEAD, OPTIONS) may use the key as this process found it within the last
`SKYLIGHT_API_READ_CACHE_SECONDS` (the freshness every cached read already has: a revoked
key, or a change to its account, reaches reads within that time); a write always looks
the key up. The raw key is checked against its hash on every request either way.
"""

import time
from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from skylight import read_cache
from skylight.audit import actor_for_api_key, actor_set
from skylight.models import ApiKey
from skylight.prepared import PreparedQuery

# Every API request runs this lookup: compiled once (skylight/prepared.py). The stand-in
# is longer than any prefix, so no real prefix equals it.
_ACTIVE_KEY = PreparedQuery(
    lambda prefix: (
        ApiKey.objects.active().select_related("account").filter(prefix=prefix).order_by("pk")[:1]
    ),
    prefix="prefix-stand-in",
)


class RecentKeys:
    """Keys found for reads in this process, by prefix, each until its moment passes."""

    MOST = 10_000  # prefixes kept at most; then it starts over

    def __init__(self):
        self.entries: dict[str, tuple[float, ApiKey]] = {}

    def get(self, prefix: str) -> ApiKey | None:
        entry = self.entries.get(prefix)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def put(self, prefix: str, key: ApiKey, seconds: float) -> None:
        if len(self.entries) >= self.MOST:
            self.entries.clear()
        self.entries[prefix] = (time.monotonic() + seconds, key)

    def clear(self, **_signal) -> None:
        """Forgets every key (a key or an account changed in this process)."""
        self.entries.clear()


recent_keys = RecentKeys()


def _active_key(prefix: str, read: bool) -> ApiKey | None:
    seconds = read_cache.lifetime() if read else 0
    key = recent_keys.get(prefix) if seconds > 0 else None
    if key is None:
        key = next(iter(_ACTIVE_KEY.run(prefix=prefix)), None)
        if key is not None and seconds > 0:
            recent_keys.put(prefix, key, seconds)
    return key


class ApiPrincipal:
    """Stands in for `request.user` on API requests: an account acting through a key."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key
        self.account = api_key.account
        self.pk = f"key-{api_key.pk}"

    def __str__(self) -> str:
        return f"{self.account} via {self.api_key}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    header = "HTTP_X_API_KEY"

    def authenticate(self, request):
        raw_key = request.META.get(self.header)
        if raw_key is None:
            return None
        prefix = ApiKey.split(raw_key.strip())
        key = None
        if prefix:
            key = _active_key(prefix, read=request.method in permissions.SAFE_METHODS)
        if key is None or not key.matches(raw_key.strip()):
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        self.touch(key)
        actor_set(actor_for_api_key(key, request))
        return ApiPrincipal(key), key

    def authenticate_header(self, request):
        return "X-Api-Key"

    @staticmethod
    def touch(key: ApiKey) -> None:
        """Record use at most once a minute, so reads do not turn into writes."""
        now = timezone.now()
        resolution = timedelta(seconds=ApiKey.LAST_USED_RESOLUTION_SECONDS)
        if key.last_used is None or now - key.last_used >= resolution:
            ApiKey.objects.filter(pk=key.pk).update(last_used=now)
            key.last_used = now


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Api-Key"}
